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
// Chunks run concurrently and must write disjoint outputs. A parallel_for inside a chunk runs serially.
// Eigen's own threading is switched off (set_num_threads sets it to 1): products inside chunks are serial,
// and large products are split here (gemm_rows) instead.
#pragma once

#include <cstdint>
#include <functional>

namespace bp::cpu {

/// Threads the pool uses, the caller included (1 = everything runs on the calling thread).
int pool_threads();
void set_pool_threads(int n);

/// f(begin, end) over [0, n) in chunks of `grain` items (the last may be shorter); returns when all are
/// done. The chunks are the same however they run: on the calling thread, in order, when there is one
/// thread, when the pool is busy with another caller's job, or when called from inside a chunk. Code that
/// keeps one partial result per chunk (index begin / grain) and sums them in order is deterministic.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& f);

/// A grain that cuts n items into about `chunks_per_thread` chunks per pool thread (at least `min_grain`);
/// n itself (one chunk) at one thread.
int64_t grain_for(int64_t n, int64_t min_grain, int chunks_per_thread = 4);

}  // namespace bp::cpu
