// tst_nn_optim.cpp — modules (reprs, parameter counts and names, forward shapes, seeded initialisation)
// and optimizers checked by hand: SGD, momentum, Nesterov, weight decay, Adam, AdamW against the PyTorch
// update rules written out in the comments; learning-rate schedules; make_optimizer's error paths.
#include <QtTest>

#include <cmath>
#include <string>
#include <vector>

#include "bp/errors.h"
#include "bp/models/zoo.h"
#include "bp/nn/module.h"
#include "bp/ops.h"
#include "bp/optim/optimizer.h"
#include "bp/tensor.h"
#include "bp/train/schedule.h"
#include "engine/data_test_util.h"

using bp::DType;
using bp::Shape;
using bp::Tensor;
using bp_test::message_of;

namespace {

Tensor f64(const Shape& s, const std::vector<double>& v) { return Tensor::from_vector(s, v, DType::f64); }

/// A float64 parameter with a fixed gradient.
Tensor param(const std::vector<double>& w, const std::vector<double>& g) {
    Tensor p = f64({int64_t(w.size())}, w).set_requires_grad();
    p.set_grad(f64({int64_t(g.size())}, g));
    return p;
}

void expect_near(const std::vector<double>& got, const std::vector<double>& expected, double tol) {
    QCOMPARE(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i)
        QVERIFY2(std::abs(got[i] - expected[i]) <= tol, qPrintable(QString("element %1: got %2, expected %3")
                                                                        .arg(i)
                                                                        .arg(got[i], 0, 'g', 17)
                                                                        .arg(expected[i], 0, 'g', 17)));
}

}  // namespace

class TestNnOptim : public QObject {
    Q_OBJECT

private slots:
    void linearRepr();
    void linearForwardByHand();
    void parameterCounts_data();
    void parameterCounts();
    void mlpNamedParameters();
    void sequentialForwardShape();
    void seededInitIsDeterministic();
    void sgdOneStep();
    void sgdMomentumTwoSteps();
    void sgdNesterovTwoSteps();
    void sgdWeightDecay();
    void sgdSkipsParameterWithoutGrad();
    void adamFirstStepIsLrTimesSign();
    void adamTwoStepsByHand();
    void adamwDecayIsDecoupled();
    void lrSchedules_data();
    void lrSchedules();
    void makeOptimizer_data();
    void makeOptimizer();
    void makeOptimizerErrors_data();
    void makeOptimizerErrors();
    void clipGradNormByHand();
};

void TestNnOptim::linearRepr() {
    bp::nn::Linear fc(bp::nn::LinearOptions(784, 128));
    QCOMPARE(QString::fromStdString(fc.repr()), QString("Linear(in_features=784, out_features=128, bias=true)"));
    QCOMPARE(QString::fromStdString(fc.type_name()), QString("Linear"));
    bp::nn::Linear nb(bp::nn::LinearOptions(10, 3).bias(false));
    QCOMPARE(QString::fromStdString(nb.repr()), QString("Linear(in_features=10, out_features=3, bias=false)"));
    QVERIFY(!nb.bias.defined());
    QCOMPARE(fc.weight.shape(), (Shape{128, 784}));
    QCOMPARE(fc.bias.shape(), (Shape{128}));
    QVERIFY(fc.weight.requires_grad());
}

void TestNnOptim::linearForwardByHand() {
    // W = [[1, 2], [3, 4], [5, 6]], b = [0.5, −1, 0]; x = [1, −1] → xWᵀ + b = [−1 + 0.5, −1 − 1, −1 + 0] = [−0.5, −2, −1]
    bp::nn::Linear fc(bp::nn::LinearOptions(2, 3).dtype(DType::f64));
    fc.weight.copy_(f64({3, 2}, {1, 2, 3, 4, 5, 6}));
    fc.bias.copy_(f64({3}, {0.5, -1, 0}));
    Tensor y = fc(f64({1, 2}, {1, -1}));
    QCOMPARE(y.shape(), (Shape{1, 3}));
    QCOMPARE(y.dtype(), DType::f64);
    QCOMPARE(y.to_vector(), (std::vector<double>{-0.5, -2, -1}));
}

