// winograd.cpp — 3×3 stride-1 float convolution by Winograd's F(2×2, 3×3) (Lavin & Gray 2015), AVX-512.
//
// Each 2×2 block of output pixels (a "tile") of one output channel is
//     Y = Aᵀ [ Σ_c (G g_oc Gᵀ) ⊙ (Bᵀ d_c B) ] A
// where d_c is the 4×4 input patch under the tile in channel c and g_oc the 3×3 kernel: 16 products per tile
// and channel instead of 36, so the multiply work is 2.25× smaller than a direct or im2col convolution.
// Written as 16 matrix products, one per position e of the 4×4 transformed tile:
//     M[e] [O, T] = U[e] [O, C] · V[e] [C, T],   U[e] = (G g Gᵀ)[e],  V[e] = (Bᵀ d B)[e]
// over a block of T tiles at a time (sized to stay in the L2 cache), then the output transform Aᵀ M A.
//
// Backward, from the same identity (Y is linear in U and in V):
//   grad_w: dU[e] [O, C] = Σ_tiles (A dY Aᵀ)[e] · V[e]ᵀ, then grad_g = Gᵀ dU G;
//   grad_x: the "full" correlation of grad_out with the flipped, transposed kernel, i.e. this forward again
//           with C and O swapped and padding 2 − p (as conv.cpp's direct backward does).
//
// Vectorisation: the transforms work on one row of tiles at a time, lane = tile column (up to 16 tiles, 32
// image columns, per vector). Tile column tx reads image columns 2tx − p .. 2tx − p + 3: two masked loads of
// 32 consecutive columns split into their even and odd columns (one permute each) give four of those per
// row, and the masks give the zero padding and the partial tiles at odd sizes; outputs are re-interleaved
// the same way and stored with masks (per-tile gathers and scatters measured slower: 5.6 ms against 4.3 ms
// for the forward of the 64×32×14×14→64 layer).
// Tiles are numbered over (image, tile row, tile column) across the batch; a block is a run of whole tile
// rows, so a 14×14 image's 7-tile rows pack densely into the matrix products.
#include "cpu/winograd.h"

#include <Eigen/Core>
#include <algorithm>
#include <vector>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "cpu/parallel.h"

