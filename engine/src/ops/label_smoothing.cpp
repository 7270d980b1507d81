// label_smoothing.cpp — cross-entropy with label smoothing (Szegedy et al. 2016, "Rethinking the Inception
// Architecture", §7), composed from the fused cross_entropy and log_softmax: no kernel of its own, so its
// backward is theirs. Not a second cross-entropy: with ε = 0 it is exactly cross_entropy.
#include "bp/gradcheck.h"
#include "bp/ops.h"
#include "op_util.h"

namespace bp {

// Target q = (1 − ε)·onehot(t) + ε/C.  L = −(1/N) Σ_n Σ_c q_c log p_nc
//   = (1 − ε)·[−(1/N) Σ_n log p_n,t_n] + ε·[−(1/(N·C)) Σ_n Σ_c log p_nc]
//   = (1 − ε)·cross_entropy(z, t) − ε·mean(log_softmax(z))          logits z: [N, C]  targets t: [N]
// backward: dL/dz = (1 − ε)(p − onehot)/N + ε(p − 1/C)/N = (p − q)/N, from the two terms' own backwards.
Tensor cross_entropy(const Tensor& logits, const Tensor& targets, double label_smoothing) {
    if (!(label_smoothing >= 0) || label_smoothing >= 1)
        throw ConfigError("cross_entropy: label smoothing " + std::to_string(label_smoothing) +
                          " is out of range; use a value in [0, 1), e.g. 0.1");
    Tensor ce = cross_entropy(logits, targets);  // checks the shapes and the targets
    if (label_smoothing == 0) return ce;
    return sub(scale(ce, 1.0 - label_smoothing), scale(mean(log_softmax(logits)), label_smoothing));
}

namespace {
using gradcheck::Domain;
using Inputs = std::vector<Tensor>;
using V = std::vector<Shape>;
}  // namespace

BP_REGISTER_GRADCHECK("cross_entropy_label_smoothing", "logits [4, 6], targets 0 5 2 3, eps 0.1", (V{{4, 6}}),
                      Domain::away_from_zero, [](const Inputs& in) {
                          return cross_entropy(in[0], Tensor::from_vector({4}, {0, 5, 2, 3}, DType::i32), 0.1);
                      });
BP_REGISTER_GRADCHECK("cross_entropy_label_smoothing", "logits [3, 4], eps 0.3", (V{{3, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) {
                          return cross_entropy(in[0], Tensor::from_vector({3}, {1, 0, 3}, DType::i32), 0.3);
                      });

}  // namespace bp
