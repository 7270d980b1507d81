// winograd.cpp — 3×3 stride-1 float convolution by Winograd's minimal filtering (Lavin & Gray 2015), AVX-512:
// F(4×4, 3×3) where it needs fewer products (tile_size), F(2×2, 3×3) otherwise; grad_x picks its own (it is a
// forward pass over grad_out), grad_w uses the forward pass's tiles. Described here for F(2×2); F(4×4) is the
// same with 6×6 input tiles, 36 positions and 4×4 outputs.
//
// Each 2×2 block of output pixels (a "tile") of one output channel is
//     Y = Aᵀ [ Σ_c (G g_oc Gᵀ) ⊙ (Bᵀ d_c B) ] A
// where d_c is the 4×4 input patch under the tile in channel c and g_oc the 3×3 kernel: 16 products per tile
// and channel instead of 36, so the multiply work is 2.25× smaller than a direct or im2col convolution.
// Written as 16 matrix products, one per position e of the 4×4 transformed tile:
//     M[e] [T, O] = V[e] [T, C] · U[e] [C, O],   U[e] = (G g Gᵀ)[e],  V[e] = (Bᵀ d B)[e]
// over a block of T tiles at a time (sized to stay in the L2 cache), then the output transform Aᵀ M A.
//
// Backward, from the same identity (Y is linear in U and in V):
//   grad_w: dU[e] [C, O] = Σ_tiles V[e]ᵀ · (A dY Aᵀ)[e], then grad_g = Gᵀ dU G, with V computed again from x
//           (keeping forward's V, 4× the size of x, measured slower: writing and reading it back from memory
//           took longer than transforming x again in the cache, 7.4-8.4 against 7.0-7.2 ms f+b on 64×32×14×14→64);
//   grad_x: the "full" correlation of grad_out with the flipped, transposed kernel, i.e. this forward again
//           with C and O swapped and padding 2 − p (as conv.cpp's direct backward does).
//
// Vectorisation: along channels, 16 to a vector (winograd_blocked.h). x is first converted to the blocked
// layout [N, C/16, 2·TH + 2, 2·TW + 2, 16] with its zero padding written out, so a tile's transform is 16
// aligned vector loads, adds and 16 stores, whatever the image size or the tile's place in it (partial tiles
// at odd sizes read zeros and write output pixels that the conversion back drops). The products then have
// the channels as their contiguous dimension, the output transform writes the blocked output
// [N, O/16, 2·TH, 2·TW, 16], and one more conversion gives NCHW. Channel counts are padded to 16 with zeros.
// (The previous version vectorised along tile columns: lane permutes, masks and 8 of 16 lanes on 7×7 images;
// this one measured 1.6-2.4× faster on ResNet-mini's layers, see the commit that brought it.)
#include "cpu/winograd.h"

#include <algorithm>
#include <initializer_list>
#include <vector>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "cpu/parallel.h"
#include "cpu/scratch.h"
#include "cpu/winograd_blocked.h"

