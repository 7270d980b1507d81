// transformer.cpp — the building blocks of a transformer other than attention: embedding lookup, layer and
// RMS normalisation, rotary position embedding, SiLU / SwiGLU, batched matmul and transpose. Reference loops
// on the host, written as the formulas; attention itself is in attention.cpp. Not on CUDA yet: a cuda tensor
// throws ConfigError naming the op.
#include <Eigen/Core>
#include <cmath>
#include <cstring>
#include <vector>

#include "bp/precision.h"
#include "cpu/lane_sum.h"
#include "cpu/parallel.h"
#include "cpu/sgemm.h"
#include "ops/op_util.h"
#if defined(BP_HAVE_CUDA)
#include "cuda/cuda_ops.h"
#endif

namespace bp {
using namespace detail;

// embedding: out[n, :] = W[idx[n], :]      idx: [N] (any shape)  W: [V, D]  out: idx.shape + [D]
// backward: grad_W[v, :] = Σ_{n: idx[n] = v} grad_out[n, :]   (a scatter-add; rows never picked get 0)
Tensor embedding(const Tensor& indices, const Tensor& weight) {
    check_float("embedding", weight);
    if (!indices.defined() || indices.dtype() != DType::i32)
        throw ConfigError("embedding: indices must be an int32 tensor of token ids");
    if (weight.dim() != 2 || indices.dim() < 1 || indices.dim() > 3)
        throw ShapeError("embedding", indices.shape(), weight.shape(),
                         "indices must be 1-D to 3-D (e.g. [B, T]) and the weight [num_embeddings, embedding_dim]");
    const int64_t V = weight.size(0), D = weight.size(1), N = indices.numel();
    const Tensor indices_host = indices.to(Device::cpu);  // the range check reads them on the host
    const int32_t* idx = indices_host.data<int32_t>();
    for (int64_t n = 0; n < N; ++n)
        if (idx[n] < 0 || idx[n] >= V)
            throw ConfigError("embedding: index " + std::to_string(idx[n]) + " at position " + std::to_string(n) +
                              " of indices " + shape_str(indices.shape()) + " is outside [0, " + std::to_string(V) +
                              "), the weight " + shape_str(weight.shape()) + " has " + std::to_string(V) +
                              " rows; check the vocabulary size");
#if defined(BP_HAVE_CUDA)
    if (weight.device() == Device::cuda) return cuda::embedding(indices, weight);
#endif
    check_host("embedding", weight);
    check_host("embedding", indices);
    Shape out_shape = indices.shape();
    out_shape.push_back(D);
    Tensor out = Tensor::empty(out_shape, weight.dtype());
    dispatch_dtype(weight.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const T* w = weight.data<T>();
        T* o = out.data<T>();
        for (int64_t n = 0; n < N; ++n)
            for (int64_t d = 0; d < D; ++d) o[n * D + d] = w[idx[n] * D + d];
    });
    if (autograd::needs_record({&weight}))
        autograd::record("embedding", out, {weight, indices}, [weight, indices, N, D](const Tensor& g) -> std::vector<Tensor> {
            Tensor gw = Tensor::zeros(weight.shape(), weight.dtype());
            dispatch_dtype(weight.dtype(), [&](auto tag) {
                using T = decltype(tag);
                const int32_t* idx = indices.data<int32_t>();
                const T* go = g.data<T>();
                T* gwp = gw.data<T>();
                for (int64_t n = 0; n < N; ++n)
                    for (int64_t d = 0; d < D; ++d) gwp[idx[n] * D + d] += go[n * D + d];  // accumulate
            });
            return {gw, Tensor()};
        });
    return out;
}

static void check_norm(const char* op, const Tensor& x, const Tensor& p, const char* pname) {
    if (!p.defined()) return;
    check_same(op, x, p);
    if (p.dim() != 1 || p.size(0) != x.shape().back())
        throw ShapeError(op, x.shape(), p.shape(),
                         std::string(pname) + " must be [" + std::to_string(x.shape().back()) +
                             "], the input's last dimension");
}

using cpu::lane_sum;  // cpu/lane_sum.h: 16 vectorised partial sums folded into double
using cpu::lane_sum_v;
using cpu::load_lanes;

// Floats between the starts of two chunks' partial sums of D values: D rounded up to a cache line, plus one line,
// so no two chunks (run by different threads, written once per row) ever share a line. Packed at D apart, a
// chunk's last line and the next chunk's first were one line bouncing between the cores on every row: measured,
// layer_norm's backward [32, 64, 128] took 0.34 ms on two threads against 0.22 ms on one.
static int64_t partial_stride(int64_t D) { return (D + 15) / 16 * 16 + 16; }

