// optimizer.cpp — the update rules, each one fused loop in the backend (sgd_step / adam_step).
#include "bp/optim/optimizer.h"

#include <algorithm>
#include <cmath>

#include "bp/autograd.h"
#include "bp/backend.h"

namespace bp::optim {

static void check_lr(double lr) {
    if (!(lr > 0.0) || !std::isfinite(lr) || lr > 10.0)
        throw ConfigError("learning rate " + std::to_string(lr) +
                          " is out of range; use a positive value no larger than 10 (typical: 1e-3 for Adam, 0.01–0.1 for SGD)");
}

Optimizer::Optimizer(std::vector<Tensor> params, double lr) : params_(std::move(params)), lr_(lr) { check_lr(lr); }

void Optimizer::set_lr(double lr) {
    check_lr(lr);
    lr_ = lr;
}

void Optimizer::zero_grad() {
    for (Tensor& p : params_) p.zero_grad();
}

SGD::SGD(std::vector<Tensor> params, const SgdOptions& o) : Optimizer(std::move(params), o.lr), o_(o) {
    if (o.momentum < 0 || o.momentum >= 1) throw ConfigError("sgd: momentum must be in [0, 1); got " + std::to_string(o.momentum));
    if (o.weight_decay < 0) throw ConfigError("sgd: weight decay must not be negative");
    if (o.nesterov && o.momentum == 0) throw ConfigError("sgd: Nesterov momentum needs a momentum > 0");
    for (const Tensor& p : params_) buf_.push_back(o.momentum != 0 ? Tensor::zeros(p.shape(), p.dtype(), p.device()) : Tensor());
}

void SGD::step() {
    autograd::NoGradGuard g;
    ++steps_;
    SgdParams sp{lr_, o_.momentum, o_.dampening, o_.weight_decay, o_.nesterov, steps_ == 1};
    for (size_t i = 0; i < params_.size(); ++i) {
        Tensor grad = params_[i].grad();
        if (!grad.defined()) continue;
        backend_for(params_[i]).sgd_step(params_[i], grad, buf_[i], sp);
    }
}

Adam::Adam(std::vector<Tensor> params, const AdamOptions& o, bool decoupled)
    : Optimizer(std::move(params), o.lr), o_(o), decoupled_(decoupled) {
    if (o.beta1 < 0 || o.beta1 >= 1 || o.beta2 < 0 || o.beta2 >= 1)
        throw ConfigError("adam: betas must be in [0, 1); got " + std::to_string(o.beta1) + " and " + std::to_string(o.beta2));
    if (o.eps <= 0) throw ConfigError("adam: eps must be positive");
    if (o.weight_decay < 0) throw ConfigError("adam: weight decay must not be negative");
    for (const Tensor& p : params_) {
        m_.push_back(Tensor::zeros(p.shape(), p.dtype(), p.device()));
        v_.push_back(Tensor::zeros(p.shape(), p.dtype(), p.device()));
    }
}

void Adam::step() {
    autograd::NoGradGuard g;
    ++steps_;
    const double t = static_cast<double>(steps_);
    AdamParams ap{lr_, o_.beta1, o_.beta2, o_.eps, o_.weight_decay, decoupled_,
                  1.0 - std::pow(o_.beta1, t), 1.0 - std::pow(o_.beta2, t)};
    for (size_t i = 0; i < params_.size(); ++i) {
        Tensor grad = params_[i].grad();
        if (!grad.defined()) continue;
        backend_for(params_[i]).adam_step(params_[i], grad, m_[i], v_[i], ap);
    }
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<Tensor> params, double lr,
                                          double weight_decay, double momentum) {
    if (name == "sgd") return std::make_unique<SGD>(std::move(params), SgdOptions{lr, 0.0, 0.0, weight_decay, false});
    if (name == "momentum")
        return std::make_unique<SGD>(std::move(params), SgdOptions{lr, momentum, 0.0, weight_decay, false});
    if (name == "nesterov")
        return std::make_unique<SGD>(std::move(params), SgdOptions{lr, momentum, 0.0, weight_decay, true});
    if (name == "adam") return std::make_unique<Adam>(std::move(params), AdamOptions{lr, 0.9, 0.999, 1e-8, weight_decay}, false);
    if (name == "adamw")
        return std::make_unique<Adam>(std::move(params), AdamOptions{lr, 0.9, 0.999, 1e-8, weight_decay}, true);
    throw ConfigError("optimizer: unknown name '" + name + "'; use sgd, momentum, nesterov, adam or adamw");
}

void LrSchedule::validate(const std::string& kind) {
    if (kind != "none" && kind != "step" && kind != "cosine" && kind != "onecycle")
        throw ConfigError("lr schedule: unknown name '" + kind + "'; use none, step, cosine or onecycle");
}

double LrSchedule::lr_at(int epoch, int64_t global_step) const {
    if (kind == "step") return base_lr * std::pow(gamma, epoch / std::max(1, step_epochs));
    if (kind == "cosine") {
        double p = std::min(1.0, static_cast<double>(global_step) / static_cast<double>(std::max<int64_t>(1, total_steps)));
        return min_lr + 0.5 * (base_lr - min_lr) * (1.0 + std::cos(M_PI * p));
    }
    if (kind == "onecycle") {
        // Linear warm-up from base_lr / 10 to base_lr over the first warmup_fraction of the steps, then a linear
        // decay to 0 at the last step (the triangle of the CIFAR-10 speedruns; Smith's one-cycle policy).
        const double total = static_cast<double>(std::max<int64_t>(1, total_steps));
        const double p = std::min(1.0, static_cast<double>(global_step) / total);
        const double w = std::clamp(warmup_fraction, 0.0, 1.0);
        if (p < w) return base_lr * (0.1 + 0.9 * p / w);
        return w >= 1.0 ? base_lr : base_lr * (1.0 - p) / (1.0 - w);
    }
    return base_lr;
}

}  // namespace bp::optim
