// cuda_transformer.cu — CUDA paths of the transformer building blocks (cuda_ops.h): embedding, layer norm, RMS
// norm, rotary embedding, SwiGLU and transpose, each forward + backward. One warp per normalised row, one
// thread per element elsewhere, column sums one thread per column. The formulas and their derivations are in
// ops/transformer.cpp; these kernels compute the same quantities in the same order where it matters
// (statistics in double).
#include <cmath>

#include "bp/autograd.h"
#include "bp/backend.h"
#include "cuda/cuda_common.cuh"
#include "cuda/cuda_gemm.h"
#include "cuda/cuda_ops.h"

namespace bp::cuda {
namespace {

// ---- embedding -------------------------------------------------------------------------------------------------
template <class T>
__global__ void embedding_kernel(T* out, const T* w, const int32_t* idx, int64_t D, int64_t n) {
    BP_GRID_LOOP(i, n) out[i] = w[static_cast<int64_t>(idx[i / D]) * D + i % D];
}
template <class T>
__global__ void embedding_backward_kernel(T* gw, const T* g, const int32_t* idx, int64_t D, int64_t n) {
    BP_GRID_LOOP(i, n) atomicAdd(gw + static_cast<int64_t>(idx[i / D]) * D + i % D, g[i]);  // rows repeat
}

// ---- layer norm ------------------------------------------------------------------------------------------------
template <class T>
__global__ void layer_norm_kernel(T* y, T* xhat, double* rstd, const T* x, const T* gamma, const T* beta, double eps,
                                  int64_t R, int64_t D) {
    const int lane = threadIdx.x & 31;
    BP_WARP_ROWS(r, R) {
        const T* xr = x + r * D;
        double mu = 0;
        for (int64_t i = lane; i < D; i += 32) mu += static_cast<double>(xr[i]);
        mu = warp_sum(mu) / static_cast<double>(D);
        double var = 0;
        for (int64_t i = lane; i < D; i += 32) var += (xr[i] - mu) * (xr[i] - mu);
        var = warp_sum(var) / static_cast<double>(D);
        const double rs = 1.0 / sqrt(var + eps);
        if (lane == 0) rstd[r] = rs;
        for (int64_t i = lane; i < D; i += 32) {
            const double h = (xr[i] - mu) * rs;
            xhat[r * D + i] = static_cast<T>(h);
            y[r * D + i] = static_cast<T>(h * (gamma ? static_cast<double>(gamma[i]) : 1.0) +
                                          (beta ? static_cast<double>(beta[i]) : 0.0));
        }
    }
}
// grad_x = r · (h − mean(h) − x̂ · mean(h x̂)),  h = γ g
template <class T>
__global__ void layer_norm_backward_kernel(T* gx, const T* g, const T* xhat, const double* rstd, const T* gamma,
                                           int64_t R, int64_t D) {
    const int lane = threadIdx.x & 31;
    BP_WARP_ROWS(r, R) {
        const T* gr = g + r * D;
        const T* hr = xhat + r * D;
        double mh = 0, mhx = 0;
        for (int64_t i = lane; i < D; i += 32) {
            const double h = gr[i] * (gamma ? static_cast<double>(gamma[i]) : 1.0);
            mh += h;
            mhx += h * hr[i];
        }
        mh = warp_sum(mh) / static_cast<double>(D);
        mhx = warp_sum(mhx) / static_cast<double>(D);
        for (int64_t i = lane; i < D; i += 32)
            gx[r * D + i] =
                static_cast<T>(rstd[r] * (gr[i] * (gamma ? static_cast<double>(gamma[i]) : 1.0) - mh - hr[i] * mhx));
    }
}
// Column sums over rows: ga[i] = Σ_r g[r, i]·a[r, i]·(s ? s[r] : 1) (a null → 1); one thread per column.
template <class T>
__global__ void column_sum_kernel(T* out, const T* g, const T* a, const double* s, int64_t R, int64_t D) {
    BP_GRID_LOOP(i, D) {
        double acc = 0;
        for (int64_t r = 0; r < R; ++r)
            acc += static_cast<double>(g[r * D + i]) * (a ? static_cast<double>(a[r * D + i]) : 1.0) * (s ? s[r] : 1.0);
        out[i] = static_cast<T>(acc);
    }
}

// ---- RMS norm --------------------------------------------------------------------------------------------------
template <class T>
__global__ void rms_norm_kernel(T* y, double* rinv, const T* x, const T* gamma, double eps, int64_t R, int64_t D) {
    const int lane = threadIdx.x & 31;
    BP_WARP_ROWS(r, R) {
        const T* xr = x + r * D;
        double ms = 0;
        for (int64_t i = lane; i < D; i += 32) ms += static_cast<double>(xr[i]) * xr[i];
        ms = warp_sum(ms);
        const double rs = 1.0 / sqrt(ms / static_cast<double>(D) + eps);
        if (lane == 0) rinv[r] = rs;
        for (int64_t i = lane; i < D; i += 32)
            y[r * D + i] = static_cast<T>(xr[i] * rs * (gamma ? static_cast<double>(gamma[i]) : 1.0));
    }
}
// grad_x = r (h − x r² mean(h x)),  h = γ g
template <class T>
__global__ void rms_norm_backward_kernel(T* gx, const T* g, const T* x, const double* rinv, const T* gamma, int64_t R,
                                         int64_t D) {
    const int lane = threadIdx.x & 31;
    BP_WARP_ROWS(r, R) {
        const T *gr = g + r * D, *xr = x + r * D;
        const double rs = rinv[r];
        double mhx = 0;
        for (int64_t i = lane; i < D; i += 32) mhx += gr[i] * (gamma ? static_cast<double>(gamma[i]) : 1.0) * xr[i];
        mhx = warp_sum(mhx) / static_cast<double>(D);
        for (int64_t i = lane; i < D; i += 32)
            gx[r * D + i] = static_cast<T>(rs * (gr[i] * (gamma ? static_cast<double>(gamma[i]) : 1.0) - xr[i] * rs * rs * mhx));
    }
}

// ---- rope: one thread per (bh, t, pair) ------------------------------------------------------------------------
template <class T>
__global__ void rope_kernel(T* y, const T* x, int64_t BH, int64_t Tn, int64_t Dh, int64_t offset, double base,
                            double sign) {
    const int64_t half = Dh / 2;
    BP_GRID_LOOP(k, BH * Tn * half) {
        const int64_t i = k % half, t = (k / half) % Tn, bh = k / (half * Tn);
        const double theta = static_cast<double>(offset + t) * pow(base, -2.0 * static_cast<double>(i) / static_cast<double>(Dh));
        const double c = cos(theta), s = sign * sin(theta);
        const int64_t o = (bh * Tn + t) * Dh + 2 * i;
        const double x0 = x[o], x1 = x[o + 1];
        y[o] = static_cast<T>(x0 * c - x1 * s);
        y[o + 1] = static_cast<T>(x0 * s + x1 * c);
    }
}

// ---- swiglu ----------------------------------------------------------------------------------------------------
template <class T>
__global__ void swiglu_kernel(T* y, const T* x, int64_t F, int64_t n) {
    BP_GRID_LOOP(k, n) {
        const int64_t r = k / F, f = k % F;
        const double a = x[r * 2 * F + f], b = x[r * 2 * F + F + f];
        y[k] = static_cast<T>(a / (1.0 + exp(-a)) * b);
    }
}
template <class T>
__global__ void swiglu_backward_kernel(T* gx, const T* g, const T* x, int64_t F, int64_t n) {
    BP_GRID_LOOP(k, n) {
        const int64_t r = k / F, f = k % F;
        const double a = x[r * 2 * F + f], b = x[r * 2 * F + F + f], gy = g[k];
        const double s = 1.0 / (1.0 + exp(-a));
        gx[r * 2 * F + f] = static_cast<T>(gy * b * s * (1.0 + a * (1.0 - s)));
        gx[r * 2 * F + F + f] = static_cast<T>(gy * a * s);
    }
}

// ---- transpose: out (padded to 4-D) reads x through permuted strides --------------------------------------------
struct Perm4 {
    int64_t od[4];  // out dims, padded with leading 1s
    int64_t st[4];  // x's stride for each out dim
};
template <class T>
__global__ void transpose_kernel(T* out, const T* x, Perm4 p, int64_t n) {
    BP_GRID_LOOP(i, n) {
        int64_t r = i, src = 0;
        for (int d = 3; d >= 0; --d) {
            src += (r % p.od[d]) * p.st[d];
            r /= p.od[d];
        }
        out[i] = x[src];
    }
}

}  // namespace

Tensor swap_dims(const Tensor& x, int64_t d0, int64_t d1) {
    Shape os = x.shape();
    std::swap(os[static_cast<size_t>(d0)], os[static_cast<size_t>(d1)]);
    Tensor out = Tensor::empty(os, x.dtype(), Device::cuda);
    const int64_t nd = x.dim(), pad = 4 - nd;
    std::vector<int64_t> in_stride(static_cast<size_t>(nd), 1);
    for (int64_t d = nd - 2; d >= 0; --d) in_stride[static_cast<size_t>(d)] = in_stride[static_cast<size_t>(d + 1)] * x.size(d + 1);
    std::swap(in_stride[static_cast<size_t>(d0)], in_stride[static_cast<size_t>(d1)]);
    Perm4 p{{1, 1, 1, 1}, {0, 0, 0, 0}};
    for (int64_t d = 0; d < nd; ++d) {
        p.od[pad + d] = os[static_cast<size_t>(d)];
        p.st[pad + d] = in_stride[static_cast<size_t>(d)];
    }
    const int64_t n = out.numel();
    if (n == 0) return out;
    float_dispatch("transpose", x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        transpose_kernel<<<grid_for(n), kBlock>>>(mptr<T>(out), cptr<T>(x), p, n);
    });
    BP_CUDA_LAUNCHED("transpose", "transpose_kernel");
    return out;
}