// layer_norm per row of D values x_i (Ba, Kiros & Hinton 2016):
//   μ = (1/D) Σ x_i;  σ² = (1/D) Σ (x_i − μ)²;  r = (σ² + ε)^(−1/2);  x̂_i = (x_i − μ) r;  y_i = γ_i x̂_i + β_i
// backward, g_i = ∂L/∂y_i (the batch-norm derivation with the roles of the axes swapped):
//   1. ∂L/∂β_i = Σ_rows g_i;  ∂L/∂γ_i = Σ_rows g_i x̂_i
//   2. h_i = γ_i g_i = ∂L/∂x̂_i
//   3. ∂L/∂x_i = r · (h_i − mean_j(h_j) − x̂_i · mean_j(h_j x̂_j))
Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps) {
    check_float("layer_norm", x);
    if (x.dim() < 1 || x.shape().back() == 0)
        throw ShapeError("layer_norm: needs a non-empty last dimension to normalise; got " + shape_str(x.shape()));
    check_norm("layer_norm", x, gamma, "gamma (weight)");
    check_norm("layer_norm", x, beta, "beta (bias)");
    if (!(eps > 0)) throw ConfigError("layer_norm: needs eps > 0; got " + std::to_string(eps));
#if defined(BP_HAVE_CUDA)
    if (x.device() == Device::cuda) return cuda::layer_norm(x, gamma, beta, eps);
#endif
    check_host("layer_norm", x);
    const int64_t D = x.shape().back(), R = x.numel() / D;
    Tensor y = Tensor::empty(x.shape(), x.dtype());
    // Saved for backward: each row's μ and r (in x's type, as x̂ is computed), not x̂ itself, which backward
    // computes again from x, as PyTorch does: one tensor of x's size less to write and to keep.
    Tensor stats = Tensor::empty({R, 2}, x.dtype());
    dispatch_dtype(x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const T* xp = x.data<T>();
        const T* gp = gamma.defined() ? gamma.data<T>() : nullptr;
        const T* bp = beta.defined() ? beta.data<T>() : nullptr;
        T* yp = y.data<T>();
        T* sp = stats.data<T>();
        // Rows are independent: chunks of rows run in parallel (cpu/parallel.h), the same values either way.
        cpu::parallel_for(R, cpu::grain_for(R, std::max<int64_t>(1, 8192 / D)), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const T* xr = xp + r * D;
            const double mu = lane_sum_v<T>(D, [xr](int64_t i) { return load_lanes(xr + i); },
                                            [xr](int64_t i) { return xr[i]; }) /
                              static_cast<double>(D);
            const T muT = static_cast<T>(mu);
            const double var = lane_sum_v<T>(
                                   D,
                                   [xr, muT](int64_t i) {
                                       const cpu::Lanes<T> d = load_lanes(xr + i) - muT;
                                       return d * d;
                                   },
                                   [xr, muT](int64_t i) { return (xr[i] - muT) * (xr[i] - muT); }) /
                               static_cast<double>(D);
            const T rsT = static_cast<T>(1.0 / std::sqrt(var + eps));
            sp[2 * r] = muT;
            sp[2 * r + 1] = rsT;
            T* yr = yp + r * D;
            if (gp && bp)
                for (int64_t i = 0; i < D; ++i) yr[i] = (xr[i] - muT) * rsT * gp[i] + bp[i];
            else
                for (int64_t i = 0; i < D; ++i)
                    yr[i] = (xr[i] - muT) * rsT * (gp ? gp[i] : T(1)) + (bp ? bp[i] : T(0));
        }
        });
    });
    if (autograd::needs_record({&x, &gamma, &beta}))
        autograd::record(
            "layer_norm", y, {x, gamma, beta},
            [x, gamma, beta, stats, D, R](const Tensor& g) -> std::vector<Tensor> {
                Tensor gx, gg, gb;
                if (x.requires_grad()) gx = Tensor::empty(x.shape(), x.dtype());
                if (gamma.defined() && gamma.requires_grad()) gg = Tensor::zeros({D}, x.dtype());
                if (beta.defined() && beta.requires_grad()) gb = Tensor::zeros({D}, x.dtype());
                dispatch_dtype(x.dtype(), [&](auto tag) {
                    using T = decltype(tag);
                    const T* go = g.data<T>();
                    const T* xp = x.data<T>();
                    const T* sp = stats.data<T>();
                    const T* gp = gamma.defined() ? gamma.data<T>() : nullptr;
                    T* gxp = gx.defined() ? gx.data<T>() : nullptr;
                    // Chunks of rows in parallel; the γ and β gradients (sums over rows) are summed per chunk
                    // and the chunks' sums added in chunk order, so a thread count always gives the same bits.
                    const int64_t grain = cpu::grain_for(R, std::max<int64_t>(1, 8192 / D));
                    const int64_t chunks = (R + grain - 1) / grain;
                    const bool sums = gg.defined() || gb.defined();
                    const int64_t ld = partial_stride(D);
                    std::vector<T> part_g(sums && gg.defined() ? static_cast<size_t>(chunks * ld) : 0, T(0));
                    std::vector<T> part_b(sums && gb.defined() ? static_cast<size_t>(chunks * ld) : 0, T(0));
                    cpu::parallel_for(R, grain, [&](int64_t r0, int64_t r1) {
                    T* ggp = part_g.empty() ? nullptr : part_g.data() + (r0 / grain) * ld;
                    T* gbp = part_b.empty() ? nullptr : part_b.data() + (r0 / grain) * ld;
                    std::vector<T> row(static_cast<size_t>(D));  // this row's x̂, as forward computed it
                    T* hr = row.data();
                    for (int64_t r = r0; r < r1; ++r) {
                        const T* gr = go + r * D;
                        const T* xr = xp + r * D;
                        const T muT = sp[2 * r], rs = sp[2 * r + 1];
                        for (int64_t i = 0; i < D; ++i) hr[i] = (xr[i] - muT) * rs;
                        if (ggp)
                            for (int64_t i = 0; i < D; ++i) ggp[i] += gr[i] * hr[i];
                        if (gbp)
                            for (int64_t i = 0; i < D; ++i) gbp[i] += gr[i];
                        if (!gxp) continue;
                        auto h = [gr, gp](int64_t i) { return gp ? gr[i] * gp[i] : gr[i]; };  // term 2
                        auto hv = [gr, gp](int64_t i) {
                            return gp ? load_lanes(gr + i) * load_lanes(gp + i) : load_lanes(gr + i);
                        };
                        const T mh = static_cast<T>(lane_sum_v<T>(D, hv, h) / static_cast<double>(D));
                        const T mhx = static_cast<T>(
                            lane_sum_v<T>(
                                D, [&](int64_t i) { return hv(i) * load_lanes(hr + i); },
                                [&](int64_t i) { return h(i) * hr[i]; }) /
                            static_cast<double>(D));
                        T* out = gxp + r * D;
                        for (int64_t i = 0; i < D; ++i) out[i] = rs * (h(i) - mh - hr[i] * mhx);  // term 3
                    }
                    });
                    for (int64_t c = 0; c < chunks; ++c) {
                        if (!part_g.empty()) {
                            T* ggp = gg.data<T>();
                            for (int64_t i = 0; i < D; ++i) ggp[i] += part_g[static_cast<size_t>(c * ld + i)];
                        }
                        if (!part_b.empty()) {
                            T* gbp = gb.data<T>();
                            for (int64_t i = 0; i < D; ++i) gbp[i] += part_b[static_cast<size_t>(c * ld + i)];
                        }
                    }
                });
                return {gx, gg, gb};
            },
            "eps=" + std::to_string(eps));
    return y;
}

