// atomic_file.h — whole-file reads and crash-safe whole-file writes.
// A write goes to "<path>.tmp-<pid>-<counter>" in the same directory, is fsynced and renamed into place,
// so a reader sees either the old file or the new one, never half of it. Not a streaming API.
#pragma once

#include <string>

namespace bp::io {

/// Writes `bytes` to `path` atomically (temp file + fsync + rename). Thread-safe: each call uses its own
/// temp name. Throws bp::Error naming the path and the system error; the temp file is removed on failure.
/// Example: write_file_atomic("report.json", json.dump(2));
void write_file_atomic(const std::string& path, const std::string& bytes);

/// Reads the whole file at `path` as bytes. Throws bp::DataError naming the path if it is missing or
/// unreadable. Example: std::string bytes = read_file("model.safetensors");
std::string read_file(const std::string& path);

}  // namespace bp::io
