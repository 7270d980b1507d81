// gpt.h — GPT-mini: a character-level decoder-only transformer (Radford et al. 2019, scaled down), with a switch
// between the GPT-2 block (LayerNorm, GELU MLP, learned positions) and the modern block (RMSNorm, SwiGLU, RoPE,
// no learned positions), and text sampling with temperature and top-k.
//   tokens int32 [B, T] -> tok_embed (+ pos_embed) -> blocks ×L (causal) -> norm -> lm_head -> logits [B, T, V]
//   models::GptMini gpt(models::GptOptions{.vocab_size = tok.vocab_size()});
//   Tensor loss = gpt.loss(x, y);                                      // mean next-character cross-entropy
//   auto ids = models::generate(gpt, tok.encode("The "), {.max_new_tokens = 200}, gen);
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bp/models/char_transformer.h"

namespace bp::models {

struct GptOptions {
    int64_t vocab_size = 96;
    int64_t context = 128;   // longest sequence (the learned position table's size)
    int64_t layers = 4, heads = 4, dim = 128;
    nn::BlockKind block = nn::BlockKind::gpt2;
    bool tiled = true;       // the memory-aware attention kernel
    nlohmann::json to_json() const;   // {"vocab_size":..,"context":..,"layers":..,"heads":..,"dim":..,"block":"gpt2"|"modern","tiled":..}
    static GptOptions from_json(const nlohmann::json& j);  // ConfigError on unknown block / bad sizes
};

class GptMini : public CharTransformer {
public:
    explicit GptMini(const GptOptions& o);
    /// tokens int32 [B, T], T ≤ context -> logits [B, T, vocab]. ShapeError otherwise.
    Tensor forward(const Tensor& tokens) override;
    /// Mean cross-entropy of logits(tokens) against targets (int32 [B, T]); a scalar with a graph.
    Tensor loss(const Tensor& tokens, const Tensor& targets);
    std::string repr() const override;
    std::string type_name() const override { return "GptMini"; }
    void reset_parameters(Generator& gen) override;  // GPT-2: N(0, 0.02) weights, zero biases, residual projections / √(2L)
    const GptOptions& options() const { return opts_; }

    // tok_embed, pos_embed, blocks, norm, capture_attention(), attention_maps(): CharTransformer's (causal)
    std::shared_ptr<nn::Linear> lm_head;

private:
    GptOptions opts_;
};

struct SampleOptions {
    int max_new_tokens = 200;
    double temperature = 0.8;  // > 0; 1 = the model's distribution, lower = more conservative
    int top_k = 0;             // 0 = all tokens
};

/// Appends up to max_new_tokens sampled tokens to `prompt` (no autograd graph; the window slides when the
/// sequence outgrows the context). on_token, when given, is called after each token and may return false to stop.
/// Returns the prompt followed by the new tokens. ConfigError for an empty prompt or bad options.
std::vector<int32_t> generate(GptMini& model, const std::vector<int32_t>& prompt, const SampleOptions& opts,
                              Generator& gen, const std::function<bool(int32_t)>& on_token = {});

}  // namespace bp::models
