// transformer.cpp — the layers of transformer.h: construction, torch-style initialisation and reprs, and the
// forward passes (head split/join around attention, pre-norm residual blocks). The ops are in ops/.
#include "bp/nn/transformer.h"

#include <cmath>
#include <sstream>

#include "bp/autograd.h"
#include "bp/checkpoint.h"

namespace bp::nn {

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim, DType dtype)
    : num_(num_embeddings), dim_(embedding_dim) {
    if (num_embeddings <= 0 || embedding_dim <= 0)
        throw ConfigError("Embedding: num_embeddings and embedding_dim must be positive; got " +
                          std::to_string(num_embeddings) + " and " + std::to_string(embedding_dim));
    weight = register_parameter("weight", Tensor::zeros({num_embeddings, embedding_dim}, dtype));
    Generator gen(0);
    reset_parameters(gen);
}

void Embedding::reset_parameters(Generator& gen) {
    autograd::NoGradGuard g;
    weight.copy_(Tensor::randn(weight.shape(), gen, 0.0, 1.0, DType::f64));
}

std::string Embedding::repr() const { return "Embedding(" + std::to_string(num_) + ", " + std::to_string(dim_) + ")"; }

static std::string norm_repr(const char* name, int64_t d, double eps) {
    std::ostringstream os;
    os << name << "((" << d << ",), eps=" << eps << ", elementwise_affine=true)";
    return os.str();
}

LayerNorm::LayerNorm(int64_t d, double eps, DType dtype) : dim_(d), eps_(eps) {
    if (d <= 0 || !(eps > 0))
        throw ConfigError("LayerNorm: needs normalized_shape > 0 and eps > 0; got " + std::to_string(d) + " and " +
                          std::to_string(eps));
    weight = register_parameter("weight", Tensor::ones({d}, dtype));
    bias = register_parameter("bias", Tensor::zeros({d}, dtype));
}
void LayerNorm::reset_parameters(Generator&) {
    weight.fill_(1.0);
    bias.fill_(0.0);
}
std::string LayerNorm::repr() const { return norm_repr("LayerNorm", dim_, eps_); }

RMSNorm::RMSNorm(int64_t d, double eps, DType dtype) : dim_(d), eps_(eps) {
    if (d <= 0 || !(eps > 0))
        throw ConfigError("RMSNorm: needs normalized_shape > 0 and eps > 0; got " + std::to_string(d) + " and " +
                          std::to_string(eps));
    weight = register_parameter("weight", Tensor::ones({d}, dtype));
}
void RMSNorm::reset_parameters(Generator&) { weight.fill_(1.0); }
std::string RMSNorm::repr() const { return norm_repr("RMSNorm", dim_, eps_); }

MultiHeadAttention::MultiHeadAttention(const MultiHeadAttentionOptions& opts) : opts_(opts) {
    if (opts.d_model <= 0 || opts.heads <= 0 || opts.d_model % opts.heads != 0)
        throw ConfigError("MultiHeadAttention: d_model must be a positive multiple of heads; got d_model=" +
                          std::to_string(opts.d_model) + " and heads=" + std::to_string(opts.heads));
    if (opts.rope_ && (opts.d_model / opts.heads) % 2 != 0)
        throw ConfigError("MultiHeadAttention: RoPE needs an even head size d_model / heads; got " +
                          std::to_string(opts.d_model / opts.heads));
    auto proj = [&](const char* name) {
        auto l = std::make_shared<Linear>(LinearOptions(opts.d_model, opts.d_model).bias(opts.bias_).dtype(opts.dtype_));
        register_module(name, l);
        return l;
    };
    q_proj = proj("q_proj");
    k_proj = proj("k_proj");
    v_proj = proj("v_proj");
    out_proj = proj("out_proj");
}

Tensor MultiHeadAttention::forward(const Tensor& x, const Tensor& key_padding_mask) {
    const int64_t D = opts_.d_model, H = opts_.heads, Dh = D / H;
    if (!x.defined() || x.dim() != 3 || x.size(2) != D)
        throw ShapeError("multi_head_attention: input " + (x.defined() ? shape_str(x.shape()) : std::string("(undefined)")) +
                         " does not fit " + repr() + ", which expects [B, T, " + std::to_string(D) + "]");
    const int64_t B = x.size(0), T = x.size(1);
    auto heads = [&](const Tensor& t) { return transpose(reshape(t, {B, T, H, Dh}), 1, 2); };  // [B, H, T, Dh]
    Tensor q = heads(q_proj->forward(x)), k = heads(k_proj->forward(x)), v = heads(v_proj->forward(x));
    if (opts_.rope_) {
        q = rope(q);
        k = rope(k);
    }
    Tensor y;  // [B, H, T, Dh]
    if (checkpoint_core_)
        y = autograd::checkpoint(
            [this, key_padding_mask](const std::vector<Tensor>& in) { return attend(in[0], in[1], in[2], key_padding_mask); },
            std::vector<Tensor>{q, k, v}, {});
    else
        y = attend(q, k, v, key_padding_mask);
    return out_proj->forward(reshape(transpose(y, 1, 2), {B, T, D}));  // heads joined: [B, T, D]
}

