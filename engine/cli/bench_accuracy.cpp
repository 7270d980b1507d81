// bench_accuracy.cpp — `backprop bench accuracy`: how exact the engine is. Each activation's float32 kernel
// against a long-double reference on a dense grid (max and RMS error), GELU's tanh approximation against
// the exact erf form, and the float64 gradient-check error of every registered op and shape. For charts it
// also records a histogram of each activation's |error| over decades (a log axis) and, per gradient-check
// case, a sample of (analytic, numerical) gradient pairs.
#include <algorithm>
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

// Error histogram: kBinsPerDecade bins per power of ten from 1e-16 to 1 of |f32 - exact| / max(1, |exact|)
// (errors of exactly 0 are counted apart: a log axis has no place for them; anything above 1 goes into the
// last bin).
constexpr int kFirstDecade = -16, kDecades = 16, kBinsPerDecade = 2;

int points_of(const Args& args) {
    return args.has("points") ? args.integer("points", 100, 100000000) : args.on("quick") ? 2001 : 200001;
}

size_t activation_count() { return 8; }

/// Gradient-check cases to run: all of them, or with --quick the first case of each op.
std::vector<const gradcheck::Case*> gradcheck_cases(const Args& args) {
    std::vector<const gradcheck::Case*> out;
    std::map<std::string, bool> seen;
    for (const gradcheck::Case& c : gradcheck::registry()) {
        if (args.on("quick") && seen[c.op]) continue;
        seen[c.op] = true;
        out.push_back(&c);
    }
    return out;
}

}  // namespace

int accuracy_steps(const Args& args) {
    return static_cast<int>(activation_count() + 1 + gradcheck_cases(args).size());
}

nlohmann::json suite_accuracy(const Args& args, Progress& progress) {
    const int points = points_of(args);
    nlohmann::json out{{"benchmark", "accuracy"}, {"points", points}, {"quick", args.on("quick")}};

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
    if (cases.size() != activation_count()) throw std::logic_error("bench accuracy: activation_count() is stale");
    for (const ActivationCase& c : cases) {
        progress.step("accuracy", c.name);
        std::vector<double> xs(static_cast<size_t>(points));
        for (int i = 0; i < points; ++i) xs[static_cast<size_t>(i)] = c.lo + (c.hi - c.lo) * i / (points - 1);
        Tensor x = Tensor::from_vector({points}, xs, DType::f32);
        std::vector<double> y = c.op(x).to_vector();
        std::vector<double> xin = x.to_vector();  // the float32 inputs actually used
        double max_abs = 0, sq = 0, max_rel = 0;
        std::vector<int64_t> bins(kDecades * kBinsPerDecade, 0);
        int64_t zeros = 0;
        for (size_t i = 0; i < y.size(); ++i) {
            const long double ref = c.exact(static_cast<long double>(xin[i]));
            const double err = static_cast<double>(std::fabs(static_cast<long double>(y[i]) - ref));
            // The histogram bins the error relative to max(1, |exact|) — absolute below 1, relative above —
            // so exp's large values (absolute errors of 10+ at e^20) sit on the same axis as sigmoid's.
            const double scaled = err / std::max(1.0, static_cast<double>(std::fabs(ref)));
            if (scaled == 0) {
                ++zeros;
            } else {
                const double pos = (std::log10(scaled) - kFirstDecade) * kBinsPerDecade;
                const int b = std::clamp(static_cast<int>(std::floor(pos)), 0, kDecades * kBinsPerDecade - 1);
                ++bins[static_cast<size_t>(b)];
            }
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
        std::vector<double> edges;
        for (int e = 0; e <= kDecades * kBinsPerDecade; ++e)
            edges.push_back(std::pow(10.0, kFirstDecade + static_cast<double>(e) / kBinsPerDecade));
        acts.push_back({{"function", c.name}, {"lo", c.lo}, {"hi", c.hi}, {"max_abs_error", max_abs},
                        {"rms_error", rms}, {"max_rel_error", max_rel},
                        {"error_histogram", {{"measure", "|f32 - exact| / max(1, |exact|)"}, {"edges", edges}, {"counts", bins}, {"exact", zeros},
                                             {"points", static_cast<int64_t>(y.size())}}}});
    }
    out["activations"] = acts;

    progress.step("accuracy", "GELU tanh approximation vs exact");
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
    for (const gradcheck::Case* c : gradcheck_cases(args)) {
        progress.step("accuracy", "gradient check " + c->op + " " + c->label);
        gradcheck::Result r = gradcheck::run(*c, 7, 1e-6, 12);
        nlohmann::json analytic = nlohmann::json::array(), numeric = nlohmann::json::array();
        for (const auto& [a, n] : r.samples) {
            analytic.push_back(a);
            numeric.push_back(n);
        }
        rows.push_back({{"op", r.op}, {"case", r.label}, {"max_error", r.max_error}, {"max_abs_error", r.max_abs_error},
                        {"checked", r.checked}, {"passed", r.passed()},
                        {"samples", {{"analytic", analytic}, {"numerical", numeric}}}});
        auto it = worst.find(r.op);
        if (it == worst.end() || r.max_error > it->second.max_error) worst[r.op] = r;
    }
    for (const auto& [op, r] : worst)
        std::printf("    %-20s %10.2e  %s\n", op.c_str(), r.max_error, r.passed() ? "pass (<= 1e-6)" : "FAIL");
    out["gradcheck"] = rows;
    out["machine"] = train::machine_info();
    return out;
}

}  // namespace bp::cli
