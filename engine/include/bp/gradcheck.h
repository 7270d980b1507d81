// gradcheck.h — compares every op's analytic gradient with central finite differences in float64.
// Ops register cases next to their definition (BP_REGISTER_GRADCHECK); tests and `backprop bench accuracy`
// run all registered cases. Error per entry: |analytic − numeric| / max(1, |analytic|, |numeric|), i.e.
// relative where the gradient is ≥ 1 in size and absolute below (the rule torch.autograd.gradcheck uses).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "bp/tensor.h"

namespace bp::gradcheck {

enum class Domain { away_from_zero, positive };  // inputs drawn from ±[0.2, 2] or [0.2, 2]

struct Case {
    std::string op;                  // op name, e.g. "matmul"
    std::string label;               // shapes, e.g. "[3, 4] @ [4, 5]"
    std::vector<Shape> input_shapes;
    Domain domain = Domain::away_from_zero;
    std::function<Tensor(const std::vector<Tensor>&)> fn;
};

struct Result {
    std::string op, label;
    double max_error = 0;      // the criterion above
    double max_abs_error = 0;  // plain |analytic − numeric|
    int64_t checked = 0;       // gradient entries compared
    /// (analytic, numeric) pairs of up to `keep_samples` entries spread evenly over all inputs (for plots).
    std::vector<std::pair<double, double>> samples;
    bool passed(double tol = 1e-6) const { return max_error <= tol; }
};

std::vector<Case>& registry();
int add_case(Case c);
Result run(const Case& c, uint64_t seed = 7, double eps = 1e-6, int keep_samples = 0);

}  // namespace bp::gradcheck

#define BP_GC_CONCAT2(a, b) a##b
#define BP_GC_CONCAT(a, b) BP_GC_CONCAT2(a, b)
/// BP_REGISTER_GRADCHECK("matmul", "[3,4]@[4,5]", {{3,4},{4,5}}, Domain::away_from_zero, [](auto& in){...});
#define BP_REGISTER_GRADCHECK(op, label, shapes, domain, fn)                                        \
    static const int BP_GC_CONCAT(bp_gradcheck_, __LINE__) =                                       \
        ::bp::gradcheck::add_case(::bp::gradcheck::Case{op, label, shapes, domain, fn})
