// parallel.cpp — the persistent worker pool behind parallel_for (see parallel.h for why it is not OpenMP).
//
// One job at a time. Its chunks are cut into one contiguous range per thread (the caller's first, then worker
// 1's, ...), and each thread claims the chunks of its own range first, in order, then those left in the
// others' ranges. So with work split the same way op after op (rows of a batch, a flat range of elements),
// each core keeps touching the same part of each buffer, step after step, in its own caches: measured on this
// 2-core VM, a 6 MB read-and-write pass at two threads took 78 µs (median) when each thread kept its half and
// 109 µs when the halves swapped between calls (1 thread: 161 µs). A thread that is late loses its chunks to
// the others, as before.
//
// Each range's chunks are claimed through its ticket, which packs the job's generation (high 32 bits) with
// the range's next unclaimed chunk (low 32 bits), so a worker that wakes late can never claim a chunk of a
// newer job with an older job's function: its compare-and-swap names the generation it read. Before
// publishing a job the caller closes every ticket (generation advanced, index past any chunk count), then
// writes the job's fields (the ranges' ends among them), then opens each ticket at its range's first chunk.
//
// Each job first asks the pool's ParallelGovernor (parallel.h) whether to wake the workers at all; a job it
// turns down runs its chunks on the caller, in order, with the workers left asleep.
#include "cpu/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <typeinfo>
#include <vector>
#if __has_include(<cxxabi.h>)
#include <cxxabi.h>
#endif
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
// BP_POOL_MODE=always|caller|adaptive picks the starting mode (to measure one against the other with the same
// binary; adaptive when unset); BP_POOL_STATS=1 prints each pool's PoolStats to stderr when it is
// replaced or at exit.
PoolMode mode_from_env() {
    const char* v = std::getenv("BP_POOL_MODE");
    const std::string s = v ? v : "";
    return s == "always" ? PoolMode::always_parallel : s == "caller" ? PoolMode::caller_only : PoolMode::adaptive;
}
std::atomic<PoolMode> g_mode{mode_from_env()};
bool stats_from_env() {
    const char* v = std::getenv("BP_POOL_STATS");
    return v && *v && std::string(v) != "0";
}
std::atomic<bool> g_site_stats{stats_from_env()};

std::string demangle(const char* name) {
#if __has_include(<cxxabi.h>)
    int status = 0;
    char* d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    if (d) {
        std::string s(d);
        std::free(d);
        return s;
    }
#endif
    return name;
}
std::atomic<bool> g_hold_workers{false};

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void run_in_order(int64_t n, int64_t grain, const Fn& f) {
    for (int64_t b = 0; b < n; b += grain) f(b, std::min(n, b + grain));
}

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
constexpr int64_t kMaxTimedChunks = 1 << 16;  // jobs with more chunks are not judged (none in the ops today)

class Pool {
public:
    Pool(int threads, const ParallelGovernor& governor)
        : nthreads_(threads),
          ranges_(new Range[static_cast<size_t>(threads)]),
          tallies_(new Tally[static_cast<size_t>(threads)]),
          governor_(governor) {
        for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
    }
    ~Pool() {
        if (stats_from_env()) print_stats();
        stop_.store(true);
        wake_.fetch_add(1);
        wake_all(wake_, worker_sleepers_);
        for (auto& t : workers_) t.join();
    }
    int threads() const { return nthreads_; }

