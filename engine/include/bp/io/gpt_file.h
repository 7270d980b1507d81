// gpt_file.h — save and load a GptMini with its character tokenizer as safetensors: the parameters as F32
// tensors named as named_parameters() names them; in the header metadata "bp.config" ({"model": "gpt_mini",
// "options": GptOptions::to_json()}), "bp.tokenizer" (CharTokenizer::to_json()) and "bp.summary" (JSON), so a
// saved file can generate text again on its own. Written to a temporary file and renamed into place.
//   io::save_gpt("tiny.safetensors", gpt, corpus.tokenizer, {{"val_loss", 1.9}});
//   io::LoadedGpt g = io::load_gpt("tiny.safetensors");  // g.model, g.tokenizer
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "bp/data/text.h"
#include "bp/models/gpt.h"

namespace bp::io {

void save_gpt(const std::string& path, const models::GptMini& model, const data::CharTokenizer& tokenizer,
              const nlohmann::json& summary = nlohmann::json::object());

struct LoadedGpt {
    std::shared_ptr<models::GptMini> model;
    data::CharTokenizer tokenizer;
    nlohmann::json summary;
};

/// DataError when the file is missing or corrupt, is not a GPT model file (e.g. an MNIST model: the message
/// says so), or a tensor's name or shape does not match the stored options (naming the tensor and both shapes).
LoadedGpt load_gpt(const std::string& path);

/// True when the file is a safetensors file whose "bp.config" names model "gpt_mini" (no exception).
bool is_gpt_file(const std::string& path);

}  // namespace bp::io
