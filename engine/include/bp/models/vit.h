// vit.h — ViT-tiny for 28×28 images (Dosovitskiy et al. 2020, scaled down): 4×4 patches, a class token,
// learned positions, pre-norm transformer blocks, and a linear head on the class token's output.
//   [N,1,28,28] -patchify-> [N,49,16] -embed-> [N,49,d] -cls-> [N,50,d] +pos -> blocks ×L -> LN -> [N,d] -> [N,10]
#pragma once

#include <memory>
#include <vector>

#include "bp/nn/layers.h"
#include "bp/nn/transformer.h"

namespace bp::models {

/// [N, 1, 28, 28] -> [N, 49, 16]: pixel (r, c) goes to patch (r/4)·7 + c/4 at position (r%4)·4 + c%4.
Tensor patchify(const Tensor& x);

struct VitOptions {
    int64_t dim = 64, heads = 4, layers = 2;
    nn::BlockKind block = nn::BlockKind::gpt2;
};

class VisionTransformer : public nn::Module {
public:
    explicit VisionTransformer(const VitOptions& o);
    Tensor forward(const Tensor& x) override;  // [N, 1, 28, 28] -> [N, 10]
    std::string repr() const override;
    std::string type_name() const override { return "VisionTransformer"; }
    void reset_parameters(Generator& gen) override;  // children as torch; cls_token, pos_embed ~ N(0, 0.02)
    const VitOptions& options() const { return opts_; }

    std::shared_ptr<nn::Linear> patch_embed, head;
    Tensor cls_token;  // [1, 1, d]
    Tensor pos_embed;  // [1, 50, d]
    std::vector<std::shared_ptr<nn::TransformerBlock>> blocks;
    std::shared_ptr<nn::Module> norm;  // LayerNorm (gpt2) or RMSNorm (modern)

private:
    VitOptions opts_;
};

}  // namespace bp::models
