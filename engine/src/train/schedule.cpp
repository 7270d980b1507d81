// schedule.cpp — the learning-rate schedule and gradient clipping of schedule.h (host loops over the gradients
// in place, no copies).
#include "bp/train/schedule.h"

#include <cmath>
#include <cstring>

#include "bp/autograd.h"
#include "bp/optim/optimizer.h"

namespace bp::train {

double warmup_cosine_lr(int step, int steps, int warmup, double lr) {
    if (step <= warmup) return lr * step / warmup;
    const double lr_min = lr / 10;
    const double p = steps > warmup ? static_cast<double>(step - warmup) / (steps - warmup) : 1.0;
    return lr_min + 0.5 * (lr - lr_min) * (1 + std::cos(M_PI * p));
}

double clip_grad_norm(const std::vector<Tensor>& params, double max_norm) {
    double norm2 = 0;
    for (const Tensor& p : params) {
        Tensor g = p.grad();
        if (!g.defined()) continue;
        dispatch_dtype(g.dtype(), [&](auto tag) {
            using T = decltype(tag);
            const T* gp = g.data<T>();
            const int64_t n = g.numel();
            // 32 partial sums in double (vectorised, independent chains) instead of one chain of dependent adds.
            double part[32] = {};
            int64_t i = 0;
            for (; i + 32 <= n; i += 32)
                for (int k = 0; k < 32; ++k) part[k] += double(gp[i + k]) * gp[i + k];
            double s = 0;
            for (int k = 0; k < 32; ++k) s += part[k];
            for (; i < n; ++i) s += double(gp[i]) * gp[i];
            norm2 += s;
        });
    }
    const double norm = std::sqrt(norm2);
    if (max_norm > 0 && std::isfinite(norm) && norm > max_norm) {
        const double s = max_norm / (norm + 1e-6);
        for (const Tensor& p : params) {
            Tensor g = p.grad();
            if (!g.defined()) continue;
            dispatch_dtype(g.dtype(), [&](auto tag) {
                using T = decltype(tag);
                T* gp = g.data<T>();
                for (int64_t i = 0, n = g.numel(); i < n; ++i) gp[i] = static_cast<T>(gp[i] * s);
            });
        }
    }
    return norm;
}

bool GuardedBackward::ok() const { return std::isfinite(loss) && std::isfinite(grad_norm); }

std::string GuardedBackward::what() const {
    const double bad = std::isfinite(loss) ? grad_norm : loss;
    return std::string("the ") + (std::isfinite(loss) ? "gradient" : "loss") + " became " +
           (std::isnan(bad) ? "NaN" : "infinite");
}

GuardedBackward backward_and_clip(const Tensor& loss, optim::Optimizer& opt, double max_norm) {
    return backward_and_clip(loss, std::vector<optim::Optimizer*>{&opt}, max_norm);
}

GuardedBackward backward_and_clip(const Tensor& loss, const std::vector<optim::Optimizer*>& opts, double max_norm) {
    GuardedBackward r;
    r.loss = loss.item();
    if (!std::isfinite(r.loss)) return r;
    std::vector<Tensor> params;
    for (optim::Optimizer* o : opts) {
        o->zero_grad();
        params.insert(params.end(), o->params().begin(), o->params().end());
    }
    loss.backward();
    r.grad_norm = clip_grad_norm(params, max_norm);
    return r;
}

LastGood::LastGood(std::vector<Tensor> params) : params_(std::move(params)) {
    for (const Tensor& t : params_) copies_.push_back(t.clone());
}

void LastGood::keep() {
    for (size_t i = 0; i < params_.size(); ++i)
        std::memcpy(copies_[i].raw_data(), params_[i].raw_data(), params_[i].nbytes());
}

void LastGood::restore() {
    autograd::NoGradGuard g;
    for (size_t i = 0; i < params_.size(); ++i) params_[i].copy_(copies_[i]);
}

}  // namespace bp::train
