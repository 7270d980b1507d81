// cuda_attention.cu — fused scaled-dot-product attention on the GPU (Dao et al. 2022, FlashAttention): the
// [T, S] score matrix is never stored. The derivation is in ops/attention.cpp (steps 1–5 below refer to it).
//   forward: one warp per query row t; the block's warps share [Bc, Dh] tiles of K and V in shared memory;
//            each lane holds Dh/32 (≤ 4) entries of q_t and of the running output; an online softmax with
//            running max m and sum ℓ over the keys; saves L_t = m + log ℓ (the row log-sum-exp).
//   backward: two kernels, no atomics: (a) one warp per query row: D_t = dO_t·O_t and
//            dQ_t = Σ_s dS_ts K_s / √Dh; (b) one warp per key row s: dV_s = Σ_t P_ts dO_t and
//            dK_s = Σ_t dS_ts Q_t / √Dh, with P_ts = exp(q_t·k_s/√Dh − L_t) and dS_ts = P_ts (dO_t·v_s − D_t).
// Head size up to 128 (4 values per lane); masks: causal (s ≤ t) and a key-padding flag per key.
#include <cmath>

#include "bp/autograd.h"
#include "bp/backend.h"
#include "cuda/cuda_common.cuh"
#include "cuda/cuda_ops.h"

