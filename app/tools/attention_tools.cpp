// attention_tools.cpp — see attention_tools.h.
#include "tools/attention_tools.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "bp/autograd.h"
#include "bp/errors.h"
#include "bp/ops.h"
#include "tools/model_tools.h"

namespace attentiontools {

double VitAttention::weight(int layer, int head, int query, int key) const {
    const size_t t = static_cast<size_t>(tokens);
    return maps[static_cast<size_t>(layer)][(static_cast<size_t>(head) * t + static_cast<size_t>(query)) * t + static_cast<size_t>(key)];
}

std::vector<double> VitAttention::classToPatches(int layer, int head) const {
    std::vector<double> out(static_cast<size_t>(tokens - 1), 0.0);
    const int h0 = head < 0 ? 0 : head, h1 = head < 0 ? heads : head + 1;
    for (int h = h0; h < h1; ++h)
        for (int k = 1; k < tokens; ++k) out[static_cast<size_t>(k - 1)] += weight(layer, h, 0, k);
    if (head < 0)
        for (double& v : out) v /= heads;
    return out;
}

std::shared_ptr<bp::models::VisionTransformer> asVit(const std::shared_ptr<bp::nn::Module>& net) {
    return std::dynamic_pointer_cast<bp::models::VisionTransformer>(net);
}

VitAttention runVit(bp::models::VisionTransformer& vit, const std::vector<float>& x) {
    if (x.size() != 784)
        throw bp::ShapeError("attention: a ViT reads one 28×28 image (784 values); got " + std::to_string(x.size()));
    bp::autograd::NoGradGuard noGrad;
    vit.eval();
    for (auto& block : vit.blocks) block->attn->capture_attention(true);
    bp::Tensor input = bp::Tensor::empty({1, 1, 28, 28});  // [1, 1, 28, 28]
    std::memcpy(input.data<float>(), x.data(), x.size() * sizeof(float));
    const bp::Tensor logits = vit.forward(input);  // [1, 10]
    VitAttention a;
    a.layers = static_cast<int>(vit.blocks.size());
    a.heads = static_cast<int>(vit.options().heads);
    for (auto& block : vit.blocks) {
        const bp::Tensor& w = block->attn->last_attention();  // [1, H, 50, 50]
        a.tokens = static_cast<int>(w.size(2));
        a.maps.push_back(w.to_float_vector());
        block->attn->capture_attention(false);
    }
    a.probabilities = bp::softmax(logits).to_float_vector();  // [10]
    a.top = static_cast<int>(std::max_element(a.probabilities.begin(), a.probabilities.end()) - a.probabilities.begin());
    return a;
}

std::vector<double> rollout(const VitAttention& a) {
    const size_t t = static_cast<size_t>(a.tokens);
    std::vector<double> r(t * t, 0.0), layer(t * t), next(t * t);
    for (size_t i = 0; i < t; ++i) r[i * t + i] = 1.0;  // R = I
    for (int l = 0; l < a.layers; ++l) {
        // A = ½·mean_h(W_h) + ½·I, renormalised by row (the rows of W already sum to 1; this keeps them exact).
        for (size_t q = 0; q < t; ++q) {
            double sum = 0;
            for (size_t k = 0; k < t; ++k) {
                double m = 0;
                for (int h = 0; h < a.heads; ++h) m += a.weight(l, h, static_cast<int>(q), static_cast<int>(k));
                const double v = 0.5 * m / a.heads + (q == k ? 0.5 : 0.0);
                layer[q * t + k] = v;
                sum += v;
            }
            for (size_t k = 0; k < t; ++k) layer[q * t + k] /= sum;
        }
        // R ← A_l · R (later layers multiply from the left).
        std::fill(next.begin(), next.end(), 0.0);
        for (size_t i = 0; i < t; ++i)
            for (size_t k = 0; k < t; ++k) {
                const double aik = layer[i * t + k];
                if (aik == 0) continue;
                for (size_t j = 0; j < t; ++j) next[i * t + j] += aik * r[k * t + j];
            }
        r.swap(next);
    }
    return r;
}

std::vector<double> rolloutClassToPatches(const std::vector<double>& r, int tokens) {
    return std::vector<double>(r.begin() + 1, r.begin() + tokens);
}

std::vector<double> TokenAttention::head(int layer, int h) const {
    const size_t t = static_cast<size_t>(tokens);
    const std::vector<float>& m = maps[static_cast<size_t>(layer)];
    return std::vector<double>(m.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(h) * t * t),
                               m.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(h + 1) * t * t));
}

TokenAttention runGpt(bp::models::GptMini& gpt, const std::vector<int32_t>& ids) {
    if (ids.empty()) throw bp::ConfigError("attention: no tokens to look at; generate some text first");
    const size_t context = static_cast<size_t>(gpt.options().context);
    std::vector<int32_t> window(ids.size() > context ? ids.end() - static_cast<std::ptrdiff_t>(context) : ids.begin(), ids.end());
    bp::autograd::NoGradGuard noGrad;
    gpt.eval();
    gpt.capture_attention(true);
    const int64_t n = static_cast<int64_t>(window.size());
    std::vector<double> asDouble(window.begin(), window.end());
    const bp::Tensor x = bp::Tensor::from_vector({1, n}, asDouble, bp::DType::i32);  // [1, T] int32
    gpt.forward(x);                                                                   // logits [1, T, V], unused
    TokenAttention a;
    a.ids = window;
    a.tokens = static_cast<int>(n);
    a.heads = static_cast<int>(gpt.options().heads);
    for (const bp::Tensor& w : gpt.attention_maps()) a.maps.push_back(w.to_float_vector());  // [1, H, T, T] each
    a.layers = static_cast<int>(a.maps.size());
    gpt.capture_attention(false);
    return a;
}

std::shared_ptr<bp::models::GptMini> cloneGpt(const bp::models::GptMini& gpt) {
    auto copy = std::make_shared<bp::models::GptMini>(gpt.options());
    modeltools::copyState(gpt, *copy);
    return copy;
}

}  // namespace attentiontools