Tensor MultiHeadAttention::attend(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& key_padding_mask) {
    if (capture_) return scaled_dot_product_attention(q, k, v, opts_.causal_, key_padding_mask, &last_attention_);
    if (opts_.tiled_) return scaled_dot_product_attention_tiled(q, k, v, opts_.causal_, key_padding_mask, opts_.block_);
    return scaled_dot_product_attention(q, k, v, opts_.causal_, key_padding_mask);
}

std::string MultiHeadAttention::repr() const {
    std::ostringstream os;
    os << "MultiHeadAttention(d_model=" << opts_.d_model << ", heads=" << opts_.heads
       << ", causal=" << (opts_.causal_ ? "true" : "false") << ", rope=" << (opts_.rope_ ? "true" : "false")
       << ", tiled=" << (opts_.tiled_ ? "true" : "false") << ')';
    return os.str();
}

FeedForward::FeedForward(int64_t d_model, int64_t hidden, bool swiglu, bool bias, DType dtype)
    : d_(d_model), hidden_(hidden), swiglu_(swiglu) {
    if (d_model <= 0 || hidden <= 0)
        throw ConfigError("FeedForward: d_model and hidden must be positive; got " + std::to_string(d_model) + " and " +
                          std::to_string(hidden));
    fc1 = std::make_shared<Linear>(LinearOptions(d_model, swiglu ? 2 * hidden : hidden).bias(bias).dtype(dtype));
    fc2 = std::make_shared<Linear>(LinearOptions(hidden, d_model).bias(bias).dtype(dtype));
    register_module("fc1", fc1);
    register_module("fc2", fc2);
}

Tensor FeedForward::forward(const Tensor& x) {
    Tensor h = fc1->forward(x);
    return fc2->forward(swiglu_ ? swiglu(h) : gelu(h, GeluApprox::tanh));
}

std::string FeedForward::repr() const {
    return "FeedForward(d_model=" + std::to_string(d_) + ", hidden=" + std::to_string(hidden_) +
           ", activation=" + (swiglu_ ? "swiglu" : "gelu_tanh") + ")";
}

TransformerBlock::TransformerBlock(const TransformerBlockOptions& opts) : opts_(opts) {
    const bool modern = opts.kind_ == BlockKind::modern;
    const int64_t d = opts.d_model;
    if (d <= 0) throw ConfigError("TransformerBlock: d_model must be positive; got " + std::to_string(d));
    const int64_t hidden = opts.hidden_ > 0 ? opts.hidden_ : (modern ? (8 * d + 2) / 3 : 4 * d);
    auto norm = [&]() -> std::shared_ptr<Module> {
        if (modern) return std::make_shared<RMSNorm>(d, 1e-6, opts.dtype_);
        return std::make_shared<LayerNorm>(d, 1e-5, opts.dtype_);
    };
    norm1 = norm();
    attn = std::make_shared<MultiHeadAttention>(MultiHeadAttentionOptions(d, opts.heads)
                                                    .causal(opts.causal_)
                                                    .rope(modern)
                                                    .bias(!modern)
                                                    .tiled(opts.tiled_)
                                                    .dtype(opts.dtype_));
    norm2 = norm();
    mlp = std::make_shared<FeedForward>(d, hidden, modern, !modern, opts.dtype_);
    register_module("norm1", norm1);
    register_module("attn", attn);
    register_module("norm2", norm2);
    register_module("mlp", mlp);
}

void TransformerBlock::set_checkpoint(Checkpoint c) {
    checkpoint_ = c;
    attn->set_checkpoint_core(c == Checkpoint::attention);
}

Tensor TransformerBlock::forward(const Tensor& x, const Tensor& key_padding_mask) {
    if (checkpoint_ != Checkpoint::block) return forward_body(x, key_padding_mask);
    return autograd::checkpoint([this, key_padding_mask](const Tensor& in) { return forward_body(in, key_padding_mask); },
                                x, parameters());
}

Tensor TransformerBlock::forward_body(const Tensor& x, const Tensor& key_padding_mask) {
    Tensor h = add(x, attn->forward(norm1->forward(x), key_padding_mask));  // [B, T, D]
    return add(h, mlp->forward(norm2->forward(h)));
}

int set_checkpointing(Module& net, Checkpoint c) {
    int blocks = 0;
    if (auto* block = dynamic_cast<TransformerBlock*>(&net)) {
        block->set_checkpoint(c);
        ++blocks;
    }
    for (const auto& [name, child] : net.children()) blocks += set_checkpointing(*child, c);
    return blocks;
}

Checkpoint checkpoint_from_string(const std::string& s) {
    if (s == "off") return Checkpoint::off;
    if (s == "attention") return Checkpoint::attention;
    if (s == "block") return Checkpoint::block;
    throw ConfigError("checkpoint: unknown setting '" + s + "'; use off, attention or block");
}

const char* checkpoint_name(Checkpoint c) {
    switch (c) {
        case Checkpoint::attention: return "attention";
        case Checkpoint::block: return "block";
        default: return "off";
    }
}

std::string TransformerBlock::repr() const {
    std::ostringstream os;
    os << "TransformerBlock(kind=" << (opts_.kind_ == BlockKind::modern ? "modern" : "gpt2") << "\n"
       << "  (norm1): " << norm1->repr() << "\n"
       << "  (attn): " << attn->repr() << "\n"
       << "  (norm2): " << norm2->repr() << "\n"
       << "  (mlp): " << mlp->repr() << "\n)";
    return os.str();
}

}  // namespace bp::nn
