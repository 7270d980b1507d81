// tst_tensor_ops.cpp — forward values of the ops on cases small enough to check in your head (matmul,
// broadcasting, reductions, activations, the softmax family and the losses), views sharing storage, the
// float64 path, and the error paths: exception type plus a message naming the op and both shapes.
// Gradients are covered by tst_gradcheck.cpp and tst_autograd.cpp.
#include <QtTest>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "bp/errors.h"
#include "bp/nn/module.h"
#include "bp/ops.h"
#include "bp/tensor.h"
#include "engine/data_test_util.h"
#include "engine/tensor_test_util.h"

using bp::DType;
using bp::Shape;
using bp::Tensor;
using bp_test::expect_values;
using bp_test::message_of;

/// A call that must throw; returns the exception's message (or a "WRONG: ..." text from message_of).
using Thrower = std::function<std::string()>;
Q_DECLARE_METATYPE(Thrower)

namespace {

Tensor f32(const Shape& s, const std::vector<double>& v) { return Tensor::from_vector(s, v, DType::f32); }
Tensor f64(const Shape& s, const std::vector<double>& v) { return Tensor::from_vector(s, v, DType::f64); }
Tensor i32(const Shape& s, const std::vector<double>& v) { return Tensor::from_vector(s, v, DType::i32); }


}  // namespace

class TestTensorOps : public QObject {
    Q_OBJECT

private slots:
    void matmul2x3by3x2();
    void addBroadcastsRowAndColumn();
    void reductions_data();
    void reductions();
    void activationsAtPoints_data();
    void activationsAtPoints();
    void geluExactVsTanh();
    void reluKernelsAgreeWithTheDefinitionOnOddLengths();
    void softmaxRowsSumToOne();
    void softmaxBackwardOfAPlainSum();
    void trailingRowReductionsAndBroadcasts();
    void logSoftmaxEqualsLogOfSoftmax();
    void crossEntropyIsStableForHugeLogits_data();
    void crossEntropyIsStableForHugeLogits();
    void mseLossHandValue();
    void reshapeSharesStorage();
    void sliceRowsOffsets();
    void float64Path();
    void errorPaths_data();
    void errorPaths();
};

void TestTensorOps::matmul2x3by3x2() {
    // [[1 2 3]   [[ 7  8]     [[1·7+2·9+3·11, 1·8+2·10+3·12]     [[ 58  64]
    //  [4 5 6]] · [ 9 10]  =   [4·7+5·9+6·11, 4·8+5·10+6·12]]  =   [139 154]]
    //             [11 12]]
    Tensor a = f32({2, 3}, {1, 2, 3, 4, 5, 6});
    Tensor b = f32({3, 2}, {7, 8, 9, 10, 11, 12});
    Tensor c = bp::matmul(a, b);
    QCOMPARE(c.dtype(), DType::f32);
    expect_values(c, {2, 2}, {58, 64, 139, 154}, 0.0);
}

void TestTensorOps::addBroadcastsRowAndColumn() {
    Tensor a = f32({2, 3}, {1, 2, 3, 4, 5, 6});
    // A row [3] is added to every row.
    expect_values(bp::add(a, f32({3}, {10, 20, 30})), {2, 3}, {11, 22, 33, 14, 25, 36}, 0.0);
    // A column [2, 1] is added to every column.
    expect_values(bp::add(a, f32({2, 1}, {100, 200})), {2, 3}, {101, 102, 103, 204, 205, 206}, 0.0);
    // Both ways round give the same, and a row plus a column makes the outer sum.
    expect_values(bp::add(f32({3}, {10, 20, 30}), a), {2, 3}, {11, 22, 33, 14, 25, 36}, 0.0);
    expect_values(bp::add(f32({2, 1}, {1, 2}), f32({3}, {10, 20, 30})), {2, 3}, {11, 21, 31, 12, 22, 32}, 0.0);
    // A scalar broadcasts to everything.
    expect_values(bp::sub(a, Tensor::scalar(1.0)), {2, 3}, {0, 1, 2, 3, 4, 5}, 0.0);
}

