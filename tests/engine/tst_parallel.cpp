// tst_parallel.cpp — the CPU backend's thread pool (cpu/parallel.h) seen through the ops: every op that
// splits its work over threads gives the same forward values and gradients at 2 and 3 threads as at 1
// (float32; chunked partial sums may round differently, so within a few ulps of the result's scale), the
// same result on every run at a fixed thread count (bit for bit), and a training run is repeatable.
// The other engine tests run at 1 thread; this one is where the parallel paths are checked, so its shapes
// are large enough to be split (each op keeps a minimum of work per chunk).
// The pool's own behaviour is checked without timing: the governor that turns the workers off on a busy
// machine is fed made-up job times, and the modes it switches between are forced (results bit-identical in
// every mode; a job still completes when no worker ever takes a chunk).
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bp/backend.h"
#include "bp/ops.h"
#include "bp/tensor.h"
#include "../../engine/src/cpu/parallel.h"  // the pool itself (engine-internal; linked in bp_engine)

using bp::Shape;
using bp::Tensor;

using Forward = std::function<Tensor(const std::vector<Tensor>&)>;
Q_DECLARE_METATYPE(Forward)
Q_DECLARE_METATYPE(std::vector<Shape>)

namespace {

struct Result {
    std::vector<std::vector<double>> values;  // the output, then each input's gradient
    int64_t forward_jobs = 0;                 // jobs the forward pass shared with the pool's workers
};

/// Forward and backward of sum(y ⊙ r) (r random, so every gradient element differs) at `threads` threads.
Result run(const std::vector<Shape>& shapes, const Forward& f, int threads) {
    bp::set_num_threads(threads);
    bp::Generator gen(7);
    std::vector<Tensor> in;
    for (const Shape& s : shapes) in.push_back(Tensor::randn(s, gen).set_requires_grad(true));
    const bp::cpu::PoolMode mode = bp::cpu::pool_mode();
    bp::cpu::set_pool_mode(bp::cpu::PoolMode::always_parallel);  // the governor never turns a job away here
    bp::cpu::reset_pool_stats();
    Tensor y = f(in);
    Result out;
    out.forward_jobs = bp::cpu::pool_stats().parallel_jobs;
    bp::cpu::set_pool_mode(mode);
    Tensor r = Tensor::randn(y.shape(), gen);
    bp::sum(y * r).backward();
    out.values.push_back(y.to_vector());
    for (const Tensor& t : in) out.values.push_back(t.grad().to_vector());
    bp::set_num_threads(1);
    return out;
}

/// One partial sum per chunk (index begin / grain), summed in chunk order: the deterministic reduction the
/// pool's header promises, over values whose float sum depends on the order.
float chunked_sum(const std::vector<float>& x, int64_t grain, std::vector<std::thread::id>* who = nullptr) {
    const int64_t n = static_cast<int64_t>(x.size());
    std::vector<float> part(static_cast<size_t>((n + grain - 1) / grain), 0.0f);
    if (who) who->assign(part.size(), std::thread::id());
    bp::cpu::parallel_for(n, grain, [&](int64_t b, int64_t e) {
        float s = 0;
        for (int64_t i = b; i < e; ++i) s += x[static_cast<size_t>(i)] * x[static_cast<size_t>(i)];
        part[static_cast<size_t>(b / grain)] = s;
        if (who) (*who)[static_cast<size_t>(b / grain)] = std::this_thread::get_id();
    });
    float total = 0;
    for (float p : part) total += p;
    return total;
}

/// Restores the pool's defaults when a test ends, even a failing one.
struct PoolReset {
    ~PoolReset() {
        bp::cpu::detail::hold_workers(false);
        bp::cpu::set_pool_mode(bp::cpu::PoolMode::adaptive);
        bp::cpu::set_pool_site_stats(false);
        bp::set_num_threads(1);
    }
};

constexpr int64_t kMs = 1'000'000;

double max_abs(const std::vector<double>& v) {
    double m = 0;
    for (double x : v) m = std::max(m, std::abs(x));
    return m;
}

}  // namespace

