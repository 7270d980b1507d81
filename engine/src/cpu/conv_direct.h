// conv_direct.h — the direct AVX-512 convolution kernels (conv_direct.cpp), which conv.cpp dispatches to.
#pragma once

#include "cpu/conv_unroll.h"

#if defined(__AVX512F__)
namespace bp::cpu::conv {

/// Whether the direct kernels take this layer (float, stride 1, few weights).
bool use_direct(const Geometry& g, const Window2d& k);
void direct_forward(Tensor& out, const Tensor& x, const Tensor& w, const Tensor& b, const Geometry& g,
                    const Window2d& k);
/// grad_x and/or grad_w (either may be undefined); grad_b is conv.cpp's.
void direct_backward(Tensor& grad_x, Tensor& grad_w, const Tensor& grad_out, const Tensor& x, const Tensor& w,
                     const Geometry& g, const Window2d& k);

}  // namespace bp::cpu::conv
#endif
