// char_transformer.h — the trunk GPT-mini, BERT-mini and CLIP-mini's text encoder share: a token embedding,
// learned positions (gpt2 block only; the modern block uses RoPE), L transformer blocks (causal or
// bidirectional with a key padding mask) and a final norm, with GPT-2's initialisation. Not a model on its own:
// the heads (lm_head, the MLM head, a projection) belong to the models that derive from it.
//   tokens int32 [B, T] -> tok_embed [B, T, d] (+ pos_embed [T, d]) -> blocks ×L -> norm -> hidden [B, T, d]
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bp/nn/transformer.h"

namespace bp::models {

struct CharTrunkOptions {
    int64_t vocab_size = 96, context = 128, layers = 4, heads = 4, dim = 128;
    nn::BlockKind block = nn::BlockKind::gpt2;
    bool tiled = true;    // the memory-aware attention kernel
    bool causal = true;   // false: every position sees every non-[PAD] position
};

class CharTransformer : public nn::Module {
public:
    /// Keep every block's attention weights on the following forwards (for display).
    void capture_attention(bool on);
    /// After a capturing forward: one [B, H, T, T] tensor per layer (detached).
    std::vector<Tensor> attention_maps() const;
    /// The mean of hidden [B, T, d] over the real positions of key_padding_mask [B, T] (nonzero = real; undefined =
    /// all) -> [B, d]: pooled[b] = Σ_t m[b, t] h[b, t] / Σ_t m[b, t] (a row with no real position divides by 1).
    static Tensor masked_mean(const Tensor& hidden, const Tensor& key_padding_mask);

    std::shared_ptr<nn::Embedding> tok_embed;
    Tensor pos_embed;  // [context, dim] for gpt2; undefined for modern (RoPE)
    std::vector<std::shared_ptr<nn::TransformerBlock>> blocks;
    std::shared_ptr<nn::Module> norm;  // LayerNorm (gpt2) or RMSNorm (modern)

protected:
    /// Registers tok_embed, pos_embed (gpt2), blocks.0 .. blocks.L-1 and norm, in that order (the names the
    /// model files use). Call first in the derived constructor, then register the heads.
    void build_trunk(const CharTrunkOptions& o);
    /// tokens int32 [B, T] with 1 <= T <= context (ShapeError naming `who` otherwise), key_padding_mask [B, T]
    /// (1 = real; undefined = none) -> hidden states after the final norm [B, T, dim].
    Tensor trunk_forward(const Tensor& tokens, const Tensor& key_padding_mask, const char* who);
    /// GPT-2: N(0, 0.02) matrices, residual projections (out_proj, fc2) N(0, 0.02/√(2L)), norm weights 1, the
    /// rest (biases) 0 — over every parameter of the derived model, heads included.
    void init_gpt2_style(Generator& gen);

private:
    CharTrunkOptions trunk_;
};

}  // namespace bp::models