    // Returns false (and runs nothing) when another thread's job holds the pool.
    bool run(int64_t n, int64_t grain, const Fn& f) {
        std::unique_lock<std::mutex> lock(call_, std::try_to_lock);
        if (!lock.owns_lock()) return false;
        const PoolMode mode = g_mode.load(std::memory_order_relaxed);
        const int64_t t0 = now_ns();
        if (mode == PoolMode::caller_only || (mode == PoolMode::adaptive && !governor_.want_parallel(t0))) {
            ++stats_.caller_only_jobs;
            t_in_chunk = true;  // nested parallel_for calls stay on this thread too
            run_in_order(n, grain, f);
            t_in_chunk = false;
            return true;
        }
        const uint64_t gen = ++gen_;
        const int nt = threads();
        for (int k = 0; k < nt; ++k) ranges_[k].ticket.store(gen << 32 | kClosed);
        fn_.store(&f);
        n_.store(n);
        grain_.store(grain);
        const int64_t chunks = (n + grain - 1) / grain;
        chunks_.store(chunks);
        for (int k = 0; k < nt; ++k) ranges_[k].end.store(range_begin(k + 1, nt, chunks));
        // Each chunk's run time, written by whichever thread ran it (before it counts the chunk done).
        const bool timed = chunks <= kMaxTimedChunks;
        if (timed && static_cast<int64_t>(chunk_ns_.size()) < chunks) chunk_ns_.resize(static_cast<size_t>(chunks));
        times_.store(timed ? chunk_ns_.data() : nullptr);
        const bool by_site = timed && g_site_stats.load(std::memory_order_relaxed);
        if (by_site)
            for (int k = 0; k < nt; ++k) tallies_[k].ns.store(0);
        tally_.store(by_site ? tallies_.get() : nullptr);
        done_.store(0);
        for (int k = 0; k < nt; ++k)
            ranges_[k].ticket.store(gen << 32 | static_cast<uint64_t>(range_begin(k, nt, chunks)));
        wake_.fetch_add(1);
        wake_all(wake_, worker_sleepers_);
        t_in_chunk = true;
        const int64_t mine = work(0);
        const int64_t t2 = now_ns();
        t_in_chunk = false;
        // Wait for chunks a worker claimed and is still running (none if no worker woke in time).
        const uint32_t want = static_cast<uint32_t>(chunks);
        for (int i = 0; i < kCallerSpin && done_.load() != want; ++i) BP_PAUSE();
        for (uint32_t d = done_.load(); d != want; d = done_.load()) wait_while(done_, d, caller_sleeping_);
        const int64_t t3 = mine == chunks ? t2 : now_ns();
        const int64_t alone = timed ? time_alone(chunks) : t3 - t0;
        ++stats_.parallel_jobs;
        stats_.chunks += chunks;
        stats_.worker_chunks += chunks - mine;
        stats_.wall_s += 1e-9 * static_cast<double>(t3 - t0);
        stats_.wait_s += 1e-9 * static_cast<double>(t3 - t2);
        stats_.estimated_alone_s += 1e-9 * static_cast<double>(alone);
        const bool was_parallel = governor_.want_parallel(t3);
        governor_.record(t3, t3 - t0, alone);
        if (was_parallel && !governor_.want_parallel(t3)) ++stats_.switches_to_caller;
        if (by_site) {
            PoolSiteStats& s = sites_[&f.target_type()];
            if (s.site.empty()) s.site = demangle(f.target_type().name());
            ++s.jobs;
            s.chunks += chunks;
            s.caller_chunks += mine;
            s.wall_s += 1e-9 * static_cast<double>(t3 - t0);
            s.wait_s += 1e-9 * static_cast<double>(t3 - t2);
            s.estimated_alone_s += 1e-9 * static_cast<double>(alone);
            s.caller_s += 1e-9 * static_cast<double>(tallies_[0].ns.load());
            for (int k = 1; k < nt; ++k) s.workers_s += 1e-9 * static_cast<double>(tallies_[k].ns.load());
        }
        return true;
    }

    PoolStats stats() {
        std::lock_guard<std::mutex> lock(call_);
        PoolStats s = stats_;
        for (const auto& [type, site] : sites_) s.sites.push_back(site);
        return s;
    }
    ParallelGovernor governor() {
        std::lock_guard<std::mutex> lock(call_);
        return governor_;
    }
    void print_stats() {
        const PoolStats s = stats();
        std::fprintf(stderr,
                     "pool %d threads: %lld parallel jobs (%.3f s wall, %.3f s of it the caller waiting for workers, "
                     "%.3f s estimated alone: %.2fx), worker chunks %lld of %lld, %lld jobs on the caller alone, "
                     "%lld switches to caller-only\n",
                     threads(), static_cast<long long>(s.parallel_jobs), s.wall_s, s.wait_s, s.estimated_alone_s,
                     s.wall_s > 0 ? s.estimated_alone_s / s.wall_s : 0.0, static_cast<long long>(s.worker_chunks),
                     static_cast<long long>(s.chunks), static_cast<long long>(s.caller_only_jobs),
                     static_cast<long long>(s.switches_to_caller));
        // The call sites that lost most against an even share of their chunks' time, at most 12.
        std::vector<PoolSiteStats> sites = s.sites;
        const double nt = threads();
        auto lost = [nt](const PoolSiteStats& x) { return x.wall_s - x.estimated_alone_s / nt; };
        std::sort(sites.begin(), sites.end(),
                  [&](const auto& a, const auto& b) { return lost(a) > lost(b); });
        for (size_t i = 0; i < std::min<size_t>(sites.size(), 12); ++i) {
            const PoolSiteStats& x = sites[i];
            std::fprintf(
                stderr,
                "  lost %.3f s: %lld jobs (%.1f chunks each), wall %.3f s, even share %.3f s, caller waited "
                "%.3f s; chunks' time caller %.3f s (%lld chunks), workers %.3f s (%lld): %.160s\n",
                lost(x), static_cast<long long>(x.jobs), static_cast<double>(x.chunks) / x.jobs, x.wall_s,
                x.estimated_alone_s / nt, x.wait_s, x.caller_s, static_cast<long long>(x.caller_chunks),
                x.workers_s, static_cast<long long>(x.chunks - x.caller_chunks), x.site.c_str());
        }
    }
    void reset_stats() {
        std::lock_guard<std::mutex> lock(call_);
        stats_ = PoolStats{};
        sites_.clear();
    }

private:
    // What the job's chunks would have taken on one thread that nobody preempts: the sum of their run times,
    // each clipped to twice the (lower) median, so that a chunk whose thread was preempted halfway counts as
    // an ordinary one (its wait shows in the wall time instead).
    int64_t time_alone(int64_t chunks) {
        int64_t* t = chunk_ns_.data();
        const int64_t total_unclipped = [&] {
            int64_t s = 0;
            for (int64_t i = 0; i < chunks; ++i) s += t[i];
            return s;
        }();
        std::nth_element(t, t + (chunks - 1) / 2, t + chunks);
        const int64_t cap = 2 * t[(chunks - 1) / 2];
        int64_t s = 0;
        for (int64_t i = 0; i < chunks; ++i) s += std::min(t[i], cap);
        return std::min(s, total_unclipped);
    }

