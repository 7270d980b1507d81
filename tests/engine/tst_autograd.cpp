// tst_autograd.cpp — the graph machinery on small float64 graphs: BackwardStepper run node by node gives
// exactly backward()'s gradients, each StepRecord carries what the stepper page shows, a single neuron's
// gradient derived by hand, accumulation when a tensor is used twice, and NoGradGuard recording nothing.
#include <QtTest>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "bp/autograd.h"
#include "bp/errors.h"
#include "bp/ops.h"
#include "bp/tensor.h"

using bp::DType;
using bp::Shape;
using bp::Tensor;

namespace {

Tensor f64(const Shape& s, const std::vector<double>& v) { return Tensor::from_vector(s, v, DType::f64); }

/// A 2-2-1 network on the four XOR inputs, built from ops with fixed weights:
///   h = sigmoid(x W1ᵀ + b1), y = sigmoid(h W2ᵀ + b2), L = mean((y − t)²)
struct XorNet {
    Tensor x, t, w1, b1, w2, b2, loss;
    std::vector<Tensor> params() const { return {w1, b1, w2, b2}; }
};

XorNet build_xor() {
    XorNet n;
    n.x = f64({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1});
    n.t = f64({4, 1}, {0, 1, 1, 0});
    n.w1 = f64({2, 2}, {0.8, -0.6, 0.4, 0.9}).set_requires_grad().set_name("w1");
    n.b1 = f64({2}, {0.1, -0.3}).set_requires_grad().set_name("b1");
    n.w2 = f64({1, 2}, {1.2, -0.7}).set_requires_grad().set_name("w2");
    n.b2 = f64({1}, {0.05}).set_requires_grad().set_name("b2");
    Tensor h = bp::sigmoid(bp::linear(n.x, n.w1, n.b1));
    Tensor y = bp::sigmoid(bp::linear(h, n.w2, n.b2));
    n.loss = bp::mse_loss(y, n.t);
    return n;
}

bool bit_equal(const Tensor& a, const Tensor& b) {
    return a.shape() == b.shape() && a.dtype() == b.dtype() && std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0;
}

}  // namespace

class TestAutograd : public QObject {
    Q_OBJECT

private slots:
    void stepperEqualsBackwardExactly();
    void stepRecordsDescribeEachNode();
    void singleNeuronByHand();
    void tensorUsedTwiceAccumulates_data();
    void tensorUsedTwiceAccumulates();
    void noGradGuardRecordsNothing();
    void backwardNeedsAScalarOrSeed();
};

void TestAutograd::stepperEqualsBackwardExactly() {
    XorNet stepped = build_xor();
    XorNet whole = build_xor();
    QVERIFY(bit_equal(stepped.loss, whole.loss));  // same forward pass

    bp::autograd::BackwardStepper s(stepped.loss);
    QCOMPARE(s.size(), size_t(5));  // mse_loss, sigmoid, linear, sigmoid, linear
    size_t steps = 0;
    while (!s.done()) {
        QCOMPARE(s.position(), steps);
        s.step();
        ++steps;
    }
    QCOMPARE(steps, size_t(5));
    whole.loss.backward();

    const auto ps = stepped.params(), pw = whole.params();
    for (size_t i = 0; i < ps.size(); ++i) {
        QVERIFY2(ps[i].grad().defined(), ps[i].name().c_str());
        QVERIFY2(pw[i].grad().defined(), pw[i].name().c_str());
        QCOMPARE(ps[i].grad().shape(), ps[i].shape());
        const auto a = ps[i].grad().to_vector(), b = pw[i].grad().to_vector();
        for (size_t k = 0; k < a.size(); ++k) QCOMPARE(a[k], b[k]);  // exact, not fuzzy
        QVERIFY2(bit_equal(ps[i].grad(), pw[i].grad()), ps[i].name().c_str());
        // And a gradient is really there: not all zeros.
        double norm = 0;
        for (double v : a) norm += v * v;
        QVERIFY2(norm > 1e-12, ps[i].name().c_str());
    }
    // Inputs that do not require grad get no gradient.
    QVERIFY(!stepped.x.grad().defined());
    QVERIFY(!stepped.t.grad().defined());
}

