// flops.h — the FLOPs of a recorded forward pass, counted from the graph's nodes, for the benchmarks'
// "achieved GFLOP/s" of a model's training. Counts the matrix products only (2 FLOPs per multiply-add):
// matmul, bmm, linear, conv2d and fused (tiled) attention; elementwise ops, norms, pooling and losses are left
// out (small beside the products, memory-bound): the usual convention. Not a profiler: nothing is timed here.
#pragma once

#include "bp/nn/module.h"
#include "bp/tensor.h"

namespace bp::train {

/// FLOPs of the matrix products in the graph that produced `root` (its recorded history).
/// Example: graph_matmul_flops(linear(x [32, 784], w [128, 784], b)) == 2 · 32 · 784 · 128.
double graph_matmul_flops(const Tensor& root);

/// Forward FLOPs of `net` on `input` (one batch), from one forward pass with the graph recorded (the
/// parameters must require grad, as in training). Training is counted as 3× this by the usual convention
/// (forward, then the gradients of the inputs and of the weights, each about one forward's products).
double forward_flops(nn::Module& net, const Tensor& input);

}  // namespace bp::train
