// schedule.h — the pieces of a transformer training step shared by the text trainers (GPT-mini's TextTrainer,
// BERT-mini's pre-training and fine-tuning, CLIP-mini): the warm-up + cosine learning-rate schedule, global-norm
// gradient clipping and the snapshot of the last good parameters a run falls back to when it blows up.
//   opt.set_lr(train::warmup_cosine_lr(step, steps, warmup, 3e-3));
//   double norm = train::clip_grad_norm(model.parameters(), 1.0);   // NaN/inf norms are returned, not clipped
#pragma once

#include <string>
#include <vector>

#include "bp/tensor.h"

namespace bp::optim {
class Optimizer;
}

namespace bp::train {

/// lr at 1-based `step` of `steps`: linear warm-up over the first `warmup` steps, then a cosine from lr down to
/// lr/10 at the last step.
double warmup_cosine_lr(int step, int steps, int warmup, double lr);

/// The global L2 norm of the parameters' gradients; when max_norm > 0 and the norm exceeds it (and is finite),
/// scales every gradient in place by max_norm / (norm + 1e-6). Parameters without a gradient are skipped.
double clip_grad_norm(const std::vector<Tensor>& params, double max_norm);

/// The backward half of a guarded training step: the loss's value, and when it is finite, opt.zero_grad(), backward
/// and clip_grad_norm over opt's parameters. ok() is false when the loss or the gradient norm is NaN/inf; then what() says which, as
/// "the loss became NaN" / "the gradient became infinite", for the run's failure message.
struct GuardedBackward {
    double loss = 0, grad_norm = 0;
    bool ok() const;
    std::string what() const;
};
GuardedBackward backward_and_clip(const Tensor& loss, optim::Optimizer& opt, double max_norm);
/// The same for parameters split between several optimizers (e.g. a fine-tuned encoder and a new head, each with
/// its own learning rate): every optimizer's gradients are zeroed and the norm is clipped over all of them together.
GuardedBackward backward_and_clip(const Tensor& loss, const std::vector<optim::Optimizer*>& opts, double max_norm);

/// A copy of the parameters after the last step whose loss was finite: keep() after each good step, restore()
/// when a loss or gradient turns NaN/inf, so that a failed run leaves the model as it was before the bad step.
class LastGood {
public:
    explicit LastGood(std::vector<Tensor> params);
    void keep();
    void restore();

private:
    std::vector<Tensor> params_, copies_;
};

}  // namespace bp::train