namespace bp::cpu {

#if defined(__AVX512F__)
namespace {


struct Dims {
    int64_t N, C, H, W, O, OH, OW, ph, pw;
    int64_t m = 2;  // output tile size: F(2×2, 3×3) or F(4×4, 3×3)
    int64_t TH() const { return (OH + m - 1) / m; }
    int64_t TW() const { return (OW + m - 1) / m; }
    int64_t E() const { return (m + 2) * (m + 2); }  // positions of a transformed tile
    int64_t rows() const { return m * TH() + 2; }    // the packed input's rows and columns (padding included)
    int64_t cols() const { return m * TW() + 2; }
    int64_t Cp() const { return (C + 15) / 16 * 16; }
    int64_t Op() const { return (O + 15) / 16 * 16; }
};

// Most tiles per block: V [E, T, Cp] and M [E, T, Op] together about 512 KiB (half of an L2), at least 14 (the
// product kernel's rows).
int64_t block_tiles(const Dims& d) {
    const int64_t per_tile = d.E() * (d.Cp() + d.Op()) * static_cast<int64_t>(sizeof(float));
    return std::clamp<int64_t>((int64_t(512) << 10) / per_tile, 14, 224);
}

// The tiles [0, nt) of an image group cut into the fewest blocks of at most block_tiles, as even as possible (100
// tiles in blocks of 32 at most: 4 × 25, not 32 + 32 + 32 + 4, which the product kernel runs slower).
template <class F>
inline void for_blocks(const Dims& d, int64_t nt, F&& f) {
    const int64_t nb = (nt + block_tiles(d) - 1) / block_tiles(d);
    for (int64_t b = 0; b < nb; ++b) f(nt * b / nb, nt * (b + 1) / nb);
}

// Images per group: the work is done group by group, each converted to the blocked layout, transformed,
// multiplied and converted back while it is in the cache (converting the whole batch first and then
// transforming it measured 10-20 % slower: the transforms waited on loads from memory). As many images as
// one block of tiles holds, at least one; with several threads, small enough for 8 groups per thread (ResNet-mini's
// 7×7 layers: 64 images in groups of 7 split 6 : 4 between two threads, 1.2× one thread; in groups of 4, 8 : 8).
int64_t group_images(const Dims& d) {
    const int64_t fit = std::max<int64_t>(1, block_tiles(d) / (d.TH() * d.TW()));
    const int64_t threads = pool_threads();
    return threads > 1 ? std::clamp<int64_t>(d.N / (8 * threads), 1, fit) : fit;
}

// The output tile size of a forward pass (or grad_x) with OH × OW outputs: F(4×4, 3×3) where its products (36 per
// tile) are fewer than F(2×2, 3×3)'s (16 per tile, 2.25 times as many tiles on large images; ResNet-mini's 14×14:
// 576 against 784 per image, 7×7: 144 against 256), else F(2×2). F(4×4) measured 8-15 % faster on the 14×14 and
// 25-30 % on the 7×7 layers (grad_w 8-32 %). Its rounding error is larger: about 6·10⁻⁶ of the largest value in
// float32 against 3·10⁻⁷ for F(2×2) and 6·10⁻⁷ for a plain float sum (tst_conv checks the bounds), the usual
// price of F(4×4).
int64_t tile_size(int64_t OH, int64_t OW) {
    const int64_t f2 = 16 * ((OH + 1) / 2) * ((OW + 1) / 2), f4 = 36 * ((OH + 3) / 4) * ((OW + 3) / 4);
    return f4 < f2 ? 4 : 2;
}

// Calls f(n, ty, tx, i) for the tiles [t0, t1) (numbered over image, tile row, tile column), i = t − t0.
template <class F>
inline void for_tiles(const Dims& d, int64_t t0, int64_t t1, F&& f) {
    const int64_t TW = d.TW(), per_image = d.TH() * TW;
    int64_t n = t0 / per_image, ty = (t0 % per_image) / TW, tx = t0 % TW;
    for (int64_t t = t0; t < t1; ++t) {
        f(n, ty, tx, t - t0);
        if (++tx == TW) {
            tx = 0;
            if (++ty == d.TH()) ty = 0, ++n;
        }
    }
}

// V[e·ldE + i·Cp + c] = (Bᵀ d B)[e] for the tiles [t0, t1), from xb [N, C/16, 2·TH + 2, 2·TW + 2, 16];
// Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1].
void input_transform(float* V, int64_t ldE, const float* xb, int64_t t0, int64_t t1, const Dims& d) {
    const int64_t Cb = d.Cp() / 16, rows = d.rows(), cols = d.cols(), Cp = d.Cp();
    for_tiles(d, t0, t1, [&](int64_t n, int64_t ty, int64_t tx, int64_t i) {
        for (int64_t cb = 0; cb < Cb; ++cb) {
            const float* p = xb + (((n * Cb + cb) * rows + 2 * ty) * cols + 2 * tx) * 16;
            __m512 t[4][4];
            for (int k = 0; k < 4; ++k) {
                const __m512 d0 = _mm512_load_ps(p + (0 * cols + k) * 16), d1 = _mm512_load_ps(p + (1 * cols + k) * 16);
                const __m512 d2 = _mm512_load_ps(p + (2 * cols + k) * 16), d3 = _mm512_load_ps(p + (3 * cols + k) * 16);
                t[0][k] = _mm512_sub_ps(d0, d2);
                t[1][k] = _mm512_add_ps(d1, d2);
                t[2][k] = _mm512_sub_ps(d2, d1);
                t[3][k] = _mm512_sub_ps(d1, d3);
            }
            float* v = V + i * Cp + cb * 16;
            for (int r = 0; r < 4; ++r) {
                _mm512_storeu_ps(v + (4 * r + 0) * ldE, _mm512_sub_ps(t[r][0], t[r][2]));
                _mm512_storeu_ps(v + (4 * r + 1) * ldE, _mm512_add_ps(t[r][1], t[r][2]));
                _mm512_storeu_ps(v + (4 * r + 2) * ldE, _mm512_sub_ps(t[r][2], t[r][1]));
                _mm512_storeu_ps(v + (4 * r + 3) * ldE, _mm512_sub_ps(t[r][1], t[r][3]));
            }
        }
    });
}

// G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]; the weight transforms work on 16 output channels at a time (lanes), their
// kernels gathered from and scattered to w with a stride of C·9 floats.
constexpr float kG[4][3] = {{1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}};
// F(4×4, 3×3) (Lavin & Gray's matrices, interpolation points 0, ±1, ±2, ∞).
constexpr float kG4[6][3] = {{0.25f, 0, 0},           {-1.f / 6, -1.f / 6, -1.f / 6}, {-1.f / 6, 1.f / 6, -1.f / 6},
                             {1.f / 24, 1.f / 12, 1.f / 6}, {1.f / 24, -1.f / 12, 1.f / 6}, {0, 0, 1}};
constexpr float kBT4[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                              {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
constexpr float kAT4[4][6] = {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};
constexpr float kA4[6][4] = {{1, 0, 0, 0}, {1, 1, 1, 1}, {1, -1, 1, -1}, {1, 2, 4, 8}, {1, -2, 4, -8}, {0, 0, 0, 1}};

// Σ_k coef[k]·v[k] over the non-zero coefficients (zeros are skipped, not multiplied).
template <int K>
inline __m512 combine(const float (&coef)[K], const __m512 (&v)[K]) {
    __m512 s = _mm512_setzero_ps();
    for (int k = 0; k < K; ++k)
        if (coef[k] != 0) s = _mm512_fmadd_ps(_mm512_set1_ps(coef[k]), v[k], s);
    return s;
}

// U [R², Cp, Op] (zero past C and O): U[e, c, o] = (G g Gᵀ)[e] of the kernel g = w[o, c] of w [O, C, 3, 3], or,
// `flipped`, g = w[c, o] turned by 180° (w [C, O, 3, 3]: grad_x's kernel). G [R, 3]: kG or kG4.
template <int R>
void weight_transform(float* U, const float* w, int64_t O, int64_t C, bool flipped, const float (&G)[R][3]) {
    const int64_t Cp = (C + 15) / 16 * 16, Op = (O + 15) / 16 * 16;
    const __m512i step = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                            _mm512_set1_epi32(static_cast<int>(flipped ? 9 : C * 9)));
    for (int e = 0; e < R * R; ++e) std::fill(U + (e * Cp + C) * Op, U + (e + 1) * Cp * Op, 0.f);
    // Input channels in parallel: each writes its own rows of U.
    parallel_for(C, grain_for(C, 4, 2), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c)
        for (int64_t o0 = 0; o0 < O; o0 += 16) {
            const __mmask16 live = static_cast<__mmask16>((1u << std::min<int64_t>(16, O - o0)) - 1u);
            const float* base = flipped ? w + (c * O + o0) * 9 : w + (o0 * C + c) * 9;
            __m512 g[3][3];  // g[i][j] of 16 kernels
            for (int i = 0; i < 9; ++i)
                g[i / 3][i % 3] = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), live, step, base + (flipped ? 8 - i : i), 4);
            __m512 Gg[R][3];
            for (int a = 0; a < R; ++a)
                for (int j = 0; j < 3; ++j) Gg[a][j] = combine(G[a], {g[0][j], g[1][j], g[2][j]});
            for (int a = 0; a < R; ++a)
                for (int b = 0; b < R; ++b)
                    _mm512_store_ps(U + ((a * R + b) * Cp + c) * Op + o0, combine(G[b], Gg[a]));
        }
    });
}