void TestTensorOps::reductions_data() {
    QTest::addColumn<QString>("op");
    QTest::addColumn<int>("dim");  // -99: over everything
    QTest::addColumn<bool>("keepdim");
    QTest::addColumn<QList<qint64>>("shape");
    QTest::addColumn<QList<double>>("values");
    // x = [[1 2 3]
    //      [4 5 6]]
    QTest::newRow("sum all") << "sum" << -99 << false << QList<qint64>{} << QList<double>{21};
    QTest::newRow("mean all") << "mean" << -99 << false << QList<qint64>{} << QList<double>{3.5};
    QTest::newRow("sum dim0") << "sum" << 0 << false << QList<qint64>{3} << QList<double>{5, 7, 9};
    QTest::newRow("sum dim0 keep") << "sum" << 0 << true << QList<qint64>{1, 3} << QList<double>{5, 7, 9};
    QTest::newRow("sum dim1") << "sum" << 1 << false << QList<qint64>{2} << QList<double>{6, 15};
    QTest::newRow("sum dim1 keep") << "sum" << 1 << true << QList<qint64>{2, 1} << QList<double>{6, 15};
    QTest::newRow("sum dim-1") << "sum" << -1 << false << QList<qint64>{2} << QList<double>{6, 15};
    QTest::newRow("mean dim0") << "mean" << 0 << false << QList<qint64>{3} << QList<double>{2.5, 3.5, 4.5};
    QTest::newRow("mean dim1 keep") << "mean" << 1 << true << QList<qint64>{2, 1} << QList<double>{2, 5};
}

void TestTensorOps::reductions() {
    QFETCH(QString, op);
    QFETCH(int, dim);
    QFETCH(bool, keepdim);
    QFETCH(QList<qint64>, shape);
    QFETCH(QList<double>, values);
    Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
    Tensor r;
    if (dim == -99) r = op == "sum" ? bp::sum(x) : bp::mean(x);
    else r = op == "sum" ? bp::sum(x, dim, keepdim) : bp::mean(x, dim, keepdim);
    expect_values(r, Shape(shape.begin(), shape.end()), std::vector<double>(values.begin(), values.end()), 1e-6);
}

void TestTensorOps::activationsAtPoints_data() {
    QTest::addColumn<QString>("op");
    QTest::addColumn<double>("x");
    QTest::addColumn<double>("expected");
    QTest::newRow("relu -1") << "relu" << -1.0 << 0.0;
    QTest::newRow("relu 0.5") << "relu" << 0.5 << 0.5;
    QTest::newRow("relu 2") << "relu" << 2.0 << 2.0;
    QTest::newRow("sigmoid 0") << "sigmoid" << 0.0 << 0.5;
    QTest::newRow("sigmoid ln3") << "sigmoid" << std::log(3.0) << 0.75;    // 1 / (1 + 1/3)
    QTest::newRow("sigmoid -ln3") << "sigmoid" << -std::log(3.0) << 0.25;  // 1 / (1 + 3)
    QTest::newRow("tanh 0") << "tanh" << 0.0 << 0.0;
    QTest::newRow("tanh ln2") << "tanh" << std::log(2.0) << 0.6;    // (4 − 1) / (4 + 1)
    QTest::newRow("tanh -ln2") << "tanh" << -std::log(2.0) << -0.6;
    QTest::newRow("leaky_relu -2") << "leaky_relu" << -2.0 << -0.02;  // slope 0.01
    QTest::newRow("exp ln5") << "exp" << std::log(5.0) << 5.0;
    QTest::newRow("log e^2") << "log" << std::exp(2.0) << 2.0;
}

void TestTensorOps::activationsAtPoints() {
    QFETCH(QString, op);
    QFETCH(double, x);
    QFETCH(double, expected);
    Tensor t = f64({1}, {x});
    Tensor y;
    if (op == "relu") y = bp::relu(t);
    else if (op == "sigmoid") y = bp::sigmoid(t);
    else if (op == "tanh") y = bp::tanh(t);
    else if (op == "leaky_relu") y = bp::leaky_relu(t);
    else if (op == "exp") y = bp::exp(t);
    else if (op == "log") y = bp::log(t);
    QVERIFY(y.defined());
    QCOMPARE(y.dtype(), DType::f64);
    expect_values(y, {1}, {expected}, 1e-12);
}

