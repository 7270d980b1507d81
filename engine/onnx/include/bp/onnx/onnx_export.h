// onnx_export.h — writes a model as an ONNX file (opset 17, standard operators only) that Netron opens and ONNX
// Runtime runs: every image model of the zoo (MLP, LeNet, CNN, ResNet-mini, ViT-tiny) and GPT-mini. Library
// bp_onnx (engine/onnx/), built from Debian's onnx.proto with protoc; a build without Protobuf gets a stub whose
// functions throw bp::ConfigError saying what to install (onnx_export_available() tells which one was built).
//
// The graph is the model in eval mode (batch norm with its running statistics, no dropout). Initializers are
// named as named_parameters()/named_buffers() name them ("4.weight", "blocks.0.attn.q_proj.bias"), nodes after
// the layer they come from ("4", "blocks.0.attn/softmax"). Image models take "input" float32 [N, 1, 28, 28],
// normalised as in training ((pixel / 255 − 0.1307) / 0.3081), and give "logits" float32 [N, classes]; GPT-mini
// takes "tokens" int64 [B, T] (T ≤ context) and gives "logits" [B, T, vocab]. metadata_props document this
// (input, output, preprocessing with its mean and std, class names, the tokenizer, the engine's config).
//   io::save_onnx("cnn.onnx", io::load_model("cnn.safetensors"));
//   io::export_model_file_to_onnx("tiny-gpt.safetensors", "tiny-gpt.onnx");
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "bp/io/model_file.h"

namespace bp::data {
class CharTokenizer;
}
namespace bp::models {
class GptMini;
}

namespace bp::io {

inline constexpr int onnx_opset = 17;

/// True when this build has the exporter; false for the stub (then onnx_unavailable_reason() says why).
bool onnx_export_available();
/// "" when available; else one sentence naming the Debian packages to install and that cmake must be re-run.
std::string onnx_unavailable_reason();

/// The serialised ONNX ModelProto of a zoo model. `summary` is what the model file stores (its "config"."dataset"
/// names the class names in the metadata). ConfigError naming the layer for a layer with no ONNX form.
std::string onnx_model_bytes(const LoadedModel& model);
/// The same for GPT-mini with its tokenizer (the character table goes into the metadata).
std::string onnx_model_bytes(const models::GptMini& gpt, const data::CharTokenizer& tokenizer,
                             const nlohmann::json& summary = nlohmann::json::object());

/// onnx_model_bytes written to `path` atomically (temporary file, then renamed into place).
void save_onnx(const std::string& path, const LoadedModel& model);

/// Reads any model file the engine writes (a zoo model, or GPT-mini as `train-text` saves it) and writes its ONNX
/// form to out_path. architecture: as io::load_model(path, architecture) for weights without "bp.config" ("" =
/// the file's own config). DataError for a file that is missing, corrupt or of another kind (BERT, CLIP: named).
/// Returns a one-line description of what was written ("cnn: 16 nodes, 12 initializers, 1.6 MB").
std::string export_model_file_to_onnx(const std::string& model_file, const std::string& out_path,
                                      const std::string& architecture = "");

}  // namespace bp::io
