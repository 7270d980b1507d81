// backend.h — the one interface every device implements: memory, copies and the compute kernels the ops
// call. Ops never branch on the device; they call backend_for(tensor).<kernel>(...). The CPU backend
// (Eigen) is the reference; the CUDA backend implements the same table where BP_HAVE_CUDA is defined.
// Kernel convention (as llm.c): outputs first, then inputs, then parameters. Backward kernels overwrite
// their output unless the name says accumulate.
#pragma once

#include <string>
#include <vector>

#include "bp/tensor.h"

namespace bp {

enum class UnaryOp { relu, leaky_relu, sigmoid, tanh, gelu_erf, gelu_tanh, exp, log, neg, square };
enum class BinaryOp { add, sub, mul, div };

struct AdamParams {
    double lr, beta1, beta2, eps, weight_decay;
    bool decoupled;      // AdamW: decay applied to the weights directly
    double bias_corr1;   // 1 - beta1^t
    double bias_corr2;   // 1 - beta2^t
};

/// Geometry of a 2-D convolution or pooling window over [N, C, H, W] (no dilation).
/// out size: OH = (H + 2·pad_h − kernel_h) / stride_h + 1, likewise OW.
struct Window2d {
    int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
    int64_t out_h(int64_t h) const { return (h + 2 * pad_h - kernel_h) / stride_h + 1; }
    int64_t out_w(int64_t w) const { return (w + 2 * pad_w - kernel_w) / stride_w + 1; }
};

struct SgdParams {
    double lr, momentum, dampening, weight_decay;
    bool nesterov;
    bool first_step;  // momentum buffer starts as the gradient
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual Device device() const = 0;
    virtual std::string name() const = 0;  // "cpu (Eigen 3.4, AVX-512)"

    // memory
    virtual void* allocate(size_t bytes) = 0;
    virtual void deallocate(void* ptr, size_t bytes) = 0;
    virtual void copy_to_host(void* dst, const void* src, size_t bytes) = 0;
    virtual void copy_from_host(void* dst, const void* src, size_t bytes) = 0;

    // elementwise
    virtual void fill(Tensor& out, double value) = 0;
    virtual void convert(Tensor& out, const Tensor& in) = 0;  // same numel, any dtypes
    /// out = a (op) b with NumPy broadcasting; out has the broadcast shape.
    virtual void binary(BinaryOp op, Tensor& out, const Tensor& a, const Tensor& b) = 0;
    /// out = f(x); alpha is the leaky-relu slope.
    virtual void unary(UnaryOp op, Tensor& out, const Tensor& x, double alpha) = 0;
    /// grad_x = grad_out * f'(x); y = f(x) is passed for ops whose derivative is cheaper from it.
    virtual void unary_backward(UnaryOp op, Tensor& grad_x, const Tensor& grad_out, const Tensor& x,
                                const Tensor& y, double alpha) = 0;
    /// out = scale * a + b * beta  (axpby; shapes equal)
    virtual void axpby(Tensor& out, double scale, const Tensor& a, double beta, const Tensor& b) = 0;

    // reductions and broadcasting
    /// Sums `in` down to out's shape (out's shape broadcasts to in's), times scale.
    virtual void sum_to(Tensor& out, const Tensor& in, double scale) = 0;
    /// Broadcasts `in` up to out's shape, times scale.
    virtual void expand(Tensor& out, const Tensor& in, double scale) = 0;

    // matrix products
    /// c = alpha * op(a) @ op(b) + beta * c, a and b 2-D (op = transpose where asked).
    virtual void gemm(Tensor& c, const Tensor& a, bool trans_a, const Tensor& b, bool trans_b, double alpha,
                      double beta) = 0;
    /// out[n, :] += bias for every row n (out: [N, M], bias: [M]).
    virtual void add_row_bias(Tensor& out, const Tensor& bias) = 0;
    /// out = x @ wᵀ + b, the linear layer's forward (x: [N, in], w: [out, in], b: [out] or undefined). By
    /// default a gemm, then add_row_bias; a backend may add the bias inside its product instead.
    virtual void linear(Tensor& out, const Tensor& x, const Tensor& w, const Tensor& b) {
        gemm(out, x, false, w, true, 1.0, 0.0);
        if (b.defined()) add_row_bias(out, b);
    }
    /// The linear layer's parameter gradients: grad_w = gᵀ @ x and grad_b = Σ_n g[n, :] (g: [N, out], x:
    /// [N, in]; either output may be undefined). By default a gemm and a sum_to; a backend may sum g for the
    /// bias while its product reads g for the weights.
    virtual void linear_backward_params(Tensor& grad_w, Tensor& grad_b, const Tensor& g, const Tensor& x) {
        if (grad_w.defined()) gemm(grad_w, g, true, x, false, 1.0, 0.0);
        if (grad_b.defined()) sum_to(grad_b, g, 1.0);
    }