// rms_norm per row (Zhang & Sennrich 2019):  r = (mean_j x_j² + ε)^(−1/2);  y_i = γ_i x_i r
// backward, h_i = γ_i g_i:
//   1. ∂L/∂γ_i = Σ_rows g_i x_i r
//   2. ∂r/∂x_j = −r³ x_j / D, so ∂L/∂x_j = r h_j + Σ_i h_i x_i · (−r³ x_j / D) = r (h_j − x_j r² mean_i(h_i x_i))
Tensor rms_norm(const Tensor& x, const Tensor& gamma, double eps) {
    check_float("rms_norm", x);
    if (x.dim() < 1 || x.shape().back() == 0)
        throw ShapeError("rms_norm: needs a non-empty last dimension to normalise; got " + shape_str(x.shape()));
    check_norm("rms_norm", x, gamma, "gamma (weight)");
    if (!(eps > 0)) throw ConfigError("rms_norm: needs eps > 0; got " + std::to_string(eps));
#if defined(BP_HAVE_CUDA)
    if (x.device() == Device::cuda) return cuda::rms_norm(x, gamma, eps);
#endif
    check_host("rms_norm", x);
    const int64_t D = x.shape().back(), R = x.numel() / D;
    Tensor y = Tensor::empty(x.shape(), x.dtype()), rinv = Tensor::empty({R}, DType::f64);
    dispatch_dtype(x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const T* xp = x.data<T>();
        const T* gp = gamma.defined() ? gamma.data<T>() : nullptr;
        T* yp = y.data<T>();
        double* rip = rinv.data<double>();
        // Rows are independent: chunks of rows run in parallel (cpu/parallel.h), the same values either way.
        cpu::parallel_for(R, cpu::grain_for(R, std::max<int64_t>(1, 8192 / D)), [&](int64_t r0, int64_t r1) {
            for (int64_t r = r0; r < r1; ++r) {
                double ms = 0;
                for (int64_t i = 0; i < D; ++i) ms += double(xp[r * D + i]) * xp[r * D + i];
                const double rs = 1.0 / std::sqrt(ms / D + eps);
                rip[r] = rs;
                for (int64_t i = 0; i < D; ++i) yp[r * D + i] = static_cast<T>(xp[r * D + i] * rs * (gp ? gp[i] : 1.0));
            }
        });
    });
    if (autograd::needs_record({&x, &gamma}))
        autograd::record(
            "rms_norm", y, {x, gamma},
            [x, gamma, rinv, D, R](const Tensor& g) -> std::vector<Tensor> {
                Tensor gx, gg;
                if (x.requires_grad()) gx = Tensor::empty(x.shape(), x.dtype());
                if (gamma.defined() && gamma.requires_grad()) gg = Tensor::zeros({D}, x.dtype());
                dispatch_dtype(x.dtype(), [&](auto tag) {
                    using T = decltype(tag);
                    const T *go = g.data<T>(), *xp = x.data<T>();
                    const T* gp = gamma.defined() ? gamma.data<T>() : nullptr;
                    const double* rip = rinv.data<double>();
                    T* gxp = gx.defined() ? gx.data<T>() : nullptr;
                    // Chunks of rows in parallel; the γ gradient (a sum over rows) is summed per chunk and the
                    // chunks' sums added in chunk order, so a thread count always gives the same bits.
                    const int64_t grain = cpu::grain_for(R, std::max<int64_t>(1, 8192 / D));
                    const int64_t chunks = (R + grain - 1) / grain;
                    const int64_t ld = partial_stride(D);
                    std::vector<T> part_g(gg.defined() ? static_cast<size_t>(chunks * ld) : 0, T(0));
                    cpu::parallel_for(R, grain, [&](int64_t r0, int64_t r1) {
                        T* ggp = part_g.empty() ? nullptr : part_g.data() + (r0 / grain) * ld;
                        for (int64_t r = r0; r < r1; ++r) {
                            const double rs = rip[r];
                            const T *gr = go + r * D, *xr = xp + r * D;
                            if (ggp)
                                for (int64_t i = 0; i < D; ++i) ggp[i] += static_cast<T>(gr[i] * xr[i] * rs);
                            if (!gxp) continue;
                            double mhx = 0;
                            for (int64_t i = 0; i < D; ++i) mhx += gr[i] * (gp ? gp[i] : 1.0) * xr[i];
                            mhx /= D;
                            T* out = gxp + r * D;
                            for (int64_t i = 0; i < D; ++i)
                                out[i] = static_cast<T>(rs * (gr[i] * (gp ? gp[i] : 1.0) - xr[i] * rs * rs * mhx));
                        }
                    });
                    if (!part_g.empty()) {
                        T* ggp = gg.data<T>();
                        for (int64_t c = 0; c < chunks; ++c)
                            for (int64_t i = 0; i < D; ++i) ggp[i] += part_g[static_cast<size_t>(c * ld + i)];
                    }
                });
                return {gx, gg};
            },
            "eps=" + std::to_string(eps));
    return y;
}

