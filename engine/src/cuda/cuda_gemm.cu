// cuda_gemm.cu — row-major GEMM on cuBLAS (column-major) by the usual transposition: a row-major C [M, N] is a
// column-major Cᵀ [N, M], and Cᵀ = op(B)ᵀ op(A)ᵀ, so cuBLAS is called with B first, A second and the sizes
// swapped. bf16 (precision.h): inputs converted with round-to-nearest-even, fp32 accumulate, fp32 C.
// cuBLAS is opened with dlopen on the first GEMM, not linked: loading libcublasLt costs ~150 MB of resident
// memory, which every run of the CLI and the app would otherwise pay at start-up, GPU or not.
#include <cuda_bf16.h>
#include <dlfcn.h>

#include <climits>
#include <mutex>

#include "bp/device.h"
#include "bp/precision.h"
#include "cuda/cuda_common.cuh"
#include "cuda/cuda_gemm.h"

namespace bp::cuda {
namespace {

// The five cuBLAS entry points the engine uses, looked up in the library once.
struct Cublas {
    decltype(&cublasCreate_v2) create = nullptr;
    decltype(&cublasSgemmStridedBatched) sgemm = nullptr;
    decltype(&cublasDgemmStridedBatched) dgemm = nullptr;
    // Spelled out: C++ sees an inline overload of this one taking a cudaDataType compute type.
    using GemmEx = cublasStatus_t (*)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int, const void*,
                                      const void*, cudaDataType, int, long long, const void*, cudaDataType, int,
                                      long long, const void*, void*, cudaDataType, int, long long, int,
                                      cublasComputeType_t, cublasGemmAlgo_t);
    GemmEx gemm_ex = nullptr;
    decltype(&cublasGetStatusString) status_string = nullptr;
    std::string error;  // why it could not be loaded
};

const Cublas& cublas() {
    static const Cublas lib = [] {
        Cublas c;
        const std::string soname = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
        void* h = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
#if defined(BP_CUDA_LIBRARY_DIR)
        if (!h) h = dlopen((std::string(BP_CUDA_LIBRARY_DIR) + "/" + soname).c_str(), RTLD_NOW | RTLD_LOCAL);
#endif
        if (!h) {
            const char* e = dlerror();
            c.error = "cannot load cuBLAS (" + soname + "): " + (e ? e : "not found");
            return c;
        }
        auto sym = [&](const char* name) {
            void* p = dlsym(h, name);
            if (!p && c.error.empty()) c.error = std::string("cuBLAS has no symbol ") + name;
            return p;
        };
        c.create = reinterpret_cast<decltype(c.create)>(sym("cublasCreate_v2"));
        c.sgemm = reinterpret_cast<decltype(c.sgemm)>(sym("cublasSgemmStridedBatched"));
        c.dgemm = reinterpret_cast<decltype(c.dgemm)>(sym("cublasDgemmStridedBatched"));
        c.gemm_ex = reinterpret_cast<decltype(c.gemm_ex)>(sym("cublasGemmStridedBatchedEx"));
        c.status_string = reinterpret_cast<decltype(c.status_string)>(sym("cublasGetStatusString"));
        return c;
    }();
    return lib;
}

std::mutex g_handle_mu;

cublasHandle_t handle(const char* op) {
    static cublasHandle_t h = nullptr;
    if (!h) {
        if (!cublas().error.empty()) fail(op, "dlopen", cublas().error);
        BP_CUDA_CHECK(cublas().create(&h), op);
    }
    return h;
}

__global__ void to_bf16_kernel(__nv_bfloat16* out, const float* in, int64_t n) {
    BP_GRID_LOOP(i, n) out[i] = __float2bfloat16_rn(in[i]);
}

int to_int(const char* op, int64_t v, const char* what) {
    if (v < 0 || v > INT_MAX) fail(op, "gemm", std::string(what) + " = " + std::to_string(v) + " does not fit cuBLAS's int");
    return static_cast<int>(v);
}

// Device scratch for the bf16 copies, grown as needed and kept (freed only at exit).
struct Scratch {
    void* p = nullptr;
    size_t bytes = 0;
    void* get(size_t need, const char* op) {
        if (need <= bytes) return p;
        if (p) BP_CUDA_CHECK(cudaFree(p), op);
        p = nullptr;
        bytes = 0;
        BP_CUDA_CHECK(cudaMalloc(&p, need), op);
        bytes = need;
        return p;
    }
};

}  // namespace

}  // namespace bp::cuda

