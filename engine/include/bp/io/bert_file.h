// bert_file.h — save and load a BertMini with its character vocabulary as safetensors, as gpt_file.h does for
// GPT-mini: F32 tensors named as named_parameters() names them; metadata "bp.config" ({"model": "bert_mini",
// "options": BertOptions::to_json()}), "bp.tokenizer" (the characters; the three specials follow them) and
// "bp.summary". Written to a temporary file and renamed into place.
//   io::save_bert("bert.safetensors", bert, vocab, {{"val_accuracy", 0.5}});
//   io::LoadedBert b = io::load_bert("bert.safetensors");  // b.model, b.vocab
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "bp/data/bert_data.h"
#include "bp/models/bert.h"

namespace bp::io {

void save_bert(const std::string& path, const models::BertMini& model, const data::BertVocab& vocab,
               const nlohmann::json& summary = nlohmann::json::object());

struct LoadedBert {
    std::shared_ptr<models::BertMini> model;
    data::BertVocab vocab;
    nlohmann::json summary;
};

/// DataError when the file is missing or corrupt, is not a BERT model file (a GPT or MNIST file: the message
/// says so), its vocabulary does not fit the options, or a tensor's name or shape does not match them.
LoadedBert load_bert(const std::string& path);

}  // namespace bp::io
