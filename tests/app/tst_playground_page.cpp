// tst_playground_page.cpp — the Playground page driven by real events (offscreen): Play brings frames whose
// decision boundary equals the engine's output for the frame's weights; the layer and neuron buttons change the
// network; clicks on the plane add points of your own; Save then Open gives the same state; a bad file is refused
// with a message naming it and the page keeps working.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fstream>
#include <qcustomplot.h>

#include "bp/playground/playground.h"
#include "core/page.h"
#include "decision_boundary_view.h"
#include "network_diagram.h"
#include "bp/train/stepper.h"
#include "graph_view.h"
#include "main_window.h"
#include "pages/backprop_page.h"
#include "pages/playground_page.h"
#include "panels/playground_controls.h"
#include "series_plot.h"

namespace pg = bp::playground;

class TestPlaygroundPage : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void playShowsTheEnginesBoundary();
    void layerAndNeuronButtonsChangeTheNetwork();
    void clicksAddPointsInDrawMode();
    void saveThenOpenGivesTheSameState();
    void badFileShowsAMessageAndThePageKeepsWorking();
    void stepThroughBackpropOpensTheNetworkInTheStepper();

private:
    /// Waits until a frame arrives for which `pred` holds (true) or 10 s pass (false).
    template <class Pred>
    bool waitForFrame(Pred pred, int ms = 10000) {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < ms) {
            if (m_page->framesShown() > 0 && pred(m_page->lastFrame())) return true;
            QTest::qWait(20);
        }
        return false;
    }
    /// Waits until no frame has come for 300 ms.
    void waitQuiet() {
        int last = -1;
        while (last != m_page->framesShown()) {
            last = m_page->framesShown();
            QTest::qWait(300);
        }
    }
    PlaygroundPage* m_page = nullptr;
};

void TestPlaygroundPage::init() {
    AppContext context;  // no settings: nothing remembered, the default state
    m_page = new PlaygroundPage(context);
    m_page->resize(1600, 950);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page));
    QVERIFY(waitForFrame([](const PlaygroundFrame& f) { return f.res > 0; }));
}

void TestPlaygroundPage::cleanup() {
    delete m_page;
    m_page = nullptr;
}

void TestPlaygroundPage::playShowsTheEnginesBoundary() {
    QCOMPARE(m_page->lastFrame().steps, 0);
    QTest::mouseClick(m_page->playButton(), Qt::LeftButton);
    QVERIFY(m_page->controller()->isPlaying());
    QCOMPARE(m_page->playButton()->text(), QStringLiteral("Pause"));
    const int before = m_page->framesShown();
    // several frames while it trains, each further on than the last
    qint64 lastSteps = -1;
    int rising = 0;
    QVERIFY(waitForFrame([&](const PlaygroundFrame& f) {
        if (f.steps > lastSteps) ++rising, lastSteps = f.steps;
        return m_page->framesShown() >= before + 4 && rising >= 3 && f.steps > 50;
    }));
    QTest::mouseClick(m_page->playButton(), Qt::LeftButton);
    QVERIFY(!m_page->controller()->isPlaying());
    waitQuiet();
    const PlaygroundFrame& f = m_page->lastFrame();
    // The boundary view shows exactly what the engine computes for the frame's weights.
    pg::Playground engine(f.config);
    engine.set_parameters(f.layerWeights, f.layerBiases);
    const pg::Grid g = engine.output_grid(f.res);
    QCOMPARE(m_page->boundaryView()->gridRes(), g.res);
    const QVector<float>& shown = m_page->boundaryView()->gridValues();
    QCOMPARE(shown.size(), static_cast<qsizetype>(g.values.size()));
    for (size_t i = 0; i < g.values.size(); ++i) QCOMPARE(shown[static_cast<qsizetype>(i)], g.values[i]);
    // and the points it shows are the engine's dataset
    QCOMPARE(m_page->boundaryView()->points().size(), static_cast<qsizetype>(engine.data().train.size() + engine.data().test.size()));
    QCOMPARE(m_page->diagram()->sizes(), (QVector<int>{2, 4, 2, 1}));
    QVERIFY(m_page->lossPlot()->graph(0)->dataCount() > 0);
    // Step trains one epoch more
    const double epoch = f.epoch;
    QTest::mouseClick(m_page->stepButton(), Qt::LeftButton);
    QVERIFY(waitForFrame([&](const PlaygroundFrame& x) { return x.epoch >= epoch + 0.99; }));
    // Space plays and pauses
    QApplication::setActiveWindow(m_page);
    m_page->diagram()->setFocus();
    QTest::keyClick(m_page->diagram(), Qt::Key_Space);
    QVERIFY(m_page->controller()->isPlaying());
    QTest::keyClick(m_page->diagram(), Qt::Key_Space);
    QVERIFY(!m_page->controller()->isPlaying());
    // Reset: back to the start
    QTest::mouseClick(m_page->resetButton(), Qt::LeftButton);
    QVERIFY(waitForFrame([](const PlaygroundFrame& x) { return x.steps == 0; }));
}

