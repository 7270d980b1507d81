// gpt.cpp — GptMini of gpt.h and text sampling. Shape flow (B sequences of T tokens, d = dim, V = vocab):
//   tokens int32 [B, T] -> tok_embed [B, T, d] (+ pos_embed rows 0..T-1 [T, d], gpt2 only) -> L causal blocks
//   [B, T, d] -> final norm [B, T, d] -> lm_head (no bias) [B, T, V]
// Not here: the training loop (train/text_trainer.cpp) and the file format (io/gpt_file.cpp).
#include "bp/models/gpt.h"
#include "bp/io/json_checks.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "bp/autograd.h"

namespace bp::models {

nlohmann::json GptOptions::to_json() const {
    return {{"vocab_size", vocab_size}, {"context", context}, {"layers", layers}, {"heads", heads}, {"dim", dim},
            {"block", block == nn::BlockKind::modern ? "modern" : "gpt2"}, {"tiled", tiled}};
}

GptOptions GptOptions::from_json(const nlohmann::json& j) {
    if (!j.is_object()) throw ConfigError("gpt: the options must be a JSON object; got " + j.dump());
    GptOptions o;
    try {
        // Whole numbers in range before any cast: "heads": 1e30 is refused by name (io/json_checks.h).
        o.vocab_size = io::json_int_or(j, "vocab_size", o.vocab_size, "gpt: vocab_size", 2, 65536);
        o.context = io::json_int_or(j, "context", o.context, "gpt: context", 1, 4096);
        o.layers = io::json_int_or(j, "layers", o.layers, "gpt: layers", 1, 48);
        o.heads = io::json_int_or(j, "heads", o.heads, "gpt: heads", 1, 4096);
        o.dim = io::json_int_or(j, "dim", o.dim, "gpt: dim", 1, 4096);
        o.tiled = j.value("tiled", o.tiled);
        const std::string block = j.contains("block") ? io::json_string(j["block"], "gpt: block") : std::string("gpt2");
        if (block == "gpt2") o.block = nn::BlockKind::gpt2;
        else if (block == "modern") o.block = nn::BlockKind::modern;
        else throw ConfigError("gpt: unknown block '" + block + "'; use gpt2 or modern");
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError(std::string("gpt: bad options (") + e.what() + "); got " + j.dump());
    }
    return o;
}

static void validate(const GptOptions& o) {
    auto bad = [&](const std::string& what) {
        throw ConfigError("gpt: " + what + "; got vocab_size " + std::to_string(o.vocab_size) + ", context " +
                          std::to_string(o.context) + ", layers " + std::to_string(o.layers) + ", heads " +
                          std::to_string(o.heads) + ", dim " + std::to_string(o.dim));
    };
    if (o.vocab_size < 2 || o.vocab_size > 65536) bad("vocab_size must be in [2, 65536]");
    if (o.context < 1 || o.context > 4096) bad("context must be in [1, 4096]");
    if (o.layers < 1 || o.layers > 48) bad("layers must be in [1, 48]");
    if (o.dim < 1 || o.dim > 4096 || o.heads < 1 || o.dim % o.heads != 0)
        bad("dim must be in [1, 4096] and divisible by heads");
    if (o.block == nn::BlockKind::modern && (o.dim / o.heads) % 2 != 0)
        bad("the modern block's RoPE needs an even head size dim / heads");
}

GptMini::GptMini(const GptOptions& o) : opts_(o) {
    validate(o);
    build_trunk({.vocab_size = o.vocab_size, .context = o.context, .layers = o.layers, .heads = o.heads, .dim = o.dim,
                 .block = o.block, .tiled = o.tiled, .causal = true});
    lm_head = std::make_shared<nn::Linear>(nn::LinearOptions(o.dim, o.vocab_size).bias(false));  // w [V, d]
    register_module("lm_head", lm_head);
    Generator gen(0);
    reset_parameters(gen);
}

void GptMini::reset_parameters(Generator& gen) { init_gpt2_style(gen); }

Tensor GptMini::forward(const Tensor& tokens) {
    return lm_head->forward(trunk_forward(tokens, Tensor(), "gpt"));  // [B, T, d] -> [B, T, V]
}

Tensor GptMini::loss(const Tensor& tokens, const Tensor& targets) {
    if (!targets.defined() || targets.dtype() != DType::i32 || targets.shape() != tokens.shape())
        throw ShapeError("gpt.loss", tokens.shape(), targets.defined() ? targets.shape() : Shape{},
                         "targets must be int32 with the same shape [B, T] as the tokens");
    Tensor logits = forward(tokens);  // [B, T, V]
    const int64_t n = tokens.numel();
    return cross_entropy(reshape(logits, {n, opts_.vocab_size}), targets.view({n}));
}

std::string GptMini::repr() const {
    std::ostringstream os;
    os << "GptMini(vocab=" << opts_.vocab_size << ", context=" << opts_.context << ", layers=" << opts_.layers
       << ", heads=" << opts_.heads << ", dim=" << opts_.dim
       << ", block=" << (opts_.block == nn::BlockKind::modern ? "modern" : "gpt2") << ")";
    return os.str();
}

std::vector<int32_t> generate(GptMini& model, const std::vector<int32_t>& prompt, const SampleOptions& opts,
                              Generator& gen, const std::function<bool(int32_t)>& on_token) {
    const int64_t V = model.options().vocab_size, C = model.options().context;
    if (prompt.empty()) throw ConfigError("generate: the prompt is empty; give at least one character");
    if (opts.max_new_tokens < 0 || opts.max_new_tokens > 100000)
        throw ConfigError("generate: max_new_tokens must be in [0, 100000]; got " + std::to_string(opts.max_new_tokens));
    if (!(opts.temperature > 0) || !std::isfinite(opts.temperature) || opts.temperature > 100)
        throw ConfigError("generate: temperature must be in (0, 100]; got " + std::to_string(opts.temperature));
    if (opts.top_k < 0 || opts.top_k > V)
        throw ConfigError("generate: top_k must be in [0, vocab_size = " + std::to_string(V) + "]; got " +
                          std::to_string(opts.top_k));
    for (size_t i = 0; i < prompt.size(); ++i)
        if (prompt[i] < 0 || prompt[i] >= V)
            throw ConfigError("generate: prompt token " + std::to_string(prompt[i]) + " at position " + std::to_string(i) +
                              " is outside the vocabulary [0, " + std::to_string(V) + ")");
    autograd::NoGradGuard no_grad;
    const bool was_training = model.is_training();
    model.eval();
    std::vector<int32_t> seq = prompt;
    std::vector<double> p(static_cast<size_t>(V));
    std::vector<int32_t> order(static_cast<size_t>(V));
    for (int n = 0; n < opts.max_new_tokens; ++n) {
        const int64_t T = std::min<int64_t>(C, static_cast<int64_t>(seq.size()));  // the sliding window
        Tensor x = Tensor::empty({1, T}, DType::i32);
        std::copy(seq.end() - T, seq.end(), x.data<int32_t>());
        Tensor logits = model.forward(x);  // [1, T, V]
        const std::vector<double> all = logits.to_vector();
        const double* last = all.data() + (T - 1) * V;  // the next-token logits
        for (int64_t v = 0; v < V; ++v) p[static_cast<size_t>(v)] = last[v] / opts.temperature;
        if (opts.top_k > 0 && opts.top_k < V) {  // keep the k largest logits (ties broken by id)
            std::iota(order.begin(), order.end(), 0);
            std::partial_sort(order.begin(), order.begin() + opts.top_k, order.end(), [&](int32_t a, int32_t b) {
                return p[static_cast<size_t>(a)] > p[static_cast<size_t>(b)] ||
                       (p[static_cast<size_t>(a)] == p[static_cast<size_t>(b)] && a < b);
            });
            std::vector<bool> keep(static_cast<size_t>(V), false);
            for (int k = 0; k < opts.top_k; ++k) keep[static_cast<size_t>(order[static_cast<size_t>(k)])] = true;
            for (int64_t v = 0; v < V; ++v)
                if (!keep[static_cast<size_t>(v)]) p[static_cast<size_t>(v)] = -INFINITY;
        }
        const double mx = *std::max_element(p.begin(), p.end());
        double z = 0;
        for (double& e : p) z += (e = std::exp(e - mx));  // softmax, unnormalised
        double u = gen.uniform(0.0, z);
        int32_t next = 0;
        for (int64_t v = 0; v < V; ++v) {  // inverse CDF
            if (p[static_cast<size_t>(v)] <= 0) continue;
            next = static_cast<int32_t>(v);
            u -= p[static_cast<size_t>(v)];
            if (u < 0) break;
        }
        seq.push_back(next);
        if (on_token && !on_token(next)) break;
    }
    model.train(was_training);
    return seq;
}

}  // namespace bp::models
