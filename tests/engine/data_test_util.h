// data_test_util.h — small helpers shared by the data/io/metrics tests: run a call that must throw a
// given bp::Error subclass and return its message, write raw or gzip bytes to a file.
// Test-only; the engine never includes this.
#pragma once

#include <QtTest>

#include <fstream>
#include <stdexcept>
#include <string>

#include <zlib.h>

namespace bp_test {

/// Runs f; returns the message of the E it throws, or a text starting "WRONG:" that makes checks fail.
template <typename E, typename F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("WRONG: threw a different type: ") + e.what();
    }
    return "WRONG: did not throw";
}

inline bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// gzip-compresses bytes in memory (a full gzip member, as `gzip` writes it).
inline std::string gzip_bytes(const std::string& bytes) {
    z_stream zs{};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    std::string out(deflateBound(&zs, bytes.size()) + 32, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    zs.avail_in = static_cast<uInt>(bytes.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
    return out;
}

}  // namespace bp_test

/// Asserts that msg contains needle, printing the whole message when it does not.
#define BP_VERIFY_CONTAINS(msg, needle)                                                              \
    QVERIFY2(bp_test::contains((msg), (needle)),                                                     \
             qPrintable(QString::fromStdString(std::string("expected \"") + (needle) + "\" in: " + (msg))))
