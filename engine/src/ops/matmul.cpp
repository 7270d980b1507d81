// matmul.cpp — matrix product and the fused linear layer (x @ wᵀ + b), the MLP's hot path.
#include "ops/op_util.h"

namespace bp {
using namespace detail;

// matmul: out = a @ b      a: [N, K]  b: [K, M]  out: [N, M]
// backward: grad_a = grad_out @ bᵀ  [N, K];  grad_b = aᵀ @ grad_out  [K, M]
Tensor matmul(const Tensor& a, const Tensor& b) {
    check_same("matmul", a, b);
    if (a.dim() != 2 || b.dim() != 2)
        throw ShapeError("matmul", a.shape(), b.shape(), "both must be 2-D matrices [N, K] and [K, M]");
    if (a.size(1) != b.size(0))
        throw ShapeError("matmul", a.shape(), b.shape(),
                         "a's columns must equal b's rows (" + std::to_string(a.size(1)) + " vs " +
                             std::to_string(b.size(0)) + ")");
    Tensor out = Tensor::empty({a.size(0), b.size(1)}, a.dtype(), a.device());
    backend_for(a).gemm(out, a, false, b, false, 1.0, 0.0);
    if (autograd::needs_record({&a, &b})) {
        autograd::record("matmul", out, {a, b}, [a, b](const Tensor& g) -> std::vector<Tensor> {
            Tensor ga, gb;
            if (a.requires_grad()) {
                ga = Tensor::empty(a.shape(), a.dtype(), a.device());
                backend_for(a).gemm(ga, g, false, b, true, 1.0, 0.0);  // [N, M] @ [M, K]
            }
            if (b.requires_grad()) {
                gb = Tensor::empty(b.shape(), b.dtype(), b.device());
                backend_for(b).gemm(gb, a, true, g, false, 1.0, 0.0);  // [K, N] @ [N, M]
            }
            return {ga, gb};
        });
    }
    return out;
}

// linear: out = x @ wᵀ + b     x: [N, in]  w: [out, in]  b: [out]  out: [N, out]
// backward: grad_x = grad_out @ w  [N, in];  grad_w = grad_outᵀ @ x  [out, in];  grad_b = Σ_n grad_out  [out]
Tensor linear(const Tensor& x_in, const Tensor& w, const Tensor& b) {
    check_same("linear", x_in, w);
    if (w.dim() != 2) throw ShapeError("linear", x_in.shape(), w.shape(), "the weight must be 2-D [out, in]");
    const int64_t in = w.size(1), out_f = w.size(0);
    if (x_in.dim() < 1 || x_in.shape().back() != in) {
        std::string hint = "the input's last dimension must be in_features = " + std::to_string(in);
        if (x_in.dim() > 2 && x_in.numel() / x_in.size(0) == in) hint += "; flatten the input first";
        throw ShapeError("linear", x_in.shape(), w.shape(), hint);
    }
    if (b.defined()) {
        check_same("linear", x_in, b);
        if (b.dim() != 1 || b.size(0) != out_f)
            throw ShapeError("linear", w.shape(), b.shape(), "the bias must be [out_features]");
    }
    Shape out_shape = x_in.shape();
    out_shape.back() = out_f;
    Tensor x = x_in.dim() == 2 ? x_in : x_in.view({-1, in});
    Tensor out = Tensor::empty({x.size(0), out_f}, x.dtype(), x.device());
    backend_for(x).linear(out, x, w, b);
    if (x_in.dim() != 2) out = out.view(out_shape);
    if (autograd::needs_record({&x_in, &w, &b})) {
        autograd::record("linear", out, {x_in, w, b}, [x, w, b, x_in](const Tensor& g_in) -> std::vector<Tensor> {
            Tensor g = g_in.dim() == 2 ? g_in : g_in.view({-1, w.size(0)});
            Backend& be = backend_for(g);
            Tensor gx, gw, gb;
            if (x_in.requires_grad()) {
                gx = Tensor::empty(x.shape(), x.dtype(), x.device());
                be.gemm(gx, g, false, w, false, 1.0, 0.0);  // [N, out] @ [out, in]
                if (x_in.dim() != 2) gx = gx.view(x_in.shape());
            }
            if (w.requires_grad()) gw = Tensor::empty(w.shape(), w.dtype(), w.device());
            if (b.defined() && b.requires_grad()) gb = Tensor::empty(b.shape(), b.dtype(), b.device());
            be.linear_backward_params(gw, gb, g, x);  // gw = gᵀ @ x [out, in]; gb = column sums of g [out]
            return {gx, gw, gb};
        });
    }
    return out;
}

BP_REGISTER_GRADCHECK("matmul", "[3, 4] @ [4, 5]", (std::vector<Shape>{{3, 4}, {4, 5}}), Domain::away_from_zero,
                      [](const Inputs& in) { return matmul(in[0], in[1]); });
BP_REGISTER_GRADCHECK("matmul", "[1, 7] @ [7, 1]", (std::vector<Shape>{{1, 7}, {7, 1}}), Domain::away_from_zero,
                      [](const Inputs& in) { return matmul(in[0], in[1]); });
BP_REGISTER_GRADCHECK("linear", "x [4, 5], w [3, 5], b [3]", (std::vector<Shape>{{4, 5}, {3, 5}, {3}}),
                      Domain::away_from_zero, [](const Inputs& in) { return linear(in[0], in[1], in[2]); });
BP_REGISTER_GRADCHECK("linear", "x [2, 3, 4], w [2, 4], no bias", (std::vector<Shape>{{2, 3, 4}, {2, 4}}),
                      Domain::away_from_zero, [](const Inputs& in) { return linear(in[0], in[1], Tensor()); });

}  // namespace bp
