// gpt_file.cpp — GptMini + CharTokenizer <-> safetensors (io/safetensors.h), as io/model_file.cpp does for
// the zoo models, with the tokenizer's vocabulary in the metadata.
#include "bp/io/gpt_file.h"

#include <cstring>
#include <set>

#include "bp/autograd.h"
#include "bp/build_info.h"
#include "bp/io/json_checks.h"
#include "bp/io/model_file.h"
#include "bp/io/safetensors.h"

namespace bp::io {

static const char* kGptModel = "gpt_mini";

void save_gpt(const std::string& path, const models::GptMini& model, const data::CharTokenizer& tokenizer,
              const nlohmann::json& summary) {
    if (tokenizer.vocab_size() != model.options().vocab_size)
        throw ConfigError("save_gpt: the tokenizer has " + std::to_string(tokenizer.vocab_size()) +
                          " characters but the model's vocabulary " + std::to_string(model.options().vocab_size) +
                          "; they must be equal, or the model could emit a token without a character");
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
    nlohmann::json j = parse_json_strict(it->second, path + ": the \"" + key + "\" metadata");
    if (!j.is_object())
        throw DataError(path + ": the \"" + key + "\" metadata is a JSON " + j.type_name() +
                        "; expected a JSON object");
    return j;
}

LoadedGpt load_gpt(const std::string& path) {
    SafetensorsFile f = load_safetensors(path);
    const nlohmann::json config = parse_meta(f, path, "bp.config", true);
    const std::string model_name =
        config.contains("model") && config["model"].is_string() ? config["model"].get<std::string>() : "?";
    if (model_name != kGptModel)
        throw DataError(path + ": holds model '" + model_name +
                        "', not a GPT language model; train one with 'backprop train-text'");
    LoadedGpt out;
    models::GptOptions opts;
    if (!config.contains("options")) throw DataError(path + ": bad GPT options in the metadata: there are none");
    try {
        opts = models::GptOptions::from_json(config.at("options"));
    } catch (const std::exception& e) {
        throw DataError(path + ": bad GPT options in the metadata: " + e.what());
    }
    // The tensors must be able to hold what the options describe before anything is allocated (a 79 KB file
    // asking for 48 layers of 4096 is refused here, not after 16 GB): the attention weights alone are
    // layers * 4 * dim^2 values, the token embedding vocab_size * dim.
    const int64_t need = opts.layers * 4 * opts.dim * opts.dim + opts.vocab_size * opts.dim;
    const int64_t have = total_elements(f.tensors);
    if (need > max_model_parameters)
        throw DataError(path + ": its GPT options describe at least " + std::to_string(need) +
                        " parameters; the limit is " + std::to_string(max_model_parameters));
    if (need > have && need > small_model_parameters)
        throw DataError(path + ": its GPT options describe at least " + std::to_string(need) +
                        " parameters but the file holds only " + std::to_string(have) +
                        " values; the options and the tensors do not belong together");
    const nlohmann::json tokenizer = parse_meta(f, path, "bp.tokenizer", true);  // names the file itself
    try {
        out.tokenizer = data::CharTokenizer::from_json(tokenizer);
    } catch (const DataError& e) {
        throw DataError(path + ": " + e.what());
    }
    if (out.tokenizer.vocab_size() != opts.vocab_size)
        throw DataError(path + ": the tokenizer has " + std::to_string(out.tokenizer.vocab_size()) +
                        " characters but the model's vocabulary " + std::to_string(opts.vocab_size) +
                        "; they must be equal (every token the model can emit needs a character)");
    out.summary = parse_meta(f, path, "bp.summary", false);
    // Shapes that follow from the options alone, before building (found by tools/fuzz/fuzz_gpt.cpp: an 11 KB
    // file whose options say 48 layers of 128 took 5 s to build before its first tensor was found wrong): the
    // token embedding and the last block's query projection.
    auto expect = [&](const std::string& name, const Shape& shape) {
        const NamedBuffer* b = f.find(name);
        if (!b) throw DataError(path + ": tensor '" + name + "' " + shape_str(shape) + " is missing from the file");
        if (b->shape != shape)
            throw DataError(path + ": tensor '" + name + "' has shape " + shape_str(b->shape) + " but the options " +
                            config.at("options").dump() + " expect " + shape_str(shape));
    };
    expect("tok_embed.weight", {opts.vocab_size, opts.dim});
    expect("blocks." + std::to_string(opts.layers - 1) + ".attn.q_proj.weight", {opts.dim, opts.dim});
    try {
        out.model = std::make_shared<models::GptMini>(opts);
    } catch (const ConfigError& e) {  // the file's fault, not a usage error: exit 1 naming the file
        throw DataError(path + ": the GPT options in the metadata are not usable: " + e.what());
    }
    autograd::NoGradGuard g;
    std::set<std::string> expected;
    for (auto& [name, t] : out.model->named_parameters()) {
        expected.insert(name);
        const NamedBuffer* b = f.find(name);
        if (!b) throw DataError(path + ": tensor '" + name + "' " + shape_str(t.shape()) + " is missing from the file");
        if (b->shape != t.shape())
            throw DataError(path + ": tensor '" + name + "' has shape " + shape_str(b->shape) + " but the options " +
                            config.at("options").dump() + " expect " + shape_str(t.shape()));
        t.copy_(buffer_to_tensor(path, *b));
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