namespace bp::cpu {

#if defined(__AVX512F__)
namespace {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<Mat>;
using ConstMatMap = Eigen::Map<const Mat>;

struct Dims {
    int64_t N, C, H, W, O, OH, OW, ph, pw;
    int64_t TH() const { return (OH + 1) / 2; }
    int64_t TW() const { return (OW + 1) / 2; }
};

// Tile rows per block: V [16, C, tiles] and M [16, O, tiles] together about 512 KiB (half of an L2), at least
// one row and at most ~128 tiles.
int64_t block_rows(const Dims& d) {
    const int64_t per_tile = 16 * (d.C + d.O) * static_cast<int64_t>(sizeof(float));
    const int64_t tiles = std::clamp<int64_t>((int64_t(512) << 10) / per_tile, 16, 128);
    return std::max<int64_t>(1, tiles / d.TW());
}

// The bits [a, b) of a 16-lane mask, clamped to [0, 16).
inline __mmask16 lanes(int64_t a, int64_t b) {
    a = std::clamp<int64_t>(a, 0, 16), b = std::clamp<int64_t>(b, a, 16);
    return static_cast<__mmask16>(((1u << b) - 1u) & ~((1u << a) - 1u));
}

// Lane l of a load that starts at column s reads column s + l: valid when 0 ≤ s + l < n.
inline __mmask16 in_range(int64_t s, int64_t n) { return lanes(-s, n - s); }

struct Perm {
    __m512i even, odd, lo, hi;  // even/odd lanes of a 32-lane pair; interleave of two vectors, lanes 0-7 / 8-15
    Perm() {
        alignas(64) int32_t e[16], o[16], l[16], h[16];
        for (int i = 0; i < 16; ++i) {
            e[i] = 2 * i, o[i] = 2 * i + 1;
            l[i] = (i / 2) + (i % 2) * 16, h[i] = 8 + (i / 2) + (i % 2) * 16;
        }
        even = _mm512_load_si512(e), odd = _mm512_load_si512(o), lo = _mm512_load_si512(l), hi = _mm512_load_si512(h);
    }
};

// p[k], lane l = row[2l + s0 + k] (0 outside [0, n)), for k = 0..3; row == nullptr: all zero.
inline void strided4(__m512 p[4], const float* row, int64_t s0, int64_t n, const Perm& P) {
    for (int k = 0; k < 4; k += 2) {
        if (!row) {
            p[k] = p[k + 1] = _mm512_setzero_ps();
            continue;
        }
        const int64_t s = s0 + k;
        const __m512 a = _mm512_maskz_loadu_ps(in_range(s, n), row + s);
        const __m512 b = _mm512_maskz_loadu_ps(in_range(s + 16, n), row + s + 16);
        p[k] = _mm512_permutex2var_ps(a, P.even, b);
        p[k + 1] = _mm512_permutex2var_ps(a, P.odd, b);
    }
}

// One row segment of ≤ 16 tiles (tile row ty of image xi, tile columns tx0 ..): for each channel c,
// V[e·ldE + c·ld + lane] = (Bᵀ d B)[e],  Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1].
void input_transform(float* V, int64_t ld, int64_t ldE, int64_t nt, const float* xi, int64_t ty, int64_t tx0,
                     int64_t channels, const Dims& d, const Perm& P) {
    const __mmask16 keep = lanes(0, nt);
    const int64_t ih0 = 2 * ty - d.ph, s0 = 2 * tx0 - d.pw;
    for (int64_t c = 0; c < channels; ++c) {
        const float* xc = xi + c * d.H * d.W;
        __m512 dv[4][4], t[4][4];
        for (int r = 0; r < 4; ++r) {
            const int64_t ih = ih0 + r;
            strided4(dv[r], ih >= 0 && ih < d.H ? xc + ih * d.W : nullptr, s0, d.W, P);
        }
        for (int k = 0; k < 4; ++k) {
            t[0][k] = _mm512_sub_ps(dv[0][k], dv[2][k]);
            t[1][k] = _mm512_add_ps(dv[1][k], dv[2][k]);
            t[2][k] = _mm512_sub_ps(dv[2][k], dv[1][k]);
            t[3][k] = _mm512_sub_ps(dv[1][k], dv[3][k]);
        }
        float* v = V + c * ld;
        for (int r = 0; r < 4; ++r) {
            _mm512_mask_storeu_ps(v + (4 * r + 0) * ldE, keep, _mm512_sub_ps(t[r][0], t[r][2]));
            _mm512_mask_storeu_ps(v + (4 * r + 1) * ldE, keep, _mm512_add_ps(t[r][1], t[r][2]));
            _mm512_mask_storeu_ps(v + (4 * r + 2) * ldE, keep, _mm512_sub_ps(t[r][2], t[r][1]));
            _mm512_mask_storeu_ps(v + (4 * r + 3) * ldE, keep, _mm512_sub_ps(t[r][1], t[r][3]));
        }
    }
}

// U[e, o, c] = (G g Gᵀ)[e] for w [O, C, 3, 3].   G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
std::vector<float> weight_transform(const float* w, int64_t O, int64_t C) {
    static constexpr float G[4][3] = {{1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}};
    std::vector<float> U(static_cast<size_t>(16 * O * C));
    for (int64_t o = 0; o < O; ++o)
        for (int64_t c = 0; c < C; ++c) {
            const float* g = w + (o * C + c) * 9;
            float Gg[4][3];
            for (int a = 0; a < 4; ++a)
                for (int j = 0; j < 3; ++j) Gg[a][j] = G[a][0] * g[j] + G[a][1] * g[3 + j] + G[a][2] * g[6 + j];
            for (int a = 0; a < 4; ++a)
                for (int b = 0; b < 4; ++b)
                    U[static_cast<size_t>(((a * 4 + b) * O + o) * C + c)] =
                        Gg[a][0] * G[b][0] + Gg[a][1] * G[b][1] + Gg[a][2] * G[b][2];
        }
    return U;
}

// Per-thread scratch that keeps its pages between calls (a fresh buffer of this size would be mmapped and
// page-faulted on every layer of every step).
float* scratch(std::vector<float>& buf, int64_t n) {
    if (static_cast<int64_t>(buf.size()) < n) buf.resize(static_cast<size_t>(n));
    return buf.data();
}

// Calls f(n, ty, tx0, nt, off) for every segment of ≤ 16 tiles of the tile rows [r0, r1) (rows numbered over
// the batch): image n, tile row ty, tile columns tx0 .. tx0 + nt, off = its first tile's index in the block.
template <class F>
void for_segments(const Dims& d, int64_t r0, int64_t r1, F&& f) {
    const int64_t TH = d.TH(), TW = d.TW();
    for (int64_t r = r0; r < r1; ++r)
        for (int64_t tx0 = 0; tx0 < TW; tx0 += 16) f(r / TH, r % TH, tx0, std::min<int64_t>(16, TW - tx0), (r - r0) * TW + tx0);
}

// out [N, O, OH, OW] = x ⋆ w + bias, with U = weight_transform(w).
void forward_raw(float* out, const float* x, const float* U, const float* bias, const Dims& d) {
    const int64_t R = block_rows(d), rows = d.N * d.TH(), blocks = (rows + R - 1) / R;
    const int64_t in_img = d.C * d.H * d.W, out_img = d.O * d.OH * d.OW, plane = d.OH * d.OW;
    parallel_for(blocks, grain_for(blocks, 1), [&](int64_t b0, int64_t b1) {
        const Perm P;
        thread_local std::vector<float> vbuf, mbuf;
        float* V = scratch(vbuf, 16 * d.C * R * d.TW());
        float* M = scratch(mbuf, 16 * d.O * R * d.TW());
        for (int64_t blk = b0; blk < b1; ++blk) {
            const int64_t r0 = blk * R, r1 = std::min(rows, r0 + R), nt = (r1 - r0) * d.TW();
            for_segments(d, r0, r1, [&](int64_t n, int64_t ty, int64_t tx0, int64_t cnt, int64_t off) {
                input_transform(V + off, nt, d.C * nt, cnt, x + n * in_img, ty, tx0, d.C, d, P);
            });
            for (int e = 0; e < 16; ++e)
                MatMap(M + e * d.O * nt, d.O, nt).noalias() =
                    ConstMatMap(U + e * d.O * d.C, d.O, d.C) * ConstMatMap(V + e * d.C * nt, d.C, nt);
            // Y = Aᵀ m A,  Aᵀ = [1 1 1 0; 0 1 −1 −1]
            const int64_t ldE = d.O * nt;
            for_segments(d, r0, r1, [&](int64_t n, int64_t ty, int64_t tx0, int64_t cnt, int64_t off) {
                const __mmask16 keep = lanes(0, cnt);
                const int64_t ow0 = 2 * tx0;
                const __mmask16 m_lo = lanes(0, d.OW - ow0), m_hi = lanes(0, d.OW - ow0 - 16);
                for (int64_t o = 0; o < d.O; ++o) {
                    const float* m = M + o * nt + off;
                    __m512 r[2][4];
                    for (int k = 0; k < 4; ++k) {
                        const __m512 m0 = _mm512_maskz_loadu_ps(keep, m + (0 + k) * ldE);
                        const __m512 m1 = _mm512_maskz_loadu_ps(keep, m + (4 + k) * ldE);
                        const __m512 m2 = _mm512_maskz_loadu_ps(keep, m + (8 + k) * ldE);
                        const __m512 m3 = _mm512_maskz_loadu_ps(keep, m + (12 + k) * ldE);
                        r[0][k] = _mm512_add_ps(_mm512_add_ps(m0, m1), m2);
                        r[1][k] = _mm512_sub_ps(_mm512_sub_ps(m1, m2), m3);
                    }
                    const __m512 bv = _mm512_set1_ps(bias ? bias[o] : 0.f);
                    float* oc = out + n * out_img + o * plane;
                    for (int a = 0; a < 2; ++a) {
                        const int64_t oh = 2 * ty + a;
                        if (oh >= d.OH) break;
                        const __m512 y0 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(r[a][0], r[a][1]), r[a][2]), bv);
                        const __m512 y1 = _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(r[a][1], r[a][2]), r[a][3]), bv);
                        float* orow = oc + oh * d.OW + ow0;
                        _mm512_mask_storeu_ps(orow, m_lo, _mm512_permutex2var_ps(y0, P.lo, y1));
                        if (m_hi) _mm512_mask_storeu_ps(orow + 16, m_hi, _mm512_permutex2var_ps(y0, P.hi, y1));
                    }
                }
            });
        }
    });
}

