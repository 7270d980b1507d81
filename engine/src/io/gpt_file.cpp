// gpt_file.cpp — GptMini + CharTokenizer <-> safetensors (io/safetensors.h), as io/model_file.cpp does for
// the zoo models, with the tokenizer's vocabulary in the metadata.
#include "bp/io/gpt_file.h"

#include <cstring>
#include <set>

#include "bp/autograd.h"
#include "bp/build_info.h"
#include "bp/io/model_file.h"
#include "bp/io/safetensors.h"

namespace bp::io {

static const char* kGptModel = "gpt_mini";

void save_gpt(const std::string& path, const models::GptMini& model, const data::CharTokenizer& tokenizer,
              const nlohmann::json& summary) {
    if (tokenizer.vocab_size() > model.options().vocab_size)
        throw ConfigError("save_gpt: the tokenizer has " + std::to_string(tokenizer.vocab_size()) +
                          " characters but the model only " + std::to_string(model.options().vocab_size));
    std::vector<NamedBuffer> buffers;
    for (const auto& [name, t] : model.named_parameters()) buffers.push_back(tensor_to_buffer(name, t));
    const nlohmann::json config{{"model", kGptModel}, {"options", model.options().to_json()}};
    std::map<std::string, std::string> meta{{"bp.config", config.dump()},
                                            {"bp.tokenizer", tokenizer.to_json().dump()},
                                            {"bp.summary", summary.dump()},
                                            {"bp.version", build::version},
                                            {"format", "pt"}};
    save_safetensors(path, buffers, meta);
}

static nlohmann::json parse_meta(const SafetensorsFile& f, const std::string& path, const char* key, bool required) {
    auto it = f.metadata.find(key);
    if (it == f.metadata.end()) {
        if (required)
            throw DataError(path + ": not a Backprop Studio GPT model (no \"" + key + "\" in the safetensors metadata)");
        return nlohmann::json::object();
    }
    try {
        return nlohmann::json::parse(it->second);
    } catch (const nlohmann::json::exception& e) {
        throw DataError(path + ": the \"" + key + "\" metadata is not valid JSON (" + e.what() + ")");
    }
}

LoadedGpt load_gpt(const std::string& path) {
    SafetensorsFile f = load_safetensors(path);
    const nlohmann::json config = parse_meta(f, path, "bp.config", true);
    if (config.value("model", std::string()) != kGptModel)
        throw DataError(path + ": holds model '" + config.value("model", std::string("?")) +
                        "', not a GPT language model; train one with 'backprop train-text'");
    LoadedGpt out;
    models::GptOptions opts;
    try {
        opts = models::GptOptions::from_json(config.at("options"));
    } catch (const std::exception& e) {
        throw DataError(path + ": bad GPT options in the metadata: " + e.what());
    }
    try {
        out.tokenizer = data::CharTokenizer::from_json(parse_meta(f, path, "bp.tokenizer", true));
    } catch (const DataError& e) {
        throw DataError(path + ": " + e.what());
    }
    if (out.tokenizer.vocab_size() > opts.vocab_size)
        throw DataError(path + ": the tokenizer has " + std::to_string(out.tokenizer.vocab_size()) +
                        " characters but the model's vocabulary only " + std::to_string(opts.vocab_size));
    out.summary = parse_meta(f, path, "bp.summary", false);
    out.model = std::make_shared<models::GptMini>(opts);
    autograd::NoGradGuard g;
    std::set<std::string> expected;
    for (auto& [name, t] : out.model->named_parameters()) {
        expected.insert(name);
        const NamedBuffer* b = f.find(name);
        if (!b) throw DataError(path + ": tensor '" + name + "' " + shape_str(t.shape()) + " is missing from the file");
        if (b->shape != t.shape())
            throw DataError(path + ": tensor '" + name + "' has shape " + shape_str(b->shape) + " but the options " +
                            config.at("options").dump() + " expect " + shape_str(t.shape()));
        DType dt;
        if (b->dtype == "F32") dt = DType::f32;
        else if (b->dtype == "F64") dt = DType::f64;
        else throw DataError(path + ": tensor '" + name + "' has dtype " + b->dtype + "; only F32 and F64 are supported");
        Tensor src = Tensor::empty(b->shape, dt);
        std::memcpy(src.raw_data(), b->bytes.data(), b->bytes.size());
        t.copy_(src);
    }
    for (const NamedBuffer& b : f.tensors)
        if (!expected.count(b.name))
            throw DataError(path + ": tensor '" + b.name + "' does not belong to a GPT with options " +
                            config.at("options").dump());
    return out;
}

bool is_gpt_file(const std::string& path) {
    try {
        SafetensorsFile f = load_safetensors(path);
        return parse_meta(f, path, "bp.config", true).value("model", std::string()) == kGptModel;
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace bp::io
