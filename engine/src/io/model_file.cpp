// model_file.cpp — models::Model <-> safetensors (io/safetensors.h).
#include "bp/io/model_file.h"

#include <cstring>
#include <set>

#include "bp/autograd.h"
#include "bp/build_info.h"
#include "bp/io/json_checks.h"
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

namespace {

float half_to_float(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h >> 15) << 31, exp = (h >> 10) & 0x1Fu, mant = h & 0x3FFu;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) bits = sign;
        else {  // subnormal: normalise
            int e = -1;
            uint32_t m = mant;
            do {
                m <<= 1;
                ++e;
            } while ((m & 0x400) == 0);
            bits = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | ((m & 0x3FF) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

bool is_num_batches_tracked(const std::string& name) {
    const std::string suffix = "num_batches_tracked";
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int64_t total_elements(const std::vector<NamedBuffer>& tensors) {
    int64_t n = 0;
    for (const NamedBuffer& b : tensors) {
        const int64_t elem = safetensors_dtype_size(b.dtype);
        if (elem > 0) n += static_cast<int64_t>(b.bytes.size()) / elem;
    }
    return n;
}

Tensor buffer_to_tensor(const std::string& path, const NamedBuffer& b) {
    if (b.dtype == "F32" || b.dtype == "F64") {
        Tensor src = Tensor::empty(b.shape, b.dtype == "F32" ? DType::f32 : DType::f64);
        std::memcpy(src.raw_data(), b.bytes.data(), b.bytes.size());
        return src;
    }
    if (b.dtype == "F16" || b.dtype == "BF16") {
        Tensor src = Tensor::empty(b.shape, DType::f32);
        auto* out = static_cast<float*>(src.raw_data());
        const size_t n = b.bytes.size() / 2;
        for (size_t i = 0; i < n; ++i) {
            const uint16_t h = static_cast<uint16_t>(b.bytes[2 * i] | (b.bytes[2 * i + 1] << 8));
            if (b.dtype == "BF16") {
                const uint32_t bits = uint32_t{h} << 16;
                std::memcpy(&out[i], &bits, 4);
            } else {
                out[i] = half_to_float(h);
            }
        }
        return src;
    }
    throw DataError(path + ": tensor '" + b.name + "' has dtype " + b.dtype +
                    "; only F32, F64, F16 and BF16 weights are supported");
}

namespace {

/// The model `config` describes, built and filled from the file's tensors, each checked by name and shape.
LoadedModel load_with_config(const std::string& path, const SafetensorsFile& f, const nlohmann::json& config,
                             nlohmann::json summary) {
    // Everything the config says is checked against the file before a model is built: an unknown architecture
    // or activation, an option that is not a whole number in range, or a config that would need more
    // parameters than the file holds (a 438 KB file asking for 16 GB) is this file's fault, named as such.
    LoadedModel out;
    try {
        const int64_t need = models::min_parameter_count(config), have = total_elements(f.tensors);
        if (need > max_model_parameters)
            throw DataError(path + ": its \"bp.config\" describes a model of at least " + std::to_string(need) +
                            " parameters; the limit is " + std::to_string(max_model_parameters));
        // Building a model costs its parameters' memory: up to 2^24 (64 MB) that is harmless, and the tensor
        // check below then names the first tensor that does not fit; beyond, the file must hold that much.
        if (need > have && need > small_model_parameters)
            throw DataError(path + ": its \"bp.config\" describes a model of at least " + std::to_string(need) +
                            " parameters but the file holds only " + std::to_string(have) +
                            " values; the configuration and the tensors do not belong together");
        out = LoadedModel{models::create_model_from_config(config), summary};
    } catch (const ConfigError& e) {
        throw DataError(path + ": the model configuration is not usable: " + e.what());
    } catch (const DataError& e) {
        const std::string what = e.what();
        if (what.rfind(path, 0) == 0) throw;
        throw DataError(path + ": " + what);
    }
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
        t.copy_(buffer_to_tensor(path, *b));
    }
    for (const NamedBuffer& b : f.tensors)
        if (!expected.count(b.name) && !is_num_batches_tracked(b.name))
            throw DataError(path + ": tensor '" + b.name + "' does not belong to model '" + out.model.name +
                            "' (architecture " + config.dump().substr(0, 300) + ")");
    return out;
}

nlohmann::json summary_of(const SafetensorsFile& f, const std::string& path) {
    if (auto s = f.metadata.find("bp.summary"); s != f.metadata.end())
        return parse_json_strict(s->second, path + ": the training summary \"bp.summary\"");
    return nlohmann::json::object();
}

}  // namespace

LoadedModel load_model(const std::string& path) {
    SafetensorsFile f = load_safetensors(path);
    auto it = f.metadata.find("bp.config");
    if (it == f.metadata.end())
        throw DataError(path + ": not a Backprop Studio model (no \"bp.config\" in the safetensors metadata); if it "
                        "holds weights saved elsewhere (e.g. a PyTorch state_dict), name the architecture with --model");
    const nlohmann::json config = parse_json_strict(it->second, path + ": the model configuration \"bp.config\"");
    return load_with_config(path, f, config, summary_of(f, path));
}

LoadedModel load_model(const std::string& path, const std::string& architecture) {
    (void)models::find_model(architecture);  // ConfigError listing the zoo's names: a usage mistake, not the file's
    SafetensorsFile f = load_safetensors(path);
    nlohmann::json config{{"model", architecture}};
    if (auto it = f.metadata.find("bp.config"); it != f.metadata.end()) {
        config = parse_json_strict(it->second, path + ": the model configuration \"bp.config\"");
        const std::string stored = config.is_object() && config.contains("model") && config["model"].is_string()
                                       ? config["model"].get<std::string>()
                                       : "?";
        if (stored != architecture)
            throw DataError(path + ": its \"bp.config\" says model '" + stored + "' but '" + architecture +
                            "' was named; leave out the architecture to use the file's own");
    }
    return load_with_config(path, f, config, summary_of(f, path));
}

}  // namespace bp::io
