// zoo.cpp — the registered models. The MLP is 784-128-64-10 with ReLU, the network of the
// digit-recognition benchmark document.
#include "bp/models/zoo.h"

#include "bp/autograd.h"
#include "bp/io/json_checks.h"
#include "bp/models/vit.h"
#include "bp/nn/layers.h"

namespace bp::models {

// Every integer option is checked to be a whole number in range before it is used (io/json_checks.h): a file's
// "hidden": [1e30] is refused by name instead of being cast from double.
static std::vector<int64_t> mlp_hidden(const nlohmann::json& o) {
    const nlohmann::json& h = o.at("hidden");
    if (!h.is_array() || h.size() > 16)
        throw ConfigError("mlp: hidden must be a list of at most 16 layer widths; got " + h.dump().substr(0, 80));
    std::vector<int64_t> out;
    for (const auto& w : h) out.push_back(io::json_int(w, "mlp: hidden layer width", 1, 65536));
    return out;
}

static std::shared_ptr<nn::Module> build_mlp(const nlohmann::json& o) {
    auto net = std::make_shared<nn::Sequential>();
    net->push_back(std::make_shared<nn::Flatten>());
    const std::vector<int64_t> hidden = mlp_hidden(o);
    nn::Activation act =
        nn::activation_from_string(o.contains("activation") ? io::json_string(o["activation"], "mlp: activation") : "relu");
    nn::Init init = nn::Init::uniform_fan_in;  // torch.nn.Linear's default, so results compare with PyTorch's
    if (o.contains("init")) {
        const std::string name = io::json_string(o["init"], "mlp: init");
        if (name == "he") init = nn::Init::he;
        else if (name == "xavier") init = nn::Init::xavier;
        else if (name != "uniform") throw ConfigError("mlp: unknown init '" + name + "'; use uniform, he or xavier");
    }
    int64_t in = 28 * 28;
    for (int64_t h : hidden) {
        net->push_back(std::make_shared<nn::Linear>(nn::LinearOptions(in, h).init(init)));
        net->push_back(std::make_shared<nn::ActivationLayer>(act));
        in = h;
    }
    net->push_back(std::make_shared<nn::Linear>(nn::LinearOptions(in, 10).init(init)));
    return net;
}

using nn::Conv2dOptions;
template <class T, class... A>
static std::shared_ptr<nn::Module> make(A&&... a) {
    return std::make_shared<T>(std::forward<A>(a)...);
}
static std::shared_ptr<nn::Module> relu_layer() { return make<nn::ActivationLayer>(nn::Activation::relu); }

// LeNet-5 (LeCun et al. 1998) with ReLU and max-pooling, for 28×28 inputs (the first conv pads by 2).
//   [1,28,28] -conv5-> [6,28,28] -pool-> [6,14,14] -conv5-> [16,10,10] -pool-> [16,5,5] -> 400-120-84-10
static std::shared_ptr<nn::Module> build_lenet(const nlohmann::json&) {
    auto net = std::make_shared<nn::Sequential>();
    net->push_back(make<nn::Conv2d>(Conv2dOptions(1, 6, 5).padding(2)));
    net->push_back(relu_layer());
    net->push_back(make<nn::MaxPool2d>(2));
    net->push_back(make<nn::Conv2d>(Conv2dOptions(6, 16, 5)));
    net->push_back(relu_layer());
    net->push_back(make<nn::MaxPool2d>(2));
    net->push_back(make<nn::Flatten>());
    net->push_back(make<nn::Linear>(nn::LinearOptions(400, 120)));
    net->push_back(relu_layer());
    net->push_back(make<nn::Linear>(nn::LinearOptions(120, 84)));
    net->push_back(relu_layer());
    net->push_back(make<nn::Linear>(nn::LinearOptions(84, 10)));
    return net;
}

// The stronger CNN: two 3×3 conv layers (batch-normed), each followed by max-pooling, then a dropout-
// regularised fully connected head.
//   [1,28,28] -conv3-> [c1,28,28] -pool-> [c1,14,14] -conv3-> [c2,14,14] -pool-> [c2,7,7] -> fc -> 10
static std::shared_ptr<nn::Module> build_cnn(const nlohmann::json& o) {
    const int64_t c1 = io::json_int(o.at("channels1"), "cnn: channels1", 1, 512);
    const int64_t c2 = io::json_int(o.at("channels2"), "cnn: channels2", 1, 512);
    const int64_t fc = io::json_int(o.at("fc"), "cnn: fc", 1, 8192);
    const double p = io::json_real(o.at("dropout"), "cnn: dropout", 0, 0.999);
    if (c1 < 1 || c2 < 1 || fc < 1 || c1 > 512 || c2 > 512 || fc > 8192 || p < 0 || p >= 1)
        throw ConfigError("cnn: options out of range: " + o.dump());
    auto net = std::make_shared<nn::Sequential>();
    net->push_back(make<nn::Conv2d>(Conv2dOptions(1, c1, 3).padding(1).bias(false)));
    net->push_back(make<nn::BatchNorm2d>(c1));
    net->push_back(relu_layer());
    net->push_back(make<nn::MaxPool2d>(2));
    net->push_back(make<nn::Conv2d>(Conv2dOptions(c1, c2, 3).padding(1).bias(false)));
    net->push_back(make<nn::BatchNorm2d>(c2));
    net->push_back(relu_layer());
    net->push_back(make<nn::MaxPool2d>(2));
    net->push_back(make<nn::Flatten>());
    net->push_back(make<nn::Dropout>(p));
    net->push_back(make<nn::Linear>(nn::LinearOptions(c2 * 7 * 7, fc)));
    net->push_back(relu_layer());
    net->push_back(make<nn::Dropout>(p));
    net->push_back(make<nn::Linear>(nn::LinearOptions(fc, 10)));
    return net;
}

// The speedrun CNN (train/recipe.h): two k×k conv layers, each batch-normed, ReLU'd and max-pooled, then an
// optional hidden layer and the classifier. Its defaults are LeNet-5 with batch norm (6 and 16 channels, 5×5, a
// "valid" second conv, 120 hidden units, no 84-unit layer): the speedrun's model, found on a validation split.
//   [1,28,28] -convk-> [c1,28,28] -pool-> [c1,14,14] -convk-> [c2,s,s] -pool-> [c2,s/2,s/2] -> (fc) -> 10
//   with s = 14 (padding2 = k/2) or 14 - k + 1 (padding2 = 0, LeNet's "valid" second conv)
static std::shared_ptr<nn::Module> build_speedcnn(const nlohmann::json& o) {
    const int64_t k = io::json_int(o.at("kernel"), "speedcnn: kernel", 1, 7);
    const int64_t c1 = io::json_int(o.at("channels1"), "speedcnn: channels1", 1, 256);
    const int64_t c2 = io::json_int(o.at("channels2"), "speedcnn: channels2", 1, 256);
    const int64_t fc = io::json_int(o.at("fc"), "speedcnn: fc", 0, 4096);
    // padding2: the second conv's zero padding; k/2 keeps 14x14, 0 ("valid", as LeNet) gives 14 - k + 1.
    const int64_t p2 = o.contains("padding2") ? io::json_int(o["padding2"], "speedcnn: padding2", 0, k / 2) : k / 2;
    if (k % 2 == 0) throw ConfigError("speedcnn: kernel must be odd (3 or 5) so that padding keeps 28x28; got " + std::to_string(k));
    const int64_t side = (14 + 2 * p2 - k + 1) / 2;  // after the second pool
    auto net = std::make_shared<nn::Sequential>();
    net->push_back(make<nn::Conv2d>(Conv2dOptions(1, c1, k).padding(k / 2).bias(false)));
    net->push_back(make<nn::BatchNorm2d>(c1));
    net->push_back(relu_layer());
    net->push_back(make<nn::MaxPool2d>(2));
    net->push_back(make<nn::Conv2d>(Conv2dOptions(c1, c2, k).padding(p2).bias(false)));
    net->push_back(make<nn::BatchNorm2d>(c2));
    net->push_back(relu_layer());
    net->push_back(make<nn::MaxPool2d>(2));
    net->push_back(make<nn::Flatten>());
    int64_t in = c2 * side * side;
    if (fc > 0) {
        net->push_back(make<nn::Linear>(nn::LinearOptions(in, fc)));
        net->push_back(relu_layer());
        in = fc;
    }
    net->push_back(make<nn::Linear>(nn::LinearOptions(in, 10)));
    return net;
}

// ResNet-mini for 28×28: a 3×3 stem, then residual blocks (two 3×3 conv + batch norm each, identity or
// strided 1×1 shortcut), global average pooling and one linear layer.
//   [1,28,28] -stem-> [w,28,28] -block/2-> [2w,14,14] -block-> -block/2-> [4w,7,7] -block-> -gap-> [4w] -> 10
static std::shared_ptr<nn::Module> build_resnet(const nlohmann::json& o) {
    const int64_t w = io::json_int(o.at("width"), "resnet: width", 1, 128);
    if (w < 1 || w > 128) throw ConfigError("resnet: width " + std::to_string(w) + " is out of range (1..128)");
    auto net = std::make_shared<nn::Sequential>();
    net->push_back(make<nn::Conv2d>(Conv2dOptions(1, w, 3).padding(1).bias(false)));
    net->push_back(make<nn::BatchNorm2d>(w));
    net->push_back(relu_layer());
    net->push_back(make<nn::ResidualBlock>(w, 2 * w, 2));
    net->push_back(make<nn::ResidualBlock>(2 * w, 2 * w, 1));
    net->push_back(make<nn::ResidualBlock>(2 * w, 4 * w, 2));
    net->push_back(make<nn::ResidualBlock>(4 * w, 4 * w, 1));
    net->push_back(make<nn::GlobalAvgPool>());
    net->push_back(make<nn::Linear>(nn::LinearOptions(4 * w, 10)));
    return net;
}

// ViT-tiny (vit.h): 49 patches of 4×4 pixels plus a class token through pre-norm transformer blocks.
//   [1,28,28] -> [49,16] -linear-> [49,d] -+cls, +pos-> [50,d] -blocks×L-> -norm-> cls row [d] -> 10
static std::shared_ptr<nn::Module> build_vit(const nlohmann::json& o) {
    VitOptions v;
    v.dim = io::json_int(o.at("dim"), "vit: dim", 1, 1024);
    v.heads = io::json_int(o.at("heads"), "vit: heads", 1, 1024);
    v.layers = io::json_int(o.at("layers"), "vit: layers", 1, 24);
    const std::string block = o.contains("block") ? io::json_string(o["block"], "vit: block") : "gpt2";
    if (block == "modern") v.block = nn::BlockKind::modern;
    else if (block != "gpt2") throw ConfigError("vit: unknown block '" + block + "'; use gpt2 or modern");
    return std::make_shared<VisionTransformer>(v);
}

const std::vector<ModelInfo>& zoo() {
    static const std::vector<ModelInfo> models = {
        {"mlp", "MLP 784-128-64-10", "Two hidden layers of fully connected neurons with ReLU: the classic first network.",
         "image28", TrainDefaults{3, 32, 1e-3, "adam"},
         nlohmann::json{{"hidden", {128, 64}}, {"activation", "relu"}}, build_mlp},
        {"lenet", "LeNet-5", "LeCun's 1998 convolutional network: two 5x5 conv + pool stages, then 120-84-10.",
         "image28", TrainDefaults{10, 64, 3e-3, "adam"}, nlohmann::json::object(), build_lenet},
        {"cnn", "CNN 32-64 (best on MNIST)",
         "Two 3x3 conv layers with batch norm and max-pooling, then a dropout-regularised 128-unit layer.",
         "image28", TrainDefaults{8, 64, 2e-3, "adam"},
         nlohmann::json{{"channels1", 32}, {"channels2", 64}, {"fc", 128}, {"dropout", 0.25}}, build_cnn},
        {"speedcnn", "LeNet-5 + batch norm (speedrun)",
         "LeNet's two 5x5 conv + pool stages with batch norm, then 120 hidden units: 99% on MNIST in seconds.",
         "image28", TrainDefaults{2, 128, 6e-3, "adam"},
         nlohmann::json{{"kernel", 5}, {"channels1", 6}, {"channels2", 16}, {"padding2", 0}, {"fc", 120}}, build_speedcnn},
        {"resnet", "ResNet-mini",
         "A small residual network: 3x3 stem, four residual blocks with batch norm, global average pooling.",
         "image28", TrainDefaults{6, 64, 2e-3, "adam"}, nlohmann::json{{"width", 16}}, build_resnet},
        {"vit", "ViT-tiny",
         "A small vision transformer: 49 patches of 4x4 pixels and a class token through two attention blocks.",
         "image28", TrainDefaults{10, 64, 1e-3, "adam"},
         nlohmann::json{{"dim", 64}, {"heads", 4}, {"layers", 2}, {"block", "gpt2"}}, build_vit},
    };
    return models;
}

const ModelInfo& find_model(const std::string& name) {
    std::string known;
    for (const ModelInfo& m : zoo()) {
        if (m.name == name) return m;
        known += (known.empty() ? "" : ", ") + m.name;
    }
    throw ConfigError("model: unknown name '" + name + "'; the zoo has: " + known);
}

nlohmann::json Model::config() const {
    return {{"model", name}, {"options", options}, {"input_shape", input_shape}, {"num_classes", num_classes}};
}

Model create_model(const std::string& name, const nlohmann::json& options, uint64_t seed) {
    const ModelInfo& info = find_model(name);
    nlohmann::json merged = info.default_options;
    if (!options.is_null()) {
        if (!options.is_object()) throw ConfigError("model " + name + ": options must be a JSON object");
        merged.merge_patch(options);
    }
    Model m;
    m.name = name;
    m.options = merged;
    try {
        m.net = info.build(merged);
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError("model " + name + ": invalid options " + merged.dump() + " (" + e.what() + ")");
    }
    Generator gen(seed);
    m.net->reset_parameters(gen);
    return m;
}

Model create_model_from_config(const nlohmann::json& config, uint64_t seed) {
    if (!config.is_object() || !config.contains("model") || !config["model"].is_string())
        throw DataError("model config: expected an object with a \"model\" name; got " + config.dump());
    return create_model(config["model"].get<std::string>(), config.value("options", nlohmann::json::object()), seed);
}

int64_t min_parameter_count(const nlohmann::json& config) {
    if (!config.is_object() || !config.contains("model") || !config["model"].is_string())
        throw DataError("model config: expected an object with a \"model\" name; got " + config.dump().substr(0, 200));
    const std::string name = config["model"].get<std::string>();
    const ModelInfo& info = find_model(name);
    nlohmann::json o = info.default_options;
    const nlohmann::json& given = config.contains("options") ? config["options"] : nlohmann::json::object();
    if (!given.is_object()) throw ConfigError("model " + name + ": options must be a JSON object; got " + given.dump().substr(0, 80));
    o.merge_patch(given);
    try {
        // Weight matrices only (biases, norms and embeddings are extra): enough to see that a config and a
        // file's tensors cannot belong together, without allocating anything.
        if (name == "mlp") {
            if (o.contains("activation"))  // named before any size check: "unknown activation 'swish'"
                nn::activation_from_string(io::json_string(o["activation"], "mlp: activation"));
            int64_t in = 784, n = 0;
            for (int64_t h : mlp_hidden(o)) {
                n += in * h;
                in = h;
            }
            return n + in * 10;
        }
        if (name == "cnn") {
            const int64_t c1 = io::json_int(o.at("channels1"), "cnn: channels1", 1, 512);
            const int64_t c2 = io::json_int(o.at("channels2"), "cnn: channels2", 1, 512);
            const int64_t fc = io::json_int(o.at("fc"), "cnn: fc", 1, 8192);
            io::json_real(o.at("dropout"), "cnn: dropout", 0, 0.999);
            return 9 * c1 + 9 * c1 * c2 + 49 * c2 * fc + 10 * fc;
        }
        if (name == "speedcnn") {
            const int64_t k = io::json_int(o.at("kernel"), "speedcnn: kernel", 1, 7);
            const int64_t c1 = io::json_int(o.at("channels1"), "speedcnn: channels1", 1, 256);
            const int64_t c2 = io::json_int(o.at("channels2"), "speedcnn: channels2", 1, 256);
            const int64_t fc = io::json_int(o.at("fc"), "speedcnn: fc", 0, 4096);
            const int64_t p2 = o.contains("padding2") ? io::json_int(o["padding2"], "speedcnn: padding2", 0, k / 2) : k / 2;
            const int64_t side = (14 + 2 * p2 - k + 1) / 2;
            const int64_t flat = side * side * c2;
            return k * k * c1 + k * k * c1 * c2 + (fc > 0 ? flat * fc + fc * 10 : flat * 10);
        }
        if (name == "resnet") {
            const int64_t w = io::json_int(o.at("width"), "resnet: width", 1, 128);
            return 9 * w + 9 * w * 2 * w + 9 * 4 * w * w + 9 * 2 * w * 4 * w + 9 * 16 * w * w + 40 * w;
        }
        if (name == "vit") {
            const int64_t d = io::json_int(o.at("dim"), "vit: dim", 1, 1024);
            const int64_t layers = io::json_int(o.at("layers"), "vit: layers", 1, 24);
            return layers * 4 * d * d + 16 * d + 10 * d;
        }
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError("model " + name + ": invalid options " + o.dump().substr(0, 200) + " (" + e.what() + ")");
    }
    return 0;  // lenet: fixed and small
}

int64_t parameter_count(const std::string& name) { return create_model(name).net->parameter_count(); }

std::vector<LayerInfo> describe_layers(const Model& m) {
    autograd::NoGradGuard g;
    Shape in = m.input_shape;
    in.insert(in.begin(), 1);
    Tensor x = Tensor::zeros(in);  // one blank sample, only to read each layer's output shape
    std::vector<LayerInfo> rows;
    auto* seq = dynamic_cast<nn::Sequential*>(m.net.get());
    if (!seq) {
        Tensor y = m.net->forward(x);
        rows.push_back({m.net->type_name(), m.net->repr(), Shape(y.shape().begin() + 1, y.shape().end()),
                        m.net->parameter_count()});
        return rows;
    }
    for (const auto& layer : seq->layers()) {
        x = layer->forward(x);
        rows.push_back({layer->type_name(), layer->repr(), Shape(x.shape().begin() + 1, x.shape().end()),
                        layer->parameter_count()});
    }
    return rows;
}

}  // namespace bp::models
