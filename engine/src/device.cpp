// device.cpp — run-time device choice (device.h) and, in builds without CUDA, the allocator-stats stubs.
#include "bp/device.h"

#include "bp/backend.h"

namespace bp {

Device resolve_device(const std::string& choice) {
    if (choice == "cpu") return Device::cpu;
    if (choice == "cuda" || choice == "auto") {
        std::string why;
        if (cuda_available(&why)) return Device::cuda;
        if (choice == "auto") return Device::cpu;
        throw ConfigError("device cuda: not usable here: " + why + "; use --device cpu");
    }
    throw ConfigError("device: unknown choice '" + choice + "'; use cpu, cuda or auto");
}

#if !defined(BP_HAVE_CUDA)
DeviceMemoryStats cuda_memory_stats() { return {}; }
void cuda_empty_cache() {}
bool cublas_loadable(std::string* why_not) {
    if (why_not) *why_not = "this build has no CUDA backend";
    return false;
}
#endif

}  // namespace bp
