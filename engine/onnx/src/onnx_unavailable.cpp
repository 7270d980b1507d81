// onnx_unavailable.cpp — bp_onnx in a build without Protobuf or Debian's onnx.proto (engine/onnx/CMakeLists.txt):
// every export says what to install instead of exporting.
#include "bp/errors.h"
#include "bp/onnx/onnx_export.h"

namespace bp::io {

bool onnx_export_available() { return false; }

std::string onnx_unavailable_reason() {
    return "this build has no ONNX export: install protobuf-compiler, libprotobuf-dev and libonnx-dev "
           "(scripts/setup.sh does), then re-run cmake and rebuild";
}

std::string onnx_model_bytes(const LoadedModel&) { throw ConfigError(onnx_unavailable_reason()); }
std::string onnx_model_bytes(const models::GptMini&, const data::CharTokenizer&, const nlohmann::json&) {
    throw ConfigError(onnx_unavailable_reason());
}
void save_onnx(const std::string&, const LoadedModel&) { throw ConfigError(onnx_unavailable_reason()); }
std::string export_model_file_to_onnx(const std::string&, const std::string&, const std::string&) {
    throw ConfigError(onnx_unavailable_reason());
}

}  // namespace bp::io