// float32 relu and leaky relu run as vectorised loops (16 lanes, words of 32 recorded signs, and a tail; chunks
// of 65536 elements on the pool): lengths around those widths, zeros, negative zeros and NaN must give the
// definition's values, forward and backward, for a general upstream gradient and for the one-value gradient of
// a plain sum (the backward that reads neither x nor a gradient).
void TestTensorOps::reluKernelsAgreeWithTheDefinitionOnOddLengths() {
    for (int64_t n : {1, 15, 16, 17, 31, 32, 33, 37, 65, 65536 + 33}) {
        std::vector<double> xs(static_cast<size_t>(n)), gs(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) {
            xs[static_cast<size_t>(i)] = i % 5 == 0 ? 0.0 : i % 7 == 3 ? -0.0 : (i % 3 == 1 ? -1.0 : 1.0) * (0.25 * i + 0.5);
            gs[static_cast<size_t>(i)] = 0.5 + i;
        }
        if (n > 8) xs[8] = std::nan("");
        for (double slope : {0.0, 0.1}) {
            for (bool uniform : {false, true}) {
                Tensor x = Tensor::from_vector({n}, xs).set_requires_grad(true);
                Tensor y = slope == 0.0 ? bp::relu(x) : bp::leaky_relu(x, slope);
                bp::sum(uniform ? y : bp::mul(y, Tensor::from_vector({n}, gs))).backward();
                const std::vector<double> yv = y.to_vector(), gv = x.grad().to_vector();
                for (size_t i = 0; i < xs.size(); ++i) {
                    const float xf = static_cast<float>(xs[i]);
                    const double want_y = xf > 0.f ? xf : slope == 0.0 ? 0.0 : static_cast<double>(static_cast<float>(slope) * xf);
                    const double g = uniform ? 1.0 : gs[i];
                    const double want_g = xf > 0.f ? g : static_cast<double>(static_cast<float>(slope) * static_cast<float>(g));
                    const bool y_ok = std::isnan(want_y) ? std::isnan(yv[i]) : yv[i] == want_y;
                    if (!y_ok || gv[i] != want_g)
                        QFAIL(qPrintable(QString("n %1, slope %2, %3 gradient, element %4 (x = %5): y = %6, expected %7; "
                                                 "grad = %8, expected %9")
                                             .arg(n).arg(slope).arg(uniform ? "uniform" : "general").arg(i).arg(xs[i])
                                             .arg(yv[i]).arg(want_y).arg(gv[i]).arg(want_g)));
                }
            }
        }
    }
}

void TestTensorOps::geluExactVsTanh() {
    // x·Φ(x) at 1 is Φ(1) = 0.8413447; the tanh form 0.5·(1 + tanh(√(2/π)·(1 + 0.044715))) = 0.8411920.
    Tensor x = f64({3}, {1.0, 0.0, -1.0});
    const double exact = 0.5 * (1.0 + std::erf(1.0 / std::sqrt(2.0)));
    const double approx = 0.5 * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (1.0 + 0.044715)));
    QVERIFY(std::abs(exact - 0.8413447) < 1e-7);
    QVERIFY(std::abs(approx - 0.8411920) < 1e-7);
    // gelu(−1) = −1·Φ(−1) = −(1 − Φ(1)).
    expect_values(bp::gelu(x, bp::GeluApprox::none), {3}, {exact, 0.0, -(1.0 - exact)}, 1e-12);
    expect_values(bp::gelu(x, bp::GeluApprox::tanh), {3}, {approx, 0.0, -(1.0 - approx)}, 1e-12);
    // The two really differ at x = 1 (by about 1.5e-4), so the approximation flag is honoured.
    const double diff = bp::gelu(x, bp::GeluApprox::none).at({0}) - bp::gelu(x, bp::GeluApprox::tanh).at({0});
    QVERIFY2(std::abs(diff - (0.8413447 - 0.8411920)) < 1e-6, qPrintable(QString::number(diff, 'g', 10)));
}

