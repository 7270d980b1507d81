// sgemm_bench.cpp — one thread: our sgemm (engine/src/cpu/sgemm.cpp) against Eigen 3.4's product on the shapes
// the engine runs (square products, the MLP's linear layers forward and both backward products, GPT-mini's
// projections), beside this core's FMA peak measured in the same run (16 independent AVX-512 FMA chains).
// Each figure is the best of several timed repetitions, in thread CPU time. Build and run (from the repository root):
//   g++ -O3 -march=native -std=c++20 -fno-math-errno -I engine/src -I /usr/include/eigen3 \
//       tools/sgemm_bench/sgemm_bench.cpp engine/src/cpu/sgemm.cpp -o /tmp/sgemm_bench && /tmp/sgemm_bench
#include <immintrin.h>

#include <Eigen/Core>
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "cpu/sgemm.h"

namespace {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Map = Eigen::Map<Mat>;
using CMap = Eigen::Map<const Mat>;

// Times are this thread's CPU time, not wall time: on a shared machine a 25 ms product is almost always
// preempted, and the time the thread spends switched out would be counted as the kernel's.
using Clock = double;
Clock now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
double seconds_since(Clock t0) { return now() - t0; }

// GFLOP/s of 16 chains of 512-bit FMAs, the best of 3 runs of ~50 ms.
double fma_peak() {
    double best = 0;
    for (int t = 0; t < 10; ++t) {  // the best of 10: a busy machine preempts some
        __m512 a[16];
        for (int k = 0; k < 16; ++k) a[k] = _mm512_set1_ps(1.0f + 1e-3f * static_cast<float>(k));
        const __m512 b = _mm512_set1_ps(0.9999999f), c = _mm512_set1_ps(1e-7f);
        const int64_t iters = 10'000'000 / 16;
        const Clock t0 = now();
        for (int64_t i = 0; i < iters; ++i)
#pragma GCC unroll 16
            for (int k = 0; k < 16; ++k) a[k] = _mm512_fmadd_ps(a[k], b, c);
        const double s = seconds_since(t0);
        volatile float sink = 0;
        for (int k = 0; k < 16; ++k) sink = sink + _mm512_reduce_add_ps(a[k]);
        best = std::max(best, static_cast<double>(iters) * 16 * 16 * 2 / s / 1e9);
    }
    return best;
}

template <class F>
double best_seconds(double flop, F&& f) {
    f();  // warm up (scratch buffers, caches)
    const int reps = std::clamp(static_cast<int>(4e9 / flop), 8, 400);
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
        const Clock t0 = now();
        f();
        best = std::min(best, seconds_since(t0));
    }
    return best;
}

struct Case {
    const char* what;
    bool ta, tb;
    int64_t M, N, K;
};

}  // namespace

