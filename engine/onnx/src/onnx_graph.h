// onnx_graph.h — a small builder over the protoc-generated onnx::GraphProto: initializers from engine tensors,
// constants, and nodes with attributes, each node and value name checked to be unique. Used by onnx_layers.cpp
// (one emitter per layer kind) and onnx_export.cpp (the model around them). Not part of the public API.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "bp/tensor.h"
#include "onnx.pb.h"

namespace bp::onnx_export {

/// One node attribute: an int, a float or a list of ints (all this exporter needs).
struct Attr {
    std::string name;
    std::variant<int64_t, float, std::vector<int64_t>> value;
};

/// A value in the graph and its rank (the emitters choose Gemm or MatMul, reshapes, by rank).
struct Value {
    std::string name;
    int rank = 0;
};

class GraphBuilder {
public:
    explicit GraphBuilder(::onnx::GraphProto* graph) : g_(graph) {}

    /// A float32 initializer holding t's values (any float dtype is converted), under `name` exactly.
    const std::string& initializer(const std::string& name, const Tensor& t);
    /// Constant initializers for shapes, axes, indices and scalars; the same values under the same name are
    /// added once (scalar_f32(0.5) twice gives one "const.f32.0.5").
    std::string const_i64(const std::string& name, const std::vector<int64_t>& values, bool scalar = false);
    std::string const_f32(const std::string& name, const std::vector<float>& values, const std::vector<int64_t>& dims);
    std::string scalar_f32(float value);

    /// Adds node `name` of op_type with one output, also called `name`; returns it.
    std::string node(const std::string& op_type, const std::vector<std::string>& inputs, const std::string& name,
                     const std::vector<Attr>& attrs = {});
    /// The same with several outputs, named name + ":" + index.
    std::vector<std::string> node_multi(const std::string& op_type, const std::vector<std::string>& inputs,
                                        const std::string& name, int outputs, const std::vector<Attr>& attrs = {});

    /// Renames the output `from` of the node that produces it (the last layer's output becomes "logits").
    void rename_output(const std::string& from, const std::string& to);

    const std::set<std::string>& initializer_names() const { return initializers_; }
    ::onnx::GraphProto* graph() { return g_; }

private:
    void claim(const std::string& value_name);
    ::onnx::GraphProto* g_;
    std::set<std::string> values_, initializers_, node_names_;
};

}  // namespace bp::onnx_export
