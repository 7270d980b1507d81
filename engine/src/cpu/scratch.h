// scratch.h — a 64-byte-aligned float buffer that a thread keeps between calls and grows as needed (declare it
// thread_local): the packing and transform kernels (sgemm.cpp, winograd.cpp) reuse its pages instead of
// allocating, and page-faulting, a fresh buffer on every layer of every step. Contents are not kept when it
// grows. From 2 MiB on it asks for transparent huge pages (as page_arena.h does for tensors): one fault per
// 2 MiB.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

#include <sys/mman.h>

namespace bp::cpu {

class ScratchBuffer {
public:
    ScratchBuffer() = default;
    ScratchBuffer(const ScratchBuffer&) = delete;
    ScratchBuffer& operator=(const ScratchBuffer&) = delete;
    ~ScratchBuffer() { std::free(p_); }

    /// At least `want` floats, 64-byte aligned.
    float* get(size_t want) {
        if (want > n_) {
            std::free(p_);
            p_ = nullptr;
            constexpr size_t kHuge = size_t(2) << 20;
            n_ = (want + 1023) / 1024 * 1024;
            const bool huge = n_ * sizeof(float) >= kHuge;
            if (huge) n_ = (n_ * sizeof(float) + kHuge - 1) / kHuge * kHuge / sizeof(float);
            p_ = static_cast<float*>(std::aligned_alloc(huge ? kHuge : 64, n_ * sizeof(float)));
            if (!p_) {
                n_ = 0;
                throw std::bad_alloc();
            }
#if defined(MADV_HUGEPAGE)
            if (huge) ::madvise(p_, n_ * sizeof(float), MADV_HUGEPAGE);  // before the first touch, if allowed
#endif
        }
        return p_;
    }

private:
    float* p_ = nullptr;
    size_t n_ = 0;
};

}  // namespace bp::cpu
