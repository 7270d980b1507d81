// attention.cpp — scaled dot-product attention in two implementations with the same semantics: a plain one
// built from bmm / add / softmax (materialises all [B, H, T, S] scores; can hand them out for display), and a
// tiled one (flash-attention style) that holds one [block, block] score tile at a time and recomputes the
// probabilities in backward from the saved row log-sum-exp (kernels: cpu/attention.cpp). CPU only for now.
#include <cmath>
#include <limits>

#include "cpu/cpu_kernels.h"
#include "ops/op_util.h"
#if defined(BP_HAVE_CUDA)
#include "cuda/cuda_ops.h"
#endif

namespace bp {
using namespace detail;

namespace {

struct AttnGeom {
    int64_t B, H, T, S, Dh;
    std::vector<uint8_t> keep;  // [B, S]: 1 = a real key, 0 = padding
};

AttnGeom check_attention(const char* op, const Tensor& q, const Tensor& k, const Tensor& v, bool causal,
                         const Tensor& mask) {
    check_same(op, q, k);
    check_same(op, q, v);
    if (q.dim() != 4 || k.dim() != 4)
        throw ShapeError(op, q.shape(), k.shape(), "q must be [B, H, T, Dh] and k, v [B, H, S, Dh]");
    if (k.shape() != v.shape())
        throw ShapeError(op, k.shape(), v.shape(), "k and v must have the same shape [B, H, S, Dh]");
    if (q.size(0) != k.size(0) || q.size(1) != k.size(1) || q.size(3) != k.size(3))
        throw ShapeError(op, q.shape(), k.shape(), "q and k must agree in batch B, heads H and head size Dh");
    AttnGeom g{q.size(0), q.size(1), q.size(2), k.size(2), q.size(3), {}};
    if (g.T == 0 || g.S == 0 || g.Dh == 0)
        throw ShapeError(op, q.shape(), k.shape(), "needs at least one query, one key and a non-empty head");
    g.keep.assign(static_cast<size_t>(g.B * g.S), 1);
    if (mask.defined()) {
        if (mask.dim() != 2 || mask.size(0) != g.B || mask.size(1) != g.S)
            throw ShapeError(op, k.shape(), mask.shape(),
                             "key_padding_mask must be [B, S] = [" + std::to_string(g.B) + ", " + std::to_string(g.S) +
                                 "] for keys " + shape_str(k.shape()));
        const std::vector<double> m = mask.to_vector();
        for (size_t i = 0; i < m.size(); ++i) g.keep[i] = m[i] != 0.0;
    }
    for (int64_t b = 0; b < g.B; ++b) {
        bool any = false;
        for (int64_t s = 0; s < g.S; ++s) any = any || g.keep[b * g.S + s];
        if (!any || (causal && !g.keep[b * g.S]))
            throw ConfigError(std::string(op) + ": in batch item " + std::to_string(b) +
                              (any ? " the first key is padding, so with the causal mask query 0 sees no key"
                                   : " every key is padding, so no query sees a key") +
                              "; pad on the right and keep at least one real key");
    }
    return g;
}

bool visible(const AttnGeom& g, bool causal, int64_t b, int64_t t, int64_t s) {
    return g.keep[b * g.S + s] && (!causal || s <= t);
}

}  // namespace

// Plain attention, per batch b and head h (Vaswani et al. 2017):
//   scores = q kᵀ / √Dh  [T, S];  scores[t, s] = −1e30 where key s is padding or (causal) s > t;
//   P = softmax(scores) over s  [T, S];  out = P v  [T, Dh]
// backward: the recorded bmm, scale, add and softmax nodes (autograd composes them).
Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, bool causal,
                                    const Tensor& key_padding_mask, Tensor* attn_weights) {
    const AttnGeom g = check_attention("scaled_dot_product_attention", q, k, v, causal, key_padding_mask);
    Tensor scores = scale(bmm(q, k, false, true), 1.0 / std::sqrt(static_cast<double>(g.Dh)));  // [B, H, T, S]
    if (causal || key_padding_mask.defined()) {
        Tensor bias = Tensor::zeros({g.B, 1, g.T, g.S}, q.dtype());  // additive mask, broadcast over heads
        std::vector<double> m(static_cast<size_t>(bias.numel()), 0.0);
        for (int64_t b = 0; b < g.B; ++b)
            for (int64_t t = 0; t < g.T; ++t)
                for (int64_t s = 0; s < g.S; ++s)
                    if (!visible(g, causal, b, t, s)) m[(b * g.T + t) * g.S + s] = -1e30;  // exp underflows to 0
        bias = Tensor::from_vector(bias.shape(), m, q.dtype()).to(q.device());
        scores = add(scores, bias);
    }
    Tensor p = softmax(scores);  // [B, H, T, S]
    if (attn_weights) *attn_weights = p.detach();
    return bmm(p, v);  // [B, H, T, Dh]
}

