// image.cpp — PNG/JPEG decoding through stb_image (the one translation unit that defines its
// implementation), then colour → luma and alpha → composited over white. No resizing here.
#include "bp/io/image.h"

#include <algorithm>
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>

#include "bp/errors.h"
#include "bp/io/atomic_file.h"

// Only the decoders we document; stb's own warnings are not ours to fix.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO  // we read the file ourselves, so a missing file gets a clear message
#define STBI_FAILURE_USERMSG
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

namespace bp::io {

namespace {

/// Checks every Huffman table (DHT segment) of a JPEG holds at most 256 codes. Debian's stb_image (2.26)
/// trusts the 16 counts: a sum above 256 writes past its 257-byte size table and 255-byte value table (found
/// by the image fuzz target, UBSan: "index 296 out of bounds for stbi_uc[257]"); upstream checks since 2.27.
/// Every FF C4 in the file is looked at (progressive JPEGs have tables between scans; entropy-coded data never
/// holds FF C4). Returns an empty string when all tables are sane or it is not a JPEG.
/// "64" for 64 Mpixel, "0.5" for half of one.
std::string mpixel_text(long long pixels) {
    const double m = static_cast<double>(pixels) / (1024.0 * 1024.0);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", m);
    return buf;
}

std::string jpeg_huffman_problem(const unsigned char* p, size_t n) {
    if (n < 4 || p[0] != 0xFF) return {};  // stb takes "FF FF ... D8" as a start of image too
    for (size_t i = 2; i + 4 <= n; ++i) {
        if (p[i] != 0xFF || p[i + 1] != 0xC4) continue;
        const size_t len = (size_t{p[i + 2]} << 8) | p[i + 3];
        const size_t end = std::min(n, i + 2 + len);
        // As stb reads them: a table starting inside the segment is read whole, even past the segment's end.
        for (size_t k = i + 4; k < end;) {
            size_t codes = 0;  // stb reads bytes past the end of the file as 0
            for (size_t b = k + 1; b < k + 17; ++b) codes += b < n ? p[b] : 0;
            if (codes > 256)
                return "corrupt JPEG: a Huffman table with " + std::to_string(codes) + " codes (at most 256 are possible)";
            k += 17 + codes;
        }
    }
    return {};
}

/// Checks that each PNG chunk up to IEND fits in the file: stb_image grows its buffer to a chunk's declared
/// length before reading it (a 72-byte file asked for 2 GiB; found by the image fuzz target).
std::string png_chunk_problem(const unsigned char* p, size_t n) {
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    if (n < 8 || std::memcmp(p, sig, 8) != 0) return {};
    for (size_t i = 8; i + 8 <= n;) {
        const uint64_t len = (uint64_t{p[i]} << 24) | (uint64_t{p[i + 1]} << 16) | (uint64_t{p[i + 2]} << 8) | p[i + 3];
        const std::string type(reinterpret_cast<const char*>(p + i + 4), 4);
        if (len + 12 > n - i) {
            std::string printable;
            for (char c : type) printable += (c >= 32 && c < 127) ? c : '?';
            return "corrupt PNG: chunk '" + printable + "' declares " + std::to_string(len) + " bytes but the file has " +
                   std::to_string(n - i) + " left";
        }
        if (type == "IEND") break;
        i += static_cast<size_t>(len) + 12;
    }
    return {};
}

}  // namespace

GrayImage decode_gray_image(const unsigned char* bytes, size_t size, const std::string& name, long long max_pixels) {
    max_pixels = std::clamp(max_pixels, 1ll, max_image_pixels_cap);
    if (size == 0) throw DataError("load_gray_image: '" + name + "' is empty; expected a PNG or JPEG image");
    if (size > static_cast<size_t>(std::numeric_limits<int>::max()))
        throw DataError("load_gray_image: '" + name + "' is too large (" + std::to_string(size) + " bytes)");
    std::string bad = jpeg_huffman_problem(bytes, size);
    if (bad.empty()) bad = png_chunk_problem(bytes, size);
    if (!bad.empty())
        throw DataError("load_gray_image: cannot decode '" + name + "': " + bad + "; expected a PNG or JPEG image");
    int w = 0, h = 0, channels = 0;
    // The size from the header first: a valid 389 KB PNG of 20000 x 20000 would otherwise take 3 GB.
    if (stbi_info_from_memory(bytes, static_cast<int>(size), &w, &h, &channels) &&
        static_cast<long long>(w) * static_cast<long long>(h) > max_pixels)
        throw DataError("load_gray_image: '" + name + "' is " + std::to_string(w) + " x " + std::to_string(h) +
                        " pixels; the limit is " + mpixel_text(max_pixels) + " Mpixel; scale the picture down first");
    std::unique_ptr<stbi_uc, void (*)(void*)> data(
        stbi_load_from_memory(bytes, static_cast<int>(size), &w, &h, &channels, 0), stbi_image_free);
    if (!data) {
        const char* reason = stbi_failure_reason();
        throw DataError("load_gray_image: cannot decode '" + name + "': " + (reason ? reason : "unknown reason") +
                        "; expected a PNG or JPEG image");
    }
    GrayImage img;
    img.width = w;
    img.height = h;
    const size_t n = static_cast<size_t>(w) * static_cast<size_t>(h);
    img.pixels.resize(n);
    const stbi_uc* p = data.get();  // [h, w, channels] bytes
    constexpr float inv255 = 1.0f / 255.0f;
    for (size_t i = 0; i < n; ++i, p += channels) {
        float grey, alpha = 1.0f;
        switch (channels) {
            case 1: grey = p[0] * inv255; break;
            case 2: grey = p[0] * inv255; alpha = p[1] * inv255; break;
            case 3: grey = (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) * inv255; break;
            default: grey = (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) * inv255; alpha = p[3] * inv255; break;
        }
        // Over white: a fully transparent pixel is paper, an opaque one is its own colour.
        img.pixels[i] = std::min(1.0f, alpha * grey + (1.0f - alpha));
    }
    return img;
}

GrayImage load_gray_image(const std::string& path, long long max_pixels) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw DataError("load_gray_image: '" + path + "' does not exist; check the path");
    if (std::filesystem::is_directory(path, ec))
        throw DataError("load_gray_image: '" + path + "' is a folder; expected a PNG or JPEG file");
    std::string bytes;
    try {
        bytes = read_file(path, max_image_file_bytes);  // regular files only: a FIFO or /dev/zero is refused
    } catch (const DataError& e) {
        throw DataError(std::string("load_gray_image: ") + e.what());
    }
    return decode_gray_image(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), path, max_pixels);
}

}  // namespace bp::io