    // Chunk `k · chunks / threads` (rounded down) starts thread k's range; k == threads gives the end.
    static int64_t range_begin(int k, int threads, int64_t chunks) { return chunks * k / threads; }

    // Claims and runs chunks of the current job until none is left, thread `self`'s own range first, then the
    // others' in turn; returns how many this thread ran.
    int64_t work(int self) {
        int64_t ran = 0;
        const int nt = threads();
        const uint64_t own = ranges_[self].ticket.load();
        if ((own & kClosed) == kClosed) return 0;  // a job being published: its wake-up brings us back
        const uint64_t gen = own >> 32;
        const Fn* f = fn_.load();
        const int64_t n = n_.load(), grain = grain_.load();
        int64_t* times = times_.load();
        Tally* tally = tally_.load();
        for (int r = 0; r < nt; ++r) {
            Range& range = ranges_[(self + r) % nt];
            uint64_t t = range.ticket.load();
            for (;;) {
                // A newer job (or one being published): these fields may be stale; its own wake-up brings us
                // back. (Every ticket is closed before any field of the next job is written.)
                if ((t >> 32) != gen) return ran;
                const uint64_t idx = t & kClosed;
                if (idx >= static_cast<uint64_t>(range.end.load())) break;  // this range is done (or closed)
                if (!range.ticket.compare_exchange_weak(t, t + 1)) continue;  // t reloaded
                const int64_t b = static_cast<int64_t>(idx) * grain;
                const int64_t start = times ? now_ns() : 0;
                (*f)(b, std::min(n, b + grain));
                if (times) {
                    times[idx] = now_ns() - start;
                    if (tally) tally[self].ns.fetch_add(times[idx], std::memory_order_relaxed);
                }
                ++ran;
                done_.fetch_add(1);
                wake_all(done_, caller_sleeping_);
                t = range.ticket.load();
            }
        }
        return ran;
    }

    void worker_loop(int self) {
        t_in_chunk = true;
        uint32_t seen = 0;  // wake_'s initial value, not a fresh load: a thread that starts late must not
                            // miss a job, or the stop
        for (;;) {
            for (int i = 0; i < kWorkerSpin && wake_.load() == seen; ++i) BP_PAUSE();
            wait_while(wake_, seen, worker_sleepers_);
            if (stop_.load()) return;
            seen = wake_.load();
            if (!g_hold_workers.load()) work(self);
        }
    }