// Tiled attention (Dao et al. 2022, FlashAttention, Algorithms 1 and 2), per batch b, head h, query block:
// forward, over key blocks j, with running row max m, row sum ℓ and unnormalised output acc:
//   1. S_j = Q K_jᵀ / √Dh (masked entries −∞)                     one [Br, Bc] tile
//   2. m' = max(m, rowmax S_j);  ℓ ← ℓ e^(m − m') + Σ_s e^(S_j − m');  acc ← acc e^(m − m') + e^(S_j − m') V_j
//   3. after the last block: O = acc / ℓ;  save L = m + log ℓ (the row log-sum-exp)
// backward, with D_t = Σ_d dO[t, d] O[t, d] (= Σ_s P[t, s] dP[t, s]):
//   4. P_j = exp(S_j − L)  (recomputed);  dV_j += P_jᵀ dO;  dP_j = dO V_jᵀ
//   5. dS_j = P_j ⊙ (dP_j − D)  (the softmax backward);  dQ += dS_j K_j / √Dh;  dK_j += dS_jᵀ Q / √Dh
Tensor scaled_dot_product_attention_tiled(const Tensor& q, const Tensor& k, const Tensor& v, bool causal,
                                          const Tensor& key_padding_mask, int64_t block_size) {
    const char* op = "scaled_dot_product_attention_tiled";
    if (block_size < 1) throw ConfigError(std::string(op) + ": block_size must be >= 1; got " + std::to_string(block_size));
    auto geom = std::make_shared<const AttnGeom>(check_attention(op, q, k, v, causal, key_padding_mask));
    const AttnGeom& g = *geom;
#if defined(BP_HAVE_CUDA)
    if (q.device() == Device::cuda) return cuda::flash_attention(q, k, v, g.keep, causal);  // fused kernel
#endif
    check_host(op, q);
    Tensor out = Tensor::empty(q.shape(), q.dtype());
    Tensor lse = Tensor::empty({g.B, g.H, g.T}, DType::f64);  // the only per-row state kept for backward
    cpu::flash_attention_forward(out, lse, q, k, v, g.keep.data(), causal, block_size);  // 1.–3.
    if (autograd::needs_record({&q, &k, &v}))
        autograd::record(
            op, out, {q, k, v},
            [q, k, v, o = out.detach(), lse, geom, causal, block_size](const Tensor& grad_out) -> std::vector<Tensor> {
                Tensor gq = Tensor::empty(q.shape(), q.dtype()), gk = Tensor::empty(k.shape(), k.dtype()),
                       gv = Tensor::empty(v.shape(), v.dtype());
                cpu::flash_attention_backward(gq, gk, gv, grad_out, q, k, v, o, lse, geom->keep.data(), causal,
                                              block_size);  // 4.–5.
                return {q.requires_grad() ? gq : Tensor(), k.requires_grad() ? gk : Tensor(),
                        v.requires_grad() ? gv : Tensor()};
            },
            std::string("causal=") + (causal ? "true" : "false") + ", block=" + std::to_string(block_size));
    return out;
}

