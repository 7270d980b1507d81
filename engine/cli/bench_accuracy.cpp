// bench_accuracy.cpp — `backprop bench accuracy`: how exact the engine is. Each activation's float32 kernel
// against a long-double reference on a dense grid (max and RMS error), GELU's tanh approximation against
// the exact erf form, and the float64 gradient-check error of every registered op and shape.
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

#include "bench_suites.h"
#include "bp/gradcheck.h"
#include "bp/ops.h"
#include "bp/train/report.h"

namespace bp::cli {

namespace {

struct ActivationCase {
    const char* name;
    double lo, hi;
    std::function<Tensor(const Tensor&)> op;
    std::function<long double(long double)> exact;
};

long double gelu_exact(long double x) { return 0.5L * x * (1.0L + std::erf(x / std::sqrt(2.0L))); }

}  // namespace

int bench_accuracy(const Args& args) {
    const int points = args.has("points") ? args.integer("points", 100, 100000000) : 200001;
    nlohmann::json out{{"benchmark", "accuracy"}, {"points", points}};

    const std::vector<ActivationCase> cases = {
        {"relu", -8, 8, [](const Tensor& x) { return relu(x); }, [](long double x) { return x > 0 ? x : 0.0L; }},
        {"leaky_relu", -8, 8, [](const Tensor& x) { return leaky_relu(x, 0.01); },
         [](long double x) { return x > 0 ? x : 0.01L * x; }},
        {"sigmoid", -16, 16, [](const Tensor& x) { return sigmoid(x); },
         [](long double x) { return 1.0L / (1.0L + std::exp(-x)); }},
        {"tanh", -8, 8, [](const Tensor& x) { return tanh(x); }, [](long double x) { return std::tanh(x); }},
        {"gelu (exact, erf)", -8, 8, [](const Tensor& x) { return gelu(x, GeluApprox::none); }, gelu_exact},
        {"gelu (tanh approximation)", -8, 8, [](const Tensor& x) { return gelu(x, GeluApprox::tanh); },
         [](long double x) {
             return 0.5L * x * (1.0L + std::tanh(std::sqrt(2.0L / M_PIl) * (x + 0.044715L * x * x * x)));
         }},
        {"exp", -20, 20, [](const Tensor& x) { return exp(x); }, [](long double x) { return std::exp(x); }},
        {"log", 1e-3, 100, [](const Tensor& x) { return log(x); }, [](long double x) { return std::log(x); }},
    };

    std::printf("bench accuracy: float32 kernels against long-double references, %d points per range\n", points);
    std::printf("  %-28s %-14s %12s %12s %15s\n", "function", "range", "max abs err", "RMS err", "rel (|f|>=1e-3)");
    nlohmann::json acts = nlohmann::json::array();
    for (const ActivationCase& c : cases) {
        std::vector<double> xs(static_cast<size_t>(points));
        for (int i = 0; i < points; ++i) xs[static_cast<size_t>(i)] = c.lo + (c.hi - c.lo) * i / (points - 1);
        Tensor x = Tensor::from_vector({points}, xs, DType::f32);
        std::vector<double> y = c.op(x).to_vector();
        std::vector<double> xin = x.to_vector();  // the float32 inputs actually used
        double max_abs = 0, sq = 0, max_rel = 0;
        for (size_t i = 0; i < y.size(); ++i) {
            const long double ref = c.exact(static_cast<long double>(xin[i]));
            const double err = static_cast<double>(std::fabs(static_cast<long double>(y[i]) - ref));
            max_abs = std::max(max_abs, err);
            sq += err * err;
            // Relative error only where the value is not tiny: near GELU's far-left tail float32 rounds
            // 1e-15 to 0, which is a relative error of 1 and says nothing.
            if (std::fabs(ref) >= 1e-3L) max_rel = std::max(max_rel, static_cast<double>(err / std::fabs(ref)));
        }
        const double rms = std::sqrt(sq / static_cast<double>(y.size()));
        char range[32];
        std::snprintf(range, sizeof range, "[%g, %g]", c.lo, c.hi);
        std::printf("  %-28s %-14s %12.3e %12.3e %15.3e\n", c.name, range, max_abs, rms, max_rel);
        acts.push_back({{"function", c.name}, {"lo", c.lo}, {"hi", c.hi}, {"max_abs_error", max_abs},
                        {"rms_error", rms}, {"max_rel_error", max_rel}});
    }
    out["activations"] = acts;

    // GELU: how far the tanh approximation is from the exact form (both in long double).
    double gmax = 0, gsq = 0;
    const int gn = 160001;
    for (int i = 0; i < gn; ++i) {
        const long double x = -8.0L + 16.0L * i / (gn - 1);
        const long double approx = 0.5L * x * (1.0L + std::tanh(std::sqrt(2.0L / M_PIl) * (x + 0.044715L * x * x * x)));
        const double d = static_cast<double>(std::fabs(approx - gelu_exact(x)));
        gmax = std::max(gmax, d);
        gsq += d * d;
    }
    std::printf("  GELU tanh approximation vs exact erf form on [-8, 8]: max %.3e, RMS %.3e\n", gmax,
                std::sqrt(gsq / gn));
    out["gelu_tanh_vs_exact"] = {{"max_abs_error", gmax}, {"rms_error", std::sqrt(gsq / gn)}};

    // Gradient checks: every registered op and shape, in float64.
    std::printf("  gradient check (float64, error = |a-n| / max(1,|a|,|n|)), worst case per op:\n");
    std::map<std::string, gradcheck::Result> worst;
    nlohmann::json rows = nlohmann::json::array();
    for (const gradcheck::Case& c : gradcheck::registry()) {
        gradcheck::Result r = gradcheck::run(c);
        rows.push_back({{"op", r.op}, {"case", r.label}, {"max_error", r.max_error}, {"max_abs_error", r.max_abs_error},
                        {"checked", r.checked}, {"passed", r.passed()}});
        auto it = worst.find(r.op);
        if (it == worst.end() || r.max_error > it->second.max_error) worst[r.op] = r;
    }
    for (const auto& [op, r] : worst)
        std::printf("    %-20s %10.2e  %s\n", op.c_str(), r.max_error, r.passed() ? "pass (<= 1e-6)" : "FAIL");
    out["gradcheck"] = rows;
    out["machine"] = train::machine_info();
    if (args.has("json") && !args.str("json").empty()) train::write_json(args.str("json"), out);
    return 0;
}

}  // namespace bp::cli