// grad_w [O, C, 3, 3] from x and grad_out (gy): dU[e] = Σ_tiles (A dY Aᵀ)[e] V[e]ᵀ, grad_g = Gᵀ dU G.
void grad_w_raw(float* gw, const float* x, const float* gy, const Dims& d) {
    const int64_t R = block_rows(d), rows = d.N * d.TH(), blocks = (rows + R - 1) / R;
    const int64_t in_img = d.C * d.H * d.W, out_img = d.O * d.OH * d.OW, plane = d.OH * d.OW;
    const int64_t grain = grain_for(blocks, 1, 2), chunks = (blocks + grain - 1) / grain;
    std::vector<std::vector<float>> parts(static_cast<size_t>(chunks));  // dU [16, O, C] per chunk
    parallel_for(blocks, grain, [&](int64_t b0, int64_t b1) {
        const Perm P;
        std::vector<float>& dU = parts[static_cast<size_t>(b0 / grain)];
        dU.assign(static_cast<size_t>(16 * d.O * d.C), 0.f);
        thread_local std::vector<float> vbuf, mbuf;
        float* V = scratch(vbuf, 16 * d.C * R * d.TW());
        float* Mg = scratch(mbuf, 16 * d.O * R * d.TW());
        for (int64_t blk = b0; blk < b1; ++blk) {
            const int64_t r0 = blk * R, r1 = std::min(rows, r0 + R), nt = (r1 - r0) * d.TW(), ldE = d.O * nt;
            for_segments(d, r0, r1, [&](int64_t n, int64_t ty, int64_t tx0, int64_t cnt, int64_t off) {
                input_transform(V + off, nt, d.C * nt, cnt, x + n * in_img, ty, tx0, d.C, d, P);
                // A dY Aᵀ with A = [1 0; 1 1; 1 −1; 0 −1]: rows (dy0, dy0 + dy1, dy0 − dy1, −dy1), then columns.
                const __mmask16 keep = lanes(0, cnt);
                const int64_t ow0 = 2 * tx0;
                const __mmask16 m_lo = in_range(ow0, d.OW), m_hi = in_range(ow0 + 16, d.OW);
                for (int64_t o = 0; o < d.O; ++o) {
                    const float* go = gy + n * out_img + o * plane;
                    __m512 y[2][2], r[4][2];
                    for (int a = 0; a < 2; ++a) {
                        const int64_t oh = 2 * ty + a;
                        if (oh >= d.OH) {
                            y[a][0] = y[a][1] = _mm512_setzero_ps();
                            continue;
                        }
                        const __m512 lo = _mm512_maskz_loadu_ps(m_lo, go + oh * d.OW + ow0);
                        const __m512 hi = _mm512_maskz_loadu_ps(m_hi, go + oh * d.OW + ow0 + 16);
                        y[a][0] = _mm512_permutex2var_ps(lo, P.even, hi);
                        y[a][1] = _mm512_permutex2var_ps(lo, P.odd, hi);
                    }
                    for (int b = 0; b < 2; ++b) {
                        r[0][b] = y[0][b];
                        r[1][b] = _mm512_add_ps(y[0][b], y[1][b]);
                        r[2][b] = _mm512_sub_ps(y[0][b], y[1][b]);
                        r[3][b] = _mm512_sub_ps(_mm512_setzero_ps(), y[1][b]);
                    }
                    float* m = Mg + o * nt + off;
                    for (int a = 0; a < 4; ++a) {
                        _mm512_mask_storeu_ps(m + (4 * a + 0) * ldE, keep, r[a][0]);
                        _mm512_mask_storeu_ps(m + (4 * a + 1) * ldE, keep, _mm512_add_ps(r[a][0], r[a][1]));
                        _mm512_mask_storeu_ps(m + (4 * a + 2) * ldE, keep, _mm512_sub_ps(r[a][0], r[a][1]));
                        _mm512_mask_storeu_ps(m + (4 * a + 3) * ldE, keep, _mm512_sub_ps(_mm512_setzero_ps(), r[a][1]));
                    }
                }
            });
            for (int e = 0; e < 16; ++e)
                MatMap(dU.data() + e * d.O * d.C, d.O, d.C).noalias() +=
                    ConstMatMap(Mg + e * ldE, d.O, nt) * ConstMatMap(V + e * d.C * nt, d.C, nt).transpose();
        }
    });
    std::vector<float>& dU = parts[0];
    for (size_t q = 1; q < parts.size(); ++q)
        for (size_t i = 0; i < dU.size(); ++i) dU[i] += parts[q][i];
    static constexpr float G[4][3] = {{1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}};
    const int64_t OC = d.O * d.C;
    for (int64_t oc = 0; oc < OC; ++oc) {
        float t[3][4];  // Gᵀ dU
        for (int i = 0; i < 3; ++i)
            for (int b = 0; b < 4; ++b) {
                float s = 0;
                for (int a = 0; a < 4; ++a) s += G[a][i] * dU[static_cast<size_t>((a * 4 + b) * OC + oc)];
                t[i][b] = s;
            }
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j)
                gw[oc * 9 + i * 3 + j] = t[i][0] * G[0][j] + t[i][1] * G[1][j] + t[i][2] * G[2][j] + t[i][3] * G[3][j];
    }
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