class TestParallel : public QObject {
    Q_OBJECT

private slots:
    void sameAsOneThread_data() {
        QTest::addColumn<std::vector<Shape>>("shapes");
        QTest::addColumn<Forward>("forward");
        QTest::newRow("matmul 200x300x150 (rows split)")
            << std::vector<Shape>{{200, 300}, {300, 150}}
            << Forward([](const auto& in) { return bp::matmul(in[0], in[1]); });
        QTest::newRow("matmul 8x512x700 (columns split)")
            << std::vector<Shape>{{8, 512}, {512, 700}}
            << Forward([](const auto& in) { return bp::matmul(in[0], in[1]); });
        QTest::newRow("linear 64x784->128")
            << std::vector<Shape>{{64, 784}, {128, 784}, {128}}
            << Forward([](const auto& in) { return bp::linear(in[0], in[1], in[2]); });
        QTest::newRow("conv2d 3x3 32->64 (im2col groups)")
            << std::vector<Shape>{{13, 32, 14, 14}, {64, 32, 3, 3}, {64}}
            << Forward([](const auto& in) { return bp::conv2d(in[0], in[1], in[2], 1, 1); });
        QTest::newRow("conv2d 3x3 1->32 (direct, channel-vectorised)")
            << std::vector<Shape>{{40, 1, 28, 28}, {32, 1, 3, 3}, {32}}
            << Forward([](const auto& in) { return bp::conv2d(in[0], in[1], in[2], 1, 1); });
        QTest::newRow("conv2d 5x5 1->6 pad 2 (direct, row-vectorised)")
            << std::vector<Shape>{{40, 1, 28, 28}, {6, 1, 5, 5}, {6}}
            << Forward([](const auto& in) { return bp::conv2d(in[0], in[1], in[2], 1, 2); });
        QTest::newRow("conv2d 5x5 6->16 (direct)")
            << std::vector<Shape>{{30, 6, 14, 14}, {16, 6, 5, 5}, {16}}
            << Forward([](const auto& in) { return bp::conv2d(in[0], in[1], in[2], 1, 0); });
        QTest::newRow("conv2d 1x1 16->24 (pointwise)")
            << std::vector<Shape>{{40, 16, 20, 20}, {24, 16, 1, 1}, {24}}
            << Forward([](const auto& in) { return bp::conv2d(in[0], in[1], in[2], 1, 0); });
        QTest::newRow("conv2d 3x3 stride 2 (im2col)")
            << std::vector<Shape>{{40, 8, 29, 29}, {12, 8, 3, 3}, {12}}
            << Forward([](const auto& in) { return bp::conv2d(in[0], in[1], in[2], 2, 1); });
        QTest::newRow("batch_norm 2-d maps")
            << std::vector<Shape>{{16, 20, 28, 28}, {20}, {20}} << Forward([](const auto& in) {
                   return bp::batch_norm(in[0], in[1], in[2], Tensor(), Tensor(), true);
               });
        QTest::newRow("max_pool2d k2") << std::vector<Shape>{{40, 20, 28, 28}}
                                       << Forward([](const auto& in) { return bp::max_pool2d(in[0], 2); });
        QTest::newRow("avg_pool2d k3 s2 p1")
            << std::vector<Shape>{{40, 20, 31, 31}}
            << Forward([](const auto& in) { return bp::avg_pool2d(in[0], 3, 2, 1); });
        QTest::newRow("relu 300k elements")
            << std::vector<Shape>{{30, 100, 100}} << Forward([](const auto& in) { return bp::relu(in[0]); });
        QTest::newRow("gelu 300k elements")
            << std::vector<Shape>{{30, 100, 100}} << Forward([](const auto& in) { return bp::gelu(in[0]); });
        QTest::newRow("layer_norm 3200x64 (rows split, gamma/beta sums per chunk)")
            << std::vector<Shape>{{50, 64, 64}, {64}, {64}}
            << Forward([](const auto& in) { return bp::layer_norm(in[0], in[1], in[2]); });
        QTest::newRow("softmax 2000x100 (rows split)")
            << std::vector<Shape>{{20, 100, 100}} << Forward([](const auto& in) { return bp::softmax(in[0]); });
        QTest::newRow("bmm 64 heads x 40x16 @ 16x40 (matrices split)")
            << std::vector<Shape>{{8, 8, 40, 16}, {8, 8, 40, 16}}
            << Forward([](const auto& in) { return bp::bmm(in[0], in[1], false, true); });
        QTest::newRow("attention plain 8x4 heads (bmm, softmax)")
            << std::vector<Shape>{{8, 4, 50, 16}, {8, 4, 50, 16}, {8, 4, 50, 16}}
            << Forward([](const auto& in) { return bp::scaled_dot_product_attention(in[0], in[1], in[2], true); });
        QTest::newRow("bias add 4000x96 (column sums split)")
            << std::vector<Shape>{{4000, 96}, {96}} << Forward([](const auto& in) { return in[0] + in[1]; });
        QTest::newRow("attention tiled 3x5 heads")
            << std::vector<Shape>{{3, 5, 40, 16}, {3, 5, 40, 16}, {3, 5, 40, 16}}
            << Forward([](const auto& in) {
                   return bp::scaled_dot_product_attention_tiled(in[0], in[1], in[2], true);
               });
    }

