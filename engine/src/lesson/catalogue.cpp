// catalogue.cpp — the catalogue's rows (plain arrays: add a row to extend it) and its lookups.
// The app feeds the facts and runs the actions; this file only names and describes them.
#include "bp/lesson/catalogue.h"

#include <algorithm>
#include <sstream>

namespace bp::lesson {

namespace {
using K = FactKind;
constexpr K N = K::Number, B = K::Bool, T = K::Text, P = K::Pair;
}  // namespace

std::string_view kind_name(FactKind k) {
    switch (k) {
        case K::Number:
            return "number";
        case K::Bool:
            return "bool";
        case K::Text:
            return "text";
        case K::Pair:
            return "pair";
    }
    return "?";
}

const std::vector<PageInfo>& pages() {
    static const std::vector<PageInfo> rows = {
        {"train", {}, "train a zoo model on MNIST / Fashion-MNIST: curves, confusion matrix, samples"},
        {"draw", {}, "draw a digit on a pad and watch a model recognise it"},
        {"backprop",
         {"stepper", "update", "flow"},
         "step the backward pass node by node; the gradient-flow experiment"},
        {"attention", {"vit", "gpt"}, "a tiny ViT's attention maps; a tiny GPT that learns to spell"},
        {"playground", {}, "a small network separating two classes on a 2-D plane, live: boundary, neurons, weights, curves"},
        {"benchmarks", {}, "speed and accuracy benchmarks, side by side with PyTorch"},
        {"lessons", {}, "the course and the learner's progress"},
        {"features", {}, "inside a CNN: every layer's feature maps, its kernels, one value's arithmetic, top images"},
    };
    return rows;
}

const std::vector<FactInfo>& facts() {
    static const std::vector<FactInfo> rows = {
        {"app.page", T, "the page shown: train, draw, backprop, attention, playground, benchmarks, lessons, features", "app"},
        {"run.state", T, "idle | loading | starting | running | paused | finished | stopped | failed | no_data", "train"},
        {"run.started", B, "a training run has started", "train"},
        {"run.finished", B, "the run finished all its epochs", "train"},
        {"run.failed", B, "the run failed (e.g. the loss became NaN)", "train"},
        {"run.stopped", B, "the run was stopped by the learner", "train"},
        {"run.count", N, "runs finished this session", "train"},
        {"run.model", T, "model of the current/last run", "train"},
        {"run.optimizer", T, "optimizer of the current/last run", "train"},
        {"run.dataset", T, "dataset of the current/last run", "train"},
        {"run.schedule", T, "learning-rate schedule of the current/last run", "train"},
        {"run.lr", N, "learning rate of the current/last run", "train"},
        {"run.epochs", N, "epochs asked for in the current/last run", "train"},
        {"run.batch_size", N, "batch size of the current/last run", "train"},
        {"run.train_limit", N, "training images used (0 = all)", "train"},
        {"run.weight_decay", N, "weight decay of the current/last run", "train"},
        {"run.dropout", N, "dropout probability of the current/last run", "train"},
        {"run.seed", N, "seed of the current/last run", "train"},
        {"run.augment", B, "augmentation was on in the current/last run", "train"},
        {"run.epoch", N, "epochs completed", "train"},
        {"run.first_loss", N, "loss of the first batch", "train"},
        {"run.last_loss", N, "loss of the latest batch", "train"},
        {"run.train_loss", N, "training loss of the last epoch", "train"},
        {"run.train_accuracy", N, "training accuracy of the last epoch (fraction)", "train"},
        {"run.test_loss", N, "test loss of the last epoch", "train"},
        {"run.test_accuracy", N, "test accuracy of the last epoch (fraction)", "train"},
        {"run.best_test_accuracy", N, "best test accuracy over the run's epochs (fraction)", "train"},
        {"run.gap", N, "train_accuracy - test_accuracy of the last epoch", "train"},
        {"run.most_confused", P, "\"true,predicted\" of the largest off-diagonal confusion cell", "train"},
        {"run.most_confused_count", N, "how many test images fell in that cell", "train"},
        {"run.worst_class", N, "the class with the lowest test accuracy", "train"},
        {"run.worst_class_accuracy", N, "that class's test accuracy (fraction)", "train"},
        {"run.samples_per_second", N, "training speed of the last epoch", "train"},
        {"draw.model", T, "the model recognising the pad: mlp, cnn or text", "draw"},
        {"draw.prediction", N, "the class the model predicts for the pad", "draw"},
        {"draw.confidence", N, "the probability of that class", "draw"},
        {"draw.has_ink", B, "something is drawn on the pad", "draw"},
        {"backprop.example", T, "the example graph: neuron, xor or mlp", "backprop"},
        {"playground.dataset", T, "the playground's dataset: circle, xor, gaussians, spiral or custom", "playground"},
        {"playground.hidden_layers", N, "hidden layers of the playground's network", "playground"},
        {"playground.epoch", N, "epochs the playground's network has trained since its start", "playground"},
        {"playground.train_accuracy", N, "the playground network's accuracy on its training points", "playground"},
        {"playground.test_accuracy", N, "the playground network's accuracy on its test points", "playground"},
        {"playground.test_loss", N, "the playground network's cross-entropy loss on its test points", "playground"},
        {"playground.playing", B, "the playground is training", "playground"},
        {"backprop.phase", T, "forward | backward | update | done", "backprop"},
        {"backprop.step", N, "the stepper's position", "backprop"},
        {"backprop.updates", N, "SGD updates applied in the stepper", "backprop"},
        {"backprop.selected.id", N, "1-based number of the selected node", "backprop"},
        {"backprop.selected.op", T, "op name of the selected node (e.g. sigmoid, matmul)", "backprop"},
        {"backprop.selected.value", N, "first element of the selected node's output", "backprop"},
        {"backprop.selected.grad", N, "first element of the selected node's gradient", "backprop"},
        {"backprop.max_abs_diff", N, "analytic vs numerical gradient of the selected node, max |difference|",
         "backprop"},
        {"backprop.loss", N, "the example's loss", "backprop"},
        {"backprop.finished", B, "the stepper reached the end", "backprop"},
        {"flow.ran", B, "the gradient-flow experiment ran", "backprop"},
        {"flow.sigmoid_first_grad", N, "gradient norm of the first layer, sigmoid net", "backprop"},
        {"flow.relu_first_grad", N, "gradient norm of the first layer, ReLU net", "backprop"},
        {"flow.ratio", N, "relu_first_grad / sigmoid_first_grad", "backprop"},
        {"flow.sigmoid_ratio", N, "sigmoid net: first-layer / last-layer gradient norm", "backprop"},
        {"flow.relu_ratio", N, "ReLU net: first-layer / last-layer gradient norm", "backprop"},
        {"flow.winner", T, "relu | sigmoid: which kept the larger first-layer gradient", "backprop"},
        {"vit.trained", B, "the quick ViT finished training", "attention"},
        {"vit.test_accuracy", N, "the ViT's test accuracy (fraction)", "attention"},
        {"vit.prediction", N, "the ViT's prediction for the shown image", "attention"},
        {"vit.image", N, "index of the shown test image", "attention"},
        {"vit.label", N, "true label of the shown image", "attention"},
        {"gpt.block", T, "gpt2 | modern", "attention"},
        {"gpt.running", B, "the GPT is training", "attention"},
        {"gpt.finished", B, "the GPT training finished", "attention"},
        {"gpt.generated", B, "text was generated", "attention"},
        {"gpt.step", N, "GPT training steps done", "attention"},
        {"gpt.train_loss", N, "GPT training loss", "attention"},
        {"gpt.val_loss", N, "GPT validation loss", "attention"},
        {"gpt.unigram_loss", N, "loss of guessing by character frequency alone (the baseline)", "attention"},
        {"gpt.generated_text", T, "the latest generated text", "attention"},
        {"gpt.runs", N, "GPT runs finished this session", "attention"},
        {"bench.finished", B, "a benchmark suite finished", "benchmarks"},
        {"bench.suite", T, "the benchmark suite that ran", "benchmarks"},
    };
    return rows;
}

const std::vector<WidgetInfo>& widgets() {
    static const std::vector<WidgetInfo> rows = {
        {"train.model", "train", "model picker"},
        {"train.epochs", "train", "epochs"},
        {"train.batch_size", "train", "batch size"},
        {"train.lr", "train", "learning rate"},
        {"train.optimizer", "train", "optimizer picker"},
        {"train.schedule", "train", "learning-rate schedule"},
        {"train.weight_decay", "train", "weight decay"},
        {"train.augment", "train", "augmentation switch"},
        {"train.train_limit", "train", "training-set size limit"},
        {"train.test_limit", "train", "test-set size limit"},
        {"train.seed", "train", "seed"},
        {"train.start", "train", "Start button"},
        {"train.pause", "train", "Pause button"},
        {"train.step", "train", "Step (one batch) button"},
        {"train.stop", "train", "Stop button"},
        {"train.resume", "train", "Resume button"},
        {"train.status", "train", "run status line"},
        {"train.progress", "train", "run progress bar"},
        {"train.charts", "train", "the charts panel"},
        {"train.epochs_table", "train", "per-epoch results table"},
        {"train.loss_chart", "train", "loss curve"},
        {"train.accuracy_chart", "train", "accuracy curve"},
        {"train.confusion", "train", "confusion matrix"},
        {"train.samples", "train", "sample predictions"},
        {"train.norms", "train", "gradient / weight norms"},
        {"train.diagram", "train", "model diagram"},
        {"draw.pad", "draw", "drawing pad"},
        {"draw.input", "draw", "the 28x28 input the model sees"},
        {"draw.bars", "draw", "class probability bars"},
        {"draw.saliency", "draw", "saliency map"},
        {"draw.model", "draw", "model picker"},
        {"draw.clear", "draw", "Clear button"},
        {"playground.play", "playground", "Play / Pause button"},
        {"playground.step", "playground", "Step button (one epoch)"},
        {"playground.reset", "playground", "Reset button"},
        {"playground.boundary", "playground", "the plane: decision boundary and points"},
        {"playground.network", "playground", "the network diagram"},
        {"playground.dataset", "playground", "dataset picker"},
        {"playground.add_layer", "playground", "add a hidden layer"},
        {"backprop.example", "backprop", "example picker"},
        {"backprop.graph", "backprop", "computation graph"},
        {"backprop.detail", "backprop", "selected node's values and gradients"},
        {"backprop.step_forward", "backprop", "Step forward button"},
        {"backprop.step_backward", "backprop", "Step backward button"},
        {"backprop.update", "backprop", "Update (SGD) button"},
        {"backprop.tabs", "backprop", "the page's tabs"},
        {"backprop.back", "backprop", "Back button"},
        {"backprop.run_to_end", "backprop", "Run to end button"},
        {"backprop.restart", "backprop", "Restart button"},
        {"backprop.flow_run", "backprop", "Run the gradient-flow experiment button"},
        {"backprop.flow_chart", "backprop", "gradient-flow chart"},
        {"attention.tabs", "attention", "ViT / GPT tabs"},
        {"attention.vit", "attention", "the ViT tab"},
        {"attention.vit_model", "attention", "ViT model picker"},
        {"attention.gpt", "attention", "the GPT tab"},
        {"attention.vit_train", "attention", "Train the quick ViT button"},
        {"attention.vit_maps", "attention", "ViT attention maps"},
        {"attention.image", "attention", "test image picker"},
        {"attention.gpt_block", "attention", "GPT block picker"},
        {"attention.gpt_steps", "attention", "GPT training steps"},
        {"attention.gpt_start", "attention", "Train the GPT button"},
        {"attention.gpt_pause", "attention", "Pause GPT training button"},
        {"attention.gpt_stop", "attention", "Stop GPT training button"},
        {"attention.gpt_loss", "attention", "GPT loss curve"},
        {"attention.prompt", "attention", "prompt field"},
        {"attention.generate", "attention", "Generate button"},
        {"attention.token_map", "attention", "GPT attention over tokens"},
        {"benchmarks.suite", "benchmarks", "suite picker"},
        {"benchmarks.run", "benchmarks", "Run button"},
        {"benchmarks.charts", "benchmarks", "benchmark charts"},
    };
    return rows;
}

const std::vector<ActionInfo>& actions() {
    static const std::vector<ActionInfo> rows = {
        {"train.start", "train", "start training with the page's settings"},
        {"train.stop", "train", "stop the run"},
        {"train.pause", "train", "pause the run"},
        {"train.resume", "train", "resume a paused run"},
        {"backprop.step", "backprop", "one step of the stepper"},
        {"backprop.step_forward", "backprop", "compute the next operation of the forward pass"},
        {"backprop.step_backward", "backprop", "run the next node of the backward pass"},
        {"backprop.update", "backprop", "finish the backward pass and apply one SGD step"},
        {"backprop.back", "backprop", "one step back"},
        {"backprop.run_to_end", "backprop", "run the stepper to the end"},
        {"backprop.restart", "backprop", "restart the stepper"},
        {"backprop.flow_run", "backprop", "run the gradient-flow experiment"},
        {"draw.clear", "draw", "clear the pad"},
        {"draw.test_digit", "draw", "draw the MNIST test image set by draw.digit on the pad"},
        {"playground.play", "playground", "start training the playground's network"},
        {"playground.pause", "playground", "pause the playground"},
        {"playground.step", "playground", "train the playground's network for one epoch"},
        {"playground.reset", "playground", "reset the playground's network to its starting weights"},
        {"attention.vit_train", "attention", "train the quick ViT"},
        {"attention.gpt_start", "attention", "train the tiny GPT"},
        {"attention.gpt_stop", "attention", "stop training the tiny GPT"},
        {"attention.generate", "attention", "generate text from the prompt"},
        {"benchmarks.run", "benchmarks", "run the selected benchmark suite"},
    };
    return rows;
}

const std::vector<AppSettingInfo>& app_settings() {
    static const std::vector<AppSettingInfo> rows = {
        {"backprop.example", {"neuron", "xor", "mlp"}, 0, 0, "the stepper's example graph", "backprop"},
        {"attention.image", {}, 0, 9999, "test image index shown to the ViT", "attention"},
        {"gpt.block", {"gpt2", "modern"}, 0, 0, "GPT block kind", "attention"},
        {"gpt.steps", {}, 10, 20000, "GPT training steps", "attention"},
        {"gpt.prompt", {}, 0, 200, "the prompt text generation starts from", "attention", true},
        {"draw.model", {"mlp", "cnn", "text"}, 0, 0, "model recognising the pad", "draw"},
        {"draw.digit", {}, 0, 9999, "MNIST test image N drawn on the pad by draw.test_digit", "draw"},
    };
    return rows;
}

namespace {
template <class Row>
const Row* find_in(const std::vector<Row>& rows, std::string_view name) {
    auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.name == name; });
    return it == rows.end() ? nullptr : &*it;
}
template <class Row>
std::vector<std::string> names_of(const std::vector<Row>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.emplace_back(r.name);
    return out;
}
}  // namespace

