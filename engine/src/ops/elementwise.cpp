// elementwise.cpp — add, sub, mul, div with NumPy broadcasting, and scale by a constant.
// A broadcast input's gradient is summed back down to its own shape (reduce_to).
#include "ops/op_util.h"

namespace bp {
using namespace detail;

Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b) {
    const size_t n = std::max(a.size(), b.size());
    Shape out(n);
    for (size_t i = 0; i < n; ++i) {
        int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
        int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
        if (da != db && da != 1 && db != 1)
            throw ShapeError(op, a, b,
                             "dimensions must be equal or 1 to broadcast (dimension " + std::to_string(i) + ": " +
                                 std::to_string(da) + " vs " + std::to_string(db) + ")");
        out[i] = da == 1 ? db : da;
    }
    return out;
}

static Tensor binary_forward(const char* name, BinaryOp op, const Tensor& a, const Tensor& b) {
    check_same(name, a, b);
    Tensor out = Tensor::empty(broadcast_shapes(name, a.shape(), b.shape()), a.dtype(), a.device());
    backend_for(a).binary(op, out, a, b);
    return out;
}

static Tensor elementwise(BinaryOp op, const Tensor& a, const Tensor& b) {
    Tensor out = Tensor::empty(broadcast_shapes("elementwise", a.shape(), b.shape()), a.dtype(), a.device());
    backend_for(a).binary(op, out, a, b);
    return out;
}

// add: out = a + b;  grad_a = g, grad_b = g (each summed to its shape)
Tensor add(const Tensor& a, const Tensor& b) {
    Tensor out = binary_forward("add", BinaryOp::add, a, b);
    if (autograd::needs_record({&a, &b}))
        autograd::record("add", out, {a, b}, [as = a.shape(), bs = b.shape()](const Tensor& g) -> std::vector<Tensor> {
            return {reduce_to(g, as), reduce_to(g, bs)};
        });
    return out;
}

// sub: out = a − b;  grad_a = g, grad_b = −g
Tensor sub(const Tensor& a, const Tensor& b) {
    Tensor out = binary_forward("sub", BinaryOp::sub, a, b);
    if (autograd::needs_record({&a, &b}))
        autograd::record("sub", out, {a, b}, [as = a.shape(), bs = b.shape()](const Tensor& g) -> std::vector<Tensor> {
            Tensor gb = Tensor::empty(bs, g.dtype(), g.device());
            backend_for(g).sum_to(gb, g, -1.0);
            return {reduce_to(g, as), gb};
        });
    return out;
}

// mul: out = a ⊙ b;  grad_a = g ⊙ b, grad_b = g ⊙ a
Tensor mul(const Tensor& a, const Tensor& b) {
    Tensor out = binary_forward("mul", BinaryOp::mul, a, b);
    if (autograd::needs_record({&a, &b}))
        autograd::record("mul", out, {a, b}, [a, b](const Tensor& g) -> std::vector<Tensor> {
            Tensor ga, gb;
            if (a.requires_grad()) ga = reduce_to(elementwise(BinaryOp::mul, g, b), a.shape());
            if (b.requires_grad()) gb = reduce_to(elementwise(BinaryOp::mul, g, a), b.shape());
            return {ga, gb};
        });
    return out;
}

// div: out = a / b;  grad_a = g / b, grad_b = −g ⊙ a / b² = −g ⊙ out / b
Tensor div(const Tensor& a, const Tensor& b) {
    Tensor out = binary_forward("div", BinaryOp::div, a, b);
    if (autograd::needs_record({&a, &b}))
        autograd::record("div", out, {a, b}, [a, b, out = out.detach()](const Tensor& g) -> std::vector<Tensor> {
            Tensor ga, gb;
            if (a.requires_grad()) ga = reduce_to(elementwise(BinaryOp::div, g, b), a.shape());
            if (b.requires_grad()) {
                Tensor t = elementwise(BinaryOp::div, elementwise(BinaryOp::mul, g, out), b);
                gb = Tensor::empty(b.shape(), b.dtype(), b.device());
                backend_for(t).sum_to(gb, t, -1.0);
            }
            return {ga, gb};
        });
    return out;
}

// scale: out = s·x;  grad_x = s·g
Tensor scale(const Tensor& x, double s) {
    check_float("scale", x);
    Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
    backend_for(x).sum_to(out, x, s);
    if (autograd::needs_record({&x}))
        autograd::record(
            "scale", out, {x},
            [s](const Tensor& g) -> std::vector<Tensor> {
                Tensor gx = Tensor::empty(g.shape(), g.dtype(), g.device());
                backend_for(g).sum_to(gx, g, s);
                return {gx};
            },
            "s=" + std::to_string(s));
    return out;
}

using V = std::vector<Shape>;
BP_REGISTER_GRADCHECK("add", "[3, 4] + [3, 4]", (V{{3, 4}, {3, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return add(in[0], in[1]); });
BP_REGISTER_GRADCHECK("add", "[4, 3] + row [3]", (V{{4, 3}, {3}}), Domain::away_from_zero,
                      [](const Inputs& in) { return add(in[0], in[1]); });
BP_REGISTER_GRADCHECK("add", "[4, 3] + column [4, 1]", (V{{4, 3}, {4, 1}}), Domain::away_from_zero,
                      [](const Inputs& in) { return add(in[0], in[1]); });
BP_REGISTER_GRADCHECK("sub", "[2, 3, 4] - [3, 1]", (V{{2, 3, 4}, {3, 1}}), Domain::away_from_zero,
                      [](const Inputs& in) { return sub(in[0], in[1]); });
BP_REGISTER_GRADCHECK("mul", "[4, 3] * row [1, 3]", (V{{4, 3}, {1, 3}}), Domain::away_from_zero,
                      [](const Inputs& in) { return mul(in[0], in[1]); });
BP_REGISTER_GRADCHECK("mul", "[2, 3] * scalar []", (V{{2, 3}, {}}), Domain::away_from_zero,
                      [](const Inputs& in) { return mul(in[0], in[1]); });
BP_REGISTER_GRADCHECK("div", "[3, 4] / [3, 4]", (V{{3, 4}, {3, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return div(in[0], in[1]); });
BP_REGISTER_GRADCHECK("div", "[4, 3] / column [4, 1]", (V{{4, 3}, {4, 1}}), Domain::away_from_zero,
                      [](const Inputs& in) { return div(in[0], in[1]); });
BP_REGISTER_GRADCHECK("scale", "0.5 * [2, 5]", (V{{2, 5}}), Domain::away_from_zero,
                      [](const Inputs& in) { return scale(in[0], 0.5); });

}  // namespace bp
