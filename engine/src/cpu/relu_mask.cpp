// relu_mask.cpp — relu and leaky relu on the CPU with a one-bit record of where x > 0, kept for backward instead
// of reading x again: bit i % 32 of word i / 32 of `bits` (an i32 tensor of ceil(n / 32) words). Backward then
// reads 1/32 of the bytes that x has: grad_x = g where the bit is set, else slope · g, and when the upstream
// gradient is one value everywhere (the gradient of a full sum or mean, deferred_fill.h) it reads no gradient
// either and only writes grad_x. Same values as the plain kernels in cpu_backend.cpp (NaN counts as "not > 0").
#include <algorithm>
#include <type_traits>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "cpu/cpu_kernels.h"
#include "cpu/parallel.h"

namespace bp::cpu {
namespace {

constexpr int64_t kWordBits = 32;

// Runs f(i0, i1) over the elements of chunks of whole 32-element words, in parallel.
template <class F>
void over_words(int64_t n, F&& f) {
    const int64_t words = (n + kWordBits - 1) / kWordBits;
    parallel_for(words, grain_for(words, int64_t{1} << 11), [&](int64_t w0, int64_t w1) {
        f(w0 * kWordBits, std::min(n, w1 * kWordBits));
    });
}

template <class T>
void forward_scalar(T* y, uint32_t* bits, const T* x, int64_t i0, int64_t i1, T slope) {
    for (int64_t i = i0; i < i1; i += kWordBits) {
        uint32_t word = 0;
        for (int64_t k = 0; k < kWordBits && i + k < i1; ++k) {
            const bool pos = x[i + k] > T(0);
            y[i + k] = pos ? x[i + k] : slope == T(0) ? T(0) : slope * x[i + k];  // relu: NaN → 0, as the plain kernel
            word |= static_cast<uint32_t>(pos) << k;
        }
        bits[i / kWordBits] = word;
    }
}

// g == nullptr: the upstream gradient is g1 everywhere.
template <class T>
void backward_scalar(T* gx, const uint32_t* bits, const T* g, T g1, int64_t i0, int64_t i1, T slope) {
    for (int64_t i = i0; i < i1; ++i) {
        const bool pos = (bits[i / kWordBits] >> (i % kWordBits)) & 1u;
        const T gi = g ? g[i] : g1;
        gx[i] = pos ? gi : slope == T(0) ? T(0) : slope * gi;
    }
}

#if defined(__AVX512F__)
void forward_f32(float* y, uint32_t* bits, const float* x, int64_t i0, int64_t i1, float slope) {
    const __m512 zero = _mm512_setzero_ps(), s = _mm512_set1_ps(slope);
    int64_t i = i0;
    for (; i + kWordBits <= i1; i += kWordBits) {
        const __m512 a = _mm512_loadu_ps(x + i), b = _mm512_loadu_ps(x + i + 16);
        const __mmask16 ma = _mm512_cmp_ps_mask(a, zero, _CMP_GT_OQ), mb = _mm512_cmp_ps_mask(b, zero, _CMP_GT_OQ);
        if (slope == 0.f) {
            _mm512_storeu_ps(y + i, _mm512_maskz_mov_ps(ma, a));
            _mm512_storeu_ps(y + i + 16, _mm512_maskz_mov_ps(mb, b));
        } else {
            _mm512_storeu_ps(y + i, _mm512_mask_mov_ps(_mm512_mul_ps(a, s), ma, a));
            _mm512_storeu_ps(y + i + 16, _mm512_mask_mov_ps(_mm512_mul_ps(b, s), mb, b));
        }
        bits[i / kWordBits] = static_cast<uint32_t>(ma) | (static_cast<uint32_t>(mb) << 16);
    }
    if (i < i1) forward_scalar(y, bits, x, i, i1, slope);
}

void backward_f32(float* gx, const uint32_t* bits, const float* g, float g1, int64_t i0, int64_t i1, float slope) {
    const __m512 s = _mm512_set1_ps(slope), u = _mm512_set1_ps(g1), su = _mm512_set1_ps(slope * g1);
    int64_t i = i0;
    for (; i + kWordBits <= i1; i += kWordBits) {
        const uint32_t word = bits[i / kWordBits];
        const __mmask16 ma = static_cast<__mmask16>(word), mb = static_cast<__mmask16>(word >> 16);
        __m512 a, b;
        if (g == nullptr) {
            a = _mm512_mask_mov_ps(su, ma, u), b = _mm512_mask_mov_ps(su, mb, u);
        } else if (slope == 0.f) {
            a = _mm512_maskz_loadu_ps(ma, g + i), b = _mm512_maskz_loadu_ps(mb, g + i + 16);
        } else {
            const __m512 ga = _mm512_loadu_ps(g + i), gb = _mm512_loadu_ps(g + i + 16);
            a = _mm512_mask_mov_ps(_mm512_mul_ps(ga, s), ma, ga), b = _mm512_mask_mov_ps(_mm512_mul_ps(gb, s), mb, gb);
        }
        _mm512_storeu_ps(gx + i, a);
        _mm512_storeu_ps(gx + i + 16, b);
    }
    if (i < i1) backward_scalar(gx, bits, g, g1, i, i1, slope);
}
#endif

}  // namespace

int64_t relu_mask_words(int64_t n) { return (n + kWordBits - 1) / kWordBits; }

void relu_forward_mask(Tensor& y, Tensor& bits, const Tensor& x, double slope) {
    uint32_t* b = reinterpret_cast<uint32_t*>(bits.data<int32_t>());
    dispatch_dtype(x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const T* xp = x.data<T>();
        T* yp = y.data<T>();
        over_words(x.numel(), [&](int64_t i0, int64_t i1) {
#if defined(__AVX512F__)
            if constexpr (std::is_same_v<T, float>) return forward_f32(yp, b, xp, i0, i1, static_cast<float>(slope));
#endif
            forward_scalar(yp, b, xp, i0, i1, static_cast<T>(slope));
        });
    });
}

void relu_backward_mask(Tensor& grad_x, const Tensor& bits, const Tensor& grad_out, double uniform, double slope) {
    const uint32_t* b = reinterpret_cast<const uint32_t*>(bits.data<int32_t>());
    dispatch_dtype(grad_x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        // Read here, on the calling thread: a deferred fill is written once, not by two workers at once.
        const T* g = grad_out.defined() ? grad_out.data<T>() : nullptr;
        T* gx = grad_x.data<T>();
        over_words(grad_x.numel(), [&](int64_t i0, int64_t i1) {
#if defined(__AVX512F__)
            if constexpr (std::is_same_v<T, float>)
                return backward_f32(gx, b, g, static_cast<float>(uniform), i0, i1, static_cast<float>(slope));
#endif
            backward_scalar(gx, b, g, static_cast<T>(uniform), i0, i1, static_cast<T>(slope));
        });
    });
}

}  // namespace bp::cpu
