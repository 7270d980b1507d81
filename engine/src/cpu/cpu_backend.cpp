// cpu_backend.cpp — the reference backend: matrix products in gemm.cpp (our sgemm for float32, Eigen for the
// rest), plain loops the compiler vectorises for everything else. Each kernel is written for clarity first;
// the hot ones (gemm, bias, relu, the softmax-cross-entropy and Adam) are the ones the MLP benchmark profiles.
#include <malloc.h>

#include <Eigen/Core>
#include <unsupported/Eigen/SpecialFunctions>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "bp/backend.h"
#include "bp/caching_allocator.h"
#include "bp/device.h"
#include "cpu/broadcast.h"
#include "cpu/cpu_kernels.h"
#include "cpu/lane_sum.h"
#include "cpu/page_arena.h"
#include "cpu/parallel.h"

namespace bp {
namespace {

template <class T>
inline T apply_binary(BinaryOp op, T a, T b) {
    switch (op) {
        case BinaryOp::add: return a + b;
        case BinaryOp::sub: return a - b;
        case BinaryOp::mul: return a * b;
        case BinaryOp::div: return a / b;
    }
    return T(0);
}

using cpu::binary_loop;
using cpu::elementwise;
using cpu::elementwise_grain;

constexpr double kSqrt2OverPi = 0.7978845608028654;  // sqrt(2/pi)
constexpr double kInvSqrt2 = 0.7071067811865476;
constexpr double kInvSqrt2Pi = 0.3989422804014327;  // 1/sqrt(2 pi)

template <class T>
using ArrMap = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <class T>
using ConstArrMap = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;

// The transcendental activations through Eigen's vectorised exp/tanh/erf (the scalar std:: calls below
// do not vectorise). Same formulas as the reference loops; returns false for the ops it leaves to them.
template <class T>
bool unary_vectorised(UnaryOp op, T* y, const T* x, int64_t n) {
    ArrMap<T> Y(y, n);
    ConstArrMap<T> X(x, n);
    switch (op) {
        case UnaryOp::sigmoid: Y = T(1) / (T(1) + (-X).exp()); return true;
        case UnaryOp::tanh: Y = X.tanh(); return true;
        case UnaryOp::gelu_erf: Y = T(0.5) * X * (T(1) + (X * T(kInvSqrt2)).erf()); return true;
        case UnaryOp::gelu_tanh:
            Y = T(0.5) * X * (T(1) + (T(kSqrt2OverPi) * (X + T(0.044715) * X.cube())).tanh());
            return true;
        case UnaryOp::exp: Y = X.exp(); return true;
        case UnaryOp::log: Y = X.log(); return true;
        default: return false;
    }
}

template <class T>
bool unary_backward_vectorised(UnaryOp op, T* gx, const T* g, const T* x, int64_t n) {
    ArrMap<T> GX(gx, n);
    ConstArrMap<T> G(g, n), X(x, n);
    switch (op) {
        case UnaryOp::gelu_erf:  // Φ(x) + x φ(x)
            GX = G * (T(0.5) * (T(1) + (X * T(kInvSqrt2)).erf()) + X * T(kInvSqrt2Pi) * (T(-0.5) * X.square()).exp());
            return true;
        case UnaryOp::gelu_tanh: {  // ½(1 + t) + ½ x (1 − t²) √(2/π) (1 + 3·0.044715 x²)
            auto t = (T(kSqrt2OverPi) * (X + T(0.044715) * X.cube())).tanh().eval();
            GX = G * (T(0.5) * (T(1) + t) +
                      T(0.5) * X * (T(1) - t.square()) * T(kSqrt2OverPi) * (T(1) + T(3 * 0.044715) * X.square()));
            return true;
        }
        default: return false;
    }
}

template <class T>
void unary_kernel(UnaryOp op, T* y, const T* x, int64_t n, T alpha) {
    if (unary_vectorised(op, y, x, n)) return;
    switch (op) {
        case UnaryOp::relu:
            for (int64_t i = 0; i < n; ++i) y[i] = x[i] > T(0) ? x[i] : T(0);
            break;
        case UnaryOp::leaky_relu:
            for (int64_t i = 0; i < n; ++i) y[i] = x[i] > T(0) ? x[i] : alpha * x[i];
            break;
        case UnaryOp::sigmoid:
            for (int64_t i = 0; i < n; ++i) y[i] = T(1) / (T(1) + std::exp(-x[i]));
            break;
        case UnaryOp::tanh:
            for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
            break;
        case UnaryOp::gelu_erf:  // x Φ(x) = ½ x (1 + erf(x / √2))
            for (int64_t i = 0; i < n; ++i) y[i] = T(0.5) * x[i] * (T(1) + std::erf(x[i] * T(kInvSqrt2)));
            break;
        case UnaryOp::gelu_tanh:  // ½ x (1 + tanh(√(2/π) (x + 0.044715 x³)))
            for (int64_t i = 0; i < n; ++i) {
                T u = T(kSqrt2OverPi) * (x[i] + T(0.044715) * x[i] * x[i] * x[i]);
                y[i] = T(0.5) * x[i] * (T(1) + std::tanh(u));
            }
            break;
        case UnaryOp::exp:
            for (int64_t i = 0; i < n; ++i) y[i] = std::exp(x[i]);
            break;
        case UnaryOp::log:
            for (int64_t i = 0; i < n; ++i) y[i] = std::log(x[i]);
            break;
        case UnaryOp::neg:
            for (int64_t i = 0; i < n; ++i) y[i] = -x[i];
            break;
        case UnaryOp::square:
            for (int64_t i = 0; i < n; ++i) y[i] = x[i] * x[i];
            break;
    }
}

// grad_x = grad_out · f'(x), with y = f(x) where that is the cheaper form.
template <class T>
void unary_backward_kernel(UnaryOp op, T* gx, const T* g, const T* x, const T* y, int64_t n, T alpha) {
    if (x && unary_backward_vectorised(op, gx, g, x, n)) return;
    switch (op) {
        case UnaryOp::relu:  // f' = 1 for x > 0, else 0
            for (int64_t i = 0; i < n; ++i) gx[i] = x[i] > T(0) ? g[i] : T(0);
            break;
        case UnaryOp::leaky_relu:
            for (int64_t i = 0; i < n; ++i) gx[i] = x[i] > T(0) ? g[i] : alpha * g[i];
            break;
        case UnaryOp::sigmoid:  // σ' = σ (1 − σ)
            for (int64_t i = 0; i < n; ++i) gx[i] = g[i] * y[i] * (T(1) - y[i]);
            break;
        case UnaryOp::tanh:  // tanh' = 1 − tanh²
            for (int64_t i = 0; i < n; ++i) gx[i] = g[i] * (T(1) - y[i] * y[i]);
            break;
        case UnaryOp::gelu_erf:  // Φ(x) + x φ(x)
            for (int64_t i = 0; i < n; ++i) {
                T cdf = T(0.5) * (T(1) + std::erf(x[i] * T(kInvSqrt2)));
                T pdf = T(kInvSqrt2Pi) * std::exp(T(-0.5) * x[i] * x[i]);
                gx[i] = g[i] * (cdf + x[i] * pdf);
            }
            break;
        case UnaryOp::gelu_tanh:  // ½(1 + t) + ½ x (1 − t²) √(2/π) (1 + 3·0.044715 x²)
            for (int64_t i = 0; i < n; ++i) {
                T x2 = x[i] * x[i];
                T t = std::tanh(T(kSqrt2OverPi) * (x[i] + T(0.044715) * x2 * x[i]));
                T du = T(kSqrt2OverPi) * (T(1) + T(3 * 0.044715) * x2);
                gx[i] = g[i] * (T(0.5) * (T(1) + t) + T(0.5) * x[i] * (T(1) - t * t) * du);
            }
            break;
        case UnaryOp::exp:
            for (int64_t i = 0; i < n; ++i) gx[i] = g[i] * y[i];
            break;
        case UnaryOp::log:
            for (int64_t i = 0; i < n; ++i) gx[i] = g[i] / x[i];
            break;
        case UnaryOp::neg:
            for (int64_t i = 0; i < n; ++i) gx[i] = -g[i];
            break;
        case UnaryOp::square:
            for (int64_t i = 0; i < n; ++i) gx[i] = T(2) * x[i] * g[i];
            break;
    }
}

// Adam on elements [begin, end):  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  w ← w − lr·m̂ / (√v̂ + ε)
// with m̂ = m / (1−β₁ᵗ), v̂ = v / (1−β₂ᵗ). AdamW decays w by (1 − lr·λ) first; Adam adds λw to g instead.
template <class T>
void adam_range(T* __restrict w, const T* __restrict g, T* __restrict mp, T* __restrict vp, int64_t begin,
                int64_t end, const AdamParams& p) {
    // 1 - beta in double, then rounded once, as PyTorch computes it (in Python): in float32, 1 - 0.999f is
    // 0.00099998713 and every step's second moment came out 1.3e-5 too small.
    const T b1 = T(p.beta1), b2 = T(p.beta2), eps = T(p.eps);
    const T one_minus_b1 = T(1.0 - p.beta1), one_minus_b2 = T(1.0 - p.beta2);
    const T step = T(p.lr / p.bias_corr1), inv_sqrt_bc2 = T(1.0 / std::sqrt(p.bias_corr2));
    const T decay = p.decoupled ? T(1.0 - p.lr * p.weight_decay) : T(1);
    const T l2 = p.decoupled ? T(0) : T(p.weight_decay);
    for (int64_t i = begin; i < end; ++i) {
        T gi = g[i] + l2 * w[i];
        mp[i] = b1 * mp[i] + one_minus_b1 * gi;
        vp[i] = b2 * vp[i] + one_minus_b2 * gi * gi;
        w[i] = w[i] * decay - step * mp[i] / (std::sqrt(vp[i]) * inv_sqrt_bc2 + eps);
    }
}

class CpuBackend final : public Backend {
public:
    CpuBackend() {
        // Keep freed tensor buffers in the heap: glibc would otherwise mmap/munmap every buffer over 128 KiB
        // (a first-layer weight gradient) on every batch and pay for zeroed fresh pages each time.
        mallopt(M_MMAP_THRESHOLD, 256 << 20);
        mallopt(M_TRIM_THRESHOLD, 512 << 20);
        // Eigen stays serial from the start, not only once a trainer calls set_num_threads: left at its default it
        // runs big products on OpenMP threads that spin while they wait, and on two cores a GUI's worker (the
        // playground) then starves the GUI thread.
        Eigen::setNbThreads(1);
    }

