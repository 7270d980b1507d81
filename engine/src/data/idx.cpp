// idx.cpp — IDX parsing: magic, type, rank and dims from the big-endian header, then an exact payload size.
// gzip input is inflated in memory with zlib (all members, so concatenated gzip files work too).
// Every error message names the file and says what to do about it.
#include "bp/data/idx.h"

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "bp/errors.h"
#include "bp/io/atomic_file.h"

namespace bp::data {
namespace {

constexpr uint8_t idx_type_ubyte = 0x08;
constexpr int idx_max_dims = 4;
constexpr const char* refetch_hint = "the file is truncated; re-run scripts/setup.sh to fetch it again";

std::string type_name(uint8_t type) {
    switch (type) {
        case 0x08: return "unsigned byte (0x08)";
        case 0x09: return "signed byte (0x09)";
        case 0x0B: return "short (0x0B)";
        case 0x0C: return "int (0x0C)";
        case 0x0D: return "float (0x0D)";
        case 0x0E: return "double (0x0E)";
        default: {
            std::ostringstream os;
            os << "unknown type 0x" << std::hex << static_cast<int>(type);
            return os.str();
        }
    }
}

std::string hex_bytes(const uint8_t* p, size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        if (i) s += ' ';
        s += digits[p[i] >> 4];
        s += digits[p[i] & 0xF];
    }
    return s;
}

bool is_gzip(const std::string& bytes) {
    return bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == 0x1f && static_cast<uint8_t>(bytes[1]) == 0x8b;
}

/// Reads the whole file; DataError naming the path when it is missing or unreadable.
std::string read_all(const std::string& path) {
    try {
        return io::read_file(path);
    } catch (const DataError& e) {
        throw DataError(std::string("read_idx: ") + e.what());
    }
}

/// Inflates a gzip buffer (every member), but never more than `max_out` bytes: a gzip bomb stops there and
/// the caller sees `max_out` bytes. DataError naming the file when the stream is corrupt or cut short.
std::string gunzip(const std::string& path, const std::string& in, uint64_t max_out) {
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        throw DataError("read_idx: cannot start zlib for '" + path + "'; got " + (zs.msg ? zs.msg : "no message") +
                        "; this is a zlib installation problem");
    std::string out;
    char chunk[1 << 16];
    size_t fed = 0;
    auto feed = [&] {
        if (zs.avail_in == 0 && fed < in.size()) {
            const size_t n = std::min<size_t>(in.size() - fed, 1u << 30);
            zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + fed));
            zs.avail_in = static_cast<uInt>(n);
            fed += n;
        }
    };
    feed();
    int rc = Z_OK;
    while (out.size() < max_out) {
        zs.next_out = reinterpret_cast<Bytef*>(chunk);
        zs.avail_out = static_cast<uInt>(std::min<uint64_t>(sizeof(chunk), max_out - out.size()));
        const uInt asked = zs.avail_out;
        rc = inflate(&zs, Z_NO_FLUSH);
        out.append(chunk, asked - zs.avail_out);
        feed();
        if (rc == Z_STREAM_END) {
            if (zs.avail_in == 0) break;
            // Another gzip member follows (concatenated .gz files are valid gzip).
            if (inflateReset(&zs) != Z_OK) break;
            continue;
        }
        if (rc != Z_OK) break;
        if (zs.avail_in == 0 && zs.avail_out != 0) break;  // input exhausted mid-stream
    }
    const bool ok = rc == Z_STREAM_END || out.size() >= max_out;
    const std::string msg = zs.msg ? zs.msg : "unexpected end of the compressed data";
    inflateEnd(&zs);
    if (!ok)
        throw DataError("read_idx: '" + path + "' is not a valid gzip file; got zlib error \"" + msg + "\" after " +
                        std::to_string(out.size()) + " bytes; " + refetch_hint);
    return out;
}

struct Header {
    std::vector<int64_t> dims;
    size_t payload_offset = 0;
    uint64_t payload_size = 0;
};