namespace {

void rope_launch(Tensor& y, const Tensor& x, int64_t offset, double base, double sign) {
    const int64_t BH = x.size(0) * x.size(1), Tn = x.size(2), Dh = x.size(3);
    const int64_t n = BH * Tn * (Dh / 2);
    if (n == 0) return;
    float_dispatch("rope", x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        rope_kernel<<<grid_for(n), kBlock>>>(mptr<T>(y), cptr<T>(x), BH, Tn, Dh, offset, base, sign);
    });
    BP_CUDA_LAUNCHED("rope", "rope_kernel");
}

}  // namespace

Tensor embedding(const Tensor& indices, const Tensor& weight) {
    const int64_t D = weight.size(1), N = indices.numel();
    const Tensor idx = indices.to(Device::cuda);
    Shape os = indices.shape();
    os.push_back(D);
    Tensor out = Tensor::empty(os, weight.dtype(), Device::cuda);
    if (N * D > 0) {
        float_dispatch("embedding", weight.dtype(), [&](auto tag) {
            using T = decltype(tag);
            embedding_kernel<<<grid_for(N * D), kBlock>>>(mptr<T>(out), cptr<T>(weight), cptr<int32_t>(idx), D, N * D);
        });
        BP_CUDA_LAUNCHED("embedding", "embedding_kernel");
    }
    if (autograd::needs_record({&weight}))
        autograd::record("embedding", out, {weight, indices}, [weight, idx, N, D](const Tensor& g) -> std::vector<Tensor> {
            Tensor gw = Tensor::zeros(weight.shape(), weight.dtype(), Device::cuda);
            if (N * D > 0) {
                float_dispatch("embedding_backward", weight.dtype(), [&](auto tag) {
                    using T = decltype(tag);
                    embedding_backward_kernel<<<grid_for(N * D), kBlock>>>(mptr<T>(gw), cptr<T>(g), cptr<int32_t>(idx), D, N * D);
                });
                BP_CUDA_LAUNCHED("embedding_backward", "embedding_backward_kernel");
            }
            return {gw, Tensor()};
        });
    return out;
}

Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps) {
    const int64_t D = x.shape().back(), R = x.numel() / D;
    Tensor y = Tensor::empty(x.shape(), x.dtype(), Device::cuda);
    Tensor xhat = Tensor::empty(x.shape(), x.dtype(), Device::cuda), rstd = Tensor::empty({R}, DType::f64, Device::cuda);
    if (R > 0) {
        float_dispatch("layer_norm", x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            layer_norm_kernel<<<row_grid(R), kBlock>>>(mptr<T>(y), mptr<T>(xhat), mptr<double>(rstd), cptr<T>(x), cptr<T>(gamma),
                                                       cptr<T>(beta), eps, R, D);
        });
        BP_CUDA_LAUNCHED("layer_norm", "layer_norm_kernel");
    }
    if (autograd::needs_record({&x, &gamma, &beta}))
        autograd::record(
            "layer_norm", y, {x, gamma, beta},
            [x, gamma, beta, xhat, rstd, D, R](const Tensor& g) -> std::vector<Tensor> {
                Tensor gx, gg, gb;
                float_dispatch("layer_norm_backward", x.dtype(), [&](auto tag) {
                    using T = decltype(tag);
                    if (gamma.defined() && gamma.requires_grad()) {
                        gg = Tensor::empty({D}, x.dtype(), Device::cuda);
                        column_sum_kernel<<<grid_for(D), kBlock>>>(mptr<T>(gg), cptr<T>(g), cptr<T>(xhat), nullptr, R, D);
                        BP_CUDA_LAUNCHED("layer_norm_backward", "column_sum_kernel");
                    }
                    if (beta.defined() && beta.requires_grad()) {
                        gb = Tensor::empty({D}, x.dtype(), Device::cuda);
                        column_sum_kernel<<<grid_for(D), kBlock>>>(mptr<T>(gb), cptr<T>(g), static_cast<const T*>(nullptr),
                                                                   nullptr, R, D);
                        BP_CUDA_LAUNCHED("layer_norm_backward", "column_sum_kernel");
                    }
                    if (x.requires_grad() && R > 0) {
                        gx = Tensor::empty(x.shape(), x.dtype(), Device::cuda);
                        layer_norm_backward_kernel<<<row_grid(R), kBlock>>>(mptr<T>(gx), cptr<T>(g), cptr<T>(xhat),
                                                                            cptr<double>(rstd), cptr<T>(gamma), R, D);
                        BP_CUDA_LAUNCHED("layer_norm_backward", "layer_norm_backward_kernel");
                    }
                });
                return {gx, gg, gb};
            },
            "eps=" + std::to_string(eps));
    return y;
}