    const int nthreads_;
    std::vector<std::thread> workers_;
    std::mutex call_;
    uint64_t gen_ = 0;  // written only under call_
    // One per thread, a cache line each (claims on one range do not slow another thread's).
    struct alignas(64) Range {
        std::atomic<uint64_t> ticket{kClosed};
        std::atomic<int64_t> end{0};  // one past the range's last chunk
    };
    std::unique_ptr<Range[]> ranges_;
    // Each thread's chunk time in the current job, while sites are recorded (a cache line each).
    struct alignas(64) Tally {
        std::atomic<int64_t> ns{0};
    };
    std::unique_ptr<Tally[]> tallies_;
    std::atomic<Tally*> tally_{nullptr};
    std::atomic<const Fn*> fn_{nullptr};
    std::atomic<int64_t> n_{0}, grain_{1}, chunks_{0};
    std::atomic<uint32_t> done_{0}, wake_{0};
    std::atomic<bool> stop_{false};
    std::atomic<int> worker_sleepers_{0}, caller_sleeping_{0};
    std::atomic<int64_t*> times_{nullptr};
    std::vector<int64_t> chunk_ns_;  // resized only under call_, between jobs
    ParallelGovernor governor_;  // under call_
    PoolStats stats_;            // under call_
    std::map<const std::type_info*, PoolSiteStats> sites_;  // under call_
};

std::mutex g_pool_mutex;
std::shared_ptr<Pool> g_pool;  // null: one thread
int g_threads = 1;
// What the last pool's governor had learnt, handed to the next pool: whether the machine is busy does not
// change with the thread count, and a trainer sets the thread count at the start of every run (a new pool
// each time the count changes), so a fresh governor would probe a busy machine again at the start of every
// short run.
ParallelGovernor g_governor;

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
        if (old) g_governor = old->governor();
        g_threads = n;
        g_pool = n > 1 ? std::make_shared<Pool>(n, g_governor) : nullptr;
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
    run_in_order(n, grain, f);  // the same chunks, in order
}

int64_t grain_for(int64_t n, int64_t min_grain, int chunks_per_thread) {
    const int64_t threads = pool_threads();
    if (threads == 1)
        return std::max<int64_t>(1, std::max(n, min_grain));  // one chunk: serial code unchanged
    // Equal chunks, as many as fit at least min_grain each (at most chunks_per_thread per thread), and a
    // multiple of the thread count once there are that many: rounding the grain up to min_grain instead
    // cut 1.1·min_grain items into a chunk of min_grain and a sliver, which left one thread doing nearly all
    // of it.
    const int64_t most =
        std::min(n / std::max<int64_t>(1, min_grain), threads * std::max(1, chunks_per_thread));
    if (most < threads)
        return std::max<int64_t>(1, (n + std::max<int64_t>(1, most) - 1) / std::max<int64_t>(1, most));
    // Of the chunk counts that are multiples of the thread count, up to `most`, the one whose grain gives the
    // threads the most even shares (each thread's own range is a run of whole chunks, see Pool::range_begin),
    // the larger count on a tie: 16 items in 6 chunks are chunks of 3 (3, 3, 3, 3, 3, 1: 9 items for one
    // thread and 7 for the other), in 4 chunks 4 each.
    int64_t best_grain = 1, best_share = INT64_MAX;
    for (int64_t c = most - most % threads; c >= threads; c -= threads) {
        const int64_t grain = (n + c - 1) / c, chunks = (n + grain - 1) / grain;
        int64_t share = 0;
        for (int64_t k = 0; k < threads; ++k)
            share = std::max(share, std::min(n, chunks * (k + 1) / threads * grain) -
                                        std::min(n, chunks * k / threads * grain));
        if (share < best_share) best_share = share, best_grain = grain;
    }
    return best_grain;
}

void ParallelGovernor::record(int64_t now_ns, int64_t wall_ns, int64_t alone_ns) {
    wall_sum_ += static_cast<double>(wall_ns);
    alone_sum_ += static_cast<double>(alone_ns);
    if (wall_sum_ < static_cast<double>(p_.window_ns)) return;
    last_speedup_ = alone_sum_ / wall_sum_;
    wall_sum_ = alone_sum_ = 0;
    if (last_speedup_ >= p_.min_speedup) {
        backoff_ = p_.backoff_ns;
        return;
    }
    serial_until_ = now_ns + backoff_;
    backoff_ = std::min(p_.max_backoff_ns, backoff_ * 2);
}

PoolStats pool_stats() {
    if (std::shared_ptr<Pool> pool = current_pool()) return pool->stats();
    return {};
}

void reset_pool_stats() {
    if (std::shared_ptr<Pool> pool = current_pool()) pool->reset_stats();
}

void set_pool_site_stats(bool on) { g_site_stats.store(on); }

void set_pool_mode(PoolMode mode) { g_mode.store(mode); }
PoolMode pool_mode() { return g_mode.load(); }

namespace detail {
void hold_workers(bool held) { g_hold_workers.store(held); }
}  // namespace detail

}  // namespace bp::cpu