Header parse_header(const std::string& path, const std::string& bytes) {
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    if (bytes.size() < 4)
        throw DataError("read_idx: '" + path + "' is too short to be an IDX file; got " +
                        std::to_string(bytes.size()) + " bytes, expected at least 4; " + refetch_hint);
    if (p[0] != 0 || p[1] != 0)
        throw DataError("read_idx: '" + path + "' has a bad magic number; got bytes " + hex_bytes(p, 4) +
                        ", expected 00 00 08 <ndims>; this is not an IDX file (or it is compressed with "
                        "something other than gzip)");
    if (p[2] != idx_type_ubyte)
        throw DataError("read_idx: '" + path + "' has element type " + type_name(p[2]) +
                        "; only unsigned byte (0x08) is supported; convert the file to ubyte IDX");
    const int ndims = p[3];
    if (ndims < 1 || ndims > idx_max_dims)
        throw DataError("read_idx: '" + path + "' has " + std::to_string(ndims) +
                        " dimensions; got ndims byte " + std::to_string(ndims) +
                        ", expected 1 to 4; the file is corrupt");
    const size_t header_size = 4 + 4 * static_cast<size_t>(ndims);
    if (bytes.size() < header_size)
        throw DataError("read_idx: '" + path + "' ends inside its header; got " + std::to_string(bytes.size()) +
                        " bytes, expected at least " + std::to_string(header_size) + "; " + refetch_hint);
    Header h;
    h.payload_offset = header_size;
    h.payload_size = 1;
    for (int i = 0; i < ndims; ++i) {
        const uint8_t* d = p + 4 + 4 * i;
        const uint32_t v = (uint32_t{d[0]} << 24) | (uint32_t{d[1]} << 16) | (uint32_t{d[2]} << 8) | uint32_t{d[3]};
        if (v == 0)
            throw DataError("read_idx: '" + path + "' has a zero-sized dimension " + std::to_string(i) +
                            "; got dims " + shape_str(h.dims) + " so far; the file is corrupt");
        h.dims.push_back(v);
        if (__builtin_mul_overflow(h.payload_size, uint64_t{v}, &h.payload_size))
            throw DataError("read_idx: '" + path + "' declares an impossibly large payload; got dims " +
                            shape_str(h.dims) + "; the file is corrupt");
    }
    return h;
}

DataError too_short(const std::string& path, const Header& h, uint64_t actual) {
    return DataError("read_idx: '" + path + "' is too short for dims " + shape_str(h.dims) + "; expected " +
                     std::to_string(h.payload_size) + " payload bytes, got " + std::to_string(actual) + "; " +
                     refetch_hint);
}

DataError trailing(const std::string& path, const Header& h, uint64_t actual) {
    return DataError("read_idx: '" + path + "' has " + std::to_string(actual - h.payload_size) +
                     " trailing bytes after the payload; expected " + std::to_string(h.payload_size) +
                     " payload bytes for dims " + shape_str(h.dims) + ", got " + std::to_string(actual) +
                     "; the file is corrupt, re-run scripts/setup.sh to fetch it again");
}

/// The file's bytes, inflated if gzip, but never more than `max_out` bytes.
std::string load_bytes(const std::string& path, uint64_t max_out) {
    std::string raw = read_all(path);
    if (!is_gzip(raw)) return raw;
    return gunzip(path, raw, max_out);
}

/// At most the first 4 + 4 * idx_max_dims bytes of the (inflated) file; gzread passes raw files through
/// (`*raw` says whether it did: the file is not gzip).
std::string load_header_bytes(const std::string& path, bool* raw = nullptr) {
    try {
        io::check_regular_file(path, io::default_max_file_bytes, "IDX file");  // gzopen would wait on a FIFO
    } catch (const DataError& e) {
        throw DataError(std::string("read_idx: ") + e.what());
    }
    errno = 0;
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f)
        throw DataError("read_idx: cannot open '" + path + "'; got " +
                        (errno ? std::strerror(errno) : "out of memory") + "; check the path");
    char buf[4 + 4 * idx_max_dims];
    const int n = gzread(f, buf, sizeof(buf));
    if (raw) *raw = gzdirect(f) == 1;
    int zerr = Z_OK;
    const std::string zmsg = gzerror(f, &zerr);
    gzclose(f);
    // A gzip stream cut short gives its first bytes and Z_BUF_ERROR ("unexpected end of file").
    if (n < 0 || (zerr != Z_OK && zerr != Z_STREAM_END))
        throw DataError("read_idx: '" + path + "' is not a valid gzip file; cannot read its header, got \"" + zmsg + "\"; " + refetch_hint);
    return std::string(buf, static_cast<size_t>(n));
}

