// tst_playground.cpp — the 2-D playground's engine: datasets (shapes, labels, ranges, determinism), features,
// that it learns XOR, the circle and the spiral on the real engine, and its JSON state (round trip, bad files).
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fstream>

#include "bp/errors.h"
#include "bp/playground/playground.h"
#include "bp/playground/playground_file.h"
#include "bp/playground/playground_stepper.h"
#include "bp/train/stepper.h"

using namespace bp::playground;

class TestPlayground : public QObject {
    Q_OBJECT
private slots:
    void datasets_data();
    void datasets();
    void customPointsKeepTheirSplit();
    void features();
    void noPointsYetIsNotAnError();
    void learnsXorWithOneHiddenLayerOfFour();
    void learnsCircleWithSquaresAndNoHiddenLayer();
    void learnsSpiral();
    void deepAndWideNetworkTrains();
    void gridsMatchPredict();
    void applyKeepsOrRebuildsTheNetwork();
    void stateRoundTrip();
    void badStateRefused_data();
    void badStateRefused();
    void stepperRunsThePlaygroundsOwnStep();
};

namespace {
Metrics trainFor(Playground& p, int epochs) {
    for (int e = 0; e < epochs; ++e) p.train_epoch();
    return p.evaluate();
}
}  // namespace

void TestPlayground::datasets_data() {
    QTest::addColumn<QString>("kind");
    for (const char* k : {"circle", "xor", "gaussians", "spiral"}) QTest::newRow(k) << QString(k);
}

void TestPlayground::datasets() {
    QFETCH(QString, kind);
    DataConfig c;
    c.kind = dataset_from_string(kind.toStdString());
    c.seed = 5;
    c.noise = 0.1;
    c.train_ratio = 0.6;
    const Split s = make_dataset(c);
    QCOMPARE(static_cast<int>(s.train.size()), 300);
    QCOMPARE(static_cast<int>(s.test.size()), 200);
    int ones = 0;
    for (const auto* set : {&s.train, &s.test})
        for (const Point& p : *set) {
            QVERIFY(p.label == 0 || p.label == 1);
            QVERIFY(std::abs(p.x1) <= plane_extent && std::abs(p.x2) <= plane_extent);
            ones += p.label;
        }
    QVERIFY2(ones >= 200 && ones <= 300, qPrintable(QString::number(ones)));  // balanced classes
    const Split again = make_dataset(c);
    QVERIFY(again.train == s.train && again.test == s.test);
    c.seed = 6;
    QVERIFY(!(make_dataset(c).train == s.train));
    if (kind == "circle") {  // noise 0: class 1 inside radius 2.5, class 0 outside 3.5
        c.noise = 0;
        for (const Point& p : make_dataset(c).train) {
            const double r = std::hypot(p.x1, p.x2);
            QVERIFY(p.label == 1 ? r <= 2.5 + 1e-9 : r >= 3.5 - 1e-9);
        }
    }
    if (kind == "xor") {
        c.noise = 0;
        for (const Point& p : make_dataset(c).train) QCOMPARE(p.label, p.x1 * p.x2 >= 0 ? 1 : 0);
    }
}

void TestPlayground::customPointsKeepTheirSplit() {
    DataConfig c;
    c.kind = DatasetKind::custom;
    for (int i = 0; i < 40; ++i) c.user_points.push_back({i * 0.1, -i * 0.1, i % 2});
    const Split a = make_dataset(c);
    QCOMPARE(static_cast<int>(a.train.size() + a.test.size()), 40);
    QVERIFY(!a.train.empty() && !a.test.empty());
    c.user_points.push_back({1, 1, 1});
    const Split b = make_dataset(c);
    QCOMPARE(static_cast<int>(b.train.size() + b.test.size()), 41);
    // the first 40 points stay where they were
    QVERIFY(std::equal(a.train.begin(), a.train.end(), b.train.begin()));
    QVERIFY(std::equal(a.test.begin(), a.test.end(), b.test.begin()));
}

