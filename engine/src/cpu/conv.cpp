// conv.cpp — 2-D convolution on the CPU as im2col + one GEMM per group of images (our sgemm for float, Eigen
// for double), and its backward (col2im for grad_x); small float layers at stride 1 take a direct AVX-512
// kernel instead (conv_direct.cpp), and 3×3 stride-1 float layers with at least 8 channels take Winograd
// (winograd.cpp: F(4×4, 3×3) or F(2×2, 3×3), whichever needs fewer products). Not the op (that is
// ops/conv.cpp, with the shape checks and the autograd node).
//
// Layout: x [N, C, H, W], w [O, C, kh, kw] seen as a matrix [O, K] with K = C·kh·kw, out [N, O, OH, OW].
// im2col unrolls the windows of G images into a matrix col [K, G·P] (P = OH·OW; column i·P + p is output
// pixel p of image i), so the whole group is one GEMM  out_tmp [O, G·P] = w [O, K] @ col [K, G·P].
// G is chosen so that col holds ~1000 columns (a GEMM of that width runs near Eigen's peak) but never more
// than a few MiB, so memory stays flat however large the batch is. When the op asks for it (training, and
// the unrolled batch fits its budget), forward keeps every group's col in saved_cols and backward reuses it
// for grad_w instead of unrolling x a second time.
#include <Eigen/Core>
#include <algorithm>
#include <optional>
#include <type_traits>
#include <vector>

#include "cpu/conv_direct.h"
#include "cpu/conv_unroll.h"
#include "cpu/cpu_kernels.h"
#include "cpu/parallel.h"
#include "cpu/sgemm.h"
#include "cpu/winograd.h"

namespace bp::cpu {
namespace {

using namespace conv;

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using MatMap = Eigen::Map<Mat<T>>;
template <class T>
using ConstMatMap = Eigen::Map<const Mat<T>>;

// C [M, N] = op(A) [M, K] · op(B) [K, N] (+ C when accumulate), all row-major with the given leading dimensions
// (sgemm.h's convention). Float products go through our AVX-512 sgemm where it is preferred (measured 1.5-2.5×
// Eigen's speed on these layers' shapes); double and the rest through Eigen.
template <class T>
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B, int64_t ldb,
          bool accumulate, T* C, int64_t ldc) {
    if constexpr (std::is_same_v<T, float>)
        if (sgemm_preferred(M, N, K)) return sgemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, accumulate ? 1.0f : 0.0f, C, ldc);
    using Stride = Eigen::OuterStride<>;
    Eigen::Map<Mat<T>, 0, Stride> Cm(C, M, N, Stride(ldc));
    auto run = [&](const auto& a) {
        auto product = [&](const auto& b) {
            if (accumulate) Cm.noalias() += a * b;
            else Cm.noalias() = a * b;
        };
        if (tb) product(Eigen::Map<const Mat<T>, 0, Stride>(B, N, K, Stride(ldb)).transpose());
        else product(Eigen::Map<const Mat<T>, 0, Stride>(B, K, N, Stride(ldb)));
    };
    if (ta) run(Eigen::Map<const Mat<T>, 0, Stride>(A, K, M, Stride(lda)).transpose());
    else run(Eigen::Map<const Mat<T>, 0, Stride>(A, M, K, Stride(lda)));
}

// Images per GEMM: about 1024 output pixels, col at most 4 MiB. With several threads, the largest size down
// to half of that which cuts the batch into equal groups, a whole number for each thread: groups are what the
// threads share, and ResNet-mini's 7×7 layer in groups of 20 (20, 20, 20, 4) gave one thread 40 of 64 images
// and the other 24; its 14×14 layer's 13 groups of 5 (the last of 4) are now 16 of 4.
int64_t group_size(const Geometry& g, size_t elem) {
    const int64_t by_width = std::max<int64_t>(1, 1024 / std::max<int64_t>(g.P, 1));
    const int64_t by_memory = std::max<int64_t>(1, (int64_t(4) << 20) / (g.K * g.P * static_cast<int64_t>(elem)));
    const int64_t most = std::max<int64_t>(1, std::min({g.N, by_width, by_memory}));
    if (const int64_t threads = pool_threads(); threads > 1)
        for (int64_t G = most; 2 * G >= most; --G)
            if (g.N % G == 0 && (g.N / G) % threads == 0) return G;
    return most;
}

