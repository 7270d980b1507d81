// preprocess.h — turns any grey picture of one digit (a photo, a scan, the app's drawing pad) into the 28×28
// input an MNIST model was trained on, the way the MNIST paper describes: white ink on black, the ink's
// bounding box scaled to 20 px on its longer side, placed so its centre of mass is the canvas centre.
// Shared by `backprop predict` and the app's drawing pad. It decodes nothing (see io/image.h).
#pragma once

#include <vector>

#include "bp/io/image.h"

namespace bp::data {

using io::GrayImage;

/// Side of the canvas mnist_preprocess fills, and of the box the ink's longer side is scaled to.
inline constexpr int mnist_side = 28;
inline constexpr int mnist_ink_box = 20;
/// Where MNIST's own digits have their centre of mass, in pixel-centre coordinates (pixel (x, y) covers
/// [x, x+1)): the mean over the 60,000 training images, measured (issue 19) as (14.5068, 14.4959) — about half
/// a pixel right of and below the canvas centre (14, 14), where preprocessing used to put it.
inline constexpr double mnist_centre_of_mass_x = 14.5068;
inline constexpr double mnist_centre_of_mass_y = 14.4959;

/// What mnist_preprocess found and did, for display and debugging.
struct PreprocessInfo {
    bool inverted = false;    ///< the input was dark ink on a light background and was inverted
    bool empty = false;       ///< no ink found: the output is all zeros
    float background = 0;     ///< median of the border pixels after inversion (subtracted from every pixel)
    int bbox_x = 0, bbox_y = 0, bbox_width = 0, bbox_height = 0;  ///< the ink's box in input pixels
    double scale = 0;         ///< output px per input px (20 / the box's longer side)
    /// Where the ink's top-left corner landed in the 28×28 canvas (fractional: placed with bilinear weights).
    double offset_x = 0, offset_y = 0;
    /// The centre-of-mass shift: how far the ink was moved from a box-centred placement to bring its centre of
    /// mass to (mnist_centre_of_mass_x, mnist_centre_of_mass_y), in output pixels; the move is limited so the ink's box stays inside the canvas.
    double com_shift_x = 0, com_shift_y = 0;
};

/// 28×28 values in [0, 1], row-major, white (1) ink on black (0), as in MNIST:
///  1. polarity: if the median of the border pixels is above 0.5 the picture is dark on light and is inverted;
///  2. that median (the paper's grey level) is subtracted and the rest stretched so the brightest ink is 1;
///  3. the bounding box of the ink (pixels above 0.1) is scaled to 20 px on its longer side, keeping the aspect
///     ratio (area averaging when shrinking, bilinear when enlarging);
///  4. it is placed so that its centre of mass, in pixel-centre coordinates (pixel (x, y) covers [x, x+1)), is
///     where MNIST's digits have theirs on average (mnist_centre_of_mass_x/_y, about (14.5, 14.5)), with
///     sub-pixel (bilinear) precision.
/// An image without ink (nothing brighter than the background by 0.1) gives all zeros and info->empty.
/// Pure function; thread-safe. Example: auto x = normalize_mnist(mnist_preprocess(io::load_gray_image(f)));
std::vector<float> mnist_preprocess(const GrayImage& img, PreprocessInfo* info = nullptr);

/// (p − mnist_mean) / mnist_std for each value: the same inputs data::normalize_images gives the model in
/// training. Example: normalize_mnist({0.0f}) == {-0.4242...}
std::vector<float> normalize_mnist(const std::vector<float>& px01);

}  // namespace bp::data
