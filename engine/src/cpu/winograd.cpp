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
//   grad_w: dU[e] [O, C] = Σ_tiles (A dY Aᵀ)[e] · V[e]ᵀ, then grad_g = Gᵀ dU G (V kept from forward in training,
//           through conv2d's saved-columns tensor);
//   grad_x: the "full" correlation of grad_out with the flipped, transposed kernel, i.e. this forward again
//           with C and O swapped and padding 2 − p (as conv.cpp's direct backward does).
//
// Vectorisation: the transforms work on rows of tiles, lane = tile column (up to 16 tiles, 32 image columns,
// per vector; rows of ≤ 8 tiles go two to a vector, see Segment). Tile column tx reads image columns 2tx − p .. 2tx − p + 3: two masked loads of
// 32 consecutive columns split into their even and odd columns (one permute each) give four of those per
// row, and the masks give the zero padding and the partial tiles at odd sizes; outputs are re-interleaved
// the same way and stored with masks (per-tile gathers and scatters measured slower: 5.6 ms against 4.3 ms
// for the forward of the 64×32×14×14→64 layer).
// Tiles are numbered over (image, tile row, tile column) across the batch; a block is a run of whole tile
// rows, so a 14×14 image's 7-tile rows pack densely into the matrix products. The forward's products have
// short sums (C terms) and use their own register-blocked kernel (gemm below); grad_w's (sums over the
// block's tiles) use Eigen.
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

// A segment: the ≤ 16 tiles that one vector holds. Tile rows of at most 8 tiles (images up to 16 wide) go two
// to a vector, piece 0 in lanes [0, TW) and piece 1 in lanes [TW, 2·TW), so a 14×14 image's 7-tile rows fill
// 14 lanes instead of 7; wider rows are cut into pieces of 16 tiles, one per vector.
struct Piece {
    int64_t n = 0, ty = 0, tx0 = 0, cnt = 0;  // image, tile row, first tile column, tiles (0: no piece)
};
struct Segment {
    Piece p[2];
    int64_t off = 0, cnt = 0;  // index of the first tile in the block; tiles in all
};

// Lane permutations for one call (they depend on the tile-row width).
struct Perm {
    bool paired;
    __m512i even, odd;        // lane i ← column 2i (+1) of its piece, from the pair (a, b) of 16-column loads
    __m512i inter[3];         // output columns j of a piece ← (y0, y1): piece 0, piece 0's columns 16.., piece 1
    explicit Perm(int64_t TW) : paired(TW <= 8) {
        alignas(64) int32_t e[16], o[16], it[3][16];
        for (int i = 0; i < 16; ++i) {
            e[i] = paired && i >= TW ? 16 + 2 * (i - static_cast<int>(TW)) : 2 * i;
            o[i] = e[i] + 1;
            for (int q = 0; q < 3; ++q) it[q][i] = (q == 0 ? 0 : q == 1 ? 8 : static_cast<int>(TW)) + i / 2 + (i % 2) * 16;
        }
        even = _mm512_load_si512(e), odd = _mm512_load_si512(o);
        for (int q = 0; q < 3; ++q) inter[q] = _mm512_load_si512(it[q]);
    }
};

// Calls f(segment) for the tile rows [r0, r1) of a block (rows numbered over the batch).
template <class F>
void for_segments(const Dims& d, const Perm& P, int64_t r0, int64_t r1, F&& f) {
    const int64_t TH = d.TH(), TW = d.TW();
    Segment s;
    if (P.paired) {
        for (int64_t r = r0; r < r1; r += 2) {
            s.p[0] = Piece{r / TH, r % TH, 0, TW};
            s.p[1] = r + 1 < r1 ? Piece{(r + 1) / TH, (r + 1) % TH, 0, TW} : Piece{};
            s.off = (r - r0) * TW, s.cnt = s.p[0].cnt + s.p[1].cnt;
            f(s);
        }
        return;
    }
    for (int64_t r = r0; r < r1; ++r)
        for (int64_t tx0 = 0; tx0 < TW; tx0 += 16) {
            s.p[0] = Piece{r / TH, r % TH, tx0, std::min<int64_t>(16, TW - tx0)};
            s.p[1] = Piece{};
            s.off = (r - r0) * TW + tx0, s.cnt = s.p[0].cnt;
            f(s);
        }
}

