// stepper.h — StepperSession: a small example network whose forward pass is shown one op at a time and
// whose backward pass is run one node at a time by autograd::BackwardStepper (the engine's own backward, no
// second implementation), then one optimizer step. Each node carries its formulas, values, gradients and a
// finite-difference check of what it sent to its inputs. Also the gradient-flow experiment (sigmoid vs ReLU
// in a deep MLP). Plain C++; the Backprop page shows it. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bp/autograd.h"
#include "bp/data/dataset.h"
#include "bp/tensor.h"

namespace bp::train {

/// The forward and local-derivative formulas of an op, for display. Unknown ops get empty strings.
struct OpFormula {
    std::string forward;     // "σ(x) = 1/(1+e^(−x))"
    std::string derivative;  // "σ'(x) = σ(x)(1 − σ(x))"
};
OpFormula op_formula(const std::string& op);

/// Re-evaluates a recorded node's forward on the given inputs (no recording). False for ops it cannot
/// rebuild from their name (the numerical check is then skipped).
bool reevaluate_node(const Node& node, const Shape& output_shape, const std::vector<Tensor>& inputs, Tensor& out);

/// Finite-difference check of one input of a node: numeric = ∂(Σ f(x) ⊙ grad_output)/∂x by central
/// differences, evaluated in float64 (float32 inputs are converted). Large inputs are sampled evenly.
struct NumericCheck {
    bool available = false;
    std::vector<int64_t> indices;  // which entries of the input were checked (all when checked == numel)
    std::vector<double> numeric, analytic;
    double max_abs_diff = 0;
    int64_t numel = 0;
};
NumericCheck numeric_check(const Node& node, const Tensor& output, const Tensor& grad_output,
                           const Tensor& grad_input, size_t input_index, int64_t max_entries = 4096,
                           double eps = 1e-6);

/// One node of the example graph, in forward order (id = position in the forward pass).
struct StepNode {
    size_t id = 0;
    std::string op, attrs;
    OpFormula formula;
    std::vector<Tensor> inputs;
    std::vector<std::string> input_names;  // parameter or data name, or "#k op" for another node's output
    std::vector<int> input_producers;      // forward id of the node that made input k, −1 for a leaf
    std::vector<bool> needs_grad;
    Tensor output;
};

/// What the backward pass did at one node (filled once the stepper has run it).
struct StepGrad {
    Tensor grad_output;               // upstream gradient dL/d output
    std::vector<Tensor> grad_inputs;  // sent to each input (undefined where not needed)
    std::vector<NumericCheck> checks; // one per input
    double max_diff = 0;              // over every checked input
};

struct ParamChange {
    std::string name;
    Shape shape;
    std::vector<double> before, grad, after;
};

/// A network and one batch to step through, made elsewhere (e.g. the playground's current network): named float64
/// parameters, the batch, the SGD learning rate and the loss as a function of the parameters (in the order of
/// `params`), the inputs and the targets. StepperSession takes the tensors over (it marks them as requiring grad).
struct StepperProblem {
    std::string name;  // shown as the example's name, e.g. "playground"
    double lr = 0.1;
    Tensor x, t;
    std::vector<std::pair<std::string, Tensor>> params;
    std::function<Tensor(const std::vector<Tensor>& params, const Tensor& x, const Tensor& t)> loss;
};

class StepperSession {
public:
    /// "neuron", "xor", "mnist-mlp".
    static std::vector<std::string> examples();
    /// Builds the example and runs its forward pass (recorded; shown one op at a time). mnist-mlp reads
    /// 8 MNIST test images from data_dir (throws bp::DataError when MNIST is missing).
    explicit StepperSession(const std::string& example, const std::string& data_dir = "", uint64_t seed = 1);
    /// Steps through a network made elsewhere. Throws ConfigError when it has no parameters or no loss.
    explicit StepperSession(StepperProblem problem);

    const std::string& example() const { return example_; }
    double learning_rate() const { return lr_; }
    const std::vector<StepNode>& nodes() const { return nodes_; }  // forward order
    /// Forward ids in the order the backward pass visits them (the reverse of the forward order).
    std::vector<size_t> backward_order() const;
    Tensor loss() const { return loss_; }
    std::vector<std::pair<std::string, Tensor>> parameters() const { return params_; }
    /// Replaces one parameter's values and restarts the pass (for fixed-weight demos and tests).
    void set_parameter(const std::string& name, const std::vector<double>& values);
    /// Extra per-example display hints: the inputs and targets (neuron, xor) or image count (mnist).
    const Tensor& inputs() const { return x_; }
    const Tensor& targets() const { return t_; }

    // Position: forward ops revealed (0..n), then backward nodes run (0..n).
    size_t forward_position() const { return fwd_pos_; }
    size_t backward_position() const { return stepper_ ? stepper_->position() : 0; }
    bool forward_done() const { return fwd_pos_ >= nodes_.size(); }
    bool backward_done() const { return stepper_ && stepper_->done(); }
    int updates() const { return static_cast<int>(history_.size()); }
    /// Total steps taken since the first forward pass (what back_one_step undoes).
    size_t step_count() const;

    /// Reveals the next op of the forward pass; returns its id (none when the forward pass is done).
    std::optional<size_t> step_forward();
    /// Runs one node of the backward pass (finishing the forward display first); returns its id.
    std::optional<size_t> step_backward();
    /// Finishes the current pass (forward if it is being shown, else backward).
    void run_to_end_of_pass();
    /// Undoes the last step: rebuilds the graph from the parameters and replays to step k − 1 (an update
    /// is undone by restoring the parameters it changed).
    void back_one_step();
    /// Back to the start of the forward pass with the current parameters.
    void restart();
    /// Finishes the backward pass, applies SGD (lr) and starts a new forward pass with the new parameters.
    std::vector<ParamChange> update();

    /// Gradients of node `id` once the backward pass has run it.
    const StepGrad* grad(size_t id) const;
    /// The node the last step touched (forward or backward), if any.
    std::optional<size_t> current() const { return current_; }

private:
    void build_graph();  // forward pass from params_ values
    void replay(size_t fwd, size_t bwd);

    std::string example_, data_dir_;
    uint64_t seed_;
    double lr_ = 0.5;
    std::function<Tensor(const std::vector<Tensor>& params, const Tensor& x, const Tensor& t)> forward_;  // the loss
    std::vector<std::pair<std::string, Tensor>> params_;
    Tensor x_, t_, loss_;
    std::vector<StepNode> nodes_;
    std::vector<std::optional<StepGrad>> grads_;
    std::unique_ptr<autograd::BackwardStepper> stepper_;
    size_t fwd_pos_ = 0;
    std::optional<size_t> current_;
    std::vector<std::vector<std::vector<double>>> history_;  // parameter values before each update
};

/// Per-layer weight-gradient norms while training a deep MLP (784 → 64 ×(layers−1) → 10) on images.
struct GradientFlow {
    std::string activation;
    std::vector<std::vector<double>> norms;  // [layer][step]
    std::vector<double> losses;              // [step]
};
/// Trains `steps` SGD steps (batches of 32 from the first `images` images) and records each Linear layer's
/// weight-gradient L2 norm. Example: gradient_flow(train, "sigmoid", 6, 50, 512)
GradientFlow gradient_flow(const data::ImageDataset& ds, const std::string& activation, int layers = 6,
                           int steps = 50, int images = 512, double lr = 0.1, uint64_t seed = 3);

}  // namespace bp::train
