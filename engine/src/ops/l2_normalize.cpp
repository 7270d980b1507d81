// l2_normalize.cpp — l2_normalize(x): each row divided by its Euclidean length (CLIP's embeddings live on the unit
// sphere, so their dot product is the cosine similarity). A reference loop on the host, written as the formula.
#include "bp/l2_normalize.h"

#include <cmath>

#include "ops/op_util.h"

namespace bp {
using namespace detail;

// l2_normalize per row:  n = (Σ_i x_i² + ε)^(1/2);  y_i = x_i / n          x, y: [R, D] (leading dims flattened)
// backward (g = ∂L/∂y):
//   1. ∂y_i/∂x_j = δ_ij / n − x_i x_j / n³ = (δ_ij − y_i y_j) / n
//   2. ∂L/∂x_j = Σ_i g_i (δ_ij − y_i y_j) / n = (g_j − y_j Σ_i g_i y_i) / n
// (the gradient is g with its component along y removed, scaled by 1/n: moving along y does not change y.)
Tensor l2_normalize(const Tensor& x, double eps) {
    check_float("l2_normalize", x);
    if (x.dim() < 1 || x.shape().back() == 0)
        throw ShapeError("l2_normalize: needs a non-empty last dimension to normalise; got " + shape_str(x.shape()));
    if (!(eps > 0)) throw ConfigError("l2_normalize: needs eps > 0; got " + std::to_string(eps));
    check_host("l2_normalize", x);
    const int64_t D = x.shape().back(), R = x.numel() / D;
    Tensor y = Tensor::empty(x.shape(), x.dtype()), ninv = Tensor::empty({R}, DType::f64);  // y [R, D], 1/n [R]
    dispatch_dtype(x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const T* xp = x.data<T>();
        T* yp = y.data<T>();
        double* np = ninv.data<double>();
        for (int64_t r = 0; r < R; ++r) {
            double ss = 0;
            for (int64_t i = 0; i < D; ++i) ss += double(xp[r * D + i]) * xp[r * D + i];
            const double inv = 1.0 / std::sqrt(ss + eps);
            np[r] = inv;
            for (int64_t i = 0; i < D; ++i) yp[r * D + i] = static_cast<T>(xp[r * D + i] * inv);
        }
    });
    if (autograd::needs_record({&x}))
        autograd::record(
            "l2_normalize", y, {x},
            [y = y.detach(), ninv, D, R](const Tensor& g) -> std::vector<Tensor> {
                Tensor gx = Tensor::empty(y.shape(), y.dtype());  // [R, D]
                dispatch_dtype(y.dtype(), [&](auto tag) {
                    using T = decltype(tag);
                    const T *go = g.data<T>(), *yp = y.data<T>();
                    const double* np = ninv.data<double>();
                    T* out = gx.data<T>();
                    for (int64_t r = 0; r < R; ++r) {
                        const T *gr = go + r * D, *yr = yp + r * D;
                        double gy = 0;  // Σ_i g_i y_i
                        for (int64_t i = 0; i < D; ++i) gy += double(gr[i]) * yr[i];
                        for (int64_t i = 0; i < D; ++i) out[r * D + i] = static_cast<T>((gr[i] - yr[i] * gy) * np[r]);
                    }
                });
                return {gx};
            },
            "eps=" + std::to_string(eps));
    return y;
}

using V = std::vector<Shape>;
BP_REGISTER_GRADCHECK("l2_normalize", "x [4, 5]", (V{{4, 5}}), Domain::away_from_zero,
                      [](const Inputs& in) { return l2_normalize(in[0]); });
BP_REGISTER_GRADCHECK("l2_normalize", "x [2, 3, 4]", (V{{2, 3, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return l2_normalize(in[0]); });
BP_REGISTER_GRADCHECK("l2_normalize", "x [1, 1] (one element: the gradient is zero)", (V{{1, 1}}),
                      Domain::away_from_zero, [](const Inputs& in) { return l2_normalize(in[0]); });

}  // namespace bp