    void sameAsOneThread() {
        QFETCH(std::vector<Shape>, shapes);
        QFETCH(Forward, forward);
        const Result one = run(shapes, forward, 1);
        for (int threads : {2, 3}) {
            const Result many = run(shapes, forward, threads);
            const Result again = run(shapes, forward, threads);
            QVERIFY2(many.forward_jobs > 0,
                     "the forward pass never used the pool: the shape is too small to split");
            QCOMPARE(many.values.size(), one.values.size());
            for (size_t k = 0; k < one.values.size(); ++k) {
                const std::vector<double>& a = one.values[k];
                const std::vector<double>& b = many.values[k];
                QCOMPARE(b.size(), a.size());
                const double tol = 1e-5 * std::max(1.0, max_abs(a));
                double worst = 0;
                for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
                if (worst > tol)
                    QFAIL(qPrintable(QString("%1 threads, %2 %3: max difference %4 > %5")
                                         .arg(threads)
                                         .arg(k == 0 ? "output" : "gradient of input")
                                         .arg(k == 0 ? QString() : QString::number(k - 1))
                                         .arg(worst)
                                         .arg(tol)));
                QVERIFY2(again.values[k] == b, "two runs at the same thread count differ");
            }
        }
    }

    // Every mode runs the same chunks, so an op's result and gradients are bit-identical whichever ran them.
    void modesGiveIdenticalResults() {
        PoolReset reset;
        const std::vector<Shape> shapes{{64, 784}, {128, 784}, {128}};
        const Forward f = [](const auto& in) { return bp::linear(in[0], in[1], in[2]); };
        bp::cpu::set_pool_mode(bp::cpu::PoolMode::always_parallel);
        const Result parallel = run(shapes, f, 2);
        bp::cpu::set_pool_mode(bp::cpu::PoolMode::caller_only);
        const Result alone = run(shapes, f, 2);
        bp::cpu::set_pool_mode(bp::cpu::PoolMode::adaptive);
        const Result adaptive = run(shapes, f, 2);
        QVERIFY(parallel.values == alone.values);
        QVERIFY(adaptive.values == alone.values);

        bp::Generator gen(3);
        std::vector<float> x;
        for (double v : Tensor::randn({100003}, gen).to_vector()) x.push_back(static_cast<float>(v));
        bp::set_num_threads(2);
        bp::cpu::set_pool_mode(bp::cpu::PoolMode::always_parallel);
        const float a = chunked_sum(x, 1000);
        bp::cpu::set_pool_mode(bp::cpu::PoolMode::caller_only);
        const float b = chunked_sum(x, 1000);
        QCOMPARE(a, b);  // exact: same chunks, same order of the partial sums
    }

