// bert_file.cpp — BertMini + BertVocab <-> safetensors (io/safetensors.h), the same layout as gpt_file.cpp.
#include "bp/io/bert_file.h"

#include <cstring>
#include <set>

#include "bp/autograd.h"
#include "bp/build_info.h"
#include "bp/io/json_checks.h"
#include "bp/io/model_file.h"
#include "bp/io/safetensors.h"

namespace bp::io {

static const char* kBertModel = "bert_mini";

void save_bert(const std::string& path, const models::BertMini& model, const data::BertVocab& vocab,
               const nlohmann::json& summary) {
    if (vocab.vocab_size() != model.options().vocab_size)
        throw ConfigError("save_bert: the vocabulary has " + std::to_string(vocab.vocab_size()) +
                          " ids (characters + 3 specials) but the model " + std::to_string(model.options().vocab_size));
    std::vector<NamedBuffer> buffers;
    for (const auto& [name, t] : model.named_parameters()) buffers.push_back(tensor_to_buffer(name, t));
    const nlohmann::json config{{"model", kBertModel}, {"options", model.options().to_json()}};
    std::map<std::string, std::string> meta{{"bp.config", config.dump()},
                                            {"bp.tokenizer", vocab.tokenizer().to_json().dump()},
                                            {"bp.summary", summary.dump()},
                                            {"bp.version", build::version},
                                            {"format", "pt"}};
    save_safetensors(path, buffers, meta);
}

static nlohmann::json parse_meta(const SafetensorsFile& f, const std::string& path, const char* key, bool required) {
    auto it = f.metadata.find(key);
    if (it == f.metadata.end()) {
        if (required)
            throw DataError(path + ": not a Backprop Studio BERT model (no \"" + key + "\" in the safetensors metadata)");
        return nlohmann::json::object();
    }
    // Strict, as load_gpt reads it: a repeated key or a number out of range is named, never a library exception.
    nlohmann::json j = parse_json_strict(it->second, path + ": the \"" + key + "\" metadata");
    if (!j.is_object())
        throw DataError(path + ": the \"" + key + "\" metadata is a JSON " + j.type_name() +
                        "; expected a JSON object");
    return j;
}

LoadedBert load_bert(const std::string& path) {
    SafetensorsFile f = load_safetensors(path);
    const nlohmann::json config = parse_meta(f, path, "bp.config", true);
    const std::string model_name =
        config.contains("model") && config["model"].is_string() ? config["model"].get<std::string>() : "?";
    if (model_name != kBertModel)
        throw DataError(path + ": holds model '" + model_name +
                        "', not a BERT model; pre-train one with 'backprop train-text --model bert'");
    if (!config.contains("options")) throw DataError(path + ": bad BERT options in the metadata: there are none");
    models::BertOptions opts;
    try {
        opts = models::BertOptions::from_json(config.at("options"));
    } catch (const std::exception& e) {
        throw DataError(path + ": bad BERT options in the metadata: " + e.what());
    }
    // As load_gpt: the tensors must be able to hold what the options describe before anything is allocated
    // (the encoder's attention weights alone are layers * 4 * dim^2 values, the token embedding vocab * dim).
    const int64_t need = opts.layers * 4 * opts.dim * opts.dim + opts.vocab_size * opts.dim;
    const int64_t have = total_elements(f.tensors);
    if (need > max_model_parameters)
        throw DataError(path + ": its BERT options describe at least " + std::to_string(need) +
                        " parameters; the limit is " + std::to_string(max_model_parameters));
    if (need > have && need > small_model_parameters)
        throw DataError(path + ": its BERT options describe at least " + std::to_string(need) +
                        " parameters but the file holds only " + std::to_string(have) +
                        " values; the options and the tensors do not belong together");
    LoadedBert out;
    const nlohmann::json tokenizer = parse_meta(f, path, "bp.tokenizer", true);  // names the file itself
    try {
        out.vocab = data::BertVocab(data::CharTokenizer::from_json(tokenizer));
    } catch (const DataError& e) {
        throw DataError(path + ": " + e.what());
    }
    if (out.vocab.vocab_size() != opts.vocab_size)
        throw DataError(path + ": the vocabulary has " + std::to_string(out.vocab.vocab_size()) +
                        " ids (characters + 3 specials) but the model's options say " + std::to_string(opts.vocab_size));
    out.summary = parse_meta(f, path, "bp.summary", false);
    try {
        out.model = std::make_shared<models::BertMini>(opts);
    } catch (const ConfigError& e) {  // the file's fault, not a usage error: exit 1 naming the file
        throw DataError(path + ": the BERT options in the metadata are not usable: " + e.what());
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
            throw DataError(path + ": tensor '" + b.name + "' does not belong to a BERT with options " +
                            config.at("options").dump());
    return out;
}

}  // namespace bp::io