Tensor rms_norm(const Tensor& x, const Tensor& gamma, double eps) {
    const int64_t D = x.shape().back(), R = x.numel() / D;
    Tensor y = Tensor::empty(x.shape(), x.dtype(), Device::cuda), rinv = Tensor::empty({R}, DType::f64, Device::cuda);
    if (R > 0) {
        float_dispatch("rms_norm", x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            rms_norm_kernel<<<row_grid(R), kBlock>>>(mptr<T>(y), mptr<double>(rinv), cptr<T>(x), cptr<T>(gamma), eps, R, D);
        });
        BP_CUDA_LAUNCHED("rms_norm", "rms_norm_kernel");
    }
    if (autograd::needs_record({&x, &gamma}))
        autograd::record(
            "rms_norm", y, {x, gamma},
            [x, gamma, rinv, D, R](const Tensor& g) -> std::vector<Tensor> {
                Tensor gx, gg;
                float_dispatch("rms_norm_backward", x.dtype(), [&](auto tag) {
                    using T = decltype(tag);
                    if (gamma.defined() && gamma.requires_grad()) {  // ∂L/∂γ_i = Σ_rows g_i x_i r
                        gg = Tensor::empty({D}, x.dtype(), Device::cuda);
                        column_sum_kernel<<<grid_for(D), kBlock>>>(mptr<T>(gg), cptr<T>(g), cptr<T>(x), cptr<double>(rinv), R, D);
                        BP_CUDA_LAUNCHED("rms_norm_backward", "column_sum_kernel");
                    }
                    if (x.requires_grad() && R > 0) {
                        gx = Tensor::empty(x.shape(), x.dtype(), Device::cuda);
                        rms_norm_backward_kernel<<<row_grid(R), kBlock>>>(mptr<T>(gx), cptr<T>(g), cptr<T>(x), cptr<double>(rinv),
                                                                          cptr<T>(gamma), R, D);
                        BP_CUDA_LAUNCHED("rms_norm_backward", "rms_norm_backward_kernel");
                    }
                });
                return {gx, gg};
            },
            "eps=" + std::to_string(eps));
    return y;
}