void TestPlaygroundPage::layerAndNeuronButtonsChangeTheNetwork() {
    PlaygroundControls* c = m_page->controls();
    QTest::mouseClick(c->addLayerButton(), Qt::LeftButton);
    QCOMPARE(c->config().hidden, (std::vector<int>{4, 2, 2}));
    QVERIFY(waitForFrame([](const PlaygroundFrame& f) { return f.sizes == QVector<int>{2, 4, 2, 2, 1}; }));
    QCOMPARE(m_page->diagram()->sizes(), (QVector<int>{2, 4, 2, 2, 1}));
    QCOMPARE(m_page->diagram()->nodeCount(), 11);
    QTest::mouseClick(c->removeLayerButton(), Qt::LeftButton);
    QTest::mouseClick(c->removeLayerButton(), Qt::LeftButton);
    QTest::mouseClick(c->addNeuronButton(0), Qt::LeftButton);
    QVERIFY(!c->addNeuronButton(1));
    QCOMPARE(c->config().hidden, (std::vector<int>{5}));
    QVERIFY(waitForFrame([](const PlaygroundFrame& f) { return f.sizes == QVector<int>{2, 5, 1}; }));
    QCOMPARE(static_cast<int>(m_page->lastFrame().layerWeights[0].size()), 10);
    // a deep, wide network: 8 layers of 32
    pg::Config big = c->config();
    while (big.hidden.size() < 8) QTest::mouseClick(c->addLayerButton(), Qt::LeftButton), big = c->config();
    for (int l = 0; l < 8; ++l)
        while (c->config().hidden[static_cast<size_t>(l)] < 32) QTest::mouseClick(c->addNeuronButton(l), Qt::LeftButton);
    QCOMPARE(c->config().hidden, std::vector<int>(8, 32));
    QVERIFY(waitForFrame([](const PlaygroundFrame& f) { return f.sizes.size() == 10 && f.sizes[8] == 32; }));
    QTest::mouseClick(m_page->playButton(), Qt::LeftButton);
    QVERIFY(waitForFrame([](const PlaygroundFrame& f) { return f.steps > 20 && f.sizes.size() == 10; }));
    QTest::mouseClick(m_page->playButton(), Qt::LeftButton);
    // hovering a neuron shows it large
    const QRectF node = m_page->diagram()->nodeRect(3, 5);
    QTest::mouseMove(m_page->diagram(), node.center().toPoint());
    QCOMPARE(m_page->diagram()->hoveredColumn(), 3);
    QCOMPARE(m_page->diagram()->hoveredIndex(), 5);
}

