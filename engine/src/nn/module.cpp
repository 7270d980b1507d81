// module.cpp — Module bookkeeping and the basic layers.
#include "bp/nn/module.h"

#include <cmath>
#include <sstream>

#include "bp/autograd.h"

namespace bp::nn {

std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
    std::vector<std::pair<std::string, Tensor>> out = params_;
    for (const auto& [cname, child] : children_)
        for (auto& [pname, t] : child->named_parameters()) out.emplace_back(cname + "." + pname, t);
    return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers() const {
    std::vector<std::pair<std::string, Tensor>> out = buffers_;
    for (const auto& [cname, child] : children_)
        for (auto& [bname, t] : child->named_buffers()) out.emplace_back(cname + "." + bname, t);
    return out;
}

std::vector<Tensor> Module::parameters() const {
    std::vector<Tensor> out;
    for (auto& [n, t] : named_parameters()) out.push_back(t);
    return out;
}

int64_t Module::parameter_count() const {
    int64_t n = 0;
    for (auto& [name, t] : named_parameters()) n += t.numel();
    return n;
}

// Swaps the storage under each tensor, so every handle onto the same TensorImpl sees the move.
void Module::to(Device device) {
    auto move = [device](const Tensor& t) {
        if (!t.defined() || t.device() == device) return;
        Tensor moved = t.to(device);
        t.impl()->storage = moved.impl()->storage;
        t.impl()->offset = 0;
        t.impl()->grad.reset();
    };
    for (const auto& [name, t] : named_parameters()) move(t);
    for (const auto& [name, t] : named_buffers()) move(t);
}

// The device of the first parameter in named_parameters() order, found without building that list: the
// trainers ask once per batch.
Device Module::device() const {
    auto first = [](auto&& self, const Module& m) -> const Tensor* {
        if (!m.params_.empty()) return &m.params_.front().second;
        for (const auto& [n, c] : m.children_)
            if (const Tensor* t = self(self, *c)) return t;
        return nullptr;
    };
    const Tensor* t = first(first, *this);
    return t ? t->device() : Device::cpu;
}

void Module::train(bool on) {
    training_ = on;
    for (auto& [n, c] : children_) c->train(on);
}

void Module::zero_grad() {
    for (auto& [n, t] : named_parameters()) t.zero_grad();
}

Tensor& Module::register_parameter(const std::string& name, Tensor t) {
    t.set_requires_grad(true);
    t.set_name(name);
    params_.emplace_back(name, t);
    return params_.back().second;
}

Tensor& Module::register_buffer(const std::string& name, Tensor t) {
    t.set_name(name);
    buffers_.emplace_back(name, t);
    return buffers_.back().second;
}

void Module::register_module(const std::string& name, std::shared_ptr<Module> m) {
    children_.emplace_back(name, std::move(m));
}

void he_normal_(Tensor& w, int64_t fan_in, Generator& gen) {
    autograd::NoGradGuard g;
    w.copy_(Tensor::randn(w.shape(), gen, 0.0, std::sqrt(2.0 / static_cast<double>(fan_in)), DType::f64));
}

void xavier_uniform_(Tensor& w, int64_t fan_in, int64_t fan_out, Generator& gen) {
    autograd::NoGradGuard g;
    double a = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
    w.copy_(Tensor::uniform(w.shape(), gen, -a, a, DType::f64));
}

Linear::Linear(const LinearOptions& opts) : opts_(opts) {
    if (opts.in_features <= 0 || opts.out_features <= 0)
        throw ConfigError("Linear: in_features and out_features must be positive; got " +
                          std::to_string(opts.in_features) + " and " + std::to_string(opts.out_features));
    weight = register_parameter("weight", Tensor::zeros({opts.out_features, opts.in_features}, opts.dtype_));
    if (opts.with_bias) bias = register_parameter("bias", Tensor::zeros({opts.out_features}, opts.dtype_));
    Generator gen(0);
    reset_parameters(gen);
}

void Linear::reset_parameters(Generator& gen) {
    autograd::NoGradGuard g;
    if (opts_.init_kind == Init::uniform_fan_in) {
        const double bound = 1.0 / std::sqrt(static_cast<double>(opts_.in_features));
        weight.copy_(Tensor::uniform(weight.shape(), gen, -bound, bound, DType::f64));
        if (bias.defined()) bias.copy_(Tensor::uniform(bias.shape(), gen, -bound, bound, DType::f64));
        return;
    }
    if (opts_.init_kind == Init::he) he_normal_(weight, opts_.in_features, gen);
    else xavier_uniform_(weight, opts_.in_features, opts_.out_features, gen);
    if (bias.defined()) bias.fill_(0.0);
}

Tensor Linear::forward(const Tensor& x) {
    if (x.defined() && (x.dim() < 1 || x.shape().back() != opts_.in_features)) {
        std::string hint = "which expects [*, " + std::to_string(opts_.in_features) + "]";
        if (x.dim() > 2 && x.numel() / x.size(0) == opts_.in_features) hint += "; flatten the input first";
        throw ShapeError("linear: input " + shape_str(x.shape()) + " does not fit " + repr() + ", " + hint);
    }
    return linear(x, weight, bias);
}

std::string Linear::repr() const {
    std::ostringstream os;
    os << "Linear(in_features=" << opts_.in_features << ", out_features=" << opts_.out_features
       << ", bias=" << (opts_.with_bias ? "true" : "false") << ')';
    return os.str();
}

Activation activation_from_string(const std::string& s) {
    if (s == "relu") return Activation::relu;
    if (s == "leaky_relu") return Activation::leaky_relu;
    if (s == "sigmoid") return Activation::sigmoid;
    if (s == "tanh") return Activation::tanh;
    if (s == "gelu") return Activation::gelu;
    if (s == "gelu_tanh") return Activation::gelu_tanh;
    throw ConfigError("activation: unknown name '" + s + "'; use relu, leaky_relu, sigmoid, tanh, gelu or gelu_tanh");
}

const char* activation_name(Activation a) {
    switch (a) {
        case Activation::relu: return "relu";
        case Activation::leaky_relu: return "leaky_relu";
        case Activation::sigmoid: return "sigmoid";
        case Activation::tanh: return "tanh";
        case Activation::gelu: return "gelu";
        case Activation::gelu_tanh: return "gelu_tanh";
    }
    return "?";
}

Tensor ActivationLayer::forward(const Tensor& x) {
    switch (kind_) {
        case Activation::relu: return relu(x);
        case Activation::leaky_relu: return leaky_relu(x, slope_);
        case Activation::sigmoid: return sigmoid(x);
        case Activation::tanh: return tanh(x);
        case Activation::gelu: return gelu(x, GeluApprox::none);
        case Activation::gelu_tanh: return gelu(x, GeluApprox::tanh);
    }
    return x;
}

std::string ActivationLayer::type_name() const {
    switch (kind_) {
        case Activation::relu: return "ReLU";
        case Activation::leaky_relu: return "LeakyReLU";
        case Activation::sigmoid: return "Sigmoid";
        case Activation::tanh: return "Tanh";
        case Activation::gelu:
        case Activation::gelu_tanh: return "GELU";
    }
    return "?";
}

std::string ActivationLayer::repr() const {
    if (kind_ == Activation::leaky_relu) return "LeakyReLU(negative_slope=" + std::to_string(slope_) + ")";
    if (kind_ == Activation::gelu_tanh) return "GELU(approximate='tanh')";
    return type_name() + "()";
}

Sequential& Sequential::push_back(std::shared_ptr<Module> m) {
    register_module(std::to_string(layers_.size()), m);
    layers_.push_back(std::move(m));
    return *this;
}

Tensor Sequential::forward(const Tensor& x) {
    Tensor h = x;
    for (auto& layer : layers_) h = layer->forward(h);
    return h;
}

std::string Sequential::repr() const {
    std::ostringstream os;
    os << "Sequential(\n";
    for (size_t i = 0; i < layers_.size(); ++i) os << "  (" << i << "): " << layers_[i]->repr() << "\n";
    os << ')';
    return os.str();
}

}  // namespace bp::nn
