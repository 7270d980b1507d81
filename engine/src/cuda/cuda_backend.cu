// cuda_backend.cu — the CUDA implementation of the Backend table (backend.h): cudaMalloc behind a caching
// allocator, copies, and one simple kernel per entry (grid-stride loops, one thread per output element, a
// warp per softmax row, a block per reduced channel). Matrix products go to cuBLAS (cuda_gemm.cu); the
// convolution is im2col + strided-batched GEMM. Correctness first: the CPU backend is the reference and
// tests/engine/tst_gpu_cuda_parity.cpp compares every entry with it. Everything runs on the default stream,
// so kernels, copies and cuBLAS calls are ordered and a host copy waits for the kernels before it.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bp/backend.h"
#include "bp/caching_allocator.h"
#include "cuda/cuda_common.cuh"
#include "cuda/cuda_gemm.h"

namespace bp {
bool cuda_query(std::string* summary, std::string* why_not);  // device_query.cu

namespace cuda {
namespace {

// ---- broadcasting geometry (as cpu_backend.cpp): shapes padded to 4-D on the left ---------------------------
struct Dims4 {
    int64_t d[4];
};
struct Strides4 {
    int64_t s[4];
};

Dims4 dims4(const Shape& s) {
    Dims4 r{{1, 1, 1, 1}};
    const size_t pad = 4 - s.size();
    for (size_t i = 0; i < s.size(); ++i) r.d[pad + i] = s[i];
    return r;
}
// Element strides of `in` (padded to 4-D) seen from out's index space: 0 where in has size 1.
Strides4 bcast_strides(const Shape& in) {
    const Dims4 d = dims4(in);
    Strides4 st{};
    int64_t s = 1;
    for (int i = 3; i >= 0; --i) {
        st.s[i] = d.d[i] == 1 ? 0 : s;
        s *= d.d[i];
    }
    return st;
}
__device__ inline void unravel(int64_t i, const Dims4& d, int64_t c[4]) {
    c[3] = i % d.d[3];
    i /= d.d[3];
    c[2] = i % d.d[2];
    i /= d.d[2];
    c[1] = i % d.d[1];
    c[0] = i / d.d[1];
}
__device__ inline int64_t dot4(const int64_t c[4], const Strides4& s) {
    return c[0] * s.s[0] + c[1] * s.s[1] + c[2] * s.s[2] + c[3] * s.s[3];
}

constexpr double kSqrt2OverPi = 0.7978845608028654;
constexpr double kInvSqrt2 = 0.7071067811865476;
constexpr double kInvSqrt2Pi = 0.3989422804014327;

// ---- elementwise ---------------------------------------------------------------------------------------------
template <class T>
__global__ void fill_kernel(T* out, T v, int64_t n) {
    BP_GRID_LOOP(i, n) out[i] = v;
}

template <class O, class I>
__global__ void convert_kernel(O* out, const I* in, int64_t n) {
    BP_GRID_LOOP(i, n) out[i] = static_cast<O>(in[i]);
}

template <class T>
__device__ inline T apply_binary(int op, T a, T b) {
    switch (op) {
        case 0: return a + b;
        case 1: return a - b;
        case 2: return a * b;
        default: return a / b;
    }
}

template <class T>
__global__ void binary_same_kernel(int op, T* o, const T* a, const T* b, int64_t n) {
    BP_GRID_LOOP(i, n) o[i] = apply_binary(op, a[i], b[i]);
}

// out[i] = a[broadcast i] (op) b[broadcast i]; one thread per output element.
template <class T>
__global__ void binary_bcast_kernel(int op, T* o, const T* a, const T* b, Dims4 od, Strides4 sa, Strides4 sb,
                                    int64_t n) {
    BP_GRID_LOOP(i, n) {
        int64_t c[4];
        unravel(i, od, c);
        o[i] = apply_binary(op, a[dot4(c, sa)], b[dot4(c, sb)]);
    }
}

template <class T>
__device__ inline T unary_f(int op, T x, T alpha) {
    switch (static_cast<UnaryOp>(op)) {
        case UnaryOp::relu: return x > T(0) ? x : T(0);
        case UnaryOp::leaky_relu: return x > T(0) ? x : alpha * x;
        case UnaryOp::sigmoid: return T(1) / (T(1) + d_exp(-x));
        case UnaryOp::tanh: return d_tanh(x);
        case UnaryOp::gelu_erf: return T(0.5) * x * (T(1) + d_erf(x * T(kInvSqrt2)));
        case UnaryOp::gelu_tanh: return T(0.5) * x * (T(1) + d_tanh(T(kSqrt2OverPi) * (x + T(0.044715) * x * x * x)));
        case UnaryOp::exp: return d_exp(x);
        case UnaryOp::log: return d_log(x);
        case UnaryOp::neg: return -x;
        case UnaryOp::square: return x * x;
    }
    return T(0);
}

// f'(x) times g; y = f(x) where the derivative is cheaper from it (sigmoid, tanh, exp), as the CPU kernel.
template <class T>
__device__ inline T unary_df(int op, T g, const T* x, const T* y, int64_t i, T alpha) {
    switch (static_cast<UnaryOp>(op)) {
        case UnaryOp::relu: return x[i] > T(0) ? g : T(0);
        case UnaryOp::leaky_relu: return x[i] > T(0) ? g : alpha * g;
        case UnaryOp::sigmoid: return g * y[i] * (T(1) - y[i]);
        case UnaryOp::tanh: return g * (T(1) - y[i] * y[i]);
        case UnaryOp::gelu_erf: {  // Φ(x) + x φ(x)
            const T xi = x[i];
            const T cdf = T(0.5) * (T(1) + d_erf(xi * T(kInvSqrt2)));
            const T pdf = T(kInvSqrt2Pi) * d_exp(T(-0.5) * xi * xi);
            return g * (cdf + xi * pdf);
        }
        case UnaryOp::gelu_tanh: {  // ½(1 + t) + ½ x (1 − t²) √(2/π) (1 + 3·0.044715 x²)
            const T xi = x[i], x2 = xi * xi;
            const T t = d_tanh(T(kSqrt2OverPi) * (xi + T(0.044715) * x2 * xi));
            const T du = T(kSqrt2OverPi) * (T(1) + T(3 * 0.044715) * x2);
            return g * (T(0.5) * (T(1) + t) + T(0.5) * xi * (T(1) - t * t) * du);
        }
        case UnaryOp::exp: return g * y[i];
        case UnaryOp::log: return g / x[i];
        case UnaryOp::neg: return -g;
        case UnaryOp::square: return T(2) * x[i] * g;
    }
    return T(0);
}

template <class T>
__global__ void unary_kernel(int op, T* y, const T* x, T alpha, int64_t n) {
    BP_GRID_LOOP(i, n) y[i] = unary_f(op, x[i], alpha);
}

template <class T>
__global__ void unary_backward_kernel(int op, T* gx, const T* g, const T* x, const T* y, T alpha, int64_t n) {
    BP_GRID_LOOP(i, n) gx[i] = unary_df(op, g[i], x, y, i, alpha);
}

template <class T>
__global__ void axpby_kernel(T* o, T s, const T* a, T t, const T* b, int64_t n) {
    BP_GRID_LOOP(i, n) o[i] = s * a[i] + t * b[i];
}

// ---- reductions and broadcasting -------------------------------------------------------------------------------
// sum_to: out (padded dims od) broadcasts to in (padded dims id). Output element o sums the R = n/m input
// elements whose coordinates agree with o's outside the reduced dimensions (od = 1 < id).
struct ReduceGeom {
    Dims4 od;       // out's padded dims
    Dims4 rd;       // reduced extent per dim (id where reduced, else 1)
    Strides4 is;    // in's contiguous strides
};

__device__ inline int64_t reduce_in_index(const ReduceGeom& g, const int64_t co[4], int64_t r) {
    int64_t c[4];
    unravel(r, g.rd, c);
    int64_t idx = 0;
    for (int d = 0; d < 4; ++d) idx += (g.rd.d[d] > 1 ? c[d] : co[d]) * g.is.s[d];
    return idx;
}

// Few terms per output: one thread per output element, accumulated in double.
template <class T>
__global__ void sum_to_thread_kernel(T* out, const T* in, ReduceGeom g, int64_t m, int64_t R, double scale) {
    BP_GRID_LOOP(o, m) {
        int64_t co[4];
        unravel(o, g.od, co);
        double acc = 0;
        for (int64_t r = 0; r < R; ++r) acc += static_cast<double>(in[reduce_in_index(g, co, r)]);
        out[o] = static_cast<T>(acc * scale);
    }
}

// Many terms per output: one block per output element (block-stride over outputs), a block reduction.
template <class T>
__global__ void sum_to_block_kernel(T* out, const T* in, ReduceGeom g, int64_t m, int64_t R, double scale) {
    for (int64_t o = blockIdx.x; o < m; o += gridDim.x) {
        int64_t co[4];
        unravel(o, g.od, co);
        double acc = 0;
        for (int64_t r = threadIdx.x; r < R; r += blockDim.x) acc += static_cast<double>(in[reduce_in_index(g, co, r)]);
        acc = block_sum(acc);
        if (threadIdx.x == 0) out[o] = static_cast<T>(acc * scale);
    }
}

template <class T>
__global__ void scale_kernel(T* out, const T* in, T s, int64_t n) {
    BP_GRID_LOOP(i, n) out[i] = s * in[i];
}

template <class T>
__global__ void expand_kernel(T* out, const T* in, Dims4 od, Strides4 is, T s, int64_t n) {
    BP_GRID_LOOP(i, n) {
        int64_t c[4];
        unravel(i, od, c);
        out[i] = s * in[dot4(c, is)];
    }
}

template <class T>
__global__ void add_row_bias_kernel(T* out, const T* bias, int64_t m, int64_t n) {
    BP_GRID_LOOP(i, n) out[i] += bias[i % m];
}

// ---- softmax family: one warp per row ------------------------------------------------------------------------

template <class T>
__global__ void softmax_kernel(T* y, const T* x, int64_t rows, int64_t c, bool log) {
    const int lane = threadIdx.x & 31;
    BP_WARP_ROWS(r, rows) {
        const T* xr = x + r * c;
        T* yr = y + r * c;
        T mx = -INFINITY;
        for (int64_t j = lane; j < c; j += 32) mx = max(mx, xr[j]);
        mx = warp_max(mx);
        T sum = 0;
        for (int64_t j = lane; j < c; j += 32) sum += d_exp(xr[j] - mx);
        sum = warp_sum(sum);
        if (log) {
            const T lse = mx + d_log(sum);
            for (int64_t j = lane; j < c; j += 32) yr[j] = xr[j] - lse;
        } else {
            const T inv = T(1) / sum;
            for (int64_t j = lane; j < c; j += 32) yr[j] = d_exp(xr[j] - mx) * inv;
        }
    }
}

template <class T>
__global__ void softmax_backward_kernel(T* gx, const T* g, const T* y, int64_t rows, int64_t c, bool log) {
    const int lane = threadIdx.x & 31;
    BP_WARP_ROWS(r, rows) {
        const T* gr = g + r * c;
        const T* yr = y + r * c;
        T* o = gx + r * c;
        T acc = 0;
        if (log) {  // gx = g − softmax · Σg
            for (int64_t j = lane; j < c; j += 32) acc += gr[j];
            acc = warp_sum(acc);
            for (int64_t j = lane; j < c; j += 32) o[j] = gr[j] - d_exp(yr[j]) * acc;
        } else {  // gx = y ⊙ (g − Σ g·y)
            for (int64_t j = lane; j < c; j += 32) acc += gr[j] * yr[j];
            acc = warp_sum(acc);
            for (int64_t j = lane; j < c; j += 32) o[j] = yr[j] * (gr[j] - acc);
        }
    }
}

// probs = softmax(logits) per row; row_loss[r] = log Σ exp(x − max) − (x_t − max).
template <class T>
__global__ void cross_entropy_kernel(T* probs, double* row_loss, const T* x, const int32_t* t, int64_t rows, int64_t c) {
    const int lane = threadIdx.x & 31;
    BP_WARP_ROWS(r, rows) {
        const T* xr = x + r * c;
        T* pr = probs + r * c;
        T mx = -INFINITY;
        for (int64_t j = lane; j < c; j += 32) mx = max(mx, xr[j]);
        mx = warp_max(mx);
        T sum = 0;
        for (int64_t j = lane; j < c; j += 32) {
            const T e = d_exp(xr[j] - mx);
            pr[j] = e;
            sum += e;
        }
        sum = warp_sum(sum);
        const T inv = T(1) / sum;
        for (int64_t j = lane; j < c; j += 32) pr[j] *= inv;
        if (lane == 0) row_loss[r] = static_cast<double>(d_log(sum) - (xr[t[r]] - mx));
    }
}

// One block: out[0] = scale · Σ in.
template <class T, class I>
__global__ void sum_all_kernel(T* out, const I* in, int64_t n, double scale) {
    double acc = 0;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) acc += static_cast<double>(in[i]);
    acc = block_sum(acc);
    if (threadIdx.x == 0) out[0] = static_cast<T>(acc * scale);
}

template <class T>
__global__ void cross_entropy_backward_kernel(T* g, const T* p, const int32_t* t, T s, int64_t c, int64_t n) {
    BP_GRID_LOOP(i, n) {
        const int64_t r = i / c, j = i % c;
        g[i] = s * p[i] - (j == t[r] ? s : T(0));
    }
}

// ---- convolution: im2col + GEMM ------------------------------------------------------------------------------
struct ConvGeom {
    int64_t C, H, W, kh, kw, sh, sw, ph, pw, OH, OW;
};

// cols[b][(c·kh + i)·kw + j][oh·OW + ow] = x[b][c][oh·sh − ph + i][ow·sw − pw + j] (0 outside), for nb images.
template <class T>
__global__ void im2col_kernel(T* cols, const T* x, ConvGeom g, int64_t nb) {
    const int64_t ohw = g.OH * g.OW, rows = g.C * g.kh * g.kw, per = rows * ohw;
    BP_GRID_LOOP(i, nb * per) {
        const int64_t b = i / per, rem = i % per;
        const int64_t row = rem / ohw, col = rem % ohw;
        const int64_t j = row % g.kw, ki = (row / g.kw) % g.kh, c = row / (g.kw * g.kh);
        const int64_t oh = col / g.OW, ow = col % g.OW;
        const int64_t h = oh * g.sh - g.ph + ki, w = ow * g.sw - g.pw + j;
        cols[i] = (h >= 0 && h < g.H && w >= 0 && w < g.W) ? x[((b * g.C + c) * g.H + h) * g.W + w] : T(0);
    }
}

// The adjoint of im2col, gathered: one thread per input element sums the column entries it was copied to.
template <class T>
__global__ void col2im_kernel(T* gx, const T* cols, ConvGeom g, int64_t nb) {
    const int64_t ohw = g.OH * g.OW, per_img = g.C * g.H * g.W, per_cols = g.C * g.kh * g.kw * ohw;
    BP_GRID_LOOP(i, nb * per_img) {
        const int64_t b = i / per_img, rem = i % per_img;
        const int64_t c = rem / (g.H * g.W), h = (rem / g.W) % g.H, w = rem % g.W;
        T acc = 0;
        for (int64_t ki = 0; ki < g.kh; ++ki) {
            const int64_t hn = h + g.ph - ki;
            if (hn < 0 || hn % g.sh != 0) continue;
            const int64_t oh = hn / g.sh;
            if (oh >= g.OH) continue;
            for (int64_t j = 0; j < g.kw; ++j) {
                const int64_t wn = w + g.pw - j;
                if (wn < 0 || wn % g.sw != 0) continue;
                const int64_t ow = wn / g.sw;
                if (ow >= g.OW) continue;
                acc += cols[b * per_cols + ((c * g.kh + ki) * g.kw + j) * ohw + oh * g.OW + ow];
            }
        }
        gx[i] = acc;
    }
}

// out[n, o, s] += b[o]
template <class T>
__global__ void add_channel_bias_kernel(T* out, const T* b, int64_t O, int64_t S, int64_t n) {
    BP_GRID_LOOP(i, n) out[i] += b[(i / S) % O];
}

// One block per channel o: grad_b[o] = Σ_n Σ_s g[n, o, s]
template <class T>
__global__ void channel_sum_kernel(T* gb, const T* g, int64_t N, int64_t O, int64_t S) {
    for (int64_t o = blockIdx.x; o < O; o += gridDim.x) {
        double acc = 0;
        for (int64_t k = threadIdx.x; k < N * S; k += blockDim.x) acc += static_cast<double>(g[((k / S) * O + o) * S + k % S]);
        acc = block_sum(acc);
        if (threadIdx.x == 0) gb[o] = static_cast<T>(acc);
    }
}

// ---- pooling ---------------------------------------------------------------------------------------------------
template <class T>
__global__ void max_pool_kernel(T* out, int32_t* idx, const T* x, ConvGeom g, int64_t planes) {
    BP_GRID_LOOP(i, planes * g.OH * g.OW) {
        const int64_t p = i / (g.OH * g.OW), oh = (i / g.OW) % g.OH, ow = i % g.OW;
        const T* xp = x + p * g.H * g.W;
        T best = -INFINITY;
        int32_t arg = -1;
        for (int64_t ki = 0; ki < g.kh; ++ki) {
            const int64_t h = oh * g.sh - g.ph + ki;
            if (h < 0 || h >= g.H) continue;
            for (int64_t j = 0; j < g.kw; ++j) {
                const int64_t w = ow * g.sw - g.pw + j;
                if (w < 0 || w >= g.W) continue;
                const T v = xp[h * g.W + w];
                if (arg < 0 || v > best) {
                    best = v;
                    arg = static_cast<int32_t>(h * g.W + w);
                }
            }
        }
        out[i] = best;
        idx[i] = arg;
    }
}

// Routes each output's gradient to its saved argmax (atomics: windows may overlap).
template <class T>
__global__ void max_pool_backward_kernel(T* gx, const T* g, const int32_t* idx, int64_t ohw, int64_t hw, int64_t n) {
    BP_GRID_LOOP(i, n) {
        const int32_t a = idx[i];
        if (a >= 0) atomicAdd(gx + (i / ohw) * hw + a, g[i]);
    }
}

template <class T>
__global__ void avg_pool_kernel(T* out, const T* x, ConvGeom g, int64_t planes) {
    const T inv = T(1) / static_cast<T>(g.kh * g.kw);
    BP_GRID_LOOP(i, planes * g.OH * g.OW) {
        const int64_t p = i / (g.OH * g.OW), oh = (i / g.OW) % g.OH, ow = i % g.OW;
        const T* xp = x + p * g.H * g.W;
        T acc = 0;
        for (int64_t ki = 0; ki < g.kh; ++ki) {
            const int64_t h = oh * g.sh - g.ph + ki;
            if (h < 0 || h >= g.H) continue;
            for (int64_t j = 0; j < g.kw; ++j) {
                const int64_t w = ow * g.sw - g.pw + j;
                if (w >= 0 && w < g.W) acc += xp[h * g.W + w];
            }
        }
        out[i] = acc * inv;
    }
}

// One thread per input element: the mean of every window that covers it.
template <class T>
__global__ void avg_pool_backward_kernel(T* gx, const T* g, ConvGeom geo, int64_t planes) {
    const T inv = T(1) / static_cast<T>(geo.kh * geo.kw);
    BP_GRID_LOOP(i, planes * geo.H * geo.W) {
        const int64_t p = i / (geo.H * geo.W), h = (i / geo.W) % geo.H, w = i % geo.W;
        const T* gp = g + p * geo.OH * geo.OW;
        T acc = 0;
        for (int64_t ki = 0; ki < geo.kh; ++ki) {
            const int64_t hn = h + geo.ph - ki;
            if (hn < 0 || hn % geo.sh != 0 || hn / geo.sh >= geo.OH) continue;
            for (int64_t j = 0; j < geo.kw; ++j) {
                const int64_t wn = w + geo.pw - j;
                if (wn < 0 || wn % geo.sw != 0 || wn / geo.sw >= geo.OW) continue;
                acc += gp[(hn / geo.sh) * geo.OW + wn / geo.sw];
            }
        }
        gx[i] = acc * inv;
    }
}

// ---- batch norm: x seen as [N, C, S]; one block per channel for the reductions ------------------------------
template <class T>
__global__ void bn_stats_kernel(T* mean, T* var, const T* x, int64_t N, int64_t C, int64_t S) {
    const int64_t M = N * S;
    for (int64_t c = blockIdx.x; c < C; c += gridDim.x) {
        double acc = 0;
        for (int64_t k = threadIdx.x; k < M; k += blockDim.x) acc += static_cast<double>(x[((k / S) * C + c) * S + k % S]);
        const double mu = block_sum(acc) / static_cast<double>(M);
        const T muT = static_cast<T>(mu);
        double sq = 0;  // two passes, as the CPU kernel
        for (int64_t k = threadIdx.x; k < M; k += blockDim.x) {
            const T d = x[((k / S) * C + c) * S + k % S] - muT;
            sq += static_cast<double>(d * d);
        }
        sq = block_sum(sq);
        if (threadIdx.x == 0) {
            mean[c] = muT;
            var[c] = static_cast<T>(sq / static_cast<double>(M));
        }
    }
}

template <class T>
__global__ void bn_apply_kernel(T* y, const T* x, const T* mean, const T* var, const T* gamma, const T* beta, double eps,
                                int64_t C, int64_t S, int64_t n) {
    BP_GRID_LOOP(i, n) {
        const int64_t c = (i / S) % C;
        const T invstd = static_cast<T>(1.0 / sqrt(static_cast<double>(var[c]) + eps));
        const T scale = (gamma ? gamma[c] : T(1)) * invstd;
        const T shift = (beta ? beta[c] : T(0)) - mean[c] * scale;
        y[i] = x[i] * scale + shift;
    }
}

// Per channel: sums[2c] = Σg, sums[2c+1] = Σg·x̂; also grad_beta / grad_gamma where asked.
template <class T>
__global__ void bn_backward_sums_kernel(double* sums, T* gg, T* gb, const T* g, const T* x, const T* mean, const T* var,
                                        double eps, int64_t N, int64_t C, int64_t S) {
    const int64_t M = N * S;
    for (int64_t c = blockIdx.x; c < C; c += gridDim.x) {
        const T mu = mean[c];
        const double invstd = 1.0 / sqrt(static_cast<double>(var[c]) + eps);
        double sg = 0, sgx = 0;
        for (int64_t k = threadIdx.x; k < M; k += blockDim.x) {
            const int64_t i = ((k / S) * C + c) * S + k % S;
            sg += static_cast<double>(g[i]);
            sgx += static_cast<double>(g[i] * (x[i] - mu));
        }
        sg = block_sum(sg);
        sgx = block_sum(sgx) * invstd;
        if (threadIdx.x == 0) {
            sums[2 * c] = sg;
            sums[2 * c + 1] = sgx;
            if (gb) gb[c] = static_cast<T>(sg);
            if (gg) gg[c] = static_cast<T>(sgx);
        }
    }
}

// training: grad_x = γ·invstd·(g − Σg/M − x̂·Σ(g·x̂)/M);  eval: grad_x = γ·invstd·g
template <class T>
__global__ void bn_backward_x_kernel(T* gx, const double* sums, const T* g, const T* x, const T* mean, const T* var,
                                     const T* gamma, double eps, bool batch_stats, int64_t N, int64_t C, int64_t S) {
    const double M = static_cast<double>(N * S);
    BP_GRID_LOOP(i, N * C * S) {
        const int64_t c = (i / S) % C;
        const double invstd = 1.0 / sqrt(static_cast<double>(var[c]) + eps);
        const double k = (gamma ? static_cast<double>(gamma[c]) : 1.0) * invstd;
        const T a = static_cast<T>(k);
        const T b = batch_stats ? static_cast<T>(-k * sums[2 * c] / M) : T(0);
        const T d = batch_stats ? static_cast<T>(-k * sums[2 * c + 1] / M * invstd) : T(0);
        gx[i] = a * g[i] + b + d * (x[i] - mean[c]);
    }
}

// ---- optimizers ------------------------------------------------------------------------------------------------
template <class T>
__global__ void sgd_kernel(T* w, const T* g, T* b, SgdParams p, int64_t n) {
    const T lr = T(p.lr), mu = T(p.momentum), damp = T(p.dampening), wd = T(p.weight_decay);
    BP_GRID_LOOP(i, n) {
        T d = g[i] + wd * w[i];
        if (b) {
            b[i] = p.first_step ? d : mu * b[i] + (T(1) - damp) * d;
            d = p.nesterov ? d + mu * b[i] : b[i];
        }
        w[i] -= lr * d;
    }
}

template <class T>
__global__ void adam_kernel(T* w, const T* g, T* m, T* v, AdamParams p, int64_t n) {
    // 1 - beta in double, then rounded once, as PyTorch computes it (in Python): in float32, 1 - 0.999f is
    // 0.00099998713 and every step's second moment came out 1.3e-5 too small.
    const T b1 = T(p.beta1), b2 = T(p.beta2), eps = T(p.eps);
    const T one_minus_b1 = T(1.0 - p.beta1), one_minus_b2 = T(1.0 - p.beta2);
    const T step = T(p.lr / p.bias_corr1), inv_sqrt_bc2 = T(1.0 / sqrt(p.bias_corr2));
    const T decay = p.decoupled ? T(1.0 - p.lr * p.weight_decay) : T(1);
    const T l2 = p.decoupled ? T(0) : T(p.weight_decay);
    BP_GRID_LOOP(i, n) {
        const T gi = g[i] + l2 * w[i];
        m[i] = b1 * m[i] + one_minus_b1 * gi;
        v[i] = b2 * v[i] + one_minus_b2 * gi * gi;
        w[i] = w[i] * decay - step * m[i] / (d_sqrt(v[i]) * inv_sqrt_bc2 + eps);
    }
}

// ---- helpers -----------------------------------------------------------------------------------------------

ConvGeom conv_geom(const Tensor& x, int64_t OH, int64_t OW, const Window2d& win) {
    return {x.size(1), x.size(2), x.size(3), win.kernel_h, win.kernel_w, win.stride_h, win.stride_w,
            win.pad_h, win.pad_w, OH, OW};
}

// Images per im2col chunk, so the unrolled columns of one chunk stay under 64 MiB.
int64_t conv_chunk(int64_t N, int64_t cols_per_image, size_t esize) {
    const int64_t budget = (int64_t(64) << 20) / static_cast<int64_t>(esize);
    return std::clamp<int64_t>(budget / std::max<int64_t>(cols_per_image, 1), 1, std::max<int64_t>(N, 1));
}

class CudaBackend final : public Backend {
public:
    CudaBackend()
        : alloc_(
              [](size_t bytes) -> void* {
                  void* p = nullptr;
                  if (cudaMalloc(&p, bytes) != cudaSuccess) {
                      (void)cudaGetLastError();  // clear the out-of-memory error so later calls do not see it
                      return nullptr;
                  }
                  return p;
              },
              [](void* p, size_t) { (void)cudaFree(p); }) {
        std::string summary, why;
        if (cuda_query(&summary, &why)) name_ = "cuda (" + summary + ", cuBLAS)";
        else name_ = "cuda (unavailable: " + why + ")";
    }

