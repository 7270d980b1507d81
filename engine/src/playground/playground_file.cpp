// playground_file.cpp — see playground_file.h.
#include "bp/playground/playground_file.h"

#include <nlohmann/json.hpp>

#include "bp/errors.h"
#include "bp/io/atomic_file.h"
#include "bp/io/json_checks.h"

namespace bp::playground {

namespace {
constexpr const char* kFormat = "backprop-studio playground";
constexpr int kVersion = 1;
}  // namespace

std::string config_to_json(const Config& c) {
    nlohmann::json j;
    j["format"] = kFormat;
    j["version"] = kVersion;
    nlohmann::json points = nlohmann::json::array();
    for (const Point& p : c.data.user_points) points.push_back({p.x1, p.x2, p.label});
    j["data"] = {{"dataset", dataset_name(c.data.kind)}, {"seed", c.data.seed},       {"noise", c.data.noise},
                 {"train_ratio", c.data.train_ratio},    {"count", c.data.count},     {"points", points}};
    nlohmann::json feats = nlohmann::json::array();
    for (int i = 0; i < feature_count; ++i)
        if (c.features & (1u << i)) feats.push_back(feature_name(i));
    j["features"] = feats;
    j["hidden"] = c.hidden;
    j["activation"] = nn::activation_name(c.activation);
    j["lr"] = c.lr;
    j["batch_size"] = c.batch_size;
    j["l1"] = c.l1;
    j["l2"] = c.l2;
    j["optimizer"] = c.optimizer;
    return j.dump(2) + "\n";
}

Config config_from_json(const std::string& text, const std::string& where) {
    const nlohmann::json j = io::parse_json_strict(text, where);
    auto fail = [&](const std::string& m) -> void { throw DataError(where + ": " + m); };
    if (!j.is_object()) fail("not a playground state (expected a JSON object)");
    if (!j.contains("format") || j["format"] != kFormat) fail("not a playground state (no \"format\": \"" + std::string(kFormat) + "\")");
    if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int64_t>() != kVersion)
        fail("unsupported version (this app reads version " + std::to_string(kVersion) + ")");
    for (const char* key : {"data", "features", "hidden", "activation", "lr", "batch_size", "l1", "l2", "optimizer"})
        if (!j.contains(key)) fail(std::string("missing \"") + key + "\"");
    try {
        Config c;
        const nlohmann::json& d = j["data"];
        if (!d.is_object()) fail("\"data\" must be an object");
        for (const char* key : {"dataset", "seed", "noise", "train_ratio", "count", "points"})
            if (!d.contains(key)) fail(std::string("missing \"data\".\"") + key + "\"");
        c.data.kind = dataset_from_string(io::json_string(d["dataset"], "data.dataset"));
        c.data.seed = static_cast<uint64_t>(io::json_int(d["seed"], "data.seed", 0, int64_t{1} << 53));
        c.data.noise = io::json_real(d["noise"], "data.noise", 0, 0.5);
        c.data.train_ratio = io::json_real(d["train_ratio"], "data.train_ratio", 0.1, 0.9);
        c.data.count = static_cast<int>(io::json_int(d["count"], "data.count", 10, 20000));
        if (!d["points"].is_array()) fail("\"data\".\"points\" must be a list of [x1, x2, class]");
        if (d["points"].size() > static_cast<size_t>(max_user_points))
            fail("more than " + std::to_string(max_user_points) + " points of your own");
        for (const nlohmann::json& p : d["points"]) {
            if (!p.is_array() || p.size() != 3) fail("each point must be [x1, x2, class]");
            c.data.user_points.push_back({io::json_real(p[0], "a point's x1", -plane_extent, plane_extent),
                                          io::json_real(p[1], "a point's x2", -plane_extent, plane_extent),
                                          static_cast<int>(io::json_int(p[2], "a point's class", 0, 1))});
        }
        if (!j["features"].is_array()) fail("\"features\" must be a list of names");
        c.features = 0;
        for (const nlohmann::json& f : j["features"]) c.features |= feature_from_string(io::json_string(f, "a feature"));
        if (!j["hidden"].is_array() || j["hidden"].size() > static_cast<size_t>(max_hidden_layers))
            fail("\"hidden\" must be a list of at most " + std::to_string(max_hidden_layers) + " layer sizes");
        c.hidden.clear();
        for (const nlohmann::json& h : j["hidden"]) c.hidden.push_back(static_cast<int>(io::json_int(h, "a hidden layer's size", 1, max_neurons)));
        c.activation = nn::activation_from_string(io::json_string(j["activation"], "activation"));
        c.lr = io::json_real(j["lr"], "lr", 1e-9, 10);
        c.batch_size = static_cast<int>(io::json_int(j["batch_size"], "batch_size", 1, 1000));
        c.l1 = io::json_real(j["l1"], "l1", 0, 1);
        c.l2 = io::json_real(j["l2"], "l2", 0, 1);
        c.optimizer = io::json_string(j["optimizer"], "optimizer");
        c.validate();
        return c;
    } catch (const DataError&) {
        throw;
    } catch (const Error& e) {
        throw DataError(where + ": " + e.what());
    }
}

void save_config(const std::string& path, const Config& c) {
    c.validate();
    io::write_file_atomic(path, config_to_json(c));
}

Config load_config(const std::string& path) {
    return config_from_json(io::read_file(path, max_state_file_bytes), "playground state '" + path + "'");
}

}  // namespace bp::playground
