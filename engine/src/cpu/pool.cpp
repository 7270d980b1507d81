// pool.cpp — max and average pooling over [N, C, H, W] on the CPU, one [H, W] plane at a time. Max pooling
// saves the argmax of each window (a flat index h·W + w inside the plane) so backward is a scatter.
// Not the op (ops/pool.cpp holds the shape checks and the autograd nodes).
#include <algorithm>
#include <limits>
#include <type_traits>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "cpu/cpu_kernels.h"
#include "cpu/parallel.h"

namespace bp::cpu {
namespace {

// Output columns ow whose input column iw = ow·sw − pw + j lies inside [0, W): [lo, hi).
inline void valid_range(int64_t j, int64_t W, int64_t OW, int64_t sw, int64_t pw, int64_t& lo, int64_t& hi) {
    const int64_t a = pw - j, b = W - 1 + pw - j;  // a ≤ ow·sw ≤ b
    lo = std::min(OW, a <= 0 ? int64_t(0) : (a + sw - 1) / sw);
    hi = std::max(lo, b < 0 ? int64_t(0) : std::min(OW, b / sw + 1));
}

// Max and argmax of the pairs (row[2i], row[2i + 1]), i < n: the first wins ties, a NaN propagates.
template <class T>
inline void pair_max(T* __restrict m, int32_t* __restrict idx, const T* __restrict row, int32_t base, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        const T a = row[2 * i], b = row[2 * i + 1];
        const bool take_b = (b > a) | (b != b);
        m[i] = take_b ? b : a;
        idx[i] = base + static_cast<int32_t>(2 * i) + static_cast<int32_t>(take_b);
    }
}

#if defined(__AVX512F__)
// The 2×2 / stride 2 case for float with AVX-512, 16 outputs per step: two loads cover 32 input columns
// of a row, a permute splits them into even and odd columns, and the same compare-and-select as pair_max
// (the first wins ties, a NaN propagates) runs on whole vectors, top row, bottom row, then the two.
void max_pool_2x2_avx512(float* op, int32_t* ip, const float* xp, int64_t planes, int64_t H, int64_t W, int64_t OH,
                         int64_t OW) {
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    auto pair = [&](const float* row, int32_t base, int64_t n, __m512& m, __m512i& idx) {
        const int64_t cols = 2 * n;  // input columns read: [0, 2n)
        const __m512 a0 = _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << std::min<int64_t>(16, cols)) - 1u), row);
        const __m512 a1 = _mm512_maskz_loadu_ps(
            static_cast<__mmask16>((1u << std::max<int64_t>(0, cols - 16)) - 1u), row + 16);
        const __m512 e = _mm512_permutex2var_ps(a0, even, a1), o = _mm512_permutex2var_ps(a0, odd, a1);
        const __mmask16 take = _mm512_cmp_ps_mask(o, e, _CMP_GT_OQ) | _mm512_cmp_ps_mask(o, o, _CMP_UNORD_Q);
        m = _mm512_mask_blend_ps(take, e, o);
        idx = _mm512_mask_add_epi32(_mm512_add_epi32(_mm512_set1_epi32(base), even), take,
                                    _mm512_add_epi32(_mm512_set1_epi32(base), even), _mm512_set1_epi32(1));
    };
    for (int64_t pl = 0; pl < planes; ++pl, xp += H * W)
        for (int64_t oh = 0; oh < OH; ++oh)
            for (int64_t c0 = 0; c0 < OW; c0 += 16, op += 16, ip += 16) {
                const int64_t n = std::min<int64_t>(16, OW - c0);
                const int32_t base = static_cast<int32_t>(2 * oh * W + 2 * c0);
                __m512 top, bot;
                __m512i itop, ibot;
                pair(xp + base, base, n, top, itop);
                pair(xp + base + W, base + static_cast<int32_t>(W), n, bot, ibot);
                const __mmask16 take = _mm512_cmp_ps_mask(bot, top, _CMP_GT_OQ) | _mm512_cmp_ps_mask(bot, bot, _CMP_UNORD_Q);
                const __mmask16 out = static_cast<__mmask16>((1u << n) - 1u);
                _mm512_mask_storeu_ps(op, out, _mm512_mask_blend_ps(take, top, bot));
                _mm512_mask_storeu_epi32(ip, out, _mm512_mask_blend_epi32(take, itop, ibot));
                if (n < 16) op -= 16 - n, ip -= 16 - n;
            }
}
#endif

