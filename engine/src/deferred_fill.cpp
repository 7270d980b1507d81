// deferred_fill.cpp — the table of deferred fills (deferred_fill.h).
#include "deferred_fill.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>

#include "cpu/parallel.h"

namespace bp::detail {

namespace {
struct Pending {
    double value;
    DType dtype;
};
std::atomic<int> g_count{0};
std::mutex g_mu;
std::unordered_map<const Storage*, Pending>& table() {
    static std::unordered_map<const Storage*, Pending> t;
    return t;
}
}  // namespace

bool any_deferred_fill() { return g_count.load(std::memory_order_acquire) != 0; }

Tensor deferred_full(const Shape& shape, DType dtype, double value) {
    BP_CHECK(dtype == DType::f32 || dtype == DType::f64, "deferred_full: a float tensor");
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = std::make_shared<Storage>(static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype), Device::cpu,
                                              Storage::Unallocated{});
    impl->shape = shape;
    impl->dtype = dtype;
    std::lock_guard<std::mutex> lock(g_mu);
    if (table().emplace(impl->storage.get(), Pending{value, dtype}).second) g_count.fetch_add(1);
    return Tensor(std::move(impl));
}

bool deferred_fill_value(const Tensor& t, double* value) {
    if (!any_deferred_fill() || !t.defined()) return false;
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = table().find(t.impl()->storage.get());
    if (it == table().end()) return false;
    *value = it->second.value;
    return true;
}

void materialize_fill(Storage* s) {
    std::lock_guard<std::mutex> lock(g_mu);  // held while filling: a second reader waits for the values
    auto it = table().find(s);
    if (it == table().end()) return;
    const Pending p = it->second;
    s->allocate();
    // Large fills in parts over the pool (a parallel_for from inside a pool chunk runs on that thread alone).
    auto fill = [&](auto* d, auto v) {
        const int64_t n = static_cast<int64_t>(s->bytes / sizeof(*d));
        cpu::parallel_for(n, cpu::grain_for(n, int64_t{1} << 16, 2),
                          [&](int64_t b, int64_t e) { std::fill(d + b, d + e, v); });
    };
    if (p.dtype == DType::f32) fill(static_cast<float*>(s->data), static_cast<float>(p.value));
    else fill(static_cast<double*>(s->data), p.value);
    // Out of the table only now: a reader that finds no deferred fill (count 0, no lock) must find the memory.
    table().erase(it);
    g_count.fetch_sub(1, std::memory_order_release);
}

void forget_fill(const Storage* s) {
    std::lock_guard<std::mutex> lock(g_mu);
    if (table().erase(s)) g_count.fetch_sub(1);
}

}  // namespace bp::detail
