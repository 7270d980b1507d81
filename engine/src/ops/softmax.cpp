// softmax.cpp — softmax and log-softmax over the last dimension, the fused softmax-cross-entropy loss
// (stable for large logits: it never exponentiates above the row maximum), and the mean squared error.
#include "ops/op_util.h"

#include "cpu/cpu_kernels.h"
#include "deferred_fill.h"

namespace bp {
using namespace detail;

static Tensor softmax_impl(const char* name, const Tensor& x, bool log) {
    check_float(name, x);
    if (x.dim() < 1 || x.shape().back() == 0)
        throw ShapeError(std::string(name) + ": needs at least one class in the last dimension; got " +
                         shape_str(x.shape()));
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    backend_for(x).softmax(y, x, log);
    if (autograd::needs_record({&x}))
        autograd::record(name, y, {x}, [y = y.detach(), log](const Tensor& g) -> std::vector<Tensor> {
            // softmax:      grad_x = y ⊙ (g − Σ_j g_j y_j)
            // log_softmax:  grad_x = g − softmax(x) · Σ_j g_j
            Tensor gx = Tensor::empty(y.shape(), y.dtype(), y.device());
            double g1 = 0;  // the gradient of a full sum: one value, not yet written (deferred_fill.h): read y only
            if (detail::deferred_fill_value(g, &g1)) cpu::softmax_backward_uniform(gx, y, g1, log);
            else backend_for(y).softmax_backward(gx, g, y, log);
            return {gx};
        });
    return y;
}

Tensor softmax(const Tensor& x) { return softmax_impl("softmax", x, false); }
Tensor log_softmax(const Tensor& x) { return softmax_impl("log_softmax", x, true); }

// cross_entropy: L = (1/N) Σ_n −log softmax(z_n)[t_n]     logits z: [N, C]  targets t: [N]
// backward: dL/dz_n = (softmax(z_n) − onehot(t_n)) / N, times the upstream scalar g
Tensor cross_entropy(const Tensor& logits, const Tensor& targets) {
    check_float("cross_entropy", logits);
    if (!targets.defined() || targets.dtype() != DType::i32)
        throw ConfigError("cross_entropy: targets must be an int32 tensor of class indices");
    if (logits.dim() != 2 || targets.dim() != 1 || targets.size(0) != logits.size(0))
        throw ShapeError("cross_entropy", logits.shape(), targets.shape(),
                         "logits must be [N, C] and targets [N] with the same N");
    if (logits.size(0) == 0) throw ShapeError("cross_entropy: the batch is empty; got logits " + shape_str(logits.shape()));
    const int64_t c = logits.size(1);
    // The range check reads them on the host: a copy only when they live on a GPU.
    const Tensor targets_host = targets.device() == Device::cpu ? targets : targets.to(Device::cpu);
    const int32_t* t = targets_host.data<int32_t>();
    for (int64_t i = 0; i < targets.numel(); ++i)
        if (t[i] < 0 || t[i] >= c)
            throw ConfigError("cross_entropy: target " + std::to_string(t[i]) + " at position " + std::to_string(i) +
                              " is not a class index in [0, " + std::to_string(c) + "); check the labels and the model's output size");
    Tensor loss = Tensor::empty({}, logits.dtype(), logits.device());
    Tensor probs = Tensor::empty(logits.shape(), logits.dtype(), logits.device());
    // The kernels read them beside the logits: a copy only when the devices differ.
    const Tensor tgt = targets.device() == logits.device() ? targets : targets.to(logits.device());
    backend_for(logits).cross_entropy(loss, probs, logits, tgt);
    if (autograd::needs_record({&logits}))
        autograd::record("cross_entropy", loss, {logits, targets}, [probs, tgt](const Tensor& g) -> std::vector<Tensor> {
            Tensor gz = Tensor::empty(probs.shape(), probs.dtype(), probs.device());
            backend_for(probs).cross_entropy_backward(gz, probs, tgt, g.item());
            return {gz, Tensor()};
        });
    return loss;
}

// mse: L = (1/n) Σ (p − y)²;  dL/dp = 2 (p − y) / n · g;  dL/dy = −dL/dp
Tensor mse_loss(const Tensor& pred, const Tensor& target) {
    check_same("mse_loss", pred, target);
    if (pred.shape() != target.shape())
        throw ShapeError("mse_loss", pred.shape(), target.shape(), "prediction and target must have the same shape");
    if (pred.numel() == 0) throw ShapeError("mse_loss: empty tensors " + shape_str(pred.shape()));
    Backend& be = backend_for(pred);
    Tensor diff = Tensor::empty(pred.shape(), pred.dtype(), pred.device());
    be.binary(BinaryOp::sub, diff, pred, target);
    Tensor sq = Tensor::empty(pred.shape(), pred.dtype(), pred.device());
    be.unary(UnaryOp::square, sq, diff, 0.0);
    const double n = static_cast<double>(pred.numel());
    Tensor loss = Tensor::empty({}, pred.dtype(), pred.device());
    be.sum_to(loss, sq, 1.0 / n);
    if (autograd::needs_record({&pred, &target}))
        autograd::record("mse_loss", loss, {pred, target}, [diff, n, pred, target](const Tensor& g) -> std::vector<Tensor> {
            const double s = 2.0 * g.item() / n;
            Tensor gp, gt;
            if (pred.requires_grad()) {
                gp = Tensor::empty(diff.shape(), diff.dtype(), diff.device());
                backend_for(diff).sum_to(gp, diff, s);
            }
            if (target.requires_grad()) {
                gt = Tensor::empty(diff.shape(), diff.dtype(), diff.device());
                backend_for(diff).sum_to(gt, diff, -s);
            }
            return {gp, gt};
        });
    return loss;
}

using V = std::vector<Shape>;
BP_REGISTER_GRADCHECK("softmax", "[3, 5] over the last dim", (V{{3, 5}}), Domain::away_from_zero,
                      [](const Inputs& in) { return softmax(in[0]); });
BP_REGISTER_GRADCHECK("log_softmax", "[3, 5] over the last dim", (V{{3, 5}}), Domain::away_from_zero,
                      [](const Inputs& in) { return log_softmax(in[0]); });
BP_REGISTER_GRADCHECK("cross_entropy", "logits [4, 6], targets 0 5 2 3", (V{{4, 6}}), Domain::away_from_zero,
                      [](const Inputs& in) {
                          return cross_entropy(in[0], Tensor::from_vector({4}, {0, 5, 2, 3}, DType::i32));
                      });
BP_REGISTER_GRADCHECK("cross_entropy", "large logits (x 40)", (V{{3, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) {
                          return cross_entropy(scale(in[0], 40.0), Tensor::from_vector({3}, {1, 0, 3}, DType::i32));
                      });
BP_REGISTER_GRADCHECK("mse_loss", "[3, 4] vs [3, 4]", (V{{3, 4}, {3, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return mse_loss(in[0], in[1]); });

}  // namespace bp
