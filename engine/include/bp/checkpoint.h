// checkpoint.h — gradient checkpointing (Chen et al. 2016, "Training deep nets with sublinear memory cost"):
// y = fn(x) computed without recording fn's graph, so none of fn's intermediate tensors stay alive until the
// backward pass; only x (and y) do. When the backward pass reaches y, fn(x) is run again with recording on and
// the gradient is back-propagated through that fresh graph, which is freed as soon as it is done. The cost is
// one more forward of fn per training step; the saving is every tensor fn's ops would have kept.
//   Tensor y = autograd::checkpoint([&](const Tensor& h) { return block->forward(h); }, x, block->parameters());
// Gradients are the very same numbers as without checkpointing (bitwise, on a deterministic backend): the
// recompute runs the same kernels on the same inputs, and the inner backward visits fn's nodes in the order the
// whole-graph backward would. (A tensor used inside fn and also elsewhere gets its gradients summed in perhaps
// another order: bitwise equal for two contributions, within rounding for more.) Random draws inside fn replay: the generators named are rewound to their state
// at the forward for the recompute, and put back afterwards, so later draws are not shifted either.
#pragma once

#include <functional>
#include <vector>

#include "bp/tensor.h"

namespace bp::autograd {

/// y = fn(x), recomputed in the backward pass instead of kept (see above). `params`: every tensor fn reads
/// that may need a gradient other than x (a module's parameters); their gradients are accumulated into their
/// .grad by the recompute's backward. `generators`: every Generator fn draws from (dropout), to be replayed;
/// they (and whatever fn refers to) must outlive the backward pass, as a module's own generators do.
/// fn must be a function of x, params and those generators only, and must not change them. Without recording
/// (no grad, or nothing requires grad) this is fn(x). In the graph it is one node, "checkpoint", with inputs
/// x then params; the stepper shows the gradient it sends to x (params are reached inside it).
/// Example: Tensor y = checkpoint([&](const Tensor& h) { return mlp->forward(h); }, x, mlp->parameters());
Tensor checkpoint(const std::function<Tensor(const Tensor&)>& fn, const Tensor& x, const std::vector<Tensor>& params,
                  const std::vector<Generator*>& generators = {});

/// The same for a function of several tensors (e.g. attention's q, k, v): every input is kept, each gets its
/// gradient through the node; params as above.
Tensor checkpoint(const std::function<Tensor(const std::vector<Tensor>&)>& fn, const std::vector<Tensor>& inputs,
                  const std::vector<Tensor>& params, const std::vector<Generator*>& generators = {});

}  // namespace bp::autograd
