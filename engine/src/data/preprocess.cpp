// preprocess.cpp — MNIST-style normalisation of one digit picture: polarity, background, bounding box,
// scale to 20 px, centre of mass to the canvas centre. Plain loops over small buffers; the only pass over the
// whole input is finding the border median, the ink's extent and its peak.
#include "bp/data/preprocess.h"

#include <algorithm>
#include <cmath>

#include "bp/data/dataset.h"
#include "bp/errors.h"

namespace bp::data {
namespace {

constexpr float kInkThreshold = 0.1f;  // above the background by this much (after stretching) counts as ink

/// Median of the pixels on the outermost row and column on each side: the paper, in a photo or a scan.
float border_median(const GrayImage& img) {
    std::vector<float> border;
    const int w = img.width, h = img.height;
    border.reserve(static_cast<size_t>(2 * (w + h)));
    for (int x = 0; x < w; ++x) {
        border.push_back(img.at(x, 0));
        if (h > 1) border.push_back(img.at(x, h - 1));
    }
    for (int y = 1; y + 1 < h; ++y) {
        border.push_back(img.at(0, y));
        if (w > 1) border.push_back(img.at(w - 1, y));
    }
    auto mid = border.begin() + static_cast<std::ptrdiff_t>(border.size() / 2);
    std::nth_element(border.begin(), mid, border.end());
    return *mid;
}

/// One output sample of a 1-D resampling: a weighted sum of consecutive source samples.
struct Taps {
    int first = 0;
    std::vector<float> weights;
};

/// Weights that map src_n samples onto dst_n samples covering the same extent: the exact overlap of each
/// destination pixel with the source pixels when shrinking (area averaging, which keeps thin strokes as
/// grey instead of dropping them), linear interpolation between pixel centres when enlarging.
std::vector<Taps> resample_taps(int src_n, int dst_n) {
    std::vector<Taps> taps(static_cast<size_t>(dst_n));
    const double step = static_cast<double>(src_n) / dst_n;  // source px per destination px
    for (int j = 0; j < dst_n; ++j) {
        Taps& t = taps[static_cast<size_t>(j)];
        if (step >= 1.0) {
            const double lo = j * step, hi = (j + 1) * step;
            const int first = static_cast<int>(std::floor(lo)), last = std::min(src_n - 1, static_cast<int>(std::ceil(hi)) - 1);
            t.first = first;
            for (int i = first; i <= last; ++i) {
                const double overlap = std::min(hi, i + 1.0) - std::max(lo, static_cast<double>(i));
                t.weights.push_back(static_cast<float>(std::max(0.0, overlap) / step));
            }
        } else {
            const double u = std::clamp((j + 0.5) * step - 0.5, 0.0, static_cast<double>(src_n - 1));
            const int i0 = std::min(static_cast<int>(std::floor(u)), std::max(0, src_n - 2));
            const double f = u - i0;
            t.first = i0;
            t.weights.push_back(static_cast<float>(1.0 - f));
            if (src_n > 1) t.weights.push_back(static_cast<float>(f));
        }
    }
    return taps;
}

}  // namespace

std::vector<float> mnist_preprocess(const GrayImage& img, PreprocessInfo* info) {
    constexpr int side = mnist_side;
    std::vector<float> out(static_cast<size_t>(side * side), 0.0f);  // [28, 28]
    PreprocessInfo local;
    PreprocessInfo& inf = info ? *info : local;
    inf = PreprocessInfo{};
    const int w = img.width, h = img.height;
    if (w <= 0 || h <= 0 || img.pixels.size() != static_cast<size_t>(w) * static_cast<size_t>(h)) {
        if (w < 0 || h < 0 || img.pixels.size() != static_cast<size_t>(std::max(w, 0)) * static_cast<size_t>(std::max(h, 0)))
            throw DataError("mnist_preprocess: image of " + std::to_string(w) + "x" + std::to_string(h) + " has " +
                            std::to_string(img.pixels.size()) + " pixels; expected width * height");
        inf.empty = true;
        return out;
    }

    // 1–2. Polarity and background: ink becomes (v − background) / (1 − background), white on black.
    const float median = border_median(img);
    inf.inverted = median > 0.5f;
    const float bg = inf.inverted ? 1.0f - median : median;
    inf.background = bg;
    const float range = std::max(1e-6f, 1.0f - bg);
    std::vector<float> ink(img.pixels.size());  // [h, w]
    float peak = 0;
    for (size_t i = 0; i < ink.size(); ++i) {
        const float v = inf.inverted ? 1.0f - img.pixels[i] : img.pixels[i];
        ink[i] = std::max(0.0f, (v - bg) / range);
        peak = std::max(peak, ink[i]);
    }
    if (peak < kInkThreshold) {
        inf.empty = true;
        return out;
    }
    for (float& v : ink) v = std::min(1.0f, v / peak);

    // 3. Bounding box of the ink, then scale it so its longer side is 20 px.
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            if (ink[static_cast<size_t>(y) * w + x] > kInkThreshold) {
                x0 = std::min(x0, x), x1 = std::max(x1, x);
                y0 = std::min(y0, y), y1 = std::max(y1, y);
            }
    const int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    inf.bbox_x = x0, inf.bbox_y = y0, inf.bbox_width = bw, inf.bbox_height = bh;
    inf.scale = static_cast<double>(mnist_ink_box) / std::max(bw, bh);
    const int tw = std::clamp(static_cast<int>(std::lround(bw * inf.scale)), 1, mnist_ink_box);
    const int th = std::clamp(static_cast<int>(std::lround(bh * inf.scale)), 1, mnist_ink_box);

    // Separable resampling of the box: rows first ([bh, tw]), then columns ([th, tw]).
    const std::vector<Taps> tx = resample_taps(bw, tw), ty = resample_taps(bh, th);
    std::vector<float> rows(static_cast<size_t>(bh) * tw);  // [bh, tw]
    for (int y = 0; y < bh; ++y) {
        const float* src = ink.data() + static_cast<size_t>(y0 + y) * w + x0;
        for (int j = 0; j < tw; ++j) {
            const Taps& t = tx[static_cast<size_t>(j)];
            float s = 0;
            for (size_t k = 0; k < t.weights.size(); ++k) s += t.weights[k] * src[t.first + static_cast<int>(k)];
            rows[static_cast<size_t>(y) * tw + j] = s;
        }
    }
    std::vector<float> glyph(static_cast<size_t>(th) * tw, 0.0f);  // [th, tw]
    for (int i = 0; i < th; ++i) {
        const Taps& t = ty[static_cast<size_t>(i)];
        for (size_t k = 0; k < t.weights.size(); ++k) {
            const float wk = t.weights[k];
            const float* src = rows.data() + static_cast<size_t>(t.first + static_cast<int>(k)) * tw;
            for (int j = 0; j < tw; ++j) glyph[static_cast<size_t>(i) * tw + j] += wk * src[j];
        }
    }

    // 4. Centre of mass (pixel-centre coordinates) to MNIST's mean centre of mass, keeping the box on the canvas.
    double mass = 0, mx = 0, my = 0;
    for (int i = 0; i < th; ++i)
        for (int j = 0; j < tw; ++j) {
            const double v = glyph[static_cast<size_t>(i) * tw + j];
            mass += v, mx += v * (j + 0.5), my += v * (i + 0.5);
        }
    const double cx = mass > 0 ? mx / mass : tw / 2.0, cy = mass > 0 ? my / mass : th / 2.0;
    // Not the canvas centre (14, 14): MNIST's own mean centre of mass, half a pixel further (preprocess.h).
    const double ox = std::clamp(mnist_centre_of_mass_x - cx, 0.0, static_cast<double>(side - tw));
    const double oy = std::clamp(mnist_centre_of_mass_y - cy, 0.0, static_cast<double>(side - th));
    inf.offset_x = ox, inf.offset_y = oy;
    inf.com_shift_x = ox - (side - tw) / 2.0;
    inf.com_shift_y = oy - (side - th) / 2.0;

    // Place with a sub-pixel shift: out(X, Y) = glyph sampled bilinearly at (X − ox, Y − oy), zero outside.
    // A linear-interpolation shift keeps the mass and moves the centre of mass by exactly (ox, oy).
    const int kx = static_cast<int>(std::floor(ox)), ky = static_cast<int>(std::floor(oy));
    const float fx = static_cast<float>(ox - kx), fy = static_cast<float>(oy - ky);
    auto g = [&](int i, int j) -> float {
        return (i < 0 || j < 0 || i >= th || j >= tw) ? 0.0f : glyph[static_cast<size_t>(i) * tw + j];
    };
    for (int Y = ky; Y <= std::min(side - 1, ky + th); ++Y)
        for (int X = kx; X <= std::min(side - 1, kx + tw); ++X) {
            const int i = Y - ky, j = X - kx;  // glyph pixel that lands here without the fractional part
            const float v = (1 - fy) * ((1 - fx) * g(i, j) + fx * g(i, j - 1)) + fy * ((1 - fx) * g(i - 1, j) + fx * g(i - 1, j - 1));
            out[static_cast<size_t>(Y) * side + X] = std::clamp(v, 0.0f, 1.0f);
        }
    return out;
}

std::vector<float> normalize_mnist(const std::vector<float>& px01) {
    std::vector<float> out(px01.size());
    const float scale = static_cast<float>(1.0 / mnist_std), shift = static_cast<float>(-mnist_mean / mnist_std);
    for (size_t i = 0; i < px01.size(); ++i) out[i] = px01[i] * scale + shift;
    return out;
}

}  // namespace bp::data
