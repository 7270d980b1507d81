// data_test_util.h — small helpers shared by the data/io/metrics tests: run a call that must throw a
// given bp::Error subclass and return its message, write raw or gzip bytes to a file.
// Test-only; the engine never includes this.
#pragma once

#include <QtTest>

#include <fstream>
#include <stdexcept>
#include <string>

#include <zlib.h>

#include <QDir>
#include <vector>

#include "bp/data/dataset.h"
#include "bp/data/idx.h"

namespace bp_test {

/// Loads the real MNIST from the data directory; false (with the reason and what to run) when it is not there.
inline bool load_mnist(bp::data::ImageDataset& train, bp::data::ImageDataset& test, QString* why) {
    try {
        const std::string dir = bp::data::resolve_data_dir("");
        train = bp::data::load_image_dataset(dir, "mnist", "train");
        test = bp::data::load_image_dataset(dir, "mnist", "test");
        return true;
    } catch (const std::exception& e) {  // bp::DataError when the files are missing or damaged
        *why = QString("MNIST is not available (%1); run scripts/setup.sh").arg(e.what());
        return false;
    }
}

/// Writes count 28×28 images and their labels as <folder>/<prefix>-images-idx3-ubyte and -labels-idx1-ubyte:
/// class c (= (7i + seed) mod classes) is a bright block in cell c of a ⌈√classes⌉² grid on a dim, seeded
/// noise background. Learnable to ~100% in a couple of epochs; prefix "train" or "t10k".
inline void write_blocks_split(const std::string& folder, const std::string& prefix, int64_t count, uint32_t seed,
                               int classes = 4) {
    QDir().mkpath(QString::fromStdString(folder));
    int grid = 1;
    while (grid * grid < classes) ++grid;
    const int cell = 28 / grid, block = cell * 5 / 7;
    std::vector<uint8_t> px(static_cast<size_t>(count * 28 * 28)), lb(static_cast<size_t>(count));
    uint32_t s = seed;
    auto rnd = [&s] { return (s = s * 1664525u + 1013904223u) >> 24; };  // 0..255
    for (int64_t i = 0; i < count; ++i) {
        const int c = static_cast<int>((i * 7 + seed) % classes);
        lb[static_cast<size_t>(i)] = static_cast<uint8_t>(c);
        const int r0 = (c / grid) * cell + (cell - block) / 2, c0 = (c % grid) * cell + (cell - block) / 2;
        for (int r = 0; r < 28; ++r)
            for (int k = 0; k < 28; ++k) {
                const bool on = r >= r0 && r < r0 + block && k >= c0 && k < c0 + block;
                px[static_cast<size_t>((i * 28 + r) * 28 + k)] = static_cast<uint8_t>(on ? 200 + rnd() / 5 : rnd() / 6);
            }
    }
    bp::data::write_idx(folder + "/" + prefix + "-images-idx3-ubyte", {count, 28, 28}, px);
    bp::data::write_idx(folder + "/" + prefix + "-labels-idx1-ubyte", {count}, lb);
}

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
