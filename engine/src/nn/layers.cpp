// layers.cpp — the vision layers of layers.h: construction, torch-style initialisation and reprs, and the
// module-level shape checks that name the layer (the ops check the rest).
#include "bp/nn/layers.h"

#include <cmath>
#include <sstream>

#include "bp/autograd.h"

namespace bp::nn {

Conv2d::Conv2d(const Conv2dOptions& opts) : opts_(opts) {
    if (opts.in_channels <= 0 || opts.out_channels <= 0 || opts.kernel_size <= 0)
        throw ConfigError("Conv2d: in_channels, out_channels and kernel_size must be positive; got " +
                          std::to_string(opts.in_channels) + ", " + std::to_string(opts.out_channels) + " and " +
                          std::to_string(opts.kernel_size));
    if (opts.stride_ < 1 || opts.padding_ < 0)
        throw ConfigError("Conv2d: stride must be ≥ 1 and padding ≥ 0; got stride " + std::to_string(opts.stride_) +
                          " and padding " + std::to_string(opts.padding_));
    const int64_t k = opts.kernel_size;
    weight = register_parameter("weight", Tensor::zeros({opts.out_channels, opts.in_channels, k, k}, opts.dtype_));
    if (opts.with_bias) bias = register_parameter("bias", Tensor::zeros({opts.out_channels}, opts.dtype_));
    Generator gen(0);
    reset_parameters(gen);
}

// torch: kaiming_uniform_(a=√5) gives bound √(6 / ((1 + 5)·fan_in)) = 1/√fan_in; the bias uses 1/√fan_in too.
void Conv2d::reset_parameters(Generator& gen) {
    autograd::NoGradGuard g;
    const double fan_in = static_cast<double>(opts_.in_channels * opts_.kernel_size * opts_.kernel_size);
    const double bound = 1.0 / std::sqrt(fan_in);
    weight.copy_(Tensor::uniform(weight.shape(), gen, -bound, bound, DType::f64));
    if (bias.defined()) bias.copy_(Tensor::uniform(bias.shape(), gen, -bound, bound, DType::f64));
}

Tensor Conv2d::forward(const Tensor& x) {
    if (x.defined() && (x.dim() != 4 || x.size(1) != opts_.in_channels)) {
        std::string hint = "which expects [N, " + std::to_string(opts_.in_channels) + ", H, W]";
        if (x.dim() == 3 && opts_.in_channels == 1) hint += "; add the channel dimension with reshape({N, 1, H, W})";
        throw ShapeError("conv2d: input " + shape_str(x.shape()) + " does not fit " + repr() + ", " + hint);
    }
    return conv2d(x, weight, bias, opts_.stride_, opts_.padding_);
}

static std::string pair(int64_t v) { return "(" + std::to_string(v) + ", " + std::to_string(v) + ")"; }

// As torch: padding is shown only when non-zero, bias only when absent.
std::string Conv2d::repr() const {
    std::ostringstream os;
    os << "Conv2d(" << opts_.in_channels << ", " << opts_.out_channels << ", kernel_size=" << pair(opts_.kernel_size)
       << ", stride=" << pair(opts_.stride_);
    if (opts_.padding_ != 0) os << ", padding=" << pair(opts_.padding_);
    if (!opts_.with_bias) os << ", bias=false";
    os << ')';
    return os.str();
}

static void check_pool(const char* type, int64_t kernel, int64_t stride, int64_t padding) {
    if (kernel < 1 || stride < 0 || padding < 0 || 2 * padding > kernel)
        throw ConfigError(std::string(type) + ": needs kernel_size ≥ 1, stride ≥ 1 (0 = kernel_size) and " +
                          "0 ≤ padding ≤ kernel_size / 2; got " + std::to_string(kernel) + ", " +
                          std::to_string(stride) + " and " + std::to_string(padding));
}

MaxPool2d::MaxPool2d(int64_t kernel, int64_t stride, int64_t padding)
    : kernel_(kernel), stride_(stride == 0 ? kernel : stride), padding_(padding) {
    check_pool("MaxPool2d", kernel, stride, padding);
}

std::string MaxPool2d::repr() const {
    return "MaxPool2d(kernel_size=" + std::to_string(kernel_) + ", stride=" + std::to_string(stride_) +
           ", padding=" + std::to_string(padding_) + ", dilation=1, ceil_mode=false)";
}

AvgPool2d::AvgPool2d(int64_t kernel, int64_t stride, int64_t padding)
    : kernel_(kernel), stride_(stride == 0 ? kernel : stride), padding_(padding) {
    check_pool("AvgPool2d", kernel, stride, padding);
}

std::string AvgPool2d::repr() const {
    return "AvgPool2d(kernel_size=" + std::to_string(kernel_) + ", stride=" + std::to_string(stride_) +
           ", padding=" + std::to_string(padding_) + ")";
}

BatchNorm::BatchNorm(int64_t num_features, double eps, double momentum, DType dtype, int64_t input_dim)
    : num_features_(num_features), eps_(eps), momentum_(momentum), input_dim_(input_dim) {
    if (num_features <= 0 || !(eps > 0) || !(momentum >= 0 && momentum <= 1))
        throw ConfigError(std::string(input_dim == 2 ? "BatchNorm1d" : "BatchNorm2d") +
                          ": needs num_features > 0, eps > 0 and momentum in [0, 1]; got " +
                          std::to_string(num_features) + ", " + std::to_string(eps) + " and " + std::to_string(momentum));
    weight = register_parameter("weight", Tensor::ones({num_features}, dtype));
    bias = register_parameter("bias", Tensor::zeros({num_features}, dtype));
    running_mean = register_buffer("running_mean", Tensor::zeros({num_features}, dtype));
    running_var = register_buffer("running_var", Tensor::ones({num_features}, dtype));
}

void BatchNorm::reset_parameters(Generator&) {
    autograd::NoGradGuard g;
    weight.fill_(1.0);
    bias.fill_(0.0);
    running_mean.fill_(0.0);
    running_var.fill_(1.0);
}

Tensor BatchNorm::forward(const Tensor& x) {
    if (x.defined() && (x.dim() != input_dim_ || x.size(1) != num_features_)) {
        const std::string c = std::to_string(num_features_);
        throw ShapeError("batch_norm: input " + shape_str(x.shape()) + " does not fit " + repr() + ", which expects " +
                         (input_dim_ == 2 ? "[N, " + c + "]" : "[N, " + c + ", H, W]"));
    }
    return batch_norm(x, weight, bias, running_mean, running_var, is_training(), momentum_, eps_);
}

std::string BatchNorm::repr() const {
    std::ostringstream os;
    os << type_name() << '(' << num_features_ << ", eps=" << eps_ << ", momentum=" << momentum_
       << ", affine=true, track_running_stats=true)";
    return os.str();
}

Dropout::Dropout(double p) : p_(p) {
    if (!(p >= 0.0 && p <= 1.0)) throw ConfigError("Dropout: p must be in [0, 1]; got " + std::to_string(p));
}

void Dropout::reset_parameters(Generator& gen) { gen_.seed(gen.engine()()); }

std::string Dropout::repr() const {
    std::ostringstream os;
    os << "Dropout(p=" << p_ << ')';
    return os.str();
}

ResidualBlock::ResidualBlock(int64_t in_channels, int64_t out_channels, int64_t stride, DType dtype)
    : in_(in_channels), out_(out_channels), stride_(stride) {
    conv1 = std::make_shared<Conv2d>(
        Conv2dOptions(in_channels, out_channels, 3).stride(stride).padding(1).bias(false).dtype(dtype));
    bn1 = std::make_shared<BatchNorm2d>(out_channels, 1e-5, 0.1, dtype);
    conv2 = std::make_shared<Conv2d>(Conv2dOptions(out_channels, out_channels, 3).padding(1).bias(false).dtype(dtype));
    bn2 = std::make_shared<BatchNorm2d>(out_channels, 1e-5, 0.1, dtype);
    register_module("conv1", conv1);
    register_module("bn1", bn1);
    register_module("conv2", conv2);
    register_module("bn2", bn2);
    if (stride != 1 || in_channels != out_channels) {
        downsample = std::make_shared<Sequential>();
        downsample->push_back(
            std::make_shared<Conv2d>(Conv2dOptions(in_channels, out_channels, 1).stride(stride).bias(false).dtype(dtype)));
        downsample->push_back(std::make_shared<BatchNorm2d>(out_channels, 1e-5, 0.1, dtype));
        register_module("downsample", downsample);
    }
}

Tensor ResidualBlock::forward(const Tensor& x) {
    Tensor h = relu(bn1->forward(conv1->forward(x)));  // [N, out, H/s, W/s]
    h = bn2->forward(conv2->forward(h));                // [N, out, H/s, W/s]
    return relu(add(h, downsample ? downsample->forward(x) : x));
}

std::string ResidualBlock::repr() const {
    return "ResidualBlock(" + std::to_string(in_) + ", " + std::to_string(out_) + ", stride=" + std::to_string(stride_) +
           ", shortcut=" + (downsample ? "conv1x1" : "identity") + ")";
}

}  // namespace bp::nn
