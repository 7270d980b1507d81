// shape.cpp — reshape and flatten: views onto the same storage; the gradient is reshaped back.
#include "ops/op_util.h"

namespace bp {
using namespace detail;

Tensor reshape(const Tensor& x, const Shape& shape) {
    if (!x.defined()) throw ConfigError("reshape: the input tensor is undefined");
    Tensor out = x.view(shape);
    if (autograd::needs_record({&x}))
        autograd::record(
            "reshape", out, {x},
            [xs = x.shape()](const Tensor& g) -> std::vector<Tensor> { return {g.view(xs)}; },
            shape_str(x.shape()) + " -> " + shape_str(out.shape()));
    return out;
}

Tensor flatten(const Tensor& x, int64_t start_dim) {
    if (!x.defined()) throw ConfigError("flatten: the input tensor is undefined");
    int64_t n = x.dim();
    int64_t d = start_dim < 0 ? start_dim + n : start_dim;
    if (d < 0 || d >= std::max<int64_t>(n, 1))
        throw ShapeError("flatten: start_dim " + std::to_string(start_dim) + " is out of range for shape " +
                         shape_str(x.shape()));
    Shape s(x.shape().begin(), x.shape().begin() + d);
    s.push_back(-1);
    return reshape(x, s);
}

using V = std::vector<Shape>;
BP_REGISTER_GRADCHECK("reshape", "[2, 6] -> [3, 4]", (V{{2, 6}}), Domain::away_from_zero,
                      [](const Inputs& in) { return reshape(in[0], {3, 4}); });
BP_REGISTER_GRADCHECK("flatten", "[2, 1, 3, 3] -> [2, 9]", (V{{2, 1, 3, 3}}), Domain::away_from_zero,
                      [](const Inputs& in) { return flatten(in[0]); });

}  // namespace bp
