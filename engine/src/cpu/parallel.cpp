// parallel.cpp — the persistent worker pool behind parallel_for (see parallel.h for why it is not OpenMP).
//
// One job at a time. Its chunks are claimed through `ticket_`, which packs the job's generation (high 32
// bits) with the next unclaimed chunk (low 32 bits), so a worker that wakes late can never claim a chunk of
// a newer job with an older job's function: its compare-and-swap names the generation it read. Before
// publishing a job the caller closes the ticket (generation advanced, index past any chunk count), then
// writes the job's fields, then opens it at chunk 0.
#include "cpu/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define BP_PAUSE() _mm_pause()
#else
#define BP_PAUSE() ((void)0)
#endif

namespace bp::cpu {
namespace {

using Fn = std::function<void(int64_t, int64_t)>;

thread_local bool t_in_chunk = false;

// Sleeping on a 32-bit atomic until it no longer holds `seen`, and waking its sleepers: a futex on Linux,
// elsewhere a short sleep-poll. `sleepers` counts the threads inside wait_while so that the common case,
// nobody asleep, costs no system call: a sleeper increments it before the kernel re-checks the value, and
// a waker changes the value before reading it, so one of them always sees the other.
void wait_while(std::atomic<uint32_t>& word, uint32_t seen, std::atomic<int>& sleepers) {
    sleepers.fetch_add(1);
    while (word.load() == seen) {
#if defined(__linux__)
        syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE, seen, nullptr, nullptr, 0);
#else
        std::this_thread::sleep_for(std::chrono::microseconds(50));
#endif
    }
    sleepers.fetch_sub(1);
}

void wake_all(std::atomic<uint32_t>& word, std::atomic<int>& sleepers) {
#if defined(__linux__)
    if (sleepers.load() > 0)
        syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT32_MAX, nullptr,
                nullptr, 0);
#else
    (void)word, (void)sleepers;
#endif
}

constexpr uint64_t kClosed = 0xffffffffull;
// About 100 µs of pause instructions: long enough to catch the next op of a training step (waking a
// sleeping thread costs tens of µs in a VM), short enough that an idle worker soon leaves a core that
// another process needs.
constexpr int kWorkerSpin = 1 << 13;
constexpr int kCallerSpin = 1 << 12;

class Pool {
public:
    explicit Pool(int threads) {
        for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
    }
    ~Pool() {
        stop_.store(true);
        wake_.fetch_add(1);
        wake_all(wake_, worker_sleepers_);
        for (auto& t : workers_) t.join();
    }
    int threads() const { return static_cast<int>(workers_.size()) + 1; }

    // Returns false (and runs nothing) when another thread's job holds the pool.
    bool run(int64_t n, int64_t grain, const Fn& f) {
        std::unique_lock<std::mutex> lock(call_, std::try_to_lock);
        if (!lock.owns_lock()) return false;
        const uint64_t gen = ++gen_;
        ticket_.store(gen << 32 | kClosed);
        fn_.store(&f);
        n_.store(n);
        grain_.store(grain);
        const int64_t chunks = (n + grain - 1) / grain;
        chunks_.store(chunks);
        done_.store(0);
        ticket_.store(gen << 32);
        wake_.fetch_add(1);
        wake_all(wake_, worker_sleepers_);
        t_in_chunk = true;
        work();
        t_in_chunk = false;
        // Wait for chunks a worker claimed and is still running (none if no worker woke in time).
        const uint32_t want = static_cast<uint32_t>(chunks);
        for (int i = 0; i < kCallerSpin && done_.load() != want; ++i) BP_PAUSE();
        for (uint32_t d = done_.load(); d != want; d = done_.load()) wait_while(done_, d, caller_sleeping_);
        return true;
    }

private:
    // Claims and runs chunks of the current job until none is left.
    void work() {
        uint64_t t = ticket_.load();
        const uint64_t gen = t >> 32;
        const Fn* f = fn_.load();
        const int64_t n = n_.load(), grain = grain_.load(), chunks = chunks_.load();
        for (;;) {
            // A newer job (or one being published): these fields may be stale; its own wake-up brings us
            // back.
            if ((t >> 32) != gen) return;
            const uint64_t idx = t & kClosed;
            if (idx >= static_cast<uint64_t>(chunks)) return;
            if (!ticket_.compare_exchange_weak(t, t + 1)) continue;  // t reloaded
            const int64_t b = static_cast<int64_t>(idx) * grain;
            (*f)(b, std::min(n, b + grain));
            done_.fetch_add(1);
            wake_all(done_, caller_sleeping_);
            t = ticket_.load();
        }
    }

    void worker_loop() {
        t_in_chunk = true;
        uint32_t seen = 0;  // wake_'s initial value, not a fresh load: a thread that starts late must not
                            // miss a job, or the stop
        for (;;) {
            for (int i = 0; i < kWorkerSpin && wake_.load() == seen; ++i) BP_PAUSE();
            wait_while(wake_, seen, worker_sleepers_);
            if (stop_.load()) return;
            seen = wake_.load();
            work();
        }
    }

    std::vector<std::thread> workers_;
    std::mutex call_;
    uint64_t gen_ = 0;  // written only under call_
    std::atomic<uint64_t> ticket_{kClosed};
    std::atomic<const Fn*> fn_{nullptr};
    std::atomic<int64_t> n_{0}, grain_{1}, chunks_{0};
    std::atomic<uint32_t> done_{0}, wake_{0};
    std::atomic<bool> stop_{false};
    std::atomic<int> worker_sleepers_{0}, caller_sleeping_{0};
};

std::mutex g_pool_mutex;
std::shared_ptr<Pool> g_pool;  // null: one thread
int g_threads = 1;

std::shared_ptr<Pool> current_pool() {
    std::lock_guard<std::mutex> lock(g_pool_mutex);
    return g_pool;
}

}  // namespace

int pool_threads() {
    std::lock_guard<std::mutex> lock(g_pool_mutex);
    return g_threads;
}

void set_pool_threads(int n) {
    n = std::max(1, n);
    std::shared_ptr<Pool> old;
    {
        std::lock_guard<std::mutex> lock(g_pool_mutex);
        if (n == g_threads) return;
        old = std::move(g_pool);
        g_threads = n;
        g_pool = n > 1 ? std::make_shared<Pool>(n) : nullptr;
    }
    // `old` joins its workers here (or when the last parallel_for still using it returns).
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& f) {
    if (n <= 0) return;
    grain = std::max<int64_t>(1, grain);
    if (n > grain && !t_in_chunk) {
        if (std::shared_ptr<Pool> pool = current_pool())
            if (pool->run(n, grain, f)) return;
    }
    for (int64_t b = 0; b < n; b += grain) f(b, std::min(n, b + grain));  // the same chunks, in order
}

int64_t grain_for(int64_t n, int64_t min_grain, int chunks_per_thread) {
    if (pool_threads() == 1)
        return std::max<int64_t>(1, std::max(n, min_grain));  // one chunk: serial code unchanged
    const int64_t parts = static_cast<int64_t>(pool_threads()) * std::max(1, chunks_per_thread);
    return std::max<int64_t>(std::max<int64_t>(1, min_grain), (n + parts - 1) / parts);
}

}  // namespace bp::cpu
