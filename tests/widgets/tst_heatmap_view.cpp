// tst_heatmap_view.cpp — HeatmapView takes a row-major matrix: a mouse click on a cell emits that cell's
// row and column, the row-normalised view divides by the row sums, the tooltip names the cell, and an
// empty matrix draws without cells.
#include <QSignalSpy>
#include <QtTest>

#include "heatmap_view.h"

class TestHeatmapView : public QObject {
    Q_OBJECT
private slots:
    void clickEmitsRowAndColumn_data() {
        QTest::addColumn<int>("row");
        QTest::addColumn<int>("col");
        QTest::newRow("diagonal") << 1 << 1;
        QTest::newRow("top right") << 0 << 2;
        QTest::newRow("bottom left") << 2 << 0;
        QTest::newRow("off diagonal") << 1 << 2;
    }
    void clickEmitsRowAndColumn() {
        QFETCH(int, row);
        QFETCH(int, col);
        HeatmapView view;
        view.resize(500, 420);
        view.setMatrix(3, 3, {5, 1, 0, 0, 7, 2, 1, 0, 9}, {"a", "b", "c"}, {"a", "b", "c"});
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy clicked(&view, &HeatmapView::cellClicked);
        const QRect cell = view.cellRect(row, col);
        QVERIFY(!cell.isEmpty());
        QTest::mouseClick(&view, Qt::LeftButton, {}, cell.center());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.at(0).at(0).toInt(), row);
        QCOMPARE(clicked.at(0).at(1).toInt(), col);
    }

    void clickOutsideTheGridEmitsNothing() {
        HeatmapView view;
        view.resize(500, 420);
        view.setMatrix(2, 2, {1, 2, 3, 4}, {"x", "y"}, {"x", "y"});
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy clicked(&view, &HeatmapView::cellClicked);
        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(2, 2));
        QCOMPARE(clicked.count(), 0);
    }

    void normalisedValuesDivideByRowSums() {
        HeatmapView view;
        // Row sums: 6, 9, 10.
        view.setMatrix(3, 3, {5, 1, 0, 0, 7, 2, 1, 0, 9}, {}, {});
        QCOMPARE(view.shownValue(0, 0), 5.0);
        QSignalSpy changed(&view, &HeatmapView::normalizedChanged);
        view.setNormalized(true);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(view.shownValue(0, 0), 5.0 / 6.0);
        QCOMPARE(view.shownValue(1, 2), 2.0 / 9.0);
        QCOMPARE(view.shownValue(2, 2), 0.9);
        QCOMPARE(view.value(2, 2), 9.0);  // the raw value is kept
        double rowSum = 0;
        for (int c = 0; c < 3; ++c) rowSum += view.shownValue(1, c);
        QCOMPARE(rowSum, 1.0);
        // A row without samples shows zeros, not NaN.
        view.setMatrix(2, 2, {0, 0, 3, 1}, {}, {});
        QCOMPARE(view.shownValue(0, 1), 0.0);
        QCOMPARE(view.shownValue(1, 0), 0.75);
    }

    void tooltipNamesTheCell() {
        HeatmapView view;
        view.setMatrix(2, 2, {8, 2, 1, 9}, {"cat", "dog"}, {"cat", "dog"});
        const QString tip = view.cellToolTip(0, 1);
        QVERIFY2(tip.contains("cat") && tip.contains("dog") && tip.contains("<b>2</b>") && tip.contains("20.0 %"),
                 qPrintable(tip));
    }

    void emptyMatrixHasNoCells() {
        HeatmapView view;
        view.resize(300, 300);
        QVERIFY(view.cellRect(0, 0).isEmpty());
        QImage image(view.size(), QImage::Format_ARGB32);
        view.render(&image);  // must not crash
        QCOMPARE(view.rows(), 0);
    }
};

QTEST_MAIN(TestHeatmapView)
#include "tst_heatmap_view.moc"