    // Chunks are claimed range by range (each thread's own contiguous range first, then what is left of the
    // others'): over many jobs in a row, of every size from fewer chunks than threads to thousands, at 2 to 4
    // threads, every chunk runs exactly once; and the caller starts with its own range's first chunk (a
    // worker could only take it after running out of chunks of its own).
    void everyChunkOnceAcrossRanges() {
        PoolReset reset;
        bp::cpu::set_pool_mode(bp::cpu::PoolMode::always_parallel);
        for (int threads : {2, 3, 4}) {
            bp::set_num_threads(threads);
            for (int64_t n : {1, 2, 3, 5, 7, 64, 97, 1000, 4099}) {
                for (int64_t grain : {int64_t{1}, int64_t{3}, int64_t{64}}) {
                    std::vector<std::atomic<int>> runs(static_cast<size_t>(n));
                    for (auto& c : runs) c.store(0);
                    bp::cpu::parallel_for(n, grain, [&](int64_t b, int64_t e) {
                        for (int64_t i = b; i < e; ++i) runs[static_cast<size_t>(i)].fetch_add(1);
                    });
                    for (size_t i = 0; i < runs.size(); ++i)
                        QVERIFY2(runs[i].load() == 1,
                                 qPrintable(QString("n %1 grain %2, %3 threads: index %4 ran %5 times")
                                                .arg(n)
                                                .arg(grain)
                                                .arg(threads)
                                                .arg(i)
                                                .arg(runs[i].load())));
                }
            }
            // 8 chunks per thread, each 5 ms long: a worker would have to run its own 40 ms before it could take
            // the caller's first chunk (the caller claims it microseconds after opening the job).
            const int64_t chunks = 8 * threads;
            std::vector<std::thread::id> who(static_cast<size_t>(chunks));
            bp::cpu::parallel_for(chunks, 1, [&](int64_t b, int64_t) {
                who[static_cast<size_t>(b)] = std::this_thread::get_id();
                const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(5);
                while (std::chrono::steady_clock::now() < until) {
                }
            });
            QCOMPARE(who.front(), std::this_thread::get_id());
        }
    }

    // caller_only never wakes a worker: every chunk runs on the calling thread and the stats say so.
    void callerOnlyRunsOnTheCaller() {
        PoolReset reset;
        bp::set_num_threads(2);
        bp::cpu::set_pool_mode(bp::cpu::PoolMode::caller_only);
        bp::cpu::reset_pool_stats();
        std::vector<float> x(50000, 1.0f);
        std::vector<std::thread::id> who;
        for (int r = 0; r < 20; ++r) QCOMPARE(chunked_sum(x, 1000, &who), 50000.0f);
        for (const std::thread::id& id : who) QCOMPARE(id, std::this_thread::get_id());
        const bp::cpu::PoolStats s = bp::cpu::pool_stats();
        QCOMPARE(s.caller_only_jobs, int64_t{20});
        QCOMPARE(s.parallel_jobs, int64_t{0});
    }

    // With site stats on, each call site's jobs add up apart: jobs, chunks, the caller's share, and the
    // chunks' time split between the caller and the workers (their sum is what the clipped estimate is taken
    // from).
    void siteStatsByCallSite() {
        PoolReset reset;
        bp::set_num_threads(2);
        bp::cpu::set_pool_mode(bp::cpu::PoolMode::always_parallel);
        bp::cpu::set_pool_site_stats(true);
        bp::cpu::reset_pool_stats();
        std::atomic<int64_t> items{0};
        for (int r = 0; r < 5; ++r)
            bp::cpu::parallel_for(100, 10, [&](int64_t b, int64_t e) { items += e - b; });
        for (int r = 0; r < 3; ++r)
            bp::cpu::parallel_for(60, 20, [&](int64_t b, int64_t e) { items += 2 * (e - b); });
        QCOMPARE(items.load(), int64_t{5 * 100 + 3 * 2 * 60});
        bp::cpu::PoolStats s = bp::cpu::pool_stats();
        QCOMPARE(s.parallel_jobs, int64_t{8});
        QCOMPARE(s.sites.size(), size_t{2});
        for (const bp::cpu::PoolSiteStats& site : s.sites) {
            const bool first = site.jobs == 5;
            QVERIFY2(first || site.jobs == 3, site.site.c_str());
            QCOMPARE(site.chunks, first ? int64_t{50} : int64_t{9});
            QVERIFY(site.caller_chunks >= 0 && site.caller_chunks <= site.chunks);
            QVERIFY(site.wall_s > 0 && site.wait_s >= 0 && site.wait_s <= site.wall_s);
            QVERIFY(site.caller_s >= 0 && site.workers_s >= 0);
            QVERIFY(site.caller_s + site.workers_s >= site.estimated_alone_s - 1e-9);
            QVERIFY(site.estimated_alone_s > 0);
            QVERIFY2(site.site.find("siteStatsByCallSite") != std::string::npos,
                     site.site.c_str());  // lambda's type
        }
        // Off: the next jobs are counted in total but not by site. A reset clears the sites.
        bp::cpu::set_pool_site_stats(false);
        bp::cpu::parallel_for(100, 10, [&](int64_t b, int64_t e) { items += e - b; });
        s = bp::cpu::pool_stats();
        QCOMPARE(s.parallel_jobs, int64_t{9});
        int64_t site_jobs = 0;
        for (const bp::cpu::PoolSiteStats& site : s.sites) site_jobs += site.jobs;
        QCOMPARE(site_jobs, int64_t{8});
        bp::cpu::reset_pool_stats();
        QVERIFY(bp::cpu::pool_stats().sites.empty());
    }

