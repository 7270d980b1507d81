// conv_unroll.h — what the CPU convolution kernels share (conv.cpp: im2col + GEMM; conv_direct.cpp: the
// direct AVX-512 kernels): the layer's geometry, the parallel grain over images, and im2col / col2im, the
// unrolling of image windows into the columns of a matrix and its adjoint. Private to engine/src/cpu.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "bp/backend.h"
#include "cpu/parallel.h"

namespace bp::cpu::conv {

struct Geometry {
    int64_t N, C, H, W, O, OH, OW, K, P;
};

inline Geometry geometry(const Tensor& x, const Tensor& w, const Window2d& win) {
    Geometry g{};
    g.N = x.size(0), g.C = x.size(1), g.H = x.size(2), g.W = x.size(3), g.O = w.size(0);
    g.OH = win.out_h(g.H), g.OW = win.out_w(g.W);
    g.K = g.C * win.kernel_h * win.kernel_w, g.P = g.OH * g.OW;
    return g;
}

// Images per parallel chunk: at least ~4 MFLOP of forward work, so that a small layer (LeNet's) is not cut
// into chunks too short to be worth waking a thread for; more chunks than threads otherwise.
inline int64_t image_grain(const Geometry& g, int64_t images, int chunks_per_thread = 4) {
    const int64_t per_image = std::max<int64_t>(1, 2 * g.O * g.K * g.P);
    return grain_for(images, std::max<int64_t>(1, (int64_t(4) << 20) / per_image), chunks_per_thread);
}

// Output columns ow whose input column iw = ow·sw − pw + j lies inside [0, W): [lo, hi).
inline void valid_range(int64_t j, int64_t W, int64_t OW, int64_t sw, int64_t pw, int64_t& lo, int64_t& hi) {
    const int64_t a = pw - j, b = W - 1 + pw - j;  // a ≤ ow·sw ≤ b
    if (sw == 1) {  // no division on the common path
        lo = std::min(OW, std::max<int64_t>(a, 0));
        hi = std::max(lo, std::min(OW, b + 1));
        return;
    }
    lo = std::min(OW, a <= 0 ? int64_t(0) : (a + sw - 1) / sw);
    hi = std::max(lo, b < 0 ? int64_t(0) : std::min(OW, b / sw + 1));
}

#if defined(__AVX512F__)
// The bits [a, b) of a 16-lane mask.
inline __mmask16 lanes(int64_t a, int64_t b) {
    return static_cast<__mmask16>(((1u << b) - 1u) & ~((1u << a) - 1u));
}
#endif

// dst[ow] = lo ≤ ow < hi ? src[ow] : 0 for ow < OW: one row segment of im2col at stride 1. Segments are
// short (OW is 5..56 in typical nets), so with AVX-512 each 16 columns are one masked load and one masked
// store, the zeros of the padding included; masked-off lanes are never read.
template <class T>
inline void copy_segment(T* dst, const T* src, int64_t lo, int64_t hi, int64_t OW) {
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<T, float>) {
        for (int64_t c = 0; c < OW; c += 16) {
            const int64_t n = std::min<int64_t>(16, OW - c);
            const int64_t a = std::clamp<int64_t>(lo - c, 0, n), b = std::clamp<int64_t>(hi - c, a, n);
            _mm512_mask_storeu_ps(dst + c, lanes(0, n), _mm512_maskz_loadu_ps(lanes(a, b), src + c));
        }
        return;
    }
#endif
    for (int64_t ow = 0; ow < lo; ++ow) dst[ow] = T(0);
    for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = src[ow];
    for (int64_t ow = hi; ow < OW; ++ow) dst[ow] = T(0);
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
                        for (int64_t ow = 0; ow < g.OW; ++ow) dst[ow] = T(0);
                        continue;
                    }
                    const T* src = x + (c * g.H + ih) * g.W - k.pad_w + j;  // src[ow·sw] is x[c, ih, iw]
                    if (k.stride_w == 1) {
                        copy_segment(dst, src, lo, hi, g.OW);
                        continue;
                    }
                    for (int64_t ow = 0; ow < lo; ++ow) dst[ow] = T(0);
                    for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = src[ow * k.stride_w];
                    for (int64_t ow = hi; ow < g.OW; ++ow) dst[ow] = T(0);
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

// x = col2im(col) for one image: overwrites x [C, H, W]. At stride 1 with AVX-512 (float), each run of 16
// x columns is summed in registers over the kh·kw windows that read it and stored once: accumulating in
// memory instead makes every masked load wait for the masked store just before it to the same address.
// The lane masks of each tap column j depend only on the run, so they are made once per run; two
// accumulators (even and odd j) halve the chain of dependent adds.
#if defined(__AVX512F__)
template <int KW>
void col2im_rows_f32(float* x, const float* col, int64_t ld, const Geometry& g, const Window2d& k) {
    const int64_t kh = k.kernel_h, kw = KW > 0 ? KW : k.kernel_w, ph = k.pad_h, pw = k.pad_w;
    __mmask16 mask[16];
    for (int64_t w0 = 0; w0 < g.W; w0 += 16) {
        const int64_t n = std::min<int64_t>(16, g.W - w0);
        for (int64_t j = 0; j < kw; ++j) {  // lane l is x column w0 + l, read by output column w0 + l + pw − j
            const int64_t lo = std::clamp<int64_t>(j - pw - w0, 0, n);
            mask[j] = lanes(lo, std::clamp<int64_t>(g.OW + j - pw - w0, lo, n));
        }
        for (int64_t c = 0; c < g.C; ++c)
            for (int64_t ih = 0; ih < g.H; ++ih) {
                __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
                const int64_t i_lo = std::max<int64_t>(0, ih + ph - g.OH + 1), i_hi = std::min(kh, ih + ph + 1);
                for (int64_t i = i_lo; i < i_hi; ++i) {  // output row oh = ih + ph − i
                    const float* src = col + (c * kh + i) * kw * ld + (ih + ph - i) * g.OW + w0 + pw;
                    int64_t j = 0;
                    for (; j + 1 < kw; j += 2) {
                        acc0 = _mm512_add_ps(acc0, _mm512_maskz_loadu_ps(mask[j], src + j * ld - j));
                        acc1 = _mm512_add_ps(acc1, _mm512_maskz_loadu_ps(mask[j + 1], src + (j + 1) * ld - j - 1));
                    }
                    if (j < kw) acc0 = _mm512_add_ps(acc0, _mm512_maskz_loadu_ps(mask[j], src + j * ld - j));
                }
                _mm512_mask_storeu_ps(x + (c * g.H + ih) * g.W + w0, lanes(0, n), _mm512_add_ps(acc0, acc1));
            }
    }
}
#endif

template <class T>
void col2im(T* x, const T* col, int64_t ld, const Geometry& g, const Window2d& k) {
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<T, float>) {
        if (k.stride_h == 1 && k.stride_w == 1 && k.kernel_w <= 16) {
            if (k.kernel_w == 5) col2im_rows_f32<5>(x, col, ld, g, k);
            else if (k.kernel_w == 3) col2im_rows_f32<3>(x, col, ld, g, k);
            else col2im_rows_f32<0>(x, col, ld, g, k);
            return;
        }
    }
#endif
    std::fill_n(x, g.C * g.H * g.W, T(0));
    col2im_add(x, col, ld, g, k);
}

}  // namespace bp::cpu::conv
