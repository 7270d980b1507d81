// safetensors.h — read and write the safetensors format: an 8-byte little-endian header length N,
// N bytes of JSON (name -> dtype, shape, data_offsets; optional "__metadata__" string map), raw data.
// Files we write load with Python's `safetensors` package. Buffers are plain bytes, not Tensors.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bp::io {

/// One named tensor as raw little-endian bytes. dtype: "F32", "F64", "F16", "BF16", "I64", "I32", "U8".
struct NamedBuffer {
    std::string name;
    std::string dtype;
    std::vector<int64_t> shape;
    std::vector<uint8_t> bytes;  ///< numel(shape) * dtype_size(dtype) bytes, row-major
};

/// Everything in a safetensors file, tensors sorted by name.
struct SafetensorsFile {
    std::vector<NamedBuffer> tensors;
    std::map<std::string, std::string> metadata;
    /// The tensor called name, or nullptr. Example: if (auto* w = f.find("fc1.weight")) ...
    const NamedBuffer* find(const std::string& name) const;
};

/// Bytes per element of a safetensors dtype; 0 for an unknown dtype.
int64_t safetensors_dtype_size(const std::string& dtype);

/// Writes the tensors (data in name order, contiguous from offset 0, header padded with spaces to a
/// multiple of 8) and the metadata atomically. Throws bp::DataError naming the file and the tensor for
/// an unknown dtype, a negative dim, a byte count that does not fit the shape, or a duplicate name.
/// Example: save_safetensors("mlp.safetensors", {{"fc1.weight", "F32", {128, 784}, bytes}}, {{"arch", cfg}});
void save_safetensors(const std::string& path, const std::vector<NamedBuffer>& tensors,
                      const std::map<std::string, std::string>& metadata);

/// Reads and validates a safetensors file. Throws bp::DataError naming the file (and the tensor, where
/// one is at fault) for a short file, an insane header length, bad JSON, an unknown dtype, a bad shape,
/// offsets outside the data section, a size that does not match the shape, or overlapping/gapped data.
SafetensorsFile load_safetensors(const std::string& path);

}  // namespace bp::io