// One output row at a time, the window's offsets (i, j) outermost and the output column innermost, so the
// compare-and-select runs over a contiguous row (vectorised) instead of one small window at a time. Offsets
// are visited in row-major order and only a strictly larger value replaces the best, so the first maximum
// wins; a NaN replaces the best and then stays (NaN propagates, as in torch).
template <class T>
void max_pool2d_forward_t(Tensor& out, Tensor& indices, const Tensor& x, const Window2d& k, int64_t p0, int64_t p1) {
    const int64_t planes = p1 - p0, H = x.size(2), W = x.size(3);
    const int64_t OH = out.size(2), OW = out.size(3), sw = k.stride_w;
    const T* xp = x.data<T>() + p0 * H * W;
    T* op = out.data<T>() + p0 * OH * OW;
    int32_t* ip = indices.data<int32_t>() + p0 * OH * OW;
    if (k.kernel_h == 2 && k.kernel_w == 2 && k.stride_h == 2 && k.stride_w == 2 && k.pad_h == 0 && k.pad_w == 0) {
#if defined(__AVX512F__)
        if constexpr (std::is_same_v<T, float>) return max_pool_2x2_avx512(op, ip, xp, planes, H, W, OH, OW);
#endif
        // The common 2×2 / stride 2 case, branch-free (on real data every compare would mispredict half the
        // time): the max of each column pair in the top and the bottom row, then the max of the two.
        constexpr int64_t kChunk = 64;
        T top[kChunk], bot[kChunk];
        int32_t itop[kChunk], ibot[kChunk];
        for (int64_t pl = 0; pl < planes; ++pl, xp += H * W)
            for (int64_t oh = 0; oh < OH; ++oh)
                for (int64_t c0 = 0; c0 < OW; c0 += kChunk) {
                    const int64_t n = std::min(kChunk, OW - c0);
                    const int32_t base = static_cast<int32_t>(2 * oh * W + 2 * c0);
                    pair_max(top, itop, xp + base, base, n);
                    pair_max(bot, ibot, xp + base + W, base + static_cast<int32_t>(W), n);
                    for (int64_t i = 0; i < n; ++i) {
                        const bool take = (bot[i] > top[i]) | (bot[i] != bot[i]);
                        op[i] = take ? bot[i] : top[i];
                        ip[i] = take ? ibot[i] : itop[i];
                    }
                    op += n, ip += n;
                }
        return;
    }
    for (int64_t pl = 0; pl < planes; ++pl, xp += H * W)
        for (int64_t oh = 0; oh < OH; ++oh, op += OW, ip += OW) {
            const int64_t h0 = oh * k.stride_h - k.pad_h;
            const int64_t hb = std::max<int64_t>(h0, 0), he = std::min(h0 + k.kernel_h, H);
            std::fill_n(op, OW, -std::numeric_limits<T>::infinity());
            std::fill_n(ip, OW, int32_t(-1));
            for (int64_t h = hb; h < he; ++h)
                for (int64_t j = 0; j < k.kernel_w; ++j) {
                    int64_t lo, hi;
                    valid_range(j, W, OW, sw, k.pad_w, lo, hi);
                    const T* src = xp + h * W - k.pad_w + j;  // src[ow·sw] = x[h, ow·sw − pw + j]
                    const int32_t base = static_cast<int32_t>(h * W - k.pad_w + j);
                    for (int64_t ow = lo; ow < hi; ++ow) {
                        const T v = src[ow * sw];
                        const bool take = (v > op[ow]) | (v != v);
                        op[ow] = take ? v : op[ow];
                        ip[ow] = take ? base + static_cast<int32_t>(ow * sw) : ip[ow];
                    }
                }
            for (int64_t ow = 0; ow < OW; ++ow)  // a window of −∞ only (or NaN-free ties at −∞): its first element
                if (ip[ow] < 0) {
                    const int64_t w0 = std::max<int64_t>(ow * sw - k.pad_w, 0);
                    ip[ow] = static_cast<int32_t>(hb * W + w0);
                    op[ow] = xp[ip[ow]];
                }
        }
}

// grad_x[plane, argmax] += grad_out: each output received exactly one input of its window.
template <class T>
void max_pool2d_backward_t(Tensor& grad_x, const Tensor& grad_out, const Tensor& indices, int64_t p0, int64_t p1) {
    const int64_t HW = grad_x.size(2) * grad_x.size(3);
    const int64_t OHW = grad_out.size(2) * grad_out.size(3);
    T* gx = grad_x.data<T>() + p0 * HW;
    const T* g = grad_out.data<T>() + p0 * OHW;
    const int32_t* ip = indices.data<int32_t>() + p0 * OHW;
    std::fill_n(gx, (p1 - p0) * HW, T(0));
    for (int64_t pl = p0; pl < p1; ++pl, gx += HW)
        for (int64_t o = 0; o < OHW; ++o) gx[*ip++] += *g++;
}

