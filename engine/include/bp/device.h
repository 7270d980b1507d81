// device.h — choosing the device at run time (`--device cpu|cuda|auto`) and the GPU's and CPU's memory caches. The
// kernels themselves sit behind backend.h; this is the part the CLI, the app and the tests ask about.
#pragma once

#include <string>

#include "bp/caching_allocator.h"
#include "bp/tensor.h"

namespace bp {

/// "cpu" → cpu; "cuda" → cuda where usable, else a ConfigError with the reason and "use --device cpu";
/// "auto" → cuda where usable, else cpu. Anything else: ConfigError naming the choices.
Device resolve_device(const std::string& choice);

/// Bytes the CUDA caching allocator hands out and holds for reuse (all zero without CUDA).
DeviceMemoryStats cuda_memory_stats();
/// Gives every cached (unused) GPU block back to the driver. A no-op without CUDA.
void cuda_empty_cache();

/// Gives the CPU tensor buffers (256 KiB to 4 MiB) the CPU backend holds for reuse back to the heap
/// (cpu/cpu_backend.cpp; reset_peak_rss does, before it trims the heap).
void cpu_empty_cache();

/// Loads cuBLAS now (it is otherwise opened at the first GPU matrix product, not at start-up: it costs ~150 MB
/// of resident memory) and says whether that worked; false with the reason without CUDA or without the library.
bool cublas_loadable(std::string* why_not = nullptr);

}  // namespace bp
