// char_transformer.cpp — the shared trunk of char_transformer.h. Shape flow (B sequences of T tokens, d = dim):
//   tokens int32 [B, T] -> tok_embed [B, T, d] (+ pos_embed rows 0..T-1 [T, d], gpt2 only) -> L blocks
//   [B, T, d] -> final norm [B, T, d]
#include "bp/models/char_transformer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "bp/autograd.h"

namespace bp::models {

void CharTransformer::build_trunk(const CharTrunkOptions& o) {
    trunk_ = o;
    const int64_t d = o.dim;
    tok_embed = std::make_shared<nn::Embedding>(o.vocab_size, d);  // weight [V, d]
    register_module("tok_embed", tok_embed);
    if (o.block == nn::BlockKind::gpt2) pos_embed = register_parameter("pos_embed", Tensor::zeros({o.context, d}));
    for (int64_t i = 0; i < o.layers; ++i) {
        blocks.push_back(std::make_shared<nn::TransformerBlock>(
            nn::TransformerBlockOptions(d, o.heads).kind(o.block).causal(o.causal).tiled(o.tiled)));
        register_module("blocks." + std::to_string(i), blocks.back());
    }
    if (o.block == nn::BlockKind::modern) norm = std::make_shared<nn::RMSNorm>(d);
    else norm = std::make_shared<nn::LayerNorm>(d);
    register_module("norm", norm);
}

Tensor CharTransformer::trunk_forward(const Tensor& tokens, const Tensor& key_padding_mask, const char* who) {
    if (!tokens.defined() || tokens.dtype() != DType::i32 || tokens.dim() != 2 || tokens.size(1) < 1 ||
        tokens.size(1) > trunk_.context)
        throw ShapeError(std::string(who) + ": tokens must be int32 [B, T] with 1 <= T <= context = " +
                         std::to_string(trunk_.context) + "; got " +
                         (tokens.defined() ? shape_str(tokens.shape()) : std::string("(undefined)")));
    const int64_t T = tokens.size(1);
    Tensor h = tok_embed->forward(tokens);  // [B, T, d]
    if (pos_embed.defined()) {
        std::vector<double> pos(static_cast<size_t>(T));
        std::iota(pos.begin(), pos.end(), 0.0);
        h = add(h, embedding(Tensor::from_vector({T}, pos, DType::i32), pos_embed));  // + [T, d] (broadcast)
    }
    for (auto& block : blocks) h = block->forward(h, key_padding_mask);  // [B, T, d]
    return norm->forward(h);                                             // [B, T, d]
}

void CharTransformer::init_gpt2_style(Generator& gen) {
    autograd::NoGradGuard g;
    const double std_resid = 0.02 / std::sqrt(2.0 * static_cast<double>(trunk_.layers));
    for (auto& [name, p] : named_parameters()) {
        const bool matrix = p.dim() == 2;
        const bool resid = name.find("out_proj.weight") != std::string::npos || name.find("fc2.weight") != std::string::npos;
        const bool is_norm = name.find("norm") != std::string::npos;
        if (is_norm && name.find(".weight") != std::string::npos) p.fill_(1.0);
        else if (matrix) p.copy_(Tensor::randn(p.shape(), gen, 0.0, resid ? std_resid : 0.02, DType::f64));
        else p.fill_(0.0);  // biases (and norm biases)
    }
}

void CharTransformer::capture_attention(bool on) {
    for (auto& b : blocks) b->attn->capture_attention(on);
}

std::vector<Tensor> CharTransformer::attention_maps() const {
    std::vector<Tensor> out;
    for (const auto& b : blocks) out.push_back(b->attn->last_attention());
    return out;
}

Tensor CharTransformer::masked_mean(const Tensor& h, const Tensor& key_padding_mask) {
    const int64_t B = h.size(0), T = h.size(1);
    std::vector<double> m(static_cast<size_t>(B * T), 1.0), count(static_cast<size_t>(B), static_cast<double>(T));
    if (key_padding_mask.defined()) {
        m = key_padding_mask.to_vector();
        for (int64_t b = 0; b < B; ++b) {
            double c = 0;
            for (int64_t t = 0; t < T; ++t) c += (m[b * T + t] = m[b * T + t] != 0 ? 1.0 : 0.0);
            count[static_cast<size_t>(b)] = std::max(c, 1.0);
        }
    }
    Tensor mask = Tensor::from_vector({B, T, 1}, m, h.dtype());                                 // [B, T, 1]
    return div(sum(mul(h, mask), 1), Tensor::from_vector({B, 1}, count, h.dtype()));           // [B, d]
}

}  // namespace bp::models
