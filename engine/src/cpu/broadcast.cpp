// broadcast.cpp — broadcast strides, the elementwise grain, and sum_to / expand between a shape and its
// broadcast (broadcast.h): a full sum, column sums, row sums over trailing dimensions and a general path.
#include "cpu/broadcast.h"

#include <Eigen/Core>
#include <vector>

#include "cpu/lane_sum.h"

namespace bp::cpu {
namespace {

template <class T>
using ConstMatMap = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;

// When `small` is `big` with its trailing dimensions reduced to 1 ([N, C, 1, 1] of [N, C, H, W], or [N, C] of it
// with the ones dropped): rows = its element count, len = the elements of `big` per row, and true.
bool trailing_rows(const Shape& small, const Shape& big, int64_t& rows, int64_t& len) {
    const size_t nb = big.size(), ns = small.size();
    if (ns > nb) return false;
    const int64_t m = shape_numel(small), n = shape_numel(big);
    if (m == 0 || n == 0 || n % m != 0) return false;
    int64_t prod = 1;
    size_t k = 0;
    while (k < nb && prod < m) prod *= big[k++];
    if (prod != m) return false;
    for (size_t i = 0; i < nb; ++i) {  // small right-aligned against big, missing leading dimensions are 1
        const int64_t si = i + ns >= nb ? small[i + ns - nb] : 1;
        if (si != (i < k ? big[i] : 1)) return false;
    }
    rows = m, len = n / m;
    return true;
}

}  // namespace

Bcast4 bcast_strides(const Shape& in, const Shape& out) {
    Bcast4 b{};
    int64_t pad = 4 - static_cast<int64_t>(out.size());
    int64_t ipad = 4 - static_cast<int64_t>(in.size());
    int64_t istride[4] = {0, 0, 0, 0};
    int64_t s = 1;
    for (int64_t d = 3; d >= ipad; --d) {
        istride[d] = s;
        s *= in[static_cast<size_t>(d - ipad)];
    }
    for (int64_t d = 0; d < 4; ++d) {
        b.dims[d] = d < pad ? 1 : out[static_cast<size_t>(d - pad)];
        int64_t idim = d < ipad ? 1 : in[static_cast<size_t>(d - ipad)];
        b.stride[d] = (idim == 1) ? 0 : istride[d];
    }
    return b;
}

int64_t elementwise_grain(int64_t n) {
    return (cpu::grain_for(n, 1 << 15, 2) + 15) / 16 * 16;
}

void sum_to(Tensor& out, const Tensor& in, double scale) {
    dispatch_dtype(out.dtype(), [&](auto tag) {
        using T = decltype(tag);
        T* o = out.data<T>();
        const T* x = in.data<T>();
        const int64_t n = in.numel(), m = out.numel();
        const T s = static_cast<T>(scale);
        if (m == n) {  // nothing to reduce
            elementwise(n, [&](int64_t b0, int64_t b1) {
                for (int64_t i = b0; i < b1; ++i) o[i] = s * x[i];
            });
            return;
        }
        if (m == 1) {  // 16 partial sums in T per block of 4096, folded into double: vectorises, stays exact enough
            // Blocks in parallel, each block's 16 partials folded into its own double; the blocks' doubles are
            // then added in block order, so the result is the same bits at any thread count.
            const int64_t blocks = (n + 4095) / 4096;
            std::vector<double> block_sum(static_cast<size_t>(blocks));
            parallel_for(blocks, cpu::grain_for(blocks, 16, 2), [&](int64_t q0, int64_t q1) {
                for (int64_t q = q0; q < q1; ++q) {
                    const int64_t b = q * 4096, e = std::min(n, b + 4096);
                    T part[16] = {};
                    int64_t i = b;
                    for (; i + 16 <= e; i += 16)
                        for (int k = 0; k < 16; ++k) part[k] += x[i + k];
                    double acc = 0;
                    for (int k = 0; k < 16; ++k) acc += part[k];
                    for (; i < e; ++i) acc += x[i];
                    block_sum[static_cast<size_t>(q)] = acc;
                }
            });
            double acc = 0;
            for (double v : block_sum) acc += v;
            o[0] = static_cast<T>(acc * scale);
            return;
        }
        const int64_t last = in.shape().back();
        if (m == last && out.shape().back() == last) {  // column sums: [N, M] -> [M] (bias gradients)
            ConstMatMap<T> X(x, n / last, last);
            Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>> O(o, last);
            if (n < (int64_t{1} << 15) || last < 32) {
                O.noalias() = s * X.colwise().sum();
                return;
            }
            // Blocks of whole cache lines of columns in parallel: each column is still summed over the
            // rows in the same order by one thread, the same values either way.
            parallel_for(last, (cpu::grain_for(last, 16, 2) + 15) / 16 * 16, [&](int64_t b, int64_t e) {
                O.segment(b, e - b).noalias() = s * X.middleCols(b, e - b).colwise().sum();
            });
            return;
        }
        if (int64_t rows = 0, len = 0; trailing_rows(out.shape(), in.shape(), rows, len)) {
            // Row sums (a global average pool's forward, per-channel sums): 16 partial sums per row, rows in parallel.
            parallel_for(rows, std::max<int64_t>(1, elementwise_grain(n) / len), [&](int64_t r0, int64_t r1) {
                for (int64_t r = r0; r < r1; ++r) {
                    const T* xr = x + r * len;
                    o[r] = static_cast<T>(scale * lane_sum<T>(len, [xr](int64_t i) { return xr[i]; }));
                }
            });
            return;
        }
        std::fill_n(o, m, T(0));
        Bcast4 B = bcast_strides(out.shape(), in.shape());
        const int64_t* d = B.dims;
        for (int64_t i0 = 0; i0 < d[0]; ++i0)
            for (int64_t i1 = 0; i1 < d[1]; ++i1)
                for (int64_t i2 = 0; i2 < d[2]; ++i2) {
                    T* op = o + i0 * B.stride[0] + i1 * B.stride[1] + i2 * B.stride[2];
                    for (int64_t i3 = 0; i3 < d[3]; ++i3) op[i3 * B.stride[3]] += s * *x++;
                }
    });
}

void expand(Tensor& out, const Tensor& in, double scale) {
    dispatch_dtype(out.dtype(), [&](auto tag) {
        using T = decltype(tag);
        T* o = out.data<T>();
        const T* x = in.data<T>();
        const T s = static_cast<T>(scale);
        if (in.numel() == 1) {  // the gradient of a full sum or mean: one value everywhere
            const T v = s * x[0];
            elementwise(out.numel(), [&](int64_t b0, int64_t b1) { std::fill(o + b0, o + b1, v); });
            return;
        }
        if (int64_t rows = 0, len = 0; trailing_rows(in.shape(), out.shape(), rows, len)) {
            // One value per row ([N, C, 1, 1] to [N, C, H, W]: a global average pool's backward), rows in parallel.
            parallel_for(rows, std::max<int64_t>(1, elementwise_grain(out.numel()) / len),
                              [&](int64_t r0, int64_t r1) {
                for (int64_t r = r0; r < r1; ++r) std::fill(o + r * len, o + (r + 1) * len, s * x[r]);
            });
            return;
        }
        Bcast4 B = bcast_strides(in.shape(), out.shape());
        const int64_t* d = B.dims;
        for (int64_t i0 = 0; i0 < d[0]; ++i0)
            for (int64_t i1 = 0; i1 < d[1]; ++i1)
                for (int64_t i2 = 0; i2 < d[2]; ++i2) {
                    const T* xp = x + i0 * B.stride[0] + i1 * B.stride[1] + i2 * B.stride[2];
                    for (int64_t i3 = 0; i3 < d[3]; ++i3) *o++ = s * xp[i3 * B.stride[3]];
                }
    });
}

}  // namespace bp::cpu
