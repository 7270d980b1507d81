// conv_direct.cpp — direct convolution (float, stride 1, AVX-512) for layers with few weights (LeNet's, a
// CNN's stem, the speedrun's two layers): forward, grad_x and grad_w without im2col. conv.cpp dispatches here
// when use_direct() says so.
#include "cpu/conv_direct.h"

#if defined(__AVX512F__)
#include <immintrin.h>

#include <algorithm>
#include <type_traits>
#include <vector>

#include "cpu/conv_unroll.h"
#include "cpu/parallel.h"

// Every loop over a register block (accumulators, loaded vectors) is unrolled before GCC's -O3 loop passes
// see it: otherwise GCC 12 keeps the accumulator array in memory as well and stores all of it to the stack
// on every iteration of the loop around (measured: grad_w's inner loop ran at half speed).
#define BP_UNROLL _Pragma("GCC unroll 16")

namespace bp::cpu::conv {

// ---- Direct convolution vectorised along the output row ----
// There im2col + GEMM is a poor fit: the GEMM is thin (O and K small) and the unrolled matrix is K times the
// input, so writing and packing it costs about as much as the multiply. Here 16-column runs of an output
// row stay in registers (8 channels × one run, or 6 channels × two runs for rows of 17..32 columns) while
// the kh·kw·C taps stream past: a masked load of the input row serves every channel of the block, a weight
// broadcast every run. Lanes outside the input (padding) or the output are masked off.
// grad_x and grad_w are at direct_backward, further down.

bool use_direct(const Geometry& g, const Window2d& k) {
    return k.stride_h == 1 && k.stride_w == 1 && g.O * g.K <= 4096 && k.kernel_w <= 16 && k.pad_h < k.kernel_h &&
           k.pad_w < k.kernel_w;
}

namespace {

// Lanes [lo, hi) of the run starting at output column w0 whose input column w0 + l + j − pw lies in [0, W).
inline void tap_lanes(int64_t j, int64_t w0, int64_t n, int64_t W, int64_t pw, int64_t& lo, int64_t& hi) {
    lo = std::clamp<int64_t>(pw - j - w0, 0, n);
    hi = std::clamp<int64_t>(W + pw - j - w0, lo, n);
}

// out[o0 + q, oh, w0 + 16r : w0 + 16r + 16] for q < OB and r < R runs of 16 columns, one image.
// x: [C, H, W]  wT: [K, O] (w tap-major, so one tap's OB weights are one pointer's consecutive floats)
// out: [O, OH, OW]. tap_mask[16r + j]: the lanes of run r whose input column for tap j is inside the image;
// out_mask[r]: its lanes inside the output. R = 2 shares each weight broadcast between two runs (OW ≤ 32).
template <int OB, int R>
void direct_block(float* out, const float* x, const float* wT, const float* bias, int64_t o0, int64_t oh, int64_t w0,
                  const Geometry& g, const Window2d& k, const __mmask16* tap_mask, const __mmask16* out_mask) {
    __m512 acc[R][OB];
    BP_UNROLL for (int q = 0; q < OB; ++q) {
        const __m512 b = _mm512_set1_ps(bias ? bias[o0 + q] : 0.f);
        BP_UNROLL for (int r = 0; r < R; ++r) acc[r][q] = b;
    }
    const int64_t O = g.O, kw = k.kernel_w;
    for (int64_t c = 0; c < g.C; ++c)
        for (int64_t i = 0; i < k.kernel_h; ++i) {
            const int64_t ih = oh + i - k.pad_h;
            if (ih < 0 || ih >= g.H) continue;
            const float* xr = x + (c * g.H + ih) * g.W + w0 - k.pad_w;
            const float* wr = wT + (c * k.kernel_h + i) * kw * O + o0;
            for (int64_t j = 0; j < kw; ++j, wr += O) {
                __m512 v[R];
                BP_UNROLL for (int r = 0; r < R; ++r) v[r] = _mm512_maskz_loadu_ps(tap_mask[16 * r + j], xr + j + 16 * r);
                BP_UNROLL for (int q = 0; q < OB; ++q) {
                    const __m512 wv = _mm512_set1_ps(wr[q]);
                    BP_UNROLL for (int r = 0; r < R; ++r) acc[r][q] = _mm512_fmadd_ps(v[r], wv, acc[r][q]);
                }
            }
        }
    BP_UNROLL for (int q = 0; q < OB; ++q)
        BP_UNROLL for (int r = 0; r < R; ++r)
            _mm512_mask_storeu_ps(out + ((o0 + q) * g.OH + oh) * g.OW + w0 + 16 * r, out_mask[r], acc[r][q]);
}

// Calls f(std::integral_constant<int, n>) for a run-time n in [1, N]: register blocks need compile-time sizes.
template <int N, class F>
inline void with_static(int64_t n, F&& f) {
    if constexpr (N > 1)
        if (n < N) return with_static<N - 1>(n, f);
    f(std::integral_constant<int, N>{});
}

// out = x ⋆ w + b for one image at stride 1 (the geometry's own padding); wT: [K, O].
void direct_conv_image(float* out, const float* x, const float* wT, const float* bias, const Geometry& g,
                       const Window2d& k) {
    __mmask16 tap_mask[32], out_mask[2];
    for (int64_t w0 = 0; w0 < g.OW; w0 += 32) {
        const int64_t runs = std::min<int64_t>(2, (g.OW - w0 + 15) / 16);
        for (int64_t r = 0; r < runs; ++r) {
            const int64_t c0 = w0 + 16 * r, n = std::min<int64_t>(16, g.OW - c0);
            out_mask[r] = lanes(0, n);
            for (int64_t j = 0; j < k.kernel_w; ++j) {
                int64_t lo, hi;
                tap_lanes(j, c0, n, g.W, k.pad_w, lo, hi);
                tap_mask[16 * r + j] = lanes(lo, hi);
            }
        }
        for (int64_t oh = 0; oh < g.OH; ++oh) {
            auto blocks = [&](auto rc) {
                constexpr int R = decltype(rc)::value;
                int64_t o0 = 0;
                constexpr int kOB = R == 1 ? 8 : 6;  // ≤ 16 accumulators
                for (; o0 + kOB <= g.O; o0 += kOB) direct_block<kOB, R>(out, x, wT, bias, o0, oh, w0, g, k, tap_mask, out_mask);
                if (o0 < g.O)
                    with_static<kOB - 1>(g.O - o0, [&](auto ob) {
                        direct_block<decltype(ob)::value, R>(out, x, wT, bias, o0, oh, w0, g, k, tap_mask, out_mask);
                    });
            };
            if (runs == 2) blocks(std::integral_constant<int, 2>{});
            else blocks(std::integral_constant<int, 1>{});
        }
    }
}

// ---- The same, vectorised over output channels, where O is a multiple of 16 (a CNN's 16, 32, 64 maps) ----
// A row of ≤ 10 output columns fills a 16-lane vector poorly; 16 output channels fill it exactly. Each
// output pixel's 16 channels are one accumulator; a tap (c, i, j) loads 16 weights once (w transposed to
// [K, O]) and multiplies them by one broadcast input value per pixel. Padding: the image is copied into a
// zero-bordered buffer first, so the inner loops have no bounds.

constexpr int64_t kPixBlock = 12;  // output pixels (along a row) per register block

// x [C, H, W] -> xp [C, H + 2ph, W + 2pw] with a zero border (or x itself when there is no padding).
const float* padded_image(std::vector<float>& buf, const float* x, const Geometry& g, const Window2d& k) {
    if (k.pad_h == 0 && k.pad_w == 0) return x;
    const int64_t Hp = g.H + 2 * k.pad_h, Wp = g.W + 2 * k.pad_w;
    buf.assign(static_cast<size_t>(g.C * Hp * Wp), 0.f);
    for (int64_t c = 0; c < g.C; ++c)
        for (int64_t h = 0; h < g.H; ++h)
            std::copy_n(x + (c * g.H + h) * g.W, g.W, buf.data() + (c * Hp + h + k.pad_h) * Wp + k.pad_w);
    return buf.data();
}


// acc[q] (pixel ow0 + q of row oh, 16 channels from oc) = bias + Σ_taps wT[tap, oc..] · x[tap-shifted pixel]
template <int PB>
inline void ovec_block(float* tile, const float* xp, const float* wT, __m512 b0, int64_t oc, int64_t oh, int64_t ow0,
                       int64_t Hp, int64_t Wp, const Geometry& g, const Window2d& k) {
    __m512 acc[PB];
    BP_UNROLL for (int q = 0; q < PB; ++q) acc[q] = b0;
    for (int64_t c = 0; c < g.C; ++c)
        for (int64_t i = 0; i < k.kernel_h; ++i) {
            const float* xr = xp + (c * Hp + oh + i) * Wp + ow0;
            const float* wr = wT + ((c * k.kernel_h + i) * k.kernel_w) * g.O + oc;
            BP_UNROLL for (int64_t j = 0; j < k.kernel_w; ++j) {
                const __m512 wv = _mm512_loadu_ps(wr + j * g.O);
                BP_UNROLL for (int q = 0; q < PB; ++q) acc[q] = _mm512_fmadd_ps(wv, _mm512_set1_ps(xr[q + j]), acc[q]);
            }
        }
    float* t = tile + (oh * g.OW + ow0) * 16;  // pixel-major: lane l is channel oc + l
    BP_UNROLL for (int q = 0; q < PB; ++q) _mm512_storeu_ps(t + 16 * q, acc[q]);
}

// r[i] = column i of the 16×16 block whose rows were r[0..15] (unpack pairs, quads, then 128-bit lanes).
inline void transpose16(__m512* r) {
    __m512 t[16];
    BP_UNROLL for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    BP_UNROLL for (int i = 0; i < 16; i += 4) {
        const __m512d a = _mm512_castps_pd(t[i]), b = _mm512_castps_pd(t[i + 1]);
        const __m512d c = _mm512_castps_pd(t[i + 2]), d = _mm512_castps_pd(t[i + 3]);
        r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
        r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
    }
    BP_UNROLL for (int h = 0; h < 16; h += 8)
        BP_UNROLL for (int i = 0; i < 4; ++i) {
            t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + 4 + i], 0x88);
            t[h + 4 + i] = _mm512_shuffle_f32x4(r[h + i], r[h + 4 + i], 0xdd);
        }
    BP_UNROLL for (int i = 0; i < 8; ++i) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0x88);
        r[8 + i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0xdd);
    }
}