    // softmax family, over the last dimension
    virtual void softmax(Tensor& out, const Tensor& x, bool log) = 0;
    virtual void softmax_backward(Tensor& grad_x, const Tensor& grad_out, const Tensor& y, bool log) = 0;
    /// loss = mean_n -log softmax(logits)[n, target[n]]; probs = softmax(logits). targets: i32 [N].
    virtual void cross_entropy(Tensor& loss, Tensor& probs, const Tensor& logits, const Tensor& targets) = 0;
    /// grad_logits = scale * (probs - onehot(targets)) / N
    virtual void cross_entropy_backward(Tensor& grad_logits, const Tensor& probs, const Tensor& targets,
                                        double scale) = 0;

    // convolution and pooling, NCHW (engine/src/cpu/conv.cpp, pool.cpp)
    /// out = x ⋆ w + b (cross-correlation, as torch)   x: [N, C, H, W]  w: [O, C, kh, kw]  b: [O] or undefined
    /// out: [N, O, OH, OW]. saved_cols, where defined (conv2d_saved_size elements), receives the unrolled
    /// input (layout private to the backend) so that backward need not unroll it again.
    virtual void conv2d_forward(Tensor& out, Tensor& saved_cols, const Tensor& x, const Tensor& w, const Tensor& b,
                                const Window2d& win) = 0;
    /// How many elements conv2d_forward would save in saved_cols for this geometry (0: it saves nothing,
    /// because its kernel needs no unrolled input, e.g. a 1×1 kernel).
    virtual int64_t conv2d_saved_size(const Tensor& x, const Tensor& w, const Window2d& win) = 0;
    /// Overwrites each defined output: grad_x [N, C, H, W], grad_w [O, C, kh, kw], grad_b [O]. saved_cols: what
    /// forward saved, or undefined (then x is unrolled again).
    virtual void conv2d_backward(Tensor& grad_x, Tensor& grad_w, Tensor& grad_b, const Tensor& grad_out,
                                 const Tensor& x, const Tensor& w, const Tensor& saved_cols, const Window2d& win) = 0;
    /// out: [N, C, OH, OW]; indices (i32, same shape): the argmax's flat index h·W + w inside its [H, W] plane.
    /// Padding counts as −∞.
    virtual void max_pool2d_forward(Tensor& out, Tensor& indices, const Tensor& x, const Window2d& win) = 0;
    /// Overwrites grad_x [N, C, H, W] with grad_out routed to the saved argmax of each window.
    virtual void max_pool2d_backward(Tensor& grad_x, const Tensor& grad_out, const Tensor& indices) = 0;
    /// Mean over each window; padding counts as zeros and the divisor is always kh·kw (torch's default).
    virtual void avg_pool2d_forward(Tensor& out, const Tensor& x, const Window2d& win) = 0;
    virtual void avg_pool2d_backward(Tensor& grad_x, const Tensor& grad_out, const Window2d& win) = 0;

    // batch normalisation over [N, C] or [N, C, H, W], per channel c (engine/src/cpu/batch_norm.cpp)
    /// mean[c], var[c] (biased, ÷ M) over the M = N·H·W elements of channel c.
    virtual void batch_norm_stats(Tensor& mean, Tensor& var, const Tensor& x) = 0;
    /// y = (x − mean[c]) / √(var[c] + eps) · gamma[c] + beta[c]; gamma/beta undefined mean 1/0.
    virtual void batch_norm_apply(Tensor& y, const Tensor& x, const Tensor& mean, const Tensor& var,
                                  const Tensor& gamma, const Tensor& beta, double eps) = 0;
    /// Overwrites each defined output. batch_stats: mean/var were computed from x itself (training), so
    /// the gradient flows through them too; otherwise they are constants (eval).
    virtual void batch_norm_backward(Tensor& grad_x, Tensor& grad_gamma, Tensor& grad_beta, const Tensor& grad_out,
                                     const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& gamma,
                                     double eps, bool batch_stats) = 0;

    // concatenation along one dimension (engine/src/cpu/concat.cpp)
    virtual void concat(Tensor& out, const std::vector<Tensor>& inputs, int64_t dim) = 0;
    /// The inverse: outputs[i] = the slice of `in` that inputs[i] filled (each output is pre-shaped).
    virtual void split(std::vector<Tensor>& outputs, const Tensor& in, int64_t dim) = 0;

    // optimizers (in place on param and state)
    virtual void sgd_step(Tensor& param, const Tensor& grad, Tensor& momentum_buf, const SgdParams& p) = 0;
    virtual void adam_step(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v, const AdamParams& p) = 0;
};

Backend& backend_for(Device device);
inline Backend& backend_for(const Tensor& t) { return backend_for(t.device()); }

/// Whether a CUDA device can be used here, and if not, why (for `backprop info` and skipped tests).
bool cuda_available(std::string* why_not = nullptr);
std::string cuda_device_summary();  // "NVIDIA H100 (80 GiB, sm_90)" or the reason there is none

/// Threads used by CPU kernels (Eigen GEMM and OpenMP loops). 0 = all cores.
void set_num_threads(int n);
int num_threads();
std::string cpu_simd();  // "AVX-512" / "AVX2" / "SSE2"

}  // namespace bp