// rope (Su et al. 2021, RoFormer): for pair i of position t, θ = (offset + t) · base^(−2i/Dh),
//   y[2i] = x[2i] cos θ − x[2i+1] sin θ;   y[2i+1] = x[2i] sin θ + x[2i+1] cos θ   (a rotation R(θ))
// backward: R(θ) is orthogonal, so grad_x = R(θ)ᵀ grad_y = R(−θ) grad_y, the inverse rotation.
static void rope_apply(Tensor& out, const Tensor& in, int64_t offset, double base, double sign) {
    const int64_t BH = in.size(0) * in.size(1), T = in.size(2), Dh = in.size(3), P = Dh / 2;
    std::vector<double> cs(static_cast<size_t>(T * P)), sn(static_cast<size_t>(T * P));  // [T, Dh/2] each
    for (int64_t t = 0; t < T; ++t)
        for (int64_t i = 0; i < P; ++i) {
            const double theta = static_cast<double>(offset + t) * std::pow(base, -2.0 * i / Dh);
            cs[t * P + i] = std::cos(theta);
            sn[t * P + i] = sign * std::sin(theta);
        }
    dispatch_dtype(in.dtype(), [&](auto tag) {
        using Tp = decltype(tag);
        const Tp* x = in.data<Tp>();
        Tp* y = out.data<Tp>();
        // (batch, head) planes in parallel, each element computed the same way whichever thread runs it.
        cpu::parallel_for(BH, cpu::grain_for(BH, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, T * Dh))),
                          [&](int64_t b0, int64_t b1) {
            for (int64_t bh = b0; bh < b1; ++bh)
                for (int64_t t = 0; t < T; ++t) {
                    const int64_t row = (bh * T + t) * Dh;
                    const double* c = cs.data() + t * P;
                    const double* s = sn.data() + t * P;
                    for (int64_t i = 0; i < P; ++i) {
                        const double x0 = x[row + 2 * i], x1 = x[row + 2 * i + 1];
                        y[row + 2 * i] = static_cast<Tp>(x0 * c[i] - x1 * s[i]);
                        y[row + 2 * i + 1] = static_cast<Tp>(x0 * s[i] + x1 * c[i]);
                    }
                }
        });
    });
}

