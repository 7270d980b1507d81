// conv.cpp — 2-D convolution on the CPU as im2col + one Eigen GEMM per group of images, and its backward
// (col2im for grad_x). Not the op (that is ops/conv.cpp, with the shape checks and the autograd node).
//
// Layout: x [N, C, H, W], w [O, C, kh, kw] seen as a matrix [O, K] with K = C·kh·kw, out [N, O, OH, OW].
// im2col unrolls the windows of G images into a matrix col [K, G·P] (P = OH·OW; column i·P + p is output
// pixel p of image i), so the whole group is one GEMM  out_tmp [O, G·P] = w [O, K] @ col [K, G·P].
// G is chosen so that col holds ~1000 columns (a GEMM of that width runs near Eigen's peak) but never more
// than a few MiB, so memory stays flat however large the batch is.
#include <Eigen/Core>
#include <algorithm>
#include <cstring>
#include <optional>

#include "cpu/cpu_kernels.h"

namespace bp::cpu {
namespace {

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using MatMap = Eigen::Map<Mat<T>>;
template <class T>
using ConstMatMap = Eigen::Map<const Mat<T>>;

struct Geometry {
    int64_t N, C, H, W, O, OH, OW, K, P;
};

Geometry geometry(const Tensor& x, const Tensor& w, const Window2d& win) {
    Geometry g{};
    g.N = x.size(0), g.C = x.size(1), g.H = x.size(2), g.W = x.size(3), g.O = w.size(0);
    g.OH = win.out_h(g.H), g.OW = win.out_w(g.W);
    g.K = g.C * win.kernel_h * win.kernel_w, g.P = g.OH * g.OW;
    return g;
}

// Images per GEMM: about 1024 output pixels, col at most 4 MiB.
int64_t group_size(const Geometry& g, size_t elem) {
    const int64_t by_width = std::max<int64_t>(1, 1024 / std::max<int64_t>(g.P, 1));
    const int64_t by_memory = std::max<int64_t>(1, (int64_t(4) << 20) / (g.K * g.P * static_cast<int64_t>(elem)));
    return std::max<int64_t>(1, std::min({g.N, by_width, by_memory}));
}

// A 1×1 kernel with stride 1 and no padding needs no unrolling: image n is already col [C, P].
bool is_pointwise(const Window2d& k) {
    return k.kernel_h == 1 && k.kernel_w == 1 && k.stride_h == 1 && k.stride_w == 1 && k.pad_h == 0 && k.pad_w == 0;
}

// Output columns ow whose input column iw = ow·sw − pw + j lies inside [0, W): [lo, hi).
inline void valid_range(int64_t j, int64_t W, int64_t OW, int64_t sw, int64_t pw, int64_t& lo, int64_t& hi) {
    const int64_t a = pw - j;  // ow·sw ≥ a
    lo = a <= 0 ? 0 : (a + sw - 1) / sw;
    const int64_t b = W - 1 + pw - j;  // ow·sw ≤ b
    hi = b < 0 ? 0 : std::min(OW, b / sw + 1);
    lo = std::min(lo, OW);
    hi = std::max(hi, lo);
}

// col[r, p] = x[c, oh·sh − ph + i, ow·sw − pw + j] (0 in the padding), r = (c·kh + i)·kw + j, p = oh·OW + ow.
// One image x [C, H, W]; col's rows are ld apart.
template <class T>
void im2col(T* col, int64_t ld, const T* x, const Geometry& g, const Window2d& k) {
    for (int64_t c = 0; c < g.C; ++c)
        for (int64_t i = 0; i < k.kernel_h; ++i)
            for (int64_t j = 0; j < k.kernel_w; ++j) {
                T* row = col + ((c * k.kernel_h + i) * k.kernel_w + j) * ld;
                int64_t lo, hi;
                valid_range(j, g.W, g.OW, k.stride_w, k.pad_w, lo, hi);
                for (int64_t oh = 0; oh < g.OH; ++oh) {
                    T* dst = row + oh * g.OW;
                    const int64_t ih = oh * k.stride_h - k.pad_h + i;
                    if (ih < 0 || ih >= g.H) {
                        std::fill_n(dst, g.OW, T(0));
                        continue;
                    }
                    const T* src = x + (c * g.H + ih) * g.W - k.pad_w + j;  // src[ow·sw] is x[c, ih, iw]
                    std::fill_n(dst, lo, T(0));
                    if (k.stride_w == 1) std::memcpy(dst + lo, src + lo, static_cast<size_t>(hi - lo) * sizeof(T));
                    else
                        for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = src[ow * k.stride_w];
                    std::fill_n(dst + hi, g.OW - hi, T(0));
                }
            }
}

// The adjoint of im2col: x[c, ih, iw] += col[r, p] over every (r, p) that im2col read it into.
template <class T>
void col2im_add(T* x, const T* col, int64_t ld, const Geometry& g, const Window2d& k) {
    for (int64_t c = 0; c < g.C; ++c)
        for (int64_t i = 0; i < k.kernel_h; ++i)
            for (int64_t j = 0; j < k.kernel_w; ++j) {
                const T* row = col + ((c * k.kernel_h + i) * k.kernel_w + j) * ld;
                int64_t lo, hi;
                valid_range(j, g.W, g.OW, k.stride_w, k.pad_w, lo, hi);
                for (int64_t oh = 0; oh < g.OH; ++oh) {
                    const int64_t ih = oh * k.stride_h - k.pad_h + i;
                    if (ih < 0 || ih >= g.H) continue;
                    const T* src = row + oh * g.OW;
                    T* dst = x + (c * g.H + ih) * g.W - k.pad_w + j;
                    if (k.stride_w == 1)
                        for (int64_t ow = lo; ow < hi; ++ow) dst[ow] += src[ow];
                    else
                        for (int64_t ow = lo; ow < hi; ++ow) dst[ow * k.stride_w] += src[ow];
                }
            }
}

template <class T>
void conv2d_forward_t(Tensor& out, const Tensor& x, const Tensor& w, const Tensor& b, const Window2d& k) {
    const Geometry g = geometry(x, w, k);
    const T* xp = x.data<T>();
    const T* bp = b.defined() ? b.data<T>() : nullptr;
    T* op = out.data<T>();
    ConstMatMap<T> Wm(w.data<T>(), g.O, g.K);  // [O, K]
    const bool pointwise = is_pointwise(k);
    const int64_t G = pointwise ? 1 : group_size(g, sizeof(T));
    Mat<T> col(pointwise ? 0 : g.K, G * g.P);  // [K, G·P]
    Mat<T> tmp(G > 1 ? g.O : 0, G * g.P);      // [O, G·P]
    for (int64_t n0 = 0; n0 < g.N; n0 += G) {
        const int64_t gn = std::min(G, g.N - n0), cols = gn * g.P;
        T* on = op + n0 * g.O * g.P;  // out[n0]: [gn, O, P]
        if (pointwise) {
            MatMap<T>(on, g.O, g.P).noalias() = Wm * ConstMatMap<T>(xp + n0 * g.C * g.P, g.C, g.P);
        } else {
            for (int64_t i = 0; i < gn; ++i) im2col(col.data() + i * g.P, cols, xp + (n0 + i) * g.C * g.H * g.W, g, k);
            ConstMatMap<T> Col(col.data(), g.K, cols);
            if (gn == 1) {
                MatMap<T>(on, g.O, g.P).noalias() = Wm * Col;
            } else {
                MatMap<T> Tmp(tmp.data(), g.O, cols);
                Tmp.noalias() = Wm * Col;
                for (int64_t i = 0; i < gn; ++i)  // [O, gn·P] -> [gn, O, P]
                    MatMap<T>(on + i * g.O * g.P, g.O, g.P) = Tmp.middleCols(i * g.P, g.P);
            }
        }
        if (bp)
            for (int64_t i = 0; i < gn; ++i)
                for (int64_t o = 0; o < g.O; ++o) {
                    T* row = on + (i * g.O + o) * g.P;
                    for (int64_t p = 0; p < g.P; ++p) row[p] += bp[o];
                }
    }
}

// backward, with g = grad_out viewed per group as G [O, gn·P] and col = im2col(x) [K, gn·P]:
//   1. grad_b[o]  = Σ_n Σ_p grad_out[n, o, p]
//   2. grad_w     = Σ_groups G @ colᵀ                [O, K]  (out = w @ col, so d/dw is G colᵀ)
//   3. grad_col   = wᵀ @ G                           [K, gn·P]
//   4. grad_x     = col2im(grad_col)                 (each col entry was a copy of one x entry, or padding)
template <class T>
void conv2d_backward_t(Tensor& grad_x, Tensor& grad_w, Tensor& grad_b, const Tensor& grad_out, const Tensor& x,
                       const Tensor& w, const Window2d& k) {
    const Geometry g = geometry(x, w, k);
    const T* xp = x.data<T>();
    const T* gp = grad_out.data<T>();
    ConstMatMap<T> Wm(w.data<T>(), g.O, g.K);
    if (grad_b.defined()) {  // term 1
        T* gb = grad_b.data<T>();
        std::fill_n(gb, g.O, T(0));
        for (int64_t n = 0; n < g.N; ++n)
            for (int64_t o = 0; o < g.O; ++o) {
                const T* row = gp + (n * g.O + o) * g.P;
                T acc = 0;
                for (int64_t p = 0; p < g.P; ++p) acc += row[p];
                gb[o] += acc;
            }
    }
    const bool need_w = grad_w.defined(), need_x = grad_x.defined();
    if (!need_w && !need_x) return;
    std::optional<MatMap<T>> GW;
    if (need_w) {
        GW.emplace(grad_w.data<T>(), g.O, g.K);
        GW->setZero();
    }
    T* gxp = need_x ? grad_x.data<T>() : nullptr;
    if (is_pointwise(k)) {  // col is x itself; col2im is the identity
        for (int64_t n = 0; n < g.N; ++n) {
            ConstMatMap<T> Gn(gp + n * g.O * g.P, g.O, g.P);
            if (need_w) GW->noalias() += Gn * ConstMatMap<T>(xp + n * g.C * g.P, g.C, g.P).transpose();
            if (need_x) MatMap<T>(gxp + n * g.C * g.P, g.C, g.P).noalias() = Wm.transpose() * Gn;
        }
        return;
    }
    const int64_t G = group_size(g, sizeof(T));
    Mat<T> col(g.K, G * g.P), gbuf(G > 1 ? g.O : 0, G * g.P);
    if (need_x) std::fill_n(gxp, grad_x.numel(), T(0));
    for (int64_t n0 = 0; n0 < g.N; n0 += G) {
        const int64_t gn = std::min(G, g.N - n0), cols = gn * g.P;
        const T* gn0 = gp + n0 * g.O * g.P;  // grad_out[n0]: [gn, O, P]
        const T* gmat = gn0;
        if (gn > 1) {  // [gn, O, P] -> [O, gn·P]
            MatMap<T> B(gbuf.data(), g.O, cols);
            for (int64_t i = 0; i < gn; ++i) B.middleCols(i * g.P, g.P) = ConstMatMap<T>(gn0 + i * g.O * g.P, g.O, g.P);
            gmat = gbuf.data();
        }
        ConstMatMap<T> Gm(gmat, g.O, cols);
        MatMap<T> Col(col.data(), g.K, cols);
        if (need_w) {  // term 2
            for (int64_t i = 0; i < gn; ++i) im2col(col.data() + i * g.P, cols, xp + (n0 + i) * g.C * g.H * g.W, g, k);
            GW->noalias() += Gm * Col.transpose();
        }
        if (need_x) {  // terms 3 and 4 (col's buffer is reused for grad_col)
            Col.noalias() = Wm.transpose() * Gm;
            for (int64_t i = 0; i < gn; ++i) col2im_add(gxp + (n0 + i) * g.C * g.H * g.W, col.data() + i * g.P, cols, g, k);
        }
    }
}

}  // namespace

void conv2d_forward(Tensor& out, const Tensor& x, const Tensor& w, const Tensor& b, const Window2d& win) {
    dispatch_dtype(out.dtype(), [&](auto tag) { conv2d_forward_t<decltype(tag)>(out, x, w, b, win); });
}

void conv2d_backward(Tensor& grad_x, Tensor& grad_w, Tensor& grad_b, const Tensor& grad_out, const Tensor& x,
                     const Tensor& w, const Window2d& win) {
    dispatch_dtype(grad_out.dtype(),
                   [&](auto tag) { conv2d_backward_t<decltype(tag)>(grad_x, grad_w, grad_b, grad_out, x, w, win); });
}

}  // namespace bp::cpu