void TestPlayground::features() {
    const std::vector<double> all = features_of(2, 3, 127);
    const std::vector<double> want = {2, 3, 4, 9, 6, std::sin(2.0), std::sin(3.0)};
    QCOMPARE(all.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) QCOMPARE(all[i], want[i]);
    QCOMPARE(features_of(2, 3, x1_sq | x1_x2), (std::vector<double>{4, 6}));
    QCOMPARE(feature_dims(x1 | sin_x2 | x2_sq), 3);
    QCOMPARE(feature_from_string("sin(x2)"), static_cast<unsigned>(sin_x2));
    QVERIFY_THROWS_EXCEPTION(bp::ConfigError, feature_from_string("cos(x1)"));
}

void TestPlayground::noPointsYetIsNotAnError() {
    Config c;
    c.data.kind = DatasetKind::custom;
    Playground p(c);
    QCOMPARE(p.train_batches(5), 0);
    p.train_epoch();
    const Metrics m = p.evaluate();
    QVERIFY(std::isnan(m.train_loss) && std::isnan(m.test_loss));
    QCOMPARE(p.output_grid(4).values.size(), size_t(16));
    c.data.user_points = {{1, 1, 1}, {-1, -1, 0}, {1, -1, 1}, {-1, 1, 0}};
    p.apply(c);
    QVERIFY(p.data().train.size() + p.data().test.size() == 4);
}

void TestPlayground::learnsXorWithOneHiddenLayerOfFour() {
    Config c;
    c.data.kind = DatasetKind::xor_;
    c.hidden = {4};
    c.activation = bp::nn::Activation::tanh;
    c.optimizer = "adam";
    c.lr = 0.03;
    Playground p(c);
    QCOMPARE(p.layer_sizes(), (std::vector<int>{2, 4, 2}));
    const Metrics before = p.evaluate();
    const Metrics m = trainFor(p, 150);
    qInfo("XOR, 1 hidden layer of 4: test accuracy %.3f (train %.3f), test loss %.3f -> %.3f", m.test_accuracy,
          m.train_accuracy, before.test_loss, m.test_loss);
    QVERIFY2(m.test_accuracy >= 0.95, qPrintable(QString::number(m.test_accuracy)));
    QVERIFY(m.test_loss < before.test_loss);
}

void TestPlayground::learnsCircleWithSquaresAndNoHiddenLayer() {
    Config c;
    c.data.kind = DatasetKind::circle;
    c.features = x1_sq | x2_sq;
    c.hidden = {};
    c.lr = 0.03;
    Playground p(c);
    QCOMPARE(p.layer_sizes(), (std::vector<int>{2, 2}));
    const Metrics m = trainFor(p, 100);
    qInfo("circle, x1^2 and x2^2, no hidden layer: test accuracy %.3f (train %.3f)", m.test_accuracy, m.train_accuracy);
    QVERIFY2(m.test_accuracy >= 0.95, qPrintable(QString::number(m.test_accuracy)));
    // and the plain inputs cannot: a line does not separate a disc from a ring
    c.features = x1 | x2;
    Playground lin(c);
    const Metrics ml = trainFor(lin, 100);
    qInfo("circle, x1 and x2, no hidden layer: test accuracy %.3f", ml.test_accuracy);
    QVERIFY(ml.test_accuracy < 0.8);
}

void TestPlayground::learnsSpiral() {
    Config c;
    c.data.kind = DatasetKind::spiral;
    c.data.train_ratio = 0.5;
    c.features = x1 | x2 | sin_x1 | sin_x2;
    c.hidden = {16, 16, 16};
    c.activation = bp::nn::Activation::tanh;
    c.optimizer = "adam";
    c.lr = 0.01;
    c.batch_size = 10;
    Playground p(c);
    const Metrics m = trainFor(p, 400);
    qInfo("spiral, sin features, 3 hidden layers of 16: test accuracy %.3f (train %.3f)", m.test_accuracy, m.train_accuracy);
    QVERIFY2(m.test_accuracy >= 0.95, qPrintable(QString::number(m.test_accuracy)));
}