namespace bp {
bool cublas_loadable(std::string* why_not) {
    const std::string& e = cuda::cublas().error;
    if (!e.empty() && why_not) *why_not = e;
    return e.empty();
}
}  // namespace bp

namespace bp::cuda {

std::string cublas_status_text(cublasStatus_t s) {
    if (cublas().status_string) return cublas().status_string(s);
    return "cuBLAS status " + std::to_string(static_cast<int>(s));
}

void gemm_rm(const char* op, DType dtype, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, double alpha,
             const void* A, int64_t lda, int64_t stride_a, const void* B, int64_t ldb, int64_t stride_b, double beta,
             void* C, int64_t ldc, int64_t stride_c, int64_t batch) {
    if (M == 0 || N == 0 || batch == 0) return;
    std::lock_guard<std::mutex> lock(g_handle_mu);  // one cuBLAS handle, used from one thread at a time
    cublasHandle_t h = handle(op);
    const cublasOperation_t opA = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, opB = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
    const int m = to_int(op, M, "M"), n = to_int(op, N, "N"), k = to_int(op, K, "K");
    const int ia = to_int(op, std::max<int64_t>(lda, 1), "lda"), ib = to_int(op, std::max<int64_t>(ldb, 1), "ldb"),
              ic = to_int(op, std::max<int64_t>(ldc, 1), "ldc"), nb = to_int(op, batch, "batch");
    if (dtype == DType::f64) {
        const double al = alpha, be = beta;
        BP_CUDA_CHECK(cublas().dgemm(h, opB, opA, n, m, k, &al, static_cast<const double*>(B), ib, stride_b,
                                                static_cast<const double*>(A), ia, stride_a, &be,
                                                static_cast<double*>(C), ic, stride_c, nb),
                      op);
        return;
    }
    if (dtype != DType::f32) fail(op, "gemm", "needs float32 or float64 tensors");
    const float al = static_cast<float>(alpha), be = static_cast<float>(beta);
    if (precision() != Precision::bf16 || K == 0) {
        BP_CUDA_CHECK(cublas().sgemm(h, opB, opA, n, m, k, &al, static_cast<const float*>(B), ib, stride_b,
                                                static_cast<const float*>(A), ia, stride_a, &be,
                                                static_cast<float*>(C), ic, stride_c, nb),
                      op);
        return;
    }
    // cuBLAS's bf16 GEMM needs Ampere (sm_80) or newer; say so rather than fail inside cuBLAS.
    static const int major = [op] {
        int dev = 0, m = 0;
        BP_CUDA_CHECK(cudaGetDevice(&dev), op);
        BP_CUDA_CHECK(cudaDeviceGetAttribute(&m, cudaDevAttrComputeCapabilityMajor, dev), op);
        return m;
    }();
    if (major < 8)
        throw ConfigError(std::string(op) + ": precision bf16 needs a GPU of compute capability 8.0 or newer (Ampere, "
                          "Ada, Hopper); this one is sm_" + std::to_string(major) + "x; use --precision fp32");
    // bf16: the stored extent of A is (rows as stored) × lda per matrix; stride 0 means one matrix for all.
    const int64_t rows_a = trans_a ? K : M, rows_b = trans_b ? N : K;
    const int64_t ext_a = (stride_a ? (batch - 1) * stride_a : 0) + rows_a * lda;
    const int64_t ext_b = (stride_b ? (batch - 1) * stride_b : 0) + rows_b * ldb;
    static Scratch sa, sb;
    auto* a16 = static_cast<__nv_bfloat16*>(sa.get(static_cast<size_t>(ext_a) * 2, op));
    auto* b16 = static_cast<__nv_bfloat16*>(sb.get(static_cast<size_t>(ext_b) * 2, op));
    to_bf16_kernel<<<grid_for(ext_a), kBlock>>>(a16, static_cast<const float*>(A), ext_a);
    BP_CUDA_LAUNCHED(op, "to_bf16_kernel");
    to_bf16_kernel<<<grid_for(ext_b), kBlock>>>(b16, static_cast<const float*>(B), ext_b);
    BP_CUDA_LAUNCHED(op, "to_bf16_kernel");
    BP_CUDA_CHECK(cublas().gemm_ex(h, opB, opA, n, m, k, &al, b16, CUDA_R_16BF, ib, stride_b, a16,
                                             CUDA_R_16BF, ia, stride_a, &be, C, CUDA_R_32F, ic, stride_c, nb,
                                             CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                  op);
}

}  // namespace bp::cuda
