// augment.h — seeded random affine augmentation (shift, rotation, scale) of normalised training images,
// applied in place to a batch buffer before it becomes a tensor. Plain buffers, no Tensor, no threads.
// It does not decide when to augment (the trainer's caller does) and never touches test images.
#pragma once

#include <cstdint>
#include <random>

namespace bp::data {

struct AugmentOptions {
    bool enabled = false;
    double max_shift = 2.0;          ///< px, each axis drawn from [-max_shift, max_shift]
    double max_rotation_deg = 10;    ///< degrees, drawn from [-max, max]
    double min_scale = 0.9, max_scale = 1.1;  ///< zoom factor, drawn from [min_scale, max_scale]

    /// ConfigError naming the field when a value is negative, not finite, or min_scale > max_scale or <= 0.
    void validate() const;
};

/// One affine transform about the image centre: the content is scaled, rotated (counter-clockwise on screen,
/// positive degrees) and then shifted (+x right, +y down), in pixels.
struct AffineParams {
    double shift_x = 0, shift_y = 0;
    double rotation_deg = 0;
    double scale = 1;
};

/// Draws one transform from opts with rng. Uses its own uniform mapping of rng() (not
/// std::uniform_real_distribution), so a seed gives the same transforms with every standard library.
AffineParams random_affine(const AugmentOptions& opts, std::mt19937_64& rng);

/// dst = src transformed by p, sampled bilinearly; points that come from outside src get fill.
/// src and dst: [rows, cols], must not overlap. A pure shift by whole pixels moves pixels exactly.
/// Example: apply_affine(img, out, 28, 28, {2, 0, 0, 1}, 0.0f);  // content moves 2 px right
void apply_affine(const float* src, float* dst, int rows, int cols, const AffineParams& p, float fill);

/// Augments n images [n, rows, cols] (normalised as data::normalize_images writes them) in place, one random
/// transform each, drawn in image order from rng; the background fill is a normalised black pixel
/// ((0 − mnist_mean) / mnist_std). Does nothing (and draws nothing) when !opts.enabled. Deterministic for a
/// given rng state. Throws ConfigError for invalid opts. Not thread-safe for a shared rng.
/// Example: std::mt19937_64 rng(seed); augment_batch(x.data<float>(), n, 28, 28, opts, rng);
void augment_batch(float* images, int64_t n, int rows, int cols, const AugmentOptions& opts, std::mt19937_64& rng);

}  // namespace bp::data
