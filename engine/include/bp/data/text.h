// text.h — text data for the small language models: a character tokenizer over any UTF-8 text (one token per
// Unicode code point), a corpus split into train / validation token streams, the classroom-appropriate
// default corpus (a selection of Debian's `fortunes`), random [B, T] windows for training, and the unigram
// (character-frequency) baseline a trained model must beat.
//   data::TextCorpus c = data::load_text_corpus(data::default_corpus_path());
//   auto [x, y] = data::sample_text_batch(c.train, 32, 64, gen);   // int32 [32, 64] each, y = x shifted by one
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "bp/tensor.h"

namespace bp::data {

class CharTokenizer {
public:
    CharTokenizer() = default;
    /// Vocabulary = the distinct code points of `utf8`, sorted by code point. DataError on invalid UTF-8
    /// (naming the byte offset).
    static CharTokenizer from_text(const std::string& utf8);
    static CharTokenizer from_json(const nlohmann::json& j);  // {"type": "char", "vocab": ["\n", " ", ...]}
    nlohmann::json to_json() const;

    /// DataError naming the first character that is not in the vocabulary (and its position).
    std::vector<int32_t> encode(const std::string& utf8) const;
    /// Characters not in the vocabulary are dropped; `unknown`, when given, receives them.
    std::vector<int32_t> encode_lossy(const std::string& utf8, std::string* unknown = nullptr) const;
    std::string decode(const std::vector<int32_t>& ids) const;
    std::string token_text(int32_t id) const;  // the character as UTF-8 ("\n" for a newline)
    bool contains(char32_t code_point) const;
    int vocab_size() const { return static_cast<int>(vocab_.size()); }
    const std::vector<char32_t>& vocab() const { return vocab_; }

private:
    std::vector<char32_t> vocab_;  // sorted
};

struct TextCorpus {
    std::string source;          // the file (or "fortunes: literature, science, ...") it came from
    CharTokenizer tokenizer;
    std::vector<int32_t> train;  // first (1 - val_fraction) of the text
    std::vector<int32_t> val;    // the rest
    int64_t characters() const { return static_cast<int64_t>(train.size() + val.size()); }
};

/// The largest text file load_text_corpus reads (256 MiB; each character costs about 12 bytes once decoded).
inline constexpr uint64_t max_text_bytes = 256ull << 20;

/// Reads a UTF-8 file (DataError naming the file: missing, not a regular file, larger than max_text_bytes,
/// not UTF-8, fewer than 1,000 characters or fewer than 2 distinct characters) and splits it.
/// max_bytes replaces max_text_bytes (`backprop train-text --max-text-mb`).
TextCorpus load_text_corpus(const std::string& path, double val_fraction = 0.1, uint64_t max_bytes = max_text_bytes);
/// The same for text already in memory; `source` names it in messages.
TextCorpus make_text_corpus(const std::string& utf8, const std::string& source, double val_fraction = 0.1);

/// The default corpus: the chosen classroom-appropriate fortune files concatenated (the `%` separators
/// become blank lines). DataError saying `apt-get install fortunes` (or scripts/setup.sh) when missing.
TextCorpus load_default_corpus(double val_fraction = 0.1);
std::vector<std::string> default_corpus_files();  // absolute paths under /usr/share/games/fortunes
bool default_corpus_available(std::string* why_not = nullptr);

/// The quotations of one fortunes collection (e.g. "science"), each cleaned as the default corpus is (overstrikes
/// resolved, tabs as spaces, no trailing newline), in file order; empty ones skipped. DataError when the file is
/// missing (with the apt-get hint). For the BERT fine-tuning task "which collection is this quotation from".
std::vector<std::string> read_fortune_quotations(const std::string& collection);

/// B random windows of T+1 consecutive tokens: x = tokens [i, i+T), y = tokens [i+1, i+T+1]; int32 [B, T].
std::pair<Tensor, Tensor> sample_text_batch(const std::vector<int32_t>& tokens, int64_t batch, int64_t context,
                                            Generator& gen);

/// Cross-entropy (nats per character) on `eval` of the unigram model fitted on `fit` (add-one smoothing).
double unigram_loss(const std::vector<int32_t>& fit, const std::vector<int32_t>& eval, int vocab_size);

}  // namespace bp::data
