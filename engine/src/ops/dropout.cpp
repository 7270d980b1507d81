// dropout.cpp — inverted dropout: the op, its saved mask, and gradient checks with a fixed seed.
#include "ops/op_util.h"

namespace bp {
using namespace detail;

// dropout (training): mask_i = 0 with probability p, else 1/(1 − p);  y = x ⊙ mask, so E[y] = x and eval
// needs no rescaling.   backward: grad_x = grad_out ⊙ mask (the same mask, saved).
Tensor dropout(const Tensor& x, double p, bool training, Generator& gen) {
    check_float("dropout", x);
    if (!(p >= 0.0 && p <= 1.0))
        throw ConfigError("dropout: the probability p must be in [0, 1]; got " + std::to_string(p));
    if (!training || p == 0.0) return x;
    // The mask is drawn on the host from gen so a seed gives the same mask on every device.
    Tensor mask = Tensor::empty(x.shape(), x.dtype());
    dispatch_dtype(x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        T* m = mask.data<T>();
        const T keep = p < 1.0 ? static_cast<T>(1.0 / (1.0 - p)) : T(0);
        auto& eng = gen.engine();
        for (int64_t i = 0, n = mask.numel(); i < n; ++i) {
            const double u = static_cast<double>(eng() >> 11) * 0x1.0p-53;  // uniform [0, 1), same on every compiler
            m[i] = u < p ? T(0) : keep;
        }
    });
    mask = mask.to(x.device());
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    backend_for(x).binary(BinaryOp::mul, y, x, mask);
    if (autograd::needs_record({&x}))
        autograd::record(
            "dropout", y, {x},
            [mask](const Tensor& g) -> std::vector<Tensor> {
                Tensor gx = Tensor::empty(g.shape(), g.dtype(), g.device());
                backend_for(g).binary(BinaryOp::mul, gx, g, mask);
                return {gx};
            },
            "p=" + std::to_string(p));
    return y;
}

using V = std::vector<Shape>;
// A generator seeded inside each call: every finite-difference evaluation sees the same mask.
BP_REGISTER_GRADCHECK("dropout", "[4, 5], p 0.3, training, seed 42", (V{{4, 5}}), Domain::away_from_zero,
                      [](const Inputs& in) {
                          Generator gen(42);
                          return dropout(in[0], 0.3, true, gen);
                      });
BP_REGISTER_GRADCHECK("dropout", "[2, 3, 4, 4], p 0.5, training, seed 7", (V{{2, 3, 4, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) {
                          Generator gen(7);
                          return dropout(in[0], 0.5, true, gen);
                      });
BP_REGISTER_GRADCHECK("dropout", "[3, 4], eval (identity)", (V{{3, 4}}), Domain::away_from_zero, [](const Inputs& in) {
    Generator gen(1);
    return dropout(in[0], 0.5, false, gen);
});

}  // namespace bp