// v[k], lane i = column 2i + k (+ the piece's start) of its piece's row, for k < K, zero outside [0, n).
// row[q] == nullptr: that piece's row lies in the padding (or there is no piece q).
template <int K>
inline void strided(__m512 v[K], const float* const row[2], const int64_t start[2], int64_t n, const Perm& P) {
    for (int k = 0; k < K; k += 2) {
        const int64_t s0 = start[0] + k;
        const __m512 a = row[0] ? _mm512_maskz_loadu_ps(in_range(s0, n), row[0] + s0) : _mm512_setzero_ps();
        __m512 b;
        if (P.paired) {
            const int64_t s1 = start[1] + k;
            b = row[1] ? _mm512_maskz_loadu_ps(in_range(s1, n), row[1] + s1) : _mm512_setzero_ps();
        } else {
            b = row[0] ? _mm512_maskz_loadu_ps(in_range(s0 + 16, n), row[0] + s0 + 16) : _mm512_setzero_ps();
        }
        v[k] = _mm512_permutex2var_ps(a, P.even, b);
        v[k + 1] = _mm512_permutex2var_ps(a, P.odd, b);
    }
}

// One segment, channel c of images x [N, channels, H, W]: V[e·ldE + lane] = (Bᵀ d B)[e],
// Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]. Callers run the segments of a block inside the loop over
// channels, so that x and V are both walked in address order (the prefetchers then keep up).
void input_transform(float* V, int64_t ldE, const float* x, const Segment& sg, int64_t c, int64_t channels,
                     const Dims& d, const Perm& P) {
    const __mmask16 keep = lanes(0, sg.cnt);
    const int64_t plane = d.H * d.W;
    const float* img[2];
    int64_t ih0[2], start[2];
    for (int q = 0; q < 2; ++q) {
        const Piece& pc = sg.p[q];
        img[q] = pc.cnt ? x + pc.n * channels * plane : nullptr;
        ih0[q] = 2 * pc.ty - d.ph, start[q] = 2 * pc.tx0 - d.pw;
    }
    {
        __m512 dv[4][4], t[4][4];
        for (int r = 0; r < 4; ++r) {
            const float* row[2];
            for (int q = 0; q < 2; ++q) {
                const int64_t ih = ih0[q] + r;
                row[q] = img[q] && ih >= 0 && ih < d.H ? img[q] + c * plane + ih * d.W : nullptr;
            }
            strided<4>(dv[r], row, start, d.W, P);
        }
        for (int k = 0; k < 4; ++k) {
            t[0][k] = _mm512_sub_ps(dv[0][k], dv[2][k]);
            t[1][k] = _mm512_add_ps(dv[1][k], dv[2][k]);
            t[2][k] = _mm512_sub_ps(dv[2][k], dv[1][k]);
            t[3][k] = _mm512_sub_ps(dv[1][k], dv[3][k]);
        }
        float* v = V;
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

// Asks for channel c of the images that tile rows [r0, r1) cover (x [N, channels, H, W]) to be brought into the
// cache: the channel loops below jump from plane to plane, too short (a 14×14 plane is 13 cache lines) for
// the hardware prefetchers to catch on.
void prefetch_planes(const float* x, int64_t c, int64_t channels, int64_t r0, int64_t r1, const Dims& d,
                     int64_t H, int64_t W) {
    if (c >= channels) return;
    const int64_t plane = H * W;
    for (int64_t n = r0 / d.TH(); n <= (r1 - 1) / d.TH(); ++n) {
        const char* p = reinterpret_cast<const char*>(x + (n * channels + c) * plane);
        for (int64_t b = 0; b < plane * static_cast<int64_t>(sizeof(float)); b += 64) _mm_prefetch(p + b, _MM_HINT_T0);
    }
}

// M [O, nt] = U [O, C] · V [C, nt] (all row-major, dense) for one position e: the forward's product. Register
// blocks of OB output channels × 48 tiles (24 accumulators); each step over c loads three vectors of V and
// broadcasts OB weights. Eigen's general product was measured 20 % slower on these short (C = 32) sums.
template <int OB>
inline void gemm_block(float* M, const float* U, const float* V, int64_t C, int64_t nt, int64_t o0) {
    for (int64_t t0 = 0; t0 < nt; t0 += 48) {
        const __mmask16 k0 = lanes(0, nt - t0), k1 = lanes(0, nt - t0 - 16), k2 = lanes(0, nt - t0 - 32);
        __m512 acc[OB][3];
        for (int q = 0; q < OB; ++q) acc[q][0] = acc[q][1] = acc[q][2] = _mm512_setzero_ps();
        const float* v = V + t0;
        const float* u = U + o0 * C;
        for (int64_t c = 0; c < C; ++c, v += nt) {
            const __m512 v0 = _mm512_maskz_loadu_ps(k0, v), v1 = _mm512_maskz_loadu_ps(k1, v + 16);
            const __m512 v2 = _mm512_maskz_loadu_ps(k2, v + 32);
            for (int q = 0; q < OB; ++q) {
                const __m512 w = _mm512_set1_ps(u[q * C + c]);
                acc[q][0] = _mm512_fmadd_ps(w, v0, acc[q][0]);
                acc[q][1] = _mm512_fmadd_ps(w, v1, acc[q][1]);
                acc[q][2] = _mm512_fmadd_ps(w, v2, acc[q][2]);
            }
        }
        for (int q = 0; q < OB; ++q) {
            float* m = M + (o0 + q) * nt + t0;
            _mm512_mask_storeu_ps(m, k0, acc[q][0]);
            _mm512_mask_storeu_ps(m + 16, k1, acc[q][1]);
            _mm512_mask_storeu_ps(m + 32, k2, acc[q][2]);
        }
    }
}

void gemm(float* M, const float* U, const float* V, int64_t O, int64_t C, int64_t nt) {
    int64_t o0 = 0;
    for (; o0 + 8 <= O; o0 += 8) gemm_block<8>(M, U, V, C, nt, o0);
    switch (O - o0) {
        case 7: gemm_block<7>(M, U, V, C, nt, o0); break;
        case 6: gemm_block<6>(M, U, V, C, nt, o0); break;
        case 5: gemm_block<5>(M, U, V, C, nt, o0); break;
        case 4: gemm_block<4>(M, U, V, C, nt, o0); break;
        case 3: gemm_block<3>(M, U, V, C, nt, o0); break;
        case 2: gemm_block<2>(M, U, V, C, nt, o0); break;
        case 1: gemm_block<1>(M, U, V, C, nt, o0); break;
        default: break;
    }
}

// Per-thread scratch that keeps its pages between calls (a fresh buffer of this size would be mmapped and
// page-faulted on every layer of every step).
float* scratch(std::vector<float>& buf, int64_t n) {
    if (static_cast<int64_t>(buf.size()) < n) buf.resize(static_cast<size_t>(n));
    return buf.data();
}

// out [N, O, OH, OW] = x ⋆ w + bias, with U = weight_transform(w). saved: nullptr, or where the transformed
// input of every block is kept for backward (block b at 16·C·b·R·TW floats).
void forward_raw(float* out, float* saved, const float* x, const float* U, const float* bias, const Dims& d) {
    const int64_t R = block_rows(d), rows = d.N * d.TH(), blocks = (rows + R - 1) / R;
    const int64_t out_img = d.O * d.OH * d.OW, plane = d.OH * d.OW;
    parallel_for(blocks, grain_for(blocks, 1), [&](int64_t b0, int64_t b1) {
        const Perm P(d.TW());
        thread_local std::vector<float> vbuf, mbuf;
        float* V = scratch(vbuf, 16 * d.C * R * d.TW());
        float* M = scratch(mbuf, 16 * d.O * R * d.TW());
        for (int64_t blk = b0; blk < b1; ++blk) {
            const int64_t r0 = blk * R, r1 = std::min(rows, r0 + R), nt = (r1 - r0) * d.TW();
            if (saved) V = saved + 16 * d.C * r0 * d.TW();
            for (int64_t c = 0; c < d.C; ++c) {
                prefetch_planes(x, c + 1, d.C, r0, r1, d, d.H, d.W);
                for_segments(d, P, r0, r1, [&](const Segment& sg) {
                    input_transform(V + c * nt + sg.off, d.C * nt, x, sg, c, d.C, d, P);
                });
            }
            for (int e = 0; e < 16; ++e) gemm(M + e * d.O * nt, U + e * d.O * d.C, V + e * d.C * nt, d.O, d.C, nt);
            // Y = Aᵀ m A,  Aᵀ = [1 1 1 0; 0 1 −1 −1]
            const int64_t ldE = d.O * nt;
            for (int64_t o = 0; o < d.O; ++o)
                for_segments(d, P, r0, r1, [&](const Segment& sg) {
                    const __mmask16 keep = lanes(0, sg.cnt);
                    const float* m = M + o * nt + sg.off;
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
                    for (int a = 0; a < 2; ++a) {
                        const __m512 y0 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(r[a][0], r[a][1]), r[a][2]), bv);
                        const __m512 y1 = _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(r[a][1], r[a][2]), r[a][3]), bv);
                        for (int q = 0; q < 2; ++q) {
                            const Piece& pc = sg.p[q];
                            const int64_t oh = 2 * pc.ty + a, ow0 = 2 * pc.tx0;
                            if (!pc.cnt || oh >= d.OH) continue;
                            float* orow = out + pc.n * out_img + o * plane + oh * d.OW + ow0;
                            _mm512_mask_storeu_ps(orow, lanes(0, d.OW - ow0),
                                                  _mm512_permutex2var_ps(y0, P.inter[q == 0 ? 0 : 2], y1));
                            if (!P.paired && d.OW - ow0 > 16)
                                _mm512_mask_storeu_ps(orow + 16, lanes(0, d.OW - ow0 - 16),
                                                      _mm512_permutex2var_ps(y0, P.inter[1], y1));
                        }
                    }
                });
        }
    });
}

