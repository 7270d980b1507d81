// l2_normalize.h — one op of its own (not in ops.h, so that the op list other work edits stays as it is):
// rows scaled to unit Euclidean length, as CLIP does to its image and text embeddings before comparing them.
#pragma once

#include "bp/tensor.h"

namespace bp {

/// y[r, :] = x[r, :] / sqrt(Σ_i x[r, i]² + eps) over the last dimension.  x: [..., D]  y: same shape.
/// Example: l2_normalize(embeddings)  // [B, 64], every row of length ≈ 1. Host tensors only (ConfigError else).
Tensor l2_normalize(const Tensor& x, double eps = 1e-12);

}  // namespace bp
