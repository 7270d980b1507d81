// module.h — nn::Module (named parameters, sub-modules, train/eval mode) and the basic layers: Linear,
// activations, Flatten, Sequential. Names and reprs follow torch::nn so learners recognise them:
//   auto fc = std::make_shared<nn::Linear>(nn::LinearOptions(784, 128).bias(false));
//   fc->repr() == "Linear(in_features=784, out_features=128, bias=false)"
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bp/ops.h"
#include "bp/tensor.h"

namespace bp::nn {

/// he: He (Kaiming) normal, std √(2/fan_in); xavier: Glorot uniform ±√(6/(fan_in+fan_out));
/// uniform_fan_in: w, b ~ U(±1/√fan_in), torch.nn.Linear's default (kaiming_uniform with a = √5).
enum class Init { he, xavier, uniform_fan_in };

class Module {
public:
    virtual ~Module() = default;
    virtual Tensor forward(const Tensor& x) = 0;
    Tensor operator()(const Tensor& x) { return forward(x); }
    virtual std::string repr() const = 0;  // one line, torch style
    virtual std::string type_name() const = 0;  // "Linear"

    /// "0.weight", "0.bias", "2.weight", ... in registration order (recursive).
    std::vector<std::pair<std::string, Tensor>> named_parameters() const;
    std::vector<Tensor> parameters() const;
    int64_t parameter_count() const;
    /// State that is saved with the model but not trained (batch-norm running statistics), recursive.
    std::vector<std::pair<std::string, Tensor>> named_buffers() const;
    const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const { return children_; }

    /// Moves every parameter and buffer (recursively) to `device`, in place: the tensors keep their identity
    /// (the optimizer's and the layers' handles stay valid) and drop their gradients. Create the optimizer
    /// after moving the model, so that its state is made on the same device. Example: net.to(Device::cuda)
    void to(Device device);
    /// Where the parameters live (the first parameter's device; cpu for a module without parameters).
    Device device() const;

    void train(bool on = true);
    void eval() { train(false); }
    bool is_training() const { return training_; }
    void zero_grad();
    /// Re-initialise every parameter from the generator (deterministic for a given seed).
    virtual void reset_parameters(Generator& gen) {
        for (auto& [name, child] : children_) child->reset_parameters(gen);
    }

protected:
    Tensor& register_parameter(const std::string& name, Tensor t);
    Tensor& register_buffer(const std::string& name, Tensor t);
    void register_module(const std::string& name, std::shared_ptr<Module> m);

private:
    std::vector<std::pair<std::string, Tensor>> params_;
    std::vector<std::pair<std::string, Tensor>> buffers_;
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
    bool training_ = true;
};

struct LinearOptions {
    LinearOptions(int64_t in, int64_t out) : in_features(in), out_features(out) {}
    LinearOptions& bias(bool on) { with_bias = on; return *this; }
    LinearOptions& init(Init i) { init_kind = i; return *this; }
    LinearOptions& dtype(DType d) { dtype_ = d; return *this; }
    int64_t in_features, out_features;
    bool with_bias = true;
    Init init_kind = Init::uniform_fan_in;
    DType dtype_ = DType::f32;
};

/// y = x @ weightᵀ + bias;  weight: [out, in], bias: [out]
class Linear : public Module {
public:
    explicit Linear(const LinearOptions& opts);
    Tensor forward(const Tensor& x) override;
    std::string repr() const override;
    std::string type_name() const override { return "Linear"; }
    void reset_parameters(Generator& gen) override;
    const LinearOptions& options() const { return opts_; }
    Tensor weight, bias;

private:
    LinearOptions opts_;
};

enum class Activation { relu, leaky_relu, sigmoid, tanh, gelu, gelu_tanh };
Activation activation_from_string(const std::string& s);  // "relu", "gelu_tanh", ...; ConfigError otherwise
const char* activation_name(Activation a);

/// ReLU(), Sigmoid(), GELU(approximate='tanh'), ... as a layer.
class ActivationLayer : public Module {
public:
    explicit ActivationLayer(Activation a, double negative_slope = 0.01) : kind_(a), slope_(negative_slope) {}
    Tensor forward(const Tensor& x) override;
    std::string repr() const override;
    std::string type_name() const override;
    Activation kind() const { return kind_; }
    double negative_slope() const { return slope_; }  // leaky_relu's

private:
    Activation kind_;
    double slope_;
};

/// [N, C, H, W] -> [N, C·H·W]
class Flatten : public Module {
public:
    Tensor forward(const Tensor& x) override { return flatten(x, 1); }
    std::string repr() const override { return "Flatten(start_dim=1)"; }
    std::string type_name() const override { return "Flatten"; }
};

class Sequential : public Module {
public:
    Sequential() = default;
    Sequential& push_back(std::shared_ptr<Module> m);
    Tensor forward(const Tensor& x) override;
    std::string repr() const override;  // multi-line, torch style
    std::string type_name() const override { return "Sequential"; }
    size_t size() const { return layers_.size(); }
    Module& operator[](size_t i) { return *layers_.at(i); }
    const std::vector<std::shared_ptr<Module>>& layers() const { return layers_; }

private:
    std::vector<std::shared_ptr<Module>> layers_;
};

/// In-place initialisers (no autograd history).
void he_normal_(Tensor& w, int64_t fan_in, Generator& gen);
void xavier_uniform_(Tensor& w, int64_t fan_in, int64_t fan_out, Generator& gen);

}  // namespace bp::nn
