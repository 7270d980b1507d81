// vit.cpp — the ViT-tiny of vit.h. Shape flow (N images, d = dim):
//   x [N,1,28,28] -> [N·7,4,7,4] -swap-> [N·7,7,4,4] -> patches [N,49,16] -Linear(16,d)-> [N,49,d]
//   -> concat(class token [N,1,d], patches) [N,50,d] + pos [1,50,d] -> L pre-norm blocks (non-causal)
//   -> final norm [N,50,d] -> class token row [N,d] -> Linear(d,10) -> logits [N,10]
#include "bp/models/vit.h"

#include <sstream>

#include "bp/autograd.h"

namespace bp::models {

static constexpr int64_t kSide = 28, kPatch = 4, kGrid = kSide / kPatch, kPatches = kGrid * kGrid;  // 7, 49
static constexpr int64_t kTokens = kPatches + 1;                                                        // 50

Tensor patchify(const Tensor& x) {
    if (x.dim() != 4 || x.size(1) != 1 || x.size(2) != kSide || x.size(3) != kSide)
        throw ShapeError("vit: expected images [N, 1, 28, 28]; got " + shape_str(x.shape()));
    const int64_t n = x.size(0);
    // Tensors have at most 4 dimensions, so the image index and the patch row r/4 share the first one.
    Tensor g = reshape(x, {n * kGrid, kPatch, kGrid, kPatch});  // [N·7 (n, r/4), 4 (r%4), 7 (c/4), 4 (c%4)]
    Tensor p = transpose(g, 1, 2);                               // [N·7 (n, r/4), 7 (c/4), 4 (r%4), 4 (c%4)]
    return reshape(p, {n, kPatches, kPatch * kPatch});          // [N, 49, 16]
}

VisionTransformer::VisionTransformer(const VitOptions& o) : opts_(o) {
    const int64_t d = o.dim;
    if (d < 1 || d > 1024 || o.heads < 1 || d % o.heads != 0 || o.layers < 1 || o.layers > 24)
        throw ConfigError("vit: needs 1 <= dim <= 1024 divisible by heads and 1 <= layers <= 24; got dim " +
                          std::to_string(d) + ", heads " + std::to_string(o.heads) + ", layers " +
                          std::to_string(o.layers));
    if (o.block == nn::BlockKind::modern && (d / o.heads) % 2 != 0)
        throw ConfigError("vit: the modern block's RoPE needs an even head size; got " + std::to_string(d / o.heads));
    patch_embed = std::make_shared<nn::Linear>(nn::LinearOptions(kPatch * kPatch, d));  // w [d, 16], b [d]
    register_module("patch_embed", patch_embed);
    cls_token = register_parameter("cls_token", Tensor::zeros({1, 1, d}));  // [1, 1, d]
    pos_embed = register_parameter("pos_embed", Tensor::zeros({1, kTokens, d}));  // [1, 50, d]
    for (int64_t i = 0; i < o.layers; ++i) {
        blocks.push_back(std::make_shared<nn::TransformerBlock>(
            nn::TransformerBlockOptions(d, o.heads).kind(o.block).causal(false)));
        register_module("blocks." + std::to_string(i), blocks.back());
    }
    if (o.block == nn::BlockKind::modern) norm = std::make_shared<nn::RMSNorm>(d);
    else norm = std::make_shared<nn::LayerNorm>(d);
    register_module("norm", norm);
    head = std::make_shared<nn::Linear>(nn::LinearOptions(d, 10));  // w [10, d], b [10]
    register_module("head", head);
    Generator gen(0);
    reset_parameters(gen);
}

void VisionTransformer::reset_parameters(Generator& gen) {
    Module::reset_parameters(gen);  // children, in registration order
    autograd::NoGradGuard g;
    cls_token.copy_(Tensor::randn(cls_token.shape(), gen, 0.0, 0.02, DType::f64));  // [1, 1, d]
    pos_embed.copy_(Tensor::randn(pos_embed.shape(), gen, 0.0, 0.02, DType::f64));  // [1, 50, d]
}

Tensor VisionTransformer::forward(const Tensor& x) {
    const int64_t n = x.size(0), d = opts_.dim;
    Tensor tokens = patch_embed->forward(patchify(x));                           // [N, 49, d]
    Tensor cls = add(Tensor::zeros({n, 1, d}, tokens.dtype(), tokens.device()), cls_token);  // [N, 1, d] (broadcast)
    Tensor h = add(concat({cls, tokens}, 1), pos_embed);                         // [N, 50, d]
    for (auto& block : blocks) h = block->forward(h);                            // [N, 50, d]
    h = norm->forward(h);                                                        // [N, 50, d]
    // The class token's row of each image: a row gather over [N·50, d] (embedding's backward scatters the
    // gradient back into those rows only).
    std::vector<double> rows(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) rows[static_cast<size_t>(i)] = static_cast<double>(i * kTokens);
    Tensor idx = Tensor::from_vector({n}, rows, DType::i32);                     // [N] int32
    Tensor cls_out = embedding(idx, reshape(h, {n * kTokens, d}));               // [N, d]
    return head->forward(cls_out);                                               // [N, 10]
}

std::string VisionTransformer::repr() const {
    std::ostringstream os;
    os << "VisionTransformer(patch=4, tokens=" << kTokens << ", dim=" << opts_.dim << ", heads=" << opts_.heads
       << ", layers=" << opts_.layers << ", block=" << (opts_.block == nn::BlockKind::modern ? "modern" : "gpt2")
       << ")";
    return os.str();
}

}  // namespace bp::models