Tensor rope(const Tensor& x, int64_t position_offset, double base) {
    check_float("rope", x);
    if (x.dim() != 4 || x.size(3) % 2 != 0)
        throw ShapeError("rope: the input must be [B, H, T, Dh] with an even head size Dh; got " + shape_str(x.shape()));
    if (position_offset < 0 || !(base > 1))
        throw ConfigError("rope: needs position_offset >= 0 and base > 1; got " + std::to_string(position_offset) +
                          " and " + std::to_string(base));
#if defined(BP_HAVE_CUDA)
    if (x.device() == Device::cuda) return cuda::rope(x, position_offset, base);
#endif
    check_host("rope", x);
    Tensor y = Tensor::empty(x.shape(), x.dtype());
    rope_apply(y, x, position_offset, base, 1.0);
    if (autograd::needs_record({&x}))
        autograd::record(
            "rope", y, {x},
            [position_offset, base](const Tensor& g) -> std::vector<Tensor> {
                Tensor gx = Tensor::empty(g.shape(), g.dtype());
                rope_apply(gx, g, position_offset, base, -1.0);  // R(−θ)
                return {gx};
            },
            "offset=" + std::to_string(position_offset));
    return y;
}

// silu(x) = x σ(x);  silu'(x) = σ(x) (1 + x (1 − σ(x)))
Tensor silu(const Tensor& x) { return mul(x, sigmoid(x)); }

// swiglu (Shazeer 2020): out = silu(a) ⊙ b with x = [a | b] along the last dimension  x: [..., 2F] out: [..., F]
// backward: grad_a = g ⊙ b ⊙ silu'(a);  grad_b = g ⊙ silu(a)
Tensor swiglu(const Tensor& x) {
    check_float("swiglu", x);
    if (x.dim() < 1 || x.shape().back() % 2 != 0 || x.shape().back() == 0)
        throw ShapeError("swiglu: the last dimension must be even, [..., 2F] = [a | b]; got " + shape_str(x.shape()));
#if defined(BP_HAVE_CUDA)
    if (x.device() == Device::cuda) return cuda::swiglu(x);
#endif
    check_host("swiglu", x);
    const int64_t F = x.shape().back() / 2, R = x.numel() / (2 * F);
    Shape os = x.shape();
    os.back() = F;
    Tensor y = Tensor::empty(os, x.dtype());
    // Eigen arrays over the [R, 2F] rows: the a half and the b half are column blocks; exp is vectorised.
    dispatch_dtype(x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        using Arr = Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        Eigen::Map<const Arr> X(x.data<T>(), R, 2 * F);
        Eigen::Map<Arr> Y(y.data<T>(), R, F);
        cpu::parallel_for(R, cpu::grain_for(R, std::max<int64_t>(1, 8192 / F)), [&](int64_t r0, int64_t r1) {
            const auto a = X.middleRows(r0, r1 - r0).leftCols(F), b = X.middleRows(r0, r1 - r0).rightCols(F);
            Y.middleRows(r0, r1 - r0) = a / (T(1) + (-a).exp()) * b;
        });
    });
    if (autograd::needs_record({&x}))
        autograd::record("swiglu", y, {x}, [x, F, R](const Tensor& g) -> std::vector<Tensor> {
            Tensor gx = Tensor::empty(x.shape(), x.dtype());
            dispatch_dtype(x.dtype(), [&](auto tag) {
                using T = decltype(tag);
                using Arr = Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
                Eigen::Map<const Arr> X(x.data<T>(), R, 2 * F), G(g.data<T>(), R, F);
                Eigen::Map<Arr> GX(gx.data<T>(), R, 2 * F);
                cpu::parallel_for(R, cpu::grain_for(R, std::max<int64_t>(1, 8192 / F)), [&](int64_t r0, int64_t r1) {
                    const int64_t n = r1 - r0;
                    const auto a = X.middleRows(r0, n).leftCols(F), b = X.middleRows(r0, n).rightCols(F);
                    const auto Gr = G.middleRows(r0, n);
                    const Arr s = T(1) / (T(1) + (-a).exp());                                // σ(a)  [n, F]
                    GX.middleRows(r0, n).leftCols(F) = Gr * b * s * (T(1) + a * (T(1) - s));  // g ⊙ b ⊙ silu'(a)
                    GX.middleRows(r0, n).rightCols(F) = Gr * a * s;                           // g ⊙ silu(a)
                });
            });
            return {gx};
        });
    return y;
}

