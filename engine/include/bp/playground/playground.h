// playground.h — the 2-D playground's engine side (TensorFlow Playground, on our own engine and uncapped):
// the datasets (circle, XOR, two Gaussians, spiral, or the learner's own points) on the plane [-6, 6]², the
// input features chosen by mask (x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂), an MLP of any depth and width made of
// nn::Linear and the engine's activations, trained with cross_entropy by SGD / momentum / Adam with L1 and L2
// on the weights, and the network's output (and every neuron's) over a grid of the plane. No Qt, no threads:
// a Playground is used by one thread at a time. The state's JSON file is in playground_file.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bp/nn/module.h"
#include "bp/optim/optimizer.h"

namespace bp::playground {

/// Points live in [-plane_extent, plane_extent]² (as in TensorFlow Playground).
inline constexpr double plane_extent = 6.0;
inline constexpr int max_hidden_layers = 16;
inline constexpr int max_neurons = 128;
inline constexpr int max_user_points = 5000;

enum class DatasetKind { circle, xor_, gaussians, spiral, custom };
const char* dataset_name(DatasetKind k);        // "circle", "xor", "gaussians", "spiral", "custom"
DatasetKind dataset_from_string(const std::string& s);  // ConfigError naming the choices otherwise

/// One point of the plane with its class (0 or 1).
struct Point {
    double x1 = 0, x2 = 0;
    int label = 0;
    bool operator==(const Point&) const = default;
};

/// The input features, one bit each.
enum Feature : unsigned { x1 = 1, x2 = 2, x1_sq = 4, x2_sq = 8, x1_x2 = 16, sin_x1 = 32, sin_x2 = 64 };
inline constexpr int feature_count = 7;
const char* feature_name(int bit_index);        // "x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"
unsigned feature_from_string(const std::string& s);  // the bit; ConfigError otherwise
int feature_dims(unsigned mask);                // how many bits are set
/// The chosen features of one point, in bit order. Example: features_of(2, 3, x1 | x1_x2) == {2, 6}
std::vector<double> features_of(double x1, double x2, unsigned mask);

struct DataConfig {
    DatasetKind kind = DatasetKind::circle;
    uint64_t seed = 1;
    double noise = 0.0;        ///< 0 … 0.5, as TensorFlow Playground's 0 … 50 %
    double train_ratio = 0.5;  ///< 0.1 … 0.9 of the points train; the rest test
    int count = 500;           ///< points of a built-in dataset
    std::vector<Point> user_points;  ///< the points of DatasetKind::custom
    bool operator==(const DataConfig&) const = default;
};

struct Split {
    std::vector<Point> train, test;
};

/// The dataset of `c`, deterministic per seed. A built-in one is shuffled and its first train_ratio·count
/// points train. A user point i is a test point when a hash of (seed, i) says so, so adding a point never moves
/// the others between train and test.
Split make_dataset(const DataConfig& c);

/// Everything a learner sets: the data, the features, the network and how it trains.
struct Config {
    DataConfig data;
    unsigned features = x1 | x2;
    std::vector<int> hidden = {4, 2};  ///< neurons per hidden layer; empty: the features go straight to the output
    nn::Activation activation = nn::Activation::tanh;  ///< relu, tanh or sigmoid
    double lr = 0.03;
    int batch_size = 10;
    double l1 = 0.0, l2 = 0.0;   ///< regularisation rates on the weights (not the biases)
    std::string optimizer = "sgd";  ///< "sgd", "momentum" or "adam"
    bool operator==(const Config&) const = default;
    /// Throws ConfigError naming the first field out of range.
    void validate() const;
};

/// Loss and accuracy on the train and test points (NaN loss, 0 accuracy for an empty set).
struct Metrics {
    double train_loss = 0, test_loss = 0, train_accuracy = 0, test_accuracy = 0;
};

/// Values over a res × res grid of the plane, row-major, row 0 at the top (x₂ = +extent), column 0 at x₁ = −extent.
struct Grid {
    int res = 0;
    std::vector<float> values;
};

class Playground {
public:
    /// Builds the data and a freshly initialised network (seeded by config.data.seed). Throws ConfigError.
    explicit Playground(const Config& config);

    /// Takes a new config and keeps what it can: the network survives a change of data or of the training
    /// settings, and is rebuilt (re-initialised) when the features or the hidden layers change.
    void apply(const Config& config);
    /// Re-initialises the network (same seed: the same start) and the optimizer; epoch and step back to 0.
    void reset();

    /// Trains on up to `batches` mini-batches, walking through the shuffled training set; returns how many ran.
    int train_batches(int batches);
    /// One pass over the training set; the epoch counter goes up by one.
    void train_epoch();

    Metrics evaluate() const;
    /// P(class 1) over the grid.
    Grid output_grid(int res) const;
    /// Every node's output over a grid: first the input features (in bit order), then each hidden layer's
    /// neurons (after the activation), then the output P(class 1). Sizes follow layer_sizes().
    std::vector<Grid> node_grids(int res) const;
    /// P(class 1) for each point.
    std::vector<double> predict(const std::vector<Point>& points) const;

    /// [features, hidden…, 2]: the output layer has two logits (cross-entropy); its diagram shows P(class 1).
    std::vector<int> layer_sizes() const;
    /// Layer l's weights, row-major [out, in] (Linear's layout), and biases [out].
    std::vector<std::vector<float>> weights() const;
    std::vector<std::vector<float>> biases() const;
    /// Overwrites the weights and biases (for tests and for the stepper); shapes must match layer_sizes().
    void set_parameters(const std::vector<std::vector<float>>& w, const std::vector<std::vector<float>>& b);

    const Config& config() const { return config_; }
    const Split& data() const { return split_; }
    int64_t epoch() const { return epoch_; }   ///< whole epochs done
    int64_t steps() const { return steps_; }   ///< mini-batches done
    /// Epochs as a real number (steps over batches per epoch), for the curves' x axis.
    double epochs_done() const;

private:
    void build_network();
    void build_optimizer();
    void build_data();
    Tensor forward(const Tensor& x, std::vector<Tensor>* hidden = nullptr) const;
    Tensor features_tensor(const std::vector<Point>& pts) const;
    void loss_and_accuracy(const std::vector<Point>& pts, const Tensor& feats, double& loss, double& acc) const;

    Config config_;
    Split split_;
    Tensor train_x_, test_x_, train_y_, test_y_;  // [N, F] f32, [N] i32
    std::vector<std::shared_ptr<nn::Linear>> layers_;
    std::unique_ptr<optim::Optimizer> opt_;
    std::vector<int64_t> order_;  // the shuffled training order of this epoch
    size_t cursor_ = 0;
    Generator shuffle_gen_;
    int64_t epoch_ = 0, steps_ = 0;
};

}  // namespace bp::playground
