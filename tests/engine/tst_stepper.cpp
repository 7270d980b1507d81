// tst_stepper.cpp — StepperSession: the XOR network stepped node by node ends with exactly the gradients of
// one backward() on an identically built graph and with the hand-derived values; every node's numerical
// gradient agrees with the analytic one to 1e-6 (neuron, xor); back one step returns to the same state;
// update is SGD; the gradient-flow experiment records one norm per layer and step.
#include <QtTest>

#include <cmath>
#include <cstring>
#include <vector>

#include "bp/autograd.h"
#include "bp/ops.h"
#include "bp/train/stepper.h"

using bp::DType;
using bp::Tensor;
using bp::train::StepperSession;

namespace {

const std::vector<double> kW1{0.8, -0.6, 0.4, 0.9}, kB1{0.1, -0.3}, kW2{1.2, -0.7}, kB2{0.05};

StepperSession fixedXor() {
    StepperSession s("xor");
    s.set_parameter("W1", kW1);
    s.set_parameter("b1", kB1);
    s.set_parameter("W2", kW2);
    s.set_parameter("b2", kB2);
    return s;
}

bool bitEqual(const Tensor& a, const Tensor& b) {
    return a.defined() && b.defined() && a.shape() == b.shape() && a.dtype() == b.dtype() &&
           std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0;
}

double sig(double v) { return 1.0 / (1.0 + std::exp(-v)); }

}  // namespace

class TestStepper : public QObject {
    Q_OBJECT
private slots:
    void xorGraphShape();
    void xorSteppedEqualsBackwardExactly();
    void xorMatchesHandDerivation();
    void numericalAgreesForEveryNode_data();
    void numericalAgreesForEveryNode();
    void backOneStepRestoresState();
    void updateIsSgdAndCanBeUndone();
    void forwardRevealsOneOpAtATime();
    void gradientFlowRecordsEveryLayer();
    void unknownExampleThrows();
};

void TestStepper::xorGraphShape() {
    StepperSession s = fixedXor();
    const std::vector<std::string> ops{"linear", "sigmoid", "linear", "sigmoid", "mse_loss"};
    QCOMPARE(s.nodes().size(), ops.size());
    for (size_t i = 0; i < ops.size(); ++i) QCOMPARE(QString::fromStdString(s.nodes()[i].op), QString::fromStdString(ops[i]));
    QCOMPARE(s.backward_order(), (std::vector<size_t>{4, 3, 2, 1, 0}));
    QCOMPARE(s.nodes()[1].input_producers, std::vector<int>{0});
    QCOMPARE(s.nodes()[2].input_producers, (std::vector<int>{1, -1, -1}));
    QCOMPARE(QString::fromStdString(s.nodes()[2].input_names[1]), QString("W2"));
    QCOMPARE(QString::fromStdString(s.nodes()[1].formula.derivative), QString("σ'(x) = σ(x)(1 − σ(x))"));
}

void TestStepper::xorSteppedEqualsBackwardExactly() {
    StepperSession s = fixedXor();
    size_t steps = 0;
    while (s.step_backward()) {
        ++steps;
        QCOMPARE(s.current().value(), s.backward_order()[steps - 1]);
    }
    QCOMPARE(steps, size_t(5));
    QVERIFY(s.backward_done());

    // The same graph built by hand, run by one backward().
    Tensor x = Tensor::from_vector({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1}, DType::f64);
    Tensor t = Tensor::from_vector({4, 1}, {0, 1, 1, 0}, DType::f64);
    std::vector<Tensor> p{Tensor::from_vector({2, 2}, kW1, DType::f64), Tensor::from_vector({2}, kB1, DType::f64),
                          Tensor::from_vector({1, 2}, kW2, DType::f64), Tensor::from_vector({1}, kB2, DType::f64)};
    for (Tensor& v : p) v.set_requires_grad(true);
    Tensor loss = bp::mse_loss(bp::sigmoid(bp::linear(bp::sigmoid(bp::linear(x, p[0], p[1])), p[2], p[3])), t);
    QVERIFY(bitEqual(loss, s.loss()));
    loss.backward();
    const auto params = s.parameters();
    QCOMPARE(params.size(), size_t(4));
    for (size_t i = 0; i < params.size(); ++i)
        QVERIFY2(bitEqual(params[i].second.grad(), p[i].grad()), params[i].first.c_str());
}

