// clip_file.h — save and load a ClipMini as safetensors, as gpt_file.h / bert_file.h do: F32 tensors named as
// named_parameters() names them; metadata "bp.config" ({"model": "clip_mini", "options": ClipOptions::to_json()}),
// "bp.tokenizer" (the caption characters; [PAD] [MASK] [CLS] follow them), "bp.summary" with "captions" (the dataset and the
// property thresholds the captions were measured with, so that retrieval describes test pictures the same way)
// and the training figures). Written to a temporary file and renamed into place.
//   io::save_clip("clip.safetensors", clip, vocab, {{"dataset", "mnist"}, {"thresholds", t.to_json()}}, summary);
//   io::LoadedClip c = io::load_clip("clip.safetensors");  // c.model, c.vocab, c.dataset, c.thresholds
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "bp/data/clip_data.h"
#include "bp/models/clip.h"

namespace bp::io {

/// captions: {"dataset": "mnist" | "fashion-mnist", "thresholds": PropertyThresholds::to_json()}.
void save_clip(const std::string& path, const models::ClipMini& model, const data::BertVocab& vocab,
               const nlohmann::json& captions, const nlohmann::json& summary = nlohmann::json::object());

struct LoadedClip {
    std::shared_ptr<models::ClipMini> model;
    data::BertVocab vocab;
    std::string dataset;
    data::PropertyThresholds thresholds;
    nlohmann::json summary;
};

/// DataError naming the file when it is missing or corrupt, is not a CLIP model (a GPT, BERT or MNIST file: the
/// message says so), its options describe more parameters than its tensors hold (checked before anything is
/// allocated), its vocabulary or caption table does not fit, or a tensor's name or shape does not match.
LoadedClip load_clip(const std::string& path);

}  // namespace bp::io
