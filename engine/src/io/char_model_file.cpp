// char_model_file.cpp — the shared pieces of io/char_model_file.h (GPT-, BERT- and CLIP-mini's files).
#include "io/char_model_file.h"

#include <set>

#include "bp/autograd.h"
#include "bp/build_info.h"
#include "bp/io/json_checks.h"
#include "bp/io/model_file.h"

namespace bp::io::detail {

void save_char_model(const std::string& path, const nn::Module& model, const char* model_name,
                     const nlohmann::json& options, const nlohmann::json& tokenizer, const nlohmann::json& summary) {
    std::vector<NamedBuffer> buffers;
    for (const auto& [name, t] : model.named_parameters()) buffers.push_back(tensor_to_buffer(name, t));
    // Buffers too (CLIP-mini's batch norm running statistics); GPT- and BERT-mini have none.
    for (const auto& [name, t] : model.named_buffers()) buffers.push_back(tensor_to_buffer(name, t));
    const nlohmann::json config{{"model", model_name}, {"options", options}};
    std::map<std::string, std::string> meta{{"bp.config", config.dump()},
                                            {"bp.tokenizer", tokenizer.dump()},
                                            {"bp.summary", summary.dump()},
                                            {"bp.version", build::version},
                                            {"format", "pt"}};
    save_safetensors(path, buffers, meta);
}

nlohmann::json parse_meta(const SafetensorsFile& f, const std::string& path, const char* key, bool required,
                          const std::string& what) {
    auto it = f.metadata.find(key);
    if (it == f.metadata.end()) {
        if (required)
            throw DataError(path + ": not a Backprop Studio " + what + " model (no \"" + key +
                            "\" in the safetensors metadata)");
        return nlohmann::json::object();
    }
    nlohmann::json j = parse_json_strict(it->second, path + ": the \"" + key + "\" metadata");
    if (!j.is_object())
        throw DataError(path + ": the \"" + key + "\" metadata is a JSON " + j.type_name() + "; expected a JSON object");
    return j;
}

std::string config_model_name(const nlohmann::json& config) {
    return config.contains("model") && config["model"].is_string() ? config["model"].get<std::string>() : "?";
}

void check_parameter_budget(const SafetensorsFile& f, const std::string& path, int64_t need, const std::string& what) {
    const int64_t have = total_elements(f.tensors);
    if (need > max_model_parameters)
        throw DataError(path + ": its " + what + " options describe at least " + std::to_string(need) +
                        " parameters; the limit is " + std::to_string(max_model_parameters));
    if (need > have && need > small_model_parameters)
        throw DataError(path + ": its " + what + " options describe at least " + std::to_string(need) +
                        " parameters but the file holds only " + std::to_string(have) +
                        " values; the options and the tensors do not belong together");
}

void load_parameters_strict(nn::Module& model, const SafetensorsFile& f, const std::string& path,
                            const nlohmann::json& options, const std::string& what) {
    autograd::NoGradGuard g;
    std::set<std::string> expected;
    auto tensors = model.named_parameters();
    for (auto& nb : model.named_buffers()) tensors.push_back(nb);  // batch norm's running statistics
    for (auto& [name, t] : tensors) {
        expected.insert(name);
        const NamedBuffer* b = f.find(name);
        if (!b) throw DataError(path + ": tensor '" + name + "' " + shape_str(t.shape()) + " is missing from the file");
        if (b->shape != t.shape())
            throw DataError(path + ": tensor '" + name + "' has shape " + shape_str(b->shape) + " but the options " +
                            options.dump() + " expect " + shape_str(t.shape()));
        t.copy_(buffer_to_tensor(path, *b));
    }
    for (const NamedBuffer& b : f.tensors)
        if (!expected.count(b.name))
            throw DataError(path + ": tensor '" + b.name + "' does not belong to a " + what + " with options " +
                            options.dump());
}

}  // namespace bp::io::detail
