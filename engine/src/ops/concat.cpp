// concat.cpp — concat(tensors, dim): joins tensors along one dimension (U-Net / DenseNet skip connections).
// Residual additions need no op of their own: add() broadcasts. Kernel: cpu/concat.cpp.
#include "ops/op_util.h"

namespace bp {
using namespace detail;

// concat: out = [t_0 | t_1 | … ] along dim     t_i: [..., d_i, ...]  out: [..., Σ d_i, ...]
// backward: grad_t_i = the slice of grad_out that t_i filled (split is concat's adjoint).
Tensor concat(const std::vector<Tensor>& tensors, int64_t dim) {
    if (tensors.empty()) throw ConfigError("concat: needs at least one tensor; got an empty list");
    const Tensor& first = tensors.front();
    check_float("concat", first);
    const int64_t nd = first.dim();
    const int64_t d = dim < 0 ? dim + nd : dim;
    if (d < 0 || d >= nd)
        throw ShapeError("concat: dimension " + std::to_string(dim) + " is out of range for shape " +
                         shape_str(first.shape()) + "; use a dimension in [" + std::to_string(-nd) + ", " +
                         std::to_string(nd - 1) + "]");
    Shape out_shape = first.shape();
    out_shape[static_cast<size_t>(d)] = 0;
    for (const Tensor& t : tensors) {
        check_same("concat", first, t);
        bool fits = t.dim() == nd;
        for (int64_t k = 0; fits && k < nd; ++k) fits = k == d || t.size(k) == first.size(k);
        if (!fits)
            throw ShapeError("concat", first.shape(), t.shape(),
                             "every size except dimension " + std::to_string(d) + " must agree");
        out_shape[static_cast<size_t>(d)] += t.size(d);
    }
    Tensor out = Tensor::empty(out_shape, first.dtype(), first.device());
    backend_for(first).concat(out, tensors, d);
    bool any = false;
    for (const Tensor& t : tensors) any = any || autograd::needs_record({&t});
    if (any) {
        std::vector<Shape> shapes;
        for (const Tensor& t : tensors) shapes.push_back(t.shape());
        autograd::record(
            "concat", out, tensors,
            [shapes, d](const Tensor& g) -> std::vector<Tensor> {
                std::vector<Tensor> parts;
                for (const Shape& s : shapes) parts.push_back(Tensor::empty(s, g.dtype(), g.device()));
                backend_for(g).split(parts, g, d);
                return parts;
            },
            "dim=" + std::to_string(d));
    }
    return out;
}

using V = std::vector<Shape>;
BP_REGISTER_GRADCHECK("concat", "[2, 3] and [2, 4] along dim 1", (V{{2, 3}, {2, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return concat({in[0], in[1]}, 1); });
BP_REGISTER_GRADCHECK("concat", "three [1, 2, 2, 2], [1, 3, 2, 2], [1, 1, 2, 2] along channels",
                      (V{{1, 2, 2, 2}, {1, 3, 2, 2}, {1, 1, 2, 2}}), Domain::away_from_zero,
                      [](const Inputs& in) { return concat({in[0], in[1], in[2]}, 1); });
BP_REGISTER_GRADCHECK("concat", "[1, 3] and [2, 3] along dim 0", (V{{1, 3}, {2, 3}}), Domain::away_from_zero,
                      [](const Inputs& in) { return concat({in[0], in[1]}, 0); });
BP_REGISTER_GRADCHECK("concat", "[2, 2, 3, 2] and [2, 2, 3, 1] along dim -1", (V{{2, 2, 3, 2}, {2, 2, 3, 1}}),
                      Domain::away_from_zero, [](const Inputs& in) { return concat({in[0], in[1]}, -1); });

}  // namespace bp
