// kernel_library.h — which build of the CPU kernels this process runs (see engine/CMakeLists.txt: the packaged
// build has one per x86-64 level, picked by glibc's loader from glibc-hwcaps/ at start-up).
#pragma once

#include <string>

namespace bp {

/// The file the CPU kernels were loaded from, e.g.
/// "/usr/lib/backprop-studio/glibc-hwcaps/x86-64-v4/libbp_kernels.so.0", or "" when they are linked into the
/// executable itself (the source build's default). Together with cpu_simd() (compiled into the same code) it says
/// which path runs. Example: if (!kernel_library_path().empty()) print("kernels from " + kernel_library_path());
std::string kernel_library_path();

}  // namespace bp