    // A job published to workers that never take a chunk (as if the scheduler never ran them) still
    // completes: the caller claims every chunk itself, each exactly once.
    void jobCompletesWhenNoWorkerWakes() {
        PoolReset reset;
        bp::set_num_threads(3);
        bp::cpu::set_pool_mode(bp::cpu::PoolMode::always_parallel);
        bp::cpu::detail::hold_workers(true);
        bp::cpu::reset_pool_stats();
        for (int r = 0; r < 50; ++r) {
            std::vector<std::atomic<int>> runs(97);
            for (auto& c : runs) c.store(0);
            std::vector<std::thread::id> who(97);
            bp::cpu::parallel_for(97, 1, [&](int64_t b, int64_t e) {
                for (int64_t i = b; i < e; ++i) {
                    runs[static_cast<size_t>(i)].fetch_add(1);
                    who[static_cast<size_t>(i)] = std::this_thread::get_id();
                }
            });
            for (size_t i = 0; i < runs.size(); ++i) {
                QCOMPARE(runs[i].load(), 1);
                QCOMPARE(who[i], std::this_thread::get_id());
            }
        }
        const bp::cpu::PoolStats s = bp::cpu::pool_stats();
        QCOMPARE(s.parallel_jobs, int64_t{50});
        QCOMPARE(s.worker_chunks, int64_t{0});
        QCOMPARE(s.chunks, int64_t{50 * 97});
        bp::cpu::detail::hold_workers(false);
        // Released, the workers take part again (and results stay whole).
        std::vector<float> x(200000, 0.5f);
        QCOMPARE(chunked_sum(x, 100), 50000.0f);
    }

