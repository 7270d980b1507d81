// page_arena.h — where the CPU backend's large tensor blocks live: chunks mapped from the kernel with
// transparent huge pages asked for (madvise MADV_HUGEPAGE, before anything touches them), carved into blocks
// best-fit, freed blocks merged with their free neighbours. A fresh 4 KiB page costs a fault on first touch,
// and in the VMs this runs on each fault is ~11 µs: ViT-tiny's first training step touched 110 MB of new
// pages (27,800 faults, 0.3 s, ten times a later step). A 2 MiB page is one fault, and the TLB then covers
// 512 times as much of a tensor. Where huge pages are unavailable it still works, on small pages.
//
// Not a general heap: meant for blocks of hundreds of KiB and more (the backend sends smaller ones to
// malloc), few at a time. Thread-safe (one mutex). Blocks are 64-byte aligned. Chunks stay mapped until
// release_unused() finds them empty, or a new chunk finds no address space left (ulimit -v) and the empty
// ones make room.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <unordered_map>

namespace bp::cpu {

struct PageArenaStats {
    size_t mapped = 0;       // bytes of chunks mapped
    size_t in_use = 0;       // bytes of blocks handed out (each rounded up to 64 B)
    size_t chunks = 0;       // chunks mapped
    size_t huge_chunks = 0;  // of them, chunks the kernel accepted MADV_HUGEPAGE for
};

class PageArena {
public:
    static constexpr size_t kAlign = 64;
    static constexpr size_t kHugePage = size_t(2) << 20;

    /// chunk_bytes: the size of each chunk mapped (rounded up to 2 MiB); a larger request gets a chunk of its
    /// own.
    explicit PageArena(size_t chunk_bytes = size_t(64) << 20);
    ~PageArena();
    PageArena(const PageArena&) = delete;
    PageArena& operator=(const PageArena&) = delete;

    /// A block of at least `bytes`, 64-byte aligned; null when the kernel maps no more memory, even after the
    /// empty chunks were unmapped.
    void* allocate(size_t bytes);
    /// Returns a block from allocate(); false (and nothing done) when `p` is not one of this arena's blocks.
    bool deallocate(void* p);
    /// Whether `p` lies in one of this arena's chunks.
    bool owns(const void* p) const;
    /// Unmaps every chunk that has no block in use.
    void release_unused();
    PageArenaStats stats() const;

private:
    struct Chunk {
        size_t size = 0;
        size_t used = 0;                  // bytes of blocks in use
        std::map<size_t, size_t> free;    // offset -> length of each free range, none adjacent to another
        bool huge = false;
    };

    char* map_chunk(size_t size, bool* huge) const;
    void release_unused_locked();
    std::map<char*, Chunk>::iterator chunk_of(const void* p);
    std::map<char*, Chunk>::const_iterator chunk_of(const void* p) const;

    size_t chunk_bytes_;
    mutable std::mutex mu_;
    std::map<char*, Chunk> chunks_;            // by base address
    std::unordered_map<void*, size_t> live_;   // block -> its rounded length
};

}  // namespace bp::cpu
