// inspect.h — looking inside a trained convolutional network, for the app's feature-map view: every top-level
// layer's output for one input (the real forward pass, layer by layer), the input region one output pixel depends
// on, the arithmetic of one convolution output (its window, its kernel, the sum, the bias, then what BatchNorm and
// the activation make of it), and the test images that excite one channel most. No Qt.
//   auto stages = models::forward_stages(model, x);              // x [1, 1, 28, 28], normalised as in training
//   auto a = models::conv_arithmetic(model, x, stages, 0, 5, 14, 14);  // conv1, channel 5, pixel (14, 14)
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bp/data/dataset.h"
#include "bp/models/zoo.h"

namespace bp::models {

struct Stage {
    std::string name;  // "conv1", "relu1", "pool1", "fc1" — the type's short name and its count so far
    std::string type;  // the module's type_name(): "Conv2d", "ReLU", "MaxPool2d", ...
    Shape shape;       // the output's shape for one sample: [C, H, W] or [F]
    Tensor output;     // [1, ...] float32
    bool spatial() const { return shape.size() == 3; }
};

/// Runs m.net, which must be a Sequential (ConfigError otherwise, naming the model), one top-level layer at a
/// time in eval mode and without a graph, keeping every layer's output: the last stage equals m.net->forward(x).
/// x is one sample [1, ...input_shape] (ShapeError otherwise).
std::vector<Stage> forward_stages(Model& m, const Tensor& x);

/// An inclusive box of input pixels (rows top..bottom, columns left..right), clipped to the input.
struct PixelBox {
    int64_t top = 0, left = 0, bottom = 0, right = 0;
    bool operator==(const PixelBox&) const = default;
};

/// The input pixels that output pixel (row, col) of stage `stage` depends on, through convolutions, pools and
/// per-pixel layers (BatchNorm, activations, dropout). nullopt for a stage that is not spatial or comes after a
/// layer whose field this does not follow (a residual block, Flatten, Linear).
std::optional<PixelBox> receptive_field(const Model& m, size_t stage, int64_t row, int64_t col);

/// The arithmetic of one output value of a Conv2d stage: value = Σ window · kernel + bias.
struct ConvArithmetic {
    int64_t channel = 0, row = 0, col = 0;
    int64_t in_channels = 0, kernel = 0;
    int64_t top = 0, left = 0;     // the window's top-left in the layer's input (negative over the padding)
    std::vector<float> window;     // [in_channels, k, k], 0 where the window lies over the padding
    std::vector<float> weights;    // [in_channels, k, k]: the kernel of `channel`
    double dot = 0;                // Σ window · weights, in double
    double bias = 0;               // 0 for a convolution without bias
    double value = 0;              // dot + bias; the stage's output at (channel, row, col) within float rounding
    /// What the following per-pixel stages make of the value, in order (BatchNorm2d, then the activation, ...):
    /// the stage's name, its output at the same place (from the forward pass) and the formula with its numbers.
    struct Then {
        std::string stage, formula;
        double value = 0;
    };
    std::vector<Then> then;
};

/// ConfigError unless stages[stage] is a Conv2d of m.net; ShapeError for a channel or pixel outside its output.
/// `x` is the input that `stages` were computed from.
ConvArithmetic conv_arithmetic(const Model& m, const Tensor& x, const std::vector<Stage>& stages, size_t stage,
                               int64_t channel, int64_t row, int64_t col);

struct ChannelScore {
    int64_t index = 0;  // the image's index in the dataset
    float score = 0;    // the channel's largest value over its map (or the value, for a flat stage)
};

/// The `k` images among the first `limit` of `ds` (all when limit ≤ 0) whose stage-`stage` channel `channel`
/// reaches the highest value anywhere in its map, highest first (ties: the lower index first). Batched forward
/// passes in eval mode; `progress(done, total)` after each batch, returning false stops early (what was scored
/// so far is ranked). Images are normalised as in training.
std::vector<ChannelScore> top_activating(Model& m, const data::ImageDataset& ds, size_t stage, int64_t channel, int k,
                                         int64_t limit = 0,
                                         const std::function<bool(int64_t done, int64_t total)>& progress = {});

}  // namespace bp::models
