// atomic_file.cpp — POSIX implementation of write_file_atomic (open, write, fsync, rename, fsync dir)
// and read_file. Errors carry strerror(errno) and the path; nothing here prints or exits.
#include "bp/io/atomic_file.h"

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

std::string read_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw DataError("read_file: cannot open '" + path + "'; got " + std::strerror(errno) +
                        "; check the path");
    if (S_ISDIR(st.st_mode))
        throw DataError("read_file: '" + path + "' is a directory; got a folder where a file was expected; "
                        "pass the path of a file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw DataError("read_file: cannot open '" + path + "'; got " + std::strerror(errno) +
                        "; check that the file is readable");
    std::ostringstream os;
    os << in.rdbuf();
    if (in.bad())
        throw DataError("read_file: cannot read '" + path + "'; got an I/O error; check the disk and the file");
    return os.str();
}

}  // namespace bp::io