void winograd_forward(Tensor& out, const Tensor& x, const Tensor& w, const Tensor& b, const Window2d& k) {
    const Dims d = dims_of(x, w, k);
    const std::vector<float> U = weight_transform(w.data<float>(), d.O, d.C);
    forward_raw(out.data<float>(), x.data<float>(), U.data(), b.defined() ? b.data<float>() : nullptr, d);
}

void winograd_backward(Tensor& grad_x, Tensor& grad_w, const Tensor& grad_out, const Tensor& x, const Tensor& w,
                       const Window2d& k) {
    const Dims d = dims_of(x, w, k);
    if (grad_x.defined()) {
        // w̃ [C, O, 3, 3]: w̃[c, o, i, j] = w[o, c, 2 − i, 2 − j]; grad_x = grad_out ⋆ w̃ with padding 2 − p.
        const float* wp = w.data<float>();
        std::vector<float> wt(static_cast<size_t>(d.C * d.O * 9));
        for (int64_t o = 0; o < d.O; ++o)
            for (int64_t c = 0; c < d.C; ++c)
                for (int i = 0; i < 9; ++i) wt[static_cast<size_t>((c * d.O + o) * 9 + 8 - i)] = wp[(o * d.C + c) * 9 + i];
        const Dims dt{d.N, d.O, d.OH, d.OW, d.C, d.H, d.W, 2 - d.ph, 2 - d.pw};
        const std::vector<float> U = weight_transform(wt.data(), d.C, d.O);
        forward_raw(grad_x.data<float>(), grad_out.data<float>(), U.data(), nullptr, dt);
    }
    if (grad_w.defined()) grad_w_raw(grad_w.data<float>(), x.data<float>(), grad_out.data<float>(), d);
}

#else  // no AVX-512: conv.cpp's im2col and direct kernels do everything

bool winograd_applies(const Tensor&, const Tensor&, const Window2d&) { return false; }
void winograd_forward(Tensor&, const Tensor&, const Tensor&, const Tensor&, const Window2d&) {}
void winograd_backward(Tensor&, Tensor&, const Tensor&, const Tensor&, const Tensor&, const Window2d&) {}

#endif

}  // namespace bp::cpu
