// zoo.h — the model zoo: every model the CLI and the app can build, with a name, a one-line description,
// the dataset kind it trains on, default hyperparameters and its parameter count. The app's model picker
// and `backprop train --model NAME` both read this list; nothing else hard-codes model names.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bp/nn/module.h"

namespace bp::models {

struct TrainDefaults {
    int epochs = 3;
    int batch_size = 32;
    double lr = 1e-3;
    std::string optimizer = "adam";
};

struct ModelInfo {
    std::string name;          // "mlp"
    std::string title;         // "MLP 784-128-64-10"
    std::string description;   // one line for the picker
    std::string dataset_kind;  // "image28" — 28×28 grey images, 10 classes (MNIST, Fashion-MNIST)
    TrainDefaults defaults;
    nlohmann::json default_options;
    std::function<std::shared_ptr<nn::Module>(const nlohmann::json& options)> build;
};

const std::vector<ModelInfo>& zoo();
const ModelInfo& find_model(const std::string& name);  // ConfigError listing the known names

/// A built model with the configuration that rebuilds it (stored in model files).
struct Model {
    std::string name;
    nlohmann::json options;
    std::shared_ptr<nn::Module> net;
    Shape input_shape{1, 28, 28};  // one sample, without the batch dimension
    int num_classes = 10;
    nlohmann::json config() const;  // {"model": name, "options": {...}, "input_shape": [...], "num_classes": 10}
};

/// Builds `name` with options merged over its defaults; parameters initialised from seed.
Model create_model(const std::string& name, const nlohmann::json& options = nlohmann::json::object(),
                   uint64_t seed = 1);
Model create_model_from_config(const nlohmann::json& config, uint64_t seed = 1);
int64_t parameter_count(const std::string& name);
/// A lower bound on the parameters a config {"model", "options"} builds (its weight matrices), computed
/// without allocating, so that a loader can compare it with a file's tensors before building anything.
/// ConfigError for an unknown model or options that are not whole numbers in range.
int64_t min_parameter_count(const nlohmann::json& config);

/// One row per top-level layer for diagrams: type, repr, output shape for one sample, parameter count.
struct LayerInfo {
    std::string type, repr;
    Shape output_shape;
    int64_t params = 0;
};
std::vector<LayerInfo> describe_layers(const Model& m);

}  // namespace bp::models
