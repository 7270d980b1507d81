// bert_tools.cpp — see bert_tools.h.
#include "tools/bert_tools.h"

#include <algorithm>
#include <cmath>

#include "bp/autograd.h"
#include "bp/errors.h"
#include "tools/model_tools.h"

namespace berttools {

FillResult fillBlanks(bp::models::BertMini& bert, const bp::data::BertVocab& vocab, const QString& sentence, int k) {
    FillResult r;
    std::vector<int32_t> ids{vocab.cls_id()};
    std::vector<bool> blank{false};
    const bp::data::CharTokenizer& tok = vocab.tokenizer();
    for (const QChar c : sentence) {  // a blank per '_'; other characters through the text's alphabet
        if (static_cast<int64_t>(ids.size()) >= bert.options().context) break;
        if (c == QLatin1Char('_')) {
            ids.push_back(vocab.mask_id());
            blank.push_back(true);
            continue;
        }
        std::string unknown;
        const std::vector<int32_t> one = tok.encode_lossy(QString(c).toStdString(), &unknown);
        if (!unknown.empty() && !r.unknown.contains(c)) r.unknown += c;
        for (int32_t id : one) {
            ids.push_back(id);
            blank.push_back(false);
        }
    }
    if (ids.size() < 2) throw bp::ConfigError("fill-in: the sentence has no character the model knows; type some text with blanks (_)");
    bp::autograd::NoGradGuard noGrad;
    bert.eval();
    bert.capture_attention(true);
    const int64_t n = static_cast<int64_t>(ids.size());
    const std::vector<double> asDouble(ids.begin(), ids.end());
    const bp::Tensor x = bp::Tensor::from_vector({1, n}, asDouble, bp::DType::i32);  // [1, T] int32
    const std::vector<float> logits = bert.forward(x).to_float_vector();             // [1, T, V]
    const int64_t v = vocab.vocab_size();
    for (int64_t t = 0; t < n; ++t) r.tokens << QString::fromStdString(vocab.token_text(ids[static_cast<size_t>(t)]));
    for (int64_t t = 0; t < n; ++t) {
        if (!blank[static_cast<size_t>(t)]) continue;
        // Softmax over the characters only: a blank is filled by a character, never by [PAD] or [MASK].
        const float* row = logits.data() + t * v;
        const int chars = vocab.characters();
        const float hi = *std::max_element(row, row + chars);
        std::vector<std::pair<double, int>> p(static_cast<size_t>(chars));
        double sum = 0;
        for (int c = 0; c < chars; ++c) sum += (p[static_cast<size_t>(c)] = {std::exp(row[c] - hi), c}).first;
        std::partial_sort(p.begin(), p.begin() + std::min(k, chars), p.end(), [](auto a, auto b) { return a.first > b.first; });
        Blank b;
        b.position = static_cast<int>(t);
        for (int i = 0; i < std::min(k, chars); ++i)
            b.top.push_back({QString::fromStdString(vocab.token_text(p[static_cast<size_t>(i)].second)), p[static_cast<size_t>(i)].first / sum});
        r.blanks.push_back(b);
    }
    attentiontools::TokenAttention& a = r.attention;
    a.ids = ids;
    a.tokens = static_cast<int>(n);
    a.heads = static_cast<int>(bert.options().heads);
    for (const bp::Tensor& w : bert.attention_maps()) a.maps.push_back(w.to_float_vector());  // [1, H, T, T] each
    a.layers = static_cast<int>(a.maps.size());
    bert.capture_attention(false);
    return r;
}

std::shared_ptr<bp::models::BertMini> cloneBert(const bp::models::BertMini& bert) {
    auto copy = std::make_shared<bp::models::BertMini>(bert.options());
    modeltools::copyState(bert, *copy);
    return copy;
}

}  // namespace berttools