Tensor swiglu(const Tensor& a, const Tensor& b) {
    check_same("swiglu", a, b);
    if (a.shape() != b.shape())
        throw ShapeError("swiglu", a.shape(), b.shape(), "the gate a and the value b must have the same shape");
    return mul(silu(a), b);
}

// bmm: out[i] = op(a[i]) @ op(b[i]) per leading index i, through the backend's gemm on 2-D views.
// backward (C = A B; the transposed forms follow by transposing the products):
//   C = A B:     grad_A = G Bᵀ,  grad_B = Aᵀ G        C = A Bᵀ:   grad_A = G B,   grad_B = Gᵀ A
//   C = Aᵀ B:    grad_A = B Gᵀ,  grad_B = A G         C = Aᵀ Bᵀ:  grad_A = Bᵀ Gᵀ, grad_B = Gᵀ Aᵀ
static Tensor mat(const Tensor& t, int64_t i) {  // the i-th matrix of a [..., R, C] tensor, a view
    const int64_t r = t.size(-2), c = t.size(-1);
    return t.view({-1, r, c}).slice_rows(i, i + 1).view({r, c});
}
static void gemm_batched(Tensor& out, const Tensor& x, bool tx, const Tensor& y, bool ty) {
#if defined(BP_HAVE_CUDA)
    if (out.device() == Device::cuda) return cuda::gemm_batched(out, x, tx, y, ty);  // one batched cuBLAS call
#endif
    const int64_t n = out.numel() / (out.size(-2) * out.size(-1));
    // The matrices are independent and each is usually too small for the gemm to split (attention's per-head
    // products): chunks of them run in parallel (cpu/parallel.h), each product serial, the same values either
    // way. A value left to be filled on first read (deferred_fill.h) is filled here, before several threads read.
    (void)out.raw_data(), (void)x.raw_data(), (void)y.raw_data();
    const int64_t M = out.size(-2), N = out.size(-1), K = tx ? x.size(-2) : x.size(-1);
    const int64_t flops = std::max<int64_t>(1, 2 * M * N * K);
    const int64_t grain = cpu::grain_for(n, std::max<int64_t>(1, (int64_t{1} << 18) / flops));
    if (out.dtype() == DType::f32 && precision() == Precision::fp32 && cpu::sgemm_preferred(M, N, K)) {
        // Straight to sgemm on the matrices' addresses: a Tensor view per matrix cost an allocation and, at
        // two threads, reference counts of the same three storages bouncing between the cores.
        const float* xp = x.data<float>();
        const float* yp = y.data<float>();
        float* op = out.data<float>();
        cpu::parallel_for(n, grain, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i)
                cpu::sgemm(tx, ty, M, N, K, 1.0f, xp + i * M * K, tx ? M : K, yp + i * K * N, ty ? K : N,
                           0.0f, op + i * M * N, N);
        });
        return;
    }
    cpu::parallel_for(n, grain, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
            Tensor o = mat(out, i);
            backend_for(out).gemm(o, mat(x, i), tx, mat(y, i), ty, 1.0, 0.0);
        }
    });
}

