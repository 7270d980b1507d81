// onnx_graph.cpp — GraphBuilder of onnx_graph.h.
#include "onnx_graph.h"

#include <cstring>
#include <sstream>

#include "bp/errors.h"

namespace bp::onnx_export {

void GraphBuilder::claim(const std::string& value_name) {
    if (!values_.insert(value_name).second)
        throw std::logic_error("onnx export: the value name '" + value_name + "' is used twice");
}

const std::string& GraphBuilder::initializer(const std::string& name, const Tensor& t) {
    if (!t.defined()) throw std::logic_error("onnx export: initializer '" + name + "' is an undefined tensor");
    claim(name);
    ::onnx::TensorProto* p = g_->add_initializer();
    p->set_name(name);
    p->set_data_type(::onnx::TensorProto::FLOAT);
    for (int64_t d : t.shape()) p->add_dims(d);
    const std::vector<float> v = t.to_float_vector();  // copies from a GPU and converts float64 where needed
    p->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));  // little-endian
    return *initializers_.insert(name).first;
}

std::string GraphBuilder::const_i64(const std::string& name, const std::vector<int64_t>& values, bool scalar) {
    if (initializers_.count(name)) return name;
    claim(name);
    ::onnx::TensorProto* p = g_->add_initializer();
    p->set_name(name);
    p->set_data_type(::onnx::TensorProto::INT64);
    if (!scalar) p->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) p->add_int64_data(v);
    initializers_.insert(name);
    return name;
}

std::string GraphBuilder::const_f32(const std::string& name, const std::vector<float>& values,
                                    const std::vector<int64_t>& dims) {
    if (initializers_.count(name)) return name;
    claim(name);
    ::onnx::TensorProto* p = g_->add_initializer();
    p->set_name(name);
    p->set_data_type(::onnx::TensorProto::FLOAT);
    for (int64_t d : dims) p->add_dims(d);
    p->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
    initializers_.insert(name);
    return name;
}

std::string GraphBuilder::scalar_f32(float value) {
    std::ostringstream os;
    os.precision(9);
    os << "const.f32." << value;
    return const_f32(os.str(), {value}, {});
}

std::string GraphBuilder::node(const std::string& op_type, const std::vector<std::string>& inputs,
                               const std::string& name, const std::vector<Attr>& attrs) {
    return node_multi(op_type, inputs, name, 0, attrs).front();
}

std::vector<std::string> GraphBuilder::node_multi(const std::string& op_type, const std::vector<std::string>& inputs,
                                                  const std::string& name, int outputs, const std::vector<Attr>& attrs) {
    if (!node_names_.insert(name).second) throw std::logic_error("onnx export: the node name '" + name + "' is used twice");
    ::onnx::NodeProto* n = g_->add_node();
    n->set_op_type(op_type);
    n->set_name(name);
    for (const std::string& in : inputs) n->add_input(in);
    std::vector<std::string> outs;
    if (outputs == 0) outs.push_back(name);  // a single output named as the node
    for (int i = 0; i < outputs; ++i) outs.push_back(name + ":" + std::to_string(i));
    for (const std::string& o : outs) {
        claim(o);
        n->add_output(o);
    }
    for (const Attr& a : attrs) {
        ::onnx::AttributeProto* p = n->add_attribute();
        p->set_name(a.name);
        if (const int64_t* i = std::get_if<int64_t>(&a.value)) {
            p->set_type(::onnx::AttributeProto::INT);
            p->set_i(*i);
        } else if (const float* f = std::get_if<float>(&a.value)) {
            p->set_type(::onnx::AttributeProto::FLOAT);
            p->set_f(*f);
        } else {
            p->set_type(::onnx::AttributeProto::INTS);
            for (int64_t v : std::get<std::vector<int64_t>>(a.value)) p->add_ints(v);
        }
    }
    return outs;
}

void GraphBuilder::rename_output(const std::string& from, const std::string& to) {
    for (auto& n : *g_->mutable_node())
        for (auto& o : *n.mutable_output())
            if (o == from) {
                claim(to);
                values_.erase(from);
                o = to;
                return;
            }
    throw std::logic_error("onnx export: no node produces '" + from + "'");
}

}  // namespace bp::onnx_export
