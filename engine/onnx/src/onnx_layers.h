// onnx_layers.h — one ONNX emitter per engine layer kind (Linear, activations, Conv2d, pooling, batch and layer
// norm, RMSNorm, ResidualBlock, attention, the transformer block, ...): each adds the nodes that compute the
// layer in eval mode and returns its output. Parameters become initializers under their named_parameters() names,
// which is `path` + "." + the parameter's name.
#pragma once

#include <string>

#include "bp/nn/module.h"
#include "onnx_graph.h"

namespace bp::onnx_export {

/// What the emitters share within one model.
struct Context {
    GraphBuilder& g;
    /// int64 [1] holding the sequence length T of the transformer's input (for the causal mask and RoPE tables),
    /// set by the model before its blocks; causal_mask: an additive [T, T] mask (0 / −inf) where one is needed.
    std::string seq_len, causal_mask;
    int64_t max_len = 0;  // the longest T (GPT's context, ViT's 50 tokens): the RoPE tables' size
};

/// "a" + "." + "b", or "b" when a is empty (the top-level module).
std::string join(const std::string& path, const std::string& name);

/// Emits module m (its name in the model is `path`) applied to x. ConfigError naming path and type for a layer
/// with no ONNX form here.
Value emit(Context& c, const std::string& path, const nn::Module& m, const Value& x);

/// A Linear layer on x of rank 2 (Gemm) or more (MatMul with the transposed weight, then Add the bias).
Value emit_linear(Context& c, const std::string& path, const nn::Linear& l, const Value& x);

}  // namespace bp::onnx_export
