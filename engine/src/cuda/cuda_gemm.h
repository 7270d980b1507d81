// cuda_gemm.h — row-major (strided-batched) GEMM through cuBLAS for the CUDA backend and the CUDA op paths.
// fp32 runs cublasSgemm, fp64 cublasDgemm; with precision() == bf16 an fp32 product converts A and B to bf16
// and runs cublasGemmEx with fp32 accumulation and an fp32 C. Only built with BP_CUDA.
#pragma once

#include <cstdint>

#include "bp/tensor.h"

namespace bp::cuda {

/// Row-major: for each batch i, C_i = alpha · op(A_i) @ op(B_i) + beta · C_i, with C_i [M, N], op(A_i) [M, K],
/// op(B_i) [K, N]; lda/ldb/ldc are the row strides of A, B, C as stored; strides are in elements (0 reuses
/// one matrix for every batch). `op` names the calling op in errors. Pointers are device pointers of dtype.
void gemm_rm(const char* op, DType dtype, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, double alpha,
             const void* A, int64_t lda, int64_t stride_a, const void* B, int64_t ldb, int64_t stride_b, double beta,
             void* C, int64_t ldc, int64_t stride_c, int64_t batch);

}  // namespace bp::cuda
