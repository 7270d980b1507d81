// flops.cpp — counts the FLOPs of the matrix products in a recorded graph (flops.h).
#include "bp/train/flops.h"

#include "bp/autograd.h"

namespace bp::train {

double graph_matmul_flops(const Tensor& root) {
    if (!root.defined() || !root.requires_grad()) return 0;
    double flops = 0;
    for (const auto& node : autograd::topo_order(root)) {
        const auto out = node->output.lock();
        if (!out || node->inputs.empty() || out->shape.empty()) continue;
        const double out_last = static_cast<double>(out->shape.back());
        const Tensor& a = node->inputs[0];
        if (node->op == "matmul" || node->op == "bmm" || node->op == "linear") {
            // a [..., M, K] (or its transpose), out [..., M, N]: M·K·N multiply-adds per batch entry.
            flops += 2.0 * static_cast<double>(a.numel()) * out_last;
        } else if (node->op == "conv2d" && node->inputs.size() >= 2) {
            // out [N, O, OH, OW], w [O, C, kh, kw]: C·kh·kw multiply-adds per output element.
            const Tensor& w = node->inputs[1];
            double out_numel = 1;
            for (int64_t d : out->shape) out_numel *= static_cast<double>(d);
            flops += 2.0 * out_numel * static_cast<double>(w.numel() / w.size(0));
        } else if (node->op == "scaled_dot_product_attention_tiled" && node->inputs.size() >= 2) {
            // q [B, H, T, Dh], k [B, H, S, Dh]: q kᵀ and P v, T·S·Dh multiply-adds each (in full, even when causal).
            flops += 4.0 * static_cast<double>(a.numel()) * static_cast<double>(node->inputs[1].size(-2));
        }
    }
    return flops;
}

double forward_flops(nn::Module& net, const Tensor& input) {
    return graph_matmul_flops(net.forward(input));
}

double training_flops_per_sample(nn::Module& net, const Shape& sample_shape, int64_t batch) {
    Shape in = sample_shape;
    in.insert(in.begin(), batch);
    const bool was_training = net.is_training();
    net.train(false);
    const double flops = 3 * forward_flops(net, Tensor::zeros(in)) / static_cast<double>(batch);
    net.train(was_training);
    return flops;
}

}  // namespace bp::train
