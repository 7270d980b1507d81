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

/// Training FLOPs per sample: 3 × forward_flops of a blank batch of `batch` samples of `sample_shape` (without
/// the batch dimension), counted in eval mode (the same products, no batch-norm statistics or dropout draws
/// spent on the blank batch; the module's mode is restored). Example: MLP 784-128-64-10 -> 3 · 218368.
double training_flops_per_sample(nn::Module& net, const Shape& sample_shape, int64_t batch);

}  // namespace bp::train