void TestStepper::xorMatchesHandDerivation() {
    // Per sample n (x_n ∈ {00, 01, 10, 11}, t_n = XOR):
    //   a_n = W1·x_n + b1,  h_n = σ(a_n),  z_n = W2·h_n + b2,  y_n = σ(z_n),  L = (1/4) Σ_n (y_n − t_n)²
    // Output unit (sigmoid with MSE):  δ_n = ∂L/∂z_n = 2(y_n − t_n)/4 · y_n(1 − y_n)
    //   ∂L/∂W2_j = Σ_n δ_n h_nj,     ∂L/∂b2 = Σ_n δ_n
    // Hidden units:  ε_nj = ∂L/∂a_nj = δ_n · W2_j · h_nj(1 − h_nj)
    //   ∂L/∂W1_ji = Σ_n ε_nj x_ni,   ∂L/∂b1_j = Σ_n ε_nj
    StepperSession s = fixedXor();
    s.run_to_end_of_pass();
    s.run_to_end_of_pass();
    const double X[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, T[4] = {0, 1, 1, 0};
    double gW1[2][2] = {}, gb1[2] = {}, gW2[2] = {}, gb2 = 0;
    for (int n = 0; n < 4; ++n) {
        double h[2];
        for (int j = 0; j < 2; ++j) h[j] = sig(kW1[2 * j] * X[n][0] + kW1[2 * j + 1] * X[n][1] + kB1[j]);
        const double y = sig(kW2[0] * h[0] + kW2[1] * h[1] + kB2[0]);
        const double delta = 2 * (y - T[n]) / 4 * y * (1 - y);
        gb2 += delta;
        for (int j = 0; j < 2; ++j) {
            gW2[j] += delta * h[j];
            const double eps = delta * kW2[j] * h[j] * (1 - h[j]);
            gb1[j] += eps;
            for (int i = 0; i < 2; ++i) gW1[j][i] += eps * X[n][i];
        }
    }
    const std::vector<std::vector<double>> expected{{gW1[0][0], gW1[0][1], gW1[1][0], gW1[1][1]}, {gb1[0], gb1[1]},
                                                    {gW2[0], gW2[1]}, {gb2}};
    const auto params = s.parameters();
    for (size_t i = 0; i < params.size(); ++i) {
        const auto g = params[i].second.grad().to_vector();
        QCOMPARE(g.size(), expected[i].size());
        for (size_t k = 0; k < g.size(); ++k)
            QVERIFY2(std::abs(g[k] - expected[i][k]) < 1e-14,
                     qPrintable(QString("%1[%2]: %3 vs %4").arg(params[i].first.c_str()).arg(k).arg(g[k], 0, 'g', 17)
                                    .arg(expected[i][k], 0, 'g', 17)));
    }
}

void TestStepper::numericalAgreesForEveryNode_data() {
    QTest::addColumn<QString>("example");
    QTest::newRow("neuron") << "neuron";
    QTest::newRow("xor") << "xor";
}

void TestStepper::numericalAgreesForEveryNode() {
    QFETCH(QString, example);
    StepperSession s(example.toStdString());
    int checked = 0;
    while (auto id = s.step_backward()) {
        const auto* g = s.grad(*id);
        QVERIFY(g);
        const auto& node = s.nodes()[*id];
        QCOMPARE(g->checks.size(), node.inputs.size());
        for (size_t k = 0; k < node.inputs.size(); ++k) {
            if (!node.needs_grad[k]) {
                QVERIFY(!g->checks[k].available);
                continue;
            }
            const auto& c = g->checks[k];
            QVERIFY2(c.available, node.op.c_str());
            QCOMPARE(static_cast<int64_t>(c.indices.size()), node.inputs[k].numel());  // every entry
            QVERIFY2(c.max_abs_diff < 1e-6, qPrintable(QString("%1 input %2: %3").arg(node.op.c_str()).arg(k).arg(c.max_abs_diff)));
            ++checked;
        }
        QVERIFY(g->max_diff < 1e-6);
    }
    QVERIFY(checked >= (example == "xor" ? 8 : 4));
}

void TestStepper::backOneStepRestoresState() {
    StepperSession s = fixedXor();
    const size_t total = s.nodes().size() * 2;
    for (size_t k = 1; k <= total; ++k) {
        StepperSession ref = fixedXor();
        for (size_t i = 0; i < k - 1; ++i) (i < ref.nodes().size() ? (void)ref.step_forward() : (void)ref.step_backward());
        StepperSession a = fixedXor();
        for (size_t i = 0; i < k; ++i) (i < a.nodes().size() ? (void)a.step_forward() : (void)a.step_backward());
        a.back_one_step();
        QCOMPARE(a.step_count(), k - 1);
        QCOMPARE(a.forward_position(), ref.forward_position());
        QCOMPARE(a.backward_position(), ref.backward_position());
        QCOMPARE(a.current(), ref.current());
        QVERIFY(bitEqual(a.loss(), ref.loss()));
        const auto pa = a.parameters(), pr = ref.parameters();
        for (size_t i = 0; i < pa.size(); ++i) {
            QCOMPARE(pa[i].second.grad().defined(), pr[i].second.grad().defined());
            if (pr[i].second.grad().defined()) QVERIFY(bitEqual(pa[i].second.grad(), pr[i].second.grad()));
        }
        for (size_t id = 0; id < a.nodes().size(); ++id) {
            QCOMPARE(a.grad(id) != nullptr, ref.grad(id) != nullptr);
            if (ref.grad(id)) QVERIFY(bitEqual(a.grad(id)->grad_output, ref.grad(id)->grad_output));
        }
    }
}

void TestStepper::updateIsSgdAndCanBeUndone() {
    StepperSession s = fixedXor();
    const double lossBefore = s.loss().item();
    const auto changes = s.update();
    QCOMPARE(changes.size(), size_t(4));
    QCOMPARE(s.updates(), 1);
    for (const auto& c : changes) {
        QCOMPARE(c.after.size(), c.before.size());
        for (size_t k = 0; k < c.before.size(); ++k)
            QVERIFY(std::abs(c.after[k] - (c.before[k] - 0.5 * c.grad[k])) < 1e-15);
    }
    QCOMPARE(s.forward_position(), size_t(0));  // a fresh forward pass with the new weights
    QVERIFY(s.loss().item() < lossBefore);
    s.back_one_step();  // undoes the update: the old weights, backward pass complete
    QCOMPARE(s.updates(), 0);
    QVERIFY(s.backward_done());
    QCOMPARE(s.loss().item(), lossBefore);
    QCOMPARE(s.parameters()[0].second.to_vector(), kW1);
}

void TestStepper::forwardRevealsOneOpAtATime() {
    StepperSession s("neuron");
    QCOMPARE(s.nodes().size(), size_t(3));
    QCOMPARE(s.step_forward().value(), size_t(0));
    QCOMPARE(s.step_forward().value(), size_t(1));
    QCOMPARE(s.forward_position(), size_t(2));
    s.run_to_end_of_pass();
    QVERIFY(s.forward_done());
    QVERIFY(!s.step_forward());
    QCOMPARE(s.step_backward().value(), size_t(2));  // mse_loss first
    s.restart();
    QCOMPARE(s.step_count(), size_t(0));
}

void TestStepper::gradientFlowRecordsEveryLayer() {
    bp::data::ImageDataset ds;
    ds.count = 64;
    ds.rows = ds.cols = 28;
    ds.pixels.resize(64 * 784);
    ds.labels.resize(64);
    for (size_t i = 0; i < ds.pixels.size(); ++i) ds.pixels[i] = static_cast<uint8_t>((i * 37) % 256);
    for (size_t i = 0; i < 64; ++i) ds.labels[i] = static_cast<uint8_t>(i % 10);
    const auto sig = bp::train::gradient_flow(ds, "sigmoid", 6, 5, 64);
    const auto rel = bp::train::gradient_flow(ds, "relu", 6, 5, 64);
    QCOMPARE(sig.norms.size(), size_t(6));
    QCOMPARE(sig.norms[0].size(), size_t(5));
    QCOMPARE(sig.losses.size(), size_t(5));
    // Vanishing gradients: through five sigmoids the first layer gets far less than with ReLU.
    QVERIFY2(sig.norms[0][0] < rel.norms[0][0], qPrintable(QString("%1 vs %2").arg(sig.norms[0][0]).arg(rel.norms[0][0])));
}

void TestStepper::unknownExampleThrows() { QVERIFY_THROWS_EXCEPTION(bp::ConfigError, StepperSession("nope")); }

QTEST_APPLESS_MAIN(TestStepper)
#include "tst_stepper.moc"
