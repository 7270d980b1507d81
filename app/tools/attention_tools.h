// attention_tools.h — the engine side of the Attention page, without Qt widgets: run a ViT on one image while
// its blocks capture their attention, pull out the class token's attention to the 7×7 patches per layer and
// head, and attention rollout (Abnar & Zuidema 2020) across the layers; and, for GPT-mini, the attention of a
// token sequence per layer and head. Plain vectors out, so the page and the tests read the same numbers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bp/models/gpt.h"
#include "bp/models/vit.h"

namespace attentiontools {

/// One forward of a ViT on one normalised 28×28 image with attention capture on.
struct VitAttention {
    int layers = 0, heads = 0, tokens = 0;       // tokens = 50: the class token, then 49 patches
    std::vector<std::vector<float>> maps;        // per layer: [heads, tokens, tokens] row-major (row = query)
    std::vector<float> probabilities;            // [10], softmax of the logits
    int top = -1;                                // the most probable class
    /// Layer `layer`, head `head` (-1: the mean over heads): the class token's row without its own column,
    /// i.e. its attention to the 49 patches in reading order (7 rows of 7). These sum to 1 − the weight on itself.
    std::vector<double> classToPatches(int layer, int head) const;
    /// The weight of row `query`, column `key` of layer `layer`, head `head`.
    double weight(int layer, int head, int query, int key) const;
};

/// x: 784 values, already normalised like the training data ((p/255 − mean)/std). The model is put in eval
/// mode; capture is switched on for the forward and off again. Throws bp::Error for a wrong input size.
VitAttention runVit(bp::models::VisionTransformer& vit, const std::vector<float>& x);

/// Attention rollout: per layer A = ½·(mean over heads) + ½·I (the residual connection; rows still sum to 1),
/// then R = A_L ⋯ A_2 · A_1. Returns R [tokens, tokens] row-major; every row sums to 1.
std::vector<double> rollout(const VitAttention& a);
/// The class token's row of a rollout without its own column: 49 patch weights.
std::vector<double> rolloutClassToPatches(const std::vector<double>& r, int tokens);

/// The ViT inside a model, or null when the model is not one.
std::shared_ptr<bp::models::VisionTransformer> asVit(const std::shared_ptr<bp::nn::Module>& net);

/// GPT attention of one sequence (ids: 1 ≤ T ≤ context, the last tokens when longer) with capture on.
struct TokenAttention {
    int layers = 0, heads = 0, tokens = 0;
    std::vector<int32_t> ids;                    // the T tokens the maps are about
    std::vector<std::vector<float>> maps;        // per layer: [heads, T, T] row-major (row = query; causal)
    std::vector<double> head(int layer, int head) const;  ///< [T, T] of one head as doubles
};
TokenAttention runGpt(bp::models::GptMini& gpt, const std::vector<int32_t>& ids);

/// A deep copy of a GptMini (same options, every parameter copied), so a second thread can sample from it.
std::shared_ptr<bp::models::GptMini> cloneGpt(const bp::models::GptMini& gpt);

}  // namespace attentiontools
