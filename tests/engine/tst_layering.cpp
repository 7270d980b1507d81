// tst_layering.cpp — keeps the layers honest: no file under engine/ includes a Qt header, no file under widgets/
// includes an engine header (DESIGN.md: engine has no Qt; widgets have no engine), and inside app/ the roles
// include only downwards: core <- tools <- controllers <- panels, lessons <- pages <- app/ itself (no cycles).
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

    /// The rank of an app/ folder: a file may include app headers of its own rank or lower only.
    static int appRank(const QString& relative) {
        static const QList<QPair<QString, int>> ranks = {{"core/", 0}, {"tools/", 1}, {"controllers/", 2},
                                                         {"panels/", 3}, {"lessons/", 3}, {"pages/", 4}};
        for (const auto& [folder, rank] : ranks)
            if (relative.startsWith(folder)) return rank;
        return 5;  // app/ itself: MainWindow, the screenshot and bench modes, main.cpp
    }

    static QStringList upwardIncludes() {
        QStringList out;
        const QString root = QStringLiteral(BP_SOURCE_DIR) + "/app/";
        const QRegularExpression include(QStringLiteral("^\\s*#\\s*include\\s*\"((core|tools|controllers|panels|lessons|pages)/[^\"]+)\""));
        QDirIterator it(root, {"*.h", "*.cpp"}, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            const QString relative = path.mid(root.size());
            const int rank = appRank(relative);
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly)) continue;
            int line = 0;
            while (!f.atEnd()) {
                ++line;
                const QString text = QString::fromUtf8(f.readLine());
                const QRegularExpressionMatch m = include.match(text);
                if (m.hasMatch() && appRank(m.captured(1)) > rank)
                    out << QString("app/%1:%2 includes %3, a higher role").arg(relative).arg(line).arg(m.captured(1));
            }
        }
        return out;
    }

private slots:
    void appRolesIncludeDownwardsOnly() {
        const QStringList bad = upwardIncludes();
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join('\n')));
        // The ranks mean something: a page is above a panel, a panel above a controller, and app/ above all.
        QVERIFY(appRank("pages/train_page.h") > appRank("panels/run_buttons.h"));
        QVERIFY(appRank("panels/run_buttons.h") > appRank("controllers/background_run.h"));
        QVERIFY(appRank("main_window.cpp") > appRank("pages/train_page.h"));
        QVERIFY(appRank("tools/model_tools.h") > appRank("core/page.h"));
    }

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
