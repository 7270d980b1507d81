// tst_parallel.cpp — the CPU backend's thread pool (cpu/parallel.h) seen through the ops: every op that
// splits its work over threads gives the same forward values and gradients at 2 and 3 threads as at 1
// (float32; chunked partial sums may round differently, so within a few ulps of the result's scale), the
// same result on every run at a fixed thread count (bit for bit), and a training run is repeatable.
// The other engine tests run at 1 thread; this one is where the parallel paths are checked, so its shapes
// are large enough to be split (each op keeps a minimum of work per chunk).
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "bp/backend.h"
#include "bp/ops.h"
#include "bp/tensor.h"

using bp::Shape;
using bp::Tensor;

using Forward = std::function<Tensor(const std::vector<Tensor>&)>;
Q_DECLARE_METATYPE(Forward)
Q_DECLARE_METATYPE(std::vector<Shape>)

namespace {

struct Result {
    std::vector<std::vector<double>> values;  // the output, then each input's gradient
};

/// Forward and backward of sum(y ⊙ r) (r random, so every gradient element differs) at `threads` threads.
Result run(const std::vector<Shape>& shapes, const Forward& f, int threads) {
    bp::set_num_threads(threads);
    bp::Generator gen(7);
    std::vector<Tensor> in;
    for (const Shape& s : shapes) in.push_back(Tensor::randn(s, gen).set_requires_grad(true));
    Tensor y = f(in);
    Tensor r = Tensor::randn(y.shape(), gen);
    bp::sum(y * r).backward();
    Result out;
    out.values.push_back(y.to_vector());
    for (const Tensor& t : in) out.values.push_back(t.grad().to_vector());
    bp::set_num_threads(1);
    return out;
}

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
