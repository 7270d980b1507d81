// relu_uniform.cpp — relu and leaky-relu backward when the upstream gradient is one value everywhere (the
// gradient of a full sum or mean, deferred_fill.h): grad_x = g where x > 0, else slope · g. Reads x only, one
// pass, where the general kernel (cpu_backend.cpp) also reads a tensor of copies of g.
#include "cpu/cpu_kernels.h"
#include "cpu/parallel.h"

namespace bp::cpu {

void relu_backward_uniform(Tensor& grad_x, const Tensor& x, double g, double slope) {
    dispatch_dtype(grad_x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        T* gx = grad_x.data<T>();     // [*] like x
        const T* xp = x.data<T>();    // [*]
        const T pos = static_cast<T>(g), neg = static_cast<T>(slope * g);
        const int64_t n = grad_x.numel();
        parallel_for(n, grain_for(n, int64_t{1} << 16), [&](int64_t b, int64_t e) {
            // Locals and restrict: with pos/neg read through the lambda's references, every store to gx might change
            // them, and g++ compiled a scalar, branchy loop (3x slower than the general kernel).
            T* __restrict o = gx + b;
            const T* __restrict in = xp + b;
            const T p = pos, q = neg;
            for (int64_t i = 0, m = e - b; i < m; ++i) o[i] = in[i] > T(0) ? p : q;
        });
    });
}

}  // namespace bp::cpu