void TestTensorOps::softmaxRowsSumToOne() {
    // Row 0: [0, ln 3] → [1/4, 3/4]. Row 1: equal logits → uniform.
    Tensor x = f64({2, 2}, {0.0, std::log(3.0), 7.0, 7.0});
    expect_values(bp::softmax(x), {2, 2}, {0.25, 0.75, 0.5, 0.5}, 1e-12);
    // Random rows, including large values: each row sums to 1 and every entry is in (0, 1).
    bp::Generator gen(3);
    Tensor r = Tensor::randn({5, 7}, gen, 0, 30);
    Tensor s = bp::softmax(r);
    QCOMPARE(s.shape(), (Shape{5, 7}));
    expect_values(bp::sum(s, 1), {5}, {1, 1, 1, 1, 1}, 1e-5);
    for (double v : s.to_vector()) QVERIFY(v >= 0.0 && v <= 1.0);
}

// The gradient of sum(softmax(x)) reaches softmax's backward as one value everywhere, which it reads without
// filling memory (softmax.cpp): the same gradient as a general upstream gradient of ones, and the definition's:
// softmax: y ⊙ (1 − Σ_j y_j) (zero up to rounding); log_softmax: 1 − C·softmax(x). Rows of 37 and 1000 (past the
// 16 partial sums and their tail), float64 and float32.
void TestTensorOps::softmaxBackwardOfAPlainSum() {
    bp::Generator gen(5);
    for (DType dt : {DType::f64, DType::f32})
        for (int64_t c : {37, 1000})
            for (bool log : {false, true}) {
                Tensor x = Tensor::randn({3, c}, gen, 0, 2, dt).set_requires_grad(true);
                auto f = [&](const Tensor& t) { return log ? bp::log_softmax(t) : bp::softmax(t); };
                bp::sum(f(x)).backward();
                const std::vector<double> uniform = x.grad().to_vector();
                x.zero_grad();
                bp::sum(bp::mul(f(x), Tensor::ones({3, c}, dt))).backward();
                const std::vector<double> general = x.grad().to_vector();
                const std::vector<double> p = bp::softmax(x.detach()).to_vector();
                const double tol = dt == DType::f64 ? 1e-12 : 2e-5;
                for (size_t i = 0; i < p.size(); ++i) {
                    const double want = log ? 1.0 - static_cast<double>(c) * p[i] : 0.0;
                    if (std::abs(uniform[i] - general[i]) > tol || std::abs(uniform[i] - want) > tol * c)
                        QFAIL(qPrintable(QString("%1, C %2, element %3: uniform %4, general %5, expected %6")
                                             .arg(log ? "log_softmax" : "softmax").arg(c).arg(i)
                                             .arg(uniform[i]).arg(general[i]).arg(want)));
                }
            }
}

