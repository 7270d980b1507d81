// model_file.cpp — models::Model <-> safetensors (io/safetensors.h).
#include "bp/io/model_file.h"

#include <cstring>
#include <set>

#include "bp/autograd.h"
#include "bp/build_info.h"
#include "bp/io/safetensors.h"

namespace bp::io {

NamedBuffer tensor_to_buffer(const std::string& name, const Tensor& t) {
    NamedBuffer b;
    b.name = name;
    b.dtype = t.dtype() == DType::f64 ? "F64" : "F32";
    b.shape = t.shape();
    b.bytes.resize(t.nbytes());
    const Tensor host = t.to(Device::cpu);  // a GPU model's tensors are copied back first
    std::memcpy(b.bytes.data(), host.raw_data(), t.nbytes());  // x86 and ARM are little-endian, as the format
    return b;
}

void save_model(const std::string& path, const models::Model& model, const nlohmann::json& summary) {
    std::vector<NamedBuffer> buffers;
    auto state = model.net->named_parameters();
    for (auto& b : model.net->named_buffers()) state.push_back(b);
    for (const auto& [name, t] : state) buffers.push_back(tensor_to_buffer(name, t));
    std::map<std::string, std::string> meta{{"bp.config", model.config().dump()},
                                            {"bp.summary", summary.dump()},
                                            {"bp.version", build::version},
                                            {"format", "pt"}};
    save_safetensors(path, buffers, meta);
}

LoadedModel load_model(const std::string& path) {
    SafetensorsFile f = load_safetensors(path);
    auto it = f.metadata.find("bp.config");
    if (it == f.metadata.end())
        throw DataError(path + ": not a Backprop Studio model (no \"bp.config\" in the safetensors metadata)");
    nlohmann::json config, summary = nlohmann::json::object();
    try {
        config = nlohmann::json::parse(it->second);
        if (auto s = f.metadata.find("bp.summary"); s != f.metadata.end()) summary = nlohmann::json::parse(s->second);
    } catch (const nlohmann::json::exception& e) {
        throw DataError(path + ": the model configuration in the metadata is not valid JSON (" + e.what() + ")");
    }
    LoadedModel out{models::create_model_from_config(config), summary};
    autograd::NoGradGuard g;
    std::set<std::string> expected;
    auto state = out.model.net->named_parameters();
    for (auto& b : out.model.net->named_buffers()) state.push_back(b);
    for (auto& [name, t] : state) {
        expected.insert(name);
        const NamedBuffer* b = f.find(name);
        if (!b)
            throw DataError(path + ": tensor '" + name + "' " + shape_str(t.shape()) + " of model '" + out.model.name +
                            "' is missing from the file");
        if (b->shape != t.shape())
            throw DataError(path + ": tensor '" + name + "' has shape " + shape_str(b->shape) + " but model '" +
                            out.model.name + "' expects " + shape_str(t.shape()));
        DType dt;
        if (b->dtype == "F32") dt = DType::f32;
        else if (b->dtype == "F64") dt = DType::f64;
        else throw DataError(path + ": tensor '" + name + "' has dtype " + b->dtype + "; only F32 and F64 models are supported");
        Tensor src = Tensor::empty(b->shape, dt);
        std::memcpy(src.raw_data(), b->bytes.data(), b->bytes.size());
        t.copy_(src);
    }
    for (const NamedBuffer& b : f.tensors)
        if (!expected.count(b.name))
            throw DataError(path + ": tensor '" + b.name + "' does not belong to model '" + out.model.name +
                            "' (architecture " + config.dump() + ")");
    return out;
}

}  // namespace bp::io
