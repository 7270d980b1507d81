// tensor_memory.cpp — the live and peak counters of tensor_memory.h: two relaxed atomics per device, raised by
// a compare-and-swap loop (storages are made on the kernels' worker threads too).
#include "bp/tensor_memory.h"

#include <atomic>

namespace bp {

namespace {
struct Counter {
    std::atomic<int64_t> live{0}, peak{0};
};
Counter g_counters[2];  // indexed by Device (cpu, cuda)

Counter& counter(Device d) { return g_counters[d == Device::cuda ? 1 : 0]; }
}  // namespace

TensorMemory tensor_memory(Device device) {
    const Counter& c = counter(device);
    return {c.live.load(std::memory_order_relaxed), c.peak.load(std::memory_order_relaxed)};
}

void reset_tensor_memory_peak(Device device) {
    Counter& c = counter(device);
    c.peak.store(c.live.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

namespace detail {
void count_storage(Device device, int64_t bytes) {
    Counter& c = counter(device);
    const int64_t now = c.live.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    if (bytes <= 0) return;
    int64_t peak = c.peak.load(std::memory_order_relaxed);
    while (now > peak && !c.peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
}
}  // namespace detail

}  // namespace bp