void weight_transform(float* U, const float* w, int64_t O, int64_t C, bool flipped, int64_t m) {
    if (m == 4) weight_transform(U, w, O, C, flipped, kG4);
    else weight_transform(U, w, O, C, flipped, kG);
}

// F(4×4, 3×3)'s input transform: V[e·ldE + i·Cp + c] = (Bᵀ d B)[e], d the 6×6 patch of tile i (d.m == 4).
void input_transform4(float* V, int64_t ldE, const float* xb, int64_t t0, int64_t t1, const Dims& d) {
    const int64_t Cb = d.Cp() / 16, rows = d.rows(), cols = d.cols(), Cp = d.Cp();
    for_tiles(d, t0, t1, [&](int64_t n, int64_t ty, int64_t tx, int64_t i) {
        for (int64_t cb = 0; cb < Cb; ++cb) {
            const float* p = xb + (((n * Cb + cb) * rows + 4 * ty) * cols + 4 * tx) * 16;
            __m512 t[6][6];  // Bᵀ d
            for (int k = 0; k < 6; ++k) {
                __m512 col[6];
                for (int r = 0; r < 6; ++r) col[r] = _mm512_load_ps(p + (r * cols + k) * 16);
                for (int a = 0; a < 6; ++a) t[a][k] = combine(kBT4[a], col);
            }
            float* v = V + i * Cp + cb * 16;
            for (int a = 0; a < 6; ++a)
                for (int b = 0; b < 6; ++b) _mm512_storeu_ps(v + (6 * a + b) * ldE, combine(kBT4[b], t[a]));
        }
    });
}

