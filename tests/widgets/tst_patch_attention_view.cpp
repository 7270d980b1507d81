// tst_patch_attention_view.cpp — PatchAttentionView: the heat over each patch follows its weight relative to the
// map's largest (painted and reported), the grid cells tile the picture, and bad weights are refused with a message.
#include <QtTest>
#include <cmath>

#include "patch_attention_view.h"

class TestPatchAttentionView : public QObject {
    Q_OBJECT
private slots:
    void heatFollowsTheWeights() {
        PatchAttentionView view;
        view.resize(300, 330);
        view.setTitle(QStringLiteral("head 1"));
        QImage black(28, 28, QImage::Format_Grayscale8);
        black.fill(0);
        view.setImage(black);
        QVector<double> w(49, 0.0);
        w[3 * 7 + 4] = 0.6;  // row 3, column 4: the strongest
        w[0] = 0.3;
        w[6 * 7 + 6] = 0.1;
        QString error;
        QVERIFY2(view.setWeights(7, 7, w, &error), qPrintable(error));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.intensity(3, 4), 1.0);
        QCOMPARE(view.intensity(0, 0), 0.5);
        QCOMPARE(view.intensity(1, 1), 0.0);
        const QImage img = view.grab().toImage();
        auto at = [&](int r, int c) { return img.pixelColor(view.patchRect(r, c).center()); };
        QVERIFY(at(3, 4).red() > 200);           // strong heat over a black picture
        QVERIFY(at(0, 0).red() > 60);
        QVERIFY(at(0, 0).red() < at(3, 4).red());
        QCOMPARE(at(1, 1).red(), 0);             // no weight: the black picture shows through
        // The cells tile the picture.
        QCOMPARE(view.patchRect(0, 0).topLeft(), view.imageRect().topLeft());
        QCOMPARE(view.patchRect(6, 6).bottomRight(), view.imageRect().bottomRight());
    }

    void badWeightsAreRefused_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<QVector<double>>("values");
        QTest::addColumn<QString>("expected");
        QTest::newRow("wrong count") << 7 << QVector<double>(48, 0.1) << "needs 49 weights";
        QTest::newRow("negative") << 1 << QVector<double>{-1, 1, 1, 1, 1, 1, 1} << "weight 0";
        QTest::newRow("infinite") << 1 << QVector<double>{1, 1, INFINITY, 1, 1, 1, 1} << "finite";
        QTest::newRow("no rows") << 0 << QVector<double>{} << "at least one";
    }
    void badWeightsAreRefused() {
        QFETCH(int, rows);
        QFETCH(QVector<double>, values);
        QFETCH(QString, expected);
        PatchAttentionView view;
        QVERIFY(view.setWeights(1, 2, {0.25, 0.75}));
        QString error;
        QVERIFY(!view.setWeights(rows, 7, values, &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
        QCOMPARE(view.gridCols(), 2);
        QCOMPARE(view.intensity(0, 1), 1.0);
    }
};

QTEST_MAIN(TestPatchAttentionView)
#include "tst_patch_attention_view.moc"