// Reducing trailing dimensions (sum/mean over the last one, a [N, C, 1] operand broadcast over [N, C, L]) runs as
// row sums in 16 partial sums over the pool, and the backward of a mean as one value per row: the values of the
// definition, rows of 70 (past 16 lanes and a tail), 1000 rows (several chunks), float64 and float32.
void TestTensorOps::trailingRowReductionsAndBroadcasts() {
    for (DType dt : {DType::f64, DType::f32}) {
        const int64_t N = 10, C = 100, L = 70;
        std::vector<double> xs(static_cast<size_t>(N * C * L));
        for (size_t i = 0; i < xs.size(); ++i) xs[i] = 0.25 * static_cast<double>((i * 37) % 101) - 12.0;
        Tensor x = Tensor::from_vector({N, C, L}, xs, dt).set_requires_grad(true);
        const std::vector<double> s = bp::sum(x, 2, true).to_vector();
        QCOMPARE(static_cast<int64_t>(s.size()), N * C);
        for (int64_t r = 0; r < N * C; ++r) {
            double want = 0;
            for (int64_t i = 0; i < L; ++i) want += xs[static_cast<size_t>(r * L + i)];
            QVERIFY2(std::abs(s[static_cast<size_t>(r)] - want) < 1e-9, qPrintable(QString("row %1").arg(r)));
        }
        // mean over the last dimension, weighted by a per-row factor: d/dx = w[r] / L.
        std::vector<double> ws(static_cast<size_t>(N * C));
        for (size_t r = 0; r < ws.size(); ++r) ws[r] = 1.0 + static_cast<double>(r % 7);
        bp::sum(bp::mul(bp::mean(x, 2), Tensor::from_vector({N, C}, ws, dt))).backward();
        const std::vector<double> gx = x.grad().to_vector();
        for (size_t i = 0; i < gx.size(); ++i)
            QVERIFY2(std::abs(gx[i] - ws[i / L] / L) < 1e-6, qPrintable(QString("element %1").arg(i)));
        // b [N, C, 1] broadcast over x: b's gradient is the row sums of the upstream gradient (here x's values).
        Tensor b = Tensor::zeros({N, C, 1}, dt).set_requires_grad(true);
        bp::sum(bp::mul(bp::add(x.detach(), b), x.detach())).backward();
        const std::vector<double> gb = b.grad().to_vector();
        for (int64_t r = 0; r < N * C; ++r) {
            double want = 0;
            for (int64_t i = 0; i < L; ++i) want += xs[static_cast<size_t>(r * L + i)];
            QVERIFY2(std::abs(gb[static_cast<size_t>(r)] - want) < 1e-9, qPrintable(QString("b row %1").arg(r)));
        }
    }
}

void TestTensorOps::logSoftmaxEqualsLogOfSoftmax() {
    bp::Generator gen(11);
    Tensor x = Tensor::randn({4, 6}, gen, 0, 2, DType::f64);
    Tensor ls = bp::log_softmax(x);
    expect_values(ls, {4, 6}, bp::log(bp::softmax(x)).to_vector(), 1e-12);
    // Hand case: log_softmax([0, ln 3]) = [ln 1/4, ln 3/4].
    expect_values(bp::log_softmax(f64({1, 2}, {0.0, std::log(3.0)})), {1, 2}, {std::log(0.25), std::log(0.75)}, 1e-12);
}

void TestTensorOps::crossEntropyIsStableForHugeLogits_data() {
    QTest::addColumn<int>("target");
    QTest::addColumn<double>("expected");
    // logits [1000, 0, −1000]: log-sum-exp is 1000 (+ e^−1000), so the loss is 1000 − logit[target].
    QTest::newRow("target 0") << 0 << 0.0;
    QTest::newRow("target 1") << 1 << 1000.0;
    QTest::newRow("target 2") << 2 << 2000.0;
}

void TestTensorOps::crossEntropyIsStableForHugeLogits() {
    QFETCH(int, target);
    QFETCH(double, expected);
    for (DType dt : {DType::f32, DType::f64}) {
        Tensor logits = Tensor::from_vector({1, 3}, {1000, 0, -1000}, dt);
        Tensor loss = bp::cross_entropy(logits, i32({1}, {double(target)}));
        QCOMPARE(loss.numel(), int64_t(1));
        const double v = loss.item();
        QVERIFY2(std::isfinite(v), qPrintable(QString("loss %1 (%2)").arg(v).arg(bp::dtype_name(dt))));
        QVERIFY2(std::abs(v - expected) <= 1e-6 * std::max(1.0, expected),
                 qPrintable(QString("loss %1, expected %2 (%3)").arg(v, 0, 'g', 10).arg(expected).arg(bp::dtype_name(dt))));
    }
}

void TestTensorOps::mseLossHandValue() {
    // pred [1, 2, 3], target [1, 0, 0]: ((0)² + (2)² + (3)²) / 3 = 13/3.
    Tensor l = bp::mse_loss(f32({3}, {1, 2, 3}), f32({3}, {1, 0, 0}));
    QCOMPARE(l.numel(), int64_t(1));
    QVERIFY(std::abs(l.item() - 13.0 / 3.0) < 1e-6);
    // Averaged over every element of a 2-D tensor: [[1, −1], [2, 0]] vs 0 → (1 + 1 + 4 + 0) / 4 = 1.5.
    QCOMPARE(bp::mse_loss(f64({2, 2}, {1, -1, 2, 0}), Tensor::zeros({2, 2}, DType::f64)).item(), 1.5);
}