Tensor bmm(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) {
    check_same("bmm", a, b);
    if (a.dim() < 3 || a.dim() > 4 || a.dim() != b.dim())
        throw ShapeError("bmm", a.shape(), b.shape(), "both must be 3-D [B, M, K] and [B, K, N] (or 4-D with two batch dims)");
    for (int64_t d = 0; d + 2 < a.dim(); ++d)
        if (a.size(d) != b.size(d))
            throw ShapeError("bmm", a.shape(), b.shape(), "the batch dimensions must be equal");
    const int64_t M = trans_a ? a.size(-1) : a.size(-2), K = trans_a ? a.size(-2) : a.size(-1);
    const int64_t Kb = trans_b ? b.size(-1) : b.size(-2), N = trans_b ? b.size(-2) : b.size(-1);
    if (K != Kb)
        throw ShapeError("bmm", a.shape(), b.shape(),
                         std::string("the inner sizes must agree (") + std::to_string(K) + " vs " + std::to_string(Kb) +
                             ")" + (trans_a || trans_b ? "; note the transposed operand" : ""));
    Shape os = a.shape();
    os[os.size() - 2] = M;
    os[os.size() - 1] = N;
    Tensor out = Tensor::empty(os, a.dtype(), a.device());
    gemm_batched(out, a, trans_a, b, trans_b);
    if (autograd::needs_record({&a, &b}))
        autograd::record(
            "bmm", out, {a, b},
            [a, b, trans_a, trans_b](const Tensor& g) -> std::vector<Tensor> {
                Tensor ga, gb;
                if (a.requires_grad()) {
                    ga = Tensor::empty(a.shape(), a.dtype(), a.device());
                    if (!trans_a) gemm_batched(ga, g, false, b, !trans_b);  // G op(B)ᵀ
                    else gemm_batched(ga, b, trans_b, g, true);              // op(B) Gᵀ
                }
                if (b.requires_grad()) {
                    gb = Tensor::empty(b.shape(), b.dtype(), b.device());
                    if (!trans_b) gemm_batched(gb, a, !trans_a, g, false);  // op(A)ᵀ G
                    else gemm_batched(gb, g, true, a, trans_a);              // Gᵀ op(A)
                }
                return {ga, gb};
            },
            std::string("trans_a=") + (trans_a ? "true" : "false") + ", trans_b=" + (trans_b ? "true" : "false"));
    return out;
}

// transpose: out[..i..j..] = x[..j..i..]; backward is the same swap applied to grad_out.
// With d0 < d1 the input is viewed as [A, n0, M, n1, C] (A: the dims before d0, M: between, C: after d1) and
// out[a, j, m, i, :] = x[a, i, m, j, :]: whole rows of C contiguous elements move at once ([B, T, H, Dh] ->
// [B, H, T, Dh] moves rows of Dh).
static Tensor swap_dims(const Tensor& x, int64_t d0, int64_t d1) {
#if defined(BP_HAVE_CUDA)
    if (x.device() == Device::cuda) return cuda::swap_dims(x, d0, d1);
#endif
    check_host("transpose", x);
    if (d0 > d1) std::swap(d0, d1);
    Shape os = x.shape();
    std::swap(os[d0], os[d1]);
    Tensor out = Tensor::empty(os, x.dtype());
    if (d0 == d1) {
        std::memcpy(out.raw_data(), x.raw_data(), x.nbytes());
        return out;
    }
    int64_t A = 1, M = 1, C = 1;
    for (int64_t d = 0; d < d0; ++d) A *= x.size(d);
    for (int64_t d = d0 + 1; d < d1; ++d) M *= x.size(d);
    for (int64_t d = d1 + 1; d < x.dim(); ++d) C *= x.size(d);
    const int64_t n0 = x.size(d0), n1 = x.size(d1);
    dispatch_dtype(x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const T* xp = x.data<T>();
        T* op = out.data<T>();
        // Output rows (a, j) are contiguous runs of M·n0·C elements: chunks of them over the pool. The runs of C
        // are short (a head's Dh): a plain loop, not a memcpy call per run.
        const int64_t rows = A * n1, per_row = M * n0 * C;
        cpu::parallel_for(rows, std::max<int64_t>(1, (int64_t{1} << 15) / std::max<int64_t>(per_row, 1)),
                          [&](int64_t r0, int64_t r1) {
            for (int64_t r = r0; r < r1; ++r) {
                const int64_t a = r / n1, j = r % n1;
                T* dst = op + r * per_row;  // out[a, j, :, :, :]
                for (int64_t m = 0; m < M; ++m)
                    for (int64_t i = 0; i < n0; ++i, dst += C) {
                        const T* src = xp + (((a * n0 + i) * M + m) * n1 + j) * C;  // x[a, i, m, j, :]
                        for (int64_t c = 0; c < C; ++c) dst[c] = src[c];
                    }
            }
        });
    });
    return out;
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
    check_float("transpose", x);
    const int64_t nd = x.dim();
    if (dim0 < 0) dim0 += nd;
    if (dim1 < 0) dim1 += nd;
    if (dim0 < 0 || dim0 >= nd || dim1 < 0 || dim1 >= nd)
        throw ShapeError("transpose: dimensions " + std::to_string(dim0) + " and " + std::to_string(dim1) +
                         " do not both exist in " + shape_str(x.shape()));
    Tensor y = swap_dims(x, dim0, dim1);
    if (autograd::needs_record({&x}))
        autograd::record("transpose", y, {x},
                         [dim0, dim1](const Tensor& g) -> std::vector<Tensor> { return {swap_dims(g, dim0, dim1)}; },
                         "dims=" + std::to_string(dim0) + "," + std::to_string(dim1));
    return y;
}

