// gpt_file.cpp — GptMini + CharTokenizer <-> safetensors (io/safetensors.h), as io/model_file.cpp does for
// the zoo models, with the tokenizer's vocabulary in the metadata.
#include "bp/io/gpt_file.h"

#include "io/char_model_file.h"

namespace bp::io {

static const char* kGptModel = "gpt_mini";
using detail::parse_meta;

void save_gpt(const std::string& path, const models::GptMini& model, const data::CharTokenizer& tokenizer,
              const nlohmann::json& summary) {
    if (tokenizer.vocab_size() != model.options().vocab_size)
        throw ConfigError("save_gpt: the tokenizer has " + std::to_string(tokenizer.vocab_size()) +
                          " characters but the model's vocabulary " + std::to_string(model.options().vocab_size) +
                          "; they must be equal, or the model could emit a token without a character");
    detail::save_char_model(path, model, kGptModel, model.options().to_json(), tokenizer.to_json(), summary);
}

LoadedGpt load_gpt(const std::string& path) {
    SafetensorsFile f = load_safetensors(path);
    const nlohmann::json config = parse_meta(f, path, "bp.config", true, "GPT");
    const std::string model_name = detail::config_model_name(config);
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
    detail::check_parameter_budget(f, path, opts.layers * 4 * opts.dim * opts.dim + opts.vocab_size * opts.dim, "GPT");
    const nlohmann::json tokenizer = parse_meta(f, path, "bp.tokenizer", true, "GPT");  // names the file itself
    try {
        out.tokenizer = data::CharTokenizer::from_json(tokenizer);
    } catch (const DataError& e) {
        throw DataError(path + ": " + e.what());
    }
    if (out.tokenizer.vocab_size() != opts.vocab_size)
        throw DataError(path + ": the tokenizer has " + std::to_string(out.tokenizer.vocab_size()) +
                        " characters but the model's vocabulary " + std::to_string(opts.vocab_size) +
                        "; they must be equal (every token the model can emit needs a character)");
    out.summary = parse_meta(f, path, "bp.summary", false, "GPT");
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
    detail::load_parameters_strict(*out.model, f, path, config.at("options"), "GPT");
    return out;
}

bool is_gpt_file(const std::string& path) {
    try {
        SafetensorsFile f = load_safetensors(path);
        return detail::config_model_name(parse_meta(f, path, "bp.config", true, "GPT")) == kGptModel;
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace bp::io
