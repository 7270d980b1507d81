// winograd_blocked.h — the channel-blocked layout that the Winograd kernels (winograd.cpp) work in, and their
// matrix-product kernel (winograd_blocked.cpp). AVX-512 only.
//
// Blocked layout: [N, ⌈C/16⌉, rows, cols, 16], one vector per pixel holding 16 consecutive channels (the
// channels past C are zero). Vectorising along channels instead of along pixels makes every tile transform
// a set of whole aligned vector loads and stores, with no lane permutes and no masks; converting an NCHW
// tensor to it and back is one 16×16 transpose per 16 channels × 16 pixels.
#pragma once

#include <cstdint>

namespace bp::cpu::wino {

/// dst [n1 − n0, ⌈C/16⌉, rows, cols, 16] ← images [n0, n1) of x [N, C, H, W] shifted by (oy, ox): dst pixel
/// (r, j) = x pixel (r − oy, j − ox), zero outside the image (the padding) and for channels ≥ C.
void pack(float* dst, const float* x, int64_t n0, int64_t n1, int64_t C, int64_t H, int64_t W, int64_t rows,
          int64_t cols, int64_t oy, int64_t ox);

/// Images [n0, n1) of out [N, C, H, W] ← the top-left H×W pixels and first C channels of
/// src [n1 − n0, ⌈C/16⌉, rows, cols, 16] (rows ≥ H, cols ≥ W).
void unpack(float* out, const float* src, int64_t n0, int64_t n1, int64_t C, int64_t H, int64_t W, int64_t rows,
            int64_t cols);

/// C [m, n] (+)= A [m, k] · B [k, n], n a multiple of 16, where A(i, p) = a[i·ars + p·aks] (either layout, or a
/// transposed one), B row-major with leading dimension ldb, C with ldc. Register blocks of 14 rows × 32 columns.
void gemm(float* c, int64_t ldc, const float* a, int64_t ars, int64_t aks, const float* b, int64_t ldb, int64_t m,
          int64_t n, int64_t k, bool accumulate);

}  // namespace bp::cpu::wino
