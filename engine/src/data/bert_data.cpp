// bert_data.cpp — the BERT vocabulary, masked-LM corruption, and the fortune-source classification task of
// bert_data.h. Host code; every random draw goes through the caller's Generator, so a seed fixes a run.
#include "bp/data/bert_data.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <numeric>
#include <random>

#include "bp/errors.h"

namespace bp::data {

std::string BertVocab::token_text(int32_t id) const {
    if (id == pad_id()) return "[PAD]";
    if (id == mask_id()) return "[MASK]";
    if (id == cls_id()) return "[CLS]";
    if (id < 0 || id > cls_id())
        throw DataError("token_text: token id " + std::to_string(id) + " is outside the BERT vocabulary [0, " +
                        std::to_string(vocab_size()) + ")");
    return chars_.token_text(id);
}

std::string BertVocab::decode(const std::vector<int32_t>& ids) const {
    std::string out;
    for (int32_t id : ids) out += token_text(id);
    return out;
}

Tensor sample_mlm_windows(const std::vector<int32_t>& chars, const BertVocab& vocab, int64_t batch, int64_t context,
                          Generator& gen) {
    if (batch < 1 || context < 2)
        throw ConfigError("sample_mlm_windows: batch must be >= 1 and context >= 2 ([CLS] + a character); got " +
                          std::to_string(batch) + " and " + std::to_string(context));
    const int64_t n = static_cast<int64_t>(chars.size()), L = context - 1;
    if (n < L)
        throw ConfigError("sample_mlm_windows: the text has " + std::to_string(n) + " characters, fewer than context − 1 = " +
                          std::to_string(L) + "; use a shorter context or a longer text");
    Tensor x = Tensor::empty({batch, context}, DType::i32);  // [B, T]
    int32_t* xp = x.data<int32_t>();
    std::uniform_int_distribution<int64_t> start(0, n - L);
    for (int64_t b = 0; b < batch; ++b) {
        const int64_t i = start(gen.engine());
        xp[b * context] = vocab.cls_id();
        std::copy_n(chars.begin() + i, L, xp + b * context + 1);
    }
    return x;
}

// BERT's recipe (Devlin et al. 2019, §3.1): choose each position with probability `select`; a chosen position
// becomes [MASK] with probability use_mask, a uniformly random character with probability use_random, and keeps
// its character otherwise. The targets are the original characters of the chosen positions.
MlmBatch mask_for_mlm(const Tensor& tokens, const BertVocab& vocab, Generator& gen, const MlmMaskOptions& o) {
    if (!(o.select > 0 && o.select <= 1) || !(o.use_mask >= 0) || !(o.use_random >= 0) || o.use_mask + o.use_random > 1)
        throw ConfigError("mask_for_mlm: needs select in (0, 1], use_mask, use_random >= 0 with use_mask + use_random "
                          "<= 1; got " + std::to_string(o.select) + ", " + std::to_string(o.use_mask) + ", " +
                          std::to_string(o.use_random));
    if (!tokens.defined() || tokens.dtype() != DType::i32 || tokens.dim() != 2)
        throw ShapeError("mask_for_mlm: tokens must be int32 [B, T]; got " +
                         (tokens.defined() ? shape_str(tokens.shape()) : std::string("(undefined)")));
    const int64_t N = tokens.numel();
    const Tensor src = tokens.to(Device::cpu);
    const int32_t* t = src.data<int32_t>();
    MlmBatch b;
    b.inputs = src.clone();  // [B, T]
    int32_t* in = b.inputs.data<int32_t>();
    std::vector<int64_t> eligible;
    for (int64_t i = 0; i < N; ++i) {
        if (t[i] < 0 || t[i] >= vocab.vocab_size())
            throw ConfigError("mask_for_mlm: token " + std::to_string(t[i]) + " at " + std::to_string(i) +
                              " is outside the vocabulary [0, " + std::to_string(vocab.vocab_size()) + ")");
        if (!vocab.is_special(t[i])) eligible.push_back(i);
    }
    if (eligible.empty()) throw ConfigError("mask_for_mlm: the batch holds no character to predict, only special tokens");
    b.eligible = static_cast<int64_t>(eligible.size());
    std::vector<int64_t> chosen;
    for (int64_t i : eligible)
        if (gen.uniform() < o.select) chosen.push_back(i);
    if (chosen.empty()) chosen.push_back(eligible[static_cast<size_t>(gen.uniform() * eligible.size()) % eligible.size()]);
    std::uniform_int_distribution<int32_t> random_char(0, vocab.characters() - 1);
    std::vector<double> pos, tgt;
    for (int64_t i : chosen) {
        const double u = gen.uniform();
        if (u < o.use_mask) {
            in[i] = vocab.mask_id();
            ++b.masked;
        } else if (u < o.use_mask + o.use_random) {
            in[i] = random_char(gen.engine());
            ++b.randomised;
        } else {
            ++b.kept;
        }
        pos.push_back(static_cast<double>(i));
        tgt.push_back(t[i]);
    }
    b.chosen = static_cast<int64_t>(chosen.size());
    b.positions = Tensor::from_vector({b.chosen}, pos, DType::i32);
    b.targets = Tensor::from_vector({b.chosen}, tgt, DType::i32);
    return b;
}

std::vector<std::string> fortune_source_classes() {
    return {"literature", "science", "wisdom", "people", "computers", "education"};
}

TextClassificationTask make_fortune_source_task(double test_fraction, uint64_t seed, int per_class,
                                                const std::vector<std::string>& classes) {
    if (!(test_fraction > 0 && test_fraction < 1))
        throw ConfigError("fortune-source task: test_fraction must be in (0, 1); got " + std::to_string(test_fraction));
    if (classes.size() < 2) throw ConfigError("fortune-source task: needs at least two collections");
    std::vector<std::vector<std::string>> by_class;
    std::map<std::string, std::vector<int>> where;  // quotation text -> the classes it appears in
    for (size_t c = 0; c < classes.size(); ++c) {
        by_class.push_back(read_fortune_quotations(classes[c]));
        for (const std::string& q : by_class.back()) where[q].push_back(static_cast<int>(c));
    }
    size_t smallest = SIZE_MAX;
    for (size_t c = 0; c < classes.size(); ++c) {
        auto& qs = by_class[c];
        // One copy of each text, and none that another collection also holds.
        std::sort(qs.begin(), qs.end());
        qs.erase(std::unique(qs.begin(), qs.end()), qs.end());
        qs.erase(std::remove_if(qs.begin(), qs.end(),
                                [&](const std::string& q) {
                                    const auto& w = where[q];
                                    return std::any_of(w.begin(), w.end(), [&](int k) { return k != static_cast<int>(c); });
                                }),
                 qs.end());
        smallest = std::min(smallest, qs.size());
    }
    size_t n = smallest;
    if (per_class > 0) n = std::min(n, static_cast<size_t>(per_class));
    const size_t n_test = std::max<size_t>(1, static_cast<size_t>(static_cast<double>(n) * test_fraction + 0.5));
    if (n < 2 || n_test >= n)
        throw DataError("fortune-source task: only " + std::to_string(n) + " quotations per class; too few to split");
    TextClassificationTask task;
    task.name = "fortune-source";
    task.classes = classes;
    std::mt19937_64 rng(seed);
    for (size_t c = 0; c < classes.size(); ++c) {
        auto& qs = by_class[c];
        std::shuffle(qs.begin(), qs.end(), rng);  // sorted first, so the order depends on the seed only
        for (size_t i = 0; i < n; ++i)
            (i < n_test ? task.test : task.train).push_back({qs[i], static_cast<int>(c)});
    }
    std::shuffle(task.train.begin(), task.train.end(), rng);
    return task;
}

TextCorpus load_default_corpus_without(const std::vector<LabelledText>& excluded, double val_fraction) {
    std::string why;
    if (!default_corpus_available(&why)) throw DataError(why);
    std::set<std::string> skip;
    for (const auto& e : excluded) skip.insert(e.text);
    std::string text;
    size_t dropped = 0;
    for (const std::string& path : default_corpus_files())
        for (const std::string& q : read_fortune_quotations(std::filesystem::path(path).filename().string())) {
            if (skip.count(q)) {
                ++dropped;
                continue;
            }
            text += q;
            text += "\n\n";  // a blank line between quotations, as in the default corpus
        }
    return make_text_corpus(text, "fortunes without " + std::to_string(dropped) + " held-out quotation(s)", val_fraction);
}

std::pair<Tensor, Tensor> encode_for_classification(const std::vector<std::string>& texts, const BertVocab& vocab,
                                                    int64_t context, bool trim) {
    if (context < 2) throw ConfigError("encode_for_classification: context must be >= 2; got " + std::to_string(context));
    const int64_t N = static_cast<int64_t>(texts.size());
    if (N == 0) throw ConfigError("encode_for_classification: no texts");
    std::vector<std::vector<int32_t>> rows;
    int64_t T = trim ? 1 : context;  // [CLS] at least
    for (const std::string& text : texts) {
        rows.push_back(vocab.tokenizer().encode_lossy(text));
        if (static_cast<int64_t>(rows.back().size()) > context - 1) rows.back().resize(static_cast<size_t>(context - 1));
        T = std::max(T, 1 + static_cast<int64_t>(rows.back().size()));
    }
    Tensor tokens = Tensor::empty({N, T}, DType::i32), mask = Tensor::zeros({N, T}, DType::i32);  // [N, T] each
    int32_t* tp = tokens.data<int32_t>();
    int32_t* mp = mask.data<int32_t>();
    for (int64_t n = 0; n < N; ++n) {
        const std::vector<int32_t>& ids = rows[static_cast<size_t>(n)];
        int32_t* row = tp + n * T;
        row[0] = vocab.cls_id();
        std::copy(ids.begin(), ids.end(), row + 1);
        std::fill(row + 1 + ids.size(), row + T, vocab.pad_id());
        std::fill(mp + n * T, mp + n * T + 1 + static_cast<int64_t>(ids.size()), 1);
    }
    return {tokens, mask};
}

}  // namespace bp::data
