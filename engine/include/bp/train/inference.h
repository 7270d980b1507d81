// inference.h — using a trained model: class probabilities for one image or a batch without building an
// autograd graph, and the process's resident memory (for the report's memory figures). Thread-compatible:
// one model may serve one thread at a time.
#pragma once

#include <cstdint>
#include <vector>

#include "bp/nn/module.h"

namespace bp::train {

/// Probabilities for one image given as rows·cols floats already normalised like the training data.
/// Example: auto p = classify_image(*model.net, pixels.data(), {1, 28, 28});  // p.size() == 10
std::vector<float> classify_image(nn::Module& net, const float* pixels, const Shape& input_shape);

/// Peak resident set size of this process in bytes (VmHWM), and a reset of that peak where Linux allows it
/// (returns false where it does not, in which case the peak covers the whole process lifetime).
int64_t peak_rss_bytes();
bool reset_peak_rss();
int64_t current_rss_bytes();

}  // namespace bp::train
