// bert_file.cpp — BertMini + BertVocab <-> safetensors (io/safetensors.h), the same layout as gpt_file.cpp.
#include "bp/io/bert_file.h"

#include "io/char_model_file.h"

namespace bp::io {

static const char* kBertModel = "bert_mini";
using detail::parse_meta;

void save_bert(const std::string& path, const models::BertMini& model, const data::BertVocab& vocab,
               const nlohmann::json& summary) {
    if (vocab.vocab_size() != model.options().vocab_size)
        throw ConfigError("save_bert: the vocabulary has " + std::to_string(vocab.vocab_size()) +
                          " ids (characters + 3 specials) but the model " + std::to_string(model.options().vocab_size));
    detail::save_char_model(path, model, kBertModel, model.options().to_json(), vocab.tokenizer().to_json(), summary);
}

LoadedBert load_bert(const std::string& path) {
    SafetensorsFile f = load_safetensors(path);
    const nlohmann::json config = parse_meta(f, path, "bp.config", true, "BERT");
    if (detail::config_model_name(config) != kBertModel)
        throw DataError(path + ": holds model '" + detail::config_model_name(config) +
                        "', not a BERT model; pre-train one with 'backprop train-text --model bert'");
    if (!config.contains("options")) throw DataError(path + ": bad BERT options in the metadata: there are none");
    models::BertOptions opts;
    try {
        opts = models::BertOptions::from_json(config.at("options"));
    } catch (const std::exception& e) {
        throw DataError(path + ": bad BERT options in the metadata: " + e.what());
    }
    // As gpt_file.cpp: options that the tensors cannot hold are refused before anything is allocated.
    detail::check_parameter_budget(f, path, opts.layers * 4 * opts.dim * opts.dim + opts.vocab_size * opts.dim, "BERT");
    LoadedBert out;
    try {
        out.vocab = data::BertVocab(data::CharTokenizer::from_json(parse_meta(f, path, "bp.tokenizer", true, "BERT")));
    } catch (const DataError& e) {
        throw DataError(path + ": " + e.what());
    }
    if (out.vocab.vocab_size() != opts.vocab_size)
        throw DataError(path + ": the vocabulary has " + std::to_string(out.vocab.vocab_size()) +
                        " ids (characters + 3 specials) but the model's options say " + std::to_string(opts.vocab_size));
    out.summary = parse_meta(f, path, "bp.summary", false, "BERT");
    try {
        out.model = std::make_shared<models::BertMini>(opts);
    } catch (const ConfigError& e) {  // the file's fault, not a usage error: exit 1 naming the file
        throw DataError(path + ": the BERT options in the metadata are not usable: " + e.what());
    }
    detail::load_parameters_strict(*out.model, f, path, config.at("options"), "BERT");
    return out;
}

}  // namespace bp::io