void TestAutograd::stepRecordsDescribeEachNode() {
    XorNet n = build_xor();
    bp::autograd::BackwardStepper s(n.loss);
    std::vector<bp::autograd::StepRecord> recs;
    while (!s.done()) recs.push_back(s.step());
    QCOMPARE(recs.size(), size_t(5));

    const std::vector<std::string> ops{"mse_loss", "sigmoid", "linear", "sigmoid", "linear"};
    const std::vector<Shape> out_shapes{{}, {4, 1}, {4, 1}, {4, 2}, {4, 2}};
    for (size_t i = 0; i < recs.size(); ++i) {
        const auto& r = recs[i];
        QVERIFY(r.node != nullptr);
        QCOMPARE(QString::fromStdString(r.node->op), QString::fromStdString(ops[i]));
        QVERIFY(r.output.defined());
        QCOMPARE(QString::fromStdString(bp::shape_str(r.output.shape())), QString::fromStdString(bp::shape_str(out_shapes[i])));
        QVERIFY(r.output.grad_fn() == r.node);
        QVERIFY(r.grad_output.defined());
        QCOMPARE(r.grad_output.shape(), r.output.shape());
        QCOMPARE(r.grad_inputs.size(), r.node->inputs.size());
        for (size_t k = 0; k < r.grad_inputs.size(); ++k) {
            if (!r.node->needs_grad[k]) continue;
            QVERIFY2(r.grad_inputs[k].defined(), qPrintable(QString("%1 input %2").arg(ops[i].c_str()).arg(k)));
            QCOMPARE(r.grad_inputs[k].shape(), r.node->inputs[k].shape());
        }
    }
    // Root: seeded with 1; it sends dL/dy to y.
    QCOMPARE(recs[0].grad_output.item(), 1.0);
    QVERIFY(recs[0].node->needs_grad[0]);
    QVERIFY(!recs[0].node->needs_grad[1]);  // the target
    // What a node sends to its input is what the next node (the producer of that input) receives.
    QVERIFY(recs[1].output.same(recs[0].node->inputs[0]));
    QVERIFY(bit_equal(recs[1].grad_output, recs[0].grad_inputs[0]));
    QVERIFY(recs[2].output.same(recs[1].node->inputs[0]));
    QVERIFY(bit_equal(recs[2].grad_output, recs[1].grad_inputs[0]));
    // The outer linear's inputs are h, w2, b2; its weight gradient is what w2 ends up with.
    QVERIFY(recs[2].node->inputs[1].same(n.w2));
    QVERIFY(bit_equal(recs[2].grad_inputs[1], n.w2.grad()));
    // The inner linear's x does not need a gradient.
    QVERIFY(!recs[4].node->needs_grad[0]);
    QVERIFY(recs[4].node->inputs[1].same(n.w1));
    QVERIFY(bit_equal(recs[4].grad_inputs[1], n.w1.grad()));
}

void TestAutograd::singleNeuronByHand() {
    // One neuron, one sample:  z = w·x + b,  y = σ(z),  L = (y − t)²
    //   x = [1, 2], w = [0.5, −0.25], b = 0.1, t = 1
    //   z = 0.5·1 − 0.25·2 + 0.1 = 0.1
    //   y = σ(0.1) = 1 / (1 + e^−0.1) = 0.52497918747894
    //   L = (0.52497918747894 − 1)² = 0.22564477232816801
    // Chain rule: dL/dy = 2(y − t), dy/dz = y(1 − y), dz/dw_i = x_i, dz/db = 1, so
    //   dL/dz  = 2·(−0.47502081252106)·(0.52497918747894·0.47502081252106) = −0.23691761847142412
    //   dL/dw1 = dL/dz·1 = −0.23691761847142412
    //   dL/dw2 = dL/dz·2 = −0.47383523694284824
    //   dL/db  = dL/dz   = −0.23691761847142412
    Tensor x = f64({1, 2}, {1.0, 2.0});
    Tensor w = f64({1, 2}, {0.5, -0.25}).set_requires_grad();
    Tensor b = f64({1}, {0.1}).set_requires_grad();
    Tensor t = f64({1, 1}, {1.0});
    Tensor y = bp::sigmoid(bp::linear(x, w, b));
    Tensor loss = bp::mse_loss(y, t);
    QVERIFY(std::abs(y.item() - 0.52497918747894) < 1e-13);
    QVERIFY(std::abs(loss.item() - 0.22564477232816801) < 1e-14);
    loss.backward();
    const double dz = -0.23691761847142412;
    const auto gw = w.grad().to_vector();
    QCOMPARE(gw.size(), size_t(2));
    QVERIFY2(std::abs(gw[0] - dz) < 1e-14, qPrintable(QString::number(gw[0], 'g', 17)));
    QVERIFY2(std::abs(gw[1] - 2 * dz) < 1e-14, qPrintable(QString::number(gw[1], 'g', 17)));
    QVERIFY2(std::abs(b.grad().item() - dz) < 1e-14, qPrintable(QString::number(b.grad().item(), 'g', 17)));
}

