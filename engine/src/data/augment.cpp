// augment.cpp — random affine augmentation: draw (shift, rotation, scale), invert the transform and sample the
// source bilinearly at each destination pixel. ~15 ns per pixel: a 28×28 image in ~12 µs, an epoch of 60,000
// images in under a second on one core.
#include "bp/data/augment.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "bp/data/dataset.h"
#include "bp/errors.h"

namespace bp::data {
namespace {

/// Uniform in [lo, hi] from the top 53 bits of one draw: the same on every standard library.
double uniform(std::mt19937_64& rng, double lo, double hi) {
    const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;  // [0, 1)
    return lo + (hi - lo) * u;
}

}  // namespace

void AugmentOptions::validate() const {
    auto bad = [](const std::string& field, double value, const std::string& allowed) {
        throw ConfigError("augment: " + field + " = " + std::to_string(value) + " is out of range; " + allowed);
    };
    if (!(max_shift >= 0) || !std::isfinite(max_shift)) bad("max_shift", max_shift, "use 0 or more pixels (typical: 2)");
    if (!(max_rotation_deg >= 0) || max_rotation_deg > 180) bad("max_rotation_deg", max_rotation_deg, "use 0 to 180 degrees (typical: 10)");
    if (!(min_scale > 0) || !std::isfinite(min_scale)) bad("min_scale", min_scale, "use a positive factor (typical: 0.9)");
    if (!(max_scale >= min_scale) || !std::isfinite(max_scale))
        bad("max_scale", max_scale, "use a factor >= min_scale = " + std::to_string(min_scale) + " (typical: 1.1)");
}

AffineParams random_affine(const AugmentOptions& opts, std::mt19937_64& rng) {
    AffineParams p;
    p.shift_x = uniform(rng, -opts.max_shift, opts.max_shift);
    p.shift_y = uniform(rng, -opts.max_shift, opts.max_shift);
    p.rotation_deg = uniform(rng, -opts.max_rotation_deg, opts.max_rotation_deg);
    p.scale = uniform(rng, opts.min_scale, opts.max_scale);
    return p;
}

void apply_affine(const float* src, float* dst, int rows, int cols, const AffineParams& p, float fill) {
    // Forward, in pixel-centre coordinates about the centre c: q = c + s·R(θ)·(x − c) + t. Sampling needs the
    // inverse: x = c + R(−θ)·(q − c − t) / s. θ is counter-clockwise on screen, where y points down.
    const double theta = p.rotation_deg * std::numbers::pi / 180.0;
    const double cs = std::cos(theta) / p.scale, sn = std::sin(theta) / p.scale;
    const double cx = cols / 2.0, cy = rows / 2.0;
    auto at = [&](int r, int c) -> float {
        return (r < 0 || c < 0 || r >= rows || c >= cols) ? fill : src[static_cast<size_t>(r) * cols + c];
    };
    for (int y = 0; y < rows; ++y) {
        const double qy = y + 0.5 - cy - p.shift_y;
        const double qx0 = 0.5 - cx - p.shift_x;
        // R(−θ) with y down: [cos −sin; sin cos] applied to (qx, qy) undoes a counter-clockwise turn on screen.
        // Source coordinates (pixel index units) are affine in x: start of the row, then + (cs, sn) per pixel.
        const double u_row = cx + cs * qx0 - sn * qy - 0.5;  // source column at x = 0
        const double v_row = cy + sn * qx0 + cs * qy - 0.5;  // source row at x = 0
        float* out = dst + static_cast<size_t>(y) * cols;
        for (int x = 0; x < cols; ++x) {
            const double u = u_row + cs * x, v = v_row + sn * x;
            if (!(u > -1.0 && v > -1.0 && u < cols && v < rows)) {  // all four neighbours outside
                out[x] = fill;
                continue;
            }
            // u + 1 > 0 here, so truncation is floor (std::floor is a call; this is one instruction).
            const int u0 = static_cast<int>(u + 1.0) - 1, v0 = static_cast<int>(v + 1.0) - 1;
            const float au = static_cast<float>(u - u0), av = static_cast<float>(v - v0);
            float val;
            if (u0 >= 0 && v0 >= 0 && u0 + 1 < cols && v0 + 1 < rows) {
                const float* s0 = src + static_cast<size_t>(v0) * cols + u0;
                const float* s1 = s0 + cols;
                val = (1 - av) * ((1 - au) * s0[0] + au * s0[1]) + av * ((1 - au) * s1[0] + au * s1[1]);
            } else {
                val = (1 - av) * ((1 - au) * at(v0, u0) + au * at(v0, u0 + 1)) + av * ((1 - au) * at(v0 + 1, u0) + au * at(v0 + 1, u0 + 1));
            }
            out[x] = val;
        }
    }
}

void augment_batch(float* images, int64_t n, int rows, int cols, const AugmentOptions& opts, std::mt19937_64& rng) {
    if (!opts.enabled) return;
    opts.validate();
    if (n < 0 || rows <= 0 || cols <= 0)
        throw ConfigError("augment_batch: bad batch shape; got [" + std::to_string(n) + ", " + std::to_string(rows) + ", " +
                          std::to_string(cols) + "]; expected [n >= 0, rows > 0, cols > 0]");
    const float black = static_cast<float>(-mnist_mean / mnist_std);
    const size_t size = static_cast<size_t>(rows) * static_cast<size_t>(cols);
    std::vector<float> tmp(size);  // [rows, cols]
    for (int64_t i = 0; i < n; ++i) {
        float* img = images + static_cast<size_t>(i) * size;
        const AffineParams p = random_affine(opts, rng);
        apply_affine(img, tmp.data(), rows, cols, p, black);
        std::copy(tmp.begin(), tmp.end(), img);
    }
}

}  // namespace bp::data
