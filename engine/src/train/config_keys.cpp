// config_keys.cpp — text to TrainConfig fields, one table row per field. Whole-text parsing: "3x" or "1.5"
// for an integer field is an error, never silently truncated.
#include "bp/train/config_keys.h"

#include <cerrno>
#include <cstdlib>
#include <functional>
#include <limits>

#include "bp/errors.h"

namespace bp::train {

namespace {

[[noreturn]] void bad(const std::string& key, const std::string& value, const std::string& fits) {
    throw ConfigError(key + " = '" + value + "' is not valid; " + fits);
}

long long to_int(const std::string& key, const std::string& v, long long lo, long long hi) {
    errno = 0;
    char* end = nullptr;
    long long x = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno == ERANGE) bad(key, v, "use a whole number");
    if (x < lo || x > hi)
        bad(key, v, "use a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
    return x;
}

double to_real(const std::string& key, const std::string& v) {
    char* end = nullptr;
    double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0') bad(key, v, "use a number such as 0.001 or 1e-3");
    return x;
}

bool to_bool(const std::string& key, const std::string& v) {
    if (v == "true" || v == "on" || v == "1") return true;
    if (v == "false" || v == "off" || v == "0") return false;
    bad(key, v, "use true or false");
}

std::string one_of(const std::string& key, const std::string& v, const std::vector<std::string>& choices) {
    for (const auto& c : choices)
        if (c == v) return v;
    std::string list;
    for (size_t i = 0; i < choices.size(); ++i) list += (i ? ", " : "") + choices[i];
    bad(key, v, "use one of: " + list);
}

struct Field {
    const char* name;
    std::function<void(TrainConfig&, const std::string& key, const std::string& v)> set;
};

const std::vector<Field>& fields() {
    constexpr long long kMaxInt = std::numeric_limits<int>::max();
    static const std::vector<Field> rows = {
        {"model",
         [](TrainConfig& c, auto& k, auto& v) {
             if (v.empty()) bad(k, v, "name a zoo model, e.g. mlp");
             c.model = v;
         }},
        {"dataset",
         [](TrainConfig& c, auto& k, auto& v) {
             if (v.empty()) bad(k, v, "use mnist, fashion-mnist or a folder of IDX files");
             c.dataset = v;
         }},
        {"epochs",
         [](TrainConfig& c, auto& k, auto& v) { c.epochs = static_cast<int>(to_int(k, v, 0, kMaxInt)); }},
        {"batch_size",
         [](TrainConfig& c, auto& k, auto& v) { c.batch_size = static_cast<int>(to_int(k, v, 0, kMaxInt)); }},
        {"lr", [](TrainConfig& c, auto& k, auto& v) { c.lr = to_real(k, v); }},
        {"optimizer", [](TrainConfig& c, auto& k, auto& v) { c.optimizer = v; }},
        {"weight_decay", [](TrainConfig& c, auto& k, auto& v) { c.weight_decay = to_real(k, v); }},
        {"momentum", [](TrainConfig& c, auto& k, auto& v) { c.momentum = to_real(k, v); }},
        {"schedule",
         [](TrainConfig& c, auto& k, auto& v) {
             c.schedule = one_of(k, v, {"none", "step", "cosine", "onecycle"});
         }},
        {"step_epochs", [](TrainConfig& c, auto& k,
                           auto& v) { c.step_epochs = static_cast<int>(to_int(k, v, 0, kMaxInt)); }},
        {"gamma", [](TrainConfig& c, auto& k, auto& v) { c.gamma = to_real(k, v); }},
        {"warmup_fraction", [](TrainConfig& c, auto& k, auto& v) { c.warmup_fraction = to_real(k, v); }},
        {"label_smoothing", [](TrainConfig& c, auto& k, auto& v) { c.label_smoothing = to_real(k, v); }},
        {"seed",
         [](TrainConfig& c, auto& k, auto& v) {
             c.seed = static_cast<uint64_t>(to_int(k, v, 0, std::numeric_limits<long long>::max()));
         }},
        {"threads",
         [](TrainConfig& c, auto& k, auto& v) { c.threads = static_cast<int>(to_int(k, v, 0, kMaxInt)); }},
        {"train_limit",
         [](TrainConfig& c, auto& k, auto& v) {
             c.train_limit = to_int(k, v, 0, std::numeric_limits<int64_t>::max());
         }},
        {"test_limit", [](TrainConfig& c, auto& k,
                          auto& v) { c.test_limit = to_int(k, v, 0, std::numeric_limits<int64_t>::max()); }},
        {"evaluate", [](TrainConfig& c, auto& k, auto& v) { c.evaluate = to_bool(k, v); }},
        {"augment",
         [](TrainConfig& c, auto& k, auto& v) {
             c.augment = data::AugmentOptions{};
             c.augment.enabled = to_bool(k, v);
         }},
        {"device",
         [](TrainConfig& c, auto& k, auto& v) {
             c.device = one_of(k, v, {"cpu", "cuda", "auto"});
         }},
        {"precision",
         [](TrainConfig& c, auto& k, auto& v) {
             c.precision = one_of(k, v, {"fp32", "bf16"});
         }},
        {"checkpoint",
         [](TrainConfig& c, auto& k, auto& v) {
             c.checkpoint = one_of(k, v, {"off", "attention", "block"});
         }},
    };
    return rows;
}

}  // namespace

std::vector<std::string> config_field_names() {
    std::vector<std::string> out;
    for (const auto& f : fields()) out.emplace_back(f.name);
    return out;
}

void set_config_field(TrainConfig& cfg, const std::string& key, const std::string& value) {
    for (const auto& f : fields())
        if (key == f.name) return f.set(cfg, key, value);
    std::string list;
    for (const auto& n : config_field_names()) list += (list.empty() ? "" : ", ") + n;
    throw ConfigError("unknown training setting '" + key + "'; the settings are: " + list);
}

}  // namespace bp::train