// out [O, OH, OW] = conv(x) + bias for one image; wT: [K, O]. The register blocks write 16 channels per
// pixel into a pixel-major tile [P, 16] (buffer `tile`, P rounded up to 16), which 16×16 transposes turn
// into the channel-major output: 16 contiguous stores per 16 pixels, where a scatter per pixel cost ~30%.
void ovec_conv_image(float* out, const float* x, const float* wT, const float* bias, const Geometry& g,
                     const Window2d& k, std::vector<float>& pad_buf, std::vector<float>& tile) {
    const float* xp = padded_image(pad_buf, x, g, k);
    const int64_t Hp = g.H + 2 * k.pad_h, Wp = g.W + 2 * k.pad_w;
    tile.resize(static_cast<size_t>((g.P + 15) / 16 * 16 * 16));
    for (int64_t oc = 0; oc < g.O; oc += 16) {
        const __m512 b0 = bias ? _mm512_loadu_ps(bias + oc) : _mm512_setzero_ps();
        for (int64_t oh = 0; oh < g.OH; ++oh)
            for (int64_t ow0 = 0; ow0 < g.OW; ow0 += kPixBlock)
                with_static<kPixBlock>(std::min(kPixBlock, g.OW - ow0), [&](auto pb) {
                    ovec_block<decltype(pb)::value>(tile.data(), xp, wT, b0, oc, oh, ow0, Hp, Wp, g, k);
                });
        for (int64_t p0 = 0; p0 < g.P; p0 += 16) {
            __m512 r[16];
            BP_UNROLL for (int l = 0; l < 16; ++l) r[l] = _mm512_loadu_ps(tile.data() + (p0 + l) * 16);
            transpose16(r);
            const __mmask16 m = lanes(0, std::min<int64_t>(16, g.P - p0));
            BP_UNROLL for (int l = 0; l < 16; ++l) _mm512_mask_storeu_ps(out + (oc + l) * g.P + p0, m, r[l]);
        }
    }
}

