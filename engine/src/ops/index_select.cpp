// index_select.cpp — picking rows of a matrix by index (torch.index_select along dim 0). The masked-LM loss uses
// it to run the vocabulary head on the masked positions only (about 15% of them), so the loss is computed only
// where there is something to predict. Host loops; not on CUDA yet (a cuda tensor throws ConfigError).
#include <cstring>

#include "ops/op_util.h"

namespace bp {
using namespace detail;

// index_select: out[m, :] = x[idx[m], :]      x: [N, D]  idx: [M]  out: [M, D]
// backward: grad_x[n, :] = Σ_{m: idx[m] = n} grad_out[m, :]   (a scatter-add; rows never picked get 0, a row
// picked twice gets both gradients)
Tensor index_select(const Tensor& x, const Tensor& indices) {
    check_float("index_select", x);
    if (!indices.defined() || indices.dtype() != DType::i32)
        throw ConfigError("index_select: indices must be an int32 tensor of row numbers");
    if (x.dim() != 2 || indices.dim() != 1)
        throw ShapeError("index_select", x.shape(), indices.shape(), "x must be [N, D] and the indices [M]");
    check_host("index_select", x);
    const Tensor idx_host = indices.to(Device::cpu);
    const int64_t N = x.size(0), D = x.size(1), M = indices.size(0);
    const int32_t* idx = idx_host.data<int32_t>();
    for (int64_t m = 0; m < M; ++m)
        if (idx[m] < 0 || idx[m] >= N)
            throw ConfigError("index_select: index " + std::to_string(idx[m]) + " at position " + std::to_string(m) +
                              " is outside [0, " + std::to_string(N) + "), the rows of x " + shape_str(x.shape()));
    Tensor out = Tensor::empty({M, D}, x.dtype());
    const size_t row_bytes = static_cast<size_t>(D) * dtype_size(x.dtype());
    const auto* src = static_cast<const unsigned char*>(x.raw_data());
    auto* dst = static_cast<unsigned char*>(out.raw_data());
    for (int64_t m = 0; m < M; ++m) std::memcpy(dst + m * row_bytes, src + idx[m] * row_bytes, row_bytes);
    if (autograd::needs_record({&x}))
        autograd::record("index_select", out, {x, indices}, [x, idx_host, N, D, M](const Tensor& g) -> std::vector<Tensor> {
            Tensor gx = Tensor::zeros({N, D}, x.dtype());
            dispatch_dtype(x.dtype(), [&](auto tag) {
                using T = decltype(tag);
                const int32_t* ip = idx_host.data<int32_t>();
                const T* go = g.data<T>();
                T* gp = gx.data<T>();
                for (int64_t m = 0; m < M; ++m)
                    for (int64_t d = 0; d < D; ++d) gp[ip[m] * D + d] += go[m * D + d];  // accumulate
            });
            return {gx, Tensor()};
        });
    return out;
}

using V = std::vector<Shape>;
BP_REGISTER_GRADCHECK("index_select", "x [5, 3], rows 4 0 4 2 (one twice, one never)", (V{{5, 3}}),
                      Domain::away_from_zero, [](const Inputs& in) {
                          return index_select(in[0], Tensor::from_vector({4}, {4, 0, 4, 2}, DType::i32));
                      });

}  // namespace bp
