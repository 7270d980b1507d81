// kernel_library.cpp — kernel_library_path(): compiled into the kernels library (with cpu/*.cpp), so the address
// of this function lies in whichever build of it the loader picked.
#include "bp/kernel_library.h"

#include <dlfcn.h>

#include <filesystem>
#include <system_error>

namespace bp {

std::string kernel_library_path() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<const void*>(&kernel_library_path), &info) == 0 || info.dli_fname == nullptr) return {};
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    const std::filesystem::path lib = std::filesystem::weakly_canonical(info.dli_fname, ec);
    if (!ec && lib == self) return {};  // linked into the executable
    return lib.empty() ? std::string(info.dli_fname) : lib.string();
}

}  // namespace bp