void TestNnOptim::parameterCounts_data() {
    QTest::addColumn<int>("in");
    QTest::addColumn<int>("out");
    QTest::addColumn<bool>("bias");
    QTest::addColumn<qint64>("count");
    QTest::newRow("784->128") << 784 << 128 << true << qint64(784 * 128 + 128);
    QTest::newRow("784->128 no bias") << 784 << 128 << false << qint64(784 * 128);
    QTest::newRow("128->64") << 128 << 64 << true << qint64(8256);
    QTest::newRow("64->10") << 64 << 10 << true << qint64(650);
}

void TestNnOptim::parameterCounts() {
    QFETCH(int, in);
    QFETCH(int, out);
    QFETCH(bool, bias);
    QFETCH(qint64, count);
    bp::nn::Linear fc(bp::nn::LinearOptions(in, out).bias(bias));
    QCOMPARE(fc.parameter_count(), count);
    QCOMPARE(fc.parameters().size(), size_t(bias ? 2 : 1));
}

void TestNnOptim::mlpNamedParameters() {
    // 784·128 + 128 + 128·64 + 64 + 64·10 + 10 = 100480 + 8256 + 650 = 109386
    QCOMPARE(bp::models::parameter_count("mlp"), int64_t(109386));
    bp::models::Model m = bp::models::create_model("mlp");
    QCOMPARE(m.net->parameter_count(), int64_t(109386));
    const auto named = m.net->named_parameters();
    const std::vector<std::pair<std::string, Shape>> expected{{"1.weight", {128, 784}}, {"1.bias", {128}},
                                                              {"3.weight", {64, 128}},  {"3.bias", {64}},
                                                              {"5.weight", {10, 64}},   {"5.bias", {10}}};
    QCOMPARE(named.size(), expected.size());
    for (size_t i = 0; i < named.size(); ++i) {
        QCOMPARE(QString::fromStdString(named[i].first), QString::fromStdString(expected[i].first));
        QCOMPARE(named[i].second.shape(), expected[i].second);
    }
    // parameters() is the same tensors in the same order.
    const auto ps = m.net->parameters();
    QCOMPARE(ps.size(), named.size());
    for (size_t i = 0; i < ps.size(); ++i) QVERIFY(ps[i].same(named[i].second));
    QCOMPARE(QString::fromStdString(bp::models::create_model("mlp", {{"hidden", {32}}}).net->named_parameters()[2].first),
             QString("3.weight"));
    QCOMPARE(bp::models::create_model("mlp", {{"hidden", {32}}}).net->parameter_count(), int64_t(784 * 32 + 32 + 32 * 10 + 10));
}

void TestNnOptim::sequentialForwardShape() {
    bp::models::Model m = bp::models::create_model("mlp");
    Tensor y = m.net->forward(Tensor::zeros({5, 1, 28, 28}));
    QCOMPARE(y.shape(), (Shape{5, 10}));
    QCOMPARE(y.dtype(), DType::f32);

    bp::nn::Sequential seq;
    seq.push_back(std::make_shared<bp::nn::Linear>(bp::nn::LinearOptions(4, 3)));
    seq.push_back(std::make_shared<bp::nn::ActivationLayer>(bp::nn::Activation::relu));
    seq.push_back(std::make_shared<bp::nn::Linear>(bp::nn::LinearOptions(3, 2)));
    QCOMPARE(seq.size(), size_t(3));
    QCOMPARE(seq(Tensor::ones({7, 4})).shape(), (Shape{7, 2}));
    QCOMPARE(seq.parameter_count(), int64_t(4 * 3 + 3 + 3 * 2 + 2));
    const auto names = seq.named_parameters();
    QCOMPARE(QString::fromStdString(names[0].first), QString("0.weight"));
    QCOMPARE(QString::fromStdString(names[3].first), QString("2.bias"));
    // train/eval reaches the children.
    seq.eval();
    QVERIFY(!seq.is_training());
    QVERIFY(!seq[0].is_training());
}

