// zoo.cpp — the registered models. The MLP is 784-128-64-10 with ReLU, the network of the
// digit-recognition benchmark document.
#include "bp/models/zoo.h"

#include "bp/autograd.h"

namespace bp::models {

static std::shared_ptr<nn::Module> build_mlp(const nlohmann::json& o) {
    auto net = std::make_shared<nn::Sequential>();
    net->push_back(std::make_shared<nn::Flatten>());
    std::vector<int64_t> hidden = o.at("hidden").get<std::vector<int64_t>>();
    nn::Activation act = nn::activation_from_string(o.value("activation", "relu"));
    nn::Init init = nn::Init::uniform_fan_in;  // torch.nn.Linear's default, so results compare with PyTorch's
    if (o.contains("init")) {
        const std::string name = o["init"].get<std::string>();
        if (name == "he") init = nn::Init::he;
        else if (name == "xavier") init = nn::Init::xavier;
        else if (name != "uniform") throw ConfigError("mlp: unknown init '" + name + "'; use uniform, he or xavier");
    }
    int64_t in = 28 * 28;
    for (int64_t h : hidden) {
        if (h <= 0 || h > 65536) throw ConfigError("mlp: hidden layer width " + std::to_string(h) + " is out of range (1..65536)");
        net->push_back(std::make_shared<nn::Linear>(nn::LinearOptions(in, h).init(init)));
        net->push_back(std::make_shared<nn::ActivationLayer>(act));
        in = h;
    }
    net->push_back(std::make_shared<nn::Linear>(nn::LinearOptions(in, 10).init(init)));
    return net;
}

const std::vector<ModelInfo>& zoo() {
    static const std::vector<ModelInfo> models = {
        {"mlp", "MLP 784-128-64-10", "Two hidden layers of fully connected neurons with ReLU: the classic first network.",
         "image28", TrainDefaults{3, 32, 1e-3, "adam"},
         nlohmann::json{{"hidden", {128, 64}}, {"activation", "relu"}}, build_mlp},
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
