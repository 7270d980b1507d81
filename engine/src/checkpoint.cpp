// checkpoint.cpp — autograd::checkpoint of checkpoint.h: a forward without recording and one "checkpoint"
// node whose backward recomputes fn with recording on and runs the ordinary backward over that small graph.
#include "bp/checkpoint.h"

#include "bp/autograd.h"
#include "bp/gradcheck.h"
#include "bp/ops.h"

namespace bp::autograd {

Tensor checkpoint(const std::function<Tensor(const std::vector<Tensor>&)>& fn, const std::vector<Tensor>& inputs,
                  const std::vector<Tensor>& params, const std::vector<Generator*>& generators) {
    BP_CHECK(static_cast<bool>(fn), "checkpoint: no function given");
    bool record_it = false;
    for (const Tensor& x : inputs) {
        if (!x.defined()) throw ConfigError("checkpoint: an input tensor is undefined");
        record_it = record_it || x.requires_grad();
    }
    for (const Tensor& p : params) record_it = record_it || (p.defined() && p.requires_grad());
    if (!record_it || !grad_enabled()) return fn(inputs);

    std::vector<Generator> at_forward;  // the generators' states as fn starts: the recompute starts there too
    at_forward.reserve(generators.size());
    for (const Generator* g : generators) at_forward.push_back(*g);
    Tensor y;
    {
        NoGradGuard no_grad;
        y = fn(inputs);
    }
    if (!y.defined()) throw ConfigError("checkpoint: the function returned an undefined tensor");
    // A new tensor onto y's storage: fn may have returned an input or a parameter, whose history is not ours to set.
    Tensor out = y.detach();

    std::vector<Tensor> node_inputs = inputs;
    node_inputs.insert(node_inputs.end(), params.begin(), params.end());
    const size_t n_node_inputs = node_inputs.size();
    record(
        "checkpoint", out, std::move(node_inputs),
        [fn, inputs, generators, at_forward, n_node_inputs](const Tensor& grad_output) -> std::vector<Tensor> {
            // 1. Recompute fn with recording on (a backward step turns it off), from leaf copies of the inputs so
            //    that the inner backward stops there, with each generator rewound to its state at the forward.
            std::vector<Tensor> leaves;
            leaves.reserve(inputs.size());
            for (const Tensor& x : inputs) {
                leaves.push_back(x.detach());
                if (x.requires_grad()) leaves.back().set_requires_grad(true);
            }
            std::vector<Generator> now;
            now.reserve(generators.size());
            for (size_t i = 0; i < generators.size(); ++i) {
                now.push_back(*generators[i]);
                *generators[i] = at_forward[i];
            }
            Tensor y2;
            {
                GradModeGuard grad_on(true);
                y2 = fn(leaves);
            }
            for (size_t i = 0; i < generators.size(); ++i) *generators[i] = now[i];  // later draws not shifted
            if (y2.shape() != grad_output.shape())
                throw ShapeError("checkpoint: the recomputed output " + shape_str(y2.shape()) +
                                 " differs from the forward's " + shape_str(grad_output.shape()) +
                                 "; the function must give the same result every time it runs");
            // 2. The ordinary backward over that graph: parameters' gradients accumulate into their .grad as they
            //    would have without checkpointing; the inputs' arrive in the leaves and go to the outer graph.
            std::vector<Tensor> grads(n_node_inputs);
            if (y2.requires_grad()) {
                backward(y2, grad_output);
                for (size_t i = 0; i < inputs.size(); ++i)
                    if (inputs[i].requires_grad()) grads[i] = leaves[i].grad();
            }
            return grads;
        },
        "recompute in backward");
    return out;
}

Tensor checkpoint(const std::function<Tensor(const Tensor&)>& fn, const Tensor& x, const std::vector<Tensor>& params,
                  const std::vector<Generator*>& generators) {
    BP_CHECK(static_cast<bool>(fn), "checkpoint: no function given");
    return checkpoint([fn](const std::vector<Tensor>& in) { return fn(in[0]); }, std::vector<Tensor>{x}, params,
                      generators);
}

// float64 gradient checks: a two-layer function with a parameter (in[1]) read inside, and one with dropout whose
// mask must replay in the recompute. The checks differentiate through the checkpoint node and its recompute.
using V = std::vector<Shape>;
BP_REGISTER_GRADCHECK("checkpoint", "tanh(x W) W' , x [3, 4], W [4, 4]", (V{{3, 4}, {4, 4}}),
                      gradcheck::Domain::away_from_zero, [](const std::vector<Tensor>& in) {
                          const Tensor w = in[1];
                          return checkpoint([w](const Tensor& x) { return matmul(tanh(matmul(x, w)), w); }, in[0], {w});
                      });
BP_REGISTER_GRADCHECK("checkpoint", "dropout p 0.4 inside (replayed), x [4, 5]", (V{{4, 5}}),
                      gradcheck::Domain::away_from_zero, [](const std::vector<Tensor>& in) {
                          // It must outlive the backward pass (as a Dropout layer's does); seeded per call, so
                          // every finite-difference evaluation sees the same mask.
                          static Generator gen;
                          gen.seed(11);
                          return checkpoint([](const Tensor& x) { return mul(dropout(x, 0.4, true, gen), x); },
                                            in[0], {}, {&gen});
                      });

}  // namespace bp::autograd
