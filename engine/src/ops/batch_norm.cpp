// batch_norm.cpp — batch normalisation for [N, C] and [N, C, H, W]: the op (shape checks, running-statistics
// update, autograd node with the derivation) and its gradient checks. Kernels: cpu/batch_norm.cpp.
#include "ops/op_util.h"

namespace bp {
using namespace detail;

// batch_norm, per channel c over its M = N·H·W elements x_i (Ioffe & Szegedy 2015, Algorithm 1):
//   μ = (1/M) Σ x_i;  σ² = (1/M) Σ (x_i − μ)²;  x̂_i = (x_i − μ)·r with r = (σ² + ε)^(−1/2);  y_i = γ x̂_i + β
// backward, g_i = ∂L/∂y_i:
//   1. ∂L/∂β = Σ g_i;   ∂L/∂γ = Σ g_i x̂_i
//   2. ∂L/∂x̂_i = γ g_i
//   3. ∂L/∂σ² = Σ_i ∂L/∂x̂_i · (x_i − μ) · (−½) r³                        (σ² reaches y through r)
//   4. ∂L/∂μ  = −r Σ_i ∂L/∂x̂_i + ∂L/∂σ² · (−2/M) Σ_i (x_i − μ)             (the second sum is 0)
//   5. ∂L/∂x_i = r ∂L/∂x̂_i + ∂L/∂σ² · 2(x_i − μ)/M + ∂L/∂μ / M             (x_i reaches y via x̂_i, σ², μ)
//   6. substituting 2–4 into 5:  ∂L/∂x_i = (γ r / M) · (M g_i − Σ_j g_j − x̂_i Σ_j g_j x̂_j)
// eval mode: μ and σ² are the running statistics, constants, so only the first term survives:
//   ∂L/∂x_i = γ r g_i  (1. is unchanged).
Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum, double eps) {
    check_float("batch_norm", x);
    if (x.dim() != 2 && x.dim() != 4)
        throw ShapeError("batch_norm: the input must be [N, C] (BatchNorm1d) or [N, C, H, W] (BatchNorm2d); got " +
                         shape_str(x.shape()));
    const int64_t C = x.size(1);
    const std::pair<const char*, const Tensor*> per_channel[] = {
        {"gamma", &gamma}, {"beta", &beta}, {"running_mean", &running_mean}, {"running_var", &running_var}};
    for (const auto& [name, t] : per_channel) {
        if (!t->defined()) continue;
        check_same("batch_norm", x, *t);
        if (t->dim() != 1 || t->size(0) != C)
            throw ShapeError("batch_norm", x.shape(), t->shape(),
                             std::string(name) + " must be [num_features] = [" + std::to_string(C) +
                                 "], the input's channel count");
    }
    if (!(eps > 0) || !(momentum >= 0 && momentum <= 1))
        throw ConfigError("batch_norm: needs eps > 0 and momentum in [0, 1]; got eps " + std::to_string(eps) +
                          " and momentum " + std::to_string(momentum));
    const int64_t M = C ? x.numel() / C : 0;
    const bool batch_stats = training || !running_mean.defined() || !running_var.defined();
    if (batch_stats && M <= 1)
        throw ShapeError("batch_norm: training needs more than one value per channel; got input " +
                         shape_str(x.shape()) + "; use a batch of 2 or more, or eval mode");
    Backend& be = backend_for(x);
    Tensor mean = Tensor::empty({C}, x.dtype(), x.device()), var = Tensor::empty({C}, x.dtype(), x.device());
    if (batch_stats) {
        be.batch_norm_stats(mean, var, x);  // biased variance, used to normalise
        if (training && running_mean.defined() && running_var.defined()) {
            Tensor rm = running_mean, rv = running_var;  // in place: r ← (1 − m)·r + m·batch (unbiased var)
            be.axpby(rm, 1.0 - momentum, rm, momentum, mean);
            be.axpby(rv, 1.0 - momentum, rv, momentum * static_cast<double>(M) / static_cast<double>(M - 1), var);
        }
    } else {  // copies: a later training step may update the running statistics before this backward runs
        mean.copy_(running_mean);
        var.copy_(running_var);
    }
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    be.batch_norm_apply(y, x, mean, var, gamma, beta, eps);
    if (autograd::needs_record({&x, &gamma, &beta}))
        autograd::record(
            "batch_norm", y, {x, gamma, beta},
            [x, gamma, beta, mean, var, eps, batch_stats](const Tensor& g) -> std::vector<Tensor> {
                Tensor gx, gg, gb;
                if (x.requires_grad()) gx = Tensor::empty(x.shape(), x.dtype(), x.device());
                if (gamma.defined() && gamma.requires_grad())
                    gg = Tensor::empty(gamma.shape(), gamma.dtype(), gamma.device());
                if (beta.defined() && beta.requires_grad()) gb = Tensor::empty(beta.shape(), beta.dtype(), beta.device());
                backend_for(g).batch_norm_backward(gx, gg, gb, g, x, mean, var, gamma, eps, batch_stats);
                return {gx, gg, gb};
            },
            std::string(training ? "training" : "eval") + ", eps=" + std::to_string(eps));
    return y;
}

using V = std::vector<Shape>;
// Running statistics are made inside each call (constants to the check); a fresh pair each time, so the
// in-place update in training mode cannot leak between the finite-difference evaluations.
static Tensor bn_case(const Inputs& in, bool training) {
    const int64_t C = in[0].size(1);
    Tensor rm = Tensor::full({C}, 0.3, DType::f64), rv = Tensor::full({C}, 1.7, DType::f64);
    return batch_norm(in[0], in.size() > 1 ? in[1] : Tensor(), in.size() > 2 ? in[2] : Tensor(), rm, rv, training);
}
BP_REGISTER_GRADCHECK("batch_norm", "training, x [6, 3], gamma [3], beta [3]", (V{{6, 3}, {3}, {3}}),
                      Domain::away_from_zero, [](const Inputs& in) { return bn_case(in, true); });
BP_REGISTER_GRADCHECK("batch_norm", "training, x [2, 3, 3, 4], gamma [3], beta [3]", (V{{2, 3, 3, 4}, {3}, {3}}),
                      Domain::away_from_zero, [](const Inputs& in) { return bn_case(in, true); });
BP_REGISTER_GRADCHECK("batch_norm", "training, x [3, 2, 2, 2], no affine", (V{{3, 2, 2, 2}}), Domain::away_from_zero,
                      [](const Inputs& in) { return bn_case(in, true); });
BP_REGISTER_GRADCHECK("batch_norm", "eval, x [4, 3], gamma [3], beta [3]", (V{{4, 3}, {3}, {3}}),
                      Domain::away_from_zero, [](const Inputs& in) { return bn_case(in, false); });
BP_REGISTER_GRADCHECK("batch_norm", "eval, x [2, 2, 3, 3], gamma [2], beta [2]", (V{{2, 2, 3, 3}, {2}, {2}}),
                      Domain::away_from_zero, [](const Inputs& in) { return bn_case(in, false); });

}  // namespace bp