// gwT rows (c, i + r, j) for r < IR += Σ_{oh, ow} xp[c, oh + i + r, ow + j] · gT[oh, ow, :] (16 channels):
// IR kernel rows share each gradient vector, so IR·kw accumulators (≥ 8 FMA chains keep both FMA pipes busy).
template <int KW, int IR>
inline void ovec_grad_w_rows(float* gwT, const float* xp, const float* gT, int64_t c, int64_t i, int64_t oc,
                             int64_t Hp, int64_t Wp, const Geometry& g, const Window2d& k) {
    constexpr int kMax = KW > 0 ? KW : 16;
    const int64_t kw = KW > 0 ? KW : k.kernel_w;
    __m512 acc[IR][kMax];
    BP_UNROLL for (int r = 0; r < IR; ++r)
        BP_UNROLL for (int64_t j = 0; j < kw; ++j) acc[r][j] = _mm512_setzero_ps();
    for (int64_t oh = 0; oh < g.OH; ++oh) {
        const float* xr = xp + (c * Hp + oh + i) * Wp;
        const float* gr = gT + oh * g.OW * 16;
        for (int64_t ow = 0; ow < g.OW; ++ow) {
            const __m512 gv = _mm512_loadu_ps(gr + ow * 16);
            BP_UNROLL for (int r = 0; r < IR; ++r)
                BP_UNROLL for (int64_t j = 0; j < kw; ++j)
                    acc[r][j] = _mm512_fmadd_ps(gv, _mm512_set1_ps(xr[r * Wp + ow + j]), acc[r][j]);
        }
    }
    BP_UNROLL for (int r = 0; r < IR; ++r) {
        float* dst = gwT + ((c * k.kernel_h + i + r) * kw) * g.O + oc;
        BP_UNROLL for (int64_t j = 0; j < kw; ++j)
            _mm512_storeu_ps(dst + j * g.O, _mm512_add_ps(_mm512_loadu_ps(dst + j * g.O), acc[r][j]));
    }
}

