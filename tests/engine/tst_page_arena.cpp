// tst_page_arena.cpp — the CPU backend's memory for large tensor blocks (cpu/page_arena.h): blocks aligned
// and apart, best fit, freed neighbours merged (a merged range serves a request neither half could), a
// request larger than a chunk in a chunk of its own, empty chunks unmapped and busy ones kept (and unmapped
// to make room under an address-space limit), foreign pointers refused, and, where the kernel has
// transparent huge pages, a large tensor's first touch costing a few page faults instead of one per 4 KiB.
#include <QtTest>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "bp/ops.h"
#include "bp/tensor.h"
#include "../../engine/src/cpu/page_arena.h"

using bp::cpu::PageArena;

namespace {

constexpr size_t kMiB = size_t(1) << 20;

uintptr_t addr(const void* p) { return reinterpret_cast<uintptr_t>(p); }

// Transparent huge pages are offered (always or on madvise) by this kernel.
bool huge_pages_offered() {
    std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string s;
    std::getline(f, s);
    return !s.empty() && s.find("[never]") == std::string::npos;
}

// This process's mapped address space (VmSize), in bytes.
size_t address_space() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7)) * 1024;
    return 0;
}

long minor_faults() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt;
}

}  // namespace

class TestPageArena : public QObject {
    Q_OBJECT
private slots:
    void blocksAreAlignedApartAndWritable() {
        PageArena arena(8 * kMiB);
        std::vector<void*> blocks;
        const size_t sizes[] = {1, 100, 300 * 1024, kMiB + 7, 2 * kMiB};
        for (size_t n : sizes) {
            void* p = arena.allocate(n);
            QVERIFY(p != nullptr);
            QCOMPARE(addr(p) % PageArena::kAlign, uintptr_t(0));
            blocks.push_back(p);
        }
        QCOMPARE(addr(blocks[0]) % PageArena::kHugePage, uintptr_t(0));  // a chunk starts on a 2 MiB boundary
        // Each block filled with its own byte; none overwrites another.
        for (size_t i = 0; i < blocks.size(); ++i) std::memset(blocks[i], int(i + 1), sizes[i]);
        for (size_t i = 0; i < blocks.size(); ++i) {
            const auto* b = static_cast<const unsigned char*>(blocks[i]);
            QCOMPARE(int(b[0]), int(i + 1));
            QCOMPARE(int(b[sizes[i] - 1]), int(i + 1));
        }
        const bp::cpu::PageArenaStats s = arena.stats();
        QCOMPARE(s.chunks, size_t(1));
        QCOMPARE(s.mapped, 8 * kMiB);
        QCOMPARE(s.in_use, size_t(64 + 128 + 300 * 1024 + kMiB + 64 + 2 * kMiB));  // each rounded up to 64 B
        for (void* p : blocks) QVERIFY(arena.deallocate(p));
        QCOMPARE(arena.stats().in_use, size_t(0));
    }

    void freedNeighboursMerge() {
        PageArena arena(4 * kMiB);
        void* a = arena.allocate(kMiB);
        void* b = arena.allocate(kMiB);
        void* c = arena.allocate(kMiB);
        QCOMPARE(addr(b), addr(a) + kMiB);
        QCOMPARE(addr(c), addr(b) + kMiB);
        QVERIFY(arena.deallocate(b));
        QVERIFY(arena.deallocate(a));
        // Free: [a, a + 2 MiB) once merged, and the last 1 MiB of the chunk. 2 MiB fits only in the merged
        // range.
        void* d = arena.allocate(2 * kMiB);
        QCOMPARE(d, a);
        QCOMPARE(arena.stats().chunks, size_t(1));
        // Freeing c between d and the chunk's free tail merges all three: the whole chunk is one range again.
        QVERIFY(arena.deallocate(d));
        QVERIFY(arena.deallocate(c));
        QCOMPARE(arena.allocate(4 * kMiB), a);
        QCOMPARE(arena.stats().chunks, size_t(1));
    }

