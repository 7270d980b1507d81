// tst_backprop_page.cpp — the Backprop page driven with QTest clicks and keys: one graph node per op, the
// N-th Step backward click highlights the N-th node of the backward order and the detail panel names its op,
// Update moves every parameter by −lr·grad, arrows and Home step, go back and restart.
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QtTest>
#include <cmath>

#include "bp/tensor.h"
#include "bp/train/stepper.h"
#include "graph_view.h"
#include "pages/backprop_page.h"

class TestBackpropPage : public QObject {
    Q_OBJECT
private slots:
    void graphHasOneNodePerOp_data();
    void graphHasOneNodePerOp();
    void stepBackwardHighlightsBackwardOrder();
    void updateMovesParametersByLrTimesGrad();
    void keysStepBackAndRestart();
    void clickingANodeShowsIt();
};

void TestBackpropPage::graphHasOneNodePerOp_data() {
    QTest::addColumn<QString>("example");
    QTest::addColumn<int>("ops");
    QTest::newRow("neuron") << "neuron" << 3;
    QTest::newRow("xor") << "xor" << 5;
}

void TestBackpropPage::graphHasOneNodePerOp() {
    QFETCH(QString, example);
    QFETCH(int, ops);
    BackpropPage page{AppContext{}};
    QVERIFY(page.setExample(example));
    QCOMPARE(page.graph()->nodeCount(QStringLiteral("op")) + page.graph()->nodeCount(QStringLiteral("loss")), ops);
    QCOMPARE(static_cast<int>(page.session()->nodes().size()), ops);
    QCOMPARE(page.graph()->crossings(), 0);
    // Every op is one layer further right than what feeds it.
    for (const auto& e : page.graph()->edges()) QVERIFY(page.graph()->layerOf(e.from) < page.graph()->layerOf(e.to));
}

void TestBackpropPage::stepBackwardHighlightsBackwardOrder() {
    BackpropPage page{AppContext{}};
    page.resize(1200, 800);
    page.show();
    QVERIFY(page.setExample(QStringLiteral("xor")));
    const std::vector<size_t> order = page.session()->backward_order();
    const auto* title = page.findChild<QLabel*>(QStringLiteral("detailTitle"));
    QVERIFY(title);
    for (size_t n = 1; n <= order.size(); ++n) {
        QTest::mouseClick(page.stepBackwardButton(), Qt::LeftButton);
        const QString id = QStringLiteral("op%1").arg(order[n - 1]);
        QCOMPARE(page.graph()->current(), id);
        QCOMPARE(page.graph()->visited().size(), static_cast<qsizetype>(n));
        const QString op = QString::fromStdString(page.session()->nodes()[order[n - 1]].op);
        QCOMPARE(page.detailOpName(), op);
        QVERIFY2(title->text().contains(op), qPrintable(title->text()));
        // The numerical check is shown and passes for every input that needs a gradient.
        for (auto* d : page.findChildren<QLabel*>(QStringLiteral("maxDiff"))) QVERIFY2(d->text().contains(QChar(0x2713)), qPrintable(d->text()));
    }
    QVERIFY(!page.stepBackwardButton()->isEnabled());
}

void TestBackpropPage::updateMovesParametersByLrTimesGrad() {
    BackpropPage page{AppContext{}};
    QVERIFY(page.setExample(QStringLiteral("xor")));
    QTest::mouseClick(page.runButton(), Qt::LeftButton);  // forward
    QTest::mouseClick(page.runButton(), Qt::LeftButton);  // backward
    QVERIFY(page.session()->backward_done());
    std::vector<std::vector<double>> before, grads;
    for (const auto& [name, t] : page.session()->parameters()) {
        before.push_back(t.to_vector());
        grads.push_back(t.grad().to_vector());
    }
    QTest::mouseClick(page.updateButton(), Qt::LeftButton);
    const double lr = page.session()->learning_rate();
    QCOMPARE(lr, 0.5);
    const auto params = page.session()->parameters();
    int rows = 0;
    for (size_t i = 0; i < params.size(); ++i) {
        const auto after = params[i].second.to_vector();
        for (size_t k = 0; k < after.size(); ++k) {
            QVERIFY(std::abs(after[k] - (before[i][k] - lr * grads[i][k])) < 1e-15);
            // The table lists before, gradient and after for each entry.
            const QTableWidget* t = page.updateTable();
            QCOMPARE(t->item(rows, 2)->text().toDouble(), QString::number(before[i][k], 'g', 6).toDouble());
            QCOMPARE(t->item(rows, 4)->text().toDouble(), QString::number(after[k], 'g', 6).toDouble());
            ++rows;
        }
    }
    QCOMPARE(page.updateTable()->rowCount(), rows);
    QCOMPARE(page.session()->updates(), 1);
}

void TestBackpropPage::keysStepBackAndRestart() {
    BackpropPage page{AppContext{}};
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.activateWindow();
    page.setFocus();
    QVERIFY(page.setExample(QStringLiteral("neuron")));
    page.graph()->setFocus();
    QTest::keyClick(page.graph(), Qt::Key_Right);
    QTest::keyClick(page.graph(), Qt::Key_Right);
    QCOMPARE(page.session()->step_count(), size_t(2));
    QCOMPARE(page.graph()->current(), QStringLiteral("op1"));
    QTest::keyClick(page.graph(), Qt::Key_Left);
    QCOMPARE(page.session()->step_count(), size_t(1));
    QCOMPARE(page.graph()->current(), QStringLiteral("op0"));
    QTest::keyClick(page.graph(), Qt::Key_Home);
    QCOMPARE(page.session()->step_count(), size_t(0));
    QVERIFY(page.graph()->current().isEmpty());
}

void TestBackpropPage::clickingANodeShowsIt() {
    BackpropPage page{AppContext{}};
    page.resize(1200, 800);
    page.show();
    QVERIFY(page.setExample(QStringLiteral("xor")));
    QTest::mouseClick(page.runButton(), Qt::LeftButton);
    const QRectF r = page.graph()->nodeRect(QStringLiteral("op2"));
    QVERIFY(!r.isEmpty());
    QTest::mouseClick(page.graph(), Qt::LeftButton, {}, r.center().toPoint());
    QCOMPARE(page.selectedNode(), 2);
    QCOMPARE(page.detailOpName(), QStringLiteral("linear"));
}

QTEST_MAIN(TestBackpropPage)
#include "tst_backprop_page.moc"
