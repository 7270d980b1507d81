// image.h — decodes PNG and JPEG files (any size, grey, grey+alpha, RGB or RGBA) into one grey channel of
// floats, without Qt (stb_image underneath). It does not resize or normalise: see data/preprocess.h.
#pragma once

#include <string>
#include <vector>

namespace bp::io {

/// A grey image: width * height values in [0, 1], row-major, 0 = black, 1 = white.
struct GrayImage {
    int width = 0, height = 0;
    std::vector<float> pixels;  ///< [height, width]

    float at(int x, int y) const { return pixels[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)]; }
};

/// The largest picture decoded: 64 Mpixel (a decoded RGBA picture of that size takes 256 MB), checked from the
/// header before anything is decoded; and the largest picture file read: 256 MiB.
inline constexpr long long max_image_pixels = 64ll * 1024 * 1024;
inline constexpr unsigned long long max_image_file_bytes = 256ull << 20;
/// The most a caller may raise the pixel limit to: 256 Mpixel (stb_image's decoded size must fit an int).
inline constexpr long long max_image_pixels_cap = 256ll * 1024 * 1024;

/// Reads a PNG or JPEG file (the format is detected from the content, not the extension). Colour becomes
/// luma (0.299 R + 0.587 G + 0.114 B, as ITU-R BT.601 and PIL's convert("L") do); a transparent pixel is
/// composited over white, so a drawing on a transparent canvas reads as ink on paper. Thread-safe.
/// Throws bp::DataError naming the file for a missing, unreadable or special file (FIFO, device), a file over
/// max_image_file_bytes, a picture over max_image_pixels and, with stb_image's reason, a corrupt or
/// unsupported one.
/// max_pixels replaces max_image_pixels (`backprop predict --max-picture-mpixel`); at most max_image_pixels_cap.
/// Example: GrayImage img = load_gray_image("digit.png");  // img.pixels.size() == width * height
GrayImage load_gray_image(const std::string& path, long long max_pixels = max_image_pixels);

/// The same from bytes in memory; name is only used in error messages.
GrayImage decode_gray_image(const unsigned char* bytes, size_t size, const std::string& name,
                            long long max_pixels = max_image_pixels);

}  // namespace bp::io