// grad_wT [K, O] += Σ_{oh, ow} x[c, oh + i − ph, ow + j − pw] · grad_out[:, oh, ow] for one image.
// KW: kw known at compile time (two kernel rows per register block); 0: known at run time (≤ 16, one row).
template <int KW>
void ovec_grad_w_image(float* gwT, const float* x, const float* gimg, const Geometry& g, const Window2d& k,
                       std::vector<float>& pad_buf, std::vector<float>& gT) {
    const float* xp = padded_image(pad_buf, x, g, k);
    const int64_t Hp = g.H + 2 * k.pad_h, Wp = g.W + 2 * k.pad_w, kh = k.kernel_h;
    gT.resize(static_cast<size_t>((g.P + 15) / 16 * 16 * 16));
    for (int64_t oc = 0; oc < g.O; oc += 16) {
        for (int64_t p0 = 0; p0 < g.P; p0 += 16) {  // gT [P, 16]: the gradient of 16 channels per pixel
            const __mmask16 m = lanes(0, std::min<int64_t>(16, g.P - p0));
            __m512 r[16];
            BP_UNROLL for (int l = 0; l < 16; ++l) r[l] = _mm512_maskz_loadu_ps(m, gimg + (oc + l) * g.P + p0);
            transpose16(r);
            BP_UNROLL for (int l = 0; l < 16; ++l) _mm512_storeu_ps(gT.data() + (p0 + l) * 16, r[l]);
        }
        for (int64_t c = 0; c < g.C; ++c) {
            int64_t i = 0;
            if constexpr (KW > 0)
                for (; i + 2 <= kh; i += 2) ovec_grad_w_rows<KW, 2>(gwT, xp, gT.data(), c, i, oc, Hp, Wp, g, k);
            for (; i < kh; ++i) ovec_grad_w_rows<KW, 1>(gwT, xp, gT.data(), c, i, oc, Hp, Wp, g, k);
        }
    }
}

