// clip.cpp — ClipMini of clip.h: the two towers, their projections, the temperature and the contrastive loss.
// Shape flow (B pictures and B captions of T tokens, E = embed_dim):
//   images [B, 1, 28, 28] -> image_encoder [B, width] -> image_proj [B, E] -> l2_normalize [B, E]
//   tokens [B, T] -> text_encoder (mean over real positions) [B, d] -> text_proj [B, E] -> l2_normalize [B, E]
//   logits [B, B] = exp(logit_scale) · I Tᵀ;  loss = ½ (CE(logits, [0..B)) + CE(logitsᵀ, [0..B)))
// Not here: the captions (data/clip_data.cpp), training and metrics (train/clip_trainer.cpp), the file (io/clip_file.cpp).
#include "bp/models/clip.h"

#include <cmath>
#include <map>
#include <numeric>
#include <sstream>

#include "bp/autograd.h"
#include "bp/io/json_checks.h"
#include "bp/l2_normalize.h"
#include "bp/nn/layers.h"

namespace bp::models {

nlohmann::json ClipOptions::to_json() const {
    return {{"vocab_size", vocab_size},   {"context", context},     {"text_layers", text_layers},
            {"text_heads", text_heads},   {"text_dim", text_dim},   {"text_block", text_block == nn::BlockKind::modern ? "modern" : "gpt2"},
            {"channels1", channels1},     {"channels2", channels2}, {"image_width", image_width},
            {"embed_dim", embed_dim},     {"init_temperature", init_temperature},
            {"image_batch_norm", image_batch_norm}};
}

ClipOptions ClipOptions::from_json(const nlohmann::json& j) {
    if (!j.is_object()) throw ConfigError("clip: the options must be a JSON object; got " + j.dump());
    ClipOptions o;
    o.vocab_size = io::json_int_or(j, "vocab_size", o.vocab_size, "clip: vocab_size", 4, 65536);
    o.context = io::json_int_or(j, "context", o.context, "clip: context", 2, 4096);
    o.text_layers = io::json_int_or(j, "text_layers", o.text_layers, "clip: text_layers", 1, 48);
    o.text_heads = io::json_int_or(j, "text_heads", o.text_heads, "clip: text_heads", 1, 4096);
    o.text_dim = io::json_int_or(j, "text_dim", o.text_dim, "clip: text_dim", 1, 4096);
    o.channels1 = io::json_int_or(j, "channels1", o.channels1, "clip: channels1", 1, 512);
    o.channels2 = io::json_int_or(j, "channels2", o.channels2, "clip: channels2", 1, 512);
    o.image_width = io::json_int_or(j, "image_width", o.image_width, "clip: image_width", 1, 8192);
    o.embed_dim = io::json_int_or(j, "embed_dim", o.embed_dim, "clip: embed_dim", 1, 4096);
    o.image_batch_norm = false;  // a file from before the key existed: the plain CNN
    if (j.contains("image_batch_norm")) {
        if (!j["image_batch_norm"].is_boolean())
            throw ConfigError("clip: image_batch_norm must be true or false; got " + j["image_batch_norm"].dump());
        o.image_batch_norm = j["image_batch_norm"].get<bool>();
    }
    if (j.contains("init_temperature"))
        o.init_temperature = io::json_real(j["init_temperature"], "clip: init_temperature", 0.01, 1.0);
    const std::string block =
        j.contains("text_block") ? io::json_string(j["text_block"], "clip: text_block") : std::string("gpt2");
    if (block == "gpt2") o.text_block = nn::BlockKind::gpt2;
    else if (block == "modern") o.text_block = nn::BlockKind::modern;
    else throw ConfigError("clip: unknown text_block '" + block + "'; use gpt2 or modern");
    o.validate();
    return o;
}

void ClipOptions::validate() const {
    auto bad = [&](const std::string& what) { throw ConfigError("clip: " + what + "; got " + to_json().dump()); };
    if (vocab_size < 4 || vocab_size > 65536) bad("vocab_size must be in [4, 65536]");
    if (context < 2 || context > 4096) bad("context must be in [2, 4096]");
    if (text_layers < 1 || text_layers > 48) bad("text_layers must be in [1, 48]");
    if (text_dim < 1 || text_dim > 4096 || text_heads < 1 || text_dim % text_heads != 0)
        bad("text_dim must be in [1, 4096] and divisible by text_heads");
    if (text_block == nn::BlockKind::modern && (text_dim / text_heads) % 2 != 0)
        bad("the modern block's RoPE needs an even head size text_dim / text_heads");
    if (channels1 < 1 || channels1 > 512 || channels2 < 1 || channels2 > 512) bad("channels must be in [1, 512]");
    if (image_width < 1 || image_width > 8192) bad("image_width must be in [1, 8192]");
    if (embed_dim < 1 || embed_dim > 4096) bad("embed_dim must be in [1, 4096]");
    if (!(init_temperature >= 0.01 && init_temperature <= 1)) bad("init_temperature must be in [0.01, 1]");
}

ClipTextEncoder::ClipTextEncoder(const ClipOptions& o) : opts_(o) {
    build_trunk({.vocab_size = o.vocab_size, .context = o.context, .layers = o.text_layers, .heads = o.text_heads,
                 .dim = o.text_dim, .block = o.text_block, .tiled = false, .causal = false});
    Generator gen(0);
    reset_parameters(gen);
}

Tensor ClipTextEncoder::encode(const Tensor& tokens, const Tensor& key_padding_mask) {
    Tensor h = trunk_forward(tokens, key_padding_mask, "clip text encoder");  // [B, T, d]
    return masked_mean(h, key_padding_mask);                                  // [B, d]
}

std::string ClipTextEncoder::repr() const {
    std::ostringstream os;
    os << "ClipTextEncoder(vocab=" << opts_.vocab_size << ", context=" << opts_.context << ", layers=" << opts_.text_layers
       << ", heads=" << opts_.text_heads << ", dim=" << opts_.text_dim
       << ", block=" << (opts_.text_block == nn::BlockKind::modern ? "modern" : "gpt2") << ", pooling=mean)";
    return os.str();
}

ClipMini::ClipMini(const ClipOptions& o) : opts_(o) {
    o.validate();
    image_encoder = std::make_shared<nn::Sequential>();
    image_encoder->push_back(std::make_shared<nn::Conv2d>(nn::Conv2dOptions(1, o.channels1, 3).padding(1)));  // [B, c1, 28, 28]
    if (o.image_batch_norm) image_encoder->push_back(std::make_shared<nn::BatchNorm2d>(o.channels1));
    image_encoder->push_back(std::make_shared<nn::ActivationLayer>(nn::Activation::relu));
    image_encoder->push_back(std::make_shared<nn::MaxPool2d>(2));                                             // [B, c1, 14, 14]
    image_encoder->push_back(std::make_shared<nn::Conv2d>(nn::Conv2dOptions(o.channels1, o.channels2, 3).padding(1)));
    if (o.image_batch_norm) image_encoder->push_back(std::make_shared<nn::BatchNorm2d>(o.channels2));
    image_encoder->push_back(std::make_shared<nn::ActivationLayer>(nn::Activation::relu));
    image_encoder->push_back(std::make_shared<nn::MaxPool2d>(2));                                             // [B, c2, 7, 7]
    image_encoder->push_back(std::make_shared<nn::Flatten>());                                                // [B, c2·49]
    image_encoder->push_back(std::make_shared<nn::Linear>(nn::LinearOptions(o.channels2 * 7 * 7, o.image_width)));
    image_encoder->push_back(std::make_shared<nn::ActivationLayer>(nn::Activation::relu));                    // [B, width]
    register_module("image_encoder", image_encoder);
    image_proj = std::make_shared<nn::Linear>(nn::LinearOptions(o.image_width, o.embed_dim).bias(false));
    register_module("image_proj", image_proj);
    text_encoder = std::make_shared<ClipTextEncoder>(o);
    register_module("text_encoder", text_encoder);
    text_proj = std::make_shared<nn::Linear>(nn::LinearOptions(o.text_dim, o.embed_dim).bias(false));
    register_module("text_proj", text_proj);
    logit_scale = register_parameter("logit_scale", Tensor::full({1}, std::log(1.0 / o.init_temperature)));
    Generator gen(0);
    reset_parameters(gen);
}

void ClipMini::reset_parameters(Generator& gen) {
    image_encoder->reset_parameters(gen);  // the layers' own (torch) initialisation
    image_proj->reset_parameters(gen);
    text_encoder->reset_parameters(gen);   // GPT-2's
    text_proj->reset_parameters(gen);
    autograd::NoGradGuard g;
    logit_scale.fill_(std::log(1.0 / opts_.init_temperature));
}

Tensor ClipMini::encode_images(const Tensor& images) {
    if (!images.defined() || images.dim() != 4 || images.size(1) != 1 || images.size(2) != 28 || images.size(3) != 28)
        throw ShapeError("clip: images must be [B, 1, 28, 28]; got " +
                         (images.defined() ? shape_str(images.shape()) : std::string("(undefined)")));
    return l2_normalize(image_proj->forward(image_encoder->forward(images)));  // [B, E]
}

Tensor ClipMini::encode_texts(const Tensor& tokens, const Tensor& key_padding_mask) {
    return l2_normalize(text_proj->forward(text_encoder->encode(tokens, key_padding_mask)));  // [B, E]
}

Tensor ClipMini::logits(const Tensor& image_emb, const Tensor& text_emb) {
    if (image_emb.dim() != 2 || text_emb.dim() != 2 || image_emb.size(1) != text_emb.size(1))
        throw ShapeError("clip.logits", image_emb.shape(), text_emb.shape(), "image [N, E] and text [M, E] embeddings");
    return mul(linear(image_emb, text_emb, Tensor()), exp(logit_scale));  // [N, M] · e^s (broadcast [1])
}

Tensor ClipMini::loss(const Tensor& images, const Tensor& tokens, const Tensor& key_padding_mask) {
    if (images.dim() < 1 || tokens.dim() != 2 || images.size(0) != tokens.size(0))
        throw ShapeError("clip.loss", images.shape(), tokens.shape(), "as many pictures [B, 1, 28, 28] as captions [B, T]");
    return clip_contrastive_loss(logits(encode_images(images), encode_texts(tokens, key_padding_mask)));  // [B, B] -> []
}

Tensor ClipMini::loss(const Tensor& images, const Tensor& tokens, const Tensor& key_padding_mask,
                      const std::vector<int64_t>& caption_ids) {
    if (images.dim() < 1 || tokens.dim() != 2 || images.size(0) != tokens.size(0))
        throw ShapeError("clip.loss", images.shape(), tokens.shape(), "as many pictures [B, 1, 28, 28] as captions [B, T]");
    return clip_contrastive_loss(logits(encode_images(images), encode_texts(tokens, key_padding_mask)), caption_ids);
}

Tensor ClipMini::loss_with_positives(const Tensor& images, const Tensor& tokens, const Tensor& key_padding_mask,
                                     const std::vector<uint8_t>& positives) {
    if (images.dim() < 1 || tokens.dim() != 2 || images.size(0) != tokens.size(0))
        throw ShapeError("clip.loss", images.shape(), tokens.shape(), "as many pictures [B, 1, 28, 28] as captions [B, T]");
    return clip_contrastive_loss_positives(logits(encode_images(images), encode_texts(tokens, key_padding_mask)), positives);
}

namespace {

void check_square(const Tensor& l, const char* who) {
    if (!l.defined() || l.dim() != 2 || l.size(0) != l.size(1))
        throw ShapeError(std::string(who) + ": logits must be a square [B, B] matrix; got " +
                         (l.defined() ? shape_str(l.shape()) : std::string("(undefined)")));
}

}  // namespace

Tensor clip_contrastive_loss(const Tensor& l, const std::vector<int64_t>& ids) {
    check_square(l, "clip_contrastive_loss");
    const int64_t B = l.size(0);
    if (!ids.empty() && static_cast<int64_t>(ids.size()) != B)
        throw ShapeError("clip_contrastive_loss: " + std::to_string(ids.size()) + " caption ids for a batch of " +
                         std::to_string(B) + " pairs");
    std::map<int64_t, int64_t> count;
    for (int64_t id : ids) ++count[id];
    if (static_cast<int64_t>(count.size()) == static_cast<int64_t>(ids.size())) {  // all distinct: CLIP's loss
        std::vector<double> diag(static_cast<size_t>(B));
        std::iota(diag.begin(), diag.end(), 0.0);
        const Tensor target = Tensor::from_vector({B}, diag, DType::i32);  // picture i <-> caption i
        // image -> text: each row a softmax over the captions; text -> image: each column over the pictures.
        return scale(add(cross_entropy(l, target), cross_entropy(transpose(l, 0, 1), target)), 0.5);
    }
    std::vector<uint8_t> pos(static_cast<size_t>(B * B), 0);  // same caption, same description
    for (int64_t i = 0; i < B; ++i)
        for (int64_t j = 0; j < B; ++j) pos[static_cast<size_t>(i * B + j)] = ids[static_cast<size_t>(i)] == ids[static_cast<size_t>(j)];
    return clip_contrastive_loss_positives(l, pos);
}

Tensor clip_contrastive_loss_positives(const Tensor& l, const std::vector<uint8_t>& pos) {
    check_square(l, "clip_contrastive_loss_positives");
    const int64_t B = l.size(0);
    if (static_cast<int64_t>(pos.size()) != B * B)
        throw ShapeError("clip_contrastive_loss_positives: " + std::to_string(pos.size()) + " positives for a " +
                         std::to_string(B) + " x " + std::to_string(B) + " batch");
    std::vector<double> row_n(static_cast<size_t>(B), 0.0), col_n(static_cast<size_t>(B), 0.0);
    for (int64_t i = 0; i < B; ++i) {
        if (!pos[static_cast<size_t>(i * B + i)])
            throw ConfigError("clip_contrastive_loss_positives: pair " + std::to_string(i) +
                              " is not its own positive (the diagonal must be set)");
        for (int64_t j = 0; j < B; ++j)
            if (pos[static_cast<size_t>(i * B + j)]) row_n[static_cast<size_t>(i)] += 1, col_n[static_cast<size_t>(j)] += 1;
    }
    // R [B, B]: row i over its captions; C [B, B] laid out as the transpose (row j = caption j over its pictures).
    std::vector<double> r(static_cast<size_t>(B * B), 0.0), c(static_cast<size_t>(B * B), 0.0);
    for (int64_t i = 0; i < B; ++i)
        for (int64_t j = 0; j < B; ++j)
            if (pos[static_cast<size_t>(i * B + j)]) {
                r[static_cast<size_t>(i * B + j)] = 1.0 / row_n[static_cast<size_t>(i)];
                c[static_cast<size_t>(j * B + i)] = 1.0 / col_n[static_cast<size_t>(j)];
            }
    const Tensor rt = Tensor::from_vector({B, B}, r, l.dtype()), ct = Tensor::from_vector({B, B}, c, l.dtype());
    const Tensor both = add(sum(mul(rt, log_softmax(l))), sum(mul(ct, log_softmax(transpose(l, 0, 1)))));
    return scale(both, -0.5 / static_cast<double>(B));
}

void ClipMini::clamp_logit_scale() {
    autograd::NoGradGuard g;
    const double s = logit_scale.item();
    if (s < 0) logit_scale.fill_(0.0);
    else if (s > clip_max_logit_scale) logit_scale.fill_(clip_max_logit_scale);
}

double ClipMini::temperature() const { return std::exp(-logit_scale.item()); }

std::string ClipMini::repr() const {
    std::ostringstream os;
    os << "ClipMini(image=cnn" << (opts_.image_batch_norm ? "-bn " : " ") << opts_.channels1 << "-" << opts_.channels2 << "-" << opts_.image_width
       << ", text=" << text_encoder->repr() << ", embed_dim=" << opts_.embed_dim << ")";
    return os.str();
}

}  // namespace bp::models
