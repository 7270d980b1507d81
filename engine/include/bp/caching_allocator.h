// caching_allocator.h — a size-bucketed cache in front of a raw allocator. Freed blocks go to a free list for
// their size class and are handed out again, last freed first, for the next request of that class, so a
// training loop that allocates the same shapes every batch stops calling the raw allocator after the first
// batch. On the GPU (cudaMalloc/cudaFree) that saves the calls; on the CPU (Policy::exact, mid-sized blocks)
// it hands each request the buffer freed last, still in the cache, where glibc's heap walked a rotation of
// buffers that had left it (relu forward+backward on 8 MB: gx landed on a buffer last written two steps
// before). Header-only and device-agnostic, so its bookkeeping is tested with a fake allocator. Not a
// general-purpose heap: no splitting or coalescing of blocks. Thread-safe (one mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

namespace bp {

struct DeviceMemoryStats {
    size_t in_use = 0;   // bytes handed out (size-class rounded)
    size_t cached = 0;   // bytes held in free lists, ready for reuse
    size_t raw_allocs = 0;  // how many times the raw allocator was called
};

class CachingAllocator {
public:
    using RawAlloc = std::function<void*(size_t)>;  // returns null on failure
    using RawFree = std::function<void(void*, size_t)>;  // the block and the size it was asked for with

    /// What is cached. The defaults are the GPU's: every request, in the size classes of size_class().
    struct Policy {
        bool exact = false;            // classes are the request rounded up to 64 B (a CPU heap's blocks)
        size_t min_bytes = 0;          // smaller requests go straight to the raw allocator and back (and
                                       // are not counted in stats())
        size_t max_bytes = SIZE_MAX;   // so do larger ones
        size_t max_cached = SIZE_MAX;  // a freed block that would take the cache past this goes back instead
    };

    CachingAllocator(RawAlloc raw_alloc, RawFree raw_free, Policy policy)
        : alloc_(std::move(raw_alloc)), free_(std::move(raw_free)), policy_(policy) {}
    CachingAllocator(RawAlloc raw_alloc, RawFree raw_free)
        : CachingAllocator(std::move(raw_alloc), std::move(raw_free), Policy()) {}
    CachingAllocator(const CachingAllocator&) = delete;
    CachingAllocator& operator=(const CachingAllocator&) = delete;

    /// The size class of a request: multiples of 512 B up to 1 MiB, then multiples of 1 MiB up to 64 MiB,
    /// then multiples of 16 MiB. Every request gets at least 512 B (a zero-byte tensor still has an address).
    static size_t size_class(size_t bytes) {
        constexpr size_t kSmall = 512, kMiB = size_t(1) << 20, kBig = size_t(16) << 20;
        if (bytes <= kSmall) return kSmall;
        if (bytes <= kMiB) return (bytes + kSmall - 1) / kSmall * kSmall;
        if (bytes <= 64 * kMiB) return (bytes + kMiB - 1) / kMiB * kMiB;
        return (bytes + kBig - 1) / kBig * kBig;
    }

    /// A block of at least `bytes`; null only when the raw allocator fails even after the cache was emptied.
    void* allocate(size_t bytes) {
        if (!cached(bytes)) return alloc_(bytes);
        const size_t cls = class_of(bytes);
        std::lock_guard<std::mutex> lock(mu_);
        auto it = free_lists_.find(cls);
        if (it != free_lists_.end() && !it->second.empty()) {
            void* p = it->second.back();
            it->second.pop_back();
            stats_.cached -= cls;
            stats_.in_use += cls;
            return p;
        }
        void* p = alloc_(cls);
        if (!p) {  // out of memory: give the cached blocks back and try once more
            release_all_locked();
            p = alloc_(cls);
            if (!p) return nullptr;
        }
        ++stats_.raw_allocs;
        stats_.in_use += cls;
        return p;
    }

    /// Returns a block to its free list; `bytes` is the size it was allocated with.
    void deallocate(void* p, size_t bytes) {
        if (!p) return;
        if (!cached(bytes)) return free_(p, bytes);
        const size_t cls = class_of(bytes);
        std::lock_guard<std::mutex> lock(mu_);
        stats_.in_use -= cls;
        if (stats_.cached + cls > policy_.max_cached) return free_(p, cls);
        free_lists_[cls].push_back(p);
        stats_.cached += cls;
    }

    /// Frees every cached block through the raw allocator (blocks in use stay valid).
    void empty_cache() {
        std::lock_guard<std::mutex> lock(mu_);
        release_all_locked();
    }

    DeviceMemoryStats stats() const {
        std::lock_guard<std::mutex> lock(mu_);
        return stats_;
    }

private:
    bool cached(size_t bytes) const { return bytes >= policy_.min_bytes && bytes <= policy_.max_bytes; }
    size_t class_of(size_t bytes) const { return policy_.exact ? (bytes + 63) / 64 * 64 : size_class(bytes); }

    void release_all_locked() {
        for (auto& [cls, list] : free_lists_) {
            for (void* p : list) free_(p, cls);
            stats_.cached -= cls * list.size();
            list.clear();
        }
    }

    RawAlloc alloc_;
    RawFree free_;
    Policy policy_;
    mutable std::mutex mu_;
    std::map<size_t, std::vector<void*>> free_lists_;
    DeviceMemoryStats stats_;
};

}  // namespace bp
