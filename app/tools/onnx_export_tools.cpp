// onnx_export_tools.cpp — see onnx_export_tools.h.
#include "tools/onnx_export_tools.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>

#include "bp/onnx/onnx_export.h"
#include "core/app_settings.h"

namespace onnxtools {

QString exportOnnx(const bp::models::Model& model, const QString& path) {
    if (!bp::io::onnx_export_available()) return QString::fromStdString(bp::io::onnx_unavailable_reason());
    try {
        bp::io::save_onnx(path.toStdString(), bp::io::LoadedModel{model, nlohmann::json::object()});
    } catch (const std::exception& e) {
        return QObject::tr("Could not export %1 as ONNX:\n%2").arg(QFileInfo(path).fileName(), QString::fromStdString(e.what()));
    }
    return {};
}

QString exportOnnxWithDialog(QWidget* parent, std::shared_ptr<const bp::models::Model> model, AppSettings* settings) {
    const QString title = QObject::tr("Export as ONNX");
    if (!model) {
        QMessageBox::information(parent, title, QObject::tr("There is no model to export yet: train one first, or open one."));
        return {};
    }
    if (!bp::io::onnx_export_available()) {
        QMessageBox::warning(parent, title, QString::fromStdString(bp::io::onnx_unavailable_reason()));
        return {};
    }
    const QString dir = settings && !settings->lastDirectory().isEmpty() ? settings->lastDirectory() : QDir::homePath();
    const QString path = QFileDialog::getSaveFileName(parent, title, dir + "/" + QString::fromStdString(model->name) + ".onnx",
                                                      QObject::tr("ONNX models (*.onnx)"));
    if (path.isEmpty()) return {};
    if (settings) settings->setLastDirectory(QFileInfo(path).absolutePath());
    if (const QString error = exportOnnx(*model, path); !error.isEmpty()) {
        QMessageBox::warning(parent, title, error);
        return {};
    }
    return path;
}

}  // namespace onnxtools
