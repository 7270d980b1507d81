// tst_token_attention_view.cpp — TokenAttentionView: a mouse moved over a token in the text makes it the hovered
// token, and the other tokens are shaded (and painted) by that token's row of weights; a row of the matrix hovers
// its token too; only the last 64 tokens are drawn; bad data (wrong sizes, negative or NaN weights) is refused
// with a message and leaves the view as it was.
#include <QSignalSpy>
#include <QtTest>
#include <cmath>

#include "token_attention_view.h"

namespace {

// A causal 4-token attention: row i spreads over tokens 0..i.
const QVector<double> kCausal = {1.0, 0, 0, 0,  //
                                 0.3, 0.7, 0, 0,  //
                                 0.6, 0.1, 0.3, 0,  //
                                 0.1, 0.2, 0.3, 0.4};
const QStringList kTokens = {"T", "h", "e", " "};

double orangeness(const QImage& img, const QRect& r) {
    // Sample a pixel inside the box near its top-left corner (away from the glyph): red minus blue.
    const QColor c = img.pixelColor(r.left() + 2, r.top() + 2);
    return c.red() - c.blue();
}

}  // namespace

class TestTokenAttentionView : public QObject {
    Q_OBJECT
private slots:
    void hoverShadesByTheRow_data() {
        QTest::addColumn<int>("token");
        QTest::newRow("first") << 0;
        QTest::newRow("second") << 1;
        QTest::newRow("third") << 2;
        QTest::newRow("last") << 3;
    }
    void hoverShadesByTheRow() {
        QFETCH(int, token);
        TokenAttentionView view;
        view.resize(640, 560);
        QString error;
        QVERIFY2(view.setAttention(4, kCausal, kTokens, &error), qPrintable(error));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy hovered(&view, &TokenAttentionView::tokenHovered);
        const QRect box = view.tokenRect(token);
        QVERIFY(!box.isEmpty());
        QTest::mouseMove(&view, box.center());
        QTRY_COMPARE(view.hoveredToken(), token);
        QCOMPARE(hovered.count(), 1);
        QCOMPARE(hovered.at(0).at(0).toInt(), token);

        const QVector<double> row = view.rowWeights(token);
        QCOMPARE(row, kCausal.mid(token * 4, 4));
        const double rowMax = *std::max_element(row.begin(), row.end());
        int strongest = -1;  // the most attended other token (the hovered one wears an outline)
        for (int j = 0; j < 4; ++j) {
            QCOMPARE(view.shadeOf(j), row[j] / rowMax);
            if (j != token && row[j] > 0 && (strongest < 0 || row[j] > row[strongest])) strongest = j;
        }
        // What is painted: an attended token is orange, a token it does not attend to is not.
        const QImage img = view.grab().toImage();
        for (int j = 0; j < 4 && strongest >= 0; ++j) {
            if (row[j] > 0 || j == token) continue;
            QVERIFY2(orangeness(img, view.tokenRect(strongest)) > orangeness(img, view.tokenRect(j)) + 60,
                     qPrintable(QStringLiteral("token %1 (weight %2) vs token %3 (weight 0)").arg(strongest).arg(row[strongest]).arg(j)));
        }
        if (token == 0) {  // the first token attends only to itself: nothing else is shaded
            for (int j = 1; j < 4; ++j) QCOMPARE(view.shadeOf(j), 0.0);
        }
    }

    void hoveringAMatrixRowHoversItsToken() {
        TokenAttentionView view;
        view.resize(640, 560);
        QVERIFY(view.setAttention(4, kCausal, kTokens));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QRect cell = view.cellRect(2, 1);
        QVERIFY(!cell.isEmpty());
        QTest::mouseMove(&view, cell.center());
        QTRY_COMPARE(view.hoveredToken(), 2);
        QCOMPARE(view.shadeOf(0), 1.0);  // row 2: 0.6, 0.1, 0.3 — token 0 is its strongest
        QCOMPARE(view.shadeOf(1), 0.1 / 0.6);
        QCOMPARE(view.shadeOf(3), 0.0);  // the future: causal
    }

