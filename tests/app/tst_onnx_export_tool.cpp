// tst_onnx_export_tool.cpp — the app's File > Export > ONNX…: the menu action exists, and onnxtools::exportOnnx
// writes the Train page's kind of model (a zoo model in memory) as an ONNX file, atomically, or says clearly why not.
// What the file computes is checked against ONNX Runtime in tests/engine/tst_onnx_export_slow.cpp.
#include <QtTest>

#include <QAction>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>

#include "bp/onnx/onnx_export.h"
#include "main_window.h"
#include "tools/onnx_export_tools.h"

class TstOnnxExportTool : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("BackpropStudioTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_onnx_export_tool"));
    }

    void menuHasExportOnnx() {
        MainWindow w{AppContext{}};
        auto* a = w.findChild<QAction*>(QStringLiteral("exportOnnxAction"));
        QVERIFY(a);
        QCOMPARE(a->text(), QStringLiteral("&ONNX…"));
    }

    void exportsAModel() {
        QTemporaryDir dir;
        const bp::models::Model m = bp::models::create_model("lenet", nlohmann::json::object(), 5);
        const QString path = dir.filePath("lenet.onnx");
        const QString error = onnxtools::exportOnnx(m, path);
        if (!bp::io::onnx_export_available()) {
            QVERIFY2(error.contains("libonnx-dev"), qPrintable(error));
            QSKIP("this build has no ONNX export (Protobuf or libonnx-dev missing at configure time)");
        }
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        // Every float32 parameter is in the file, and the names of the layers and the opset's domain are readable.
        QVERIFY(bytes.size() > m.net->parameter_count() * 4);
        QVERIFY(bytes.contains("0.weight") && bytes.contains("11.bias") && bytes.contains("preprocessing.mean"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"lenet.onnx"});  // no temporary file left
    }

    void reportsAnUnwritableFolder() {
        const bp::models::Model m = bp::models::create_model("mlp");
        const QString error = onnxtools::exportOnnx(m, QStringLiteral("/nonexistent-folder/x.onnx"));
        QVERIFY(!error.isEmpty());
        if (bp::io::onnx_export_available()) QVERIFY2(error.contains("x.onnx"), qPrintable(error));
    }
};

QTEST_MAIN(TstOnnxExportTool)
#include "tst_onnx_export_tool.moc"
