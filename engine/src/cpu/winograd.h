// winograd.h — 3×3 stride-1 float convolution by Winograd's minimal filtering F(4×4, 3×3) / F(2×2, 3×3) (winograd.cpp),
// forward and both backward passes. conv.cpp picks it for float layers whose im2col GEMM would be large
// (a CNN's 32→64 layer, ResNet blocks); everything else keeps the im2col / direct kernels.
#pragma once

#include <cstdint>

#include "bp/backend.h"

namespace bp::cpu {

/// True when the Winograd kernels take this float convolution: 3×3, stride 1, padding ≤ 2, at least 8 channels
/// in and out, and AVX-512 compiled in (without it they are not built and this is always false).
bool winograd_applies(const Tensor& x, const Tensor& w, const Window2d& win);

/// Floats that training keeps from forward for backward: none (grad_w transforms x again, measured faster than
/// keeping the transformed input, 4× the size of x, in memory). conv2d's saved-columns size for these layers.
int64_t winograd_saved_size(const Tensor& x, const Tensor& w, const Window2d& win);

/// out = x ⋆ w + b (b may be undefined). Shapes as conv2d's: x [N, C, H, W], w [O, C, 3, 3], out [N, O, OH, OW].
/// `saved` is not used (winograd_saved_size).
void winograd_forward(Tensor& out, Tensor& saved, const Tensor& x, const Tensor& w, const Tensor& b,
                      const Window2d& win);

/// Overwrites grad_x and/or grad_w (either may be undefined) from grad_out; grad_b is conv.cpp's. `saved` is not
/// used.
void winograd_backward(Tensor& grad_x, Tensor& grad_w, const Tensor& grad_out, const Tensor& x, const Tensor& w,
                       const Tensor& saved, const Window2d& win);

}  // namespace bp::cpu