Tensor rope(const Tensor& x, int64_t position_offset, double base) {
    Tensor y = Tensor::empty(x.shape(), x.dtype(), Device::cuda);
    rope_launch(y, x, position_offset, base, 1.0);
    if (autograd::needs_record({&x}))
        autograd::record(
            "rope", y, {x},
            [position_offset, base](const Tensor& g) -> std::vector<Tensor> {
                Tensor gx = Tensor::empty(g.shape(), g.dtype(), Device::cuda);
                rope_launch(gx, g, position_offset, base, -1.0);  // R(−θ)
                return {gx};
            },
            "offset=" + std::to_string(position_offset));
    return y;
}

Tensor swiglu(const Tensor& x) {
    const int64_t F = x.shape().back() / 2, n = x.numel() / 2;
    Shape os = x.shape();
    os.back() = F;
    Tensor y = Tensor::empty(os, x.dtype(), Device::cuda);
    if (n > 0) {
        float_dispatch("swiglu", x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            swiglu_kernel<<<grid_for(n), kBlock>>>(mptr<T>(y), cptr<T>(x), F, n);
        });
        BP_CUDA_LAUNCHED("swiglu", "swiglu_kernel");
    }
    if (autograd::needs_record({&x}))
        autograd::record("swiglu", y, {x}, [x, F, n](const Tensor& g) -> std::vector<Tensor> {
            Tensor gx = Tensor::empty(x.shape(), x.dtype(), Device::cuda);
            if (n > 0) {
                float_dispatch("swiglu_backward", x.dtype(), [&](auto tag) {
                    using T = decltype(tag);
                    swiglu_backward_kernel<<<grid_for(n), kBlock>>>(mptr<T>(gx), cptr<T>(g), cptr<T>(x), F, n);
                });
                BP_CUDA_LAUNCHED("swiglu_backward", "swiglu_backward_kernel");
            }
            return {gx};
        });
    return y;
}

void gemm_batched(Tensor& out, const Tensor& x, bool tx, const Tensor& y, bool ty) {
    const int64_t M = out.size(-2), N = out.size(-1), K = tx ? x.size(-2) : x.size(-1);
    const int64_t batch = (M > 0 && N > 0) ? out.numel() / (M * N) : 0;
    if (batch == 0) return;
    gemm_rm("bmm", out.dtype(), tx, ty, M, N, K, 1.0, x.raw_data(), x.size(-1), x.size(-2) * x.size(-1), y.raw_data(),
            y.size(-1), y.size(-2) * y.size(-1), 0.0, out.raw_data(), N, M * N, batch);
}


}  // namespace bp::cuda
