// onnx_export_tools.h — File > Export > ONNX…: the model the Train page holds written as an ONNX file through the
// engine's exporter (bp_onnx, engine/onnx/), for Netron, ONNX Runtime and other tools.
#pragma once

#include <QString>
#include <memory>

#include "bp/models/zoo.h"

class AppSettings;
class QWidget;

namespace onnxtools {

/// Writes `model` as ONNX (opset 17) to `path`: a temporary file renamed into place. "" on success, else a message
/// for the user (the build has no exporter, the folder is not writable, a layer has no ONNX form, ...).
QString exportOnnx(const bp::models::Model& model, const QString& path);

/// Explains when there is no model yet or this build has no exporter; else asks for a file name (in the settings'
/// last directory), exports, and shows an error if that failed. Returns the path written, "" when nothing was.
QString exportOnnxWithDialog(QWidget* parent, std::shared_ptr<const bp::models::Model> model, AppSettings* settings);

}  // namespace onnxtools
