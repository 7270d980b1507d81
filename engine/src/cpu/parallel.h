// parallel.h — the CPU backend's one way to use more than one core: a persistent pool of worker threads
// and parallel_for over chunks of a layer's work (images of a batch, channels, rows of a product).
//
// Why not OpenMP's fork/join: a join waits for every thread of the team, even one that did no work, so when
// another process holds the second core each parallel region can wait a whole scheduler time slice for a
// worker that was never scheduled (measured: a CNN epoch 6 s at 1 thread, 46 s at 2 under a parallel build).
// Here the calling thread takes part and chunks are claimed one at a time from a shared counter; the call
// returns once every *claimed* chunk is done, so a worker that has not woken up yet costs nothing: the
// caller simply does all the chunks itself. Idle workers spin briefly, then sleep on a futex
// (std::atomic::wait), so they never hold a busy core.
//
// When another process holds a core, a worker can be preempted in the middle of a chunk it claimed, and the
// caller then waits for it (the pool's counters put that at 0-4% of parallel-job time under `bench threads
// --busy`; the 10-30% losses once reported there were page-copy faults of a forked busy process). So each
// parallel job is timed (ParallelGovernor): its wall time against the sum of its chunks' run times, each
// clipped to twice the median chunk (what one thread that nobody preempts would have taken). When a window
// of jobs shows the workers not paying off, the caller runs the next jobs alone for a back-off time (the
// workers stay asleep), then probes with parallel jobs again. The chunks are the same in every mode.
//
// Chunks run concurrently and must write disjoint outputs. A parallel_for inside a chunk runs serially.
// Eigen's own threading is switched off (set_num_threads sets it to 1): products inside chunks are serial,
// and large products are split here (gemm_rows) instead.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bp::cpu {

/// Threads the pool uses, the caller included (1 = everything runs on the calling thread).
int pool_threads();
void set_pool_threads(int n);

/// f(begin, end) over [0, n) in chunks of `grain` items (the last may be shorter); returns when all are
/// done. The chunks are the same however they run: on the calling thread, in order, when there is one
/// thread, when the pool is busy with another caller's job, or when called from inside a chunk. Code that
/// keeps one partial result per chunk (index begin / grain) and sums them in order is deterministic.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& f);

/// A grain that cuts n items into equal chunks of at least `min_grain` items, at most `chunks_per_thread` per
/// pool thread (a multiple of the thread count where there are that many, the one that shares the items most
/// evenly between the threads' ranges: 16 in 4 chunks of 4 rather than 6 of 3); n itself (one chunk) at one
/// thread.
int64_t grain_for(int64_t n, int64_t min_grain, int chunks_per_thread = 4);

/// Decides, job by job, whether waking the workers pays. Pure bookkeeping on times it is given (no clock of
/// its own), so it is tested with made-up times. Not thread-safe: the pool calls it under its job lock.
class ParallelGovernor {
public:
    struct Params {
        int64_t window_ns = 20'000'000;       // parallel wall time judged at once
        double min_speedup = 0.95;  // below this estimated speed-up the workers are left asleep (the estimate
                                    // reads low on an oversubscribed machine, so only a clear loss counts)
        int64_t backoff_ns = 50'000'000;      // first caller-only period
        int64_t max_backoff_ns = 800'000'000; // doubled after each failed probe up to this
    };
    ParallelGovernor() = default;
    explicit ParallelGovernor(const Params& p) : p_(p), backoff_(p.backoff_ns) {}

    /// Before a job at time `now_ns`: true to share it with the workers, false to run it on the caller alone.
    bool want_parallel(int64_t now_ns) const { return now_ns >= serial_until_; }
    /// After a parallel job: its wall time and the time it would have taken on one thread alone. Closes a
    /// window when enough wall time has accumulated.
    void record(int64_t now_ns, int64_t wall_ns, int64_t alone_ns);

    int64_t backoff_ns() const { return backoff_; }
    double last_speedup() const { return last_speedup_; }  // the last closed window's estimate (0: none yet)

private:
    Params p_;
    int64_t backoff_ = Params{}.backoff_ns;
    int64_t serial_until_ = 0;
    double wall_sum_ = 0, alone_sum_ = 0;
    double last_speedup_ = 0;
};

/// The parallel jobs of one call site of parallel_for (one type of function passed to it; a lambda's type
/// names the function it is written in). What the job's wall time lost against an even share of its chunks'
/// time, wall_s − estimated_alone_s / threads, is spent waiting (wait_s), starting late, or running the
/// longer share; caller_s and workers_s split the chunks' time (timed jobs only: those of at most 65536
/// chunks).
struct PoolSiteStats {
    std::string site;  // demangled type name of the function
    int64_t jobs = 0, chunks = 0, caller_chunks = 0;
    double wall_s = 0, wait_s = 0, estimated_alone_s = 0, caller_s = 0, workers_s = 0;
};

/// What the pool did since the last reset (for `bench threads` and for checking the cause of a slow run).
struct PoolStats {
    int64_t parallel_jobs = 0;       // shared with the workers
    int64_t caller_only_jobs = 0;    // run on the caller alone because the governor said so
    int64_t worker_chunks = 0;       // chunks of parallel jobs that a worker ran
    int64_t chunks = 0;              // chunks of parallel jobs
    double wall_s = 0;               // wall time of parallel jobs
    double wait_s = 0;               // of which the caller waited for workers' chunks after running out
    double estimated_alone_s = 0;    // the chunks' run times (each clipped to 2x the job's median), summed
    int64_t switches_to_caller = 0;  // windows that turned the workers off
    std::vector<PoolSiteStats> sites;  // per call site, while set_pool_site_stats(true)
};
PoolStats pool_stats();
void reset_pool_stats();
/// Records PoolStats::sites from the next job on (off by default; BP_POOL_STATS=1 turns it on and prints the
/// sites where the pool lost most at exit).
void set_pool_site_stats(bool on);

/// How the pool decides to share a job. `adaptive` (the default) follows ParallelGovernor. Measured quiet with one
/// busy process beside (`bench threads --busy`, docs/benchmarks/cpu-speed-2026-12-07-session5.txt): two threads
/// 0.91–1.03× one thread where always_parallel gave 0.67–1.02×, and the same quiet speed-ups as always_parallel.
/// Its estimate reads low when many processes load the machine, so it then runs most jobs on the caller
/// (docs/benchmarks/threads-pool-2026-12-07.txt). The others are for tests and for measuring one way against another.
enum class PoolMode { adaptive, always_parallel, caller_only };
void set_pool_mode(PoolMode mode);
PoolMode pool_mode();

namespace detail {
/// Test hook: while held, woken workers claim nothing (as if the scheduler never ran them).
void hold_workers(bool held);
}  // namespace detail

}  // namespace bp::cpu