bool use_ovec(const Geometry& g) { return g.O % 16 == 0; }

// w [O, K] -> wT [K, O]
std::vector<float> transposed(const float* w, int64_t O, int64_t K) {
    std::vector<float> t(static_cast<size_t>(O * K));
    for (int64_t o = 0; o < O; ++o)
        for (int64_t r = 0; r < K; ++r) t[static_cast<size_t>(r * O + o)] = w[o * K + r];
    return t;
}

// One image through whichever direct kernel fits the output channel count.
void conv_image(float* out, const float* x, const float* wT, const float* bias, const Geometry& g, const Window2d& k,
                std::vector<float>& pad_buf, std::vector<float>& tile) {
    if (use_ovec(g)) ovec_conv_image(out, x, wT, bias, g, k, pad_buf, tile);
    else direct_conv_image(out, x, wT, bias, g, k);
}

}  // namespace

void direct_forward(Tensor& out, const Tensor& x, const Tensor& w, const Tensor& b, const Geometry& g,
                    const Window2d& k) {
    const float* bp = b.defined() ? b.data<float>() : nullptr;
    const std::vector<float> wT = transposed(w.data<float>(), g.O, g.K);
    parallel_for(g.N, image_grain(g, g.N), [&](int64_t n0, int64_t n1) {
        std::vector<float> pad_buf, tile;
        for (int64_t n = n0; n < n1; ++n)
            conv_image(out.data<float>() + n * g.O * g.P, x.data<float>() + n * g.C * g.H * g.W, wT.data(), bp, g, k,
                       pad_buf, tile);
    });
}

