// bert.cpp — BertMini of bert.h, its masked-LM and classification heads, and the character-prediction metrics
// shared with GPT-mini. Shape flow (B sequences of T tokens, d = dim, V = vocab, M chosen positions):
//   tokens int32 [B, T] -> tok_embed [B, T, d] + pos_embed rows 0..T-1 [T, d] -> L bidirectional blocks with the
//   key padding mask -> norm [B, T, d];  MLM: index_select of the chosen rows [M, d] -> head [M, V];
//   classification: index_select of rows b·T (the [CLS] of each sequence) [B, d] -> classifier [B, classes]
// Not here: the training loops (train/bert_trainer.cpp) and the file format (io/bert_file.cpp).
#include "bp/models/bert.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "bp/autograd.h"
#include "bp/io/json_checks.h"
#include "bp/models/gpt.h"

namespace bp::models {

nlohmann::json BertOptions::to_json() const {
    return {{"vocab_size", vocab_size}, {"context", context}, {"layers", layers}, {"heads", heads}, {"dim", dim},
            {"num_classes", num_classes}, {"tie_mlm", tie_mlm}, {"tiled", tiled},
            {"block", block == nn::BlockKind::modern ? "modern" : "gpt2"},
            {"pooling", pooling == Pooling::mean ? "mean" : "cls"}};
}

BertOptions BertOptions::from_json(const nlohmann::json& j) {
    if (!j.is_object()) throw ConfigError("bert: the options must be a JSON object; got " + j.dump());
    BertOptions o;
    try {
        // Whole numbers in range before any cast, as GptOptions does: "dim": 1e30 is refused by name.
        o.vocab_size = io::json_int_or(j, "vocab_size", o.vocab_size, "bert: vocab_size", 4, 65536 + 3);
        o.context = io::json_int_or(j, "context", o.context, "bert: context", 1, 4096);
        o.layers = io::json_int_or(j, "layers", o.layers, "bert: layers", 1, 48);
        o.heads = io::json_int_or(j, "heads", o.heads, "bert: heads", 1, 4096);
        o.dim = io::json_int_or(j, "dim", o.dim, "bert: dim", 1, 4096);
        o.num_classes = io::json_int_or(j, "num_classes", o.num_classes, "bert: num_classes", 1, 65536);
        o.tie_mlm = j.value("tie_mlm", o.tie_mlm);
        o.tiled = j.value("tiled", o.tiled);
        const std::string block = j.contains("block") ? io::json_string(j["block"], "bert: block") : std::string("modern");
        if (block == "gpt2") o.block = nn::BlockKind::gpt2;
        else if (block == "modern") o.block = nn::BlockKind::modern;
        else throw ConfigError("bert: unknown block '" + block + "'; use gpt2 or modern");
        const std::string pooling = j.contains("pooling") ? io::json_string(j["pooling"], "bert: pooling") : std::string("cls");
        if (pooling == "cls") o.pooling = Pooling::cls;
        else if (pooling == "mean") o.pooling = Pooling::mean;
        else throw ConfigError("bert: unknown pooling '" + pooling + "'; use cls or mean");
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError(std::string("bert: bad options (") + e.what() + "); got " + j.dump());
    }
    return o;
}

static void validate(const BertOptions& o) {
    auto bad = [&](const std::string& what) { throw ConfigError("bert: " + what + "; got " + o.to_json().dump()); };
    if (o.vocab_size < 4 || o.vocab_size > 65536) bad("vocab_size must be in [4, 65536] (characters + 3 specials)");
    if (o.context < 2 || o.context > 4096) bad("context must be in [2, 4096]");
    if (o.layers < 1 || o.layers > 48) bad("layers must be in [1, 48]");
    if (o.dim < 1 || o.dim > 4096 || o.heads < 1 || o.dim % o.heads != 0)
        bad("dim must be in [1, 4096] and divisible by heads");
    if (o.num_classes < 1 || o.num_classes > 65536) bad("num_classes must be in [1, 65536]");
    if (o.block == nn::BlockKind::modern && (o.dim / o.heads) % 2 != 0)
        bad("the modern block's RoPE needs an even head size dim / heads");
}

void CharPredictionStats::add(const Tensor& logits, const Tensor& targets) {
    if (logits.dim() != 2 || targets.dim() != 1 || logits.size(0) != targets.size(0))
        throw ShapeError("char_prediction_stats", logits.shape(), targets.shape(), "logits [N, C] and targets [N]");
    const int64_t N = logits.size(0), C = logits.size(1);
    const std::vector<double> z = logits.to_vector();
    const Tensor th = targets.to(Device::cpu);
    const int32_t* t = th.data<int32_t>();
    double nll = 0;
    int64_t right = 0;
    for (int64_t n = 0; n < N; ++n) {
        const double* row = z.data() + n * C;
        const int64_t best = std::max_element(row, row + C) - row;
        const double mx = row[best];
        double s = 0;
        for (int64_t c = 0; c < C; ++c) s += std::exp(row[c] - mx);
        nll += mx + std::log(s) - row[t[n]];  // −log softmax(z)[t]
        right += best == t[n];
    }
    const double total = static_cast<double>(count + N);
    loss = (loss * count + nll) / total;
    accuracy = (accuracy * count + right) / total;
    count += N;
}

BertMini::BertMini(const BertOptions& o) : opts_(o) {
    validate(o);
    const int64_t d = o.dim;
    // GPT-mini's trunk with the causal mask off: every position sees every non-[PAD] position.
    build_trunk({.vocab_size = o.vocab_size, .context = o.context, .layers = o.layers, .heads = o.heads, .dim = d,
                 .block = o.block, .tiled = o.tiled, .causal = false});
    mlm_dense = std::make_shared<nn::Linear>(nn::LinearOptions(d, d));
    register_module("mlm_dense", mlm_dense);
    mlm_norm = std::make_shared<nn::LayerNorm>(d);
    register_module("mlm_norm", mlm_norm);
    if (!o.tie_mlm) {
        mlm_decoder = std::make_shared<nn::Linear>(nn::LinearOptions(d, o.vocab_size).bias(false));  // w [V, d]
        register_module("mlm_decoder", mlm_decoder);
    }
    mlm_bias = register_parameter("mlm_bias", Tensor::zeros({o.vocab_size}));
    classifier = std::make_shared<nn::Linear>(nn::LinearOptions(d, o.num_classes));
    register_module("classifier", classifier);
    Generator gen(0);
    reset_parameters(gen);
}

void BertMini::reset_parameters(Generator& gen) { init_gpt2_style(gen); }

void BertMini::reset_classifier(Generator& gen) {
    autograd::NoGradGuard g;
    classifier->weight.copy_(Tensor::randn(classifier->weight.shape(), gen, 0.0, 0.02, DType::f64));
    classifier->bias.fill_(0.0);
}

void BertMini::load_encoder_from(const BertMini& other) {
    autograd::NoGradGuard g;
    auto theirs = other.named_parameters();
    for (auto& [name, p] : named_parameters()) {
        if (name.rfind("classifier.", 0) == 0) continue;
        const std::string& key = name;  // a lambda may not capture a structured binding before clang 16
        auto it = std::find_if(theirs.begin(), theirs.end(), [&](const auto& e) { return e.first == key; });
        if (it == theirs.end() || it->second.shape() != p.shape())
            throw ConfigError("bert: cannot take the encoder's tensor '" + name + "' " + shape_str(p.shape()) +
                              " from a model with options " + other.options().to_json().dump() + "; build the model "
                              "with the same vocabulary, context, layers, heads, dim and tie_mlm");
        p.copy_(it->second);
    }
}

Tensor BertMini::encode(const Tensor& tokens, const Tensor& key_padding_mask) {
    return trunk_forward(tokens, key_padding_mask, "bert");  // [B, T, d]
}

// BERT's MLM head (the "transform" then the decoder): gelu(rows W1ᵀ + b1) -> LayerNorm -> W_decᵀ + bias, where
// W_dec is the token embedding [V, d] when tied.
Tensor BertMini::mlm_head(const Tensor& rows) {
    Tensor h = mlm_norm->forward(gelu(mlm_dense->forward(rows), GeluApprox::tanh));  // [M, d]
    const Tensor& w = opts_.tie_mlm ? tok_embed->weight : mlm_decoder->weight;      // [V, d]
    return linear(h, w, mlm_bias);                                                  // [M, V]
}

Tensor BertMini::forward(const Tensor& tokens) {
    Tensor h = encode(tokens);  // [B, T, d]
    const int64_t B = tokens.size(0), T = tokens.size(1);
    return reshape(mlm_head(reshape(h, {B * T, opts_.dim})), {B, T, opts_.vocab_size});  // [B, T, V]
}

Tensor BertMini::mlm_logits(const data::MlmBatch& batch, const Tensor& key_padding_mask) {
    Tensor h = encode(batch.inputs, key_padding_mask);  // [B, T, d]
    const int64_t N = batch.inputs.numel();
    return mlm_head(index_select(reshape(h, {N, opts_.dim}), batch.positions));  // [M, V]
}

Tensor BertMini::mlm_loss(const data::MlmBatch& batch, const Tensor& key_padding_mask) {
    return cross_entropy(mlm_logits(batch, key_padding_mask), batch.targets);  // mean over the M chosen positions
}

Tensor BertMini::classify(const Tensor& tokens, const Tensor& key_padding_mask) {
    Tensor h = encode(tokens, key_padding_mask);  // [B, T, d]
    const int64_t B = tokens.size(0), T = tokens.size(1);
    if (opts_.pooling == BertOptions::Pooling::mean) {
        // pooled[b] = Σ_t m[b, t] h[b, t] / Σ_t m[b, t]   (m = 1 at real positions; all ones without a mask)
        Tensor pooled = masked_mean(h, key_padding_mask);  // [B, d]
        return classifier->forward(pooled);                                                 // [B, classes]
    }
    std::vector<double> cls(static_cast<size_t>(B));
    for (int64_t b = 0; b < B; ++b) cls[static_cast<size_t>(b)] = static_cast<double>(b * T);
    Tensor rows = index_select(reshape(h, {B * T, opts_.dim}), Tensor::from_vector({B}, cls, DType::i32));  // [B, d]
    return classifier->forward(rows);  // [B, classes]
}

std::string BertMini::repr() const {
    std::ostringstream os;
    os << "BertMini(vocab=" << opts_.vocab_size << ", context=" << opts_.context << ", layers=" << opts_.layers
       << ", heads=" << opts_.heads << ", dim=" << opts_.dim << ", classes=" << opts_.num_classes
       << ", tie_mlm=" << (opts_.tie_mlm ? "true" : "false")
       << ", block=" << (opts_.block == nn::BlockKind::modern ? "modern" : "gpt2") << ")";
    return os.str();
}

CharPredictionStats bert_mlm_eval(BertMini& bert, const data::BertVocab& vocab, const std::vector<int32_t>& val,
                                  int64_t batch, int64_t context, int batches, uint64_t seed) {
    autograd::NoGradGuard g;
    const bool was_training = bert.is_training();
    bert.eval();
    Generator gen(seed);
    CharPredictionStats s;
    for (int i = 0; i < batches; ++i) {
        data::MlmBatch b = data::mask_for_mlm(data::sample_mlm_windows(val, vocab, batch, context, gen), vocab, gen);
        s.add(bert.mlm_logits(b), b.targets);
    }
    bert.train(was_training);
    return s;
}

CharPredictionStats gpt_next_char_eval(GptMini& gpt, const std::vector<int32_t>& val, int64_t batch, int64_t context,
                                       int batches, uint64_t seed) {
    autograd::NoGradGuard g;
    const bool was_training = gpt.is_training();
    gpt.eval();
    Generator gen(seed);
    CharPredictionStats s;
    const int64_t V = gpt.options().vocab_size;
    for (int i = 0; i < batches; ++i) {
        auto [x, y] = data::sample_text_batch(val, batch, context, gen);
        s.add(reshape(gpt.forward(x), {x.numel(), V}), y.view({y.numel()}));
    }
    gpt.train(was_training);
    return s;
}

CharPredictionStats unigram_baseline(const std::vector<int32_t>& fit, const std::vector<int32_t>& eval, int characters) {
    std::vector<double> count(static_cast<size_t>(characters), 0.0);
    for (int32_t t : fit)
        if (t >= 0 && t < characters) count[static_cast<size_t>(t)] += 1;
    const int32_t top = static_cast<int32_t>(std::max_element(count.begin(), count.end()) - count.begin());
    CharPredictionStats s;
    s.loss = data::unigram_loss(fit, eval, characters);
    s.count = static_cast<int64_t>(eval.size());
    s.accuracy = static_cast<double>(std::count(eval.begin(), eval.end(), top)) / std::max<double>(1, s.count);
    return s;
}

}  // namespace bp::models
