// tst_main_window.cpp — the window composes pages: the switcher and View shortcuts reach them, the status
// bar reports threads and data, --screenshot renders a page to a PNG of the requested size and rejects an
// unknown page with exit code 2; AppSettings round-trips what the Train page remembers.
#include <QAction>
#include <QApplication>
#include <qcustomplot.h>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

#include <QCheckBox>

#include "core/app_settings.h"
#include "bp/io/model_file.h"
#include "loss_plot.h"
#include "main_window.h"
#include "pages/train_page.h"
#include "screenshot.h"

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);  // keep the user's settings out of the tests
        QCoreApplication::setOrganizationName(QStringLiteral("BackpropStudioTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_main_window"));
    }

    void pagesAndMenus() {
        MainWindow w{AppContext{}};
        QVERIFY(MainWindow::pageIds().contains(QStringLiteral("train")));
        QVERIFY(MainWindow::pageIds().contains(QStringLiteral("draw")));
        QCOMPARE(w.currentPageId(), QStringLiteral("train"));
        QVERIFY(qobject_cast<TrainPage*>(w.page(QStringLiteral("train"))));
        QVERIFY(!w.showPage(QStringLiteral("no-such-page")));

        QStringList shortcuts;
        for (QAction* a : w.findChildren<QAction*>()) shortcuts << a->shortcut().toString();
        QVERIFY(shortcuts.contains(QStringLiteral("Ctrl+Q")));
        QVERIFY(shortcuts.contains(QStringLiteral("Ctrl+1")));

        bool threads = false, device = false;
        for (QLabel* l : w.statusBar()->findChildren<QLabel*>()) {
            threads |= l->text().contains(QStringLiteral("thread"));
            device |= l->text() == QStringLiteral("Device: CPU");
        }
        QVERIFY(threads);
        QVERIFY(device);
        QVERIFY(shortcuts.contains(QStringLiteral("F11")));
        QVERIFY(shortcuts.contains(QStringLiteral("Ctrl+S")));
        QVERIFY(shortcuts.contains(QStringLiteral("Ctrl+O")));
        QVERIFY(shortcuts.contains(QStringLiteral("Ctrl+E")));
        QVERIFY(shortcuts.contains(QStringLiteral("Space")));
    }

    void themeAndPresentationReachPagesAndPlots() {
        MainWindow w{AppContext{}};
        TrainPage* train = w.trainPage();
        const double basePt = QApplication::font().pointSizeF();
        QCOMPARE(train->lossPlot()->plotStyle().dark, false);

        // View → Dark theme: the palette turns dark and the plot follows.
        auto* dark = w.findChild<QAction*>(QStringLiteral("darkThemeAction"));
        QVERIFY(dark);
        dark->trigger();
        QVERIFY(w.appearance().dark);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 100);
        QVERIFY(train->lossPlot()->plotStyle().dark);

        // Presentation mode: fonts 1.5×, plot lines 2×; switching it off restores both exactly.
        w.setAppearance({true, true}, false);
        QCOMPARE(QApplication::font().pointSizeF(), basePt * 1.5);
        QCOMPARE(train->lossPlot()->lineScale(), 2.0);
        QVERIFY(train->lossPlot()->smoothedGraph()->pen().widthF() >= 5.0);
        w.setAppearance({false, false}, false);
        QCOMPARE(QApplication::font().pointSizeF(), basePt);
        QCOMPARE(train->lossPlot()->lineScale(), 1.0);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 200);
    }

    void appearanceIsRemembered() {
        AppSettings settings;
        settings.setAppearance({true, false});
        AppContext c;
        c.settings = &settings;
        {
            MainWindow w{c};
            QVERIFY(w.appearance().dark);
            w.setDarkTheme(false);
        }
        QVERIFY(!AppSettings().appearance().dark);
    }

    void lastModelIsReopened() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("last.safetensors"));
        bp::io::save_model(path.toStdString(), bp::models::create_model("mlp"));
        AppSettings settings;
        settings.setLastModelFile(path);
        AppContext c;
        c.settings = &settings;
        {
            TrainPage page{c};
            QVERIFY(page.currentModel());
            QVERIFY(page.continueCheck()->isChecked());
        }
        settings.setLastModelFile(dir.filePath(QStringLiteral("gone.safetensors")));  // a missing file: no error
        TrainPage page{c};
        QVERIFY(!page.currentModel());
    }

    void screenshotWritesPng() {
        QTemporaryDir dir;
        MainWindow w{AppContext{}};
        ScreenshotRequest r;
        r.page = QStringLiteral("train");
        r.outPath = dir.filePath(QStringLiteral("train.png"));
        r.size = QSize(1200, 800);
        QCOMPARE(renderScreenshot(w, r), 0);
        const QImage image(r.outPath);
        QCOMPARE(image.size(), QSize(1200, 800));
    }

    void screenshotOfTheDrawPage() {
        QTemporaryDir dir;
        MainWindow w{AppContext{}};
        ScreenshotRequest r;
        r.page = QStringLiteral("draw");
        r.outPath = dir.filePath(QStringLiteral("draw.png"));
        r.size = QSize(1400, 900);
        QCOMPARE(renderScreenshot(w, r), 0);
        QCOMPARE(QImage(r.outPath).size(), QSize(1400, 900));
        QCOMPARE(w.currentPageId(), QStringLiteral("draw"));
    }

    void screenshotRejectsUnknownPage() {
        QTemporaryDir dir;
        MainWindow w{AppContext{}};
        ScreenshotRequest r;
        r.page = QStringLiteral("nope");
        r.outPath = dir.filePath(QStringLiteral("x.png"));
        QCOMPARE(renderScreenshot(w, r), 2);
        QVERIFY(!QFile::exists(r.outPath));
    }

    void settingsRoundTrip() {
        AppSettings settings;
        TrainSettings s;
        s.model = QStringLiteral("mlp");
        s.optimizer = QStringLiteral("nesterov");
        s.learningRate = 0.0125;
        s.batchSize = 128;
        s.epochs = 7;
        s.seed = 99;
        s.trainImages = 5000;
        settings.setTrainSettings(s);
        const TrainSettings t = AppSettings().trainSettings();
        QCOMPARE(t.optimizer, s.optimizer);
        QCOMPARE(t.learningRate, s.learningRate);
        QCOMPARE(t.batchSize, s.batchSize);
        QCOMPARE(t.epochs, s.epochs);
        QCOMPARE(t.seed, s.seed);
        QCOMPARE(t.trainImages, s.trainImages);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
