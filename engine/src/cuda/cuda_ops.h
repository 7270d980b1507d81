// cuda_ops.h — CUDA paths of the ops that are not (yet) in the Backend table: the transformer building blocks
// and the fused attention. Each function is the whole op on cuda tensors (kernels and autograd node, with the
// same op name and the same gradients as the CPU op); the op in ops/*.cpp has validated its inputs and calls
// it from one `if (x.device() == Device::cuda)` line. Only built with BP_CUDA.
#pragma once

#include <cstdint>
#include <vector>

#include "bp/tensor.h"

namespace bp::cuda {

Tensor embedding(const Tensor& indices, const Tensor& weight);                     // cuda_transformer.cu
Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps);
Tensor rms_norm(const Tensor& x, const Tensor& gamma, double eps);
Tensor rope(const Tensor& x, int64_t position_offset, double base);
Tensor swiglu(const Tensor& x);
/// transpose's data movement (no autograd node: the op records it): a copy of x with dimensions d0 and d1
/// swapped, both already normalised to [0, x.dim()).
Tensor swap_dims(const Tensor& x, int64_t d0, int64_t d1);
/// out[i] = op(x[i]) @ op(y[i]) for every leading index i in one strided-batched cuBLAS call (bmm's kernel).
void gemm_batched(Tensor& out, const Tensor& x, bool tx, const Tensor& y, bool ty);

/// Fused (flash-attention style) attention forward and backward (cuda_attention.cu). keep: [B, S] host
/// flags, 1 = a real key. Head size up to 128 (ConfigError otherwise).
Tensor flash_attention(const Tensor& q, const Tensor& k, const Tensor& v, const std::vector<uint8_t>& keep,
                       bool causal);

}  // namespace bp::cuda