namespace {

// grad_w partial sums for output channels o0..o0+OB−1, input channel c and kernel row i, over one image and
// the output columns w0..w0+nw−1: per output row, the KW shifted input vectors are loaded once and serve all
// OB channels (OB·KW accumulators in registers). KW = 0: kw known only at run time (up to 16, may spill).
template <int OB, int KW>
void direct_grad_w_block(float* part, const float* gi, const float* xi, int64_t o0, int64_t c, int64_t i, int64_t w0,
                         int64_t nw, const Geometry& g, const Window2d& k, const __mmask16* mask) {
    constexpr int64_t kMax = KW > 0 ? KW : 16;
    const int64_t kw = KW > 0 ? KW : k.kernel_w;
    __m512 acc[OB][kMax];
    BP_UNROLL for (int q = 0; q < OB; ++q)
        BP_UNROLL for (int64_t j = 0; j < kw; ++j) acc[q][j] = _mm512_setzero_ps();
    const __mmask16 gm = lanes(0, nw);
    const int64_t oh_lo = std::max<int64_t>(0, k.pad_h - i), oh_hi = std::min(g.OH, g.H + k.pad_h - i);
    // Pointers stepped row by row (no index arithmetic in the loop): x row oh + i − ph, grad_out row oh.
    const int64_t P = g.P, OW = g.OW, W = g.W;
    const float* xr = xi + (c * g.H + oh_lo + i - k.pad_h) * W + w0 - k.pad_w;
    const float* gr = gi + o0 * P + oh_lo * OW + w0;
    for (int64_t oh = oh_lo; oh < oh_hi; ++oh, xr += W, gr += OW) {
        __m512 xv[kMax];
        BP_UNROLL for (int64_t j = 0; j < kw; ++j) xv[j] = _mm512_maskz_loadu_ps(mask[j], xr + j);
        BP_UNROLL for (int q = 0; q < OB; ++q) {
            const __m512 gv = _mm512_maskz_loadu_ps(gm, gr + q * P);
            BP_UNROLL for (int64_t j = 0; j < kw; ++j) acc[q][j] = _mm512_fmadd_ps(gv, xv[j], acc[q][j]);
        }
    }
    const int64_t khw = k.kernel_h * kw;
    BP_UNROLL for (int q = 0; q < OB; ++q) {
        float* pp = part + ((o0 + q) * g.K + c * khw + i * kw) * 16;
        BP_UNROLL for (int64_t j = 0; j < kw; ++j)
            _mm512_storeu_ps(pp + 16 * j, _mm512_add_ps(_mm512_loadu_ps(pp + 16 * j), acc[q][j]));
    }
}

// grad_col [K, P] = wᵀ @ grad_out for one image (w [O, K], grad_out [O, P]; grad_col's rows ld ≥ P apart,
// ld a multiple of 16): register blocks of RB rows × PV vectors of 16 pixels, one broadcast weight and one
// pixel vector per FMA operand pair, every FMA on real data (the full correlation that computes grad_x
// directly runs its taps over the zero border too: at the speedrun's 10×10 -> 14×14 half of its FMAs).
template <int RB, int PV>
inline void grad_col_block(float* gcol, int64_t ld, const float* w, const float* gimg, int64_t r0, int64_t v0,
                           const Geometry& g) {
    __m512 acc[RB][PV];
    BP_UNROLL for (int a = 0; a < RB; ++a)
        BP_UNROLL for (int v = 0; v < PV; ++v) acc[a][v] = _mm512_setzero_ps();
    const int64_t tail = g.P - (v0 + PV - 1) * 16;  // lanes of the last vector (may be < 16)
    const __mmask16 last = lanes(0, std::min<int64_t>(16, tail));
    for (int64_t o = 0; o < g.O; ++o) {
        const float* gr = gimg + o * g.P + v0 * 16;
        __m512 gv[PV];
        BP_UNROLL for (int v = 0; v + 1 < PV; ++v) gv[v] = _mm512_loadu_ps(gr + 16 * v);
        gv[PV - 1] = _mm512_maskz_loadu_ps(last, gr + 16 * (PV - 1));
        const float* wr = w + o * g.K + r0;
        BP_UNROLL for (int a = 0; a < RB; ++a) {
            const __m512 wv = _mm512_set1_ps(wr[a]);
            BP_UNROLL for (int v = 0; v < PV; ++v) acc[a][v] = _mm512_fmadd_ps(wv, gv[v], acc[a][v]);
        }
    }
    BP_UNROLL for (int a = 0; a < RB; ++a)
        BP_UNROLL for (int v = 0; v < PV; ++v) _mm512_storeu_ps(gcol + (r0 + a) * ld + (v0 + v) * 16, acc[a][v]);
}

void grad_col_image(float* gcol, int64_t ld, const float* w, const float* gimg, const Geometry& g) {
    constexpr int kRB = 4, kPV = 4;
    const int64_t vecs = (g.P + 15) / 16;
    for (int64_t v0 = 0; v0 < vecs; v0 += kPV)
        with_static<kPV>(std::min<int64_t>(kPV, vecs - v0), [&](auto pv) {
            int64_t r0 = 0;
            for (; r0 + kRB <= g.K; r0 += kRB) grad_col_block<kRB, decltype(pv)::value>(gcol, ld, w, gimg, r0, v0, g);
            if (r0 < g.K)
                with_static<kRB - 1>(g.K - r0, [&](auto rb) {
                    grad_col_block<decltype(rb)::value, decltype(pv)::value>(gcol, ld, w, gimg, r0, v0, g);
                });
        });
}

// backward at stride 1, per image:
//   grad_x = col2im(wᵀ @ grad_out) (grad_col_image, then conv_unroll.h's col2im); where C is a multiple of
//            16, the "full" correlation grad_out ⋆ w̃ instead, w̃[c, o, i, j] = w[o, c, kh−1−i, kw−1−j] with
//            padding kh−1−ph, through the output-channel-vectorised forward kernel (C and O swapped);
//   grad_w[o, c, i, j] = Σ_{oh, ow} grad_out[o, oh, ow] · x[c, oh + i − ph, ow + j − pw]: register blocks of
//            4 channels × kw taps (direct_grad_w_block); lane sums reduced once at the end.
}  // namespace