namespace bp::cuda {
namespace {

constexpr int kWarps = 8;          // rows per block
constexpr int kPerLane = 4;        // head size ≤ 32·4 = 128
constexpr int kThreads = kWarps * 32;

struct AttnDims {
    int64_t B, H, T, S, Dh;
    double scale;  // 1/√Dh
    bool causal;
};

__device__ inline bool visible(const AttnDims& g, const uint8_t* keep, int64_t b, int64_t t, int64_t s) {
    return keep[b * g.S + s] && (!g.causal || s <= t);
}

// Keys per shared-memory tile: two [Bc, Dh] tiles of T fit in 32 KiB.
template <class T>
int tile_keys(int64_t Dh) {
    const int64_t per_key = 2 * Dh * static_cast<int64_t>(sizeof(T));
    return static_cast<int>(std::clamp<int64_t>((32 << 10) / per_key, 1, 64));
}

// Cooperative load of rows [r0, r0 + n) of two [rows, Dh] matrices (one (b, h) slice) into shared memory.
template <class T>
__device__ inline void load_tiles(T* a_sh, T* b_sh, const T* a, const T* b, int64_t r0, int n, int64_t Dh) {
    for (int64_t i = threadIdx.x; i < n * Dh; i += blockDim.x) {
        a_sh[i] = a[r0 * Dh + i];
        b_sh[i] = b[r0 * Dh + i];
    }
}

// forward, steps 1–3.  grid: (ceil(T / kWarps), B·H)
template <class T>
__global__ void flash_forward_kernel(T* out, double* lse, const T* q, const T* k, const T* v, const uint8_t* keep,
                                     AttnDims g, int Bc) {
    extern __shared__ unsigned char smem_raw[];
    T* k_sh = reinterpret_cast<T*>(smem_raw);
    T* v_sh = k_sh + Bc * g.Dh;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int64_t bh = blockIdx.y, b = bh / g.H;
    const int64_t t = static_cast<int64_t>(blockIdx.x) * kWarps + warp;
    const bool active = t < g.T;
    const T* qr = q + (bh * g.T + (active ? t : 0)) * g.Dh;
    const T* kb = k + bh * g.S * g.Dh;
    const T* vb = v + bh * g.S * g.Dh;
    double qv[kPerLane], acc[kPerLane];
    for (int i = 0; i < kPerLane; ++i) {
        const int64_t d = lane + 32 * i;
        qv[i] = (active && d < g.Dh) ? static_cast<double>(qr[d]) * g.scale : 0.0;
        acc[i] = 0.0;
    }
    double m = -INFINITY, l = 0.0;
    // Keys past the block's last query are invisible to every row of the block under the causal mask.
    const int64_t t_last = min(g.T, static_cast<int64_t>(blockIdx.x + 1) * kWarps) - 1;
    const int64_t s_end = g.causal ? min(g.S, t_last + 1) : g.S;
    for (int64_t s0 = 0; s0 < s_end; s0 += Bc) {
        const int n = static_cast<int>(min(static_cast<int64_t>(Bc), s_end - s0));
        __syncthreads();  // the previous tile is no longer read
        load_tiles(k_sh, v_sh, kb, vb, s0, n, g.Dh);
        __syncthreads();
        if (!active) continue;
        for (int j = 0; j < n; ++j) {
            const int64_t s = s0 + j;
            if (!visible(g, keep, b, t, s)) continue;  // the same for every lane of the warp
            double dot = 0;
            for (int i = 0; i < kPerLane; ++i) {
                const int64_t d = lane + 32 * i;
                if (d < g.Dh) dot += qv[i] * static_cast<double>(k_sh[j * g.Dh + d]);
            }
            const double score = warp_sum(dot);       // 1. q·k / √Dh
            const double m_new = max(m, score);        // 2. online softmax
            const double corr = exp(m - m_new), p = exp(score - m_new);
            l = l * corr + p;
            for (int i = 0; i < kPerLane; ++i) {
                const int64_t d = lane + 32 * i;
                if (d < g.Dh) acc[i] = acc[i] * corr + p * static_cast<double>(v_sh[j * g.Dh + d]);
            }
            m = m_new;
        }
    }
    if (!active) return;
    T* orow = out + (bh * g.T + t) * g.Dh;  // 3. normalise, save the log-sum-exp
    for (int i = 0; i < kPerLane; ++i) {
        const int64_t d = lane + 32 * i;
        if (d < g.Dh) orow[d] = static_cast<T>(acc[i] / l);
    }
    if (lane == 0) lse[bh * g.T + t] = m + log(l);
}

// backward (a): D_t and dQ_t, one warp per query row; tiles of K and V shared.  grid: (ceil(T / kWarps), B·H)
template <class T>
__global__ void flash_backward_dq_kernel(T* dq, double* delta, const T* go, const T* o, const T* q, const T* k,
                                         const T* v, const double* lse, const uint8_t* keep, AttnDims g, int Bc) {
    extern __shared__ unsigned char smem_raw[];
    T* k_sh = reinterpret_cast<T*>(smem_raw);
    T* v_sh = k_sh + Bc * g.Dh;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int64_t bh = blockIdx.y, b = bh / g.H;
    const int64_t t = static_cast<int64_t>(blockIdx.x) * kWarps + warp;
    const bool active = t < g.T;
    const int64_t row = (bh * g.T + (active ? t : 0)) * g.Dh;
    double qv[kPerLane], gov[kPerLane], dqv[kPerLane];
    double dd = 0;
    for (int i = 0; i < kPerLane; ++i) {
        const int64_t d = lane + 32 * i;
        const bool in = active && d < g.Dh;
        qv[i] = in ? static_cast<double>(q[row + d]) : 0.0;
        gov[i] = in ? static_cast<double>(go[row + d]) : 0.0;
        dd += in ? gov[i] * static_cast<double>(o[row + d]) : 0.0;
        dqv[i] = 0.0;
    }
    const double D = warp_sum(dd);
    const double L = active ? lse[bh * g.T + t] : 0.0;
    const T* kb = k + bh * g.S * g.Dh;
    const T* vb = v + bh * g.S * g.Dh;
    const int64_t t_last = min(g.T, static_cast<int64_t>(blockIdx.x + 1) * kWarps) - 1;
    const int64_t s_end = g.causal ? min(g.S, t_last + 1) : g.S;
    for (int64_t s0 = 0; s0 < s_end; s0 += Bc) {
        const int n = static_cast<int>(min(static_cast<int64_t>(Bc), s_end - s0));
        __syncthreads();
        load_tiles(k_sh, v_sh, kb, vb, s0, n, g.Dh);
        __syncthreads();
        if (!active) continue;
        for (int j = 0; j < n; ++j) {
            if (!visible(g, keep, b, t, s0 + j)) continue;
            double qk = 0, gv = 0;
            for (int i = 0; i < kPerLane; ++i) {
                const int64_t d = lane + 32 * i;
                if (d < g.Dh) {
                    qk += qv[i] * static_cast<double>(k_sh[j * g.Dh + d]);
                    gv += gov[i] * static_cast<double>(v_sh[j * g.Dh + d]);
                }
            }
            qk = warp_sum(qk);
            gv = warp_sum(gv);
            const double p = exp(qk * g.scale - L);   // 4. P recomputed
            const double ds = p * (gv - D);           // 5. dS = P (dP − D)
            for (int i = 0; i < kPerLane; ++i) {
                const int64_t d = lane + 32 * i;
                if (d < g.Dh) dqv[i] += ds * g.scale * static_cast<double>(k_sh[j * g.Dh + d]);
            }
        }
    }
    if (!active) return;
    for (int i = 0; i < kPerLane; ++i) {
        const int64_t d = lane + 32 * i;
        if (d < g.Dh) dq[row + d] = static_cast<T>(dqv[i]);
    }
    if (lane == 0) delta[bh * g.T + t] = D;
}

// backward (b): dK_s and dV_s, one warp per key row; tiles of Q and dO shared.  grid: (ceil(S / kWarps), B·H)
template <class T>
__global__ void flash_backward_dkv_kernel(T* dk, T* dv, const T* go, const T* q, const T* k, const T* v,
                                          const double* lse, const double* delta, const uint8_t* keep, AttnDims g,
                                          int Bc) {
    extern __shared__ unsigned char smem_raw[];
    T* q_sh = reinterpret_cast<T*>(smem_raw);
    T* g_sh = q_sh + Bc * g.Dh;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int64_t bh = blockIdx.y, b = bh / g.H;
    const int64_t s = static_cast<int64_t>(blockIdx.x) * kWarps + warp;
    const bool active = s < g.S;
    const int64_t row = (bh * g.S + (active ? s : 0)) * g.Dh;
    double kv[kPerLane], vv[kPerLane], dkv[kPerLane], dvv[kPerLane];
    for (int i = 0; i < kPerLane; ++i) {
        const int64_t d = lane + 32 * i;
        const bool in = active && d < g.Dh;
        kv[i] = in ? static_cast<double>(k[row + d]) : 0.0;
        vv[i] = in ? static_cast<double>(v[row + d]) : 0.0;
        dkv[i] = dvv[i] = 0.0;
    }
    const T* qb = q + bh * g.T * g.Dh;
    const T* gb = go + bh * g.T * g.Dh;
    // Under the causal mask only queries t ≥ (the block's first key) see any of the block's keys.
    const int64_t t_begin = g.causal ? min(g.T, static_cast<int64_t>(blockIdx.x) * kWarps) : 0;
    for (int64_t t0 = t_begin; t0 < g.T; t0 += Bc) {
        const int n = static_cast<int>(min(static_cast<int64_t>(Bc), g.T - t0));
        __syncthreads();
        load_tiles(q_sh, g_sh, qb, gb, t0, n, g.Dh);
        __syncthreads();
        if (!active) continue;
        for (int j = 0; j < n; ++j) {
            const int64_t t = t0 + j;
            if (!visible(g, keep, b, t, s)) continue;
            double qk = 0, gv = 0;
            for (int i = 0; i < kPerLane; ++i) {
                const int64_t d = lane + 32 * i;
                if (d < g.Dh) {
                    qk += static_cast<double>(q_sh[j * g.Dh + d]) * kv[i];
                    gv += static_cast<double>(g_sh[j * g.Dh + d]) * vv[i];
                }
            }
            qk = warp_sum(qk);
            gv = warp_sum(gv);
            const double p = exp(qk * g.scale - lse[bh * g.T + t]);
            const double ds = p * (gv - delta[bh * g.T + t]);
            for (int i = 0; i < kPerLane; ++i) {
                const int64_t d = lane + 32 * i;
                if (d < g.Dh) {
                    dvv[i] += p * static_cast<double>(g_sh[j * g.Dh + d]);           // 4. dV += Pᵀ dO
                    dkv[i] += ds * g.scale * static_cast<double>(q_sh[j * g.Dh + d]);  // 5. dK += dSᵀ Q / √Dh
                }
            }
        }
    }
    if (!active) return;
    for (int i = 0; i < kPerLane; ++i) {
        const int64_t d = lane + 32 * i;
        if (d < g.Dh) {
            dk[row + d] = static_cast<T>(dkv[i]);
            dv[row + d] = static_cast<T>(dvv[i]);
        }
    }
}

dim3 attn_grid(const char* op, int64_t rows, int64_t BH) {
    if (BH > 65535) fail(op, "launch", "B·H = " + std::to_string(BH) + " exceeds the grid's y limit of 65535");
    if (rows > int64_t(kWarps) << 20) fail(op, "launch", std::to_string(rows) + " rows exceed the kernel's grid");
    return dim3(grid_for(rows, kWarps), static_cast<unsigned>(BH));
}

}  // namespace

Tensor flash_attention(const Tensor& q, const Tensor& k, const Tensor& v, const std::vector<uint8_t>& keep_host,
                       bool causal) {
    const char* op = "scaled_dot_product_attention_tiled";
    const AttnDims g{q.size(0), q.size(1), q.size(2), k.size(2), q.size(3), 1.0 / std::sqrt(static_cast<double>(q.size(3))),
                     causal};
    if (g.Dh > 32 * kPerLane)
        throw ConfigError(std::string(op) + ": the CUDA kernel supports head sizes up to " + std::to_string(32 * kPerLane) +
                          "; got " + std::to_string(g.Dh) + " in q " + shape_str(q.shape()));
    Tensor keep_u8 = Tensor::empty({static_cast<int64_t>(keep_host.size())}, DType::i32, Device::cuda);  // bytes ≤ i32's
    backend_for(Device::cuda).copy_from_host(keep_u8.raw_data(), keep_host.data(), keep_host.size());
    Tensor out = Tensor::empty(q.shape(), q.dtype(), Device::cuda);
    Tensor lse = Tensor::empty({g.B, g.H, g.T}, DType::f64, Device::cuda);
    float_dispatch(op, q.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const int Bc = tile_keys<T>(g.Dh);
        const size_t smem = 2 * static_cast<size_t>(Bc) * static_cast<size_t>(g.Dh) * sizeof(T);
        flash_forward_kernel<T><<<attn_grid(op, g.T, g.B * g.H), kThreads, smem>>>(
            static_cast<T*>(out.raw_data()), static_cast<double*>(lse.raw_data()), static_cast<const T*>(q.raw_data()),
            static_cast<const T*>(k.raw_data()), static_cast<const T*>(v.raw_data()),
            static_cast<const uint8_t*>(keep_u8.raw_data()), g, Bc);
    });
    BP_CUDA_LAUNCHED(op, "flash_forward_kernel");
    if (autograd::needs_record({&q, &k, &v}))
        autograd::record(
            op, out, {q, k, v},
            [q, k, v, o = out.detach(), lse, keep_u8, g, op](const Tensor& grad_out) -> std::vector<Tensor> {
                Tensor gq = Tensor::empty(q.shape(), q.dtype(), Device::cuda), gk = Tensor::empty(k.shape(), k.dtype(), Device::cuda),
                       gv = Tensor::empty(v.shape(), v.dtype(), Device::cuda);
                Tensor delta = Tensor::empty({g.B, g.H, g.T}, DType::f64, Device::cuda);
                float_dispatch(op, q.dtype(), [&](auto tag) {
                    using T = decltype(tag);
                    const int Bc = tile_keys<T>(g.Dh);
                    const size_t smem = 2 * static_cast<size_t>(Bc) * static_cast<size_t>(g.Dh) * sizeof(T);
                    const auto* keep = static_cast<const uint8_t*>(keep_u8.raw_data());
                    flash_backward_dq_kernel<T><<<attn_grid(op, g.T, g.B * g.H), kThreads, smem>>>(
                        static_cast<T*>(gq.raw_data()), static_cast<double*>(delta.raw_data()),
                        static_cast<const T*>(grad_out.raw_data()), static_cast<const T*>(o.raw_data()),
                        static_cast<const T*>(q.raw_data()), static_cast<const T*>(k.raw_data()),
                        static_cast<const T*>(v.raw_data()), static_cast<const double*>(lse.raw_data()), keep, g, Bc);
                    BP_CUDA_LAUNCHED(op, "flash_backward_dq_kernel");
                    flash_backward_dkv_kernel<T><<<attn_grid(op, g.S, g.B * g.H), kThreads, smem>>>(
                        static_cast<T*>(gk.raw_data()), static_cast<T*>(gv.raw_data()),
                        static_cast<const T*>(grad_out.raw_data()), static_cast<const T*>(q.raw_data()),
                        static_cast<const T*>(k.raw_data()), static_cast<const T*>(v.raw_data()),
                        static_cast<const double*>(lse.raw_data()), static_cast<const double*>(delta.raw_data()), keep,
                        g, Bc);
                    BP_CUDA_LAUNCHED(op, "flash_backward_dkv_kernel");
                });
                return {q.requires_grad() ? gq : Tensor(), k.requires_grad() ? gk : Tensor(),
                        v.requires_grad() ? gv : Tensor()};
            },
            std::string("causal=") + (causal ? "true" : "false") + ", fused cuda");
    return out;
}

}  // namespace bp::cuda
