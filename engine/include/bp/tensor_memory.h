// tensor_memory.h — how many bytes of tensor storage are alive now, and the most that were alive at once since
// the last reset, per device. Every Storage counts itself in and out (tensor.cpp), so the figures are the
// engine's own tensors — activations, saved tensors, gradients, parameters, optimizer state — and not the
// process's other memory (the dataset in a std::vector, the allocator's slack: peak_rss_bytes() sees those).
// Exact and deterministic for a given program, so a test may compare two runs' peaks.
//   reset_tensor_memory_peak();  train_one_step();  int64_t peak = tensor_memory().peak_bytes;
#pragma once

#include <cstdint>

#include "bp/tensor.h"

namespace bp {

struct TensorMemory {
    int64_t live_bytes = 0;  // bytes of storage alive now (as requested; allocator rounding not counted)
    int64_t peak_bytes = 0;  // the largest live_bytes since the last reset_tensor_memory_peak()
};

TensorMemory tensor_memory(Device device = Device::cpu);
/// Starts a new peak from what is alive now. Thread-safe, like the counting itself.
void reset_tensor_memory_peak(Device device = Device::cpu);

namespace detail {
void count_storage(Device device, int64_t bytes);  // + on allocation, − on release (Storage only)
}

}  // namespace bp