void TestTensorOps::reshapeSharesStorage() {
    Tensor t = f32({2, 3}, {1, 2, 3, 4, 5, 6});
    Tensor v = bp::reshape(t, {3, 2});
    QCOMPARE(v.shape(), (Shape{3, 2}));
    QCOMPARE(v.raw_data(), t.raw_data());
    QCOMPARE(v.at({2, 0}), 5.0);  // row-major: element 4
    v.data<float>()[5] = 42.0f;    // write through the view...
    QCOMPARE(t.at({1, 2}), 42.0);  // ...and the original sees it
    Tensor w = t.view({-1});
    QCOMPARE(w.shape(), (Shape{6}));
    w.data<float>()[0] = -7.0f;
    QCOMPARE(v.at({0, 0}), -7.0);
    // flatten is a view too.
    Tensor img = Tensor::zeros({2, 1, 2, 2});
    Tensor flat = bp::flatten(img);
    QCOMPARE(flat.shape(), (Shape{2, 4}));
    flat.data<float>()[7] = 3.0f;
    QCOMPARE(img.at({1, 0, 1, 1}), 3.0);
    // clone does not share.
    Tensor c = t.clone();
    c.data<float>()[1] = 99.0f;
    QCOMPARE(t.at({0, 1}), 2.0);
}

void TestTensorOps::sliceRowsOffsets() {
    Tensor t = f32({4, 2}, {0, 1, 10, 11, 20, 21, 30, 31});
    Tensor s = t.slice_rows(1, 3);
    QCOMPARE(s.shape(), (Shape{2, 2}));
    QCOMPARE(s.impl()->offset, t.impl()->offset + 2);
    QCOMPARE(s.data<float>(), t.data<float>() + 2);
    expect_values(s, {2, 2}, {10, 11, 20, 21}, 0.0);
    s.data<float>()[3] = -1.0f;  // s[1][1] is t[2][1]
    QCOMPARE(t.at({2, 1}), -1.0);
    // A slice of a slice adds the offsets.
    Tensor ss = s.slice_rows(1, 2);
    QCOMPARE(ss.data<float>(), t.data<float>() + 4);
    QCOMPARE(ss.at({0, 0}), 20.0);
    // Ops read slices at their offset.
    expect_values(bp::sum(t.slice_rows(2, 4), 1), {2}, {20 + -1, 30 + 31}, 0.0);
}

void TestTensorOps::float64Path() {
    // 0.1 is not exact in binary; float64 keeps ~16 digits where float32 keeps ~7.
    Tensor a = f64({1, 2}, {0.1, 0.2});
    Tensor b = f64({2, 1}, {0.3, 0.7});
    Tensor c = bp::matmul(a, b);
    QCOMPARE(c.dtype(), DType::f64);
    const double expected = 0.1 * 0.3 + 0.2 * 0.7;
    QVERIFY2(std::abs(c.item() - expected) < 1e-15, qPrintable(QString::number(c.item(), 'g', 17)));
    // The same in float32 is only good to ~1e-8: the paths really are different types.
    Tensor c32 = bp::matmul(a.to(DType::f32), b.to(DType::f32));
    QCOMPARE(c32.dtype(), DType::f32);
    QVERIFY(std::abs(c32.item() - expected) < 1e-6);
    // Every op keeps float64.
    Tensor x = f64({2, 2}, {1e-10, 2, 3, 4});
    for (const Tensor& y : {bp::add(x, x), bp::sigmoid(x), bp::softmax(x), bp::sum(x, 0), bp::gelu(x), bp::mse_loss(x, x)})
        QCOMPARE(y.dtype(), DType::f64);
    // 1 + 1e-10 survives in float64 (it would round to 1 in float32).
    QCOMPARE(bp::add(x, Tensor::ones({1}, DType::f64)).at({0, 0}), 1.0 + 1e-10);
    QVERIFY_THROWS_EXCEPTION(std::exception, (void)x.data<float>());
}

