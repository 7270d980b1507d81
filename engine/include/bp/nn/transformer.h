// transformer.h — the transformer layers: Embedding, LayerNorm, RMSNorm, MultiHeadAttention and a pre-norm
// TransformerBlock in two flavours (GPT-2: LayerNorm + GELU MLP; modern: RMSNorm + SwiGLU MLP + RoPE).
// Names and reprs follow torch::nn. Not a whole model (token + position embedding, head): that comes later.
//   auto block = std::make_shared<nn::TransformerBlock>(nn::TransformerBlockOptions(64, 4));
//   Tensor y = block->forward(x);  // x: [B, T, 64] -> [B, T, 64]
#pragma once

#include <memory>
#include <string>

#include "bp/nn/module.h"

namespace bp::nn {

/// Lookup table: indices int32 [B, T] -> [B, T, embedding_dim]. weight: [num_embeddings, embedding_dim] ~ N(0, 1)
/// (torch's default). forward() takes the int32 index tensor.
class Embedding : public Module {
public:
    Embedding(int64_t num_embeddings, int64_t embedding_dim, DType dtype = DType::f32);
    Tensor forward(const Tensor& indices) override { return embedding(indices, weight); }
    std::string repr() const override;  // "Embedding(50257, 768)"
    std::string type_name() const override { return "Embedding"; }
    void reset_parameters(Generator& gen) override;
    Tensor weight;

private:
    int64_t num_, dim_;
};

/// Layer normalisation over the last dimension; weight (γ) ones, bias (β) zeros.
class LayerNorm : public Module {
public:
    explicit LayerNorm(int64_t normalized_shape, double eps = 1e-5, DType dtype = DType::f32);
    Tensor forward(const Tensor& x) override { return layer_norm(x, weight, bias, eps_); }
    std::string repr() const override;  // "LayerNorm((64,), eps=1e-05, elementwise_affine=true)"
    std::string type_name() const override { return "LayerNorm"; }
    void reset_parameters(Generator& gen) override;
    double eps() const { return eps_; }
    Tensor weight, bias;

private:
    int64_t dim_;
    double eps_;
};

/// RMS normalisation over the last dimension; weight (γ) ones.
class RMSNorm : public Module {
public:
    explicit RMSNorm(int64_t normalized_shape, double eps = 1e-6, DType dtype = DType::f32);
    Tensor forward(const Tensor& x) override { return rms_norm(x, weight, eps_); }
    std::string repr() const override;  // "RMSNorm((64,), eps=1e-06, elementwise_affine=true)"
    std::string type_name() const override { return "RMSNorm"; }
    void reset_parameters(Generator& gen) override;
    double eps() const { return eps_; }
    Tensor weight;

private:
    int64_t dim_;
    double eps_;
};

/// What a transformer block recomputes in the backward pass instead of keeping (gradient checkpointing,
/// bp/checkpoint.h). The gradients are the same either way; only memory and time change.
///   off:       nothing (every op keeps what its backward needs).
///   attention: the attention core — scores, softmax and the weighted sum of values — from q, k, v (selective
///              recomputation, Korthikanti et al. 2022): the [B, H, T, T] tensors are the block's largest and the
///              cheapest to recompute. Saves little with the tiled attention, which keeps no [T, T] tensor anyway.
///   block:     the whole block from its input (Chen et al. 2016): the most memory saved, one more block forward.
enum class Checkpoint { off, attention, block };
/// "off", "attention" or "block"; ConfigError naming the choices otherwise.
Checkpoint checkpoint_from_string(const std::string& s);
const char* checkpoint_name(Checkpoint c);

struct MultiHeadAttentionOptions {
    MultiHeadAttentionOptions(int64_t d_model, int64_t heads) : d_model(d_model), heads(heads) {}
    MultiHeadAttentionOptions& causal(bool on) { causal_ = on; return *this; }
    MultiHeadAttentionOptions& rope(bool on) { rope_ = on; return *this; }
    MultiHeadAttentionOptions& bias(bool on) { bias_ = on; return *this; }
    /// tiled: the memory-aware attention (scaled_dot_product_attention_tiled) instead of the plain one.
    MultiHeadAttentionOptions& tiled(bool on, int64_t block_size = 32) { tiled_ = on; block_ = block_size; return *this; }
    MultiHeadAttentionOptions& dtype(DType d) { dtype_ = d; return *this; }
    int64_t d_model, heads;
    bool causal_ = true, rope_ = false, bias_ = true, tiled_ = false;
    int64_t block_ = 32;
    DType dtype_ = DType::f32;
};

/// Self-attention with `heads` heads of size d_model / heads: q, k, v = x W_q, x W_k, x W_v (q_proj, k_proj,
/// v_proj), split into heads [B, H, T, Dh], optional RoPE on q and k, attention, heads joined, out_proj.
/// x: [B, T, d_model] -> [B, T, d_model]. With capture_attention(true) the next forwards keep the attention
/// weights [B, H, T, T] (detached; through the plain attention, which has the same semantics as the tiled one).
/// Not thread-safe (the captured weights).
class MultiHeadAttention : public Module {
public:
    explicit MultiHeadAttention(const MultiHeadAttentionOptions& opts);
    Tensor forward(const Tensor& x) override { return forward(x, Tensor()); }
    /// key_padding_mask: [B, T] int32 or float, 1 = real token, 0 = padding (or undefined).
    Tensor forward(const Tensor& x, const Tensor& key_padding_mask);
    std::string repr() const override;  // "MultiHeadAttention(d_model=64, heads=4, causal=true, rope=false, tiled=false)"
    std::string type_name() const override { return "MultiHeadAttention"; }
    void capture_attention(bool on) { capture_ = on; if (!on) last_attention_ = Tensor(); }
    /// The weights of the last forward while capturing, [B, H, T, T]; undefined otherwise.
    const Tensor& last_attention() const { return last_attention_; }
    const MultiHeadAttentionOptions& options() const { return opts_; }
    /// Recompute the attention core (q, k, v -> heads' output) in the backward pass instead of keeping its tensors.
    void set_checkpoint_core(bool on) { checkpoint_core_ = on; }
    bool checkpoint_core() const { return checkpoint_core_; }
    std::shared_ptr<Linear> q_proj, k_proj, v_proj, out_proj;

private:
    Tensor attend(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& key_padding_mask);
    MultiHeadAttentionOptions opts_;
    bool capture_ = false, checkpoint_core_ = false;
    Tensor last_attention_;
};

/// The block's MLP: fc2(act(fc1(x))). GELU (tanh form, as GPT-2): fc1 d -> hidden. SwiGLU: fc1 d -> 2·hidden
/// split into [gate | value], swiglu, then fc2 hidden -> d.
class FeedForward : public Module {
public:
    FeedForward(int64_t d_model, int64_t hidden, bool swiglu, bool bias, DType dtype = DType::f32);
    Tensor forward(const Tensor& x) override;
    std::string repr() const override;  // "FeedForward(d_model=64, hidden=256, activation=gelu_tanh)"
    std::string type_name() const override { return "FeedForward"; }
    bool is_swiglu() const { return swiglu_; }
    std::shared_ptr<Linear> fc1, fc2;

private:
    int64_t d_, hidden_;
    bool swiglu_;
};

enum class BlockKind { gpt2, modern };

struct TransformerBlockOptions {
    TransformerBlockOptions(int64_t d_model, int64_t heads) : d_model(d_model), heads(heads) {}
    TransformerBlockOptions& kind(BlockKind k) { kind_ = k; return *this; }
    TransformerBlockOptions& causal(bool on) { causal_ = on; return *this; }
    /// 0: 4·d_model for GPT-2, ⌈8·d_model / 3⌉ for the modern block (the same parameter count as 4·d with GELU).
    TransformerBlockOptions& mlp_hidden(int64_t h) { hidden_ = h; return *this; }
    TransformerBlockOptions& tiled(bool on) { tiled_ = on; return *this; }
    TransformerBlockOptions& dtype(DType d) { dtype_ = d; return *this; }
    int64_t d_model, heads;
    BlockKind kind_ = BlockKind::gpt2;
    bool causal_ = true, tiled_ = false;
    int64_t hidden_ = 0;
    DType dtype_ = DType::f32;
};

/// Pre-norm block: x = x + attn(norm1(x)); x = x + mlp(norm2(x)).
/// gpt2: LayerNorm, biases, GELU MLP 4×, no RoPE (positions come from a learned embedding outside).
/// modern: RMSNorm, no biases, SwiGLU MLP, RoPE inside attention.
class TransformerBlock : public Module {
public:
    explicit TransformerBlock(const TransformerBlockOptions& opts);
    Tensor forward(const Tensor& x) override { return forward(x, Tensor()); }
    Tensor forward(const Tensor& x, const Tensor& key_padding_mask);
    std::string repr() const override;  // multi-line, torch style
    std::string type_name() const override { return "TransformerBlock"; }
    const TransformerBlockOptions& options() const { return opts_; }
    /// Gradient checkpointing (see Checkpoint): block keeps only the block's input for the backward pass, which
    /// runs the block again; attention recomputes the attention core only.
    void set_checkpoint(Checkpoint c);
    Checkpoint checkpoint() const { return checkpoint_; }
    std::shared_ptr<Module> norm1, norm2;  // LayerNorm or RMSNorm
    std::shared_ptr<MultiHeadAttention> attn;
    std::shared_ptr<FeedForward> mlp;

private:
    Tensor forward_body(const Tensor& x, const Tensor& key_padding_mask);
    TransformerBlockOptions opts_;
    Checkpoint checkpoint_ = Checkpoint::off;
};

/// Sets the checkpointing of every TransformerBlock inside `net` (recursively); returns how many blocks there
/// are (0: the model has none, and nothing changed).
int set_checkpointing(Module& net, Checkpoint c);

}  // namespace bp::nn