    void longTextShowsTheLast64() {
        const int n = 100;
        QVector<double> w(n * n, 0.0);
        QStringList tokens;
        for (int i = 0; i < n; ++i) {
            tokens << QString(QChar('a' + i % 26));
            for (int j = 0; j <= i; ++j) w[i * n + j] = 1.0 / (i + 1);
        }
        TokenAttentionView view;
        view.resize(900, 900);
        QVERIFY(view.setAttention(n, w, tokens));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.maxTokens(), 64);
        QCOMPARE(view.firstShown(), 36);
        QCOMPARE(view.shownCount(), 64);
        QVERIFY(view.tokenRect(35).isEmpty());
        QVERIFY(!view.tokenRect(36).isEmpty());
        QVERIFY(!view.tokenRect(99).isEmpty());
        QVERIFY(view.cellRect(36, 40).isEmpty() == false);
        QVERIFY(view.cellRect(10, 10).isEmpty());
        // Cells big enough to read a character in at 900 px.
        QVERIFY2(view.cellRect(50, 50).width() >= 9, qPrintable(QString::number(view.cellRect(50, 50).width())));
        // Every drawn token box lies inside the widget.
        for (int t = 36; t < n; ++t) QVERIFY(view.rect().contains(view.tokenRect(t)));
        QTest::mouseMove(&view, view.tokenRect(80).center());
        QTRY_COMPARE(view.hoveredToken(), 80);
        QCOMPARE(view.shadeOf(50), 1.0);  // uniform over 0..80: every shown earlier token equally
        QCOMPARE(view.shadeOf(90), 0.0);
    }

    void badDataIsRefused_data() {
        QTest::addColumn<int>("n");
        QTest::addColumn<QVector<double>>("values");
        QTest::addColumn<QStringList>("tokens");
        QTest::addColumn<QString>("expected");
        QTest::newRow("too few weights") << 2 << QVector<double>{1, 0, 1} << QStringList{"a", "b"} << "need 4 weights";
        QTest::newRow("too many labels") << 2 << QVector<double>{1, 0, .5, .5} << QStringList{"a", "b", "c"} << "need 2 labels";
        QTest::newRow("negative") << 2 << QVector<double>{1, 0, -.5, 1.5} << QStringList{"a", "b"} << "weight (1, 0)";
        QTest::newRow("NaN") << 2 << QVector<double>{1, 0, std::nan(""), .5} << QStringList{"a", "b"} << "finite";
        QTest::newRow("negative count") << -1 << QVector<double>{} << QStringList{} << "must not be negative";
    }
    void badDataIsRefused() {
        QFETCH(int, n);
        QFETCH(QVector<double>, values);
        QFETCH(QStringList, tokens);
        QFETCH(QString, expected);
        TokenAttentionView view;
        QVERIFY(view.setAttention(4, kCausal, kTokens));
        QString error;
        QVERIFY(!view.setAttention(n, values, tokens, &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
        QCOMPARE(view.tokenCount(), 4);  // unchanged
        QCOMPARE(view.rowWeights(3), kCausal.mid(12, 4));
    }

    void displayTokens() {
        QCOMPARE(TokenAttentionView::displayToken(" "), QStringLiteral("␣"));
        QCOMPARE(TokenAttentionView::displayToken("\n"), QStringLiteral("↵"));
        QCOMPARE(TokenAttentionView::displayToken("é"), QStringLiteral("é"));
    }

    void emptyViewPaints() {
        TokenAttentionView view;
        view.resize(300, 300);
        QVERIFY(!view.grab().isNull());
        QCOMPARE(view.hoveredToken(), -1);
        QCOMPARE(view.shadeOf(0), 0.0);
    }
};

QTEST_MAIN(TestTokenAttentionView)
#include "tst_token_attention_view.moc"
