// tst_layering.cpp — keeps the layers honest: no file under engine/ includes a Qt header, and no file under
// widgets/ includes an engine header (DESIGN.md: engine has no Qt; widgets have no engine).
#include <QtTest>

#include <QDirIterator>
#include <QRegularExpression>

// Written as plain strings: moc's own preprocessor trips over raw strings that contain "#include".
static const char* const kQtInclude = "^\\s*#\\s*include\\s*[<\"](Q[A-Z]\\w*|Qt\\w*/|qcustomplot)";
static const char* const kEngineInclude = "^\\s*#\\s*include\\s*[<\"]bp/";

class TstLayering : public QObject {
    Q_OBJECT

    static QStringList offenders(const QString& dir, const QRegularExpression& forbidden) {
        QStringList out;
        QDirIterator it(QStringLiteral(BP_SOURCE_DIR) + "/" + dir, {"*.h", "*.hpp", "*.cpp", "*.cu", "*.in"},
                        QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            if (!f.open(QIODevice::ReadOnly)) continue;
            int line = 0;
            while (!f.atEnd()) {
                ++line;
                const QString text = QString::fromUtf8(f.readLine());
                if (forbidden.match(text).hasMatch()) out << QString("%1:%2: %3").arg(f.fileName()).arg(line).arg(text.trimmed());
            }
        }
        return out;
    }

private slots:
    void engineHasNoQt() {
        const QStringList bad = offenders("engine", QRegularExpression(kQtInclude));
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join('\n')));
    }
    void widgetsHaveNoEngine() {
        const QStringList bad = offenders("widgets", QRegularExpression(kEngineInclude));
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join('\n')));
    }
    void theCheckCanFail() {
        // The pattern really matches a Qt include, so an empty result above means something.
        QRegularExpression qt(kQtInclude);
        QVERIFY(qt.match("#include <QWidget>").hasMatch());
        QVERIFY(qt.match("#include <QtCore/QObject>").hasMatch());
        QVERIFY(!qt.match("#include <vector>").hasMatch());
        QVERIFY(QRegularExpression(kEngineInclude).match("#include \"bp/tensor.h\"").hasMatch());
    }
};

QTEST_APPLESS_MAIN(TstLayering)
#include "tst_layering.moc"