void TestPlayground::deepAndWideNetworkTrains() {
    Config c;
    c.data.kind = DatasetKind::gaussians;
    c.hidden = std::vector<int>(8, 32);
    c.activation = bp::nn::Activation::relu;
    c.optimizer = "adam";
    c.lr = 0.003;
    c.l1 = 0.001;
    c.l2 = 0.001;
    Playground p(c);
    QCOMPARE(static_cast<int>(p.weights().size()), 9);
    const Metrics m = trainFor(p, 20);
    QVERIFY2(m.test_accuracy >= 0.95, qPrintable(QString::number(m.test_accuracy)));
    QCOMPARE(p.epoch(), 20);
}

void TestPlayground::gridsMatchPredict() {
    Config c;
    c.hidden = {3, 2};
    Playground p(c);
    p.train_batches(30);
    const Grid g = p.output_grid(7);
    QCOMPARE(g.res, 7);
    // cell (row 0, col 6) is the top right: x1 = 6 - 6/7, x2 = 6 - 6/7
    const double e = plane_extent - plane_extent / 7;
    QCOMPARE(g.values[6], static_cast<float>(p.predict({{e, e, 0}})[0]));
    const std::vector<Grid> nodes = p.node_grids(7);
    QCOMPARE(static_cast<int>(nodes.size()), 2 + 3 + 2 + 1);
    QCOMPARE(nodes[0].values[6], static_cast<float>(e));  // x1 at the top right
    for (size_t i = 0; i < g.values.size(); ++i) QVERIFY(std::abs(nodes.back().values[i] - g.values[i]) < 1e-6);
    // one hidden neuron by hand: tanh(w · x + b) of the first layer's neuron 0
    const auto w = p.weights(), b = p.biases();
    const double h = std::tanh(w[0][0] * e + w[0][1] * e + b[0][0]);
    QVERIFY(std::abs(nodes[2].values[6] - h) < 1e-5);
}

void TestPlayground::applyKeepsOrRebuildsTheNetwork() {
    Config c;
    Playground p(c);
    p.train_batches(20);
    const auto trained = p.weights();
    Config d = c;
    d.data.noise = 0.2;
    d.lr = 0.1;
    p.apply(d);
    QVERIFY(p.weights() == trained);  // data and lr changed: the network stays
    QCOMPARE(p.steps(), 20);
    d.hidden = {4, 4, 4};
    p.apply(d);
    QCOMPARE(p.layer_sizes(), (std::vector<int>{2, 4, 4, 4, 2}));
    QCOMPARE(p.steps(), 0);
    Config bad = d;
    bad.hidden = {0};
    QVERIFY_THROWS_EXCEPTION(bp::ConfigError, p.apply(bad));
}

void TestPlayground::stateRoundTrip() {
    Config c;
    c.data.kind = DatasetKind::custom;
    c.data.seed = 42;
    c.data.noise = 0.35;
    c.data.train_ratio = 0.7;
    c.data.user_points = {{1.25, -3.5, 1}, {-0.1, 0.2, 0}};
    c.features = x1 | x1_x2 | sin_x2;
    c.hidden = {32, 32, 32, 32, 32, 32, 32, 32};
    c.activation = bp::nn::Activation::relu;
    c.lr = 0.003;
    c.batch_size = 25;
    c.l1 = 0.001;
    c.l2 = 0.0003;
    c.optimizer = "momentum";
    QTemporaryDir dir;
    const std::string path = dir.filePath("state.json").toStdString();
    save_config(path, c);
    const Config back = load_config(path);
    QVERIFY(back == c);
    QCOMPARE(config_to_json(back), config_to_json(c));
}