// out = Σ window / (kh·kw): padding counts as zeros (count_include_pad, torch's default).
template <class T>
void avg_pool2d_forward_t(Tensor& out, const Tensor& x, const Window2d& k, int64_t p0, int64_t p1) {
    const int64_t H = x.size(2), W = x.size(3);
    const int64_t OH = out.size(2), OW = out.size(3);
    const T inv = T(1) / static_cast<T>(k.kernel_h * k.kernel_w);
    const T* xp = x.data<T>() + p0 * H * W;
    T* op = out.data<T>() + p0 * OH * OW;
    for (int64_t pl = p0; pl < p1; ++pl, xp += H * W)
        for (int64_t oh = 0; oh < OH; ++oh) {
            const int64_t h0 = oh * k.stride_h - k.pad_h;
            const int64_t hb = std::max<int64_t>(h0, 0), he = std::min(h0 + k.kernel_h, H);
            for (int64_t ow = 0; ow < OW; ++ow) {
                const int64_t w0 = ow * k.stride_w - k.pad_w;
                const int64_t wb = std::max<int64_t>(w0, 0), we = std::min(w0 + k.kernel_w, W);
                T acc = 0;
                for (int64_t h = hb; h < he; ++h)
                    for (int64_t w = wb; w < we; ++w) acc += xp[h * W + w];
                *op++ = acc * inv;
            }
        }
}

// grad_x[h, w] = Σ over the windows that contain (h, w) of grad_out / (kh·kw).
template <class T>
void avg_pool2d_backward_t(Tensor& grad_x, const Tensor& grad_out, const Window2d& k, int64_t p0, int64_t p1) {
    const int64_t H = grad_x.size(2), W = grad_x.size(3);
    const int64_t OH = grad_out.size(2), OW = grad_out.size(3);
    const T inv = T(1) / static_cast<T>(k.kernel_h * k.kernel_w);
    T* gx = grad_x.data<T>() + p0 * H * W;
    const T* g = grad_out.data<T>() + p0 * OH * OW;
    std::fill_n(gx, (p1 - p0) * H * W, T(0));
    for (int64_t pl = p0; pl < p1; ++pl, gx += H * W)
        for (int64_t oh = 0; oh < OH; ++oh) {
            const int64_t h0 = oh * k.stride_h - k.pad_h;
            const int64_t hb = std::max<int64_t>(h0, 0), he = std::min(h0 + k.kernel_h, H);
            for (int64_t ow = 0; ow < OW; ++ow) {
                const int64_t w0 = ow * k.stride_w - k.pad_w;
                const int64_t wb = std::max<int64_t>(w0, 0), we = std::min(w0 + k.kernel_w, W);
                const T share = *g++ * inv;
                for (int64_t h = hb; h < he; ++h)
                    for (int64_t w = wb; w < we; ++w) gx[h * W + w] += share;
            }
        }
}

// Planes [0, planes) in parallel chunks of at least 64 Ki elements: f(p0, p1).
template <class F>
void over_planes(const Tensor& t, F f) {
    const int64_t planes = t.size(0) * t.size(1);
    const int64_t plane = std::max<int64_t>(1, t.size(2) * t.size(3));
    parallel_for(planes, grain_for(planes, std::max<int64_t>(1, 65536 / plane)), f);  // ≥ 64 Ki elements a chunk
}

}  // namespace

void max_pool2d_forward(Tensor& out, Tensor& indices, const Tensor& x, const Window2d& win) {
    dispatch_dtype(x.dtype(), [&](auto tag) {
        over_planes(x, [&](int64_t p0, int64_t p1) { max_pool2d_forward_t<decltype(tag)>(out, indices, x, win, p0, p1); });
    });
}
void max_pool2d_backward(Tensor& grad_x, const Tensor& grad_out, const Tensor& indices) {
    dispatch_dtype(grad_x.dtype(), [&](auto tag) {
        over_planes(grad_x, [&](int64_t p0, int64_t p1) { max_pool2d_backward_t<decltype(tag)>(grad_x, grad_out, indices, p0, p1); });
    });
}
void avg_pool2d_forward(Tensor& out, const Tensor& x, const Window2d& win) {
    dispatch_dtype(x.dtype(), [&](auto tag) {
        over_planes(x, [&](int64_t p0, int64_t p1) { avg_pool2d_forward_t<decltype(tag)>(out, x, win, p0, p1); });
    });
}
void avg_pool2d_backward(Tensor& grad_x, const Tensor& grad_out, const Window2d& win) {
    dispatch_dtype(grad_x.dtype(), [&](auto tag) {
        over_planes(grad_x, [&](int64_t p0, int64_t p1) { avg_pool2d_backward_t<decltype(tag)>(grad_x, grad_out, win, p0, p1); });
    });
}

}  // namespace bp::cpu
