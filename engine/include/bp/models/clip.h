// clip.h — CLIP-mini (Radford et al. 2021, scaled down): an image encoder (a small CNN) and a text encoder (a
// bidirectional character transformer, the trunk GPT- and BERT-mini share, mean-pooled over the real positions),
// each projected linearly into one shared embedding space and L2-normalised; a learned temperature
// (logit_scale = log(1/τ), clamped to [0, ln 100] as CLIP does); the loss is the symmetric cross-entropy over the
// batch's image × text similarity matrix (picture i belongs with caption i).
//   images [B, 1, 28, 28] -> conv3 c1, relu, pool -> conv3 c2, relu, pool -> fc width, relu -> proj -> l2 [B, E]
//   tokens int32 [B, T] + pad mask -> trunk (bidirectional) [B, T, d] -> mean over real positions -> proj -> l2 [B, E]
//   logits [B, B] = exp(logit_scale) · img · txtᵀ;  loss = (CE(logits, i) + CE(logitsᵀ, i)) / 2
//   models::ClipMini clip(models::ClipOptions{.vocab_size = data::caption_vocab().vocab_size()});
//   Tensor loss = clip.loss(images, tokens, mask);
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <cstdint>
#include <vector>

#include "bp/models/char_transformer.h"

namespace bp::models {

struct ClipOptions {
    // text encoder
    int64_t vocab_size = 44;  // data::caption_vocab(): 41 characters + [PAD] [MASK] [CLS]
    int64_t context = 64;     // [CLS] + the longest caption
    int64_t text_layers = 2, text_heads = 4, text_dim = 64;
    nn::BlockKind text_block = nn::BlockKind::gpt2;
    // image encoder
    int64_t channels1 = 16, channels2 = 32, image_width = 128;
    /// A BatchNorm2d after each convolution (conv, bn, relu, pool). Off by default: measured on MNIST it lowered the
    /// zero-shot accuracy (90.9% vs 94.1%, docs/benchmarks/clip-mini-2026-12-06-cpu.txt). Files written before this
    /// field existed have no key "image_batch_norm" and read as false.
    bool image_batch_norm = false;
    // shared space
    int64_t embed_dim = 64;
    double init_temperature = 0.07;  // τ at the start: logit_scale = ln(1/τ)
    nlohmann::json to_json() const;
    static ClipOptions from_json(const nlohmann::json& j);  // ConfigError on bad sizes
    void validate() const;                                  // ConfigError naming the size
};

/// The text tower: CharTransformer with the causal mask off, its hidden states mean-pooled over the real
/// (non-[PAD]) positions. tokens int32 [B, T], mask int32 [B, T] (1 = real) -> [B, dim].
class ClipTextEncoder : public CharTransformer {
public:
    explicit ClipTextEncoder(const ClipOptions& o);
    Tensor forward(const Tensor& tokens) override { return encode(tokens, Tensor()); }
    Tensor encode(const Tensor& tokens, const Tensor& key_padding_mask);
    std::string repr() const override;
    std::string type_name() const override { return "ClipTextEncoder"; }
    void reset_parameters(Generator& gen) override { init_gpt2_style(gen); }

private:
    ClipOptions opts_;
};

class ClipMini : public nn::Module {
public:
    explicit ClipMini(const ClipOptions& o);
    /// images [B, 1, 28, 28] (normalised as MNIST) -> unit-length embeddings [B, embed_dim].
    Tensor encode_images(const Tensor& images);
    /// tokens int32 [B, T] with the [PAD] mask [B, T] (data::encode_captions) -> unit-length embeddings [B, embed_dim].
    Tensor encode_texts(const Tensor& tokens, const Tensor& key_padding_mask);
    /// exp(logit_scale) · image_emb · text_embᵀ: [N, E] × [M, E] -> [N, M] (row = picture, column = caption).
    Tensor logits(const Tensor& image_emb, const Tensor& text_emb);
    /// The symmetric cross-entropy of a batch where picture i goes with caption i (a scalar with a graph).
    Tensor loss(const Tensor& images, const Tensor& tokens, const Tensor& key_padding_mask);
    /// The same, where pairs with the same caption id count as positives of each other (clip_contrastive_loss):
    /// two pictures described by the same words are not pushed apart. caption_ids: [B] (empty = all distinct).
    Tensor loss(const Tensor& images, const Tensor& tokens, const Tensor& key_padding_mask,
                const std::vector<int64_t>& caption_ids);
    /// The same with a positives matrix [B·B] (clip_contrastive_loss_positives): caption j describes picture i.
    Tensor loss_with_positives(const Tensor& images, const Tensor& tokens, const Tensor& key_padding_mask,
                               const std::vector<uint8_t>& positives);
    /// The image embeddings (forward() of a Module): images [B, 1, 28, 28] -> [B, embed_dim].
    Tensor forward(const Tensor& images) override { return encode_images(images); }
    /// Keeps logit_scale in [0, ln 100] (τ ≥ 0.01), in place; call after every optimizer step, as CLIP does.
    void clamp_logit_scale();
    /// 1 / exp(logit_scale).
    double temperature() const;
    std::string repr() const override;
    std::string type_name() const override { return "ClipMini"; }
    void reset_parameters(Generator& gen) override;
    const ClipOptions& options() const { return opts_; }

    std::shared_ptr<nn::Sequential> image_encoder;  // conv, [bn,] relu, pool, conv, [bn,] relu, pool, flatten, fc, relu
    std::shared_ptr<nn::Linear> image_proj;          // image_width -> embed_dim, no bias
    std::shared_ptr<ClipTextEncoder> text_encoder;
    std::shared_ptr<nn::Linear> text_proj;           // text_dim -> embed_dim, no bias
    Tensor logit_scale;                              // [1]

private:
    ClipOptions opts_;
};

/// The symmetric contrastive loss of a similarity matrix logits [B, B] (row = picture, column = caption) where
/// pair i is picture i with caption i and caption_ids[i] names its caption: each row's (and column's) target is
/// spread evenly over the pairs with the same caption id, i.e. the soft-target cross-entropy
///   ½ (−Σ_ij T_ij log softmax_row(logits)_ij − Σ_ij T_ij log softmax_col(logits)_ij) / B,  T_ij = [id_i = id_j] / n(id_i).
/// With all ids distinct (or caption_ids empty) T is the identity and this is CLIP's loss exactly (computed with
/// the fused cross_entropy). Same-caption pairs are false negatives in CLIP's loss, which pushes them apart.
Tensor clip_contrastive_loss(const Tensor& logits, const std::vector<int64_t>& caption_ids = {});
/// The general form: positives [B·B] row-major, positives[i·B + j] != 0 when caption j is a true description of
/// picture i (the diagonal must be set). Row i's target is spread evenly over its positive captions, column j's
/// over the pictures it describes:
///   ½ (−Σ_ij R_ij log softmax_row(logits)_ij − Σ_ij C_ij log softmax_col(logits)_ij) / B,
///   R_ij = P_ij / Σ_k P_ik,  C_ij = P_ij / Σ_k P_kj.
/// ShapeError for a wrong size, ConfigError for an unset diagonal.
Tensor clip_contrastive_loss_positives(const Tensor& logits, const std::vector<uint8_t>& positives);

/// ln 100: CLIP's upper limit of logit_scale (a temperature of 0.01).
inline constexpr double clip_max_logit_scale = 4.605170185988092;

}  // namespace bp::models
