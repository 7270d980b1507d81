// layers.h — the vision layers: Conv2d, MaxPool2d, AvgPool2d, GlobalAvgPool, BatchNorm1d/2d, Dropout, and the
// ResidualBlock of a small ResNet. Names, options and reprs follow torch::nn (module.h has the basics):
//   auto conv = std::make_shared<nn::Conv2d>(nn::Conv2dOptions(1, 6, 5).padding(2));
//   conv->repr() == "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))"
#pragma once

#include <memory>
#include <string>

#include "bp/nn/module.h"

namespace bp::nn {

struct Conv2dOptions {
    Conv2dOptions(int64_t in, int64_t out, int64_t kernel) : in_channels(in), out_channels(out), kernel_size(kernel) {}
    Conv2dOptions& stride(int64_t s) { stride_ = s; return *this; }
    Conv2dOptions& padding(int64_t p) { padding_ = p; return *this; }
    Conv2dOptions& bias(bool on) { with_bias = on; return *this; }
    Conv2dOptions& dtype(DType d) { dtype_ = d; return *this; }
    int64_t in_channels, out_channels, kernel_size;  // square kernels
    int64_t stride_ = 1, padding_ = 0;
    bool with_bias = true;
    DType dtype_ = DType::f32;
};

/// y = conv2d(x, weight, bias)   x: [N, in, H, W]  weight: [out, in, k, k]  bias: [out]  y: [N, out, OH, OW]
/// weight and bias ~ U(±1/√(in·k·k)), torch's default.
class Conv2d : public Module {
public:
    explicit Conv2d(const Conv2dOptions& opts);
    Tensor forward(const Tensor& x) override;
    std::string repr() const override;
    std::string type_name() const override { return "Conv2d"; }
    void reset_parameters(Generator& gen) override;
    const Conv2dOptions& options() const { return opts_; }
    Tensor weight, bias;

private:
    Conv2dOptions opts_;
};

/// Max over kernel×kernel windows; stride 0 means stride = kernel. [N, C, H, W] -> [N, C, OH, OW]
class MaxPool2d : public Module {
public:
    explicit MaxPool2d(int64_t kernel, int64_t stride = 0, int64_t padding = 0);
    Tensor forward(const Tensor& x) override { return max_pool2d(x, kernel_, stride_, padding_); }
    std::string repr() const override;  // "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=false)"
    std::string type_name() const override { return "MaxPool2d"; }
    int64_t kernel() const { return kernel_; }
    int64_t stride() const { return stride_; }  // the effective one (stride 0 was made = kernel)
    int64_t padding() const { return padding_; }

private:
    int64_t kernel_, stride_, padding_;
};

/// Mean over kernel×kernel windows (padding counts as zeros); stride 0 means stride = kernel.
class AvgPool2d : public Module {
public:
    explicit AvgPool2d(int64_t kernel, int64_t stride = 0, int64_t padding = 0);
    Tensor forward(const Tensor& x) override { return avg_pool2d(x, kernel_, stride_, padding_); }
    std::string repr() const override;  // "AvgPool2d(kernel_size=2, stride=2, padding=0)"
    std::string type_name() const override { return "AvgPool2d"; }
    int64_t kernel() const { return kernel_; }
    int64_t stride() const { return stride_; }  // the effective one (stride 0 was made = kernel)
    int64_t padding() const { return padding_; }

private:
    int64_t kernel_, stride_, padding_;
};

/// Mean over H and W: [N, C, H, W] -> [N, C] (torch: AdaptiveAvgPool2d(1) followed by Flatten).
class GlobalAvgPool : public Module {
public:
    Tensor forward(const Tensor& x) override { return global_avg_pool2d(x); }
    std::string repr() const override { return "GlobalAvgPool()"; }
    std::string type_name() const override { return "GlobalAvgPool"; }
};

/// Shared by BatchNorm1d ([N, C]) and BatchNorm2d ([N, C, H, W]). Parameters weight (γ, ones) and bias
/// (β, zeros); buffers running_mean (zeros) and running_var (ones), saved with the model. Training mode
/// normalises with the batch statistics and updates the running ones; eval mode uses the running ones.
class BatchNorm : public Module {
public:
    Tensor forward(const Tensor& x) override;
    std::string repr() const override;  // "BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)"
    void reset_parameters(Generator& gen) override;  // γ = 1, β = 0, running statistics reset
    int64_t num_features() const { return num_features_; }
    double eps() const { return eps_; }
    double momentum() const { return momentum_; }
    Tensor weight, bias, running_mean, running_var;

protected:
    BatchNorm(int64_t num_features, double eps, double momentum, DType dtype, int64_t input_dim);

private:
    int64_t num_features_;
    double eps_, momentum_;
    int64_t input_dim_;  // 2 or 4
};

class BatchNorm1d : public BatchNorm {
public:
    explicit BatchNorm1d(int64_t num_features, double eps = 1e-5, double momentum = 0.1, DType dtype = DType::f32)
        : BatchNorm(num_features, eps, momentum, dtype, 2) {}
    std::string type_name() const override { return "BatchNorm1d"; }
};

class BatchNorm2d : public BatchNorm {
public:
    explicit BatchNorm2d(int64_t num_features, double eps = 1e-5, double momentum = 0.1, DType dtype = DType::f32)
        : BatchNorm(num_features, eps, momentum, dtype, 4) {}
    std::string type_name() const override { return "BatchNorm2d"; }
};

/// Inverted dropout with its own generator (seeded from the one given to reset_parameters, so a seeded
/// model drops the same elements on every run). Identity in eval mode. Not thread-safe (the generator).
class Dropout : public Module {
public:
    explicit Dropout(double p = 0.5);
    Tensor forward(const Tensor& x) override { return dropout(x, p_, is_training(), gen_); }
    std::string repr() const override;  // "Dropout(p=0.5)"
    std::string type_name() const override { return "Dropout"; }
    void reset_parameters(Generator& gen) override;
    double p() const { return p_; }

private:
    double p_;
    Generator gen_;
};

/// ResNet's basic block (He et al. 2016): relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), with 3×3
/// convolutions (the first one strided) and a shortcut that is the identity, or a 1×1 convolution + batch
/// norm (`downsample`) where the stride or the channel count changes. Parameter names match torchvision's
/// BasicBlock: conv1.weight, bn1.weight, …, downsample.0.weight, downsample.1.weight.
class ResidualBlock : public Module {
public:
    ResidualBlock(int64_t in_channels, int64_t out_channels, int64_t stride = 1, DType dtype = DType::f32);
    Tensor forward(const Tensor& x) override;
    std::string repr() const override;  // "ResidualBlock(16, 32, stride=2, shortcut=conv1x1)"
    std::string type_name() const override { return "ResidualBlock"; }
    std::shared_ptr<Conv2d> conv1, conv2;
    std::shared_ptr<BatchNorm2d> bn1, bn2;
    std::shared_ptr<Sequential> downsample;  // null for the identity shortcut

private:
    int64_t in_, out_, stride_;
};

}  // namespace bp::nn
