// tst_drawing_pad.cpp — DrawingPad driven by QTest mouse and key events: a stroke leaves ink along its
// path and nowhere far from it, imageChanged is coalesced to one per frame while drawing and sent once at
// the end, undo (Ctrl+Z) removes exactly the last stroke, clear removes all.
#include <QSignalSpy>
#include <QtTest>

#include "drawing_pad.h"

namespace {
int inkAt(const QImage& img, QPointF canvas) { return qGray(img.pixel(canvas.toPoint())); }
int totalInk(const QImage& img) {
    qint64 sum = 0;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) sum += qGray(img.pixel(x, y));
    return static_cast<int>(sum / 255);
}
}  // namespace

class TestDrawingPad : public QObject {
    Q_OBJECT
private slots:
    void strokeLeavesInkWhereDrawn() {
        DrawingPad pad;
        pad.resize(400, 400);
        pad.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pad));
        QSignalSpy changed(&pad, &DrawingPad::imageChanged);
        QCOMPARE(totalInk(pad.image()), 0);

        // A horizontal stroke across the middle, from 25 % to 75 % of the width.
        const QPoint a(100, 200), b(300, 200);
        QTest::mousePress(&pad, Qt::LeftButton, {}, a);
        for (int x = a.x(); x <= b.x(); x += 10) QTest::mouseMove(&pad, QPoint(x, 200));
        QTest::mouseRelease(&pad, Qt::LeftButton, {}, b);
        QCOMPARE(pad.strokeCount(), 1);
        QVERIFY(changed.count() >= 1);  // the final picture is sent right away on release

        const QImage img = changed.last().at(0).value<QImage>();
        QCOMPARE(img.size(), QSize(pad.canvasSize(), pad.canvasSize()));
        for (int x : {100, 150, 200, 250, 300})
            QVERIFY2(inkAt(img, pad.toCanvas(QPointF(x, 200))) > 200, qPrintable(QString::number(x)));
        // Within the brush's radius above and below, and not beyond it.
        const double radius = pad.brushWidth() / 2;
        const QPointF mid = pad.toCanvas(QPointF(200, 200));
        QVERIFY(inkAt(img, mid + QPointF(0, radius * 0.6)) > 200);
        QCOMPARE(inkAt(img, mid + QPointF(0, radius + 3)), 0);
        QCOMPARE(inkAt(img, pad.toCanvas(QPointF(50, 50))), 0);
        QCOMPARE(inkAt(img, pad.toCanvas(QPointF(200, 350))), 0);
        // Anti-aliased: the edge has grey levels between ink and background.
        bool grey = false;
        for (double dy = radius - 2; dy <= radius + 1; dy += 0.5) {
            const int v = inkAt(img, mid + QPointF(0, dy));
            grey |= v > 0 && v < 255;
        }
        QVERIFY(grey);
    }

    void imageChangedIsCoalescedToFrames() {
        DrawingPad pad;
        pad.resize(300, 300);
        pad.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pad));
        QSignalSpy changed(&pad, &DrawingPad::imageChanged);
        QTest::mousePress(&pad, Qt::LeftButton, {}, QPoint(50, 50));
        for (int i = 0; i < 100; ++i) QTest::mouseMove(&pad, QPoint(50 + i * 2, 50 + i));  // within one frame
        QCOMPARE(changed.count(), 0);  // nothing yet: the frame timer has not fired
        QTRY_COMPARE(changed.count(), 1);
        QTest::mouseRelease(&pad, Qt::LeftButton, {}, QPoint(250, 150));
        QCOMPARE(changed.count(), 2);
    }

    void undoRemovesTheLastStrokeOnly() {
        DrawingPad pad;
        pad.resize(400, 400);
        pad.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pad));
        auto stroke = [&](QPoint from, QPoint to) {
            QTest::mousePress(&pad, Qt::LeftButton, {}, from);
            QTest::mouseMove(&pad, (from + to) / 2);
            QTest::mouseRelease(&pad, Qt::LeftButton, {}, to);
        };
        stroke(QPoint(80, 100), QPoint(320, 100));
        const int firstInk = totalInk(pad.image());
        stroke(QPoint(200, 150), QPoint(200, 350));
        QCOMPARE(pad.strokeCount(), 2);
        QVERIFY(inkAt(pad.image(), pad.toCanvas(QPointF(200, 300))) > 200);

        QSignalSpy changed(&pad, &DrawingPad::imageChanged);
        pad.setFocus();
        QTest::keyClick(&pad, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(pad.strokeCount(), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(inkAt(pad.image(), pad.toCanvas(QPointF(200, 300))), 0);     // the vertical stroke is gone
        QVERIFY(inkAt(pad.image(), pad.toCanvas(QPointF(200, 100))) > 200);  // the first one stays
        QCOMPARE(totalInk(pad.image()), firstInk);

        pad.undo();
        QCOMPARE(pad.strokeCount(), 0);
        QCOMPARE(totalInk(pad.image()), 0);
        pad.undo();  // nothing left: no change, no signal
        QCOMPARE(changed.count(), 2);

        stroke(QPoint(80, 100), QPoint(320, 100));
        pad.clear();
        QCOMPARE(totalInk(pad.image()), 0);
    }

    void programmaticStrokesMatchMouseStrokes() {
        DrawingPad pad;
        pad.resize(280, 280);  // one widget pixel per canvas pixel
        pad.addStroke({{40, 140}, {240, 140}});
        QCOMPARE(pad.strokeCount(), 1);
        QVERIFY(inkAt(pad.image(), QPointF(140, 140)) > 200);
        QCOMPARE(inkAt(pad.image(), QPointF(140, 40)), 0);
    }
};

QTEST_MAIN(TestDrawingPad)
#include "tst_drawing_pad.moc"
