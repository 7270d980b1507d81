// ops.h — the differentiable operations. Each op checks shapes (a mismatch throws ShapeError naming the op,
// both shapes and what would fit), computes through the backend, and records its backward node when an
// input requires grad. Every op here is registered with the float64 gradient check (gradcheck.h).
#pragma once

#include <vector>

#include "bp/tensor.h"

namespace bp {

enum class GeluApprox { none, tanh };  // none: exact x·Φ(x) with erf; tanh: the GPT-2 approximation

/// out = a @ b        a: [N, K]  b: [K, M]  out: [N, M]
Tensor matmul(const Tensor& a, const Tensor& b);
/// out = x @ wᵀ + b   x: [*, in]  w: [out, in]  b: [out] (may be undefined)  out: [*, out]
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b);

/// Elementwise with NumPy broadcasting (a row or column over a batch, a scalar, ...).
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor scale(const Tensor& x, double s);  // s·x
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

/// Reductions: over everything (a 0-d result) or over one dimension.
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, int64_t dim, bool keepdim = false);

/// Shape: a view onto the same storage; gradients flow back reshaped.
Tensor reshape(const Tensor& x, const Shape& shape);
Tensor flatten(const Tensor& x, int64_t start_dim = 1);  // [N, 1, 28, 28] -> [N, 784]

/// Activations.
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor gelu(const Tensor& x, GeluApprox approx = GeluApprox::none);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);

/// Softmax family over the last dimension.
Tensor softmax(const Tensor& x);
Tensor log_softmax(const Tensor& x);
/// Fused, numerically stable softmax + negative log-likelihood, averaged over the batch.
/// logits: [N, C] float; targets: [N] int32 class indices in [0, C).
Tensor cross_entropy(const Tensor& logits, const Tensor& targets);
/// mean((pred − target)²) over every element; shapes must match.
Tensor mse_loss(const Tensor& pred, const Tensor& target);

/// Convolution layers (NCHW). Example: conv2d(x, w, b, 1, 2) for a 5×5 kernel that keeps 28×28 at 28×28.
/// out = x ⋆ w + b (cross-correlation, as torch)   x: [N, C, H, W]  w: [O, C, kh, kw]  b: [O] or undefined
/// out: [N, O, OH, OW] with OH = (H + 2·padding − kh) / stride + 1 (likewise OW); zero padding.
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b, int64_t stride = 1, int64_t padding = 0);
/// Max over each kernel×kernel window; stride 0 means stride = kernel (torch's default); padding is −∞.
/// x: [N, C, H, W] -> [N, C, OH, OW]. The argmax of each window is saved for backward.
Tensor max_pool2d(const Tensor& x, int64_t kernel, int64_t stride = 0, int64_t padding = 0);
/// Mean over each window (padding counts as zeros, divisor kernel², torch's default). Same geometry as max_pool2d.
Tensor avg_pool2d(const Tensor& x, int64_t kernel, int64_t stride = 0, int64_t padding = 0);
/// Mean over H and W: [N, C, H, W] -> [N, C] (a ResNet's last pooling).
Tensor global_avg_pool2d(const Tensor& x);

/// Batch normalisation per channel of x [N, C] or [N, C, H, W]; gamma, beta: [C] or undefined (1 and 0).
/// training: normalises with the batch mean and biased variance and, where running_mean / running_var
/// ([C], same dtype) are defined, updates them in place: r ← (1 − momentum)·r + momentum·batch statistic,
/// with the unbiased variance (as torch). eval: normalises with the running statistics.
Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum = 0.1, double eps = 1e-5);
/// Inverted dropout: in training each element is zeroed with probability p and the rest scaled by 1/(1 − p),
/// drawing the mask from gen; in eval (or p = 0) it returns x unchanged. p in [0, 1].
Tensor dropout(const Tensor& x, double p, bool training, Generator& gen);
/// Joins tensors along dim (negative counts from the end); all other sizes must agree. For skip connections.
Tensor concat(const std::vector<Tensor>& tensors, int64_t dim);

}  // namespace bp
