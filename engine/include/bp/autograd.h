// autograd.h — define-by-run reverse-mode differentiation. Each op records a Node (op name, inputs, a weak
// link to its output, and a backward function that returns one gradient per input). backward() sorts the
// nodes topologically and runs them; BackwardStepper runs the very same sorted list one node at a time and
// reports what each node received and produced — the backprop stepper page is built on it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bp/tensor.h"

namespace bp {

/// Returns the gradient for each input (an undefined Tensor where that input needs none).
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output)>;

struct Node {
    std::string op;                      // "matmul", "relu", ...
    std::string attrs;                   // e.g. "approximate=tanh"; shown by the stepper
    std::vector<Tensor> inputs;          // strong: keeps the graph alive from the root
    std::vector<bool> needs_grad;        // per input
    std::weak_ptr<TensorImpl> output;    // weak: the output owns this node
    BackwardFn backward;
};

namespace autograd {

bool grad_enabled();

/// While alive, ops record nothing (inference, optimizer updates). Nests; thread-local.
class NoGradGuard {
public:
    NoGradGuard();
    ~NoGradGuard();
    NoGradGuard(const NoGradGuard&) = delete;
    NoGradGuard& operator=(const NoGradGuard&) = delete;

private:
    bool prev_;
};

/// While alive, recording is `on` whatever it was (the checkpoint's recompute runs with it on inside a backward
/// step, which turns recording off). Nests; thread-local.
class GradModeGuard {
public:
    explicit GradModeGuard(bool on);
    ~GradModeGuard();
    GradModeGuard(const GradModeGuard&) = delete;
    GradModeGuard& operator=(const GradModeGuard&) = delete;

private:
    bool prev_;
};

/// True when any input requires grad and recording is on: the op should call record().
bool needs_record(std::initializer_list<const Tensor*> inputs);

/// Attach a node to out. Call only when needs_record() said so.
void record(const char* op, Tensor& out, std::vector<Tensor> inputs, BackwardFn fn, std::string attrs = {});

/// Nodes reachable from root, in the order backward runs them (root's node first).
std::vector<std::shared_ptr<Node>> topo_order(const Tensor& root);

/// One backward step: the node, the gradient that arrived at its output, and what it sent to each input.
struct StepRecord {
    std::shared_ptr<Node> node;
    Tensor output;                    // the node's output tensor
    Tensor grad_output;               // upstream gradient (dL/d output)
    std::vector<Tensor> grad_inputs;  // produced for each input (undefined where not needed)
};

/// Runs the backward pass one node at a time. backward() is this, run to the end.
/// Example: BackwardStepper s(loss); while (!s.done()) { auto r = s.step(); show(r); }
class BackwardStepper {
public:
    explicit BackwardStepper(const Tensor& root, const Tensor& seed = {});
    bool done() const { return pos_ >= nodes_.size(); }
    size_t position() const { return pos_; }
    size_t size() const { return nodes_.size(); }
    const std::vector<std::shared_ptr<Node>>& nodes() const { return nodes_; }
    StepRecord step();
    void run_all();

private:
    Tensor root_;
    std::vector<std::shared_ptr<Node>> nodes_;
    size_t pos_ = 0;
};

/// dL/d(each tensor) for a scalar root, accumulated into .grad of every tensor that requires grad.
void backward(const Tensor& root, const Tensor& seed = {});

}  // namespace autograd
}  // namespace bp
