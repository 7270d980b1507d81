// autograd.cpp — graph recording, topological order, and the one backward loop (BackwardStepper) that
// both backward() and the stepper page use.
#include "bp/autograd.h"

#include <unordered_set>

#include "bp/backend.h"

namespace bp::autograd {

static thread_local bool g_grad_enabled = true;

bool grad_enabled() { return g_grad_enabled; }

NoGradGuard::NoGradGuard() : prev_(g_grad_enabled) { g_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { g_grad_enabled = prev_; }

GradModeGuard::GradModeGuard(bool on) : prev_(g_grad_enabled) { g_grad_enabled = on; }
GradModeGuard::~GradModeGuard() { g_grad_enabled = prev_; }

bool needs_record(std::initializer_list<const Tensor*> inputs) {
    if (!g_grad_enabled) return false;
    for (const Tensor* t : inputs)
        if (t && t->defined() && t->requires_grad()) return true;
    return false;
}

void record(const char* op, Tensor& out, std::vector<Tensor> inputs, BackwardFn fn, std::string attrs) {
    auto node = std::make_shared<Node>();
    node->op = op;
    node->attrs = std::move(attrs);
    node->needs_grad.reserve(inputs.size());
    for (const Tensor& t : inputs) node->needs_grad.push_back(t.defined() && t.requires_grad());
    node->inputs = std::move(inputs);
    node->output = out.impl_ptr();
    node->backward = std::move(fn);
    out.impl()->grad_fn = std::move(node);
    out.impl()->requires_grad = true;
}

std::vector<std::shared_ptr<Node>> topo_order(const Tensor& root) {
    // Iterative post-order DFS (deep graphs would overflow a recursive one), then reversed.
    std::vector<std::shared_ptr<Node>> order;
    if (!root.defined() || !root.grad_fn()) return order;
    std::unordered_set<const Node*> seen;
    std::vector<std::pair<std::shared_ptr<Node>, size_t>> stack;
    stack.emplace_back(root.grad_fn(), 0);
    seen.insert(root.grad_fn().get());
    while (!stack.empty()) {
        auto& [node, next] = stack.back();
        if (next < node->inputs.size()) {
            const Tensor& in = node->inputs[next++];
            if (in.defined() && in.grad_fn() && !seen.count(in.grad_fn().get())) {
                seen.insert(in.grad_fn().get());
                stack.emplace_back(in.grad_fn(), 0);
            }
        } else {
            order.push_back(node);
            stack.pop_back();
        }
    }
    return {order.rbegin(), order.rend()};
}

BackwardStepper::BackwardStepper(const Tensor& root, const Tensor& seed) : root_(root) {
    if (!root.defined()) throw ConfigError("backward: the tensor is undefined");
    if (!root.requires_grad())
        throw ConfigError("backward: " + root.repr() +
                          " does not require grad; no parameter or input with requires_grad reached it");
    Tensor s = seed;
    if (!s.defined()) {
        if (root.numel() != 1)
            throw ShapeError("backward: a non-scalar root " + shape_str(root.shape()) +
                             " needs an explicit seed gradient of the same shape");
        s = Tensor::ones(root.shape(), root.dtype(), root.device());
    } else if (s.shape() != root.shape()) {
        throw ShapeError("backward", s.shape(), root.shape(), "the seed gradient must have the root's shape");
    }
    // Accumulate into an existing gradient (as .backward() twice without zero_grad would).
    if (root.impl()->grad) {
        Tensor sum = Tensor::empty(root.shape(), root.dtype(), root.device());
        backend_for(root).axpby(sum, 1.0, Tensor(root.impl()->grad), 1.0, s);
        root.impl()->grad = sum.impl_ptr();
    } else {
        root.impl()->grad = s.impl_ptr();
    }
    nodes_ = topo_order(root);
}

static void accumulate(const Tensor& target, const Tensor& g) {
    TensorImpl* impl = target.impl();
    if (g.shape() != target.shape())
        throw ShapeError("backward: gradient shape " + shape_str(g.shape()) + " does not match tensor " +
                         shape_str(target.shape()) + " (internal op error)");
    if (!impl->grad) {
        impl->grad = g.impl_ptr();  // no copy: produced gradients are never written to afterwards
        return;
    }
    Tensor sum = Tensor::empty(target.shape(), target.dtype(), target.device());
    backend_for(target).axpby(sum, 1.0, Tensor(impl->grad), 1.0, g);
    impl->grad = sum.impl_ptr();  // out of place: an earlier gradient may be shared with another tensor
}

StepRecord BackwardStepper::step() {
    BP_CHECK(!done(), "step() after the backward pass finished");
    NoGradGuard no_grad;  // backward functions compute with plain tensors; they record nothing
    StepRecord rec;
    rec.node = nodes_[pos_++];
    auto out = rec.node->output.lock();
    BP_CHECK(out != nullptr, "a graph node outlived its output");
    rec.output = Tensor(out);
    if (!out->grad) {
        // The output does not influence the root (e.g. an unused branch): its gradient is zero.
        Tensor z = Tensor::zeros(out->shape, out->dtype, out->storage->device);
        out->grad = z.impl_ptr();
    }
    rec.grad_output = Tensor(out->grad);
    rec.grad_inputs = rec.node->backward(rec.grad_output);
    BP_CHECK(rec.grad_inputs.size() == rec.node->inputs.size(), "backward of " + rec.node->op +
                                                                   " returned the wrong number of gradients");
    for (size_t i = 0; i < rec.grad_inputs.size(); ++i) {
        if (!rec.node->needs_grad[i] || !rec.grad_inputs[i].defined()) continue;
        accumulate(rec.node->inputs[i], rec.grad_inputs[i]);
    }
    return rec;
}

void BackwardStepper::run_all() {
    while (!done()) step();
}

void backward(const Tensor& root, const Tensor& seed) {
    BackwardStepper stepper(root, seed);
    stepper.run_all();
}

}  // namespace bp::autograd
