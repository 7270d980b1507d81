// cpu_kernels.h — the CPU kernels that live in their own files (gemm.cpp, conv.cpp, pool.cpp, batch_norm.cpp,
// concat.cpp, attention.cpp, relu_mask.cpp, softmax.cpp); CpuBackend (cpu_backend.cpp) forwards its virtual
// methods to them. Same names and argument order as the Backend methods in backend.h: outputs first, then
// inputs, then parameters.
#pragma once

#include <vector>

#include "bp/backend.h"

namespace bp::cpu {

/// c = alpha · op(a) @ op(b) + beta · c (gemm.cpp), split over the pool; then c[n, :] += bias where bias is
/// given (float32: inside the product's store), and a_row_sums[i] = Σ_k op(a)[i, k] where a_row_sums is
/// given (float32 with trans_a: while op(a) is packed; of a as given, also where bf16 rounds the product's
/// inputs).
void gemm(Tensor& c, const Tensor& a, bool trans_a, const Tensor& b, bool trans_b, double alpha, double beta,
          const Tensor* bias, Tensor* a_row_sums = nullptr);
void add_row_bias(Tensor& out, const Tensor& bias);

void conv2d_forward(Tensor& out, Tensor& saved_cols, const Tensor& x, const Tensor& w, const Tensor& b,
                    const Window2d& win);
int64_t conv2d_saved_size(const Tensor& x, const Tensor& w, const Window2d& win);
void conv2d_backward(Tensor& grad_x, Tensor& grad_w, Tensor& grad_b, const Tensor& grad_out, const Tensor& x,
                     const Tensor& w, const Tensor& saved_cols, const Window2d& win);

/// relu (slope 0) / leaky relu forward that also records where x > 0, one bit per element (relu_mask.cpp):
/// `bits` is an i32 tensor of relu_mask_words(x.numel()) words.
int64_t relu_mask_words(int64_t n);
void relu_forward_mask(Tensor& y, Tensor& bits, const Tensor& x, double slope);
/// Its backward from the bits alone: grad_out, or (grad_out undefined) the value `uniform` everywhere.
void relu_backward_mask(Tensor& grad_x, const Tensor& bits, const Tensor& grad_out, double uniform, double slope);
/// softmax / log-softmax backward (softmax.cpp); the _uniform form for an upstream gradient that is `g`
/// everywhere reads y only.
void softmax_backward(Tensor& grad_x, const Tensor& grad_out, const Tensor& y, bool log);
void softmax_backward_uniform(Tensor& grad_x, const Tensor& y, double g, bool log);

void max_pool2d_forward(Tensor& out, Tensor& indices, const Tensor& x, const Window2d& win);
void max_pool2d_backward(Tensor& grad_x, const Tensor& grad_out, const Tensor& indices);
void avg_pool2d_forward(Tensor& out, const Tensor& x, const Window2d& win);
void avg_pool2d_backward(Tensor& grad_x, const Tensor& grad_out, const Window2d& win);

void batch_norm_stats(Tensor& mean, Tensor& var, const Tensor& x);
void batch_norm_apply(Tensor& y, const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& gamma,
                      const Tensor& beta, double eps);
void batch_norm_backward(Tensor& grad_x, Tensor& grad_gamma, Tensor& grad_beta, const Tensor& grad_out,
                         const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& gamma, double eps,
                         bool batch_stats);

/// Tiled attention (attention.cpp), host only. out, q: [B, H, T, Dh]; k, v: [B, H, S, Dh]; lse: f64 [B, H, T]
/// receives the row log-sum-exp; keep: [B, S] bytes, 1 = a real key. Backward overwrites the three gradients.
void flash_attention_forward(Tensor& out, Tensor& lse, const Tensor& q, const Tensor& k, const Tensor& v,
                             const uint8_t* keep, bool causal, int64_t block);
void flash_attention_backward(Tensor& grad_q, Tensor& grad_k, Tensor& grad_v, const Tensor& grad_out, const Tensor& q,
                              const Tensor& k, const Tensor& v, const Tensor& out, const Tensor& lse,
                              const uint8_t* keep, bool causal, int64_t block);

void concat(Tensor& out, const std::vector<Tensor>& inputs, int64_t dim);
void split(std::vector<Tensor>& outputs, const Tensor& in, int64_t dim);

}  // namespace bp::cpu
