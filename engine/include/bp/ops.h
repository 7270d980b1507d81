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
/// The same with label smoothing ε (torch's label_smoothing): the target is (1 − ε)·one-hot + ε/C, so
/// loss = (1 − ε)·cross_entropy(logits, targets) − ε·mean(log_softmax(logits)). ε in [0, 1).
Tensor cross_entropy(const Tensor& logits, const Tensor& targets, double label_smoothing);
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

// ---- transformer ops (ops/transformer.cpp, ops/attention.cpp). CPU only for now: a cuda tensor throws
// ConfigError naming the op (the backend table has no kernels for them yet).

/// Rows of weight picked by index: out[b, t, :] = weight[indices[b, t], :].
/// indices: int32 [B, T] (any 1–3-D shape)  weight: [V, D]  out: indices.shape + [D].
/// An index outside [0, V) throws ConfigError. Example: embedding(tokens, wte)
Tensor embedding(const Tensor& indices, const Tensor& weight);
/// Layer normalisation over the last dimension (biased variance, as torch):
/// y = (x − μ) / √(σ² + eps) · gamma + beta   x: [..., D]  gamma, beta: [D] or undefined (1 and 0).
Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps = 1e-5);
/// RMS normalisation over the last dimension: y = x / √(mean(x²) + eps) · gamma   gamma: [D] or undefined.
Tensor rms_norm(const Tensor& x, const Tensor& gamma, double eps = 1e-6);
/// Rotary position embedding: each pair (x[2i], x[2i+1]) of position t is rotated by
/// θ_i = (offset + t) · base^(−2i/Dh).  x: [B, H, T, Dh] with Dh even -> same shape.
Tensor rope(const Tensor& x, int64_t position_offset = 0, double base = 10000.0);
/// silu(x) = x · sigmoid(x)
Tensor silu(const Tensor& x);
/// SwiGLU: x = [a | b] along the last dimension, out = silu(a) ⊙ b.  x: [..., 2F] -> [..., F].
Tensor swiglu(const Tensor& x);
/// The same with a and b given separately (same shapes): silu(a) ⊙ b.
Tensor swiglu(const Tensor& a, const Tensor& b);
/// Batched matrix product over the leading dimensions: out[i] = op(a[i]) @ op(b[i]), op = transpose where
/// asked.  a: [..., M, K] (or [..., K, M] with trans_a)  b: [..., K, N] (or [..., N, K] with trans_b)
/// out: [..., M, N]; 3-D or 4-D, leading dimensions equal. Example: bmm(q, k, false, true) = q kᵀ.
Tensor bmm(const Tensor& a, const Tensor& b, bool trans_a = false, bool trans_b = false);
/// Rows of x picked by index (torch.index_select(x, 0, indices)): out[m, :] = x[indices[m], :].
/// x: [N, D] float  indices: int32 [M], each in [0, N)  out: [M, D]. Backward scatter-adds into the picked rows.
/// Example: index_select(reshape(hidden, {B * T, d}), masked_positions) keeps only the masked positions.
Tensor index_select(const Tensor& x, const Tensor& indices);
/// Swaps two dimensions (a copy, not a view): [B, T, H, Dh] -> [B, H, T, Dh] with transpose(x, 1, 2).
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);

/// Attention: softmax(q kᵀ / √Dh + mask) v per batch and head.
/// q: [B, H, T, Dh]  k, v: [B, H, S, Dh]  out: [B, H, T, Dh]. causal: query t sees keys s ≤ t (torch's
/// top-left alignment). key_padding_mask: [B, S] int32 or float, nonzero = a real key, 0 = padding (or
/// undefined). Every query must see at least one key, else ConfigError. attn_weights, where not null,
/// receives the probabilities [B, H, T, S] (detached, for display).
/// Plain: materialises the whole [B, H, T, S] score tensor and is built from bmm, add and softmax.
Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, bool causal = false,
                                    const Tensor& key_padding_mask = {}, Tensor* attn_weights = nullptr);
/// The same semantics, tiled (flash-attention style, Dao et al. 2022): for one head at a time it walks key
/// blocks of block_size with an online softmax, keeping one [block, block] score tile; backward recomputes
/// the probabilities block by block from the saved row log-sum-exp [B, H, T].
Tensor scaled_dot_product_attention_tiled(const Tensor& q, const Tensor& k, const Tensor& v, bool causal = false,
                                          const Tensor& key_padding_mask = {}, int64_t block_size = 32);

}  // namespace bp