    // The governor keeps the workers while jobs pay, turns them off for a back-off time after a window that
    // does not pay, probes again when it ends (doubling the back-off while probes fail), and is back to
    // parallel for good once a probe pays (the machine went quiet). Made-up times: no clock involved.
    void governorSwitchesAndComesBack() {
        bp::cpu::ParallelGovernor::Params p;
        p.window_ns = 10 * kMs;
        p.min_speedup = 1.05;
        p.backoff_ns = 50 * kMs;
        p.max_backoff_ns = 200 * kMs;
        bp::cpu::ParallelGovernor g(p);
        int64_t now = 0;
        // A job of 1 ms wall time whose chunks would take `alone_ms` on one thread.
        auto job = [&](double alone_ms) {
            QVERIFY(g.want_parallel(now));
            now += kMs;
            g.record(now, kMs, static_cast<int64_t>(alone_ms * kMs));
        };
        // Quiet: chunks worth 1.8 ms done in 1 ms: 1.8x.
        for (int i = 0; i < 30; ++i) job(1.8);
        QVERIFY(std::abs(g.last_speedup() - 1.8) < 1e-9);
        QVERIFY(g.want_parallel(now));
        // Busy: the caller waits for a preempted worker, 0.9 ms of work per ms (0.9x): off after the window.
        for (int i = 0; i < 10; ++i) job(0.9);
        QVERIFY(std::abs(g.last_speedup() - 0.9) < 1e-9);
        QVERIFY(!g.want_parallel(now));
        QVERIFY(!g.want_parallel(now + 50 * kMs - 1));
        QCOMPARE(g.backoff_ns(), 100 * kMs);
        // The probe at the end of the back-off fails too: off again, for twice as long.
        now += 50 * kMs;
        for (int i = 0; i < 10; ++i) job(0.9);
        QVERIFY(!g.want_parallel(now + 100 * kMs - 1));
        QCOMPARE(g.backoff_ns(), 200 * kMs);
        now += 100 * kMs;
        for (int i = 0; i < 10; ++i) job(0.9);
        QCOMPARE(g.backoff_ns(), 200 * kMs);  // capped
        now += 200 * kMs;
        // Quiet again: the probe pays, the workers stay on and the back-off starts over.
        for (int i = 0; i < 10; ++i) job(1.8);
        QVERIFY(g.want_parallel(now));
        QCOMPARE(g.backoff_ns(), 50 * kMs);
        for (int i = 0; i < 30; ++i) job(1.8);
        QVERIFY(g.want_parallel(now));
        // One window is judged on its total, not job by job: a long job that pays outweighs short ones that
        // do not (5 x 1 ms at 0.5x and one 5 ms job at 2x: 12.5 / 10 = 1.25x).
        for (int i = 0; i < 5; ++i) job(0.5);
        now += 5 * kMs;
        g.record(now, 5 * kMs, 10 * kMs);
        QVERIFY(std::abs(g.last_speedup() - 1.25) < 1e-9);
        QVERIFY(g.want_parallel(now));
    }

    // grain_for's chunks give each thread's range (a run of whole chunks) an even share: 16 groups at two
    // threads and three chunks each are 4 chunks of 4, not 6 of 3 (3 + 3 + 3 against 3 + 3 + 1); a multiple
    // of the thread count where there are that many, never more than chunks_per_thread each, never under
    // min_grain.
    void grainSharesEvenly() {
        PoolReset reset;
        bp::set_num_threads(2);
        QCOMPARE(bp::cpu::grain_for(16, 1, 3), int64_t{4});
        QCOMPARE(bp::cpu::grain_for(16, 1, 4), int64_t{2});
        QCOMPARE(bp::cpu::grain_for(1 << 20, 1, 4), int64_t{1} << 17);
        QCOMPARE(bp::cpu::grain_for(100, 60, 4),
                 int64_t{100});  // fewer items than two chunks' minimum: one chunk
        for (int threads : {2, 3}) {
            bp::set_num_threads(threads);
            for (int cpt = 1; cpt <= 4; ++cpt)
                for (int64_t n = 1; n <= 300; ++n)
                    for (int64_t min_grain : {1, 3, 16}) {
                        const int64_t grain = bp::cpu::grain_for(n, min_grain, cpt),
                                      chunks = (n + grain - 1) / grain;
                        QVERIFY(grain >= 1 && chunks <= std::max<int64_t>(1, threads * cpt));
                        if (n >= threads * min_grain) {
                            QVERIFY(grain >= min_grain);
                            // Each thread's own range, as the pool cuts it, holds at most one grain more than
                            // an even share.
                            int64_t most = 0;
                            for (int64_t k = 0; k < threads; ++k)
                                most = std::max(most, std::min(n, chunks * (k + 1) / threads * grain) -
                                                          std::min(n, chunks * k / threads * grain));
                            QVERIFY2(most <= (n + threads - 1) / threads + grain - 1,
                                     qPrintable(
                                         QStringLiteral("n %1 cpt %2 grain %3").arg(n).arg(cpt).arg(grain)));
                        }
                    }
        }
    }

    void threadCountIsKept() {
        bp::set_num_threads(2);
        QCOMPARE(bp::num_threads(), 2);
        bp::set_num_threads(1);
        QCOMPARE(bp::num_threads(), 1);
        bp::set_num_threads(0);  // all cores
        QVERIFY(bp::num_threads() >= 1);
        bp::set_num_threads(1);
    }
};

QTEST_APPLESS_MAIN(TestParallel)
#include "tst_parallel.moc"