void TestNnOptim::seededInitIsDeterministic() {
    auto a = bp::models::create_model("mlp", nlohmann::json::object(), 5);
    auto b = bp::models::create_model("mlp", nlohmann::json::object(), 5);
    auto c = bp::models::create_model("mlp", nlohmann::json::object(), 6);
    const auto pa = a.net->parameters(), pb = b.net->parameters(), pc = c.net->parameters();
    QCOMPARE(pa[0].to_float_vector(), pb[0].to_float_vector());
    QVERIFY(pa[0].to_float_vector() != pc[0].to_float_vector());
    // torch.nn.Linear's default: w ~ U(±1/√fan_in), so every first-layer weight is within 1/28.
    for (float v : pa[0].to_float_vector()) QVERIFY(std::abs(v) <= 1.0f / 28.0f + 1e-7f);
}

void TestNnOptim::sgdOneStep() {
    // w ← w − lr·g:  [1, −2] − 0.1·[0.5, −1] = [0.95, −1.9]
    Tensor p = param({1, -2}, {0.5, -1});
    bp::optim::SGD opt({p}, bp::optim::SgdOptions{0.1});
    opt.step();
    expect_near(p.to_vector(), {0.95, -1.9}, 1e-15);
    QCOMPARE(opt.steps(), int64_t(1));
    QCOMPARE(QString::fromStdString(opt.name()), QString("sgd"));
}

void TestNnOptim::sgdMomentumTwoSteps() {
    // PyTorch: buf₁ = g; buf₂ = μ·buf₁ + g; w ← w − lr·buf.  μ = 0.9, lr = 0.1, g = 0.5 both times, w = 1:
    //   step 1: buf = 0.5,                  w = 1 − 0.05 = 0.95
    //   step 2: buf = 0.9·0.5 + 0.5 = 0.95, w = 0.95 − 0.095 = 0.855
    Tensor p = param({1}, {0.5});
    bp::optim::SGD opt({p}, bp::optim::SgdOptions{0.1, 0.9});
    opt.step();
    expect_near(p.to_vector(), {0.95}, 1e-15);
    opt.step();
    expect_near(p.to_vector(), {0.855}, 1e-15);
}

void TestNnOptim::sgdNesterovTwoSteps() {
    // Nesterov: buf as above, step d = g + μ·buf.  μ = 0.9, lr = 0.1, g = 0.5, w = 1:
    //   step 1: buf = 0.5,  d = 0.5 + 0.45 = 0.95,  w = 1 − 0.095 = 0.905
    //   step 2: buf = 0.95, d = 0.5 + 0.855 = 1.355, w = 0.905 − 0.1355 = 0.7695
    Tensor p = param({1}, {0.5});
    bp::optim::SgdOptions o{0.1, 0.9};
    o.nesterov = true;
    bp::optim::SGD opt({p}, o);
    opt.step();
    expect_near(p.to_vector(), {0.905}, 1e-15);
    opt.step();
    expect_near(p.to_vector(), {0.7695}, 1e-15);
    // Nesterov without momentum is refused.
    bp::optim::SgdOptions bad{0.1};
    bad.nesterov = true;
    QVERIFY_THROWS_EXCEPTION(bp::ConfigError, bp::optim::SGD({p}, bad));
}

void TestNnOptim::sgdWeightDecay() {
    // d = g + λ·w: λ = 0.1, w = [1, −2], g = [0.5, 0] → d = [0.6, −0.2]; w ← w − 0.1·d = [0.94, −1.98]
    Tensor p = param({1, -2}, {0.5, 0});
    bp::optim::SgdOptions o{0.1};
    o.weight_decay = 0.1;
    bp::optim::SGD opt({p}, o);
    opt.step();
    expect_near(p.to_vector(), {0.94, -1.98}, 1e-15);
}