// Per-thread buffers for image groups of at most g images, large enough for each of `dims` (the backward pass
// works on two: the layer's for grad_w and the transposed one for grad_x).
struct Scratch {
    float *xb, *yb, *V, *M;
    Scratch(std::initializer_list<Dims> dims, int64_t g) {
        int64_t nx = 0, ny = 0, nv = 0, nm = 0;
        for (const Dims& d : dims) {
            nx = std::max(nx, g * d.Cp() * d.rows() * d.cols());
            ny = std::max(ny, g * d.Op() * (d.m * d.TH()) * (d.m * d.TW()));
            nv = std::max(nv, d.E() * block_tiles(d) * d.Cp());
            nm = std::max(nm, d.E() * block_tiles(d) * d.Op());
        }
        thread_local ScratchBuffer xbuf, ybuf, vbuf, mbuf;
        xb = xbuf.get(nx), yb = ybuf.get(ny), V = vbuf.get(nv), M = mbuf.get(nm);
    }
};

// Images [n0, n1) of out [N, O, OH, OW] = x ⋆ w + bias from xb, those images of x packed as
// [n1 − n0, C/16, 2·TH + 2, 2·TW + 2, 16]; U = weight_transform(w).
void forward_group(float* out, const float* xb, const float* U, const float* bias, const Dims& d, int64_t n0,
                   int64_t n1, const Scratch& s) {
    const int64_t TH = d.TH(), TW = d.TW(), Cp = d.Cp(), Op = d.Op(), Ob = Op / 16;
    const int64_t T = block_tiles(d), nt = (n1 - n0) * TH * TW, ldE = T * Cp, ldM = T * Op;
    for_blocks(d, nt, [&](int64_t t0, int64_t t1) {  // tiles of the group's images, numbered from n0
        const int64_t cnt = t1 - t0;
        if (d.m == 4) input_transform4(s.V, ldE, xb, t0, t1, d);
        else input_transform(s.V, ldE, xb, t0, t1, d);
        for (int64_t e = 0; e < d.E(); ++e)
            wino::gemm(s.M + e * ldM, Op, s.V + e * ldE, Cp, 1, U + e * Cp * Op, Op, cnt, Op, Cp, false);
        if (d.m == 4) {
            // Y = Aᵀ m A (4×4 of 6×6), into yb [n1 − n0, O/16, 4·TH, 4·TW, 16].
            for_tiles(d, t0, t1, [&](int64_t n, int64_t ty, int64_t tx, int64_t i) {
                for (int64_t ob = 0; ob < Ob; ++ob) {
                    const float* m = s.M + i * Op + ob * 16;
                    __m512 r[4][6];  // Aᵀ m
                    for (int k = 0; k < 6; ++k) {
                        __m512 col[6];
                        for (int q = 0; q < 6; ++q) col[q] = _mm512_load_ps(m + (6 * q + k) * ldM);
                        for (int a = 0; a < 4; ++a) r[a][k] = combine(kAT4[a], col);
                    }
                    const __mmask16 live = static_cast<__mmask16>((1u << std::min<int64_t>(16, d.O - ob * 16)) - 1u);
                    const __m512 bv = bias ? _mm512_maskz_loadu_ps(live, bias + ob * 16) : _mm512_setzero_ps();
                    float* y = s.yb + (((n * Ob + ob) * 4 * TH + 4 * ty) * 4 * TW + 4 * tx) * 16;
                    for (int a = 0; a < 4; ++a)
                        for (int b = 0; b < 4; ++b)
                            _mm512_store_ps(y + (a * 4 * TW + b) * 16, _mm512_add_ps(combine(kAT4[b], r[a]), bv));
                }
            });
            return;
        }
        // Y = Aᵀ m A,  Aᵀ = [1 1 1 0; 0 1 −1 −1], into yb [n1 − n0, O/16, 2·TH, 2·TW, 16].
        for_tiles(d, t0, t1, [&](int64_t n, int64_t ty, int64_t tx, int64_t i) {
            for (int64_t ob = 0; ob < Ob; ++ob) {
                const float* m = s.M + i * Op + ob * 16;
                __m512 r[2][4];
                for (int k = 0; k < 4; ++k) {
                    const __m512 m0 = _mm512_load_ps(m + (0 + k) * ldM), m1 = _mm512_load_ps(m + (4 + k) * ldM);
                    const __m512 m2 = _mm512_load_ps(m + (8 + k) * ldM), m3 = _mm512_load_ps(m + (12 + k) * ldM);
                    r[0][k] = _mm512_add_ps(_mm512_add_ps(m0, m1), m2);
                    r[1][k] = _mm512_sub_ps(_mm512_sub_ps(m1, m2), m3);
                }
                const __mmask16 live = static_cast<__mmask16>((1u << std::min<int64_t>(16, d.O - ob * 16)) - 1u);
                const __m512 bv = bias ? _mm512_maskz_loadu_ps(live, bias + ob * 16) : _mm512_setzero_ps();
                float* y = s.yb + (((n * Ob + ob) * 2 * TH + 2 * ty) * 2 * TW + 2 * tx) * 16;
                for (int a = 0; a < 2; ++a) {
                    _mm512_store_ps(y + (a * 2 * TW + 0) * 16,
                                    _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(r[a][0], r[a][1]), r[a][2]), bv));
                    _mm512_store_ps(y + (a * 2 * TW + 1) * 16,
                                    _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(r[a][1], r[a][2]), r[a][3]), bv));
                }
            }
        });
    });
    wino::unpack(out, s.yb, n0, n1, d.O, d.OH, d.OW, d.m * TH, d.m * TW);
}

