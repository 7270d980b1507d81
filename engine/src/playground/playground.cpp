// playground.cpp — see playground.h. The datasets follow TensorFlow Playground's generators (dataset.ts), scaled
// to the same plane; the network is nn::Linear layers with the engine's activations, trained by its optimizers.
#include "bp/playground/playground.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "bp/autograd.h"
#include "bp/errors.h"
#include "bp/ops.h"
#include "bp/splitmix.h"

namespace bp::playground {

namespace {

constexpr double kPi = 3.14159265358979323846;
const char* const kFeatureNames[feature_count] = {"x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"};

std::vector<Point> built_in(const DataConfig& c, Generator& gen) {
    std::vector<Point> pts;
    const int n = c.count;
    const double r5 = 5.0;
    switch (c.kind) {
        case DatasetKind::circle: {
            // Class 1 inside radius 2.5, class 0 in the ring 3.5 … 5; noise shifts points after labelling.
            auto add = [&](double rlo, double rhi, int label) {
                for (int i = 0; i < n / 2; ++i) {
                    const double r = gen.uniform(rlo, rhi), a = gen.uniform(0, 2 * kPi);
                    const double x = r * std::sin(a), y = r * std::cos(a);
                    const double nx = gen.uniform(-r5, r5) * c.noise, ny = gen.uniform(-r5, r5) * c.noise;
                    pts.push_back({x + nx, y + ny, label});
                }
            };
            add(0, r5 * 0.5, 1);
            add(r5 * 0.7, r5, 0);
            break;
        }
        case DatasetKind::xor_: {
            for (int i = 0; i < n; ++i) {
                double x = gen.uniform(-5, 5), y = gen.uniform(-5, 5);
                const double pad = 0.3;
                x += x > 0 ? pad : -pad;  // keep points off the axes, where the classes meet
                y += y > 0 ? pad : -pad;
                const int label = x * y >= 0 ? 1 : 0;
                pts.push_back({x + gen.uniform(-5, 5) * c.noise, y + gen.uniform(-5, 5) * c.noise, label});
            }
            break;
        }
        case DatasetKind::gaussians: {
            const double sd = std::sqrt(0.5 + (4.0 - 0.5) * (c.noise / 0.5));
            for (int i = 0; i < n; ++i) {
                const int label = i < n / 2 ? 1 : 0;
                const double cx = label ? 2.0 : -2.0;
                pts.push_back({gen.normal(cx, sd), gen.normal(cx, sd), label});
            }
            break;
        }
        case DatasetKind::spiral: {
            const int half = n / 2;
            for (int label = 1; label >= 0; --label) {
                const double delta = label ? 0.0 : kPi;
                for (int i = 0; i < half; ++i) {
                    const double r = static_cast<double>(i) / half * r5;
                    const double t = 1.75 * static_cast<double>(i) / half * 2 * kPi + delta;
                    pts.push_back({r * std::sin(t) + gen.uniform(-1, 1) * c.noise * 2,
                                   r * std::cos(t) + gen.uniform(-1, 1) * c.noise * 2, label});
                }
            }
            break;
        }
        case DatasetKind::custom: break;
    }
    return pts;
}

double clamp_plane(double v) { return std::clamp(v, -plane_extent, plane_extent); }

}  // namespace

const char* dataset_name(DatasetKind k) {
    switch (k) {
        case DatasetKind::circle: return "circle";
        case DatasetKind::xor_: return "xor";
        case DatasetKind::gaussians: return "gaussians";
        case DatasetKind::spiral: return "spiral";
        case DatasetKind::custom: return "custom";
    }
    return "?";
}

DatasetKind dataset_from_string(const std::string& s) {
    for (DatasetKind k : {DatasetKind::circle, DatasetKind::xor_, DatasetKind::gaussians, DatasetKind::spiral, DatasetKind::custom})
        if (s == dataset_name(k)) return k;
    throw ConfigError("playground: unknown dataset '" + s + "'; use circle, xor, gaussians, spiral or custom");
}

const char* feature_name(int bit_index) {
    return bit_index >= 0 && bit_index < feature_count ? kFeatureNames[bit_index] : "?";
}

unsigned feature_from_string(const std::string& s) {
    for (int i = 0; i < feature_count; ++i)
        if (s == kFeatureNames[i]) return 1u << i;
    throw ConfigError("playground: unknown feature '" + s + "'; use x1, x2, x1^2, x2^2, x1*x2, sin(x1) or sin(x2)");
}

int feature_dims(unsigned mask) {
    int n = 0;
    for (int i = 0; i < feature_count; ++i) n += (mask >> i) & 1u;
    return n;
}

std::vector<double> features_of(double a, double b, unsigned mask) {
    const double all[feature_count] = {a, b, a * a, b * b, a * b, std::sin(a), std::sin(b)};
    std::vector<double> out;
    for (int i = 0; i < feature_count; ++i)
        if (mask & (1u << i)) out.push_back(all[i]);
    return out;
}

Split make_dataset(const DataConfig& c) {
    Split s;
    if (c.kind == DatasetKind::custom) {
        for (size_t i = 0; i < c.user_points.size(); ++i) {
            const double u = static_cast<double>(splitmix64(c.seed * 1000003ull + i) >> 11) / 9007199254740992.0;
            (u < c.train_ratio ? s.train : s.test).push_back(c.user_points[i]);
        }
        return s;
    }
    Generator gen(c.seed);
    std::vector<Point> pts = built_in(c, gen);
    for (Point& p : pts) {
        p.x1 = clamp_plane(p.x1);
        p.x2 = clamp_plane(p.x2);
    }
    std::shuffle(pts.begin(), pts.end(), gen.engine());
    const size_t n_train = static_cast<size_t>(std::llround(c.train_ratio * static_cast<double>(pts.size())));
    s.train.assign(pts.begin(), pts.begin() + static_cast<std::ptrdiff_t>(n_train));
    s.test.assign(pts.begin() + static_cast<std::ptrdiff_t>(n_train), pts.end());
    return s;
}

void Config::validate() const {
    auto fail = [](const std::string& m) { throw ConfigError("playground: " + m); };
    if (!(data.noise >= 0 && data.noise <= 0.5)) fail("noise must be from 0 to 0.5; got " + std::to_string(data.noise));
    if (!(data.train_ratio >= 0.1 && data.train_ratio <= 0.9))
        fail("the train ratio must be from 0.1 to 0.9; got " + std::to_string(data.train_ratio));
    if (data.count < 10 || data.count > 20000) fail("the number of points must be from 10 to 20000; got " + std::to_string(data.count));
    if (data.user_points.size() > static_cast<size_t>(max_user_points))
        fail("at most " + std::to_string(max_user_points) + " points of your own; got " + std::to_string(data.user_points.size()));
    for (const Point& p : data.user_points)
        if (!(std::abs(p.x1) <= plane_extent && std::abs(p.x2) <= plane_extent) || (p.label != 0 && p.label != 1))
            fail("a point of your own must lie in [-6, 6]² with class 0 or 1");
    if (features == 0 || features >= (1u << feature_count)) fail("choose at least one input feature");
    if (hidden.size() > static_cast<size_t>(max_hidden_layers))
        fail("at most " + std::to_string(max_hidden_layers) + " hidden layers; got " + std::to_string(hidden.size()));
    for (int h : hidden)
        if (h < 1 || h > max_neurons) fail("a hidden layer has 1 to " + std::to_string(max_neurons) + " neurons; got " + std::to_string(h));
    if (activation != nn::Activation::relu && activation != nn::Activation::tanh && activation != nn::Activation::sigmoid)
        fail("the activation must be relu, tanh or sigmoid");
    if (!(lr > 0 && lr <= 10)) fail("the learning rate must be above 0 and at most 10; got " + std::to_string(lr));
    if (batch_size < 1 || batch_size > 1000) fail("the batch size must be from 1 to 1000; got " + std::to_string(batch_size));
    if (!(l1 >= 0 && l1 <= 1) || !(l2 >= 0 && l2 <= 1)) fail("L1 and L2 rates must be from 0 to 1");
    if (optimizer != "sgd" && optimizer != "momentum" && optimizer != "adam")
        fail("unknown optimizer '" + optimizer + "'; use sgd, momentum or adam");
}

Playground::Playground(const Config& config) : config_(config) {
    config_.validate();
    build_data();
    build_network();
    build_optimizer();
}

void Playground::apply(const Config& config) {
    config.validate();
    const Config old = config_;
    config_ = config;
    if (!(old.data == config.data) || old.features != config.features) build_data();
    if (old.features != config.features || old.hidden != config.hidden || old.activation != config.activation) {
        build_network();
        build_optimizer();
        epoch_ = steps_ = 0;
    } else if (old.optimizer != config.optimizer) {
        build_optimizer();
    } else if (old.lr != config.lr) {
        opt_->set_lr(config.lr);
    }
}

void Playground::reset() {
    build_network();
    build_optimizer();
    shuffle_gen_.seed(config_.data.seed + 7);
    order_.clear();
    cursor_ = 0;
    epoch_ = steps_ = 0;
}

void Playground::build_data() {
    split_ = make_dataset(config_.data);
    train_x_ = features_tensor(split_.train);
    test_x_ = features_tensor(split_.test);
    auto labels = [](const std::vector<Point>& pts) {
        Tensor y = Tensor::zeros({static_cast<int64_t>(pts.size())}, DType::i32);
        int32_t* d = y.data<int32_t>();
        for (size_t i = 0; i < pts.size(); ++i) d[i] = pts[i].label;
        return y;
    };
    train_y_ = labels(split_.train);
    test_y_ = labels(split_.test);
    order_.clear();
    cursor_ = 0;
}

Tensor Playground::features_tensor(const std::vector<Point>& pts) const {
    const int f = feature_dims(config_.features);
    Tensor x = Tensor::zeros({static_cast<int64_t>(pts.size()), f}, DType::f32);
    float* d = x.data<float>();
    for (size_t i = 0; i < pts.size(); ++i) {
        const std::vector<double> v = features_of(pts[i].x1, pts[i].x2, config_.features);
        for (int j = 0; j < f; ++j) d[i * static_cast<size_t>(f) + static_cast<size_t>(j)] = static_cast<float>(v[static_cast<size_t>(j)]);
    }
    return x;
}

void Playground::build_network() {
    layers_.clear();
    Generator gen(config_.data.seed);
    int in = feature_dims(config_.features);
    std::vector<int> outs = config_.hidden;
    outs.push_back(2);
    for (size_t l = 0; l < outs.size(); ++l) {
        const bool last = l + 1 == outs.size();
        // He for ReLU, Glorot for tanh and sigmoid (and for the output layer), biases 0.
        const nn::Init init = !last && config_.activation == nn::Activation::relu ? nn::Init::he : nn::Init::xavier;
        auto layer = std::make_shared<nn::Linear>(nn::LinearOptions(in, outs[l]).init(init));
        layer->reset_parameters(gen);
        layers_.push_back(layer);
        in = outs[l];
    }
}

void Playground::build_optimizer() {
    std::vector<Tensor> params;
    for (const auto& l : layers_) {
        params.push_back(l->weight);
        params.push_back(l->bias);
    }
    opt_ = optim::make_optimizer(config_.optimizer, params, config_.lr, 0.0, 0.9);
}

Tensor Playground::forward(const Tensor& x, std::vector<Tensor>* hidden) const {
    Tensor h = x;
    for (size_t l = 0; l < layers_.size(); ++l) {
        h = linear(h, layers_[l]->weight, layers_[l]->bias);  // [N, out_l]
        if (l + 1 == layers_.size()) break;
        switch (config_.activation) {
            case nn::Activation::relu: h = relu(h); break;
            case nn::Activation::sigmoid: h = sigmoid(h); break;
            default: h = tanh(h); break;
        }
        if (hidden) hidden->push_back(h);
    }
    return h;  // [N, 2] logits
}

int Playground::train_batches(int batches) {
    const int64_t n = static_cast<int64_t>(split_.train.size());
    if (n == 0 || batches <= 0) return 0;
    const int f = feature_dims(config_.features);
    const float* xs = train_x_.data<float>();
    const int32_t* ys = train_y_.data<int32_t>();
    int done = 0;
    for (; done < batches; ++done) {
        if (cursor_ >= order_.size()) {
            if (!order_.empty()) ++epoch_;
            order_.resize(static_cast<size_t>(n));
            std::iota(order_.begin(), order_.end(), 0);
            std::shuffle(order_.begin(), order_.end(), shuffle_gen_.engine());
            cursor_ = 0;
        }
        const size_t b = std::min(static_cast<size_t>(config_.batch_size), order_.size() - cursor_);
        Tensor x = Tensor::empty({static_cast<int64_t>(b), f}, DType::f32);  // [B, F]
        Tensor y = Tensor::empty({static_cast<int64_t>(b)}, DType::i32);     // [B]
        float* xd = x.data<float>();
        int32_t* yd = y.data<int32_t>();
        for (size_t i = 0; i < b; ++i) {
            const int64_t r = order_[cursor_ + i];
            std::copy(xs + r * f, xs + (r + 1) * f, xd + i * static_cast<size_t>(f));
            yd[i] = ys[r];
        }
        cursor_ += b;
        opt_->zero_grad();
        Tensor loss = cross_entropy(forward(x), y);
        loss.backward();
        if (config_.l1 > 0 || config_.l2 > 0) {
            // Regularisation on the weights only: d/dw (λ₁|w| + λ₂/2·w²) = λ₁·sign(w) + λ₂·w, added to the gradient.
            for (const auto& l : layers_) {
                Tensor g = l->weight.grad();
                if (!g.defined()) continue;
                float* gd = g.data<float>();
                const float* wd = l->weight.data<float>();
                for (int64_t i = 0; i < l->weight.numel(); ++i)
                    gd[i] += static_cast<float>(config_.l1 * ((wd[i] > 0) - (wd[i] < 0)) + config_.l2 * wd[i]);
            }
        }
        opt_->step();
        ++steps_;
        if (cursor_ >= order_.size()) {
            ++epoch_;
            order_.clear();
        }
    }
    return done;
}

void Playground::train_epoch() {
    const int64_t n = static_cast<int64_t>(split_.train.size());
    if (n == 0) return;
    // Finish the current pass (or make a whole new one).
    const size_t left = order_.empty() ? static_cast<size_t>(n) : order_.size() - cursor_;
    const int batches = static_cast<int>((left + static_cast<size_t>(config_.batch_size) - 1) / static_cast<size_t>(config_.batch_size));
    train_batches(batches);
}

double Playground::epochs_done() const {
    const size_t n = split_.train.size();
    if (n == 0) return static_cast<double>(epoch_);
    return static_cast<double>(epoch_) + (order_.empty() ? 0.0 : static_cast<double>(cursor_) / static_cast<double>(n));
}

void Playground::loss_and_accuracy(const std::vector<Point>& pts, const Tensor& feats, double& loss, double& acc) const {
    if (pts.empty()) {
        loss = std::numeric_limits<double>::quiet_NaN();
        acc = 0;
        return;
    }
    autograd::NoGradGuard g;
    const Tensor logits = forward(feats);  // [N, 2]
    const float* d = logits.data<float>();
    double l = 0;
    int correct = 0;
    for (size_t i = 0; i < pts.size(); ++i) {
        const double a = d[2 * i], b = d[2 * i + 1], m = std::max(a, b);
        const double lse = m + std::log(std::exp(a - m) + std::exp(b - m));
        l += lse - (pts[i].label ? b : a);
        correct += ((b > a) ? 1 : 0) == pts[i].label;
    }
    loss = l / static_cast<double>(pts.size());
    acc = static_cast<double>(correct) / static_cast<double>(pts.size());
}

Metrics Playground::evaluate() const {
    Metrics m;
    loss_and_accuracy(split_.train, train_x_, m.train_loss, m.train_accuracy);
    loss_and_accuracy(split_.test, test_x_, m.test_loss, m.test_accuracy);
    return m;
}

namespace {
std::vector<Point> grid_points(int res) {
    std::vector<Point> pts;
    pts.reserve(static_cast<size_t>(res) * static_cast<size_t>(res));
    for (int r = 0; r < res; ++r)
        for (int c = 0; c < res; ++c) {
            // cell centres: x₁ left to right, x₂ top to bottom from +extent
            const double x1 = -plane_extent + (c + 0.5) * 2 * plane_extent / res;
            const double x2 = plane_extent - (r + 0.5) * 2 * plane_extent / res;
            pts.push_back({x1, x2, 0});
        }
    return pts;
}
float p_class1(const float* logits, size_t i) {
    return static_cast<float>(1.0 / (1.0 + std::exp(static_cast<double>(logits[2 * i]) - logits[2 * i + 1])));
}
}  // namespace

std::vector<double> Playground::predict(const std::vector<Point>& points) const {
    autograd::NoGradGuard g;
    std::vector<double> out(points.size());
    if (points.empty()) return out;
    const Tensor logits = forward(features_tensor(points));
    for (size_t i = 0; i < points.size(); ++i) out[i] = p_class1(logits.data<float>(), i);
    return out;
}

Grid Playground::output_grid(int res) const {
    Grid g;
    g.res = std::clamp(res, 1, 1024);
    const std::vector<double> p = predict(grid_points(g.res));
    g.values.assign(p.begin(), p.end());
    return g;
}

std::vector<Grid> Playground::node_grids(int res) const {
    res = std::clamp(res, 1, 256);
    autograd::NoGradGuard guard;
    const std::vector<Point> pts = grid_points(res);
    const Tensor x = features_tensor(pts);  // [R², F]
    std::vector<Tensor> hidden;
    const Tensor logits = forward(x, &hidden);
    std::vector<Grid> out;
    auto columns = [&](const Tensor& t) {
        const int64_t n = t.size(0), w = t.size(1);
        const float* d = t.data<float>();
        for (int64_t j = 0; j < w; ++j) {
            Grid g;
            g.res = res;
            g.values.resize(static_cast<size_t>(n));
            for (int64_t i = 0; i < n; ++i) g.values[static_cast<size_t>(i)] = d[i * w + j];
            out.push_back(std::move(g));
        }
    };
    columns(x);
    for (const Tensor& h : hidden) columns(h);
    Grid o;
    o.res = res;
    o.values.resize(pts.size());
    for (size_t i = 0; i < pts.size(); ++i) o.values[i] = p_class1(logits.data<float>(), i);
    out.push_back(std::move(o));
    return out;
}

std::vector<int> Playground::layer_sizes() const {
    std::vector<int> s{feature_dims(config_.features)};
    for (int h : config_.hidden) s.push_back(h);
    s.push_back(2);
    return s;
}

std::vector<std::vector<float>> Playground::weights() const {
    std::vector<std::vector<float>> w;
    for (const auto& l : layers_) w.emplace_back(l->weight.data<float>(), l->weight.data<float>() + l->weight.numel());
    return w;
}

std::vector<std::vector<float>> Playground::biases() const {
    std::vector<std::vector<float>> b;
    for (const auto& l : layers_) b.emplace_back(l->bias.data<float>(), l->bias.data<float>() + l->bias.numel());
    return b;
}

void Playground::set_parameters(const std::vector<std::vector<float>>& w, const std::vector<std::vector<float>>& b) {
    if (w.size() != layers_.size() || b.size() != layers_.size())
        throw ConfigError("playground: set_parameters needs " + std::to_string(layers_.size()) + " layers of weights and biases");
    for (size_t l = 0; l < layers_.size(); ++l)
        if (w[l].size() != static_cast<size_t>(layers_[l]->weight.numel()) || b[l].size() != static_cast<size_t>(layers_[l]->bias.numel()))
            throw ConfigError("playground: set_parameters: layer " + std::to_string(l) + " has the wrong number of values");
    for (size_t l = 0; l < layers_.size(); ++l) {
        std::copy(w[l].begin(), w[l].end(), layers_[l]->weight.data<float>());
        std::copy(b[l].begin(), b[l].end(), layers_[l]->bias.data<float>());
    }
}

}  // namespace bp::playground