const PageInfo* find_page(std::string_view n) {
    return find_in(pages(), n);
}
const FactInfo* find_fact(std::string_view n) {
    return find_in(facts(), n);
}
const WidgetInfo* find_widget(std::string_view n) {
    return find_in(widgets(), n);
}
const ActionInfo* find_action(std::string_view n) {
    return find_in(actions(), n);
}
const AppSettingInfo* find_app_setting(std::string_view n) {
    return find_in(app_settings(), n);
}
std::vector<std::string> page_names() {
    return names_of(pages());
}
std::vector<std::string> fact_names() {
    return names_of(facts());
}
std::vector<std::string> widget_names() {
    return names_of(widgets());
}
std::vector<std::string> action_names() {
    return names_of(actions());
}
std::vector<std::string> app_setting_names() {
    return names_of(app_settings());
}

std::string allowed_text(const AppSettingInfo& s) {
    if (s.any_text) return "any text up to " + std::to_string(s.max) + " characters";
    if (s.choices.empty()) return "an integer from " + std::to_string(s.min) + " to " + std::to_string(s.max);
    std::string out = "one of: ";
    for (size_t i = 0; i < s.choices.size(); ++i) out += (i ? ", " : "") + std::string(s.choices[i]);
    return out;
}

std::string check_app_setting(const AppSettingInfo& s, std::string_view value) {
    const std::string head = std::string(s.name) + " = " + std::string(value);
    if (s.any_text) {
        if (value.size() <= static_cast<size_t>(s.max)) return {};
        return std::string(s.name) + " is " + std::to_string(value.size()) + " characters long; use " + allowed_text(s);
    }
    if (!s.choices.empty()) {
        if (std::find(s.choices.begin(), s.choices.end(), value) != s.choices.end()) return {};
        return head + " is not " + allowed_text(s);
    }
    long v = 0;
    size_t used = 0;
    try {
        v = std::stol(std::string(value), &used);
    } catch (...) {
        used = 0;
    }
    if (used == 0 || used != value.size()) return head + " is not a whole number; use " + allowed_text(s);
    if (v < s.min || v > s.max) return head + " is out of range; use " + allowed_text(s);
    return {};
}

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::optional<std::string> closest(std::string_view name, const std::vector<std::string>& candidates) {
    const std::string* best = nullptr;
    size_t best_d = SIZE_MAX;
    for (const auto& c : candidates) {
        size_t d = edit_distance(name, c);
        if (d < best_d) best_d = d, best = &c;
    }
    if (!best) return std::nullopt;
    const size_t longer = std::max(name.size(), best->size());
    // A plausible typo: a third of the letters wrong (at least 2), and not every letter of the shorter name.
    if (best_d <= std::max<size_t>(2, longer / 3) && best_d < std::min(name.size(), best->size()))
        return *best;
    // "test_accuracy" for "run.test_accuracy": the same last part under another prefix.
    auto tail = [](std::string_view s) {
        auto p = s.rfind('.');
        return p == std::string_view::npos ? s : s.substr(p + 1);
    };
    for (const auto& c : candidates)
        if (tail(c) == tail(name)) return c;
    return std::nullopt;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
    auto c = closest(name, candidates);
    return c ? " (did you mean '" + *c + "'?)" : std::string();
}