void TestNnOptim::sgdSkipsParameterWithoutGrad() {
    Tensor p = param({1}, {0.5});
    Tensor q = f64({1}, {3.0}).set_requires_grad();  // no gradient: skipped
    bp::optim::SGD opt({p, q}, bp::optim::SgdOptions{0.1});
    opt.step();
    QCOMPARE(q.item(), 3.0);
    QCOMPARE(p.item(), 0.95);
    opt.zero_grad();
    QVERIFY(!p.grad().defined());
    opt.step();  // nothing moves without gradients
    QCOMPARE(p.item(), 0.95);
}

void TestNnOptim::adamFirstStepIsLrTimesSign() {
    // Step 1: m = (1−β₁)g, v = (1−β₂)g²; bias-corrected m̂ = g, v̂ = g², so w ← w − lr·g/(|g| + ε) ≈ w − lr·sign(g)
    // whatever the gradient's size.
    const double lr = 0.01, eps = 1e-8;
    const std::vector<double> w0{1, -2, 0.3, 5}, g{0.5, -3, 1e-3, -40};
    Tensor p = param(w0, g);
    bp::optim::Adam opt({p}, bp::optim::AdamOptions{lr});
    QCOMPARE(QString::fromStdString(opt.name()), QString("adam"));
    opt.step();
    std::vector<double> exact, approx;
    for (size_t i = 0; i < g.size(); ++i) {
        exact.push_back(w0[i] - lr * g[i] / (std::abs(g[i]) + eps));
        approx.push_back(w0[i] - lr * (g[i] > 0 ? 1 : -1));
    }
    expect_near(p.to_vector(), exact, 1e-14);
    expect_near(p.to_vector(), approx, 1e-6);  // 1e-3 gradient: off by lr·ε/|g| = 1e-7
}

void TestNnOptim::adamTwoStepsByHand() {
    // β₁ = 0.9, β₂ = 0.999, lr = 0.1, w = 1; g₁ = 1, g₂ = −1:
    //   m₂ = 0.9·0.1 − 0.1 = −0.01,   v₂ = 0.999·0.001 + 0.001 = 0.001999
    //   m̂ = −0.01/(1 − 0.81) = −0.0526316,  v̂ = 0.001999/(1 − 0.998001) = 1
    //   w₂ = w₁ − 0.1·m̂/(√v̂ + ε) = 0.9 + 0.00526316 = 0.90526316
    Tensor p = param({1}, {1});
    bp::optim::Adam opt({p}, bp::optim::AdamOptions{0.1});
    opt.step();
    expect_near(p.to_vector(), {1 - 0.1 / (1 + 1e-8)}, 1e-14);
    p.set_grad(f64({1}, {-1}));
    opt.step();
    const double m = 0.9 * 0.1 - 0.1, v = 0.999 * 0.001 + 0.001;
    const double mhat = m / (1 - 0.81), vhat = v / (1 - 0.999 * 0.999);
    const double w2 = (1 - 0.1 / (1 + 1e-8)) - 0.1 * mhat / (std::sqrt(vhat) + 1e-8);
    expect_near(p.to_vector(), {w2}, 1e-12);
    QVERIFY(std::abs(w2 - 0.90526316) < 1e-7);
    QCOMPARE(opt.steps(), int64_t(2));
}

void TestNnOptim::adamwDecayIsDecoupled() {
    // λ = 0.1, lr = 0.01, w = [1, 1], g = [0.5, 0]:
    //   Adam (L2):  g' = g + λw = [0.6, 0.1];  w ← w − lr·g'/|g'| = [0.99, 0.99]
    //   AdamW:      w ← w·(1 − lr·λ) − lr·g/(|g| + ε) = [0.999 − 0.01, 0.999 − 0] = [0.989, 0.999]
    const double eps = 1e-8;
    Tensor pa = param({1, 1}, {0.5, 0});
    Tensor pw = param({1, 1}, {0.5, 0});
    bp::optim::AdamOptions o{0.01};
    o.weight_decay = 0.1;
    bp::optim::Adam adam({pa}, o, false);
    bp::optim::Adam adamw({pw}, o, true);
    QCOMPARE(QString::fromStdString(adamw.name()), QString("adamw"));
    adam.step();
    adamw.step();
    expect_near(pa.to_vector(), {1 - 0.01 * 0.6 / (0.6 + eps), 1 - 0.01 * 0.1 / (0.1 + eps)}, 1e-14);
    expect_near(pw.to_vector(), {0.999 - 0.01 * 0.5 / (0.5 + eps), 0.999}, 1e-14);
    QVERIFY(std::abs(pa.to_vector()[1] - pw.to_vector()[1]) > 0.008);
}

