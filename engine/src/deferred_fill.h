// deferred_fill.h — a tensor whose every element is one value, neither allocated nor written yet: the gradient of
// a full sum or mean (reduce.cpp). A consumer that knows reads the value instead of the memory (relu's backward
// reads only x: one memory pass less, as PyTorch's broadcast scalar); anyone else gets the filled memory, because
// Tensor::raw_data() (tensor.cpp, the only door to a storage's memory) allocates and writes it first. Not
// allocating it either keeps a buffer of the input's size out of the allocator's rotation, so that the next
// buffers handed out are ones still in the cache (caching_allocator.h). CPU tensors only; the table is empty
// almost always, and then the check is one atomic load.
#pragma once

#include "bp/tensor.h"

namespace bp::detail {

/// A CPU tensor of `shape` whose every element is `value`, its memory neither allocated nor written until read.
/// dtype: f32 or f64.
Tensor deferred_full(const Shape& shape, DType dtype, double value);
/// True (and *value) while t's storage is still a deferred fill; false once anything has read its memory.
bool deferred_fill_value(const Tensor& t, double* value);
/// Allocates a deferred storage and writes the value into it (no-op for any other); raw_data() calls it.
void materialize_fill(Storage* s);
/// Forgets a storage being freed (Storage's destructor).
void forget_fill(const Storage* s);
/// Non-zero while some storage is deferred: the fast check before the table.
bool any_deferred_fill();

}  // namespace bp::detail