// Groups of G images per parallel chunk: image_grain's minimum work counted in groups, in chunks that share
// the groups evenly between the threads (grain_for).
int64_t group_grain(const Geometry& g, int64_t G, int chunks_per_thread) {
    return grain_for((g.N + G - 1) / G, (min_chunk_images(g) + G - 1) / G, chunks_per_thread);
}

// A 1×1 kernel with stride 1 and no padding needs no unrolling: image n is already col [C, P].
bool is_pointwise(const Window2d& k) {
    return k.kernel_h == 1 && k.kernel_w == 1 && k.stride_h == 1 && k.stride_w == 1 && k.pad_h == 0 && k.pad_w == 0;
}

template <class T>
void conv2d_forward_t(Tensor& out, Tensor& saved_cols, const Tensor& x, const Tensor& w, const Tensor& b,
                      const Window2d& k) {
    const Geometry g = geometry(x, w, k);
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<T, float>)
        if (use_direct(g, k)) return direct_forward(out, x, w, b, g, k);
#endif
    if constexpr (std::is_same_v<T, float>)
        if (winograd_applies(x, w, k)) return winograd_forward(out, saved_cols, x, w, b, k);
    const T* xp = x.data<T>();
    const T* bp = b.defined() ? b.data<T>() : nullptr;
    const T* wp = w.data<T>();  // [O, K]
    T* op = out.data<T>();
    const bool pointwise = is_pointwise(k);
    const int64_t G = pointwise ? 1 : group_size(g, sizeof(T));
    const bool save = saved_cols.defined() && !pointwise;
    // Rows of ≥ 128 pixels: one product per image, written in place. Shorter ones: one product per group into
    // tmp [O, G·P], then copied to [G, O, P] (measured 15% faster at P = 49 than products 49 columns wide).
    const bool per_image = g.P >= 128;
    // Groups run in parallel (cpu/parallel.h), each chunk of groups with its own buffers.
    parallel_for((g.N + G - 1) / G, group_grain(g, G, 4), [&](int64_t q0, int64_t q1) {
    Mat<T> col(pointwise || save ? 0 : g.K, G * g.P);  // [K, G·P], reused group after group unless saved
    Mat<T> tmp(per_image || G == 1 ? 0 : g.O, G * g.P);  // [O, G·P]
    for (int64_t n0 = q0 * G; n0 < std::min(g.N, q1 * G); n0 += G) {
        const int64_t gn = std::min(G, g.N - n0), cols = gn * g.P;
        T* on = op + n0 * g.O * g.P;  // out[n0]: [gn, O, P]
        if (pointwise) {
            gemm<T>(false, false, g.O, g.P, g.C, wp, g.K, xp + n0 * g.C * g.P, g.P, false, on, g.P);
        } else {
            T* cp = save ? saved_cols.data<T>() + n0 * g.K * g.P : col.data();  // saved: group n0's [K, gn·P]
            for (int64_t i = 0; i < gn; ++i) im2col(cp + i * g.P, cols, xp + (n0 + i) * g.C * g.H * g.W, g, k);
            // out[n0 + i] [O, P] = w [O, K] · col[:, i·P : (i+1)·P], straight into out's layout [gn, O, P]
            if (per_image || gn == 1) {  // out[n0 + i] [O, P] = w [O, K] · col[:, i·P : (i+1)·P], in place
                for (int64_t i = 0; i < gn; ++i)
                    gemm<T>(false, false, g.O, g.P, g.K, wp, g.K, cp + i * g.P, cols, false, on + i * g.O * g.P, g.P);
            } else {
                gemm<T>(false, false, g.O, cols, g.K, wp, g.K, cp, cols, false, tmp.data(), G * g.P);
                for (int64_t i = 0; i < gn; ++i)  // [O, gn·P] -> [gn, O, P]
                    MatMap<T>(on + i * g.O * g.P, g.O, g.P) = tmp.middleCols(i * g.P, g.P);
            }
        }
        if (bp)
            for (int64_t i = 0; i < gn; ++i)
                for (int64_t o = 0; o < g.O; ++o) {
                    T* row = on + (i * g.O + o) * g.P;
                    for (int64_t p = 0; p < g.P; ++p) row[p] += bp[o];
                }
    }
    });
}

