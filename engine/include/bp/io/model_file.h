// model_file.h — save and load models as safetensors: the parameters and buffers (batch-norm running
// statistics) as F32/F64 tensors named as named_parameters()/named_buffers() name them, the architecture
// config and the training summary as JSON strings in the header metadata ("bp.config", "bp.summary").
// Written to a temporary file and renamed into place.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bp/models/zoo.h"

namespace bp::io {

struct NamedBuffer;  // io/safetensors.h

/// One F32/F64 tensor as the little-endian bytes safetensors stores, copied to the host first when it lives
/// on a GPU. Shared by save_model and save_gpt (io/gpt_file.h).
NamedBuffer tensor_to_buffer(const std::string& name, const Tensor& t);

/// The F32/F64 tensor a loaded buffer holds; F16 and BF16 (as PyTorch saves half-precision weights) are
/// converted to F32. DataError naming `path` and the tensor for any other dtype.
Tensor buffer_to_tensor(const std::string& path, const NamedBuffer& b);

/// Sum of the element counts of `tensors` (a file's tensor table).
int64_t total_elements(const std::vector<NamedBuffer>& tensors);

/// The largest model a file may describe: 2^28 parameters (1 GiB of float32).
inline constexpr int64_t max_model_parameters = int64_t{1} << 28;
/// A config describing more parameters than its file's tensors hold is refused before building only above this
/// (2^24, 64 MB of float32): a smaller one is built and its first mismatching tensor named.
inline constexpr int64_t small_model_parameters = int64_t{1} << 24;

void save_model(const std::string& path, const models::Model& model,
                const nlohmann::json& summary = nlohmann::json::object());

struct LoadedModel {
    models::Model model;
    nlohmann::json summary;
};

/// DataError naming the file when it is missing, not a regular file, corrupt, has no config, names an unknown
/// architecture or activation, describes more parameters than its tensors hold or than max_model_parameters
/// (checked before anything is allocated), or a tensor's name or shape does not match the architecture (the
/// message names the tensor and both shapes). PyTorch's BatchNorm "num_batches_tracked" counters are ignored.
LoadedModel load_model(const std::string& path);

/// The same for weights without "bp.config" (e.g. a PyTorch state_dict written with safetensors): the zoo model
/// `architecture` with its default options, every tensor of it checked by name and shape (DataError naming the
/// tensor and both shapes; a tensor the model does not have is named too). A file that has a config must name
/// the same model. ConfigError (a usage mistake) when `architecture` is not in the zoo.
/// Example: io::LoadedModel m = io::load_model("state_dict.safetensors", "cnn");
LoadedModel load_model(const std::string& path, const std::string& architecture);

}  // namespace bp::io