// out [N, O, OH, OW] = x ⋆ w + bias, with U = weight_transform(w), group by group.
void forward_raw(float* out, const float* x, const float* U, const float* bias, const Dims& d) {
    const int64_t g = group_images(d), groups = (d.N + g - 1) / g;
    parallel_for(groups, grain_for(groups, 1), [&](int64_t q0, int64_t q1) {
        const Scratch s({d}, g);
        for (int64_t q = q0; q < q1; ++q) {
            const int64_t n0 = q * g, n1 = std::min(d.N, n0 + g);
            wino::pack(s.xb, x, n0, n1, d.C, d.H, d.W, d.rows(), d.cols(), d.ph, d.pw);
            forward_group(out, s.xb, U, bias, d, n0, n1, s);
        }
    });
}

// dU[e] [Cp, Op] += Σ over the tiles of images [n0, n1) of V[e]ᵀ (A dY Aᵀ)[e]; xb: those images of x packed as
// forward packs them, gb: of grad_out, [n1 − n0, O/16, rows, cols, 16] with grad_out pixel (r, j) at
// (r + oy, j + ox) and zeros past its edge up to 2·TH, 2·TW.
void grad_w_group(float* dU, const float* xb, const float* gb, int64_t rows, int64_t cols, int64_t oy, int64_t ox,
                  const Dims& d, int64_t n0, int64_t n1, const Scratch& s) {
    const int64_t Cp = d.Cp(), Op = d.Op(), Ob = Op / 16;
    const int64_t T = block_tiles(d), nt = (n1 - n0) * d.TH() * d.TW(), ldE = T * Cp, ldD = T * Op;
    for_blocks(d, nt, [&](int64_t t0, int64_t t1) {
        const int64_t cnt = t1 - t0;
        if (d.m == 4) {
            input_transform4(s.V, ldE, xb, t0, t1, d);
            // A dY Aᵀ (6×6 of 4×4), A = (Aᵀ)ᵀ of F(4×4, 3×3).
            for_tiles(d, t0, t1, [&](int64_t n, int64_t ty, int64_t tx, int64_t i) {
                for (int64_t ob = 0; ob < Ob; ++ob) {
                    const float* gp = gb + (((n * Ob + ob) * rows + 4 * ty + oy) * cols + 4 * tx + ox) * 16;
                    __m512 t[6][4];  // A dY
                    for (int b = 0; b < 4; ++b) {
                        __m512 col[4];
                        for (int a = 0; a < 4; ++a) col[a] = _mm512_load_ps(gp + (a * cols + b) * 16);
                        for (int r = 0; r < 6; ++r) t[r][b] = combine(kA4[r], col);
                    }
                    float* m = s.M + i * Op + ob * 16;
                    for (int r = 0; r < 6; ++r)
                        for (int q = 0; q < 6; ++q) _mm512_store_ps(m + (6 * r + q) * ldD, combine(kA4[q], t[r]));
                }
            });
        } else {
        input_transform(s.V, ldE, xb, t0, t1, d);
        // A dY Aᵀ with A = [1 0; 1 1; 1 −1; 0 −1]: rows (dy0, dy0 + dy1, dy0 − dy1, −dy1), then columns.
        for_tiles(d, t0, t1, [&](int64_t n, int64_t ty, int64_t tx, int64_t i) {
            for (int64_t ob = 0; ob < Ob; ++ob) {
                const float* gp = gb + (((n * Ob + ob) * rows + 2 * ty + oy) * cols + 2 * tx + ox) * 16;
                __m512 r[4][2];
                for (int b = 0; b < 2; ++b) {
                    const __m512 y0 = _mm512_load_ps(gp + b * 16), y1 = _mm512_load_ps(gp + (cols + b) * 16);
                    r[0][b] = y0;
                    r[1][b] = _mm512_add_ps(y0, y1);
                    r[2][b] = _mm512_sub_ps(y0, y1);
                    r[3][b] = _mm512_sub_ps(_mm512_setzero_ps(), y1);
                }
                float* m = s.M + i * Op + ob * 16;
                for (int a = 0; a < 4; ++a) {
                    _mm512_store_ps(m + (4 * a + 0) * ldD, r[a][0]);
                    _mm512_store_ps(m + (4 * a + 1) * ldD, _mm512_add_ps(r[a][0], r[a][1]));
                    _mm512_store_ps(m + (4 * a + 2) * ldD, _mm512_sub_ps(r[a][0], r[a][1]));
                    _mm512_store_ps(m + (4 * a + 3) * ldD, _mm512_sub_ps(_mm512_setzero_ps(), r[a][1]));
                }
            }
        });
        }
        // dU[e] [Cp, Op] += V[e]ᵀ [Cp, cnt] · Dy[e] [cnt, Op]
        for (int64_t e = 0; e < d.E(); ++e)
            wino::gemm(dU + e * Cp * Op, Op, s.V + e * ldE, 1, Cp, s.M + e * ldD, Op, Cp, Op, cnt, true);
    });
}