    Device device() const override { return Device::cuda; }
    std::string name() const override { return name_; }
    CachingAllocator& allocator() { return alloc_; }

    void* allocate(size_t bytes) override {
        void* p = alloc_.allocate(bytes);
        if (!p) {
            size_t free_b = 0, total_b = 0;
            (void)cudaMemGetInfo(&free_b, &total_b);
            throw Error("cuda: out of GPU memory: could not allocate " + std::to_string(bytes) + " bytes (" +
                        std::to_string(free_b >> 20) + " MiB free of " + std::to_string(total_b >> 20) +
                        " MiB); use a smaller batch or --device cpu");
        }
        return p;
    }
    void deallocate(void* ptr, size_t bytes) override { alloc_.deallocate(ptr, bytes ? bytes : 1); }
    void copy_to_host(void* dst, const void* src, size_t bytes) override {
        if (bytes) BP_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost), "copy_to_host");
    }
    void copy_from_host(void* dst, const void* src, size_t bytes) override {
        if (bytes) BP_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice), "copy_from_host");
    }

    void fill(Tensor& out, double value) override {
        const int64_t n = out.numel();
        if (n == 0) return;
        switch (out.dtype()) {
            case DType::f32: fill_kernel<<<grid_for(n), kBlock>>>(mptr<float>(out), static_cast<float>(value), n); break;
            case DType::f64: fill_kernel<<<grid_for(n), kBlock>>>(mptr<double>(out), value, n); break;
            case DType::i32:
                fill_kernel<<<grid_for(n), kBlock>>>(mptr<int32_t>(out), static_cast<int32_t>(value), n);
                break;
        }
        BP_CUDA_LAUNCHED("fill", "fill_kernel");
    }

    void convert(Tensor& out, const Tensor& in) override {
        const int64_t n = in.numel();
        if (n == 0) return;
        if (in.dtype() == out.dtype()) {
            if (in.raw_data() != out.raw_data())
                BP_CUDA_CHECK(cudaMemcpy(out.raw_data(), in.raw_data(), in.nbytes(), cudaMemcpyDeviceToDevice), "convert");
            return;
        }
        auto launch = [&](auto* o) {
            switch (in.dtype()) {
                case DType::f32: convert_kernel<<<grid_for(n), kBlock>>>(o, cptr<float>(in), n); break;
                case DType::f64: convert_kernel<<<grid_for(n), kBlock>>>(o, cptr<double>(in), n); break;
                case DType::i32: convert_kernel<<<grid_for(n), kBlock>>>(o, cptr<int32_t>(in), n); break;
            }
        };
        switch (out.dtype()) {
            case DType::f32: launch(mptr<float>(out)); break;
            case DType::f64: launch(mptr<double>(out)); break;
            case DType::i32: launch(mptr<int32_t>(out)); break;
        }
        BP_CUDA_LAUNCHED("convert", "convert_kernel");
    }

    void binary(BinaryOp op, Tensor& out, const Tensor& a, const Tensor& b) override {
        const int64_t n = out.numel();
        if (n == 0) return;
        float_dispatch("binary", out.dtype(), [&](auto tag) {
            using T = decltype(tag);
            if (a.shape() == out.shape() && b.shape() == out.shape()) {
                binary_same_kernel<<<grid_for(n), kBlock>>>(static_cast<int>(op), mptr<T>(out), cptr<T>(a), cptr<T>(b), n);
            } else {
                binary_bcast_kernel<<<grid_for(n), kBlock>>>(static_cast<int>(op), mptr<T>(out), cptr<T>(a), cptr<T>(b),
                                                             dims4(out.shape()), bcast_strides(a.shape()),
                                                             bcast_strides(b.shape()), n);
            }
        });
        BP_CUDA_LAUNCHED("binary", "binary_kernel");
    }

    void unary(UnaryOp op, Tensor& out, const Tensor& x, double alpha) override {
        const int64_t n = x.numel();
        if (n == 0) return;
        float_dispatch("unary", out.dtype(), [&](auto tag) {
            using T = decltype(tag);
            unary_kernel<<<grid_for(n), kBlock>>>(static_cast<int>(op), mptr<T>(out), cptr<T>(x), static_cast<T>(alpha), n);
        });
        BP_CUDA_LAUNCHED("unary", "unary_kernel");
    }

    void unary_backward(UnaryOp op, Tensor& grad_x, const Tensor& grad_out, const Tensor& x, const Tensor& y,
                        double alpha) override {
        const int64_t n = grad_x.numel();
        if (n == 0) return;
        float_dispatch("unary_backward", grad_x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            unary_backward_kernel<<<grid_for(n), kBlock>>>(static_cast<int>(op), mptr<T>(grad_x), cptr<T>(grad_out),
                                                           cptr<T>(x), cptr<T>(y), static_cast<T>(alpha), n);
        });
        BP_CUDA_LAUNCHED("unary_backward", "unary_backward_kernel");
    }

    void axpby(Tensor& out, double scale, const Tensor& a, double beta, const Tensor& b) override {
        const int64_t n = out.numel();
        if (n == 0) return;
        float_dispatch("axpby", out.dtype(), [&](auto tag) {
            using T = decltype(tag);
            axpby_kernel<<<grid_for(n), kBlock>>>(mptr<T>(out), static_cast<T>(scale), cptr<T>(a), static_cast<T>(beta),
                                                  cptr<T>(b), n);
        });
        BP_CUDA_LAUNCHED("axpby", "axpby_kernel");
    }

    void sum_to(Tensor& out, const Tensor& in, double scale) override {
        const int64_t n = in.numel(), m = out.numel();
        if (m == 0) return;
        float_dispatch("sum_to", out.dtype(), [&](auto tag) {
            using T = decltype(tag);
            if (m == n) {
                scale_kernel<<<grid_for(n), kBlock>>>(mptr<T>(out), cptr<T>(in), static_cast<T>(scale), n);
                return;
            }
            ReduceGeom g{};
            const Dims4 od = dims4(out.shape()), id = dims4(in.shape());
            g.od = od;
            int64_t s = 1;
            for (int d = 3; d >= 0; --d) {
                g.rd.d[d] = (od.d[d] == 1 && id.d[d] > 1) ? id.d[d] : 1;
                g.is.s[d] = s;
                s *= id.d[d];
            }
            const int64_t R = n / m;
            if (R <= 64) {
                sum_to_thread_kernel<<<grid_for(m), kBlock>>>(mptr<T>(out), cptr<T>(in), g, m, R, scale);
            } else {
                const unsigned blocks = static_cast<unsigned>(std::min<int64_t>(m, 65535));
                sum_to_block_kernel<<<blocks, kBlock>>>(mptr<T>(out), cptr<T>(in), g, m, R, scale);
            }
        });
        BP_CUDA_LAUNCHED("sum_to", "sum_to_kernel");
    }

    void expand(Tensor& out, const Tensor& in, double scale) override {
        const int64_t n = out.numel();
        if (n == 0) return;
        float_dispatch("expand", out.dtype(), [&](auto tag) {
            using T = decltype(tag);
            expand_kernel<<<grid_for(n), kBlock>>>(mptr<T>(out), cptr<T>(in), dims4(out.shape()), bcast_strides(in.shape()),
                                                   static_cast<T>(scale), n);
        });
        BP_CUDA_LAUNCHED("expand", "expand_kernel");
    }

    void gemm(Tensor& c, const Tensor& a, bool trans_a, const Tensor& b, bool trans_b, double alpha,
              double beta) override {
        const int64_t M = c.size(0), N = c.size(1), K = trans_a ? a.size(0) : a.size(1);
        if (K == 0) {  // an empty product: C = beta · C
            Tensor cc = c;
            if (beta == 0.0) fill(cc, 0.0);
            else axpby(cc, beta, c, 0.0, c);
            return;
        }
        gemm_rm("gemm", c.dtype(), trans_a, trans_b, M, N, K, alpha, a.raw_data(), a.size(1), 0, b.raw_data(), b.size(1),
                0, beta, c.raw_data(), N, 0, 1);
    }

    void add_row_bias(Tensor& out, const Tensor& bias) override {
        const int64_t n = out.numel(), m = bias.numel();
        if (n == 0 || m == 0) return;
        float_dispatch("add_row_bias", out.dtype(), [&](auto tag) {
            using T = decltype(tag);
            add_row_bias_kernel<<<grid_for(n), kBlock>>>(mptr<T>(out), cptr<T>(bias), m, n);
        });
        BP_CUDA_LAUNCHED("add_row_bias", "add_row_bias_kernel");
    }

    void softmax(Tensor& out, const Tensor& x, bool log) override {
        const int64_t c = x.shape().back(), rows = c ? x.numel() / c : 0;
        if (rows == 0) return;
        float_dispatch("softmax", x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            softmax_kernel<<<row_grid(rows), kBlock>>>(mptr<T>(out), cptr<T>(x), rows, c, log);
        });
        BP_CUDA_LAUNCHED("softmax", "softmax_kernel");
    }

    void softmax_backward(Tensor& grad_x, const Tensor& grad_out, const Tensor& y, bool log) override {
        const int64_t c = y.shape().back(), rows = c ? y.numel() / c : 0;
        if (rows == 0) return;
        float_dispatch("softmax_backward", y.dtype(), [&](auto tag) {
            using T = decltype(tag);
            softmax_backward_kernel<<<row_grid(rows), kBlock>>>(mptr<T>(grad_x), cptr<T>(grad_out),
                                                                               cptr<T>(y), rows, c, log);
        });
        BP_CUDA_LAUNCHED("softmax_backward", "softmax_backward_kernel");
    }

    void cross_entropy(Tensor& loss, Tensor& probs, const Tensor& logits, const Tensor& targets) override {
        const int64_t n = logits.size(0), c = logits.size(1);
        Tensor row_loss = Tensor::empty({n}, DType::f64, Device::cuda);
        float_dispatch("cross_entropy", logits.dtype(), [&](auto tag) {
            using T = decltype(tag);
            cross_entropy_kernel<<<row_grid(n), kBlock>>>(mptr<T>(probs), mptr<double>(row_loss),
                                                                         cptr<T>(logits), cptr<int32_t>(targets), n, c);
            BP_CUDA_LAUNCHED("cross_entropy", "cross_entropy_kernel");
            sum_all_kernel<<<1, 1024>>>(mptr<T>(loss), cptr<double>(row_loss), n, 1.0 / static_cast<double>(n));
            BP_CUDA_LAUNCHED("cross_entropy", "sum_all_kernel");
        });
    }

    void cross_entropy_backward(Tensor& grad_logits, const Tensor& probs, const Tensor& targets,
                                double scale) override {
        const int64_t n = probs.size(0), c = probs.size(1);
        if (n * c == 0) return;
        float_dispatch("cross_entropy_backward", probs.dtype(), [&](auto tag) {
            using T = decltype(tag);
            cross_entropy_backward_kernel<<<grid_for(n * c), kBlock>>>(
                mptr<T>(grad_logits), cptr<T>(probs), cptr<int32_t>(targets), static_cast<T>(scale / static_cast<double>(n)),
                c, n * c);
        });
        BP_CUDA_LAUNCHED("cross_entropy_backward", "cross_entropy_backward_kernel");
    }

    // out_n [O, OH·OW] = w [O, C·kh·kw] @ cols_n [C·kh·kw, OH·OW] (+ b), a chunk of images per batched GEMM.
    void conv2d_forward(Tensor& out, Tensor& saved_cols, const Tensor& x, const Tensor& w, const Tensor& b,
                        const Window2d& win) override {
        const int64_t N = x.size(0), O = w.size(0);
        const ConvGeom g = conv_geom(x, out.size(2), out.size(3), win);
        const int64_t ohw = g.OH * g.OW, ckk = g.C * g.kh * g.kw;
        if (N == 0 || O == 0 || ohw == 0) return;
        const int64_t chunk = conv_chunk(N, ckk * ohw, dtype_size(x.dtype()));
        Tensor cols = Tensor::empty({chunk * ckk * ohw}, x.dtype(), Device::cuda);
        float_dispatch("conv2d", x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            for (int64_t n0 = 0; n0 < N; n0 += chunk) {
                const int64_t nb = std::min(chunk, N - n0);
                im2col_kernel<<<grid_for(nb * ckk * ohw), kBlock>>>(mptr<T>(cols), cptr<T>(x) + n0 * g.C * g.H * g.W, g, nb);
                BP_CUDA_LAUNCHED("conv2d", "im2col_kernel");
                gemm_rm("conv2d", x.dtype(), false, false, O, ohw, ckk, 1.0, w.raw_data(), ckk, 0, cols.raw_data(), ohw,
                        ckk * ohw, 0.0, mptr<T>(out) + n0 * O * ohw, ohw, O * ohw, nb);
            }
            if (b.defined()) {
                add_channel_bias_kernel<<<grid_for(out.numel()), kBlock>>>(mptr<T>(out), cptr<T>(b), O, ohw, out.numel());
                BP_CUDA_LAUNCHED("conv2d", "add_channel_bias_kernel");
            }
        });
    }
    int64_t conv2d_saved_size(const Tensor&, const Tensor&, const Window2d&) override { return 0; }

    // 1. grad_b = Σ grad_out over n and space; 2. grad_w = Σ_n grad_out_n @ cols_nᵀ;
    // 3. grad_x = col2im(wᵀ @ grad_out_n). Each output is overwritten.
    void conv2d_backward(Tensor& grad_x, Tensor& grad_w, Tensor& grad_b, const Tensor& grad_out, const Tensor& x,
                         const Tensor& w, const Tensor&, const Window2d& win) override {
        const int64_t N = x.size(0), O = w.size(0);
        const ConvGeom g = conv_geom(x, grad_out.size(2), grad_out.size(3), win);
        const int64_t ohw = g.OH * g.OW, ckk = g.C * g.kh * g.kw;
        if (grad_w.defined()) fill(grad_w, 0.0);
        if (grad_x.defined()) fill(grad_x, 0.0);
        if (grad_b.defined()) fill(grad_b, 0.0);
        if (N == 0 || O == 0 || ohw == 0) return;
        const int64_t chunk = conv_chunk(N, ckk * ohw, dtype_size(x.dtype()));
        Tensor cols = Tensor::empty({chunk * ckk * ohw}, x.dtype(), Device::cuda);
        float_dispatch("conv2d_backward", x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            if (grad_b.defined()) {
                channel_sum_kernel<<<static_cast<unsigned>(std::min<int64_t>(O, 65535)), kBlock>>>(
                    mptr<T>(grad_b), cptr<T>(grad_out), N, O, ohw);
                BP_CUDA_LAUNCHED("conv2d_backward", "channel_sum_kernel");
            }
            for (int64_t n0 = 0; n0 < N; n0 += chunk) {
                const int64_t nb = std::min(chunk, N - n0);
                const T* g_chunk = cptr<T>(grad_out) + n0 * O * ohw;
                if (grad_w.defined()) {
                    im2col_kernel<<<grid_for(nb * ckk * ohw), kBlock>>>(mptr<T>(cols), cptr<T>(x) + n0 * g.C * g.H * g.W, g, nb);
                    BP_CUDA_LAUNCHED("conv2d_backward", "im2col_kernel");
                    for (int64_t i = 0; i < nb; ++i)  // accumulates into grad_w: one GEMM per image
                        gemm_rm("conv2d_backward", x.dtype(), false, true, O, ckk, ohw, 1.0, g_chunk + i * O * ohw, ohw, 0,
                                cptr<T>(cols) + i * ckk * ohw, ohw, 0, 1.0, grad_w.raw_data(), ckk, 0, 1);
                }
                if (grad_x.defined()) {
                    gemm_rm("conv2d_backward", x.dtype(), true, false, ckk, ohw, O, 1.0, w.raw_data(), ckk, 0, g_chunk, ohw,
                            O * ohw, 0.0, cols.raw_data(), ohw, ckk * ohw, nb);
                    col2im_kernel<<<grid_for(nb * g.C * g.H * g.W), kBlock>>>(mptr<T>(grad_x) + n0 * g.C * g.H * g.W,
                                                                             cptr<T>(cols), g, nb);
                    BP_CUDA_LAUNCHED("conv2d_backward", "col2im_kernel");
                }
            }
        });
    }

    void max_pool2d_forward(Tensor& out, Tensor& indices, const Tensor& x, const Window2d& win) override {
        const ConvGeom g = conv_geom(x, out.size(2), out.size(3), win);
        const int64_t planes = x.size(0) * x.size(1);
        if (out.numel() == 0) return;
        float_dispatch("max_pool2d", x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            max_pool_kernel<<<grid_for(out.numel()), kBlock>>>(mptr<T>(out), mptr<int32_t>(indices), cptr<T>(x), g, planes);
        });
        BP_CUDA_LAUNCHED("max_pool2d", "max_pool_kernel");
    }

    void max_pool2d_backward(Tensor& grad_x, const Tensor& grad_out, const Tensor& indices) override {
        fill(grad_x, 0.0);
        const int64_t n = grad_out.numel();
        if (n == 0) return;
        const int64_t ohw = grad_out.size(2) * grad_out.size(3), hw = grad_x.size(2) * grad_x.size(3);
        float_dispatch("max_pool2d_backward", grad_x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            max_pool_backward_kernel<<<grid_for(n), kBlock>>>(mptr<T>(grad_x), cptr<T>(grad_out), cptr<int32_t>(indices),
                                                              ohw, hw, n);
        });
        BP_CUDA_LAUNCHED("max_pool2d_backward", "max_pool_backward_kernel");
    }

    void avg_pool2d_forward(Tensor& out, const Tensor& x, const Window2d& win) override {
        const ConvGeom g = conv_geom(x, out.size(2), out.size(3), win);
        if (out.numel() == 0) return;
        float_dispatch("avg_pool2d", x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            avg_pool_kernel<<<grid_for(out.numel()), kBlock>>>(mptr<T>(out), cptr<T>(x), g, x.size(0) * x.size(1));
        });
        BP_CUDA_LAUNCHED("avg_pool2d", "avg_pool_kernel");
    }

    void avg_pool2d_backward(Tensor& grad_x, const Tensor& grad_out, const Window2d& win) override {
        const ConvGeom g = conv_geom(grad_x, grad_out.size(2), grad_out.size(3), win);
        if (grad_x.numel() == 0) return;
        float_dispatch("avg_pool2d_backward", grad_x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            avg_pool_backward_kernel<<<grid_for(grad_x.numel()), kBlock>>>(mptr<T>(grad_x), cptr<T>(grad_out), g,
                                                                          grad_x.size(0) * grad_x.size(1));
        });
        BP_CUDA_LAUNCHED("avg_pool2d_backward", "avg_pool_backward_kernel");
    }

    static void nsc(const Tensor& x, int64_t& N, int64_t& C, int64_t& S) {
        N = x.size(0);
        C = x.size(1);
        S = x.dim() == 4 ? x.size(2) * x.size(3) : 1;
    }

    void batch_norm_stats(Tensor& mean, Tensor& var, const Tensor& x) override {
        int64_t N, C, S;
        nsc(x, N, C, S);
        if (C == 0) return;
        float_dispatch("batch_norm", x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            bn_stats_kernel<<<static_cast<unsigned>(std::min<int64_t>(C, 65535)), kBlock>>>(mptr<T>(mean), mptr<T>(var),
                                                                                          cptr<T>(x), N, C, S);
        });
        BP_CUDA_LAUNCHED("batch_norm", "bn_stats_kernel");
    }

    void batch_norm_apply(Tensor& y, const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& gamma,
                          const Tensor& beta, double eps) override {
        int64_t N, C, S;
        nsc(x, N, C, S);
        const int64_t n = x.numel();
        if (n == 0) return;
        float_dispatch("batch_norm", x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            bn_apply_kernel<<<grid_for(n), kBlock>>>(mptr<T>(y), cptr<T>(x), cptr<T>(mean), cptr<T>(var), cptr<T>(gamma),
                                                     cptr<T>(beta), eps, C, S, n);
        });
        BP_CUDA_LAUNCHED("batch_norm", "bn_apply_kernel");
    }

    void batch_norm_backward(Tensor& grad_x, Tensor& grad_gamma, Tensor& grad_beta, const Tensor& grad_out,
                             const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& gamma, double eps,
                             bool batch_stats) override {
        int64_t N, C, S;
        nsc(x, N, C, S);
        if (C == 0) return;
        Tensor sums = Tensor::empty({2 * C}, DType::f64, Device::cuda);
        float_dispatch("batch_norm_backward", x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            bn_backward_sums_kernel<<<static_cast<unsigned>(std::min<int64_t>(C, 65535)), kBlock>>>(
                mptr<double>(sums), mptr<T>(grad_gamma), mptr<T>(grad_beta), cptr<T>(grad_out), cptr<T>(x), cptr<T>(mean),
                cptr<T>(var), eps, N, C, S);
            BP_CUDA_LAUNCHED("batch_norm_backward", "bn_backward_sums_kernel");
            if (grad_x.defined() && grad_x.numel() > 0) {
                bn_backward_x_kernel<<<grid_for(grad_x.numel()), kBlock>>>(mptr<T>(grad_x), cptr<double>(sums),
                                                                          cptr<T>(grad_out), cptr<T>(x), cptr<T>(mean),
                                                                          cptr<T>(var), cptr<T>(gamma), eps, batch_stats,
                                                                          N, C, S);
                BP_CUDA_LAUNCHED("batch_norm_backward", "bn_backward_x_kernel");
            }
        });
    }

    // Along `dim`, each input is a [outer, d_i·inner] block of rows: one 2-D strided copy per input.
    void concat(Tensor& out, const std::vector<Tensor>& inputs, int64_t dim) override {
        copy_slabs("concat", out, const_cast<std::vector<Tensor>&>(inputs), dim, true);
    }
    void split(std::vector<Tensor>& outputs, const Tensor& in, int64_t dim) override {
        copy_slabs("split", const_cast<Tensor&>(in), outputs, dim, false);
    }

    void sgd_step(Tensor& param, const Tensor& grad, Tensor& buf, const SgdParams& p) override {
        const int64_t n = param.numel();
        if (n == 0) return;
        float_dispatch("sgd_step", param.dtype(), [&](auto tag) {
            using T = decltype(tag);
            sgd_kernel<<<grid_for(n), kBlock>>>(mptr<T>(param), cptr<T>(grad), p.momentum != 0 ? mptr<T>(buf) : nullptr, p, n);
        });
        BP_CUDA_LAUNCHED("sgd_step", "sgd_kernel");
    }

    void adam_step(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v, const AdamParams& p) override {
        const int64_t n = param.numel();
        if (n == 0) return;
        float_dispatch("adam_step", param.dtype(), [&](auto tag) {
            using T = decltype(tag);
            adam_kernel<<<grid_for(n), kBlock>>>(mptr<T>(param), cptr<T>(grad), mptr<T>(m), mptr<T>(v), p, n);
        });
        BP_CUDA_LAUNCHED("adam_step", "adam_kernel");
    }