// grad_w [O, C, 3, 3] from x and grad_out (gy): dU[e] = Σ_tiles (A dY Aᵀ)[e] V[e]ᵀ, grad_g = Gᵀ dU G.
// saved: forward's transformed input, or nullptr (x is transformed again).
void grad_w_raw(float* gw, const float* saved, const float* x, const float* gy, const Dims& d) {
    const int64_t R = block_rows(d), rows = d.N * d.TH(), blocks = (rows + R - 1) / R;
    const int64_t out_img = d.O * d.OH * d.OW, plane = d.OH * d.OW;
    const int64_t grain = grain_for(blocks, 1, 2), chunks = (blocks + grain - 1) / grain;
    std::vector<std::vector<float>> parts(static_cast<size_t>(chunks));  // dU [16, O, C] per chunk
    parallel_for(blocks, grain, [&](int64_t b0, int64_t b1) {
        const Perm P(d.TW());
        std::vector<float>& dU = parts[static_cast<size_t>(b0 / grain)];
        dU.assign(static_cast<size_t>(16 * d.O * d.C), 0.f);
        thread_local std::vector<float> vbuf, mbuf;
        float* V = scratch(vbuf, 16 * d.C * R * d.TW());
        float* Mg = scratch(mbuf, 16 * d.O * R * d.TW());
        for (int64_t blk = b0; blk < b1; ++blk) {
            const int64_t r0 = blk * R, r1 = std::min(rows, r0 + R), nt = (r1 - r0) * d.TW(), ldE = d.O * nt;
            const float* Vb = saved ? saved + 16 * d.C * r0 * d.TW() : V;
            if (!saved) for (int64_t c = 0; c < d.C; ++c) {
                prefetch_planes(x, c + 1, d.C, r0, r1, d, d.H, d.W);
                for_segments(d, P, r0, r1, [&](const Segment& sg) {
                    input_transform(V + c * nt + sg.off, d.C * nt, x, sg, c, d.C, d, P);
                });
            }
            // A dY Aᵀ with A = [1 0; 1 1; 1 −1; 0 −1]: rows (dy0, dy0 + dy1, dy0 − dy1, −dy1), then columns.
            for (int64_t o = 0; o < d.O; ++o) {
                prefetch_planes(gy, o + 1, d.O, r0, r1, d, d.OH, d.OW);
                for_segments(d, P, r0, r1, [&](const Segment& sg) {
                    const __mmask16 keep = lanes(0, sg.cnt);
                    const int64_t start[2] = {2 * sg.p[0].tx0, 2 * sg.p[1].tx0};
                    __m512 y[2][2], r[4][2];
                    for (int a = 0; a < 2; ++a) {
                        const float* row[2];
                        for (int q = 0; q < 2; ++q) {
                            const Piece& pc = sg.p[q];
                            const int64_t oh = 2 * pc.ty + a;
                            row[q] = pc.cnt && oh < d.OH ? gy + pc.n * out_img + o * plane + oh * d.OW : nullptr;
                        }
                        strided<2>(y[a], row, start, d.OW, P);
                    }
                    for (int b = 0; b < 2; ++b) {
                        r[0][b] = y[0][b];
                        r[1][b] = _mm512_add_ps(y[0][b], y[1][b]);
                        r[2][b] = _mm512_sub_ps(y[0][b], y[1][b]);
                        r[3][b] = _mm512_sub_ps(_mm512_setzero_ps(), y[1][b]);
                    }
                    float* m = Mg + o * nt + sg.off;
                    for (int a = 0; a < 4; ++a) {
                        _mm512_mask_storeu_ps(m + (4 * a + 0) * ldE, keep, r[a][0]);
                        _mm512_mask_storeu_ps(m + (4 * a + 1) * ldE, keep, _mm512_add_ps(r[a][0], r[a][1]));
                        _mm512_mask_storeu_ps(m + (4 * a + 2) * ldE, keep, _mm512_sub_ps(r[a][0], r[a][1]));
                        _mm512_mask_storeu_ps(m + (4 * a + 3) * ldE, keep, _mm512_sub_ps(_mm512_setzero_ps(), r[a][1]));
                    }
                });
            }
            for (int e = 0; e < 16; ++e)
                MatMap(dU.data() + e * d.O * d.C, d.O, d.C).noalias() +=
                    ConstMatMap(Mg + e * ldE, d.O, nt) * ConstMatMap(Vb + e * d.C * nt, d.C, nt).transpose();
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

int64_t winograd_saved_size(const Tensor& x, const Tensor& w, const Window2d& k) {
    const Dims d = dims_of(x, w, k);
    return 16 * d.C * d.N * d.TH() * d.TW();
}

void winograd_forward(Tensor& out, Tensor& saved, const Tensor& x, const Tensor& w, const Tensor& b,
                      const Window2d& k) {
    const Dims d = dims_of(x, w, k);
    const std::vector<float> U = weight_transform(w.data<float>(), d.O, d.C);
    float* sv = saved.defined() && saved.numel() == winograd_saved_size(x, w, k) ? saved.data<float>() : nullptr;
    forward_raw(out.data<float>(), sv, x.data<float>(), U.data(), b.defined() ? b.data<float>() : nullptr, d);
}

void winograd_backward(Tensor& grad_x, Tensor& grad_w, const Tensor& grad_out, const Tensor& x, const Tensor& w,
                       const Tensor& saved, const Window2d& k) {
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
        forward_raw(grad_x.data<float>(), nullptr, grad_out.data<float>(), U.data(), nullptr, dt);
    }
    const float* sv = saved.defined() && saved.numel() == winograd_saved_size(x, w, k) ? saved.data<float>() : nullptr;
    if (grad_w.defined()) grad_w_raw(grad_w.data<float>(), sv, x.data<float>(), grad_out.data<float>(), d);
}

#else  // no AVX-512: conv.cpp's im2col and direct kernels do everything

bool winograd_applies(const Tensor&, const Tensor&, const Window2d&) { return false; }
int64_t winograd_saved_size(const Tensor&, const Tensor&, const Window2d&) { return 0; }
void winograd_forward(Tensor&, Tensor&, const Tensor&, const Tensor&, const Tensor&, const Window2d&) {}
void winograd_backward(Tensor&, Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Window2d&) {}

#endif

}  // namespace bp::cpu
