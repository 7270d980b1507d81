// activations.cpp — relu, leaky relu, sigmoid, tanh, GELU (exact erf form and tanh approximation), exp, log.
// Forward and the local derivative of each are in the backend kernels (cpu_backend.cpp: unary_kernel and
// unary_backward_kernel), written as the formulas a learner sees on the stepper page.
#include "ops/op_util.h"

#include "cpu/cpu_kernels.h"
#include "deferred_fill.h"

namespace bp {
using namespace detail;

// relu and leaky relu on the CPU (relu_mask.cpp): forward records one bit per element (x > 0) and backward reads
// those bits instead of x, and no gradient memory at all when the upstream gradient is one value everywhere.
static Tensor relu_cpu(const char* name, UnaryOp op, const Tensor& x, double slope, std::string attrs) {
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    if (!autograd::needs_record({&x})) {
        backend_for(x).unary(op, y, x, slope);
        return y;
    }
    Tensor bits = Tensor::empty({cpu::relu_mask_words(x.numel())}, DType::i32, Device::cpu);
    cpu::relu_forward_mask(y, bits, x, slope);
    autograd::record(
        name, y, {x},
        [x, bits, slope](const Tensor& g) -> std::vector<Tensor> {
            Tensor gx = Tensor::empty(x.shape(), x.dtype(), x.device());
            double g1 = 0;  // the gradient of a full sum: one value, not yet written (deferred_fill.h)
            if (detail::deferred_fill_value(g, &g1)) cpu::relu_backward_mask(gx, bits, Tensor(), g1, slope);
            else cpu::relu_backward_mask(gx, bits, g, 0.0, slope);
            return {gx};
        },
        std::move(attrs));
    return y;
}

static Tensor unary_op(const char* name, UnaryOp op, const Tensor& x, double alpha = 0.0, std::string attrs = {}) {
    check_float(name, x);
    if ((op == UnaryOp::relu || op == UnaryOp::leaky_relu) && x.device() == Device::cpu)
        return relu_cpu(name, op, x, op == UnaryOp::relu ? 0.0 : alpha, std::move(attrs));
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    backend_for(x).unary(op, y, x, alpha);
    if (autograd::needs_record({&x})) {
        // Keep y only when the derivative is read from it (sigmoid, tanh, exp); x is an input anyway.
        Tensor saved_y = (op == UnaryOp::sigmoid || op == UnaryOp::tanh || op == UnaryOp::exp) ? y.detach() : Tensor();
        autograd::record(
            name, y, {x},
            [op, x, saved_y, alpha](const Tensor& g) -> std::vector<Tensor> {
                Tensor gx = Tensor::empty(x.shape(), x.dtype(), x.device());
                backend_for(x).unary_backward(op, gx, g, x, saved_y, alpha);
                return {gx};
            },
            std::move(attrs));
    }
    return y;
}

Tensor relu(const Tensor& x) { return unary_op("relu", UnaryOp::relu, x); }
Tensor leaky_relu(const Tensor& x, double slope) {
    return unary_op("leaky_relu", UnaryOp::leaky_relu, x, slope, "negative_slope=" + std::to_string(slope));
}
Tensor sigmoid(const Tensor& x) { return unary_op("sigmoid", UnaryOp::sigmoid, x); }
Tensor tanh(const Tensor& x) { return unary_op("tanh", UnaryOp::tanh, x); }
Tensor gelu(const Tensor& x, GeluApprox approx) {
    return approx == GeluApprox::tanh ? unary_op("gelu", UnaryOp::gelu_tanh, x, 0.0, "approximate=tanh")
                                      : unary_op("gelu", UnaryOp::gelu_erf, x, 0.0, "approximate=none");
}
Tensor exp(const Tensor& x) { return unary_op("exp", UnaryOp::exp, x); }
Tensor log(const Tensor& x) { return unary_op("log", UnaryOp::log, x); }

using V = std::vector<Shape>;
BP_REGISTER_GRADCHECK("relu", "[4, 5]", (V{{4, 5}}), Domain::away_from_zero, [](const Inputs& in) { return relu(in[0]); });
BP_REGISTER_GRADCHECK("leaky_relu", "[4, 5], slope 0.1", (V{{4, 5}}), Domain::away_from_zero,
                      [](const Inputs& in) { return leaky_relu(in[0], 0.1); });
BP_REGISTER_GRADCHECK("sigmoid", "[4, 5]", (V{{4, 5}}), Domain::away_from_zero,
                      [](const Inputs& in) { return sigmoid(in[0]); });
BP_REGISTER_GRADCHECK("tanh", "[4, 5]", (V{{4, 5}}), Domain::away_from_zero, [](const Inputs& in) { return tanh(in[0]); });
BP_REGISTER_GRADCHECK("gelu", "[4, 5], exact (erf)", (V{{4, 5}}), Domain::away_from_zero,
                      [](const Inputs& in) { return gelu(in[0], GeluApprox::none); });
BP_REGISTER_GRADCHECK("gelu", "[4, 5], tanh approximation", (V{{4, 5}}), Domain::away_from_zero,
                      [](const Inputs& in) { return gelu(in[0], GeluApprox::tanh); });
BP_REGISTER_GRADCHECK("exp", "[3, 3]", (V{{3, 3}}), Domain::away_from_zero, [](const Inputs& in) { return exp(in[0]); });
BP_REGISTER_GRADCHECK("log", "[3, 3] positive", (V{{3, 3}}), Domain::positive,
                      [](const Inputs& in) { return log(in[0]); });

}  // namespace bp
