// reduce.cpp — sum and mean, over everything or over one dimension (keepdim or not).
// backward: the upstream gradient is broadcast back over the reduced elements (÷ count for mean).
#include "ops/op_util.h"

#include "deferred_fill.h"

namespace bp {
using namespace detail;

static int64_t normalize_dim(const char* op, const Tensor& x, int64_t dim) {
    int64_t n = x.dim();
    int64_t d = dim < 0 ? dim + n : dim;
    if (d < 0 || d >= n)
        throw ShapeError(std::string(op) + ": dimension " + std::to_string(dim) + " is out of range for shape " +
                         shape_str(x.shape()) + "; use a dimension in [" + std::to_string(-n) + ", " +
                         std::to_string(n - 1) + "]");
    return d;
}

static Tensor reduce(const char* op, const Tensor& x, const Shape& keep_shape, const Shape& out_shape, double s) {
    Tensor out = Tensor::empty(keep_shape, x.dtype(), x.device());
    backend_for(x).sum_to(out, x, s);
    if (keep_shape != out_shape) out = out.view(out_shape);
    if (autograd::needs_record({&x}))
        autograd::record(op, out, {x}, [xs = x.shape(), keep_shape, s](const Tensor& g) -> std::vector<Tensor> {
            if (g.numel() == 1 && g.device() == Device::cpu) {
                // A full sum or mean: one value everywhere, left unallocated and unwritten until someone reads
                // the memory; relu's backward reads the value instead (deferred_fill.h). PyTorch broadcasts a
                // scalar here.
                return {detail::deferred_full(xs, g.dtype(), s * g.item())};
            }
            Tensor gx = Tensor::empty(xs, g.dtype(), g.device());
            backend_for(g).expand(gx, g.view(keep_shape), s);
            return {gx};
        });
    return out;
}

Tensor sum(const Tensor& x) {
    check_float("sum", x);
    return reduce("sum", x, Shape(x.dim(), 1), Shape{}, 1.0);
}

Tensor mean(const Tensor& x) {
    check_float("mean", x);
    if (x.numel() == 0) throw ShapeError("mean: the mean of an empty tensor " + shape_str(x.shape()) + " is undefined");
    return reduce("mean", x, Shape(x.dim(), 1), Shape{}, 1.0 / static_cast<double>(x.numel()));
}

static Tensor reduce_dim(const char* op, const Tensor& x, int64_t dim, bool keepdim, bool is_mean) {
    check_float(op, x);
    int64_t d = normalize_dim(op, x, dim);
    Shape keep = x.shape();
    keep[static_cast<size_t>(d)] = 1;
    Shape out = keep;
    if (!keepdim) out.erase(out.begin() + d);
    double s = is_mean ? 1.0 / static_cast<double>(x.size(d)) : 1.0;
    return reduce(op, x, keep, out, s);
}

Tensor sum(const Tensor& x, int64_t dim, bool keepdim) { return reduce_dim("sum", x, dim, keepdim, false); }
Tensor mean(const Tensor& x, int64_t dim, bool keepdim) { return reduce_dim("mean", x, dim, keepdim, true); }

using V = std::vector<Shape>;
BP_REGISTER_GRADCHECK("sum", "all of [3, 4]", (V{{3, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return sum(in[0]); });
BP_REGISTER_GRADCHECK("sum", "[3, 4] over dim 0", (V{{3, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return sum(in[0], 0); });
BP_REGISTER_GRADCHECK("sum", "[2, 3, 4] over dim 1, keepdim", (V{{2, 3, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return sum(in[0], 1, true); });
BP_REGISTER_GRADCHECK("mean", "all of [3, 4]", (V{{3, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return mean(in[0]); });
BP_REGISTER_GRADCHECK("mean", "[3, 4] over dim -1", (V{{3, 4}}), Domain::away_from_zero,
                      [](const Inputs& in) { return mean(in[0], -1); });

}  // namespace bp
