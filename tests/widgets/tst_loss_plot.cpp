// tst_loss_plot.cpp — LossPlot takes plain data: what goes in is exactly what the graphs hold, the moving
// average matches a hand computation, markers and the epoch series appear, and savePng honours the size.
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>
#include <qcustomplot.h>

#include "loss_plot.h"

namespace {
QVector<double> keys(QCPGraph* g) {
    QVector<double> out;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) out << it->key;
    return out;
}
QVector<double> values(QCPGraph* g) {
    QVector<double> out;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) out << it->value;
    return out;
}
}  // namespace

class TestLossPlot : public QObject {
    Q_OBJECT
private slots:
    void appendedDataIsStoredExactly() {
        LossPlot plot;
        plot.appendBatchLoss({1, 2, 3}, {2.30, 2.10, 1.95});
        plot.appendBatchLoss({4, 5}, {1.80, 1.70});
        QCOMPARE(keys(plot.rawGraph()), (QVector<double>{1, 2, 3, 4, 5}));
        QCOMPARE(values(plot.rawGraph()), (QVector<double>{2.30, 2.10, 1.95, 1.80, 1.70}));
        QCOMPARE(plot.smoothedGraph()->dataCount(), 5);
    }

    void smoothingMatchesHandComputation() {
        // β = 0.5: s0 = 4; s1 = 0.5·4 + 0.5·0 = 2; s2 = 0.5·2 + 0.5·2 = 2; s3 = 0.5·2 + 0.5·6 = 4.
        LossPlot plot;
        plot.setSmoothing(0.5);
        plot.appendBatchLoss({1, 2}, {4, 0});
        plot.appendBatchLoss({3, 4}, {2, 6});  // the average carries across bulk appends
        QCOMPARE(values(plot.smoothedGraph()), (QVector<double>{4, 2, 2, 4}));

        // Changing β recomputes the whole line from the raw data: β = 0 is the raw loss itself.
        plot.setSmoothing(0.0);
        QCOMPARE(values(plot.smoothedGraph()), (QVector<double>{4, 0, 2, 6}));
    }

    void epochPointsAndMarkers() {
        LossPlot plot;
        plot.appendBatchLoss({1, 2, 3, 4}, {2, 1.5, 1.2, 1.0});
        plot.appendEpochPoint(4, 0.9);
        QCOMPARE(keys(plot.testGraph()), (QVector<double>{4}));
        QCOMPARE(values(plot.testGraph()), (QVector<double>{0.9}));

        QCOMPARE(plot.markerCount(), 0);
        const int itemsBefore = plot.plot()->itemCount();
        plot.markEvent(3, QStringLiteral("lr 0.0005"));
        QCOMPARE(plot.markerCount(), 1);
        QVERIFY(plot.plot()->itemCount() > itemsBefore);
        bool foundLine = false, foundLabel = false;
        for (int i = 0; i < plot.plot()->itemCount(); ++i) {
            if (auto* line = qobject_cast<QCPItemStraightLine*>(plot.plot()->item(i)))
                foundLine = qFuzzyCompare(line->point1->coords().x(), 3.0) && qFuzzyCompare(line->point2->coords().x(), 3.0);
            if (auto* text = qobject_cast<QCPItemText*>(plot.plot()->item(i))) foundLabel = text->text() == "lr 0.0005";
        }
        QVERIFY(foundLine);
        QVERIFY(foundLabel);

        plot.clear();
        QCOMPARE(plot.rawGraph()->dataCount(), 0);
        QCOMPARE(plot.smoothedGraph()->dataCount(), 0);
        QCOMPARE(plot.testGraph()->dataCount(), 0);
        QCOMPARE(plot.markerCount(), 0);
        QCOMPARE(plot.plot()->itemCount(), 0);
    }

    void axesAreLabelledAndRobust() {
        LossPlot plot;
        QCOMPARE(plot.plot()->xAxis->label(), QStringLiteral("step"));
        QCOMPARE(plot.plot()->yAxis->label(), QStringLiteral("loss"));
        QVERIFY(plot.plot()->legend->visible());

        // Two huge first losses, then values near 1: the y range follows the bulk, not the spike.
        QVector<double> steps, losses;
        for (int i = 1; i <= 100; ++i) {
            steps << i;
            losses << (i <= 2 ? 50.0 : 1.0 + 0.001 * (100 - i));
        }
        plot.appendBatchLoss(steps, losses);
        const QCPRange y = plot.plot()->yAxis->range();
        QCOMPARE(y.lower, 0.0);
        QVERIFY2(y.upper > 1.09 && y.upper < 2.0, qPrintable(QString::number(y.upper)));

        plot.setExpectedSteps(500);
        QVERIFY(plot.plot()->xAxis->range().upper >= 500);

        plot.setLogScale(true);
        QCOMPARE(plot.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(plot.plot()->yAxis->range().lower > 0);
    }

    void logCheckBoxTogglesScale() {
        LossPlot plot;
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        auto* box = plot.findChild<QCheckBox*>();
        QVERIFY(box);
        QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(8, box->height() / 2));
        QVERIFY(plot.logScale());
        QCOMPARE(plot.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    }

    void savePngWritesRequestedSize() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        LossPlot plot;
        plot.appendBatchLoss({1, 2, 3}, {2.3, 1.1, 0.7});
        plot.appendEpochPoint(3, 0.8);
        const QString path = dir.filePath(QStringLiteral("loss.png"));
        QVERIFY(plot.savePng(path, 640, 360));
        const QImage image(path);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(640, 360));
    }
};

QTEST_MAIN(TestLossPlot)
#include "tst_loss_plot.moc"
