// tst_bad_files.cpp — issue 19 in the app, driven as a user drives it (shortcuts, button clicks, the file dialog
// and the message box answered with real events): a bad model file opened with File ▸ Open model (Ctrl+O), a bad
// benchmark results file loaded on the Benchmarks page and a picture above the pixel limit opened on the Draw page
// each show a message naming the file and the problem, and the app keeps working (a good file then opens). The
// Benchmarks page also shows the values too large for a chart's axis by name.
#include <QApplication>
#include <QComboBox>
#include <QFileDialog>
#include <QLineEdit>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include "bp/io/image.h"
#include "bp/io/model_file.h"
#include "bp/models/zoo.h"
#include "drawing_pad.h"
#include "main_window.h"
#include "pages/benchmarks_page.h"
#include "pages/draw_page.h"
#include "pages/train_page.h"

namespace {

/// Answers the modal dialogs a user action opens, as a user would: a file dialog gets `file` typed in and is
/// accepted; a message box's text is kept and its default button clicked. Polls while the action's own event
/// loop runs, so nothing blocks.
class DialogDriver : public QObject {
public:
    explicit DialogDriver(QString file) : m_file(std::move(file)) {
        connect(&m_timer, &QTimer::timeout, this, [this] { poll(); });
        m_timer.start(20);
    }
    QStringList messages;  // every message box's text, in order
    int fileDialogs = 0;

private:
    void poll() {
        QWidget* modal = QApplication::activeModalWidget();
        if (auto* dialog = qobject_cast<QFileDialog*>(modal)) {
            ++fileDialogs;
            dialog->selectFile(m_file);
            // Typed as a user would, too: the dialog's view of a folder it listed before may not show a file
            // made since, and then selectFile() selects nothing.
            if (auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"))) name->setText(m_file);
            static_cast<QDialog*>(dialog)->accept();  // accept() is public on QDialog
        } else if (auto* box = qobject_cast<QMessageBox*>(modal)) {
            messages << box->text() + QLatin1Char('\n') + box->informativeText();
            QAbstractButton* button = box->defaultButton() ? box->defaultButton() : box->buttons().value(0);
            QTest::mouseClick(button, Qt::LeftButton);
        }
    }
    QString m_file;
    QTimer m_timer;
};

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

/// A benchmark results file with one ops row whose forward+backward median is `median`.
QByteArray opsResults(const QString& median) {
    return QStringLiteral(R"({"benchmark": "all", "suites": {"ops": {"threads": 1, "results": [
        {"op": "matmul", "size": "64", "label": "matmul 64", "forward_backward_ms": {"median": %1}},
        {"op": "relu", "size": "1k", "label": "relu 1k", "forward_backward_ms": {"median": 0.5}}]}}})")
        .arg(median)
        .toUtf8();
}

}  // namespace

