// inspect.cpp — see inspect.h.
#include "bp/models/inspect.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>

#include "bp/autograd.h"
#include "bp/errors.h"
#include "bp/nn/layers.h"
#include "bp/nn/module.h"

namespace bp::models {
namespace {

const nn::Sequential& sequential_of(const Model& m) {
    const auto* seq = dynamic_cast<const nn::Sequential*>(m.net.get());
    if (!seq) throw ConfigError("model '" + m.name + "' is not a sequence of layers, so its stages cannot be shown");
    return *seq;
}

std::string short_name(const std::string& type) {
    static const std::map<std::string, std::string> names = {
        {"Conv2d", "conv"},       {"BatchNorm2d", "bn"},  {"BatchNorm1d", "bn"},     {"MaxPool2d", "pool"},
        {"AvgPool2d", "avgpool"}, {"Flatten", "flatten"}, {"Linear", "fc"},          {"Dropout", "dropout"},
        {"ResidualBlock", "block"}, {"GlobalAvgPool", "gap"}};
    if (auto it = names.find(type); it != names.end()) return it->second;
    std::string s = type;
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Whether a layer maps each pixel to the same pixel (a receptive field passes through unchanged).
bool per_pixel(const nn::Module& layer) {
    return dynamic_cast<const nn::ActivationLayer*>(&layer) || dynamic_cast<const nn::BatchNorm*>(&layer) ||
           layer.type_name() == "Dropout";
}

/// Runs the layers [0, upto] of `seq` on x in eval mode without a graph, keeping each output.
std::vector<Tensor> run_layers(const nn::Sequential& seq, const Tensor& x, size_t upto) {
    autograd::NoGradGuard no_grad;
    std::vector<Tensor> out;
    Tensor h = x;
    for (size_t i = 0; i <= upto && i < seq.layers().size(); ++i) {
        nn::Module& layer = *seq.layers()[i];
        const bool was = layer.is_training();
        layer.eval();
        h = layer.forward(h);
        layer.train(was);
        out.push_back(h);
    }
    return out;
}

std::string num(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.4g", v);
    return b;
}

}  // namespace

std::vector<Stage> forward_stages(Model& m, const Tensor& x) {
    const nn::Sequential& seq = sequential_of(m);
    Shape want = m.input_shape;
    want.insert(want.begin(), 1);
    if (x.shape() != want) throw ShapeError("forward_stages: the input must be one sample " + shape_str(want) + ", got " + shape_str(x.shape()));
    const std::vector<Tensor> outputs = run_layers(seq, x, seq.size() - 1);
    std::vector<Stage> stages;
    std::map<std::string, int> counts;
    for (size_t i = 0; i < outputs.size(); ++i) {
        Stage s;
        s.type = seq.layers()[i]->type_name();
        const std::string base = short_name(s.type);
        s.name = base + std::to_string(++counts[base]);
        s.shape = Shape(outputs[i].shape().begin() + 1, outputs[i].shape().end());
        s.output = outputs[i];
        stages.push_back(std::move(s));
    }
    return stages;
}

std::optional<PixelBox> receptive_field(const Model& m, size_t stage, int64_t row, int64_t col) {
    const nn::Sequential& seq = sequential_of(m);
    if (stage >= seq.size() || m.input_shape.size() != 3) return std::nullopt;
    // Walk back from the stage to the input: a box [top, bottom] × [left, right] in the current layer's output
    // becomes, in its input, [top·s − p, bottom·s − p + k − 1] (k = 1, s = 1, p = 0 for per-pixel layers).
    int64_t top = row, bottom = row, left = col, right = col;
    for (size_t i = stage + 1; i-- > 0;) {
        const nn::Module& layer = *seq.layers()[i];
        int64_t k = 1, s = 1, p = 0;
        if (const auto* c = dynamic_cast<const nn::Conv2d*>(&layer)) {
            k = c->options().kernel_size;
            s = c->options().stride_;
            p = c->options().padding_;
        } else if (const auto* mp = dynamic_cast<const nn::MaxPool2d*>(&layer)) {
            k = mp->kernel(), s = mp->stride(), p = mp->padding();
        } else if (const auto* ap = dynamic_cast<const nn::AvgPool2d*>(&layer)) {
            k = ap->kernel(), s = ap->stride(), p = ap->padding();
        } else if (!per_pixel(layer)) {
            return std::nullopt;
        }
        top = top * s - p;
        left = left * s - p;
        bottom = bottom * s - p + k - 1;
        right = right * s - p + k - 1;
    }
    const int64_t H = m.input_shape[1], W = m.input_shape[2];
    PixelBox b{std::max<int64_t>(0, top), std::max<int64_t>(0, left), std::min(H - 1, bottom), std::min(W - 1, right)};
    if (b.top > b.bottom || b.left > b.right) return std::nullopt;
    return b;
}

ConvArithmetic conv_arithmetic(const Model& m, const Tensor& x, const std::vector<Stage>& stages, size_t stage,
                               int64_t channel, int64_t row, int64_t col) {
    const nn::Sequential& seq = sequential_of(m);
    if (stage >= stages.size() || stage >= seq.size()) throw ConfigError("conv_arithmetic: no stage " + std::to_string(stage));
    const auto* conv = dynamic_cast<const nn::Conv2d*>(seq.layers()[stage].get());
    if (!conv) throw ConfigError("conv_arithmetic: stage " + stages[stage].name + " is a " + stages[stage].type + ", not a Conv2d");
    const Shape& out = stages[stage].shape;
    if (channel < 0 || channel >= out[0] || row < 0 || row >= out[1] || col < 0 || col >= out[2])
        throw ShapeError("conv_arithmetic: (" + std::to_string(channel) + ", " + std::to_string(row) + ", " + std::to_string(col) +
                         ") is outside " + stages[stage].name + "'s output " + shape_str(out));
    const Tensor& input = stage == 0 ? x : stages[stage - 1].output;  // [1, C, H, W]
    const std::vector<float> in = input.to_float_vector();
    const std::vector<float> w = conv->weight.to_float_vector();  // [out, in, k, k]
    const auto& o = conv->options();
    const int64_t C = input.shape()[1], H = input.shape()[2], W = input.shape()[3], k = o.kernel_size;
    ConvArithmetic a;
    a.channel = channel, a.row = row, a.col = col, a.in_channels = C, a.kernel = k;
    a.top = row * o.stride_ - o.padding_;
    a.left = col * o.stride_ - o.padding_;
    a.window.assign(static_cast<size_t>(C * k * k), 0.0f);
    a.weights.assign(w.begin() + channel * C * k * k, w.begin() + (channel + 1) * C * k * k);
    for (int64_t c = 0; c < C; ++c)
        for (int64_t dy = 0; dy < k; ++dy)
            for (int64_t dx = 0; dx < k; ++dx) {
                const int64_t y = a.top + dy, xx = a.left + dx;
                const size_t at = static_cast<size_t>((c * k + dy) * k + dx);
                if (y >= 0 && y < H && xx >= 0 && xx < W) a.window[at] = in[static_cast<size_t>((c * H + y) * W + xx)];
                a.dot += static_cast<double>(a.window[at]) * a.weights[at];
            }
    if (conv->bias.defined()) a.bias = conv->bias.to_float_vector()[static_cast<size_t>(channel)];
    a.value = a.dot + a.bias;
    // The per-pixel stages after it, with their numbers.
    double v = a.value;
    for (size_t i = stage + 1; i < seq.size() && per_pixel(*seq.layers()[i]); ++i) {
        const Stage& s = stages[i];
        const double next = s.output.to_float_vector()[static_cast<size_t>((channel * s.shape[1] + row) * s.shape[2] + col)];
        std::string f;
        if (const auto* bn = dynamic_cast<const nn::BatchNorm*>(seq.layers()[i].get())) {
            const auto at = static_cast<size_t>(channel);
            f = "(" + num(v) + " − " + num(bn->running_mean.to_float_vector()[at]) + ") / √(" +
                num(bn->running_var.to_float_vector()[at]) + " + " + num(bn->eps()) + ") × " +
                num(bn->weight.to_float_vector()[at]) + " + " + num(bn->bias.to_float_vector()[at]);
        } else if (s.type == "ReLU") {
            f = "max(0, " + num(v) + ")";
        } else {
            f = s.type + "(" + num(v) + ")";
        }
        a.then.push_back({s.name, f + " = " + num(next), next});
        v = next;
    }
    return a;
}

std::vector<ChannelScore> top_activating(Model& m, const data::ImageDataset& ds, size_t stage, int64_t channel, int k,
                                         int64_t limit, const std::function<bool(int64_t, int64_t)>& progress) {
    const nn::Sequential& seq = sequential_of(m);
    if (stage >= seq.size()) throw ConfigError("top_activating: no stage " + std::to_string(stage));
    if (ds.rows * ds.cols != shape_numel(m.input_shape))
        throw ShapeError("top_activating: " + ds.name + " images are " + std::to_string(ds.rows) + "×" + std::to_string(ds.cols) +
                         ", the model reads " + shape_str(m.input_shape));
    const int64_t total = limit > 0 ? std::min(limit, ds.count) : ds.count;
    const int64_t batch = 256;
    std::vector<ChannelScore> scores;
    scores.reserve(static_cast<size_t>(total));
    std::vector<int64_t> idx(static_cast<size_t>(batch));
    for (int64_t start = 0; start < total; start += batch) {
        const int64_t n = std::min(batch, total - start);
        for (int64_t i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = start + i;
        Shape s = m.input_shape;
        s.insert(s.begin(), n);
        Tensor xb = Tensor::empty(s);
        data::normalize_images(ds, idx.data(), n, xb.data<float>());
        const Tensor out = run_layers(seq, xb, stage).back();
        const int64_t C = out.shape()[1];
        if (channel < 0 || channel >= C)
            throw ShapeError("top_activating: stage " + std::to_string(stage) + " has " + std::to_string(C) + " channels, not " +
                             std::to_string(channel + 1));
        const int64_t plane = out.numel() / (n * C);
        const float* p = out.data<float>();
        for (int64_t i = 0; i < n; ++i) {
            const float* q = p + (i * C + channel) * plane;
            scores.push_back({start + i, *std::max_element(q, q + plane)});
        }
        if (progress && !progress(start + n, total)) break;
    }
    const size_t keep = std::min(scores.size(), static_cast<size_t>(std::max(0, k)));
    std::partial_sort(scores.begin(), scores.begin() + static_cast<std::ptrdiff_t>(keep), scores.end(),
                      [](const ChannelScore& a, const ChannelScore& b) { return a.score != b.score ? a.score > b.score : a.index < b.index; });
    scores.resize(keep);
    return scores;
}

}  // namespace bp::models
