// atomic_file.h — whole-file reads and crash-safe whole-file writes.
// A write goes to "<path>.tmp-<pid>-<counter>" in the same directory, is fsynced and renamed into place,
// so a reader sees either the old file or the new one, never half of it. Not a streaming API.
#pragma once

#include <cstdint>
#include <string>

namespace bp::io {

/// Writes `bytes` to `path` atomically (temp file + fsync + rename). Thread-safe: each call uses its own
/// temp name. Throws bp::Error naming the path and the system error; the temp file is removed on failure.
/// Example: write_file_atomic("report.json", json.dump(2));
void write_file_atomic(const std::string& path, const std::string& bytes);

/// Default cap of read_file: 4 GiB, more than any model, dataset or text file this project reads.
inline constexpr uint64_t default_max_file_bytes = 4ull << 30;

/// Reads the whole file at `path` as bytes. Only regular files are read (a FIFO, a device such as /dev/zero
/// or a socket is refused before it is opened, so nothing hangs or reads forever), and a file larger than
/// `max_bytes` is refused with its size and the limit. Throws bp::DataError naming the path if it is missing,
/// unreadable, not a regular file or too large. Example: std::string bytes = read_file("model.safetensors");
std::string read_file(const std::string& path, uint64_t max_bytes = default_max_file_bytes);

/// Throws bp::DataError naming `path` unless it is an existing regular file of at most `max_bytes` bytes
/// (`what` names the kind of file in the message, e.g. "picture"). Returns the file's size.
uint64_t check_regular_file(const std::string& path, uint64_t max_bytes, const std::string& what = "file");

/// Checks before any work that write_file_atomic(path, ...) can succeed later: the path is not empty and
/// does not name a folder, its folder exists and a temporary file can be created there (then removed).
/// Throws bp::Error naming the path and saying what to do. Example: check_writable("out/model.safetensors").
void check_writable(const std::string& path);

/// Async-signal-safe: removes the temporary file a write_file_atomic on any thread is writing right now (if
/// any). A signal handler calls it before _exit so that an interrupted save leaves no "<path>.tmp-..." file.
void remove_pending_temp_file() noexcept;

}  // namespace bp::io