void TestNnOptim::lrSchedules_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<double>("min_lr");
    QTest::addColumn<int>("epoch");
    QTest::addColumn<qint64>("step");
    QTest::addColumn<double>("expected");
    // base 0.1; step: gamma 0.5 every 2 epochs; cosine over 100 steps.
    QTest::newRow("none") << "none" << 0.0 << 7 << qint64(77) << 0.1;
    QTest::newRow("step e0") << "step" << 0.0 << 0 << qint64(0) << 0.1;
    QTest::newRow("step e1") << "step" << 0.0 << 1 << qint64(50) << 0.1;
    QTest::newRow("step e2") << "step" << 0.0 << 2 << qint64(100) << 0.05;
    QTest::newRow("step e5") << "step" << 0.0 << 5 << qint64(250) << 0.025;
    QTest::newRow("cosine start") << "cosine" << 0.0 << 0 << qint64(0) << 0.1;
    QTest::newRow("cosine quarter") << "cosine" << 0.0 << 0 << qint64(25) << 0.05 * (1 + std::sqrt(0.5));
    QTest::newRow("cosine middle") << "cosine" << 0.0 << 1 << qint64(50) << 0.05;
    QTest::newRow("cosine end") << "cosine" << 0.0 << 2 << qint64(100) << 0.0;
    QTest::newRow("cosine past end") << "cosine" << 0.0 << 3 << qint64(150) << 0.0;
    QTest::newRow("cosine min middle") << "cosine" << 0.01 << 1 << qint64(50) << 0.055;
    QTest::newRow("cosine min end") << "cosine" << 0.01 << 2 << qint64(100) << 0.01;
}

void TestNnOptim::lrSchedules() {
    QFETCH(QString, kind);
    QFETCH(double, min_lr);
    QFETCH(int, epoch);
    QFETCH(qint64, step);
    QFETCH(double, expected);
    bp::optim::LrSchedule s;
    s.kind = kind.toStdString();
    s.base_lr = 0.1;
    s.gamma = 0.5;
    s.step_epochs = 2;
    s.min_lr = min_lr;
    s.total_steps = 100;
    const double got = s.lr_at(epoch, step);
    QVERIFY2(std::abs(got - expected) < 1e-12, qPrintable(QString("lr %1, expected %2").arg(got, 0, 'g', 17).arg(expected)));
}

void TestNnOptim::makeOptimizer_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("reported");
    QTest::addColumn<double>("after_one_step");  // w = 1, g = 0.5, lr = 0.1, momentum 0.9
    QTest::newRow("sgd") << "sgd" << "sgd" << 0.95;
    QTest::newRow("momentum") << "momentum" << "sgd" << 0.95;  // first step: buf = g
    QTest::newRow("nesterov") << "nesterov" << "sgd" << 0.905;
    QTest::newRow("adam") << "adam" << "adam" << 1 - 0.1 * 0.5 / (0.5 + 1e-8);
    QTest::newRow("adamw") << "adamw" << "adamw" << 1 - 0.1 * 0.5 / (0.5 + 1e-8);
}

void TestNnOptim::makeOptimizer() {
    QFETCH(QString, name);
    QFETCH(QString, reported);
    QFETCH(double, after_one_step);
    Tensor p = param({1}, {0.5});
    auto opt = bp::optim::make_optimizer(name.toStdString(), {p}, 0.1);
    QCOMPARE(QString::fromStdString(opt->name()), reported);
    QCOMPARE(opt->lr(), 0.1);
    opt->step();
    expect_near(p.to_vector(), {after_one_step}, 1e-14);
    opt->set_lr(0.02);
    QCOMPARE(opt->lr(), 0.02);
    QVERIFY_THROWS_EXCEPTION(bp::ConfigError, opt->set_lr(-1));
    QCOMPARE(opt->lr(), 0.02);
}

