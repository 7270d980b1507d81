// model_file.h — save and load models as safetensors: the parameters and buffers (batch-norm running
// statistics) as F32/F64 tensors named as named_parameters()/named_buffers() name them, the architecture
// config and the training summary as JSON strings in the header metadata ("bp.config", "bp.summary").
// Written to a temporary file and renamed into place.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "bp/models/zoo.h"

namespace bp::io {

struct NamedBuffer;  // io/safetensors.h

/// One F32/F64 tensor as the little-endian bytes safetensors stores, copied to the host first when it lives
/// on a GPU. Shared by save_model and save_gpt (io/gpt_file.h).
NamedBuffer tensor_to_buffer(const std::string& name, const Tensor& t);

void save_model(const std::string& path, const models::Model& model,
                const nlohmann::json& summary = nlohmann::json::object());

struct LoadedModel {
    models::Model model;
    nlohmann::json summary;
};

/// DataError when the file is missing, corrupt, has no config, or a tensor's name or shape does not match
/// the architecture (the message names the tensor and both shapes).
LoadedModel load_model(const std::string& path);

}  // namespace bp::io