void TestPlaygroundPage::clicksAddPointsInDrawMode() {
    PlaygroundControls* c = m_page->controls();
    DecisionBoundaryView* view = m_page->boundaryView();
    QVERIFY(!view->drawMode());
    c->datasetCombo()->setCurrentIndex(c->datasetCombo()->findData(QStringLiteral("custom")));
    QVERIFY(view->drawMode());
    QVERIFY(waitForFrame([](const PlaygroundFrame& f) { return f.train.empty() && f.test.empty(); }));
    QTest::mouseClick(view, Qt::LeftButton, {}, view->toWidget(2, 3).toPoint());
    QTest::mouseClick(view, Qt::RightButton, {}, view->toWidget(-2, -3).toPoint());
    const auto& pts = c->config().data.user_points;
    QCOMPARE(static_cast<int>(pts.size()), 2);
    QCOMPARE(pts[0].label, 1);
    QCOMPARE(pts[1].label, 0);
    QVERIFY(std::abs(pts[0].x1 - 2) < 0.1 && std::abs(pts[0].x2 - 3) < 0.1);
    QVERIFY(std::abs(pts[1].x1 + 2) < 0.1 && std::abs(pts[1].x2 + 3) < 0.1);
    QVERIFY(waitForFrame([](const PlaygroundFrame& f) { return f.train.size() + f.test.size() == 2; }));
    // a drawn dataset trains: two clusters of clicks, blue top right, orange bottom left
    for (int i = 0; i < 12; ++i) {
        QTest::mouseClick(view, Qt::LeftButton, {}, view->toWidget(2 + 0.2 * (i % 4), 2 + 0.3 * (i / 4)).toPoint());
        QTest::mouseClick(view, Qt::RightButton, {}, view->toWidget(-2 - 0.2 * (i % 4), -2 - 0.3 * (i / 4)).toPoint());
    }
    QCOMPARE(static_cast<int>(c->config().data.user_points.size()), 26);
    QTest::mouseClick(m_page->playButton(), Qt::LeftButton);
    QVERIFY(waitForFrame([](const PlaygroundFrame& f) { return f.steps > 100 && f.metrics.train_accuracy == 1.0; }, 20000));
    QTest::mouseClick(m_page->playButton(), Qt::LeftButton);
}

void TestPlaygroundPage::saveThenOpenGivesTheSameState() {
    PlaygroundControls* c = m_page->controls();
    c->datasetCombo()->setCurrentIndex(c->datasetCombo()->findData(QStringLiteral("spiral")));
    QTest::mouseClick(c->addLayerButton(), Qt::LeftButton);
    QTest::mouseClick(c->featureBox(5), Qt::LeftButton);  // sin x1
    c->lrSpin()->setValue(0.01);
    c->optimizerCombo()->setCurrentIndex(c->optimizerCombo()->findData(QStringLiteral("adam")));
    QTest::mouseClick(c->regenerateButton(), Qt::LeftButton);
    const pg::Config saved = c->config();
    QCOMPARE(saved.data.kind, pg::DatasetKind::spiral);
    QCOMPARE(saved.features, static_cast<unsigned>(pg::x1 | pg::x2 | pg::sin_x1));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("demo.json"));
    QVERIFY(m_page->saveState(path));
    // change everything, then open
    c->datasetCombo()->setCurrentIndex(c->datasetCombo()->findData(QStringLiteral("xor")));
    QTest::mouseClick(c->removeLayerButton(), Qt::LeftButton);
    c->batchSpin()->setValue(50);
    QVERIFY(!(c->config() == saved));
    QVERIFY(m_page->openState(path));
    QVERIFY(c->config() == saved);
    QCOMPARE(c->datasetCombo()->currentData().toString(), QStringLiteral("spiral"));
    QVERIFY(waitForFrame([&](const PlaygroundFrame& f) { return f.config == saved && f.steps == 0; }));
}

