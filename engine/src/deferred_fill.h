// deferred_fill.h — a tensor whose every element is one value, allocated but not yet written: the gradient of a
// full sum or mean (reduce.cpp). A consumer that knows reads the value instead of the memory (relu's backward
// reads only x: one memory pass less, as PyTorch's broadcast scalar); anyone else gets the filled memory, because
// Tensor::raw_data() (tensor.cpp, the only door to a storage's memory) writes the value first. CPU tensors only;
// the table is empty almost always, and then the check is one atomic load.
#pragma once

#include "bp/tensor.h"

namespace bp::detail {

/// Marks t's whole storage as "every element is `value`, not yet written". t: CPU, f32 or f64, owning its storage
/// from offset 0 (a fresh Tensor::empty).
void defer_fill(const Tensor& t, double value);
/// True (and *value) while t's storage is still a deferred fill; false once anything has read its memory.
bool deferred_fill_value(const Tensor& t, double* value);
/// Writes the value into a deferred storage (no-op for any other); raw_data() calls it.
void materialize_fill(const Storage* s);
/// Forgets a storage being freed (Storage's destructor).
void forget_fill(const Storage* s);
/// Non-zero while some storage is deferred: the fast check before the table.
bool any_deferred_fill();

}  // namespace bp::detail
