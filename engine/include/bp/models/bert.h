// bert.h — BERT-mini: a character-level bidirectional transformer encoder (Devlin et al. 2019, scaled down) with
// a masked-LM head (tied to the token embedding or not) and a classification head on [CLS]. The blocks are the
// TransformerBlock (GPT-2 or modern) with the causal mask off and a key padding mask ([PAD] keys get no weight).
//   tokens int32 [B, T] -> tok_embed (+ pos_embed, gpt2) -> blocks ×L (bidirectional) -> norm -> hidden [B, T, d]
//   masked rows of hidden [M, d] -> dense, GELU, LayerNorm -> decoder (+ bias) -> logits [M, V]
//   hidden[:, 0] ([CLS]) [B, d] -> classifier -> logits [B, classes]
//   models::BertMini bert(models::BertOptions{.vocab_size = vocab.vocab_size()});
//   Tensor loss = bert.mlm_loss(batch);   // cross-entropy on the chosen positions only
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bp/data/bert_data.h"
#include "bp/models/char_transformer.h"

namespace bp::models {

struct BertOptions {
    int64_t vocab_size = 99;  // characters + [PAD] [MASK] [CLS] (data::BertVocab::vocab_size())
    int64_t context = 128;    // longest sequence, [CLS] included (the learned position table's size)
    int64_t layers = 4, heads = 4, dim = 128;
    int64_t num_classes = 6;  // the classification head's outputs
    bool tie_mlm = true;      // the MLM decoder reuses the token embedding (as BERT does)
    /// modern: RMSNorm, SwiGLU, RoPE (relative positions: "look at the characters beside me" is one pattern at
    /// every position, learned within a hundred steps); gpt2: LayerNorm, GELU, learned absolute positions (BERT's
    /// own block; in the masked-LM it sits near the unigram baseline for hundreds of steps before it learns to
    /// attend to its neighbours, as the [MASK]ed position carries no information of its own).
    nn::BlockKind block = nn::BlockKind::modern;
    bool tiled = true;        // the memory-aware attention kernel
    /// What the classifier reads: cls = the [CLS] position's hidden state (BERT's choice; after masked-LM
    /// pre-training alone, with no next-sentence task, [CLS] has learned nothing in particular); mean = the mean
    /// of the hidden states of the real (non-[PAD]) positions, which masked-LM pre-training did shape.
    enum class Pooling { cls, mean } pooling = Pooling::cls;
    nlohmann::json to_json() const;
    static BertOptions from_json(const nlohmann::json& j);  // ConfigError on bad sizes
};

/// Accuracy and mean cross-entropy of predictions; both BERT (masked characters) and GPT (next characters)
/// report through it, so the two are measured the same way.
struct CharPredictionStats {
    double loss = 0;      // nats per predicted character
    double accuracy = 0;  // argmax == target
    int64_t count = 0;    // predictions scored
    /// Adds a [N, C] block of logits (any float dtype) against int32 targets [N].
    void add(const Tensor& logits, const Tensor& targets);
};

class BertMini : public CharTransformer {
public:
    explicit BertMini(const BertOptions& o);
    /// tokens int32 [B, T] (T ≤ context), key_padding_mask [B, T] (1 = real, 0 = [PAD]; undefined = none)
    /// -> hidden states [B, T, dim] after the final LayerNorm. ShapeError otherwise.
    Tensor encode(const Tensor& tokens, const Tensor& key_padding_mask = {});
    /// MLM logits at every position: [B, T, vocab] (for display; training uses mlm_loss).
    Tensor forward(const Tensor& tokens) override;
    /// The MLM head on hidden rows: [M, dim] -> [M, vocab].
    Tensor mlm_head(const Tensor& rows);
    /// MLM logits at the chosen positions only: [M, vocab].
    Tensor mlm_logits(const data::MlmBatch& batch, const Tensor& key_padding_mask = {});
    /// Mean cross-entropy over the chosen positions only (a scalar with a graph).
    Tensor mlm_loss(const data::MlmBatch& batch, const Tensor& key_padding_mask = {});
    /// Class logits from the [CLS] position (position 0) or the mean over the real positions (options().pooling):
    /// [B, num_classes].
    Tensor classify(const Tensor& tokens, const Tensor& key_padding_mask = {});
    std::string repr() const override;
    std::string type_name() const override { return "BertMini"; }
    /// GPT-2 style: N(0, 0.02) matrices, residual projections / √(2L), zero biases, unit norm weights.
    void reset_parameters(Generator& gen) override;
    /// Re-initialises only the classifier (before fine-tuning a pre-trained encoder).
    void reset_classifier(Generator& gen);
    /// Copies every parameter but the classifier's from `other` (same options but num_classes). ConfigError
    /// naming the tensor when a shape differs.
    void load_encoder_from(const BertMini& other);
    const BertOptions& options() const { return opts_; }
    void set_pooling(BertOptions::Pooling p) { opts_.pooling = p; }  // the head has no parameters of its own

    // tok_embed, pos_embed, blocks, norm, capture_attention(), attention_maps(): CharTransformer's (bidirectional)
    std::shared_ptr<nn::Linear> mlm_dense;      // dim -> dim
    std::shared_ptr<nn::LayerNorm> mlm_norm;
    std::shared_ptr<nn::Linear> mlm_decoder;    // dim -> vocab (null when tied)
    Tensor mlm_bias;                            // [vocab]
    std::shared_ptr<nn::Linear> classifier;     // dim -> num_classes

private:
    BertOptions opts_;
};

/// Masked-character loss and accuracy of `bert` on `batches` batches of windows of `val` drawn with `seed`
/// (the same corruption every time for a seed; no graph).
CharPredictionStats bert_mlm_eval(BertMini& bert, const data::BertVocab& vocab, const std::vector<int32_t>& val,
                                  int64_t batch, int64_t context, int batches, uint64_t seed);

class GptMini;
/// Next-character loss and accuracy of a GPT on windows of `val` (every position of every window scored).
CharPredictionStats gpt_next_char_eval(GptMini& gpt, const std::vector<int32_t>& val, int64_t batch, int64_t context,
                                       int batches, uint64_t seed);

/// The unigram baseline of both metrics: predicting the most frequent character of `fit` always
/// (accuracy) and the add-one-smoothed character frequencies (loss), scored on `eval`.
CharPredictionStats unigram_baseline(const std::vector<int32_t>& fit, const std::vector<int32_t>& eval, int characters);

}  // namespace bp::models