// backward, with g = grad_out viewed per group as G [O, gn·P] and col = im2col(x) [K, gn·P]:
//   1. grad_b[o]  = Σ_n Σ_p grad_out[n, o, p]
//   2. grad_w     = Σ_groups G @ colᵀ                [O, K]  (out = w @ col, so d/dw is G colᵀ)
//   3. grad_col   = wᵀ @ G                           [K, gn·P]
//   4. grad_x     = col2im(grad_col)                 (each col entry was a copy of one x entry, or padding)
template <class T>
void conv2d_backward_t(Tensor& grad_x, Tensor& grad_w, Tensor& grad_b, const Tensor& grad_out, const Tensor& x,
                       const Tensor& w, const Tensor& saved_cols, const Window2d& k) {
    const Geometry g = geometry(x, w, k);
    const T* xp = x.data<T>();
    const T* gp = grad_out.data<T>();
    if (grad_b.defined()) {  // term 1
        T* gb = grad_b.data<T>();
        std::fill_n(gb, g.O, T(0));
        Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, 1>> GB(gb, g.O);
        for (int64_t n = 0; n < g.N; ++n) GB += ConstMatMap<T>(gp + n * g.O * g.P, g.O, g.P).rowwise().sum();  // vectorised
    }
    const bool need_w = grad_w.defined(), need_x = grad_x.defined();
    if (!need_w && !need_x) return;
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<T, float>)
        if (use_direct(g, k)) return direct_backward(grad_x, grad_w, grad_out, x, w, g, k);