int main(int argc, char** argv) {
    const char* only = argc > 1 ? argv[1] : nullptr;  // run only the cases whose name contains this
    Eigen::setNbThreads(1);
    const double peak = fma_peak();
    std::printf("FMA peak (1 core, measured now): %.1f GFLOP/s\n", peak);
    std::printf("%-34s %5s %5s %5s  %9s %9s  %7s %7s  %6s\n", "case (C = op(A) op(B))", "M", "N", "K", "ours ms",
                "Eigen ms", "ours GF", "Eig GF", "%peak");
    const Case cases[] = {
        {"square 1024^3 NN", false, false, 1024, 1024, 1024},
        {"square 1024^3 NT (dA = g B^T)", false, true, 1024, 1024, 1024},
        {"square 1024^3 TN (dB = A^T g)", true, false, 1024, 1024, 1024},
        {"square 1024^3 TT", true, true, 1024, 1024, 1024},
        {"square 256^3 NN", false, false, 256, 256, 256},
        {"square 256^3 NT", false, true, 256, 256, 256},
        {"square 256^3 TN", true, false, 256, 256, 256},
        {"linear 32x784->128 fwd x W^T", false, true, 32, 128, 784},
        {"linear 32x784->128 dX = g W", false, false, 32, 784, 128},
        {"linear 32x784->128 dW = g^T x", true, false, 128, 784, 32},
        {"linear 128x784->128 fwd", false, true, 128, 128, 784},
        {"linear 128x784->128 dX", false, false, 128, 784, 128},
        {"linear 128x784->128 dW", true, false, 128, 784, 128},
        {"linear 128x128->10 fwd", false, true, 128, 10, 128},
        {"linear 128x128->10 dX", false, false, 128, 128, 10},
        {"linear 128x128->10 dW", true, false, 10, 128, 128},
        {"GPT-mini 2048x128 x 128x384 fwd", false, true, 2048, 384, 128},
        {"GPT-mini 2048x128 x 128x384 dX", false, false, 2048, 128, 384},
        {"GPT-mini 2048x128 x 128x384 dW", true, false, 384, 128, 2048},
        {"GPT-mini MLP 2048x128->512 fwd", false, true, 2048, 512, 128},
        {"GPT-mini MLP 2048x512->128 fwd", false, true, 2048, 128, 512},
        {"GPT-mini MLP 2048x512->128 dW", true, false, 128, 512, 2048},
        {"GPT-mini head 2048x128->96 fwd", false, true, 2048, 96, 128},
        {"attention 64x32 x 32x64 (q k^T)", false, true, 64, 64, 32},
        {"small 8^3", false, false, 8, 8, 8},
        {"small 16^3", false, false, 16, 16, 16},
        {"narrow N=4 256x64 fwd", false, true, 256, 4, 64},
        {"narrow N=8 256x64 fwd", false, true, 256, 8, 64},
        {"shallow K=4 256x256", false, false, 256, 256, 4},
        {"shallow K=8 256x256", false, false, 256, 256, 8},
        {"shallow K=8 dX 256x8->256", false, false, 256, 256, 8},
        {"MLP 128x64->10 fwd", false, true, 128, 10, 64},
        {"MLP 128x64->10 dX", false, false, 128, 64, 10},
    };
    std::mt19937 rng(1);
    std::normal_distribution<float> nd;
    for (const Case& c : cases) {
        if (only && !std::strstr(c.what, only)) continue;
        const int64_t ar = c.ta ? c.K : c.M, ac = c.ta ? c.M : c.K, br = c.tb ? c.N : c.K, bc = c.tb ? c.K : c.N;
        std::vector<float> a(static_cast<size_t>(ar * ac)), b(static_cast<size_t>(br * bc)),
            c1(static_cast<size_t>(c.M * c.N)), c2(c1.size());
        for (float& v : a) v = nd(rng);
        for (float& v : b) v = nd(rng);
        const double flop = 2.0 * c.M * c.N * c.K;
        const double ours = best_seconds(flop, [&] {
            bp::cpu::sgemm(c.ta, c.tb, c.M, c.N, c.K, 1.0f, a.data(), ac, b.data(), bc, 0.0f, c1.data(), c.N);
        });
        CMap A(a.data(), ar, ac), B(b.data(), br, bc);
        Map C(c2.data(), c.M, c.N);
        const double eig = best_seconds(flop, [&] {
            if (!c.ta && !c.tb) C.noalias() = A * B;
            else if (!c.ta) C.noalias() = A * B.transpose();
            else if (!c.tb) C.noalias() = A.transpose() * B;
            else C.noalias() = A.transpose() * B.transpose();
        });
        double err = 0, scale = 0;
        for (size_t i = 0; i < c1.size(); ++i) {
            err = std::max(err, static_cast<double>(std::abs(c1[i] - c2[i])));
            scale = std::max(scale, static_cast<double>(std::abs(c2[i])));
        }
        std::printf("%-34s %5lld %5lld %5lld  %9.4f %9.4f  %7.1f %7.1f  %5.1f%%%s%s\n", c.what,
                    static_cast<long long>(c.M), static_cast<long long>(c.N), static_cast<long long>(c.K), ours * 1e3,
                    eig * 1e3, flop / ours / 1e9, flop / eig / 1e9, 100.0 * flop / ours / 1e9 / peak,
                    ours > eig ? "  (Eigen faster)" : "", err > 1e-4 * scale ? "  MISMATCH" : "");
        std::fflush(stdout);
    }
    std::printf("engine picks ours (sgemm_preferred) for: ");
    for (const Case& c : cases)
        if (bp::cpu::sgemm_preferred(c.M, c.N, c.K)) std::printf("[%s] ", c.what);
    std::printf("\n");
}