// grad_g = Gᵀ dU G for every (o, c): gw [O, C, 3, 3] from dU [R², Cp, Op]; G [R, 3]: kG or kG4.
template <int R>
void weight_grad_transform(float* gw, const float* dU, const Dims& d, const float (&G)[R][3]) {
    const int64_t Op = d.Op(), E = d.Cp() * Op;
    const __m512i step = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                            _mm512_set1_epi32(static_cast<int>(d.C * 9)));
    float Gt[3][R];  // Gᵀ
    for (int a = 0; a < R; ++a)
        for (int i = 0; i < 3; ++i) Gt[i][a] = G[a][i];
    // Input channels in parallel: each writes its own kernels w[:, c] of gw.
    parallel_for(d.C, grain_for(d.C, 4, 2), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c)
        for (int64_t o0 = 0; o0 < d.O; o0 += 16) {
            const __mmask16 live = static_cast<__mmask16>((1u << std::min<int64_t>(16, d.O - o0)) - 1u);
            __m512 t[3][R];  // Gᵀ dU
            for (int b = 0; b < R; ++b) {
                __m512 col[R];
                for (int a = 0; a < R; ++a) col[a] = _mm512_loadu_ps(dU + (a * R + b) * E + c * Op + o0);
                for (int i = 0; i < 3; ++i) t[i][b] = combine(Gt[i], col);
            }
            float* g = gw + (o0 * d.C + c) * 9;
            for (int i = 0; i < 3; ++i)
                for (int j = 0; j < 3; ++j) {
                    float Gj[R];
                    for (int b = 0; b < R; ++b) Gj[b] = G[b][j];
                    _mm512_mask_i32scatter_ps(g + i * 3 + j, live, step, combine(Gj, t[i]), 4);
                }
        }
    });
}