namespace {
// A table cell: '|' would end the cell early.
std::string cell(std::string_view s) {
    std::string out;
    for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}
}  // namespace

std::string catalogue_markdown() {
    std::ostringstream o;
    o << "### Pages and tabs\n\n| page | tabs | what it shows |\n|---|---|---|\n";
    for (const auto& p : pages()) {
        o << "| `" << p.name << "` | ";
        for (size_t i = 0; i < p.tabs.size(); ++i) o << (i ? ", " : "") << '`' << p.tabs[i] << '`';
        o << " | " << cell(p.description) << " |\n";
    }
    o << "\n### Facts (for `check:` and `answer: fact NAME`)\n\n| fact | kind | page | meaning "
         "|\n|---|---|---|---|\n";
    for (const auto& f : facts())
        o << "| `" << f.name << "` | " << kind_name(f.kind) << " | " << f.page << " | " << cell(f.description)
          << " |\n";
    o << "\n### Widget ids (for `lock:`, `hide:`, `highlight:`)\n\n| widget id | page | what it is "
         "|\n|---|---|---|\n";
    for (const auto& w : widgets())
        o << "| `" << w.name << "` | " << w.page << " | " << cell(w.description) << " |\n";
    o << "\n### Actions (for `do:`)\n\n| action | page | what it does |\n|---|---|---|\n";
    for (const auto& a : actions())
        o << "| `" << a.name << "` | " << a.page << " | " << cell(a.description) << " |\n";
    o << "\n### App setting keys (for `set:`, besides the training-configuration fields)\n\n"
         "| key | allowed values | page | what it sets |\n|---|---|---|---|\n";
    for (const auto& s : app_settings())
        o << "| `" << s.name << "` | " << allowed_text(s) << " | " << s.page << " | " << cell(s.description)
          << " |\n";
    return o.str();
}

}  // namespace bp::lesson