void TestNnOptim::makeOptimizerErrors_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<double>("lr");
    QTest::addColumn<QString>("needle");
    QTest::newRow("unknown name") << "rmsprop" << 0.01 << "rmsprop";
    QTest::newRow("empty name") << "" << 0.01 << "optimizer";
    QTest::newRow("lr 0") << "sgd" << 0.0 << "learning rate";
    QTest::newRow("lr negative") << "adam" << -1.0 << "learning rate";
    QTest::newRow("lr NaN") << "adam" << std::nan("") << "learning rate";
    QTest::newRow("lr too big") << "sgd" << 100.0 << "learning rate";
}

void TestNnOptim::makeOptimizerErrors() {
    QFETCH(QString, name);
    QFETCH(double, lr);
    QFETCH(QString, needle);
    Tensor p = param({1}, {0.5});
    const std::string msg = message_of<bp::ConfigError>([&] { bp::optim::make_optimizer(name.toStdString(), {p}, lr); });
    BP_VERIFY_CONTAINS(msg, needle.toStdString());
}

// clip_grad_norm: the global L2 norm over every gradient (float32 gradients of 37 and 1000 values, past its 32
// partial sums and their tail; one parameter without a gradient), computed in double; above max_norm every
// gradient is scaled by max_norm / (norm + 1e-6); a NaN gradient gives a NaN norm and leaves the gradients as they are.
void TestNnOptim::clipGradNormByHand() {
    auto param_with_grad = [](int64_t n, double scale) {
        std::vector<double> g(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) g[static_cast<size_t>(i)] = scale * ((i % 7) - 3) * 0.25;
        Tensor p = Tensor::zeros({n}).set_requires_grad(true);
        bp::sum(bp::mul(p, Tensor::from_vector({n}, g))).backward();  // p.grad() == g (exact in float32)
        return std::make_pair(p, g);
    };
    auto [a, ga] = param_with_grad(37, 1.0);
    auto [b, gb] = param_with_grad(1000, 3.0);
    Tensor no_grad = Tensor::zeros({5}).set_requires_grad(true);
    double sum2 = 0;
    for (const auto* g : {&ga, &gb})
        for (double v : *g) sum2 += v * v;
    const double want = std::sqrt(sum2);
    const std::vector<Tensor> params{a, no_grad, b};
    QVERIFY(std::abs(bp::train::clip_grad_norm(params, 0.0) - want) < 1e-12 * want);  // 0: no clipping
    QCOMPARE(a.grad().to_vector(), ga);
    QVERIFY(std::abs(bp::train::clip_grad_norm(params, 1e9) - want) < 1e-12 * want);  // below the limit
    QCOMPARE(b.grad().to_vector(), gb);
    QVERIFY(std::abs(bp::train::clip_grad_norm(params, 2.0) - want) < 1e-12 * want);  // clipped to norm 2
    const double s = 2.0 / (want + 1e-6);
    const std::vector<double> a2 = a.grad().to_vector(), b2 = b.grad().to_vector();
    for (size_t i = 0; i < ga.size(); ++i) QVERIFY(std::abs(a2[i] - ga[i] * s) < 1e-6);
    for (size_t i = 0; i < gb.size(); ++i) QVERIFY(std::abs(b2[i] - gb[i] * s) < 1e-6);
    QVERIFY(std::abs(bp::train::clip_grad_norm(params, 0.0) - 2.0) < 1e-5);
    // A NaN gradient: the norm is NaN and nothing is scaled.
    auto [c, gc] = param_with_grad(40, 1.0);
    c.grad().data<float>()[17] = std::nanf("");
    const double nan_norm = bp::train::clip_grad_norm({a, c}, 1.0);
    QVERIFY(std::isnan(nan_norm));
    QCOMPARE(a.grad().to_vector(), a2);
}

QTEST_APPLESS_MAIN(TestNnOptim)
#include "tst_nn_optim.moc"