// grad_x (may be null) and grad_w (may be null) in one pass over the image groups, so that grad_out is converted
// to the blocked layout once for both: grad_x = grad_out ⋆ w̃ (dt: this layer with C and O swapped, padding
// 2 − p; Ut = its weight_transform), grad_w from x and grad_out.
void backward_raw(float* gx, float* gw, const float* x, const float* gy, const float* Ut, Dims d) {
    d.m = tile_size(d.OH, d.OW);  // grad_w's tiles are forward's
    const Dims dt{d.N, d.O, d.OH, d.OW, d.C, d.H, d.W, 2 - d.ph, 2 - d.pw, tile_size(d.H, d.W)};
    // grad_out packed as grad_x's input (padded), or, for grad_w alone, unpadded: grad_w reads it from (oy, ox),
    // up to m·TH, m·TW.
    const int64_t oy = gx ? dt.ph : 0, ox = gx ? dt.pw : 0;
    const int64_t rows = std::max(gx ? dt.rows() : 0, oy + d.m * d.TH());
    const int64_t cols = std::max(gx ? dt.cols() : 0, ox + d.m * d.TW());
    const int64_t g = std::max(group_images(d), gx ? group_images(dt) : 1), groups = (d.N + g - 1) / g;
    const int64_t Cp = d.Cp(), Op = d.Op();
    const int64_t grain = grain_for(groups, 1, 2), chunks = (groups + grain - 1) / grain;
    std::vector<std::vector<float>> parts(gw ? static_cast<size_t>(chunks) : 0);  // dU [16, Cp, Op] per chunk
    parallel_for(groups, grain, [&](int64_t q0, int64_t q1) {
        const Scratch s({d, dt}, g);
        thread_local ScratchBuffer gbuf;
        float* gb = gbuf.get(g * Op * rows * cols);
        float* dU = nullptr;
        if (gw) {
            std::vector<float>& part = parts[static_cast<size_t>(q0 / grain)];
            part.assign(static_cast<size_t>(d.E() * Cp * Op), 0.f);
            dU = part.data();
        }
        for (int64_t q = q0; q < q1; ++q) {
            const int64_t n0 = q * g, n1 = std::min(d.N, n0 + g);
            wino::pack(gb, gy, n0, n1, d.O, d.OH, d.OW, rows, cols, oy, ox);
            if (gx) forward_group(gx, gb, Ut, nullptr, dt, n0, n1, s);
            if (gw) {
                wino::pack(s.xb, x, n0, n1, d.C, d.H, d.W, d.rows(), d.cols(), d.ph, d.pw);
                grad_w_group(dU, s.xb, gb, rows, cols, oy, ox, d, n0, n1, s);
            }
        }
    });
    if (!gw) return;
    std::vector<float>& dU = parts[0];
    if (parts.size() > 1)  // the chunks' partial sums, added in chunk order for every element (ranges in parallel)
        parallel_for(static_cast<int64_t>(dU.size()), grain_for(static_cast<int64_t>(dU.size()), 1 << 14, 2),
                     [&](int64_t i0, int64_t i1) {
                         for (size_t q = 1; q < parts.size(); ++q)
                             for (int64_t i = i0; i < i1; ++i) dU[static_cast<size_t>(i)] += parts[q][static_cast<size_t>(i)];
                     });
    if (d.m == 4) weight_grad_transform(gw, dU.data(), d, kG4);
    else weight_grad_transform(gw, dU.data(), d, kG);
}

