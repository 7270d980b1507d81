// char_model_file.h (private to io/) — the pieces GPT-, BERT- and CLIP-mini's files share: save the parameters
// with "bp.config" {"model", "options"}, "bp.tokenizer", "bp.summary"; read a metadata entry as a JSON object;
// refuse options that describe more parameters than the file holds before anything is allocated; and copy the
// tensors into a built model strictly (every name present, every shape equal, no stranger).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "bp/io/safetensors.h"
#include "bp/nn/module.h"

namespace bp::io::detail {

/// Writes `model`'s parameters (F32) with the metadata "bp.config" = {"model": model_name, "options": options},
/// "bp.tokenizer" = tokenizer, "bp.summary" = summary, "bp.version"; atomically (temporary file, rename).
void save_char_model(const std::string& path, const nn::Module& model, const char* model_name,
                     const nlohmann::json& options, const nlohmann::json& tokenizer, const nlohmann::json& summary);

/// The metadata entry `key` parsed as a JSON object; DataError naming `path` when it is not JSON or not an object,
/// or (when `required`) missing: "not a Backprop Studio <what> model". An empty object when optional and missing.
nlohmann::json parse_meta(const SafetensorsFile& f, const std::string& path, const char* key, bool required,
                          const std::string& what);

/// The "model" string of a "bp.config" ("?" when it has none).
std::string config_model_name(const nlohmann::json& config);

/// DataError naming `path` when options need at least `need` parameters: more than max_model_parameters, or
/// (above small_model_parameters) more values than the file's tensors hold. Call before building the model.
void check_parameter_budget(const SafetensorsFile& f, const std::string& path, int64_t need, const std::string& what);

/// Copies every tensor of `f` into `model`'s parameter of the same name: DataError naming `path` and the tensor
/// when one is missing, has another shape (both shapes and `options` in the message), or belongs to no parameter.
void load_parameters_strict(nn::Module& model, const SafetensorsFile& f, const std::string& path,
                            const nlohmann::json& options, const std::string& what);

}  // namespace bp::io::detail
