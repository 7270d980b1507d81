"""PyTorch's fastest configuration on this machine, set up before torch is imported; every bench_*.py calls
prepare() first and reports what it returns under "environment" in its JSON.

- The BLAS thread count (OpenBLAS and OpenMP read it when torch loads them).
- OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed: some of these machines set them (Haswell, 512), which makes
  OpenBLAS use its AVX2 kernels on an AVX-512 CPU. Measured on a Zen 5 VM, 1024^3 matmul on one core:
  92 GFLOP/s with them, 196 without (ENVIRONMENT.md: "a fair PyTorch baseline unsets both").
- glibc malloc keeps freed memory (the same mallopt settings our CPU backend makes for itself,
  engine/src/cpu/cpu_backend.cpp): left at its defaults it returns every large buffer to the kernel and pays
  for fresh zeroed pages on the next op, and a page fault costs ~10 us in these VMs. Measured: conv2d
  64x32x14x14->64 forward+backward at 1 thread, median 30 ms with the defaults, 8.7 ms with these settings.
"""

import ctypes
import os

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3


def prepare(blas_threads):
    removed = {k: os.environ.pop(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    os.environ["OPENBLAS_NUM_THREADS"] = str(blas_threads)
    os.environ["OMP_NUM_THREADS"] = str(blas_threads)
    malloc = "glibc defaults"
    try:
        libc = ctypes.CDLL("libc.so.6")
        if libc.mallopt(M_MMAP_THRESHOLD, 256 << 20) == 1 and libc.mallopt(M_TRIM_THRESHOLD, 512 << 20) == 1:
            malloc = "mmap threshold 256 MiB, trim threshold 512 MiB"
    except OSError:
        pass
    return {"blas_threads": blas_threads, "unset": removed, "malloc": malloc}
