// page_arena.cpp — PageArena (page_arena.h): chunks from mmap, aligned to 2 MiB so that every whole 2 MiB of
// them can be one huge page, and a best-fit search over their free ranges.
#include "cpu/page_arena.h"

#include <sys/mman.h>

#include <cstdint>
#include <iterator>

namespace bp::cpu {
namespace {

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

}  // namespace

PageArena::PageArena(size_t chunk_bytes)
    : chunk_bytes_(round_up(chunk_bytes < 1 ? 1 : chunk_bytes, kHugePage)) {}

PageArena::~PageArena() {
    for (auto& [base, c] : chunks_) ::munmap(base, c.size);
}

char* PageArena::map_chunk(size_t size, bool* huge) const {
    // Map 2 MiB more than asked and unmap the ends, so that the chunk starts on a 2 MiB boundary.
    const size_t span = size + kHugePage;
    void* m = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return nullptr;
    const auto start = reinterpret_cast<uintptr_t>(m);
    const uintptr_t base = (start + kHugePage - 1) & ~(uintptr_t(kHugePage) - 1);
    if (base > start) ::munmap(m, base - start);
    if (const uintptr_t end = start + span; end > base + size)
        ::munmap(reinterpret_cast<void*>(base + size), end - base - size);
    *huge = false;
#if defined(MADV_HUGEPAGE)
    // Before any page is touched: the first touch of each 2 MiB then maps a huge page. Refused where the
    // kernel has no transparent huge pages; the chunk then works on small pages.
    *huge = ::madvise(reinterpret_cast<void*>(base), size, MADV_HUGEPAGE) == 0;
#endif
    return reinterpret_cast<char*>(base);
}

void* PageArena::allocate(size_t bytes) {
    const size_t need = round_up(bytes < 1 ? 1 : bytes, kAlign);
    std::lock_guard<std::mutex> lock(mu_);
    // Best fit over every free range; of equal fits, the lowest address.
    Chunk* best_chunk = nullptr;
    char* best_base = nullptr;
    std::map<size_t, size_t>::iterator best;
    for (auto& [base, c] : chunks_)
        for (auto it = c.free.begin(); it != c.free.end(); ++it)
            if (it->second >= need && (!best_chunk || it->second < best->second)) {
                best_chunk = &c;
                best_base = base;
                best = it;
            }
    if (!best_chunk) {
        const size_t size = need > chunk_bytes_ / 2 ? round_up(need, kHugePage) : chunk_bytes_;
        bool huge = false;
        char* base = map_chunk(size, &huge);
        if (!base) {  // out of address space (ulimit -v): give back the empty chunks, then try once more
            release_unused_locked();
            base = map_chunk(size, &huge);
        }
        if (!base) return nullptr;
        Chunk& c = chunks_[base];
        c.size = size;
        c.huge = huge;
        best = c.free.emplace(0, size).first;
        best_chunk = &c;
        best_base = base;
    }
    const size_t offset = best->first, length = best->second;
    best_chunk->free.erase(best);
    if (length > need) best_chunk->free.emplace(offset + need, length - need);
    best_chunk->used += need;
    void* p = best_base + offset;
    live_[p] = need;
    return p;
}

std::map<char*, PageArena::Chunk>::iterator PageArena::chunk_of(const void* p) {
    auto it = chunks_.upper_bound(static_cast<char*>(const_cast<void*>(p)));
    if (it == chunks_.begin()) return chunks_.end();
    --it;
    return static_cast<const char*>(p) < it->first + it->second.size ? it : chunks_.end();
}

std::map<char*, PageArena::Chunk>::const_iterator PageArena::chunk_of(const void* p) const {
    return const_cast<PageArena*>(this)->chunk_of(p);
}

bool PageArena::deallocate(void* p) {
    std::lock_guard<std::mutex> lock(mu_);
    const auto live = live_.find(p);
    if (live == live_.end()) return false;
    const size_t length = live->second;
    live_.erase(live);
    const auto ci = chunk_of(p);
    Chunk& c = ci->second;
    c.used -= length;
    size_t offset = static_cast<size_t>(static_cast<char*>(p) - ci->first), len = length;
    // Merge with the free range that ends where this block starts, and with the one that starts where it
    // ends.
    auto next = c.free.lower_bound(offset);
    if (next != c.free.begin()) {
        auto prev = std::prev(next);
        if (prev->first + prev->second == offset) {
            offset = prev->first;
            len += prev->second;
            c.free.erase(prev);
        }
    }
    if (next != c.free.end() && next->first == offset + len) {
        len += next->second;
        c.free.erase(next);
    }
    c.free.emplace(offset, len);
    return true;
}

bool PageArena::owns(const void* p) const {
    std::lock_guard<std::mutex> lock(mu_);
    return chunk_of(p) != chunks_.end();
}

void PageArena::release_unused() {
    std::lock_guard<std::mutex> lock(mu_);
    release_unused_locked();
}

void PageArena::release_unused_locked() {
    for (auto it = chunks_.begin(); it != chunks_.end();) {
        if (it->second.used == 0) {
            ::munmap(it->first, it->second.size);
            it = chunks_.erase(it);
        } else {
            ++it;
        }
    }
}

PageArenaStats PageArena::stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    PageArenaStats s;
    for (const auto& [base, c] : chunks_) {
        s.mapped += c.size;
        s.in_use += c.used;
        ++s.chunks;
        s.huge_chunks += c.huge ? 1 : 0;
    }
    return s;
}

}  // namespace bp::cpu