// The payload of an uncompressed file, read straight into the array (one pass over the pages: MNIST's 47 MB
// of training images is read in ~0.1 s instead of the ~0.5 s of reading it whole and copying it twice). The
// file's size is checked against its header before anything is allocated.
std::vector<uint8_t> read_raw_payload(const std::string& path, const Header& h) {
    // O_NONBLOCK: should the path be swapped for a FIFO after the header was read, open does not wait.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        throw DataError("read_idx: cannot open '" + path + "'; got " + std::strerror(errno) + "; check the path");
    struct FdCloser {
        int fd;
        ~FdCloser() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        throw DataError("read_idx: '" + path + "' is not a regular file; save the data to a file first");
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    const uint64_t actual = size > h.payload_offset ? size - h.payload_offset : 0;
    if (actual < h.payload_size) throw too_short(path, h, actual);
    if (actual > h.payload_size) throw trailing(path, h, actual);
    std::vector<uint8_t> data;
    data.reserve(static_cast<size_t>(h.payload_size));
#if defined(MADV_HUGEPAGE)
    // Where transparent huge pages are opt-in, ask for them before the pages are first touched: a 4 KiB page
    // fault costs ~10 µs in the VMs this runs on, and 47 MB is 11,500 of them.
    const auto begin = reinterpret_cast<uintptr_t>(data.data()), huge = uintptr_t{2} << 20;
    const uintptr_t first = (begin + huge - 1) & ~(huge - 1), last = (begin + data.capacity()) & ~(huge - 1);
    if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#endif
    data.resize(static_cast<size_t>(h.payload_size));
    uint64_t got = 0;
    while (got < h.payload_size) {
        const ssize_t n = ::pread(fd, data.data() + got, static_cast<size_t>(h.payload_size - got),
                                  static_cast<off_t>(h.payload_offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            throw DataError("read_idx: cannot read '" + path + "'; got " + std::strerror(errno) +
                            "; check the disk and the file");
        if (n == 0) throw too_short(path, h, got);  // the file shrank while it was read
        got += static_cast<uint64_t>(n);
    }
    return data;
}

}  // namespace

IdxArray read_idx(const std::string& path) {
    // The header first (a few bytes, inflated if gzip), then at most the bytes it implies plus one to see a
    // trailing excess: an 18 MB .gz of 4 GiB of zeros is never inflated whole.
    bool raw = false;
    const Header declared = parse_header(path, load_header_bytes(path, &raw));
    if (declared.payload_size > io::default_max_file_bytes)
        throw DataError("read_idx: '" + path + "' declares dims " + shape_str(declared.dims) + ", " +
                        std::to_string(declared.payload_size) + " bytes; the limit is " +
                        std::to_string(io::default_max_file_bytes) + " bytes; the file is corrupt or not a dataset");
    if (raw) return IdxArray{declared.dims, read_raw_payload(path, declared)};
    const std::string bytes = load_bytes(path, declared.payload_offset + declared.payload_size + 1);
    const Header h = parse_header(path, bytes);
    const uint64_t actual = bytes.size() - h.payload_offset;
    if (actual < h.payload_size) throw too_short(path, h, actual);
    if (actual > h.payload_size) throw trailing(path, h, actual);
    IdxArray out;
    out.dims = h.dims;
    out.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(h.payload_offset), bytes.end());
    return out;
}

std::vector<int64_t> read_idx_dims(const std::string& path) {
    return parse_header(path, load_header_bytes(path)).dims;
}

void write_idx(const std::string& path, const std::vector<int64_t>& dims, const std::vector<uint8_t>& data) {
    if (dims.empty() || dims.size() > static_cast<size_t>(idx_max_dims))
        throw DataError("write_idx: cannot write '" + path + "' with " + std::to_string(dims.size()) +
                        " dimensions; got dims " + shape_str(dims) + "; IDX files have 1 to 4 dimensions");
    uint64_t numel = 1;
    for (int64_t d : dims) {
        if (d < 1 || d > int64_t{0xFFFFFFFF})
            throw DataError("write_idx: cannot write '" + path + "' with dims " + shape_str(dims) +
                            "; got dimension " + std::to_string(d) + "; each must be in [1, 4294967295]");
        if (__builtin_mul_overflow(numel, static_cast<uint64_t>(d), &numel))
            throw DataError("write_idx: cannot write '" + path + "' with dims " + shape_str(dims) +
                            "; got a product that overflows 64 bits; pass dims that match the data");
    }
    if (numel != data.size())
        throw DataError("write_idx: cannot write '" + path + "': dims " + shape_str(dims) + " hold " +
                        std::to_string(numel) + " bytes; got " + std::to_string(data.size()) +
                        " data bytes; pass exactly the product of dims");
    std::string bytes;
    bytes.reserve(4 + 4 * dims.size() + data.size());
    bytes.push_back(0);
    bytes.push_back(0);
    bytes.push_back(static_cast<char>(idx_type_ubyte));
    bytes.push_back(static_cast<char>(dims.size()));
    for (int64_t d : dims) {
        const auto v = static_cast<uint32_t>(d);
        bytes.push_back(static_cast<char>(v >> 24));
        bytes.push_back(static_cast<char>(v >> 16));
        bytes.push_back(static_cast<char>(v >> 8));
        bytes.push_back(static_cast<char>(v));
    }
    bytes.append(reinterpret_cast<const char*>(data.data()), data.size());
    io::write_file_atomic(path, bytes);
}

}  // namespace bp::data
