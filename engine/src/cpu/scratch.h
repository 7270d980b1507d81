// scratch.h — a 64-byte-aligned float buffer that a thread keeps between calls and grows as needed (declare it
// thread_local): the packing and transform kernels (sgemm.cpp, winograd.cpp) reuse its pages instead of
// allocating, and page-faulting, a fresh buffer on every layer of every step. Contents are not kept when it grows.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

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
            n_ = (want + 1023) / 1024 * 1024;
            p_ = static_cast<float*>(std::aligned_alloc(64, n_ * sizeof(float)));
            if (!p_) {
                n_ = 0;
                throw std::bad_alloc();
            }
        }
        return p_;
    }

private:
    float* p_ = nullptr;
    size_t n_ = 0;
};

}  // namespace bp::cpu
