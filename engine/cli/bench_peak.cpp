// bench_peak.cpp — this machine's FMA peak, measured now: the denominator of every "fraction of peak" the
// benchmarks print. Each thread runs 16 independent chains of fused multiply-adds on the widest vectors the
// CPU has (AVX-512, else AVX2 + FMA, else SSE multiply + add) for about 50 ms; the best of three tries. This is
// what the cores can do, not what a GEMM reaches: the ops suite prints our best GEMM beside it.
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "bp/backend.h"
#include "bench_suites.h"

namespace bp::cli {
namespace {

constexpr int kChains = 16;  // ≥ FMA latency × FMA ports on every x86 core so far (4 × 2)

// Each returns the floating-point operations done: iters × kChains × lanes × 2.
__attribute__((target("avx512f"))) double fma_avx512(int64_t iters, float seed) {
    __m512 a[kChains];
    for (int k = 0; k < kChains; ++k) a[k] = _mm512_set1_ps(seed + 1e-3f * static_cast<float>(k));
    const __m512 b = _mm512_set1_ps(0.9999999f), c = _mm512_set1_ps(1e-7f);
    for (int64_t i = 0; i < iters; ++i)
        for (int k = 0; k < kChains; ++k) a[k] = _mm512_fmadd_ps(a[k], b, c);
    volatile float sink = 0;  // the results are used, so the loop is not optimised away
    alignas(64) float lanes[16];
    for (int k = 0; k < kChains; ++k) {
        _mm512_store_ps(lanes, a[k]);
        sink = sink + lanes[0];
    }
    return static_cast<double>(iters) * kChains * 16 * 2;
}

__attribute__((target("avx2,fma"))) double fma_avx2(int64_t iters, float seed) {
    __m256 a[kChains];
    for (int k = 0; k < kChains; ++k) a[k] = _mm256_set1_ps(seed + 1e-3f * static_cast<float>(k));
    const __m256 b = _mm256_set1_ps(0.9999999f), c = _mm256_set1_ps(1e-7f);
    for (int64_t i = 0; i < iters; ++i)
        for (int k = 0; k < kChains; ++k) a[k] = _mm256_fmadd_ps(a[k], b, c);
    volatile float sink = 0;
    alignas(32) float lanes[8];
    for (int k = 0; k < kChains; ++k) {
        _mm256_store_ps(lanes, a[k]);
        sink = sink + lanes[0];
    }
    return static_cast<double>(iters) * kChains * 8 * 2;
}

double mul_add_sse(int64_t iters, float seed) {
    __m128 a[kChains];
    for (int k = 0; k < kChains; ++k) a[k] = _mm_set1_ps(seed + 1e-3f * static_cast<float>(k));
    const __m128 b = _mm_set1_ps(0.9999999f), c = _mm_set1_ps(1e-7f);
    for (int64_t i = 0; i < iters; ++i)
        for (int k = 0; k < kChains; ++k) a[k] = _mm_add_ps(_mm_mul_ps(a[k], b), c);
    volatile float sink = 0;
    for (int k = 0; k < kChains; ++k) sink = sink + _mm_cvtss_f32(a[k]);
    return static_cast<double>(iters) * kChains * 4 * 2;
}

double run_kernel(int64_t iters, float seed) {
    static const bool avx512 = __builtin_cpu_supports("avx512f");
    static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return avx512 ? fma_avx512(iters, seed) : avx2 ? fma_avx2(iters, seed) : mul_add_sse(iters, seed);
}

// All `threads` run the kernel at once; the rate of the whole (total operations over the slowest thread's time).
double one_try(int threads, int64_t iters) {
    std::vector<double> flops(static_cast<size_t>(threads));
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&flops, t, iters] { flops[static_cast<size_t>(t)] = run_kernel(iters, 1.0f + 0.1f * static_cast<float>(t)); });
    for (auto& th : pool) th.join();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double total = 0;
    for (double f : flops) total += f;
    return total / s / 1e9;
}

}  // namespace

double fma_peak_gflops() {
    static std::map<int, double> measured;
    const int threads = num_threads();
    if (measured.count(threads)) return measured[threads];
    // Calibrate on one short run so each try lasts about 50 ms whatever the machine.
    const double rate = one_try(1, 200000) * 1e9;  // operations per second, one thread
    const double per_iter = kChains * 16 * 2;      // an upper bound on the operations per iteration
    const int64_t iters = std::max<int64_t>(100000, static_cast<int64_t>(0.05 * rate / per_iter));
    double best = 0;
    for (int i = 0; i < 3; ++i) best = std::max(best, one_try(threads, iters));
    return measured[threads] = best;
}

}  // namespace bp::cli