#endif
    if constexpr (std::is_same_v<T, float>)
        if (winograd_applies(x, w, k)) return winograd_backward(grad_x, grad_w, grad_out, x, w, saved_cols, k);
    std::optional<MatMap<T>> GW;
    if (need_w) {
        GW.emplace(grad_w.data<T>(), g.O, g.K);
        GW->setZero();
    }
    T* gxp = need_x ? grad_x.data<T>() : nullptr;
    // Work runs in parallel over chunks of images (pointwise) or of groups; each chunk sums its own grad_w
    // partial, and the partials are added in chunk order, so a run gives the same result every time.
    const bool pointwise = is_pointwise(k);
    const int64_t G = pointwise ? 1 : group_size(g, sizeof(T));
    // Up to three chunks per thread: with two, the 13 groups of ResNet-mini's 16->32 layer made chunks of 4,
    // 4, 4, 1 groups, and one thread ran 8 of them while the other ran 5.
    const int64_t groups = (g.N + G - 1) / G, grain = group_grain(g, G, 3);
    std::vector<Mat<T>> parts(static_cast<size_t>((groups + grain - 1) / grain));
    parallel_for(groups, grain, [&](int64_t q0, int64_t q1) {
    Mat<T>& gw_part = parts[static_cast<size_t>(q0 / grain)];
    if (need_w) gw_part.setZero(g.O, g.K);
    const T* wp = w.data<T>();
    if (pointwise) {  // col is x itself; col2im is the identity
        for (int64_t n = q0; n < q1; ++n) {
            const T* Gn = gp + n * g.O * g.P;  // [O, P]
            if (need_w) gemm<T>(false, true, g.O, g.C, g.P, Gn, g.P, xp + n * g.C * g.P, g.P, true, gw_part.data(), g.K);
            if (need_x) gemm<T>(true, false, g.C, g.P, g.O, wp, g.K, Gn, g.P, false, gxp + n * g.C * g.P, g.P);
        }
        return;
    }
    Mat<T> col(saved_cols.defined() && !need_x ? 0 : g.K, G * g.P), gbuf(G > 1 ? g.O : 0, G * g.P);
    for (int64_t n0 = q0 * G; n0 < std::min(g.N, q1 * G); n0 += G) {
        const int64_t gn = std::min(G, g.N - n0), cols = gn * g.P;
        const T* gn0 = gp + n0 * g.O * g.P;  // grad_out[n0]: [gn, O, P]
        const T* gmat = gn0;
        if (gn > 1) {  // [gn, O, P] -> [O, gn·P]
            MatMap<T> B(gbuf.data(), g.O, cols);
            for (int64_t i = 0; i < gn; ++i) B.middleCols(i * g.P, g.P) = ConstMatMap<T>(gn0 + i * g.O * g.P, g.O, g.P);
            gmat = gbuf.data();
        }
        if (need_w) {  // term 2: grad_w += G [O, gn·P] · colᵀ
            const T* cp = col.data();
            if (saved_cols.defined()) cp = saved_cols.data<T>() + n0 * g.K * g.P;
            else
                for (int64_t i = 0; i < gn; ++i) im2col(col.data() + i * g.P, cols, xp + (n0 + i) * g.C * g.H * g.W, g, k);
            gemm<T>(false, true, g.O, g.K, cols, gmat, cols, cp, cols, true, gw_part.data(), g.K);
        }
        if (need_x) {  // terms 3 and 4 (col's buffer is reused for grad_col = wᵀ · G)
            gemm<T>(true, false, g.K, cols, g.O, wp, g.K, gmat, cols, false, col.data(), cols);
            for (int64_t i = 0; i < gn; ++i) col2im(gxp + (n0 + i) * g.C * g.H * g.W, col.data() + i * g.P, cols, g, k);
        }
    }
    });
    if (need_w)
        for (const Mat<T>& part : parts) *GW += part;
}

}  // namespace

void conv2d_forward(Tensor& out, Tensor& saved_cols, const Tensor& x, const Tensor& w, const Tensor& b,
                    const Window2d& win) {
    dispatch_dtype(out.dtype(), [&](auto tag) { conv2d_forward_t<decltype(tag)>(out, saved_cols, x, w, b, win); });
}

int64_t conv2d_saved_size(const Tensor& x, const Tensor& w, const Window2d& win) {
    const Geometry g = geometry(x, w, win);
#if defined(__AVX512F__)
    if (x.dtype() == DType::f32 && use_direct(g, win)) return 0;
#endif
    if (winograd_applies(x, w, win)) return winograd_saved_size(x, w, win);
    // Float stride 2 with more than one tap: the vectorised im2col (conv_unroll.h) is cheaper than a round trip of
    // the saved columns (2.25× the input at 3×3) through memory (measured: ResNet-mini's 32 → 64 layer 3.1 → 2.9 ms
    // forward+backward, 16 → 32 no slower; ~11 MB less per step). A 1×1 kernel's columns are a quarter of the input
    // and stay saved (its shortcut layers were 10% slower without them).
    if (x.dtype() == DType::f32 && stride2_vectorised(win) && win.kernel_h * win.kernel_w > 1) return 0;
    return is_pointwise(win) ? 0 : g.N * g.K * g.P;
}

void conv2d_backward(Tensor& grad_x, Tensor& grad_w, Tensor& grad_b, const Tensor& grad_out, const Tensor& x,
                     const Tensor& w, const Tensor& saved_cols, const Window2d& win) {
    dispatch_dtype(grad_out.dtype(), [&](auto tag) {
        conv2d_backward_t<decltype(tag)>(grad_x, grad_w, grad_b, grad_out, x, w, saved_cols, win);
    });
}

}  // namespace bp::cpu