private:
    // whole: the tensor that spans dim; parts: the slices along it, in order. to_whole: copy parts → whole.
    void copy_slabs(const char* op, Tensor& whole, std::vector<Tensor>& parts, int64_t dim, bool to_whole) {
        const Shape& ws = whole.shape();
        if (dim < 0) dim += static_cast<int64_t>(ws.size());
        int64_t outer = 1, inner = 1;
        for (int64_t d = 0; d < dim; ++d) outer *= ws[static_cast<size_t>(d)];
        for (size_t d = static_cast<size_t>(dim) + 1; d < ws.size(); ++d) inner *= ws[d];
        const size_t es = dtype_size(whole.dtype());
        const size_t whole_row = static_cast<size_t>(ws[static_cast<size_t>(dim)] * inner) * es;
        size_t offset = 0;
        for (Tensor& p : parts) {
            const size_t part_row = static_cast<size_t>(p.size(dim) * inner) * es;
            if (part_row > 0 && outer > 0) {
                char* w = static_cast<char*>(whole.raw_data()) + offset;
                if (to_whole)
                    BP_CUDA_CHECK(cudaMemcpy2D(w, whole_row, p.raw_data(), part_row, part_row, static_cast<size_t>(outer),
                                               cudaMemcpyDeviceToDevice),
                                  op);
                else
                    BP_CUDA_CHECK(cudaMemcpy2D(p.raw_data(), part_row, w, whole_row, part_row, static_cast<size_t>(outer),
                                               cudaMemcpyDeviceToDevice),
                                  op);
            }
            offset += part_row;
        }
    }

    CachingAllocator alloc_;
    std::string name_;
};

CudaBackend& the_backend() {
    // Never destroyed: freeing device memory from a static destructor can run after the CUDA runtime has
    // shut down; the driver reclaims everything at process exit.
    static CudaBackend* backend = new CudaBackend();
    return *backend;
}

}  // namespace
}  // namespace cuda

Backend& cuda_backend() { return cuda::the_backend(); }

DeviceMemoryStats cuda_memory_stats() { return cuda::the_backend().allocator().stats(); }
void cuda_empty_cache() { cuda::the_backend().allocator().empty_cache(); }

}  // namespace bp