    void bestFitTakesTheSmallestRangeThatFits() {
        PageArena arena(8 * kMiB);
        void* a = arena.allocate(3 * kMiB);
        void* gap = arena.allocate(64);
        void* b = arena.allocate(kMiB);
        void* rest = arena.allocate(64);  // the chunk's tail, 4 MiB - 128 B, stays free
        QVERIFY(arena.deallocate(a));
        QVERIFY(arena.deallocate(b));
        // Free ranges: 3 MiB at a, 1 MiB at b, ~4 MiB at the tail. 1 MiB goes to b's range, 2 MiB to a's.
        QCOMPARE(arena.allocate(kMiB), b);
        QCOMPARE(arena.allocate(2 * kMiB), a);
        QVERIFY(arena.deallocate(gap));
        QVERIFY(arena.deallocate(rest));
    }

    void largeRequestGetsItsOwnChunk() {
        PageArena arena(4 * kMiB);
        void* small = arena.allocate(kMiB);
        void* big = arena.allocate(9 * kMiB);
        QVERIFY(big != nullptr);
        bp::cpu::PageArenaStats s = arena.stats();
        QCOMPARE(s.chunks, size_t(2));
        QCOMPARE(s.mapped, 4 * kMiB + 10 * kMiB);  // 9 MiB rounded up to whole 2 MiB pages
        std::memset(big, 7, 9 * kMiB);
        QVERIFY(arena.owns(big));
        QVERIFY(arena.owns(static_cast<char*>(big) + 9 * kMiB - 1));
        // Empty chunks are unmapped, the one still holding a block is kept.
        QVERIFY(arena.deallocate(big));
        arena.release_unused();
        s = arena.stats();
        QCOMPARE(s.chunks, size_t(1));
        QCOMPARE(s.mapped, 4 * kMiB);
        QVERIFY(!arena.owns(big));
        QVERIFY(arena.owns(small));
        QVERIFY(arena.deallocate(small));
        arena.release_unused();
        QCOMPARE(arena.stats().chunks, size_t(0));
    }

    void foreignPointersAreRefused() {
        PageArena arena(4 * kMiB);
        void* p = arena.allocate(1000);
        int local = 0;
        QVERIFY(!arena.deallocate(&local));
        QVERIFY(!arena.deallocate(static_cast<char*>(p) + 64));  // inside the chunk, but not a block's start
        QVERIFY(arena.deallocate(p));
        QVERIFY(!arena.deallocate(p));  // twice
        QCOMPARE(arena.stats().in_use, size_t(0));
    }

    // Under an address-space limit (the hostile tests' ulimit -v), a request that fits no chunk and finds no
    // room for a new one gives back the empty chunks first. Run in a child process, which the limit binds
    // alone.
    void emptyChunksMakeRoomUnderAnAddressLimit() {
        const pid_t pid = fork();
        QVERIFY(pid >= 0);
        if (pid == 0) {
            PageArena arena(4 * kMiB);
            const rlimit lim{address_space() + 160 * kMiB, address_space() + 160 * kMiB};
            if (setrlimit(RLIMIT_AS, &lim) != 0) _exit(2);
            void* a = arena.allocate(100 * kMiB);  // a chunk of its own, 100 MiB of the 160
            if (!a || !arena.deallocate(a)) _exit(3);
            // 120 MiB more does not fit beside the empty 100 MiB chunk; without it, it does.
            void* b = arena.allocate(120 * kMiB);
            if (!b) _exit(4);
            std::memset(b, 1, 4096);
            _exit(arena.stats().chunks == 1 ? 0 : 5);
        }
        int status = 0;
        QCOMPARE(waitpid(pid, &status, 0), pid);
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 0);
    }

    void hugePagesWhereOffered() {
        if (!huge_pages_offered()) QSKIP("this kernel offers no transparent huge pages");
        PageArena arena(8 * kMiB);
        void* p = arena.allocate(4 * kMiB);
        QCOMPARE(arena.stats().huge_chunks, size_t(1));
        QVERIFY(arena.deallocate(p));
#if defined(__SANITIZE_ADDRESS__)
        QSKIP("under AddressSanitizer the backend takes every block from malloc, which it checks");
#endif
        // Through the backend: a 64 MiB tensor, first touched by a fill, is not 16,384 small-page faults.
        const long before = minor_faults();
        bp::Tensor t = bp::Tensor::full({16, 1024, 1024}, 1.0);
        const long faults = minor_faults() - before;
        QCOMPARE(t.at({15, 1023, 1023}), 1.0);
        QVERIFY2(faults < 4096, qPrintable(QStringLiteral("%1 page faults for 64 MiB").arg(faults)));
    }
};

QTEST_GUILESS_MAIN(TestPageArena)
#include "tst_page_arena.moc"
