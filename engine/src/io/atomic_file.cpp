// atomic_file.cpp — POSIX implementation of write_file_atomic (open, write, fsync, rename, fsync dir)
// and read_file. Errors carry strerror(errno) and the path; nothing here prints or exits.
#include "bp/io/atomic_file.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bp/errors.h"

namespace bp::io {
namespace {

std::atomic<uint64_t> temp_counter{0};

// The temporary files being written right now, for remove_pending_temp_file() in a signal handler: a slot is
// claimed (0 -> 1), its path filled in, then published (1 -> 2); the handler unlinks only published paths.
struct PendingSlot {
    std::atomic<int> state{0};
    char path[4096];
};
PendingSlot pending[8];

int publish_pending(const std::string& tmp) {
    if (tmp.size() >= sizeof(pending[0].path)) return -1;
    for (int i = 0; i < 8; ++i) {
        int expected = 0;
        if (pending[i].state.compare_exchange_strong(expected, 1)) {
            std::memcpy(pending[i].path, tmp.c_str(), tmp.size() + 1);
            pending[i].state.store(2);
            return i;
        }
    }
    return -1;  // more than 8 writes at once: that one is not cleaned up by a signal
}

void retire_pending(int slot) {
    if (slot >= 0) pending[slot].state.store(0);
}

std::string parent_dir(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

[[noreturn]] void fail(const std::string& path, const std::string& what, int err, const std::string& tmp) {
    if (!tmp.empty()) ::unlink(tmp.c_str());
    throw Error("write_file_atomic: cannot " + what + " for '" + path + "'; got " + std::strerror(err) +
                "; check that the directory exists, is writable and the disk is not full");
}

}  // namespace

void write_file_atomic(const std::string& path, const std::string& bytes) {
    if (path.empty()) throw Error("write_file_atomic: the path is empty; got \"\"; pass a file name");
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(temp_counter++);

    const int slot = publish_pending(tmp);
    struct Retire {
        int slot;
        ~Retire() { retire_pending(slot); }
    } retire{slot};
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) fail(path, "create temporary file '" + tmp + "'", errno, "");

    const char* p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            fail(path, "write temporary file '" + tmp + "'", err, tmp);
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        fail(path, "fsync temporary file '" + tmp + "'", err, tmp);
    }
    if (::close(fd) != 0) fail(path, "close temporary file '" + tmp + "'", errno, tmp);
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail(path, "rename '" + tmp + "' into place", errno, tmp);

    // Make the rename itself durable; a failure here does not undo a completed write, so it is ignored.
    const int dir_fd = ::open(parent_dir(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        ::fsync(dir_fd);
        ::close(dir_fd);
    }
}

void remove_pending_temp_file() noexcept {
    for (PendingSlot& p : pending)
        if (p.state.load() == 2) ::unlink(p.path);
}

void check_writable(const std::string& path) {
    if (path.empty()) throw Error("output path is empty; got \"\"; pass a file name");
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode))
            throw Error("cannot write '" + path + "': it is a folder; pass a file name inside it");
        if (!S_ISREG(st.st_mode))
            throw Error("cannot write '" + path + "': it exists and is not a regular file; pass another name");
    }
    const std::string dir = parent_dir(path);
    if (::stat(dir.c_str(), &st) != 0)
        throw Error("cannot write '" + path + "': its folder '" + dir + "' does not exist (" + std::strerror(errno) +
                    "); create it first");
    if (!S_ISDIR(st.st_mode))
        throw Error("cannot write '" + path + "': '" + dir + "' is not a folder; check the path");
    const std::string probe = path + ".tmp-" + std::to_string(::getpid()) + "-check";
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error("cannot write '" + path + "': creating a file in '" + dir + "' failed (" + std::strerror(errno) +
                    "); check that the folder is writable");
    ::close(fd);
    ::unlink(probe.c_str());
}

uint64_t check_regular_file(const std::string& path, uint64_t max_bytes, const std::string& what) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw DataError("read_file: cannot open '" + path + "'; got " + std::strerror(errno) + "; check the path");
    if (S_ISDIR(st.st_mode))
        throw DataError("read_file: '" + path + "' is a directory; got a folder where a " + what +
                        " was expected; pass the path of a file");
    if (!S_ISREG(st.st_mode))
        throw DataError("read_file: '" + path + "' is not a regular file; got a " +
                        (S_ISFIFO(st.st_mode) ? std::string("FIFO (named pipe)")
                         : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? std::string("device")
                         : S_ISSOCK(st.st_mode)                      ? std::string("socket")
                                                                     : std::string("special file")) +
                        " where a " + what + " was expected; save the data to a file first");
    const auto size = static_cast<uint64_t>(st.st_size);
    if (size > max_bytes)
        throw DataError("read_file: '" + path + "' is too large for a " + what + "; got " + std::to_string(size) +
                        " bytes, the limit is " + std::to_string(max_bytes) + " bytes");
    return size;
}

std::string read_file(const std::string& path, uint64_t max_bytes) {
    check_regular_file(path, max_bytes);
    // O_NONBLOCK: should the path be swapped for a FIFO after the check, open does not wait for a writer.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        throw DataError("read_file: cannot open '" + path + "'; got " + std::strerror(errno) +
                        "; check that the file is readable");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw DataError("read_file: '" + path + "' is not a regular file; save the data to a file first");
    }
    std::string out;
    out.resize(static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(st.st_size), max_bytes)));
    size_t got = 0;
    while (true) {
        if (got == out.size()) {
            // The file grew after fstat: read on, up to the cap.
            if (out.size() >= max_bytes) {
                char extra;
                const ssize_t n = ::read(fd, &extra, 1);
                if (n > 0) {
                    ::close(fd);
                    throw DataError("read_file: '" + path + "' grew past the limit of " + std::to_string(max_bytes) +
                                    " bytes while it was read");
                }
                break;
            }
            out.resize(std::min<uint64_t>(max_bytes, out.size() + 65536));
        }
        const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            throw DataError("read_file: cannot read '" + path + "'; got " + std::strerror(err) +
                            "; check the disk and the file");
        }
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    ::close(fd);
    out.resize(got);
    return out;
}

}  // namespace bp::io
