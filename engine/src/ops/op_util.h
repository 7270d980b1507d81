// op_util.h — small checks shared by the op files (dtype/device agreement, float-only inputs).
#pragma once

#include <string>

#include "bp/autograd.h"
#include "bp/backend.h"
#include "bp/gradcheck.h"
#include "bp/ops.h"

namespace bp::detail {

inline void check_float(const char* op, const Tensor& t) {
    if (!t.defined()) throw ConfigError(std::string(op) + ": an input tensor is undefined");
    if (t.dtype() == DType::i32)
        throw ConfigError(std::string(op) + ": needs a floating-point tensor; got int32 " + shape_str(t.shape()));
}

inline void check_same(const char* op, const Tensor& a, const Tensor& b) {
    check_float(op, a);
    check_float(op, b);
    if (a.dtype() != b.dtype())
        throw ConfigError(std::string(op) + ": dtypes differ; got " + dtype_name(a.dtype()) + " and " +
                          dtype_name(b.dtype()) + "; convert one with .to()");
    if (a.device() != b.device())
        throw ConfigError(std::string(op) + ": tensors are on different devices; got " + device_name(a.device()) +
                          " and " + device_name(b.device()));
}

/// For ops with host-only reference loops (the transformer ops): a tensor elsewhere throws, naming the op.
inline void check_host(const char* op, const Tensor& t) {
    if (t.defined() && t.device() != Device::cpu)
        throw ConfigError(std::string(op) + ": runs on the CPU only for now; got a " + device_name(t.device()) +
                          " tensor " + shape_str(t.shape()) + "; move it to the CPU first");
}

/// Sum a broadcast gradient back down to the shape of the input it belongs to.
inline Tensor reduce_to(const Tensor& g, const Shape& shape) {
    if (g.shape() == shape) return g;
    Tensor out = Tensor::empty(shape, g.dtype(), g.device());
    backend_for(g).sum_to(out, g, 1.0);
    return out;
}

using gradcheck::Domain;
using Inputs = std::vector<Tensor>;

}  // namespace bp::detail
