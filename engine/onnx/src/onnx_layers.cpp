// onnx_layers.cpp — the emitters of onnx_layers.h. Each follows the engine's forward exactly (same formulas, same
// order of operations where it matters), in opset 17: GELU and RMSNorm are written out from Erf/Tanh/ReduceMean
// (Gelu arrives in opset 20, RMSNormalization in 23), RoPE from Split/Mul/Concat with cos/sin tables.
#include "onnx_layers.h"

#include <cmath>

#include "bp/errors.h"
#include "bp/nn/layers.h"
#include "bp/nn/transformer.h"

namespace bp::onnx_export {

using Ints = std::vector<int64_t>;

std::string join(const std::string& path, const std::string& name) { return path.empty() ? name : path + "." + name; }

Value emit_linear(Context& c, const std::string& path, const nn::Linear& l, const Value& x) {
    GraphBuilder& g = c.g;
    const std::string w = g.initializer(join(path, "weight"), l.weight);  // [out, in]
    const std::string b = l.bias.defined() ? g.initializer(join(path, "bias"), l.bias) : std::string();
    if (x.rank == 2) {  // y = x Wᵀ + b
        std::vector<std::string> in{x.name, w};
        if (!b.empty()) in.push_back(b);
        return {g.node("Gemm", in, path, {{"transB", int64_t{1}}}), 2};
    }
    const std::string wt = g.node("Transpose", {w}, path + "/weight_t", {{"perm", Ints{1, 0}}});  // [in, out]
    if (b.empty()) return {g.node("MatMul", {x.name, wt}, path), x.rank};
    const std::string mm = g.node("MatMul", {x.name, wt}, path + "/matmul");
    return {g.node("Add", {mm, b}, path), x.rank};
}

/// ½ x (1 + erf(x / √2)) or ½ x (1 + tanh(√(2/π) (x + 0.044715 x³))), as the CPU kernels compute them.
static Value emit_gelu(Context& c, const std::string& name, const Value& x, bool tanh_form) {
    GraphBuilder& g = c.g;
    std::string inner;
    if (tanh_form) {
        const std::string x2 = g.node("Mul", {x.name, x.name}, name + "/x2");
        const std::string x3 = g.node("Mul", {x2, x.name}, name + "/x3");
        const std::string cx3 = g.node("Mul", {x3, g.scalar_f32(0.044715f)}, name + "/cx3");
        const std::string s = g.node("Add", {x.name, cx3}, name + "/sum");
        const std::string u = g.node("Mul", {s, g.scalar_f32(static_cast<float>(std::sqrt(2.0 / M_PI)))}, name + "/u");
        inner = g.node("Tanh", {u}, name + "/tanh");
    } else {
        const std::string u = g.node("Mul", {x.name, g.scalar_f32(static_cast<float>(1.0 / std::sqrt(2.0)))}, name + "/u");
        inner = g.node("Erf", {u}, name + "/erf");
    }
    const std::string one_plus = g.node("Add", {inner, g.scalar_f32(1.0f)}, name + "/one_plus");
    const std::string half_x = g.node("Mul", {x.name, g.scalar_f32(0.5f)}, name + "/half_x");
    return {g.node("Mul", {half_x, one_plus}, name), x.rank};
}

static Value emit_activation(Context& c, const std::string& path, const nn::ActivationLayer& a, const Value& x) {
    GraphBuilder& g = c.g;
    switch (a.kind()) {
        case nn::Activation::relu: return {g.node("Relu", {x.name}, path), x.rank};
        case nn::Activation::leaky_relu:
            return {g.node("LeakyRelu", {x.name}, path, {{"alpha", static_cast<float>(a.negative_slope())}}), x.rank};
        case nn::Activation::sigmoid: return {g.node("Sigmoid", {x.name}, path), x.rank};
        case nn::Activation::tanh: return {g.node("Tanh", {x.name}, path), x.rank};
        case nn::Activation::gelu: return emit_gelu(c, path, x, false);
        case nn::Activation::gelu_tanh: return emit_gelu(c, path, x, true);
    }
    throw ConfigError("onnx export: activation of layer '" + path + "' has no ONNX form");
}

static Value emit_batch_norm(Context& c, const std::string& path, const nn::BatchNorm& bn, const Value& x) {
    GraphBuilder& g = c.g;
    // Eval mode: (x − running_mean) / √(running_var + eps) · weight + bias, per channel (axis 1).
    return {g.node("BatchNormalization",
                   {x.name, g.initializer(join(path, "weight"), bn.weight), g.initializer(join(path, "bias"), bn.bias),
                    g.initializer(join(path, "running_mean"), bn.running_mean),
                    g.initializer(join(path, "running_var"), bn.running_var)},
                   path, {{"epsilon", static_cast<float>(bn.eps())}}),
            x.rank};
}

static Value emit_conv(Context& c, const std::string& path, const nn::Conv2d& conv, const Value& x) {
    GraphBuilder& g = c.g;
    const nn::Conv2dOptions& o = conv.options();
    std::vector<std::string> in{x.name, g.initializer(join(path, "weight"), conv.weight)};
    if (conv.bias.defined()) in.push_back(g.initializer(join(path, "bias"), conv.bias));
    return {g.node("Conv", in, path,
                   {{"kernel_shape", Ints{o.kernel_size, o.kernel_size}},
                    {"strides", Ints{o.stride_, o.stride_}},
                    {"pads", Ints{o.padding_, o.padding_, o.padding_, o.padding_}}}),
            4};
}

static Value emit_residual(Context& c, const std::string& path, const nn::ResidualBlock& r, const Value& x) {
    GraphBuilder& g = c.g;
    Value h = emit_conv(c, join(path, "conv1"), *r.conv1, x);
    h = emit_batch_norm(c, join(path, "bn1"), *r.bn1, h);
    h = {g.node("Relu", {h.name}, path + "/relu1"), 4};
    h = emit_conv(c, join(path, "conv2"), *r.conv2, h);
    h = emit_batch_norm(c, join(path, "bn2"), *r.bn2, h);
    const Value shortcut = r.downsample ? emit(c, join(path, "downsample"), *r.downsample, x) : x;
    const std::string sum = g.node("Add", {h.name, shortcut.name}, path + "/add");
    return {g.node("Relu", {sum}, path), 4};
}

static Value emit_layer_norm(Context& c, const std::string& path, const nn::LayerNorm& ln, const Value& x) {
    GraphBuilder& g = c.g;
    return {g.node("LayerNormalization",
                   {x.name, g.initializer(join(path, "weight"), ln.weight), g.initializer(join(path, "bias"), ln.bias)},
                   path, {{"axis", int64_t{-1}}, {"epsilon", static_cast<float>(ln.eps())}}),
            x.rank};
}

/// x / √(mean(x²) + eps) · weight over the last dimension.
static Value emit_rms_norm(Context& c, const std::string& path, const nn::RMSNorm& rn, const Value& x) {
    GraphBuilder& g = c.g;
    const std::string sq = g.node("Mul", {x.name, x.name}, path + "/square");
    const std::string ms = g.node("ReduceMean", {sq}, path + "/mean", {{"axes", Ints{-1}}, {"keepdims", int64_t{1}}});
    const std::string plus = g.node("Add", {ms, g.scalar_f32(static_cast<float>(rn.eps()))}, path + "/plus_eps");
    const std::string root = g.node("Sqrt", {plus}, path + "/sqrt");
    const std::string normed = g.node("Div", {x.name, root}, path + "/div");
    return {g.node("Mul", {normed, g.initializer(join(path, "weight"), rn.weight)}, path), x.rank};
}

/// Rotary embedding of x [B, H, T, Dh]: pairs (x[2i], x[2i+1]) rotated by θ = t · 10000^(−2i/Dh), with cos/sin
/// tables [max_len, Dh/2, 1] sliced to the first T rows.
static std::string emit_rope(Context& c, const std::string& name, const std::string& x, int64_t dh) {
    GraphBuilder& g = c.g;
    const int64_t pairs = dh / 2;
    const std::string table = "rope.dh" + std::to_string(dh) + ".len" + std::to_string(c.max_len);
    if (!g.initializer_names().count(table + ".cos")) {
        std::vector<float> cs(static_cast<size_t>(c.max_len * pairs)), sn(cs.size());
        for (int64_t t = 0; t < c.max_len; ++t)
            for (int64_t i = 0; i < pairs; ++i) {
                const double theta = static_cast<double>(t) * std::pow(10000.0, -2.0 * static_cast<double>(i) / dh);
                cs[static_cast<size_t>(t * pairs + i)] = static_cast<float>(std::cos(theta));
                sn[static_cast<size_t>(t * pairs + i)] = static_cast<float>(std::sin(theta));
            }
        g.const_f32(table + ".cos", cs, {c.max_len, pairs, 1});
        g.const_f32(table + ".sin", sn, {c.max_len, pairs, 1});
        const std::string zero = g.const_i64("const.i64.[0]", {0});
        g.node("Slice", {table + ".cos", zero, c.seq_len, zero}, table + ".cos/slice");  // [T, Dh/2, 1]
        g.node("Slice", {table + ".sin", zero, c.seq_len, zero}, table + ".sin/slice");
    }
    const std::string cs = table + ".cos/slice", sn = table + ".sin/slice";
    const std::string pairs5 = g.node("Reshape", {x, g.const_i64("const.i64.[0,0,0,-1,2]", {0, 0, 0, -1, 2})},
                                      name + "/pairs");  // [B, H, T, Dh/2, 2]
    const std::vector<std::string> ab = g.node_multi("Split", {pairs5}, name + "/split", 2, {{"axis", int64_t{-1}}});
    const std::string& a = ab[0];  // x[2i]   [B, H, T, Dh/2, 1]
    const std::string& b = ab[1];  // x[2i+1]
    const std::string y0 = g.node("Sub", {g.node("Mul", {a, cs}, name + "/a_cos"), g.node("Mul", {b, sn}, name + "/b_sin")},
                                  name + "/y0");
    const std::string y1 = g.node("Add", {g.node("Mul", {a, sn}, name + "/a_sin"), g.node("Mul", {b, cs}, name + "/b_cos")},
                                  name + "/y1");
    const std::string joined = g.node("Concat", {y0, y1}, name + "/concat", {{"axis", int64_t{-1}}});
    return g.node("Reshape", {joined, g.const_i64("const.i64.[0,0,0,-1]", {0, 0, 0, -1})}, name);
}

/// Self-attention on x [B, T, D]: projections, heads [B, H, T, Dh], optional RoPE, softmax(q kᵀ / √Dh + mask) v,
/// heads joined, out_proj.
static Value emit_attention(Context& c, const std::string& path, const nn::MultiHeadAttention& mha, const Value& x) {
    GraphBuilder& g = c.g;
    const nn::MultiHeadAttentionOptions& o = mha.options();
    const int64_t H = o.heads, D = o.d_model, Dh = D / H;
    const std::string split_shape = g.const_i64("const.i64.[0,0," + std::to_string(H) + "," + std::to_string(Dh) + "]",
                                                {0, 0, H, Dh});
    auto heads = [&](const nn::Linear& proj, const char* which) {
        const Value p = emit_linear(c, join(path, std::string(which) + "_proj"), proj, x);  // [B, T, D]
        const std::string s = g.node("Reshape", {p.name, split_shape}, path + "/" + which + "_split");
        std::string h = g.node("Transpose", {s}, path + "/" + which + "_heads", {{"perm", Ints{0, 2, 1, 3}}});
        if (o.rope_ && std::string(which) != "v") h = emit_rope(c, path + "/" + which + "_rope", h, Dh);
        return h;  // [B, H, T, Dh]
    };
    const std::string q = heads(*mha.q_proj, "q"), k = heads(*mha.k_proj, "k"), v = heads(*mha.v_proj, "v");
    const std::string kt = g.node("Transpose", {k}, path + "/k_t", {{"perm", Ints{0, 1, 3, 2}}});  // [B, H, Dh, T]
    const std::string scores = g.node("MatMul", {q, kt}, path + "/scores");                         // [B, H, T, T]
    std::string s = g.node("Mul", {scores, g.scalar_f32(static_cast<float>(1.0 / std::sqrt(static_cast<double>(Dh))))},
                           path + "/scale");
    if (o.causal_) {
        if (c.causal_mask.empty()) throw std::logic_error("onnx export: causal attention without a mask");
        s = g.node("Add", {s, c.causal_mask}, path + "/causal_mask");
    }
    const std::string p = g.node("Softmax", {s}, path + "/softmax", {{"axis", int64_t{-1}}});
    const std::string ctx = g.node("MatMul", {p, v}, path + "/context");  // [B, H, T, Dh]
    const std::string merged_t = g.node("Transpose", {ctx}, path + "/merge_t", {{"perm", Ints{0, 2, 1, 3}}});
    const std::string merged = g.node("Reshape", {merged_t, g.const_i64("const.i64.[0,0," + std::to_string(D) + "]", {0, 0, D})},
                                      path + "/merge");  // [B, T, D]
    return emit_linear(c, join(path, "out_proj"), *mha.out_proj, {merged, 3});
}

static Value emit_feed_forward(Context& c, const std::string& path, const nn::FeedForward& ff, const Value& x) {
    GraphBuilder& g = c.g;
    const Value h = emit_linear(c, join(path, "fc1"), *ff.fc1, x);
    Value act;
    if (ff.is_swiglu()) {  // [a | b] -> silu(a) ⊙ b
        const std::vector<std::string> ab = g.node_multi("Split", {h.name}, path + "/split", 2, {{"axis", int64_t{-1}}});
        const std::string silu = g.node("Mul", {ab[0], g.node("Sigmoid", {ab[0]}, path + "/sigmoid")}, path + "/silu");
        act = {g.node("Mul", {silu, ab[1]}, path + "/swiglu"), h.rank};
    } else {
        act = emit_gelu(c, path + "/gelu", h, true);
    }
    return emit_linear(c, join(path, "fc2"), *ff.fc2, act);
}

/// Pre-norm block: x + attn(norm1(x)), then + mlp(norm2(·)).
static Value emit_block(Context& c, const std::string& path, const nn::TransformerBlock& b, const Value& x) {
    GraphBuilder& g = c.g;
    const Value a = emit_attention(c, join(path, "attn"), *b.attn, emit(c, join(path, "norm1"), *b.norm1, x));
    const Value h{g.node("Add", {x.name, a.name}, path + "/residual1"), x.rank};
    const Value m = emit_feed_forward(c, join(path, "mlp"), *b.mlp, emit(c, join(path, "norm2"), *b.norm2, h));
    return {g.node("Add", {h.name, m.name}, path), x.rank};
}

Value emit(Context& c, const std::string& path, const nn::Module& m, const Value& x) {
    GraphBuilder& g = c.g;
    if (auto* seq = dynamic_cast<const nn::Sequential*>(&m)) {
        Value h = x;
        for (const auto& [name, child] : seq->children()) h = emit(c, join(path, name), *child, h);
        return h;
    }
    if (auto* l = dynamic_cast<const nn::Linear*>(&m)) return emit_linear(c, path, *l, x);
    if (auto* a = dynamic_cast<const nn::ActivationLayer*>(&m)) return emit_activation(c, path, *a, x);
    if (auto* conv = dynamic_cast<const nn::Conv2d*>(&m)) return emit_conv(c, path, *conv, x);
    if (auto* bn = dynamic_cast<const nn::BatchNorm*>(&m)) return emit_batch_norm(c, path, *bn, x);
    if (auto* r = dynamic_cast<const nn::ResidualBlock*>(&m)) return emit_residual(c, path, *r, x);
    if (auto* ln = dynamic_cast<const nn::LayerNorm*>(&m)) return emit_layer_norm(c, path, *ln, x);
    if (auto* rn = dynamic_cast<const nn::RMSNorm*>(&m)) return emit_rms_norm(c, path, *rn, x);
    if (auto* b = dynamic_cast<const nn::TransformerBlock*>(&m)) return emit_block(c, path, *b, x);
    if (auto* mp = dynamic_cast<const nn::MaxPool2d*>(&m)) {
        const int64_t k = mp->kernel(), s = mp->stride(), p = mp->padding();
        return {g.node("MaxPool", {x.name}, path,
                       {{"kernel_shape", Ints{k, k}}, {"strides", Ints{s, s}}, {"pads", Ints{p, p, p, p}}}),
                4};
    }
    if (auto* ap = dynamic_cast<const nn::AvgPool2d*>(&m)) {  // padding counts as zeros: count_include_pad
        const int64_t k = ap->kernel(), s = ap->stride(), p = ap->padding();
        return {g.node("AveragePool", {x.name}, path,
                       {{"kernel_shape", Ints{k, k}}, {"strides", Ints{s, s}}, {"pads", Ints{p, p, p, p}},
                        {"count_include_pad", int64_t{1}}}),
                4};
    }
    if (dynamic_cast<const nn::GlobalAvgPool*>(&m)) {
        const std::string pooled = g.node("GlobalAveragePool", {x.name}, path + "/pool");  // [N, C, 1, 1]
        return {g.node("Flatten", {pooled}, path, {{"axis", int64_t{1}}}), 2};
    }
    if (dynamic_cast<const nn::Flatten*>(&m)) return {g.node("Flatten", {x.name}, path, {{"axis", int64_t{1}}}), 2};
    if (dynamic_cast<const nn::Dropout*>(&m)) return x;  // the identity in eval mode
    throw ConfigError("onnx export: layer '" + path + "' (" + m.type_name() + ") has no ONNX form in this exporter");
}

}  // namespace bp::onnx_export
