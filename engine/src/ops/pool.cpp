// pool.cpp — max_pool2d, avg_pool2d and global_avg_pool2d over [N, C, H, W]: shape checks, autograd nodes and
// gradient-check registrations. Kernels: cpu/pool.cpp.
#include "ops/op_util.h"

namespace bp {
using namespace detail;

static Window2d pool_window(const char* op, const Tensor& x, int64_t kernel, int64_t stride, int64_t padding) {
    check_float(op, x);
    if (stride == 0) stride = kernel;
    if (kernel < 1 || stride < 1 || padding < 0 || 2 * padding > kernel)
        throw ConfigError(std::string(op) + ": needs kernel ≥ 1, stride ≥ 1 and 0 ≤ padding ≤ kernel / 2; got kernel " +
                          std::to_string(kernel) + ", stride " + std::to_string(stride) + ", padding " +
                          std::to_string(padding));
    if (x.dim() != 4)
        throw ShapeError(std::string(op) + ": the input must be 4-D [N, C, H, W]; got " + shape_str(x.shape()));
    if (x.size(2) + 2 * padding < kernel || x.size(3) + 2 * padding < kernel)
        throw ShapeError(std::string(op) + ": the " + std::to_string(kernel) + "×" + std::to_string(kernel) +
                         " window is larger than the padded input " + shape_str(x.shape()) + " (padding " +
                         std::to_string(padding) + "); use a smaller kernel or a larger input");
    return Window2d{kernel, kernel, stride, stride, padding, padding};
}

static std::string pool_attrs(const Window2d& k) {
    return "kernel_size=" + std::to_string(k.kernel_h) + ", stride=" + std::to_string(k.stride_h) +
           ", padding=" + std::to_string(k.pad_h);
}

// max_pool2d: out[n, c, oh, ow] = max over the window of x[n, c, ·, ·]   x: [N, C, H, W]  out: [N, C, OH, OW]
// backward: the window's maximum alone moved the output, so grad_x[argmax] += grad_out (0 elsewhere).
Tensor max_pool2d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding) {
    const Window2d win = pool_window("max_pool2d", x, kernel, stride, padding);
    const Shape out_shape{x.size(0), x.size(1), win.out_h(x.size(2)), win.out_w(x.size(3))};
    Tensor out = Tensor::empty(out_shape, x.dtype(), x.device());
    Tensor indices = Tensor::empty(out_shape, DType::i32, x.device());  // [N, C, OH, OW], h·W + w
    backend_for(x).max_pool2d_forward(out, indices, x, win);
    if (autograd::needs_record({&x}))
        autograd::record(
            "max_pool2d", out, {x},
            [xs = x.shape(), indices](const Tensor& g) -> std::vector<Tensor> {
                Tensor gx = Tensor::empty(xs, g.dtype(), g.device());
                backend_for(g).max_pool2d_backward(gx, g, indices);
                return {gx};
            },
            pool_attrs(win));
    return out;
}

// avg_pool2d: out = Σ window / kernel²   backward: grad_x[h, w] = Σ_{windows ∋ (h, w)} grad_out / kernel²
Tensor avg_pool2d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding) {
    const Window2d win = pool_window("avg_pool2d", x, kernel, stride, padding);
    Tensor out = Tensor::empty({x.size(0), x.size(1), win.out_h(x.size(2)), win.out_w(x.size(3))}, x.dtype(), x.device());
    backend_for(x).avg_pool2d_forward(out, x, win);
    if (autograd::needs_record({&x}))
        autograd::record(
            "avg_pool2d", out, {x},
            [xs = x.shape(), win](const Tensor& g) -> std::vector<Tensor> {
                Tensor gx = Tensor::empty(xs, g.dtype(), g.device());
                backend_for(g).avg_pool2d_backward(gx, g, win);
                return {gx};
            },
            pool_attrs(win));
    return out;
}

// global_avg_pool2d: out[n, c] = mean over h, w of x[n, c, h, w] — a reshape to [N, C, H·W] and a mean over
// the last dimension, so the stepper shows those two nodes and their gradients.
Tensor global_avg_pool2d(const Tensor& x) {
    check_float("global_avg_pool2d", x);
    if (x.dim() != 4 || x.size(2) * x.size(3) == 0)
        throw ShapeError("global_avg_pool2d: the input must be 4-D [N, C, H, W] with H·W > 0; got " +
                         shape_str(x.shape()));
    return mean(reshape(x, {x.size(0), x.size(1), x.size(2) * x.size(3)}), -1);
}

using V = std::vector<Shape>;
BP_REGISTER_GRADCHECK("max_pool2d", "[2, 3, 4, 4], kernel 2", (V{{2, 3, 4, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return max_pool2d(in[0], 2); });
BP_REGISTER_GRADCHECK("max_pool2d", "[1, 2, 5, 5], kernel 3, stride 2, padding 1 (overlapping)", (V{{1, 2, 5, 5}}),
                      Domain::away_from_zero, [](const Inputs& in) { return max_pool2d(in[0], 3, 2, 1); });
BP_REGISTER_GRADCHECK("max_pool2d", "[2, 1, 5, 6], kernel 2 (odd size drops the last row)", (V{{2, 1, 5, 6}}),
                      Domain::away_from_zero, [](const Inputs& in) { return max_pool2d(in[0], 2); });
BP_REGISTER_GRADCHECK("avg_pool2d", "[2, 3, 4, 4], kernel 2", (V{{2, 3, 4, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return avg_pool2d(in[0], 2); });
BP_REGISTER_GRADCHECK("avg_pool2d", "[1, 2, 5, 5], kernel 3, stride 2, padding 1", (V{{1, 2, 5, 5}}),
                      Domain::away_from_zero, [](const Inputs& in) { return avg_pool2d(in[0], 3, 2, 1); });
BP_REGISTER_GRADCHECK("avg_pool2d", "[2, 2, 6, 5], kernel 3, stride 1", (V{{2, 2, 6, 5}}), Domain::away_from_zero,
                      [](const Inputs& in) { return avg_pool2d(in[0], 3, 1); });
BP_REGISTER_GRADCHECK("global_avg_pool2d", "[2, 3, 4, 5]", (V{{2, 3, 4, 5}}), Domain::away_from_zero,
                      [](const Inputs& in) { return global_avg_pool2d(in[0]); });

}  // namespace bp
