// optimizer.h — SGD (momentum, Nesterov, weight decay), Adam and AdamW over a model's parameters, and the
// learning-rate schedules (constant, step, cosine). An optimizer reads each parameter's .grad and updates
// the parameter in place through the backend's fused kernel; a parameter without a gradient is skipped.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bp/tensor.h"

namespace bp::optim {

class Optimizer {
public:
    explicit Optimizer(std::vector<Tensor> params, double lr);
    virtual ~Optimizer() = default;
    virtual void step() = 0;
    virtual std::string name() const = 0;
    void zero_grad();
    double lr() const { return lr_; }
    void set_lr(double lr);
    const std::vector<Tensor>& params() const { return params_; }
    int64_t steps() const { return steps_; }

protected:
    std::vector<Tensor> params_;
    double lr_;
    int64_t steps_ = 0;
};

struct SgdOptions {
    double lr = 0.01, momentum = 0.0, dampening = 0.0, weight_decay = 0.0;
    bool nesterov = false;
};

class SGD : public Optimizer {
public:
    SGD(std::vector<Tensor> params, const SgdOptions& o);
    void step() override;
    std::string name() const override { return "sgd"; }

private:
    SgdOptions o_;
    std::vector<Tensor> buf_;
};

struct AdamOptions {
    double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.0;
};

/// Adam; with decoupled = true it is AdamW (decay applied to the weights, not mixed into the gradient).
class Adam : public Optimizer {
public:
    Adam(std::vector<Tensor> params, const AdamOptions& o, bool decoupled = false);
    void step() override;
    std::string name() const override { return decoupled_ ? "adamw" : "adam"; }

private:
    AdamOptions o_;
    bool decoupled_;
    std::vector<Tensor> m_, v_;
};

/// Builds "sgd", "momentum" (SGD, momentum 0.9), "nesterov", "adam" or "adamw"; ConfigError otherwise.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<Tensor> params, double lr,
                                          double weight_decay = 0.0, double momentum = 0.9);

/// Learning rate as a function of progress. "none" keeps base_lr; "step" multiplies by gamma every
/// step_epochs; "cosine" decays from base_lr to min_lr over total_steps; "onecycle" rises linearly from
/// base_lr / 10 to base_lr over the first warmup_fraction of total_steps, then falls linearly to 0 at the end.
struct LrSchedule {
    std::string kind = "none";
    double base_lr = 1e-3;
    double gamma = 0.1;
    int step_epochs = 1;
    double min_lr = 0.0;
    double warmup_fraction = 0.2;  // onecycle only
    int64_t total_steps = 1;
    double lr_at(int epoch, int64_t global_step) const;
    static void validate(const std::string& kind);
};

}  // namespace bp::optim
