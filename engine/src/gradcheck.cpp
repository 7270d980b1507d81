// gradcheck.cpp — the finite-difference check. L = Σ f(x) ⊙ R with a fixed random R, so every output
// element counts with its own weight; dL/dx from backward() is compared with (L(x+ε) − L(x−ε)) / 2ε.
#include "bp/gradcheck.h"

#include <algorithm>
#include <cmath>

#include "bp/autograd.h"
#include "bp/ops.h"

namespace bp::gradcheck {

std::vector<Case>& registry() {
    static std::vector<Case> cases;
    return cases;
}

int add_case(Case c) {
    registry().push_back(std::move(c));
    return static_cast<int>(registry().size());
}

static double weighted_sum(const Tensor& y, const std::vector<double>& r) {
    std::vector<double> v = y.to_vector();
    double acc = 0;
    for (size_t i = 0; i < v.size(); ++i) acc += v[i] * r[i];
    return acc;
}

Result run(const Case& c, uint64_t seed, double eps, int keep_samples) {
    Generator gen(seed);
    std::vector<Tensor> inputs;
    for (const Shape& s : c.input_shapes) {
        Tensor t = Tensor::empty(s, DType::f64);
        double* p = t.data<double>();
        for (int64_t i = 0; i < t.numel(); ++i) {
            double mag = gen.uniform(0.2, 2.0);
            p[i] = (c.domain == Domain::positive || gen.uniform() < 0.5) ? mag : -mag;
        }
        t.set_requires_grad(true);
        inputs.push_back(t);
    }
    Tensor y = c.fn(inputs);
    std::vector<double> r(static_cast<size_t>(y.numel()));
    for (double& v : r) v = gen.uniform(-1.0, 1.0);

    Tensor weights = Tensor::from_vector(y.shape(), r, DType::f64);
    Tensor loss = sum(mul(y, weights));
    autograd::backward(loss);

    Result res{c.op, c.label};
    int64_t total = 0;
    for (const Tensor& x : inputs) total += x.numel();
    const int64_t stride = keep_samples > 0 ? std::max<int64_t>(1, total / keep_samples) : 0;
    int64_t index = 0;  // over all inputs' entries
    autograd::NoGradGuard no_grad;
    for (Tensor& x : inputs) {
        Tensor g = x.grad();
        std::vector<double> analytic = g.defined() ? g.to_vector() : std::vector<double>(x.numel(), 0.0);
        double* p = x.data<double>();
        for (int64_t i = 0; i < x.numel(); ++i) {
            const double orig = p[i];
            p[i] = orig + eps;
            double lp = weighted_sum(c.fn(inputs), r);
            p[i] = orig - eps;
            double lm = weighted_sum(c.fn(inputs), r);
            p[i] = orig;
            double numeric = (lp - lm) / (2 * eps);
            double a = analytic[static_cast<size_t>(i)];
            double abs_err = std::abs(a - numeric);
            double err = abs_err / std::max({1.0, std::abs(a), std::abs(numeric)});
            if (!std::isfinite(err)) err = INFINITY;
            res.max_abs_error = std::max(res.max_abs_error, abs_err);
            res.max_error = std::max(res.max_error, err);
            ++res.checked;
            if (stride > 0 && index % stride == 0 && static_cast<int>(res.samples.size()) < keep_samples)
                res.samples.emplace_back(a, numeric);
            ++index;
        }
    }
    return res;
}

}  // namespace bp::gradcheck