void TestAutograd::tensorUsedTwiceAccumulates_data() {
    QTest::addColumn<double>("x0");
    QTest::newRow("x=1") << 1.0;
    QTest::newRow("x=2.5") << 2.5;
    QTest::newRow("x=-3") << -3.0;
}

void TestAutograd::tensorUsedTwiceAccumulates() {
    // y = x·x + x uses x three times: dy/dx = x + x + 1 = 2x + 1, summed over every use.
    QFETCH(double, x0);
    Tensor x = f64({3}, {x0, 2 * x0, -x0}).set_requires_grad();
    Tensor y = bp::sum(bp::add(bp::mul(x, x), x));
    QCOMPARE(y.item(), (x0 * x0 + x0) + (4 * x0 * x0 + 2 * x0) + (x0 * x0 - x0));
    y.backward();
    const auto g = x.grad().to_vector();
    QCOMPARE(g.size(), size_t(3));
    QCOMPARE(g[0], 2 * x0 + 1);
    QCOMPARE(g[1], 4 * x0 + 1);
    QCOMPARE(g[2], -2 * x0 + 1);
    // A second backward without zero_grad adds on top (as in PyTorch).
    Tensor y2 = bp::sum(bp::mul(x, Tensor::scalar(3.0, DType::f64)));
    y2.backward();
    QCOMPARE(x.grad().to_vector()[0], 2 * x0 + 1 + 3);
    x.zero_grad();
    QVERIFY(!x.grad().defined());
}

void TestAutograd::noGradGuardRecordsNothing() {
    Tensor x = f64({2}, {0.5, -1.5}).set_requires_grad();
    QVERIFY(bp::autograd::grad_enabled());
    {
        bp::autograd::NoGradGuard g;
        QVERIFY(!bp::autograd::grad_enabled());
        Tensor y = bp::sigmoid(bp::mul(x, x));
        QVERIFY(!y.requires_grad());
        QVERIFY(y.grad_fn() == nullptr);
        Tensor l = bp::mse_loss(bp::linear(bp::reshape(x, {1, 2}), f64({1, 2}, {1, 1}).set_requires_grad(), Tensor()),
                                f64({1, 1}, {0}));
        QVERIFY(!l.requires_grad());
        QVERIFY(l.grad_fn() == nullptr);
        QVERIFY(bp::autograd::topo_order(l).empty());
        {
            bp::autograd::NoGradGuard inner;  // nests
        }
        QVERIFY(!bp::autograd::grad_enabled());  // the inner guard restored "off", not "on"
        QVERIFY(!bp::mul(x, x).requires_grad());
        // Backward through an unrecorded result is an error, not a silent no-op.
        QVERIFY_THROWS_EXCEPTION(bp::ConfigError, y.backward());
    }
    QVERIFY(bp::autograd::grad_enabled());
    Tensor z = bp::mul(x, x);
    QVERIFY(z.requires_grad());
    QVERIFY(z.grad_fn() != nullptr);
    QCOMPARE(QString::fromStdString(z.grad_fn()->op), QString("mul"));
    QVERIFY(!x.grad().defined());  // nothing above reached x
}

void TestAutograd::backwardNeedsAScalarOrSeed() {
    Tensor x = f64({2}, {1.0, 2.0}).set_requires_grad();
    Tensor y = bp::mul(x, x);
    QVERIFY_THROWS_EXCEPTION(bp::ShapeError, y.backward());
    // With an explicit seed v, x gets v·2x.
    bp::autograd::backward(y, f64({2}, {1.0, 0.5}));
    QCOMPARE(x.grad().to_vector(), (std::vector<double>{2.0, 2.0}));
}

QTEST_APPLESS_MAIN(TestAutograd)
#include "tst_autograd.moc"