void TestPlayground::badStateRefused_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    Config c;
    const QString good = QString::fromStdString(config_to_json(c));
    QTest::newRow("truncated") << good.left(good.size() / 2) << "state.json";
    QTest::newRow("empty") << "" << "state.json";
    QTest::newRow("not a state") << "{\"a\": 1}" << "not a playground state";
    QTest::newRow("bad dataset") << QString(good).replace("\"circle\"", "\"moons\"") << "unknown dataset 'moons'";
    QTest::newRow("huge layer") << QString(good).replace(QRegularExpression("\"hidden\": \\[[^\\]]*\\]"), "\"hidden\": [100000]")
                                << "hidden layer's size";
    QTest::newRow("no features") << QString(good).replace(QRegularExpression("\"features\": \\[[^\\]]*\\]"), "\"features\": []")
                                 << "at least one input feature";
    QTest::newRow("bad optimizer") << QString(good).replace("\"sgd\"", "\"lbfgs\"") << "unknown optimizer";
    QTest::newRow("nan lr") << QString(good).replace("\"lr\": 0.03", "\"lr\": \"fast\"") << "lr";
}

void TestPlayground::badStateRefused() {
    QFETCH(QString, text);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const std::string path = dir.filePath("state.json").toStdString();
    {
        std::ofstream f(path, std::ios::binary);
        f << text.toStdString();
    }
    try {
        load_config(path);
        QFAIL("a bad state was accepted");
    } catch (const bp::DataError& e) {
        const QString got = QString::fromUtf8(e.what());
        QVERIFY2(got.contains("state.json") && got.contains(message), qPrintable(got));
    }
}

// "Step through backprop": the stepper's network is the playground's. Its loss on the whole training set is the
// playground's training loss, each node's gradient passes the finite-difference check, and one SGD update in the
// stepper lands on the same weights as the playground's own SGD step on that batch (the whole set, so the
// playground's shuffled order does not matter).
void TestPlayground::stepperRunsThePlaygroundsOwnStep() {
    Config c;
    c.data.kind = DatasetKind::xor_;
    c.data.count = 60;
    c.hidden = {5, 3};
    c.activation = bp::nn::Activation::tanh;
    c.optimizer = "sgd";
    c.lr = 0.3;
    c.batch_size = static_cast<int>(Playground(c).data().train.size());  // one batch an epoch: the whole set
    Playground pg(c);
    for (int e = 0; e < 5; ++e) pg.train_epoch();  // not the initial weights: something learned

    bp::train::StepperSession s(stepper_problem(pg));
    QCOMPARE(s.example(), std::string("playground"));
    QCOMPARE(s.inputs().shape(), (bp::Shape{c.batch_size, 2}));
    QVERIFY(std::abs(s.loss().item() - pg.evaluate().train_loss) < 1e-5);
    int linears = 0;
    for (const auto& n : s.nodes()) linears += n.op == "linear";
    QCOMPARE(linears, 3);
    QCOMPARE(s.nodes().back().op, std::string("cross_entropy"));

    while (s.step_backward()) {}
    QVERIFY(s.backward_done());
    for (size_t id = 0; id < s.nodes().size(); ++id) {
        const bp::train::StepGrad* g = s.grad(id);
        QVERIFY(g);
        QVERIFY2(g->max_diff < 1e-6, qPrintable(QString("node %1 %2: %3").arg(id).arg(QString::fromStdString(s.nodes()[id].op)).arg(g->max_diff)));
    }
    const auto changes = s.update();
    pg.train_batches(1);
    const auto w = pg.weights(), b = pg.biases();
    QCOMPARE(changes.size(), w.size() * 2);
    for (size_t l = 0; l < w.size(); ++l) {
        QCOMPARE(changes[2 * l].name, "W" + std::to_string(l + 1));
        for (size_t i = 0; i < w[l].size(); ++i) QVERIFY(std::abs(changes[2 * l].after[i] - w[l][i]) < 1e-5);
        for (size_t i = 0; i < b[l].size(); ++i) QVERIFY(std::abs(changes[2 * l + 1].after[i] - b[l][i]) < 1e-5);
    }

    Config empty = c;
    empty.data.kind = DatasetKind::custom;
    QVERIFY_THROWS_EXCEPTION(bp::ConfigError, stepper_problem(Playground(empty)));
}

QTEST_GUILESS_MAIN(TestPlayground)
#include "tst_playground.moc"