Dims dims_of(const Tensor& x, const Tensor& w, const Window2d& k) {
    Dims d{};
    d.N = x.size(0), d.C = x.size(1), d.H = x.size(2), d.W = x.size(3), d.O = w.size(0);
    d.OH = k.out_h(d.H), d.OW = k.out_w(d.W), d.ph = k.pad_h, d.pw = k.pad_w;
    return d;
}

}  // namespace

bool winograd_applies(const Tensor& x, const Tensor& w, const Window2d& k) {
    if (x.dtype() != DType::f32 || x.dim() != 4 || w.dim() != 4) return false;
    if (k.kernel_h != 3 || k.kernel_w != 3 || k.stride_h != 1 || k.stride_w != 1) return false;
    if (k.pad_h < 0 || k.pad_h > 2 || k.pad_w < 0 || k.pad_w > 2) return false;
    const Dims d = dims_of(x, w, k);
    if (d.C < 8 || d.O < 8 || d.OH < 1 || d.OW < 1) return false;
    return true;
}

int64_t winograd_saved_size(const Tensor&, const Tensor&, const Window2d&) { return 0; }

void winograd_forward(Tensor& out, Tensor&, const Tensor& x, const Tensor& w, const Tensor& b,
                      const Window2d& k) {
    Dims d = dims_of(x, w, k);
    d.m = tile_size(d.OH, d.OW);
    thread_local ScratchBuffer ubuf;
    float* U = ubuf.get(d.E() * d.Cp() * d.Op());
    weight_transform(U, w.data<float>(), d.O, d.C, false, d.m);
    forward_raw(out.data<float>(), x.data<float>(), U, b.defined() ? b.data<float>() : nullptr, d);
}

void winograd_backward(Tensor& grad_x, Tensor& grad_w, const Tensor& grad_out, const Tensor& x, const Tensor& w,
                       const Tensor&, const Window2d& k) {
    const Dims d = dims_of(x, w, k);
    float* Ut = nullptr;
    if (grad_x.defined()) {
        // grad_x = grad_out ⋆ w̃ with padding 2 − p, w̃ [C, O, 3, 3]: w̃[c, o, i, j] = w[o, c, 2 − i, 2 − j].
        thread_local ScratchBuffer ubuf;
        const int64_t m = tile_size(d.H, d.W);
        Ut = ubuf.get((m + 2) * (m + 2) * d.Cp() * d.Op());
        weight_transform(Ut, w.data<float>(), d.C, d.O, true, m);
    }
    backward_raw(grad_x.defined() ? grad_x.data<float>() : nullptr, grad_w.defined() ? grad_w.data<float>() : nullptr,
                 x.data<float>(), grad_out.data<float>(), Ut, d);
}

#else  // no AVX-512: conv.cpp's im2col and direct kernels do everything

bool winograd_applies(const Tensor&, const Tensor&, const Window2d&) { return false; }
int64_t winograd_saved_size(const Tensor&, const Tensor&, const Window2d&) { return 0; }
void winograd_forward(Tensor&, Tensor&, const Tensor&, const Tensor&, const Tensor&, const Window2d&) {}
void winograd_backward(Tensor&, Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Window2d&) {}

#endif

}  // namespace bp::cpu
