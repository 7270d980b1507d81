// conv.cpp — conv2d: the op (shape checks, autograd node, gradient-check registrations). The kernels are
// im2col + GEMM in cpu/conv.cpp.
#include "ops/op_util.h"

namespace bp {
using namespace detail;

// Memory that one conv2d may hold from forward to backward for its unrolled input (im2col): LeNet-5 at batch
// 64 needs 5 MB, a 3×3 convolution of 32 channels on 14×14 at batch 64 14 MB. Larger ones unroll again.
constexpr int64_t kSavedColsBudget = int64_t(64) << 20;

// conv2d: out[n, o, oh, ow] = b[o] + Σ_c Σ_i Σ_j x[n, c, oh·s − p + i, ow·s − p + j] · w[o, c, i, j]
//   x: [N, C, H, W]  w: [O, C, kh, kw]  b: [O]  out: [N, O, OH, OW],  OH = (H + 2p − kh) / s + 1
// backward (col = im2col(x) [C·kh·kw, OH·OW] per image, so out_n = w @ col + b):
//   1. grad_b = Σ_n Σ_{oh,ow} grad_out                      [O]
//   2. grad_w = Σ_n grad_out_n @ col_nᵀ                     [O, C·kh·kw]
//   3. grad_x = col2im(wᵀ @ grad_out_n) for each n          [N, C, H, W]
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b, int64_t stride, int64_t padding) {
    check_same("conv2d", x, w);
    if (x.dim() != 4)
        throw ShapeError("conv2d", x.shape(), w.shape(),
                         std::string("the input must be 4-D [N, C, H, W]") +
                             (x.dim() == 3 ? "; add a batch dimension with reshape({1, C, H, W})" : ""));
    if (w.dim() != 4)
        throw ShapeError("conv2d", x.shape(), w.shape(), "the weight must be 4-D [out_channels, in_channels, kh, kw]");
    if (x.size(1) != w.size(1))
        throw ShapeError("conv2d", x.shape(), w.shape(),
                         "the input has " + std::to_string(x.size(1)) + " channels but the weight expects " +
                             std::to_string(w.size(1)) + " (input [N, " + std::to_string(w.size(1)) +
                             ", H, W] fits this weight)");
    if (stride < 1 || padding < 0)
        throw ConfigError("conv2d: stride must be ≥ 1 and padding ≥ 0; got stride " + std::to_string(stride) +
                          " and padding " + std::to_string(padding));
    const Window2d win{w.size(2), w.size(3), stride, stride, padding, padding};
    if (x.size(2) + 2 * padding < win.kernel_h || x.size(3) + 2 * padding < win.kernel_w)
        throw ShapeError("conv2d", x.shape(), w.shape(),
                         "the " + std::to_string(win.kernel_h) + "×" + std::to_string(win.kernel_w) +
                             " kernel is larger than the padded input " + std::to_string(x.size(2) + 2 * padding) +
                             "×" + std::to_string(x.size(3) + 2 * padding) + " (padding " + std::to_string(padding) +
                             "); use a smaller kernel, more padding or a larger input");
    const int64_t O = w.size(0);
    if (b.defined()) {
        check_same("conv2d", x, b);
        if (b.dim() != 1 || b.size(0) != O)
            throw ShapeError("conv2d", w.shape(), b.shape(),
                             "the bias must be [out_channels] = [" + std::to_string(O) + "]");
    }
    Tensor out = Tensor::empty({x.size(0), O, win.out_h(x.size(2)), win.out_w(x.size(3))}, x.dtype(), x.device());
    const bool record = autograd::needs_record({&x, &w, &b});
    Backend& be = backend_for(x);
    // Training keeps the unrolled input for grad_w where the kernel uses one and it fits kSavedColsBudget.
    Tensor cols;
    if (record && w.requires_grad()) {
        const int64_t n = be.conv2d_saved_size(x, w, win);
        if (n > 0 && n * static_cast<int64_t>(dtype_size(x.dtype())) <= kSavedColsBudget)
            cols = Tensor::empty({n}, x.dtype(), x.device());
    }
    be.conv2d_forward(out, cols, x, w, b, win);
    if (record) {
        autograd::record(
            "conv2d", out, {x, w, b},
            [x, w, b, cols, win](const Tensor& g) -> std::vector<Tensor> {
                Tensor gx, gw, gb;
                if (x.requires_grad()) gx = Tensor::empty(x.shape(), x.dtype(), x.device());
                if (w.requires_grad()) gw = Tensor::empty(w.shape(), w.dtype(), w.device());
                if (b.defined() && b.requires_grad()) gb = Tensor::empty(b.shape(), b.dtype(), b.device());
                backend_for(g).conv2d_backward(gx, gw, gb, g, x, w, cols, win);
                return {gx, gw, gb};
            },
            "stride=" + std::to_string(stride) + ", padding=" + std::to_string(padding));
    }
    return out;
}

using V = std::vector<Shape>;
BP_REGISTER_GRADCHECK("conv2d", "x [2, 3, 5, 5], w [4, 3, 3, 3], b [4], stride 1, padding 1",
                      (V{{2, 3, 5, 5}, {4, 3, 3, 3}, {4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return conv2d(in[0], in[1], in[2], 1, 1); });
BP_REGISTER_GRADCHECK("conv2d", "x [1, 2, 7, 6], w [3, 2, 3, 2], b [3], stride 2, padding 0",
                      (V{{1, 2, 7, 6}, {3, 2, 3, 2}, {3}}), Domain::away_from_zero,
                      [](const Inputs& in) { return conv2d(in[0], in[1], in[2], 2, 0); });
BP_REGISTER_GRADCHECK("conv2d", "x [2, 2, 6, 6], w [3, 2, 3, 3], no bias, stride 2, padding 1",
                      (V{{2, 2, 6, 6}, {3, 2, 3, 3}}), Domain::away_from_zero,
                      [](const Inputs& in) { return conv2d(in[0], in[1], Tensor(), 2, 1); });
BP_REGISTER_GRADCHECK("conv2d", "x [3, 2, 4, 4], w [2, 2, 5, 5], b [2], stride 1, padding 2",
                      (V{{3, 2, 4, 4}, {2, 2, 5, 5}, {2}}), Domain::away_from_zero,
                      [](const Inputs& in) { return conv2d(in[0], in[1], in[2], 1, 2); });
BP_REGISTER_GRADCHECK("conv2d", "1×1: x [2, 3, 3, 4], w [5, 3, 1, 1], b [5]", (V{{2, 3, 3, 4}, {5, 3, 1, 1}, {5}}),
                      Domain::away_from_zero, [](const Inputs& in) { return conv2d(in[0], in[1], in[2]); });
BP_REGISTER_GRADCHECK("conv2d", "1×1 stride 2: x [2, 3, 5, 5], w [4, 3, 1, 1], no bias",
                      (V{{2, 3, 5, 5}, {4, 3, 1, 1}}), Domain::away_from_zero,
                      [](const Inputs& in) { return conv2d(in[0], in[1], Tensor(), 2, 0); });

}  // namespace bp