using V = std::vector<Shape>;
static Tensor pad_mask_1x5() { return Tensor::from_vector({1, 5}, {1, 1, 1, 0, 1}, DType::i32); }
static Tensor pad_mask_2x4() { return Tensor::from_vector({2, 4}, {1, 1, 1, 1, 1, 1, 0, 0}, DType::f64); }
BP_REGISTER_GRADCHECK("scaled_dot_product_attention", "q [1, 2, 3, 4], k v [1, 2, 5, 4]",
                      (V{{1, 2, 3, 4}, {1, 2, 5, 4}, {1, 2, 5, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return scaled_dot_product_attention(in[0], in[1], in[2]); });
BP_REGISTER_GRADCHECK("scaled_dot_product_attention", "causal, q k v [2, 1, 4, 3]",
                      (V{{2, 1, 4, 3}, {2, 1, 4, 3}, {2, 1, 4, 3}}), Domain::away_from_zero,
                      [](const Inputs& in) { return scaled_dot_product_attention(in[0], in[1], in[2], true); });
BP_REGISTER_GRADCHECK("scaled_dot_product_attention", "causal + padding mask [2, 4], q k v [2, 2, 4, 2]",
                      (V{{2, 2, 4, 2}, {2, 2, 4, 2}, {2, 2, 4, 2}}), Domain::away_from_zero, [](const Inputs& in) {
                          return scaled_dot_product_attention(in[0], in[1], in[2], true, pad_mask_2x4());
                      });
BP_REGISTER_GRADCHECK("scaled_dot_product_attention", "bidirectional + padding mask [2, 4] (the encoder), q k v [2, 2, 4, 2]",
                      (V{{2, 2, 4, 2}, {2, 2, 4, 2}, {2, 2, 4, 2}}), Domain::away_from_zero, [](const Inputs& in) {
                          return scaled_dot_product_attention(in[0], in[1], in[2], false, pad_mask_2x4());
                      });
BP_REGISTER_GRADCHECK("scaled_dot_product_attention_tiled", "block 3, bidirectional + padding [2, 4], q k v [2, 2, 4, 2]",
                      (V{{2, 2, 4, 2}, {2, 2, 4, 2}, {2, 2, 4, 2}}), Domain::away_from_zero, [](const Inputs& in) {
                          return scaled_dot_product_attention_tiled(in[0], in[1], in[2], false, pad_mask_2x4(), 3);
                      });
BP_REGISTER_GRADCHECK("scaled_dot_product_attention_tiled", "block 2, q [1, 2, 3, 4], k v [1, 2, 5, 4], padding",
                      (V{{1, 2, 3, 4}, {1, 2, 5, 4}, {1, 2, 5, 4}}), Domain::away_from_zero, [](const Inputs& in) {
                          return scaled_dot_product_attention_tiled(in[0], in[1], in[2], false, pad_mask_1x5(), 2);
                      });
BP_REGISTER_GRADCHECK("scaled_dot_product_attention_tiled", "block 2, causal, q k v [1, 2, 5, 3]",
                      (V{{1, 2, 5, 3}, {1, 2, 5, 3}, {1, 2, 5, 3}}), Domain::away_from_zero, [](const Inputs& in) {
                          return scaled_dot_product_attention_tiled(in[0], in[1], in[2], true, Tensor(), 2);
                      });
BP_REGISTER_GRADCHECK("scaled_dot_product_attention_tiled", "block 3, causal + padding [2, 4], q k v [2, 2, 4, 2]",
                      (V{{2, 2, 4, 2}, {2, 2, 4, 2}, {2, 2, 4, 2}}), Domain::away_from_zero, [](const Inputs& in) {
                          return scaled_dot_product_attention_tiled(in[0], in[1], in[2], true, pad_mask_2x4(), 3);
                      });

}  // namespace bp