void TestTensorOps::errorPaths_data() {
    QTest::addColumn<Thrower>("call");
    QTest::addColumn<QStringList>("needles");
    QTest::newRow("matmul [2,3]@[4,5]") << Thrower([] {
        return message_of<bp::ShapeError>([] { bp::matmul(Tensor::zeros({2, 3}), Tensor::zeros({4, 5})); });
    }) << QStringList{"matmul", "[2, 3]", "[4, 5]"};
    QTest::newRow("matmul 3-D") << Thrower([] {
        return message_of<bp::ShapeError>([] { bp::matmul(Tensor::zeros({2, 3, 4}), Tensor::zeros({4, 5})); });
    }) << QStringList{"matmul", "[2, 3, 4]", "[4, 5]"};
    QTest::newRow("add [2,3]+[4]") << Thrower([] {
        return message_of<bp::ShapeError>([] { bp::add(Tensor::zeros({2, 3}), Tensor::zeros({4})); });
    }) << QStringList{"add", "[2, 3]", "[4]"};
    QTest::newRow("mul [2,3]*[3,2]") << Thrower([] {
        return message_of<bp::ShapeError>([] { bp::mul(Tensor::zeros({2, 3}), Tensor::zeros({3, 2})); });
    }) << QStringList{"mul", "[2, 3]", "[3, 2]"};
    QTest::newRow("Linear 784 on [32,28,28]") << Thrower([] {
        return message_of<bp::ShapeError>([] {
            bp::nn::Linear fc(bp::nn::LinearOptions(784, 128));
            fc.forward(Tensor::zeros({32, 28, 28}));
        });
    }) << QStringList{"flatten", "[32, 28, 28]", "784"};
    QTest::newRow("mse_loss [3] vs [4]") << Thrower([] {
        return message_of<bp::ShapeError>([] { bp::mse_loss(Tensor::zeros({3}), Tensor::zeros({4})); });
    }) << QStringList{"mse_loss", "[3]", "[4]"};
    QTest::newRow("cross_entropy target 3 of 3") << Thrower([] {
        return message_of<bp::ConfigError>([] { bp::cross_entropy(Tensor::zeros({2, 3}), i32({2}, {0, 3})); });
    }) << QStringList{"cross_entropy", "3"};
    QTest::newRow("cross_entropy target -1") << Thrower([] {
        return message_of<bp::ConfigError>([] { bp::cross_entropy(Tensor::zeros({1, 3}), i32({1}, {-1})); });
    }) << QStringList{"cross_entropy", "-1"};
    QTest::newRow("cross_entropy float targets") << Thrower([] {
        return message_of<bp::ConfigError>([] { bp::cross_entropy(Tensor::zeros({1, 3}), Tensor::zeros({1})); });
    }) << QStringList{"cross_entropy", "int32"};
    QTest::newRow("add f32+f64") << Thrower([] {
        return message_of<bp::ConfigError>(
            [] { bp::add(Tensor::zeros({2}, DType::f32), Tensor::zeros({2}, DType::f64)); });
    }) << QStringList{"add", "float32", "float64"};
    QTest::newRow("matmul f64@f32") << Thrower([] {
        return message_of<bp::ConfigError>(
            [] { bp::matmul(Tensor::zeros({2, 2}, DType::f64), Tensor::zeros({2, 2}, DType::f32)); });
    }) << QStringList{"matmul", "float64", "float32"};
}

void TestTensorOps::errorPaths() {
    QFETCH(Thrower, call);
    QFETCH(QStringList, needles);
    const std::string msg = call();
    QVERIFY2(msg.rfind("WRONG:", 0) != 0, msg.c_str());
    for (const QString& n : needles) BP_VERIFY_CONTAINS(msg, n.toStdString());
}

QTEST_APPLESS_MAIN(TestTensorOps)
#include "tst_tensor_ops.moc"
