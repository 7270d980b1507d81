// clip_file.cpp — ClipMini + caption vocabulary + caption thresholds <-> safetensors (io/char_model_file.h).
#include "bp/io/clip_file.h"

#include "bp/io/safetensors.h"
#include "io/char_model_file.h"

namespace bp::io {

static const char* kClipModel = "clip_mini";
using detail::parse_meta;

void save_clip(const std::string& path, const models::ClipMini& model, const data::BertVocab& vocab,
               const nlohmann::json& captions, const nlohmann::json& summary) {
    if (vocab.vocab_size() != model.options().vocab_size)
        throw ConfigError("save_clip: the vocabulary has " + std::to_string(vocab.vocab_size()) +
                          " ids (characters + 3 specials) but the model " + std::to_string(model.options().vocab_size));
    nlohmann::json s = summary;
    s["captions"] = captions;  // also in the summary, for a reader that looks only there
    detail::save_char_model(path, model, kClipModel, model.options().to_json(), vocab.tokenizer().to_json(), s);
}

LoadedClip load_clip(const std::string& path) {
    SafetensorsFile f = load_safetensors(path);
    const nlohmann::json config = parse_meta(f, path, "bp.config", true, "CLIP");
    if (detail::config_model_name(config) != kClipModel)
        throw DataError(path + ": holds model '" + detail::config_model_name(config) +
                        "', not a CLIP model; train one with 'backprop train-clip'");
    if (!config.contains("options")) throw DataError(path + ": bad CLIP options in the metadata: there are none");
    models::ClipOptions opts;
    try {
        opts = models::ClipOptions::from_json(config.at("options"));
    } catch (const std::exception& e) {
        throw DataError(path + ": bad CLIP options in the metadata: " + e.what());
    }
    // Before anything is allocated: the text blocks (4 d² each at least), the token table, the image encoder's
    // fully connected layer (c2·49 × width) and the projections.
    const int64_t need = opts.text_layers * 4 * opts.text_dim * opts.text_dim + opts.vocab_size * opts.text_dim +
                         opts.channels2 * 49 * opts.image_width + (opts.image_width + opts.text_dim) * opts.embed_dim;
    detail::check_parameter_budget(f, path, need, "CLIP");
    LoadedClip out;
    try {
        out.vocab = data::BertVocab(data::CharTokenizer::from_json(parse_meta(f, path, "bp.tokenizer", true, "CLIP")));
    } catch (const DataError& e) {
        throw DataError(path + ": " + e.what());
    }
    if (out.vocab.vocab_size() != opts.vocab_size)
        throw DataError(path + ": the vocabulary has " + std::to_string(out.vocab.vocab_size()) +
                        " ids (characters + 3 specials) but the model's options say " + std::to_string(opts.vocab_size));
    out.summary = parse_meta(f, path, "bp.summary", false, "CLIP");
    if (!out.summary.contains("captions") || !out.summary["captions"].is_object())
        throw DataError(path + ": no caption table (\"captions\" in bp.summary); it is needed to describe pictures");
    const nlohmann::json& captions = out.summary["captions"];
    if (!captions.contains("dataset") || !captions["dataset"].is_string())
        throw DataError(path + ": the caption table names no dataset");
    out.dataset = captions["dataset"].get<std::string>();
    try {
        out.thresholds = data::PropertyThresholds::from_json(captions.value("thresholds", nlohmann::json::object()));
    } catch (const DataError& e) {
        throw DataError(path + ": " + e.what());
    }
    try {
        out.model = std::make_shared<models::ClipMini>(opts);
    } catch (const ConfigError& e) {
        throw DataError(path + ": the CLIP options in the metadata are not usable: " + e.what());
    }
    detail::load_parameters_strict(*out.model, f, path, config.at("options"), "CLIP");
    out.model->eval();
    return out;
}

}  // namespace bp::io
