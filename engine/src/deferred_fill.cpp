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

void defer_fill(const Tensor& t, double value) {
    BP_CHECK(t.device() == Device::cpu && (t.dtype() == DType::f32 || t.dtype() == DType::f64) && t.impl()->offset == 0,
             "defer_fill: a fresh CPU float tensor");
    std::lock_guard<std::mutex> lock(g_mu);
    if (table().emplace(t.impl()->storage.get(), Pending{value, t.dtype()}).second) g_count.fetch_add(1);
}

bool deferred_fill_value(const Tensor& t, double* value) {
    if (!any_deferred_fill() || !t.defined()) return false;
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = table().find(t.impl()->storage.get());
    if (it == table().end()) return false;
    *value = it->second.value;
    return true;
}

void materialize_fill(const Storage* s) {
    std::lock_guard<std::mutex> lock(g_mu);  // held while filling: a second reader waits for the values
    auto it = table().find(s);
    if (it == table().end()) return;
    const Pending p = it->second;
    table().erase(it);
    g_count.fetch_sub(1);
    // Large fills in parts over the pool (a parallel_for from inside a pool chunk runs on that thread alone).
    auto fill = [&](auto* d, auto v) {
        const int64_t n = static_cast<int64_t>(s->bytes / sizeof(*d));
        cpu::parallel_for(n, cpu::grain_for(n, int64_t{1} << 16, 2),
                          [&](int64_t b, int64_t e) { std::fill(d + b, d + e, v); });
    };
    if (p.dtype == DType::f32) fill(static_cast<float*>(s->data), static_cast<float>(p.value));
    else fill(static_cast<double*>(s->data), p.value);
}

void forget_fill(const Storage* s) {
    std::lock_guard<std::mutex> lock(g_mu);
    if (table().erase(s)) g_count.fetch_sub(1);
}

}  // namespace bp::detail
