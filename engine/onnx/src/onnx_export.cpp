// onnx_export.cpp — the models around the layer emitters (onnx_layers.cpp): graph inputs and outputs, ViT's
// patches and class token, GPT-mini's embeddings and causal mask, the metadata that documents preprocessing, and
// the file. Every parameter and buffer of a model must end up as an initializer under its own name (checked).
#include "bp/onnx/onnx_export.h"

#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "bp/build_info.h"
#include "bp/data/dataset.h"
#include "bp/data/preprocess.h"
#include "bp/data/text.h"
#include "bp/errors.h"
#include "bp/io/atomic_file.h"
#include "bp/io/gpt_file.h"
#include "bp/models/gpt.h"
#include "bp/models/vit.h"
#include "onnx_graph.h"
#include "onnx_layers.h"

namespace bp::io {

using onnx_export::Context;
using onnx_export::GraphBuilder;
using onnx_export::Value;
using Ints = std::vector<int64_t>;

bool onnx_export_available() { return true; }
std::string onnx_unavailable_reason() { return ""; }

namespace {

/// A graph input or output: element type and dims, where a string dim is symbolic ("N").
void set_io(::onnx::ValueInfoProto* v, const std::string& name, int elem_type, const std::vector<std::string>& dims,
            const std::string& doc) {
    v->set_name(name);
    v->set_doc_string(doc);
    ::onnx::TypeProto_Tensor* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(elem_type);
    for (const std::string& d : dims) {
        ::onnx::TensorShapeProto_Dimension* dim = t->mutable_shape()->add_dim();
        if (!d.empty() && std::isdigit(static_cast<unsigned char>(d[0]))) dim->set_dim_value(std::stoll(d));
        else dim->set_dim_param(d);
    }
}

void meta(::onnx::ModelProto& m, const std::string& key, const std::string& value) {
    ::onnx::StringStringEntryProto* e = m.add_metadata_props();
    e->set_key(key);
    e->set_value(value);
}

void init_model(::onnx::ModelProto& m, const std::string& graph_name, const std::string& doc) {
    m.set_ir_version(8);  // the IR of opset 17 (ONNX 1.12, Debian 12's python3-onnx)
    m.set_producer_name("Backprop Studio");
    m.set_producer_version(build::version);
    m.set_doc_string(doc);
    ::onnx::OperatorSetIdProto* op = m.add_opset_import();
    op->set_domain("");
    op->set_version(onnx_opset);
    m.mutable_graph()->set_name(graph_name);
}

/// Every named parameter and buffer must be an initializer of the same name: the names match the layers', and
/// nothing of the model was left out.
void check_all_exported(const nn::Module& net, const GraphBuilder& g, const std::string& model) {
    std::vector<std::pair<std::string, Tensor>> all = net.named_parameters();
    for (auto& b : net.named_buffers()) all.push_back(b);
    for (const auto& [name, t] : all)
        if (!g.initializer_names().count(name))
            throw std::logic_error("onnx export: " + model + "'s tensor '" + name + "' is not in the exported graph");
}

/// The dataset a model was trained on, from the summary `backprop train --out` and the app write ("" when unknown).
std::string trained_dataset(const nlohmann::json& summary) {
    if (summary.is_object() && summary.contains("config") && summary["config"].is_object() &&
        summary["config"].contains("dataset") && summary["config"]["dataset"].is_string())
        return summary["config"]["dataset"].get<std::string>();
    if (summary.is_object() && summary.contains("dataset") && summary["dataset"].is_string())
        return summary["dataset"].get<std::string>();
    return "";
}

std::string number(double v) {
    std::ostringstream os;
    os.precision(15);  // 0.1307, not 0.13070000000000001
    os << v;
    return os.str();
}

/// Graph for a zoo image model: "input" [N, C, H, W] -> "logits" [N, classes].
void build_image_graph(GraphBuilder& g, const models::Model& model) {
    Context c{g, "", "", 0};
    const Value x{"input", 4};
    Value out;
    if (auto* vit = dynamic_cast<const models::VisionTransformer*>(model.net.get())) {
        const int64_t d = vit->options().dim;
        // [N, 1, 28, 28] -> [N, 7, 4, 7, 4] -> [N, 7 (r/4), 7 (c/4), 4, 4] -> [N, 49, 16], as models::patchify.
        const std::string grid = g.node("Reshape", {x.name, g.const_i64("const.i64.[-1,7,4,7,4]", {-1, 7, 4, 7, 4})},
                                        "patchify/grid");
        const std::string swapped = g.node("Transpose", {grid}, "patchify/transpose", {{"perm", Ints{0, 1, 3, 2, 4}}});
        const std::string patches = g.node("Reshape", {swapped, g.const_i64("const.i64.[-1,49,16]", {-1, 49, 16})}, "patchify");
        const Value tokens = onnx_export::emit_linear(c, "patch_embed", *vit->patch_embed, {patches, 3});  // [N, 49, d]
        // The class token [1, 1, d] repeated for each image: Expand to [N, 1, d].
        const std::string n = g.node("Shape", {tokens.name}, "cls_token/batch", {{"start", int64_t{0}}, {"end", int64_t{1}}});
        const std::string shape = g.node("Concat", {n, g.const_i64("cls_token/row_shape", {1, d})}, "cls_token/shape",
                                         {{"axis", int64_t{0}}});
        const std::string cls = g.node("Expand", {g.initializer("cls_token", vit->cls_token), shape}, "cls_token/expand");
        const std::string joined = g.node("Concat", {cls, tokens.name}, "tokens", {{"axis", int64_t{1}}});  // [N, 50, d]
        Value h{g.node("Add", {joined, g.initializer("pos_embed", vit->pos_embed)}, "pos_embed/add"), 3};
        c.seq_len = g.node("Shape", {h.name}, "seq_len", {{"start", int64_t{1}}, {"end", int64_t{2}}});
        c.max_len = vit->pos_embed.size(1);
        for (size_t i = 0; i < vit->blocks.size(); ++i) h = onnx_export::emit(c, "blocks." + std::to_string(i), *vit->blocks[i], h);
        h = onnx_export::emit(c, "norm", *vit->norm, h);
        // The class token's row of each image: [N, 50, d] -> [N, d].
        const Value cls_out{g.node("Gather", {h.name, g.const_i64("const.i64.0", {0}, true)}, "cls_out", {{"axis", int64_t{1}}}), 2};
        out = onnx_export::emit_linear(c, "head", *vit->head, cls_out);
    } else {
        out = onnx_export::emit(c, "", *model.net, x);
    }
    g.rename_output(out.name, "logits");
    check_all_exported(*model.net, g, model.name);
}

/// Graph for GPT-mini: "tokens" int64 [B, T] -> "logits" [B, T, vocab].
void build_gpt_graph(GraphBuilder& g, const models::GptMini& gpt) {
    const models::GptOptions& o = gpt.options();
    Context c{g, "", "", o.context};
    const std::string tokens = "tokens";
    c.seq_len = g.node("Shape", {tokens}, "seq_len", {{"start", int64_t{1}}, {"end", int64_t{2}}});  // [T]
    const std::string zero = g.const_i64("const.i64.[0]", {0});
    const std::string zero_one = g.const_i64("const.i64.[0,1]", {0, 1});
    Value h{g.node("Gather", {g.initializer("tok_embed.weight", gpt.tok_embed->weight), tokens}, "tok_embed"), 3};
    if (gpt.pos_embed.defined()) {  // learned positions, rows 0..T-1
        const std::string rows = g.node("Slice", {g.initializer("pos_embed", gpt.pos_embed), zero, c.seq_len, zero}, "pos_embed/rows");
        h = {g.node("Add", {h.name, rows}, "pos_embed/add"), 3};
    }
    // Causal mask: 0 where key s <= query t, −inf above the diagonal, [context, context] sliced to [T, T].
    std::vector<float> mask(static_cast<size_t>(o.context * o.context), 0.0f);
    for (int64_t t = 0; t < o.context; ++t)
        for (int64_t s = t + 1; s < o.context; ++s) mask[static_cast<size_t>(t * o.context + s)] = -std::numeric_limits<float>::infinity();
    g.const_f32("causal_mask.full", mask, {o.context, o.context});
    const std::string ends = g.node("Concat", {c.seq_len, c.seq_len}, "causal_mask/ends", {{"axis", int64_t{0}}});
    c.causal_mask = g.node("Slice", {"causal_mask.full", g.const_i64("const.i64.[0,0]", {0, 0}), ends, zero_one}, "causal_mask");
    for (size_t i = 0; i < gpt.blocks.size(); ++i) h = onnx_export::emit(c, "blocks." + std::to_string(i), *gpt.blocks[i], h);
    h = onnx_export::emit(c, "norm", *gpt.norm, h);
    const Value out = onnx_export::emit_linear(c, "lm_head", *gpt.lm_head, h);
    g.rename_output(out.name, "logits");
    check_all_exported(gpt, g, "gpt_mini");
}

std::string serialise(const ::onnx::ModelProto& m) {
    std::string bytes;
    if (!m.SerializeToString(&bytes)) throw Error("onnx export: protobuf could not serialise the model");
    return bytes;
}

}  // namespace

std::string onnx_model_bytes(const LoadedModel& loaded) {
    const models::Model& model = loaded.model;
    if (!model.net) throw ConfigError("onnx export: the model has no network");
    ::onnx::ModelProto m;
    init_model(m, model.name, "Backprop Studio model '" + model.name + "' (" + models::find_model(model.name).title +
                                  ")");
    GraphBuilder g(m.mutable_graph());
    std::vector<std::string> in_dims{"N"};
    std::string dims_text = "[N";
    for (int64_t d : model.input_shape) {
        in_dims.push_back(std::to_string(d));
        dims_text += ", " + std::to_string(d);
    }
    dims_text += "]";
    const std::string norm = "(pixel / 255 - " + number(data::mnist_mean) + ") / " + number(data::mnist_std);
    set_io(m.mutable_graph()->add_input(), "input", ::onnx::TensorProto::FLOAT, in_dims,
           "A batch of 28x28 grey images, white ink on black as in MNIST, each pixel normalised: x = " + norm);
    set_io(m.mutable_graph()->add_output(), "logits", ::onnx::TensorProto::FLOAT, {"N", std::to_string(model.num_classes)},
           "Unnormalised class scores; softmax over the last axis gives the probabilities");
    build_image_graph(g, model);

    const std::string dataset = trained_dataset(loaded.summary);
    std::vector<std::string> names = data::class_names_for(dataset);
    if (static_cast<int>(names.size()) != model.num_classes) {
        names.clear();
        for (int i = 0; i < model.num_classes; ++i) names.push_back(std::to_string(i));
    }
    meta(m, "bp.model", model.name);
    meta(m, "bp.config", model.config().dump());
    if (!dataset.empty()) meta(m, "dataset", dataset);
    if (loaded.summary.is_object() && loaded.summary.contains("test_accuracy"))
        meta(m, "test_accuracy", loaded.summary["test_accuracy"].dump());
    meta(m, "input", "input: float32 " + dims_text + ", a batch of grey images (channels first)");
    meta(m, "output", "logits: float32 [N, " + std::to_string(model.num_classes) +
                          "], one score per class; softmax gives probabilities");
    meta(m, "preprocessing",
         "Pixels 0..255 (white ink on black, as MNIST and Fashion-MNIST store them) are scaled to [0, 1] and normalised: "
         "x = " + norm + ". A photo or scan of one digit is first made MNIST-like: inverted to white on black if its border "
         "is light, the ink's box scaled to 20 px on its longer side and placed with its centre of mass at (" +
         number(data::mnist_centre_of_mass_x) + ", " + number(data::mnist_centre_of_mass_y) +
         ") of the 28x28 canvas (bp::data::mnist_preprocess, as `backprop predict` does).");
    meta(m, "preprocessing.scale", number(1.0 / 255.0));
    meta(m, "preprocessing.mean", number(data::mnist_mean));
    meta(m, "preprocessing.std", number(data::mnist_std));
    meta(m, "class_names", nlohmann::json(names).dump());
    return serialise(m);
}

std::string onnx_model_bytes(const models::GptMini& gpt, const data::CharTokenizer& tokenizer,
                             const nlohmann::json& summary) {
    const models::GptOptions& o = gpt.options();
    ::onnx::ModelProto m;
    init_model(m, "gpt_mini", "Backprop Studio GPT-mini: a character-level language model");
    GraphBuilder g(m.mutable_graph());
    set_io(m.mutable_graph()->add_input(), "tokens", ::onnx::TensorProto::INT64, {"B", "T"},
           "Character ids (see the metadata's tokenizer), T <= " + std::to_string(o.context));
    set_io(m.mutable_graph()->add_output(), "logits", ::onnx::TensorProto::FLOAT, {"B", "T", std::to_string(o.vocab_size)},
           "Next-character scores for each position; softmax over the last axis gives the probabilities");
    build_gpt_graph(g, gpt);
    meta(m, "bp.model", "gpt_mini");
    meta(m, "bp.config", nlohmann::json{{"model", "gpt_mini"}, {"options", o.to_json()}}.dump());
    meta(m, "bp.tokenizer", tokenizer.to_json().dump());
    meta(m, "input", "tokens: int64 [B, T] with 1 <= T <= " + std::to_string(o.context) +
                         ", the ids of the characters (the index of each character in bp.tokenizer's vocab)");
    meta(m, "output", "logits: float32 [B, T, " + std::to_string(o.vocab_size) +
                          "], at each position the scores of the next character (causal: position t sees 0..t)");
    meta(m, "preprocessing", "Text is split into Unicode characters and each is replaced by its index in bp.tokenizer's "
                             "sorted vocab; characters not in the vocab are dropped.");
    if (summary.is_object() && !summary.empty()) meta(m, "bp.summary", summary.dump());
    return serialise(m);
}

void save_onnx(const std::string& path, const LoadedModel& model) { write_file_atomic(path, onnx_model_bytes(model)); }

std::string export_model_file_to_onnx(const std::string& model_file, const std::string& out_path,
                                      const std::string& architecture) {
    std::string bytes, what;
    if (architecture.empty() && is_gpt_file(model_file)) {
        LoadedGpt gpt = load_gpt(model_file);
        bytes = onnx_model_bytes(*gpt.model, gpt.tokenizer, gpt.summary);
        what = "gpt_mini";
    } else {
        const LoadedModel loaded = architecture.empty() ? load_model(model_file) : load_model(model_file, architecture);
        bytes = onnx_model_bytes(loaded);
        what = loaded.model.name;
    }
    ::onnx::ModelProto check;
    check.ParseFromString(bytes);
    write_file_atomic(out_path, bytes);
    std::ostringstream os;
    os << what << ": opset " << onnx_opset << ", " << check.graph().node_size() << " nodes, "
       << check.graph().initializer_size() << " initializers, " << bytes.size() << " bytes";
    return os.str();
}

}  // namespace bp::io
