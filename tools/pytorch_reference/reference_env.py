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
- glibc malloc asks for transparent huge pages (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, glibc 2.35 and later), as
  our CPU backend does for its large buffers (engine/src/cpu/page_arena.cpp). glibc reads its tunables when a
  process starts, so prepare() starts this script again with the variable set. Measured: matmul 1024^3
  forward+backward 38.1 -> 35.8 and 36.9 -> 36.5 ms, relu 0.63 -> 0.70 and 0.83 -> 0.74 ms (two runs each).
"""

import ctypes
import os
import sys

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3


HUGE_PAGES = "glibc.malloc.hugetlb=1"


def glibc_version():
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.gnu_get_libc_version.restype = ctypes.c_char_p
        return tuple(int(x) for x in libc.gnu_get_libc_version().decode().split(".")[:2])
    except (OSError, ValueError):
        return (0, 0)


def prepare(blas_threads):
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    if glibc_version() >= (2, 35) and HUGE_PAGES not in tunables.split(":"):
        env = dict(os.environ, GLIBC_TUNABLES=":".join(t for t in (tunables, HUGE_PAGES) if t))
        sys.stdout.flush()
        os.execve(sys.executable, [sys.executable] + sys.argv, env)  # does not return
    removed = {k: os.environ.pop(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    os.environ["OPENBLAS_NUM_THREADS"] = str(blas_threads)
    os.environ["OMP_NUM_THREADS"] = str(blas_threads)
    malloc = "glibc defaults"
    try:
        libc = ctypes.CDLL("libc.so.6")
        if libc.mallopt(M_MMAP_THRESHOLD, 256 << 20) == 1 and libc.mallopt(M_TRIM_THRESHOLD, 512 << 20) == 1:
            malloc = "mmap threshold 256 MiB, trim threshold 512 MiB"
            if HUGE_PAGES in os.environ.get("GLIBC_TUNABLES", "").split(":"):
                malloc += ", transparent huge pages"
    except OSError:
        pass
    return {"blas_threads": blas_threads, "unset": removed, "malloc": malloc}
