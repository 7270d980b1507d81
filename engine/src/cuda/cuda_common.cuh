// cuda_common.cuh — what every CUDA source shares: error checks that name the failing call and the op, launch
// geometry for grid-stride loops, warp/block reductions and the float/double math overloads the kernels use.
// Device code only where marked; no kernels live here.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "bp/errors.h"
#include "bp/tensor.h"

namespace bp::cuda {

[[noreturn]] inline void fail(const char* op, const char* call, const std::string& what) {
    throw Error(std::string("cuda: ") + op + ": " + call + " failed: " + what);
}

inline void check(cudaError_t e, const char* op, const char* call) {
    if (e != cudaSuccess) fail(op, call, cudaGetErrorString(e));
}

/// cuBLAS's name for a status ("CUBLAS_STATUS_NOT_SUPPORTED"); cuda_gemm.cu, where cuBLAS is loaded.
std::string cublas_status_text(cublasStatus_t s);

inline void check(cublasStatus_t s, const char* op, const char* call) {
    if (s != CUBLAS_STATUS_SUCCESS) fail(op, call, cublas_status_text(s));
}

// How many blocks a grid-stride loop over n elements uses: enough to fill any GPU, never zero, never more
// than the grid's x limit allows.
constexpr int kBlock = 256;
inline unsigned grid_for(int64_t n, int block = kBlock) {
    int64_t g = (n + block - 1) / block;
    return static_cast<unsigned>(std::clamp<int64_t>(g, 1, int64_t(1) << 20));
}

}  // namespace bp::cuda

/// Checks a CUDA runtime or cuBLAS call: `BP_CUDA_CHECK(cudaMemcpy(...), "copy_to_host");`
#define BP_CUDA_CHECK(call, op) ::bp::cuda::check((call), (op), #call)
/// After a kernel launch: reports a bad launch configuration (and, asynchronously, earlier kernel faults).
#define BP_CUDA_LAUNCHED(op, kernel) ::bp::cuda::check(cudaGetLastError(), (op), "launching " kernel)

/// Row loop of a warp-per-row kernel: warp w of block b takes rows b·kWarpRows + w, then strides by the grid.
#define BP_WARP_ROWS(r, R)                                                                          \
    for (int64_t r = static_cast<int64_t>(blockIdx.x) * ::bp::cuda::kWarpRows + (threadIdx.x >> 5); \
         r < (R); r += static_cast<int64_t>(gridDim.x) * ::bp::cuda::kWarpRows)

/// Grid-stride loop over [0, n) with a 64-bit index.
#define BP_GRID_LOOP(i, n)                                                                        \
    for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n);         \
         i += static_cast<int64_t>(blockDim.x) * gridDim.x)

namespace bp::cuda {

// Host-side helpers shared by the .cu files: typed device pointers of a tensor (null when undefined) and a
// dispatch over the float dtypes.
template <class T>
const T* cptr(const Tensor& t) {
    return t.defined() ? static_cast<const T*>(t.raw_data()) : nullptr;
}
template <class T>
T* mptr(const Tensor& t) {
    return t.defined() ? static_cast<T*>(t.raw_data()) : nullptr;
}
/// Runs f with a value of the float dtype (float or double); int32 fails naming the op.
template <class F>
void float_dispatch(const char* op, DType dt, F&& f) {
    if (dt == DType::f64) f(double{});
    else if (dt == DType::f32) f(float{});
    else fail(op, "dispatch", "needs a float32 or float64 tensor, got int32");
}

/// Warp-per-row kernels: kWarpRows rows per block of kBlock threads; row_grid(rows) blocks.
constexpr int kWarpRows = kBlock / 32;
inline unsigned row_grid(int64_t rows) { return grid_for(rows, kWarpRows); }

__device__ inline float d_exp(float x) { return expf(x); }
__device__ inline double d_exp(double x) { return exp(x); }
__device__ inline float d_log(float x) { return logf(x); }
__device__ inline double d_log(double x) { return log(x); }
__device__ inline float d_tanh(float x) { return tanhf(x); }
__device__ inline double d_tanh(double x) { return tanh(x); }
__device__ inline float d_erf(float x) { return erff(x); }
__device__ inline double d_erf(double x) { return erf(x); }
__device__ inline float d_sqrt(float x) { return sqrtf(x); }
__device__ inline double d_sqrt(double x) { return sqrt(x); }

template <class T>
__device__ inline T warp_sum(T v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}
template <class T>
__device__ inline T warp_max(T v) {
    for (int o = 16; o > 0; o >>= 1) v = max(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

/// Sum of v over the whole block, returned to every thread. blockDim.x must be a multiple of 32 (≤ 1024).
/// Every thread of the block must call it (it synchronises).
__device__ inline double block_sum(double v) {
    __shared__ double partial[32];
    __shared__ double total;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();  // a previous call's readers are done with partial/total
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    if (warp == 0) {
        double w = lane < warps ? partial[lane] : 0.0;
        w = warp_sum(w);
        if (lane == 0) total = w;
    }
    __syncthreads();
    return total;
}

}  // namespace bp::cuda