void direct_backward(Tensor& grad_x, Tensor& grad_w, const Tensor& grad_out, const Tensor& x, const Tensor& w,
                     const Geometry& g, const Window2d& k) {
    const int64_t kh = k.kernel_h, kw = k.kernel_w, khw = kh * kw;
    const float* gp = grad_out.data<float>();
    const float* xp = x.data<float>();
    if (grad_x.defined() && g.C % 16 != 0) {
        const int64_t ld = (g.P + 15) / 16 * 16;
        parallel_for(g.N, image_grain(g, g.N), [&](int64_t n0, int64_t n1) {
            std::vector<float> gcol(static_cast<size_t>(g.K * ld));
            for (int64_t n = n0; n < n1; ++n) {
                grad_col_image(gcol.data(), ld, w.data<float>(), gp + n * g.O * g.P, g);
                col2im(grad_x.data<float>() + n * g.C * g.H * g.W, gcol.data(), ld, g, k);
            }
        });
    } else if (grad_x.defined()) {
        std::vector<float> wt(static_cast<size_t>(g.C * g.O * khw));  // w̃: [C, O, kh, kw]
        const float* wp = w.data<float>();
        for (int64_t o = 0; o < g.O; ++o)
            for (int64_t c = 0; c < g.C; ++c)
                for (int64_t i = 0; i < kh; ++i)
                    BP_UNROLL for (int64_t j = 0; j < kw; ++j)
                        wt[static_cast<size_t>(((c * g.O + o) * kh + (kh - 1 - i)) * kw + (kw - 1 - j))] =
                            wp[((o * g.C + c) * kh + i) * kw + j];
        const Window2d kt{kh, kw, 1, 1, kh - 1 - k.pad_h, kw - 1 - k.pad_w};
        const Geometry gt{g.N, g.O, g.OH, g.OW, g.C, g.H, g.W, g.O * khw, g.H * g.W};
        // w̃ is [C, O·kh·kw]; the output-channel-vectorised kernel wants it transposed, which is w itself
        // with its taps flipped: [O·kh·kw, C].
        const std::vector<float> wtT = transposed(wt.data(), g.C, gt.K);
        parallel_for(g.N, image_grain(g, g.N), [&](int64_t n0, int64_t n1) {
            std::vector<float> pad_buf, tile;
            for (int64_t n = n0; n < n1; ++n)
                conv_image(grad_x.data<float>() + n * g.C * g.H * g.W, gp + n * g.O * g.P, wtT.data(), nullptr, gt,
                           kt, pad_buf, tile);
        });
    }
    if (!grad_w.defined()) return;
    if (use_ovec(g)) {
        // One partial [K, O] per chunk of images, summed in chunk order (the same result on every run).
        const int64_t grain = image_grain(g, g.N, 2), chunks = (g.N + grain - 1) / grain;
        std::vector<std::vector<float>> parts(static_cast<size_t>(chunks));
        parallel_for(g.N, grain, [&](int64_t n0, int64_t n1) {
            std::vector<float>& gwT = parts[static_cast<size_t>(n0 / grain)];
            gwT.assign(static_cast<size_t>(g.K * g.O), 0.f);
            std::vector<float> pad_buf, gT;
            for (int64_t n = n0; n < n1; ++n) {
                const float* xi = xp + n * g.C * g.H * g.W;
                const float* gi = gp + n * g.O * g.P;
                if (kw == 5) ovec_grad_w_image<5>(gwT.data(), xi, gi, g, k, pad_buf, gT);
                else if (kw == 3) ovec_grad_w_image<3>(gwT.data(), xi, gi, g, k, pad_buf, gT);
                else ovec_grad_w_image<0>(gwT.data(), xi, gi, g, k, pad_buf, gT);
            }
        });
        std::vector<float>& gwT = parts[0];
        for (size_t q = 1; q < parts.size(); ++q)
            for (size_t r = 0; r < gwT.size(); ++r) gwT[r] += parts[q][r];
        float* gw = grad_w.data<float>();
        for (int64_t o = 0; o < g.O; ++o)
            for (int64_t r = 0; r < g.K; ++r) gw[o * g.K + r] = gwT[static_cast<size_t>(r * g.O + o)];
        return;
    }
    // 16 lane partial sums per weight, one set per chunk of images, summed in chunk order (deterministic).
    const int64_t grain = image_grain(g, g.N, 2), chunks = (g.N + grain - 1) / grain;
    std::vector<std::vector<float>> parts(static_cast<size_t>(chunks));
    auto run = [&](auto kwc, float* part, int64_t n0, int64_t n1) {
        std::vector<__mmask16> mask(static_cast<size_t>(kw));
        auto block = [&](auto ob, const float* gi, const float* xi, int64_t o0, int64_t c, int64_t i, int64_t w0,
                         int64_t nw) {
            direct_grad_w_block<decltype(ob)::value, decltype(kwc)::value>(part, gi, xi, o0, c, i, w0, nw, g, k,
                                                                           mask.data());
        };
        for (int64_t w0 = 0; w0 < g.OW; w0 += 16) {
            const int64_t nw = std::min<int64_t>(16, g.OW - w0);
            BP_UNROLL for (int64_t j = 0; j < kw; ++j) {
                int64_t lo, hi;
                tap_lanes(j, w0, nw, g.W, k.pad_w, lo, hi);
                mask[static_cast<size_t>(j)] = lanes(lo, hi);
            }
            for (int64_t n = n0; n < n1; ++n) {
                const float* gi = gp + n * g.O * g.P;
                const float* xi = xp + n * g.C * g.H * g.W;
                for (int64_t c = 0; c < g.C; ++c)
                    for (int64_t i = 0; i < kh; ++i) {
                        int64_t o0 = 0;
                        if (g.O % 4 != 0 && g.O % 3 == 0)  // 6 channels (LeNet's): 3 + 3 rather than 4 + 2
                            for (; o0 < g.O; o0 += 3) block(std::integral_constant<int, 3>{}, gi, xi, o0, c, i, w0, nw);
                        for (; o0 + 4 <= g.O; o0 += 4) block(std::integral_constant<int, 4>{}, gi, xi, o0, c, i, w0, nw);
                        switch (g.O - o0) {
                            case 3: block(std::integral_constant<int, 3>{}, gi, xi, o0, c, i, w0, nw); break;
                            case 2: block(std::integral_constant<int, 2>{}, gi, xi, o0, c, i, w0, nw); break;
                            case 1: block(std::integral_constant<int, 1>{}, gi, xi, o0, c, i, w0, nw); break;
                            default: break;
                        }
                    }
            }
        }
    };
    parallel_for(g.N, grain, [&](int64_t n0, int64_t n1) {
        std::vector<float>& part = parts[static_cast<size_t>(n0 / grain)];
        part.assign(static_cast<size_t>(g.O * g.K * 16), 0.f);
        if (kw == 5) run(std::integral_constant<int, 5>{}, part.data(), n0, n1);
        else if (kw == 3) run(std::integral_constant<int, 3>{}, part.data(), n0, n1);
        else run(std::integral_constant<int, 0>{}, part.data(), n0, n1);
    });
    std::vector<float>& part = parts[0];
    for (size_t q = 1; q < parts.size(); ++q)
        for (size_t r = 0; r < part.size(); ++r) part[r] += parts[q][r];
    float* gw = grad_w.data<float>();
    for (int64_t r = 0; r < g.O * g.K; ++r) gw[r] = _mm512_reduce_add_ps(_mm512_loadu_ps(part.data() + 16 * r));
}

}  // namespace bp::cpu::conv
#endif
