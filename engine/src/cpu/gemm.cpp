// gemm.cpp — CpuBackend's matrix product (cpu_kernels.h): float32 through our sgemm (sgemm.h), double and
// the emulated bf16 through Eigen, split over the pool; and the linear layer's bias, added in the product's
// store where it is ours.
#include <Eigen/Core>
#include <algorithm>
#include <type_traits>

#include "bp/precision.h"
#include "cpu/broadcast.h"
#include "cpu/cpu_kernels.h"
#include "cpu/parallel.h"
#include "cpu/sgemm.h"

namespace bp::cpu {
namespace {

template <class T>
using MatMap = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
template <class T>
using ConstMatMap = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;

Tensor bf16_rounded(const Tensor& t) {
    Tensor r = Tensor::empty(t.shape());
    const float* x = t.data<float>();
    float* y = r.data<float>();
    for (int64_t i = 0, n = t.numel(); i < n; ++i) y[i] = bf16_round(x[i]);
    return r;
}

}  // namespace

void gemm(Tensor& c, const Tensor& a, bool trans_a, const Tensor& b, bool trans_b, double alpha, double beta,
          const Tensor* bias, Tensor* a_row_sums) {
    // bf16 (precision.h), emulated: the fp32 product of copies of the inputs rounded to bf16. op(a)'s row
    // sums are of a as given, so they are taken here, before the rounding.
    const bool bf16 = c.dtype() == DType::f32 && precision() == Precision::bf16;
    if (bf16 && a_row_sums) {
        ConstMatMap<float> A0(a.data<float>(), a.size(0), a.size(1));
        Eigen::Map<Eigen::VectorXf> S(a_row_sums->data<float>(), a_row_sums->numel());
        if (trans_a) S = A0.colwise().sum().transpose();
        else S = A0.rowwise().sum();
        a_row_sums = nullptr;
    }
    const Tensor a_in = bf16 ? bf16_rounded(a) : a, b_in = bf16 ? bf16_rounded(b) : b;
    dispatch_dtype(c.dtype(), [&](auto tag) {
        using T = decltype(tag);
        ConstMatMap<T> A(a_in.data<T>(), a.size(0), a.size(1));
        ConstMatMap<T> B(b_in.data<T>(), b.size(0), b.size(1));
        MatMap<T> C(c.data<T>(), c.size(0), c.size(1));
        const T al = static_cast<T>(alpha);
        const T* bias_p = bias ? bias->data<T>() : nullptr;
        T* sums_p = a_row_sums ? a_row_sums->data<T>() : nullptr;  // added to: zeroed first
        if (sums_p) std::fill_n(sums_p, a_row_sums->numel(), T(0));
        const float* bias_f = nullptr;
        float* sums_f = nullptr;
        if constexpr (std::is_same_v<T, float>) bias_f = bias_p, sums_f = sums_p;
        auto eigen_product = [&](auto&& Cb, const auto& Ab, const auto& Bb) {
            if (beta == 0.0) {
                if (alpha == 1.0) Cb.noalias() = Ab * Bb;
                else Cb.noalias() = al * (Ab * Bb);
            } else {
                if (beta != 1.0) Cb *= static_cast<T>(beta);
                if (alpha == 1.0) Cb.noalias() += Ab * Bb;
                else Cb.noalias() += al * (Ab * Bb);
            }
        };
        // col0, row0: the first column of C that Cb holds (its bias) and the first row of op(A) that Ab holds
        // (its row sums, where `sums`: one part sums each row).
        auto product = [&](auto&& Cb, const auto& Ab, const auto& Bb, int64_t col0, int64_t row0, bool sums) {
            float* part_sums = sums && sums_f ? sums_f + row0 : nullptr;
            if (!bf16 && sgemm_eigen(Cb, Ab, Bb, static_cast<float>(alpha), beta, false,
                                     bias_f ? bias_f + col0 : nullptr, part_sums))
                return;  // f32 (sgemm.h)
            eigen_product(Cb, Ab, Bb);
            using Row = Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>;
            using Col = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, 1>>;
            if (bias_p) Cb.rowwise() += Row(bias_p + col0, Cb.cols());
            if (sums && sums_p) Col(sums_p + row0, Ab.rows()) += Ab.rowwise().sum();
        };
        // Large products are split over the pool: float32 ones whose K is at least twice M and N by parts
        // of K (sgemm_split_k, sgemm.h), the others by rows of C when it has at least as many rows as
        // columns, else by columns, so that each part re-packs the smaller operand (every part packs the
        // whole of the other factor). Each part is one serial product.
        auto run = [&](const auto& opA, const auto& opB) {
            const int64_t M = C.rows(), N = C.cols(), K = opA.cols();
            if (pool_threads() == 1 || static_cast<double>(M) * N * K < (1 << 21)) {
                product(C, opA, opB, 0, 0, true);
            } else if (K >= 2 * std::max(M, N) && !bf16 &&
                       sgemm_eigen(C, opA, opB, static_cast<float>(alpha), beta, true, bias_f, sums_f)) {
                return;
            } else if (M >= N) {
                parallel_for(M, (grain_for(M, 16, 2) + 15) / 16 * 16, [&](int64_t b, int64_t e) {
                    product(C.middleRows(b, e - b), opA.middleRows(b, e - b), opB, 0, b, true);
                });
            } else {  // every part reads all of op(A): the first sums its rows
                parallel_for(N, (grain_for(N, 16, 2) + 15) / 16 * 16, [&](int64_t b, int64_t e) {
                    product(C.middleCols(b, e - b), opA, opB.middleCols(b, e - b), b, 0, b == 0);
                });
            }
        };
        if (!trans_a && !trans_b) run(A, B);
        else if (!trans_a && trans_b) run(A, B.transpose());
        else if (trans_a && !trans_b) run(A.transpose(), B);
        else run(A.transpose(), B.transpose());
    });
}

void add_row_bias(Tensor& out, const Tensor& bias) {
    dispatch_dtype(out.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const int64_t m = bias.numel();
        if (m == 0) return;
        const int64_t rows = out.numel() / m;
        T* o0 = out.data<T>();
        const T* bp = bias.data<T>();
        parallel_for(rows, std::max<int64_t>(1, elementwise_grain(rows * m) / m), [&](int64_t r0, int64_t r1) {
            for (int64_t r = r0; r < r1; ++r) {
                T* o = o0 + r * m;
                for (int64_t j = 0; j < m; ++j) o[j] += bp[j];
            }
        });
    });
}

}  // namespace bp::cpu