    Device device() const override { return Device::cpu; }
    std::string name() const override {
        return "cpu (Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) +
               "." + std::to_string(EIGEN_MINOR_VERSION) + ", " + cpu_simd() + ")";
    }

    void* allocate(size_t bytes) override {
        void* p = blocks_.allocate(bytes);
        if (!p) throw Error("out of memory: could not allocate " + std::to_string(bytes) + " bytes");
        return p;
    }
    void deallocate(void* ptr, size_t bytes) override { blocks_.deallocate(ptr, bytes); }
    void copy_to_host(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
    void copy_from_host(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }

    void fill(Tensor& out, double value) override {
        const int64_t n = out.numel();
        if (out.dtype() == DType::i32) {
            std::fill_n(out.data<int32_t>(), n, static_cast<int32_t>(value));
            return;
        }
        dispatch_dtype(out.dtype(), [&](auto tag) {
            using T = decltype(tag);
            T* o = out.data<T>();
            const T v = static_cast<T>(value);
            elementwise(n, [&](int64_t b0, int64_t b1) { std::fill(o + b0, o + b1, v); });
        });
    }

    void convert(Tensor& out, const Tensor& in) override {
        const int64_t n = in.numel();
        if (in.dtype() == out.dtype()) {
            char* dst = static_cast<char*>(out.raw_data());
            const char* src = static_cast<const char*>(in.raw_data());
            const size_t bytes = in.nbytes(), elem = dtype_size(in.dtype());
            if (dst == src) return;
            if (dst + bytes <= src || src + bytes <= dst)  // apart: copied in parts over the pool
                elementwise(n, [&](int64_t b0, int64_t b1) {
                    std::memcpy(dst + b0 * elem, src + b0 * elem, static_cast<size_t>(b1 - b0) * elem);
                });
            else
                std::memmove(dst, src, bytes);
            return;
        }
        auto read = [&](int64_t i) -> double {
            switch (in.dtype()) {
                case DType::f32: return in.data<float>()[i];
                case DType::f64: return in.data<double>()[i];
                case DType::i32: return in.data<int32_t>()[i];
            }
            return 0;
        };
        for (int64_t i = 0; i < n; ++i) {
            switch (out.dtype()) {
                case DType::f32: out.data<float>()[i] = static_cast<float>(read(i)); break;
                case DType::f64: out.data<double>()[i] = read(i); break;
                case DType::i32: out.data<int32_t>()[i] = static_cast<int32_t>(read(i)); break;
            }
        }
    }

    void binary(BinaryOp op, Tensor& out, const Tensor& a, const Tensor& b) override {
        dispatch_dtype(out.dtype(), [&](auto tag) {
            using T = decltype(tag);
            switch (op) {
                case BinaryOp::add:
                    binary_loop(out.data<T>(), a.data<T>(), b.data<T>(), a.shape(), b.shape(), out.shape(),
                                [](T x, T y) { return x + y; });
                    break;
                case BinaryOp::sub:
                    binary_loop(out.data<T>(), a.data<T>(), b.data<T>(), a.shape(), b.shape(), out.shape(),
                                [](T x, T y) { return x - y; });
                    break;
                case BinaryOp::mul:
                    binary_loop(out.data<T>(), a.data<T>(), b.data<T>(), a.shape(), b.shape(), out.shape(),
                                [](T x, T y) { return x * y; });
                    break;
                case BinaryOp::div:
                    binary_loop(out.data<T>(), a.data<T>(), b.data<T>(), a.shape(), b.shape(), out.shape(),
                                [](T x, T y) { return x / y; });
                    break;
            }
        });
    }

    void unary(UnaryOp op, Tensor& out, const Tensor& x, double alpha) override {
        dispatch_dtype(out.dtype(), [&](auto tag) {
            using T = decltype(tag);
            T* y = out.data<T>();
            const T* xp = x.data<T>();
            cpu::parallel_for(x.numel(), elementwise_grain(x.numel()), [&](int64_t b, int64_t e) {
                unary_kernel<T>(op, y + b, xp + b, e - b, static_cast<T>(alpha));
            });
        });
    }

    void unary_backward(UnaryOp op, Tensor& grad_x, const Tensor& grad_out, const Tensor& x, const Tensor& y,
                        double alpha) override {
        dispatch_dtype(grad_x.dtype(), [&](auto tag) {
            using T = decltype(tag);
            T* gx = grad_x.data<T>();
            const T* g = grad_out.data<T>();
            const T* xp = x.defined() ? x.data<T>() : nullptr;
            const T* yp = y.defined() ? y.data<T>() : nullptr;
            cpu::parallel_for(grad_x.numel(), elementwise_grain(grad_x.numel()), [&](int64_t b, int64_t e) {
                unary_backward_kernel<T>(op, gx + b, g + b, xp ? xp + b : nullptr, yp ? yp + b : nullptr, e - b,
                                         static_cast<T>(alpha));
            });
        });
    }

    void axpby(Tensor& out, double scale, const Tensor& a, double beta, const Tensor& b) override {
        dispatch_dtype(out.dtype(), [&](auto tag) {
            using T = decltype(tag);
            T* o = out.data<T>();
            const T* pa = a.data<T>();
            const T* pb = b.data<T>();
            const T s = static_cast<T>(scale), t = static_cast<T>(beta);
            elementwise(out.numel(), [&](int64_t b0, int64_t b1) {
                for (int64_t i = b0; i < b1; ++i) o[i] = s * pa[i] + t * pb[i];
            });
        });
    }

    void sum_to(Tensor& out, const Tensor& in, double scale) override { cpu::sum_to(out, in, scale); }
    void expand(Tensor& out, const Tensor& in, double scale) override { cpu::expand(out, in, scale); }

    void gemm(Tensor& c, const Tensor& a, bool trans_a, const Tensor& b, bool trans_b, double alpha,
              double beta) override {
        cpu::gemm(c, a, trans_a, b, trans_b, alpha, beta, nullptr);
    }

    // The bias goes into the product's store (gemm.cpp), not a pass of its own over out.
    void linear(Tensor& out, const Tensor& x, const Tensor& w, const Tensor& b) override {
        cpu::gemm(out, x, false, w, true, 1.0, 0.0, b.defined() ? &b : nullptr);
    }

    // The bias gradient is summed while the weight gradient's product packs gᵀ (gemm.cpp), not by a pass
    // of its own.
    void linear_backward_params(Tensor& grad_w, Tensor& grad_b, const Tensor& g, const Tensor& x) override {
        if (grad_w.defined() && grad_b.defined())
            cpu::gemm(grad_w, g, true, x, false, 1.0, 0.0, nullptr, &grad_b);
        else
            Backend::linear_backward_params(grad_w, grad_b, g, x);
    }

    void add_row_bias(Tensor& out, const Tensor& bias) override { cpu::add_row_bias(out, bias); }

    void softmax(Tensor& out, const Tensor& x, bool log) override {
        dispatch_dtype(out.dtype(), [&](auto tag) {
            using T = decltype(tag);
            const int64_t c = x.shape().back(), rows = x.numel() / c;
            const T* x0 = x.data<T>();
            T* y0 = out.data<T>();
            // Rows are independent: chunks of rows run in parallel, the same values either way.
            cpu::parallel_for(rows, cpu::grain_for(rows, std::max<int64_t>(1, 8192 / c)), [&](int64_t r0, int64_t r1) {
                for (int64_t r = r0; r < r1; ++r) {
                    ConstArrMap<T> X(x0 + r * c, c);
                    ArrMap<T> Y(y0 + r * c, c);
                    const T mx = X.maxCoeff();  // subtract the max: exp never overflows
                    Y = (X - mx).exp();          // Eigen's vectorised exp
                    const T sum = Y.sum();
                    if (log) Y = X - (mx + std::log(sum));
                    else Y *= T(1) / sum;
                }
            });
        });
    }

    void softmax_backward(Tensor& grad_x, const Tensor& grad_out, const Tensor& y, bool log) override {
        cpu::softmax_backward(grad_x, grad_out, y, log);
    }

    void cross_entropy(Tensor& loss, Tensor& probs, const Tensor& logits, const Tensor& targets) override {
        dispatch_dtype(logits.dtype(), [&](auto tag) {
            using T = decltype(tag);
            const int64_t c = logits.size(1), n = logits.size(0);
            const T* xp = logits.data<T>();
            T* pp = probs.data<T>();
            const int32_t* t = targets.data<int32_t>();
            double total = 0;
            for (int64_t r = 0; r < n; ++r, xp += c, pp += c) {
                T mx = *std::max_element(xp, xp + c);
                T sum = 0;
                for (int64_t j = 0; j < c; ++j) {
                    pp[j] = std::exp(xp[j] - mx);
                    sum += pp[j];
                }
                T inv = T(1) / sum;
                for (int64_t j = 0; j < c; ++j) pp[j] *= inv;
                // −log softmax[target] = log Σ exp(x − max) − (x_t − max): stable for large logits
                total += static_cast<double>(std::log(sum) - (xp[t[r]] - mx));
            }
            loss.data<T>()[0] = static_cast<T>(total / static_cast<double>(n));
        });
    }

    void cross_entropy_backward(Tensor& grad_logits, const Tensor& probs, const Tensor& targets,
                                double scale) override {
        dispatch_dtype(grad_logits.dtype(), [&](auto tag) {
            using T = decltype(tag);
            const int64_t c = probs.size(1), n = probs.size(0);
            const T s = static_cast<T>(scale / static_cast<double>(n));
            const T* pp = probs.data<T>();
            const int32_t* t = targets.data<int32_t>();
            T* g = grad_logits.data<T>();
            for (int64_t r = 0; r < n; ++r, pp += c, g += c) {
                for (int64_t j = 0; j < c; ++j) g[j] = s * pp[j];
                g[t[r]] -= s;
            }
        });
    }

    void conv2d_forward(Tensor& out, Tensor& saved_cols, const Tensor& x, const Tensor& w, const Tensor& b,
                        const Window2d& win) override {
        cpu::conv2d_forward(out, saved_cols, x, w, b, win);
    }
    int64_t conv2d_saved_size(const Tensor& x, const Tensor& w, const Window2d& win) override {
        return cpu::conv2d_saved_size(x, w, win);
    }
    void conv2d_backward(Tensor& grad_x, Tensor& grad_w, Tensor& grad_b, const Tensor& grad_out, const Tensor& x,
                         const Tensor& w, const Tensor& saved_cols, const Window2d& win) override {
        cpu::conv2d_backward(grad_x, grad_w, grad_b, grad_out, x, w, saved_cols, win);
    }
    void max_pool2d_forward(Tensor& out, Tensor& indices, const Tensor& x, const Window2d& win) override {
        cpu::max_pool2d_forward(out, indices, x, win);
    }
    void max_pool2d_backward(Tensor& grad_x, const Tensor& grad_out, const Tensor& indices) override {
        cpu::max_pool2d_backward(grad_x, grad_out, indices);
    }
    void avg_pool2d_forward(Tensor& out, const Tensor& x, const Window2d& win) override {
        cpu::avg_pool2d_forward(out, x, win);
    }
    void avg_pool2d_backward(Tensor& grad_x, const Tensor& grad_out, const Window2d& win) override {
        cpu::avg_pool2d_backward(grad_x, grad_out, win);
    }
    void batch_norm_stats(Tensor& mean, Tensor& var, const Tensor& x) override { cpu::batch_norm_stats(mean, var, x); }
    void batch_norm_apply(Tensor& y, const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& gamma,
                          const Tensor& beta, double eps) override {
        cpu::batch_norm_apply(y, x, mean, var, gamma, beta, eps);
    }
    void batch_norm_backward(Tensor& grad_x, Tensor& grad_gamma, Tensor& grad_beta, const Tensor& grad_out,
                             const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& gamma, double eps,
                             bool batch_stats) override {
        cpu::batch_norm_backward(grad_x, grad_gamma, grad_beta, grad_out, x, mean, var, gamma, eps, batch_stats);
    }
    void concat(Tensor& out, const std::vector<Tensor>& inputs, int64_t dim) override { cpu::concat(out, inputs, dim); }
    void split(std::vector<Tensor>& outputs, const Tensor& in, int64_t dim) override { cpu::split(outputs, in, dim); }

    void sgd_step(Tensor& param, const Tensor& grad, Tensor& buf, const SgdParams& p) override {
        dispatch_dtype(param.dtype(), [&](auto tag) {
            using T = decltype(tag);
            T* __restrict w = param.data<T>();
            const T* __restrict g = grad.data<T>();
            T* __restrict b = p.momentum != 0 ? buf.data<T>() : nullptr;
            const T lr = T(p.lr), mu = T(p.momentum), damp = T(p.dampening), wd = T(p.weight_decay);
            for (int64_t i = 0, n = param.numel(); i < n; ++i) {
                T d = g[i] + wd * w[i];
                if (b) {
                    b[i] = p.first_step ? d : mu * b[i] + (T(1) - damp) * d;
                    d = p.nesterov ? d + mu * b[i] : b[i];
                }
                w[i] -= lr * d;
            }
        });
    }

    void adam_step(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v, const AdamParams& p) override {
        dispatch_dtype(param.dtype(), [&](auto tag) {
            using T = decltype(tag);
            const int64_t n = param.numel();
            T* w = param.data<T>();
            const T* g = grad.data<T>();
            T* mp = m.data<T>();
            T* vp = v.data<T>();
            // Large tensors split over the pool: each core then keeps its share of the state in its own L2.
            cpu::parallel_for(n, std::max<int64_t>(1 << 15, cpu::grain_for(n, 1 << 12, 1) / 16 * 16 + 16),
                              [&](int64_t b, int64_t e) { adam_range<T>(w, g, mp, vp, b, e, p); });
        });
    }

    /// Hands the cached blocks back, and then the chunks of huge pages that hold none in use.
    void empty_cache() {
        blocks_.empty_cache();
        arena_.release_unused();
    }

private:
    // Blocks of 256 KiB to 4 MiB are kept for reuse, the one freed last first (caching_allocator.h): a step's
    // next activation then lands in a buffer still in the cache (ResNet-mini at 2 threads 2647 -> 2713
    // images/s, mean of 5 alternating runs). Larger blocks go straight back: cached too, the CNN's 6.4 MB
    // activations made its full 2-thread epoch about 5% slower (7613 -> 7248 images/s, 4 alternating runs),
    // for reasons not found. At most 256 MiB is held.
    // Under the cache, blocks of 256 KiB and more come from chunks of huge pages (page_arena.h), smaller ones
    // from malloc. On small pages every first touch faulted (ViT-tiny's first step 0.33 s, 27,800 faults;
    // with the arena 0.04 s, 1,750), and the TLB missed every 4 KiB: relu forward+backward on 8 MB 1.25 ->
    // 0.93 ms, conv2d 3x3 32->64 5.6 -> 5.1 ms, matmul 1024^3 37.1 -> 36.0 ms (5 alternating runs each).
#if defined(__SANITIZE_ADDRESS__)
    static constexpr size_t kArenaBytes = SIZE_MAX;  // AddressSanitizer checks malloc's blocks, not the arena's
#else
    static constexpr size_t kArenaBytes = size_t(256) << 10;
#endif
    void* raw_allocate(size_t bytes) {
        return bytes >= kArenaBytes ? arena_.allocate(bytes) : std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    }
    void raw_free(void* p, size_t bytes) {
        if (bytes < kArenaBytes || !arena_.deallocate(p)) std::free(p);
    }
    cpu::PageArena arena_;
    CachingAllocator blocks_{[this](size_t bytes) { return raw_allocate(bytes); },
                             [this](void* p, size_t bytes) { raw_free(p, bytes); },
                             {true, size_t(256) << 10, size_t(4) << 20, size_t(256) << 20}};
};

}  // namespace

static CpuBackend& the_cpu_backend() {
    static CpuBackend backend;
    return backend;
}

Backend& cpu_backend() { return the_cpu_backend(); }

void cpu_empty_cache() { the_cpu_backend().empty_cache(); }

// Threads go to the pool (cpu/parallel.h); Eigen itself stays serial, and products large enough to share
// are split in CpuBackend::gemm.
void set_num_threads(int n) {
    if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    Eigen::setNbThreads(1);
    cpu::set_pool_threads(n);
}

int num_threads() { return cpu::pool_threads(); }

std::string cpu_simd() {
#if defined(__AVX512F__)
    return "AVX-512";
#elif defined(__AVX2__)
    return "AVX2";
#elif defined(__AVX__)
    return "AVX";
#elif defined(__SSE2__)
    return "SSE2";
#else
    return "scalar";
#endif
}

}  // namespace bp
