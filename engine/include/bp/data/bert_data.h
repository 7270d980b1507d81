// bert_data.h — data for BERT-mini (Devlin et al. 2019, scaled down to characters): the [PAD] / [MASK] / [CLS]
// vocabulary on top of the character tokenizer, the masked-LM corruption (15% of positions chosen; of those 80%
// become [MASK], 10% a random character, 10% stay) and the fine-tuning task "which fortunes collection does this
// quotation come from", balanced, with a held-out split by quotation. Not the model (models/bert.h).
//   data::BertVocab vocab(corpus.tokenizer);                      // ids: characters, then [PAD] [MASK] [CLS]
//   Tensor x = data::sample_mlm_windows(corpus.train, vocab, 32, 64, gen);   // [CLS] + 63 characters
//   data::MlmBatch b = data::mask_for_mlm(x, vocab, gen);          // inputs, positions, targets
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bp/data/text.h"

namespace bp::data {

/// The characters of a CharTokenizer (ids 0 .. C-1, unchanged) followed by three special ids:
/// [PAD] = C, [MASK] = C + 1, [CLS] = C + 2; vocab_size() = C + 3.
class BertVocab {
public:
    BertVocab() = default;
    explicit BertVocab(CharTokenizer chars) : chars_(std::move(chars)) {}
    const CharTokenizer& tokenizer() const { return chars_; }
    int characters() const { return chars_.vocab_size(); }
    int32_t pad_id() const { return characters(); }
    int32_t mask_id() const { return characters() + 1; }
    int32_t cls_id() const { return characters() + 2; }
    int vocab_size() const { return characters() + 3; }
    bool is_special(int32_t id) const { return id >= characters(); }
    /// The character, or "[PAD]", "[MASK]", "[CLS]". DataError outside [0, vocab_size()).
    std::string token_text(int32_t id) const;
    /// Characters only; specials are written as their names.
    std::string decode(const std::vector<int32_t>& ids) const;

private:
    CharTokenizer chars_;
};

/// B windows of the character stream, each [CLS] followed by T − 1 consecutive characters: int32 [B, T].
Tensor sample_mlm_windows(const std::vector<int32_t>& chars, const BertVocab& vocab, int64_t batch, int64_t context,
                          Generator& gen);

struct MlmMaskOptions {
    double select = 0.15;       // probability that a (non-special) position is chosen for prediction
    double use_mask = 0.8;      // of the chosen: replaced by [MASK]
    double use_random = 0.1;    // of the chosen: replaced by a random character; the rest stay as they are
};

struct MlmBatch {
    Tensor inputs;      // int32 [B, T]: the corrupted tokens the model sees
    Tensor positions;   // int32 [M]: the chosen positions as flat indices b·T + t, ascending
    Tensor targets;     // int32 [M]: the original characters there (the loss is on these only)
    int64_t chosen = 0, eligible = 0, masked = 0, randomised = 0, kept = 0;  // counts, for the statistics
};

/// BERT's corruption of `tokens` (int32 [B, T]). Special tokens ([CLS], [PAD]) are never chosen; at least one
/// position is chosen in every batch. ConfigError for bad probabilities or a batch with no character.
MlmBatch mask_for_mlm(const Tensor& tokens, const BertVocab& vocab, Generator& gen, const MlmMaskOptions& o = {});

// ---- fine-tuning: which collection a quotation comes from ----------------------------------------------------

struct LabelledText {
    std::string text;
    int label = 0;
};

struct TextClassificationTask {
    std::string name;                 // "fortune-source"
    std::vector<std::string> classes; // label -> name
    std::vector<LabelledText> train, test;
};

/// The six collections of the task, in label order: literature, science, wisdom, people, computers, education.
std::vector<std::string> fortune_source_classes();

/// Every quotation of `classes` labelled by its collection, balanced: a quotation found in two collections is
/// dropped (its label would be ambiguous), each class is cut to the smallest class's size (or `per_class` when
/// > 0 and smaller), chosen by a seeded shuffle; then test_fraction of each class is held out. Train and test
/// share no quotation text. Deterministic for a seed. DataError when fortunes is missing.
TextClassificationTask make_fortune_source_task(double test_fraction = 0.2, uint64_t seed = 1, int per_class = 0,
                                                const std::vector<std::string>& classes = fortune_source_classes());

/// The default corpus (the same collections, in the same order) without the given quotations, e.g. a task's
/// held-out ones, so that pre-training never reads the text a fine-tuned model is tested on.
TextCorpus load_default_corpus_without(const std::vector<LabelledText>& excluded, double val_fraction = 0.1);

/// [CLS] + the first context − 1 known characters of each text (unknown ones dropped), padded with [PAD] to T:
/// tokens int32 [N, T] and the key padding mask int32 [N, T] (1 = real token, 0 = padding). T = context, or with
/// trim the longest row's length (≤ context): the same outputs under the mask, without computing the padding.
std::pair<Tensor, Tensor> encode_for_classification(const std::vector<std::string>& texts, const BertVocab& vocab,
                                                    int64_t context, bool trim = false);

}  // namespace bp::data