void TestPlaygroundPage::badFileShowsAMessageAndThePageKeepsWorking() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("broken.json"));
    {
        std::ofstream f(path.toStdString());
        f << "{\"format\": \"backprop-studio playground\", \"version\": 1, \"data\": {";
    }
    const pg::Config before = m_page->controls()->config();
    QVERIFY(!m_page->openState(path));
    QVERIFY(m_page->messageLabel()->isVisible());
    QVERIFY2(m_page->messageLabel()->text().contains(QStringLiteral("broken.json")), qPrintable(m_page->messageLabel()->text()));
    QVERIFY(m_page->controls()->config() == before);
    QVERIFY(!m_page->openState(dir.filePath(QStringLiteral("missing.json"))));
    QVERIFY(m_page->messageLabel()->text().contains(QStringLiteral("missing.json")));
    QTest::mouseClick(m_page->playButton(), Qt::LeftButton);
    QVERIFY(waitForFrame([](const PlaygroundFrame& f) { return f.steps > 10; }));
    QTest::mouseClick(m_page->playButton(), Qt::LeftButton);
}

// "Step through backprop" in the main window: training pauses, the Backprop page opens with the network shown on the
// plane (its weights, its layers) and one mini-batch of its training points, and the stepper runs its backward pass.
void TestPlaygroundPage::stepThroughBackpropOpensTheNetworkInTheStepper() {
    MainWindow window{AppContext{}};
    window.resize(1600, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.showPage(QStringLiteral("playground")));
    auto* page = qobject_cast<PlaygroundPage*>(window.page(QStringLiteral("playground")));
    QVERIFY(page);
    QElapsedTimer t;
    t.start();
    while (page->framesShown() == 0 && t.elapsed() < 10000) QTest::qWait(20);
    QTest::mouseClick(page->playButton(), Qt::LeftButton);
    t.restart();
    while (page->lastFrame().steps < 30 && t.elapsed() < 10000) QTest::qWait(20);
    QVERIFY(page->lastFrame().steps >= 30);

    QTest::mouseClick(page->backpropButton(), Qt::LeftButton);
    QVERIFY(!page->controller()->isPlaying());
    QCOMPARE(window.currentPageId(), QStringLiteral("backprop"));
    auto* backprop = qobject_cast<BackpropPage*>(window.page(QStringLiteral("backprop")));
    QVERIFY(backprop && backprop->session());
    const PlaygroundFrame& f = page->lastFrame();
    bp::train::StepperSession* s = backprop->session();
    QCOMPARE(s->example(), std::string("playground"));
    QVERIFY2(backprop->exampleCombo()->currentText().startsWith(QStringLiteral("Playground 4-2 tanh, batch of 10")),
             qPrintable(backprop->exampleCombo()->currentText()));
    // The stepper's parameters are the frame's weights, layer by layer.
    const auto params = s->parameters();
    QCOMPARE(params.size(), f.layerWeights.size() * 2);
    for (size_t l = 0; l < f.layerWeights.size(); ++l) {
        const std::vector<double> w = params[2 * l].second.to_vector();
        QCOMPARE(w.size(), f.layerWeights[l].size());
        for (size_t i = 0; i < w.size(); ++i) QCOMPARE(w[i], static_cast<double>(f.layerWeights[l][i]));
    }
    // Its batch is the first ten training points; its graph has one linear per layer and the loss at the end.
    QCOMPARE(s->inputs().shape(), (bp::Shape{10, 2}));
    QCOMPARE(s->inputs().to_vector()[0], f.train[0].x1);
    int linears = 0;
    for (const auto& n : s->nodes()) linears += n.op == "linear";
    QCOMPARE(linears, 3);
    QVERIFY(backprop->graph()->nodeCount() > 0);
    // The stepper runs through it: every node's gradient passes its finite-difference check.
    backprop->runToEnd();  // the forward pass
    backprop->runToEnd();  // the backward pass
    QVERIFY(s->backward_done());
    for (size_t id = 0; id < s->nodes().size(); ++id) QVERIFY(s->grad(id) && s->grad(id)->max_diff < 1e-6);
    // Choosing another example and coming back rebuilds the playground network from the frame.
    QVERIFY(backprop->setExample(QStringLiteral("xor")));
    QVERIFY(backprop->setExample(QStringLiteral("playground")));
    QCOMPARE(backprop->session()->parameters()[0].second.to_vector(), params[0].second.to_vector());
}

QTEST_MAIN(TestPlaygroundPage)
#include "tst_playground_page.moc"
