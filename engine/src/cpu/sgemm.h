// sgemm.h — our own float32 matrix product for the CPU (sgemm.cpp), BLIS-style: the K dimension is cut into
// blocks of ≤ 384, op(B) is packed into 32-column panels and op(A) into 14-row panels (or read in place where
// it is stored [M, K] and the K blocks are ≤ 267), and an AVX-512 micro-kernel keeps a 14×32 tile of C in 28
// zmm accumulators (broadcast of A, two FMAs per k and row). Serial: the caller splits the product over the
// pool (CpuBackend::gemm). Double and bf16-emulated products stay on Eigen, and so does every product in a
// build without AVX-512 (there sgemm() is a plain reference loop, kept for the tests).
#pragma once

#include <cstdint>
#include <type_traits>

namespace bp::cpu {

/// C = alpha · op(A) · op(B) + beta · C, all row-major. op(A) is [M, K]: A is stored [M, K] (lda ≥ K) or,
/// with trans_a, [K, M] (lda ≥ M); op(B) is [K, N]: B is stored [K, N] (ldb ≥ N) or, with trans_b, [N, K]
/// (ldb ≥ K). C is [M, N] with ldc ≥ N. With beta == 0, C is only written (NaNs already there do not leak
/// through). bias, where given ([N]), is added to every row of C as the last K block's tile is stored (a
/// linear layer's bias without a pass of its own over C). a_row_sums, where given ([M]): Σ_k op(A)[i, k] is
/// added to a_row_sums[i] (a linear layer's bias gradient beside its weight gradient gᵀ·x: with trans_a the
/// sums are taken while op(A) is packed, so g is not read a second time).
void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc,
           const float* bias = nullptr, float* a_row_sums = nullptr);

/// sgemm() over the pool's threads by parts of K (parallel.h): each part's product goes to a buffer of its
/// own and C = beta·C + the parts' sum, added in order of K (deterministic; rounds differently from one
/// product over all of K). For products whose K is much longer than M and N, e.g. a weight gradient summed
/// over the tokens of a batch: splitting rows or columns there made every part pack the whole of the long
/// operand again, while parts of K pack only their own share (and read the rows of the batch their thread
/// wrote: see parallel.h).
void sgemm_split_k(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                   int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc,
                   const float* bias = nullptr, float* a_row_sums = nullptr);

/// True where sgemm() is the AVX-512 kernel and beats Eigen's product on this shape (measured: N < 8 or K < 4
/// stay on Eigen). False in builds without AVX-512.
bool sgemm_preferred(int64_t M, int64_t N, int64_t K);

/// The hook for CpuBackend::gemm: runs c = alpha · a · b + beta · c through sgemm() when the three Eigen
/// expressions are float blocks with unit inner stride (a row-major block is stored as is, a column-major
/// one, i.e. the transpose of a row-major map, is op = transpose) and the shape is one sgemm_preferred()
/// takes. Returns false (and does nothing) otherwise, so the caller falls back to its Eigen product.
/// `split_k`: through sgemm_split_k(). bias, a_row_sums: as sgemm()'s, c's columns and rows long.
template <class CX, class AX, class BX>
bool sgemm_eigen(CX&& c, const AX& a, const BX& b, float alpha, double beta, bool split_k = false,
                 const float* bias = nullptr, float* a_row_sums = nullptr) {
    using C = std::decay_t<CX>;
    if constexpr (!std::is_same_v<typename C::Scalar, float> || !std::is_same_v<typename AX::Scalar, float> ||
                  !std::is_same_v<typename BX::Scalar, float> || !C::IsRowMajor) {
        return false;
    } else {
        const int64_t M = c.rows(), N = c.cols(), K = a.cols();
        if (!sgemm_preferred(M, N, K) || c.innerStride() != 1 || a.innerStride() != 1 || b.innerStride() != 1)
            return false;
        (split_k ? sgemm_split_k : sgemm)(!AX::IsRowMajor, !BX::IsRowMajor, M, N, K, alpha, a.data(),
                                          a.outerStride(), b.data(), b.outerStride(),
                                          static_cast<float>(beta), c.data(), c.outerStride(), bias,
                                          a_row_sums);
        return true;
    }
}

}  // namespace bp::cpu