class TestBadFiles : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);  // keep the user's settings out of the tests
        QCoreApplication::setOrganizationName(QStringLiteral("BackpropStudioTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_bad_files"));
    }

    void badModelFileFromTheFileMenu() {
        QTemporaryDir dir;
        const QString bad = dir.filePath("truncated.safetensors");
        writeFile(bad, QByteArray("\x40\x00\x00\x00\x00\x00\x00\x00{\"w\": {\"dtype\"", 22));
        MainWindow w{AppContext{}};
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));  // the shortcut goes to the active window
        const auto before = w.trainPage()->currentModel();
        {
            DialogDriver driver(bad);
            QTest::keyClick(&w, Qt::Key_O, Qt::ControlModifier);  // File ▸ Open model…
            QTRY_COMPARE(driver.messages.size(), 1);
            QCOMPARE(driver.fileDialogs, 1);
            QVERIFY2(driver.messages[0].contains("truncated.safetensors") &&
                         driver.messages[0].contains("not a model this app can open"),
                     qPrintable(driver.messages[0]));
        }
        QCOMPARE(w.trainPage()->currentModel(), before);  // nothing changed
        // The app keeps working: a good model opened the same way is taken, without a message.
        const QString good = dir.filePath("good.safetensors");
        bp::io::save_model(good.toStdString(), bp::models::create_model("mlp", nlohmann::json::object(), 7));
        w.activateWindow();  // the message box had the focus
        QVERIFY(QTest::qWaitForWindowActive(&w));
        DialogDriver driver(good);
        QTest::keyClick(&w, Qt::Key_O, Qt::ControlModifier);
        QTRY_COMPARE(driver.fileDialogs, 1);
        QTRY_VERIFY2(w.trainPage()->currentModel() != before, qPrintable(driver.messages.join("; ")));
        QCOMPARE(driver.messages, QStringList());
        QCOMPARE(QString::fromStdString(w.trainPage()->currentModel()->name), QStringLiteral("mlp"));
    }

    void badResultsFileOnTheBenchmarksPage() {
        QTemporaryDir dir;
        const QString bad = dir.filePath("cut-short.json");
        writeFile(bad, opsResults("1.5").left(60));
        const QString good = dir.filePath("good.json");
        writeFile(good, opsResults("1.5"));
        MainWindow w{AppContext{}};
        w.show();
        QVERIFY(w.showPage(QStringLiteral("benchmarks")));
        auto* page = qobject_cast<BenchmarksPage*>(w.page(QStringLiteral("benchmarks")));
        QVERIFY(page);
        {
            DialogDriver driver(bad);
            QTest::mouseClick(page->loadButton(), Qt::LeftButton);
            QTRY_VERIFY(page->statusLabel()->text().contains("Could not load"));
            const QString status = page->statusLabel()->text();
            QVERIFY2(status.contains("cut-short.json") && status.contains("not JSON"), qPrintable(status));
            QCOMPARE(driver.messages, QStringList());  // the status line says it; nothing modal
        }
        DialogDriver driver(good);
        QTest::mouseClick(page->loadButton(), Qt::LeftButton);
        QTRY_VERIFY(page->statusLabel()->text().contains("Showing"));
        QVERIFY2(page->statusLabel()->text().contains("good.json"), qPrintable(page->statusLabel()->text()));
        QCOMPARE(page->findChild<QTableWidget*>()->rowCount(), 2);  // matmul and relu
    }

    // Defect 1's values: 1e308 charts at the axis end, and the page says which value that is.
    void outOfRangeValuesAreShownByName() {
        QTemporaryDir dir;
        const QString huge = dir.filePath("huge.json");
        writeFile(huge, opsResults("1e308"));
        const QString normal = dir.filePath("normal.json");
        writeFile(normal, opsResults("1.5"));
        MainWindow w{AppContext{}};
        w.show();
        QVERIFY(w.showPage(QStringLiteral("benchmarks")));
        auto* page = qobject_cast<BenchmarksPage*>(w.page(QStringLiteral("benchmarks")));
        QVERIFY(page->loadResults(huge));
        auto* views = page->findChild<QListWidget*>(QStringLiteral("benchViews"));
        QVERIFY(views->count() >= 2);                         // the table and at least the ops chart
        QVERIFY(page->outOfRangeLabel()->isHidden());         // the table shows the value as it is
        QTest::mouseClick(views->viewport(), Qt::LeftButton, {}, views->visualItemRect(views->item(1)).center());
        QCOMPARE(views->currentRow(), 1);
        QVERIFY(!page->outOfRangeLabel()->isHidden());
        const QString text = page->outOfRangeLabel()->text();
        QVERIFY2(text.contains("matmul 64") && text.contains("1e+308"), qPrintable(text));
        QVERIFY2(!text.contains("relu"), qPrintable(text));  // 0.5 fits
        // A file whose values all fit: no note.
        QVERIFY(page->loadResults(normal));
        QCOMPARE(views->currentRow(), 1);  // the same chart stays shown
        QVERIFY(page->outOfRangeLabel()->isHidden());
    }

    void hugePictureOnTheDrawPage() {
        QTemporaryDir dir;
        // One pixel over the 64 Mpixel limit in each direction's product: 8193 × 8193, white (a few MB as PNG).
        const QString huge = dir.filePath("huge.png");
        {
            QImage img(8193, 8193, QImage::Format_Grayscale8);
            img.fill(255);
            QVERIFY(img.save(huge, "PNG"));
            QVERIFY(8193ll * 8193 > bp::io::max_image_pixels);
        }
        // A small picture of a "1": a dark vertical bar on white paper.
        const QString one = dir.filePath("one.png");
        {
            QImage img(60, 60, QImage::Format_Grayscale8);
            img.fill(255);
            for (int y = 10; y < 50; ++y)
                for (int x = 27; x < 33; ++x) img.scanLine(y)[x] = 0;
            QVERIFY(img.save(one, "PNG"));
        }
        MainWindow w{AppContext{}};
        w.show();
        QVERIFY(w.showPage(QStringLiteral("draw")));
        DrawPage* page = w.drawPage();
        {
            DialogDriver driver(huge);
            QTest::mouseClick(page->openPictureButton(), Qt::LeftButton);
            QTRY_VERIFY(!page->pictureStatus()->text().isEmpty());
            const QString status = page->pictureStatus()->text();
            QVERIFY2(status.contains("huge.png") && status.contains("8193 x 8193") && status.contains("64 Mpixel"),
                     qPrintable(status));
            QCOMPARE(driver.messages, QStringList());
        }
        QCOMPARE(page->pad()->strokeCount(), 0);  // nothing drawn
        // The page keeps working: a normal picture becomes strokes, and a model (shipped) reads it.
        DialogDriver driver(one);
        QTest::mouseClick(page->openPictureButton(), Qt::LeftButton);
        QTRY_VERIFY(page->pictureStatus()->text().contains("one.png"));
        QVERIFY2(page->pictureStatus()->text().startsWith("Showing"), qPrintable(page->pictureStatus()->text()));
        QVERIFY(page->pad()->strokeCount() > 0);
        if (page->modelCombo()->count() > 0) QCOMPARE(page->topClass(), 1);
    }
};

QTEST_MAIN(TestBadFiles)
#include "tst_bad_files.moc"