using V = std::vector<Shape>;
BP_REGISTER_GRADCHECK("embedding", "indices [2, 3], weight [5, 4]", (V{{5, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) {
                          return embedding(Tensor::from_vector({2, 3}, {0, 4, 2, 2, 1, 4}, DType::i32), in[0]);
                      });
BP_REGISTER_GRADCHECK("layer_norm", "x [3, 5], gamma [5], beta [5]", (V{{3, 5}, {5}, {5}}), Domain::away_from_zero,
                      [](const Inputs& in) { return layer_norm(in[0], in[1], in[2]); });
BP_REGISTER_GRADCHECK("layer_norm", "x [2, 3, 4], no affine", (V{{2, 3, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return layer_norm(in[0], Tensor(), Tensor()); });
BP_REGISTER_GRADCHECK("rms_norm", "x [3, 5], gamma [5]", (V{{3, 5}, {5}}), Domain::away_from_zero,
                      [](const Inputs& in) { return rms_norm(in[0], in[1]); });
BP_REGISTER_GRADCHECK("rms_norm", "x [2, 3, 4], no gamma", (V{{2, 3, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return rms_norm(in[0], Tensor()); });
BP_REGISTER_GRADCHECK("rope", "x [2, 2, 3, 4], offset 5", (V{{2, 2, 3, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return rope(in[0], 5); });
BP_REGISTER_GRADCHECK("silu", "[4, 5]", (V{{4, 5}}), Domain::away_from_zero, [](const Inputs& in) { return silu(in[0]); });
BP_REGISTER_GRADCHECK("swiglu", "x [3, 8] -> [3, 4]", (V{{3, 8}}), Domain::away_from_zero,
                      [](const Inputs& in) { return swiglu(in[0]); });
BP_REGISTER_GRADCHECK("swiglu", "a [2, 3], b [2, 3]", (V{{2, 3}, {2, 3}}), Domain::away_from_zero,
                      [](const Inputs& in) { return swiglu(in[0], in[1]); });
BP_REGISTER_GRADCHECK("bmm", "[2, 3, 4] @ [2, 4, 5]", (V{{2, 3, 4}, {2, 4, 5}}), Domain::away_from_zero,
                      [](const Inputs& in) { return bmm(in[0], in[1]); });
BP_REGISTER_GRADCHECK("bmm", "[2, 2, 3, 4] @ [2, 2, 5, 4]ᵀ", (V{{2, 2, 3, 4}, {2, 2, 5, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return bmm(in[0], in[1], false, true); });
BP_REGISTER_GRADCHECK("bmm", "[2, 4, 3]ᵀ @ [2, 4, 5]", (V{{2, 4, 3}, {2, 4, 5}}), Domain::away_from_zero,
                      [](const Inputs& in) { return bmm(in[0], in[1], true, false); });
BP_REGISTER_GRADCHECK("bmm", "[2, 4, 3]ᵀ @ [2, 5, 4]ᵀ", (V{{2, 4, 3}, {2, 5, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return bmm(in[0], in[1], true, true); });
BP_REGISTER_GRADCHECK("transpose", "[2, 3, 4, 2] dims 1, 2", (V{{2, 3, 4, 2}}), Domain::away_from_zero,
                      [](const Inputs& in) { return transpose(in[0], 1, 2); });

}  // namespace bp
