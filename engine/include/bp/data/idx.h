// idx.h — reader and writer for the IDX format used by MNIST and Fashion-MNIST (raw or gzip).
// Only the unsigned-byte element type (0x08) is supported; that is all these datasets use.
// This is a file format layer: it knows nothing of images, labels or datasets (see dataset.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bp::data {

/// An IDX file in memory: its dimensions (outermost first) and its row-major ubyte payload.
struct IdxArray {
    std::vector<int64_t> dims;
    std::vector<uint8_t> data;
};

/// Reads an IDX ubyte file, raw or gzip (detected by the magic bytes 1f 8b, not by the extension).
/// Throws bp::DataError naming the file for a missing file, a bad magic, a non-ubyte type, a bad rank,
/// a zero dimension, a truncated payload or trailing bytes.
/// Example: IdxArray labels = read_idx(dir + "/t10k-labels-idx1-ubyte");  // dims {10000}
IdxArray read_idx(const std::string& path);

/// Reads only the header of an IDX ubyte file (raw or gzip) and returns its dimensions; the payload is
/// not read or checked. Cheap enough to list datasets. Throws bp::DataError like read_idx.
std::vector<int64_t> read_idx_dims(const std::string& path);

/// Writes an uncompressed IDX ubyte file atomically (temp file + rename). dims: 1 to 4 values, each in
/// [1, 2^32 - 1], whose product equals data.size(); otherwise throws bp::DataError naming the file.
/// Example: write_idx("labels-idx1-ubyte", {3}, {7, 2, 1});
void write_idx(const std::string& path, const std::vector<int64_t>& dims, const std::vector<uint8_t>& data);

}  // namespace bp::data
