// json_checks.cpp — see json_checks.h. The duplicate-key and depth checks run in nlohmann's parser callback,
// one set of keys per open object.
#include "bp/io/json_checks.h"

#include <cmath>
#include <set>
#include <vector>

#include "bp/errors.h"

namespace bp::io {

nlohmann::json parse_json_strict(const std::string& text, const std::string& where) {
    std::vector<std::set<std::string>> keys;  // one per object being parsed
    auto cb = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using E = nlohmann::json::parse_event_t;
        if (depth > max_json_depth)
            throw DataError(where + " is nested deeper than " + std::to_string(max_json_depth) +
                            " levels; the file is corrupt or not what was expected");
        if (event == E::object_start) keys.emplace_back();
        else if (event == E::object_end && !keys.empty()) keys.pop_back();
        else if (event == E::key && !keys.empty()) {
            const std::string k = parsed.get<std::string>();
            if (!keys.back().insert(k).second)
                throw DataError(where + " repeats the key \"" + k.substr(0, 200) +
                                "\" in one object; an ambiguous file is refused, keep each key once");
        }
        return true;
    };
    try {
        return nlohmann::json::parse(text, cb);
    } catch (const DataError&) {
        throw;
    } catch (const nlohmann::json::exception& e) {
        // nlohmann's text without its "[json.exception.parse_error.101] " tag: "parse error at line 1, ..."
        std::string what = e.what();
        if (what.rfind("[json.exception.", 0) == 0 && what.find("] ") != std::string::npos)
            what = what.substr(what.find("] ") + 2);
        throw DataError(where + " is not valid JSON; got " + what);
    }
}

int64_t json_int(const nlohmann::json& v, const std::string& what, int64_t lo, int64_t hi) {
    auto bad = [&]() -> int64_t {
        std::string got = v.is_discarded() ? "nothing" : v.dump();
        if (got.size() > 80) got = got.substr(0, 80) + "...";
        throw ConfigError(what + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                          "; got " + got);
    };
    if (v.is_number_unsigned()) {
        const uint64_t u = v.get<uint64_t>();
        if (u > static_cast<uint64_t>(INT64_MAX)) return bad();
        const auto i = static_cast<int64_t>(u);
        return i < lo || i > hi ? bad() : i;
    }
    if (v.is_number_integer()) {
        const int64_t i = v.get<int64_t>();
        return i < lo || i > hi ? bad() : i;
    }
    if (v.is_number_float()) {
        const double d = v.get<double>();
        // Compare as doubles first: only a value inside [lo, hi] is ever cast.
        if (!std::isfinite(d) || d != std::floor(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0 || d < static_cast<double>(lo) || d > static_cast<double>(hi))
            return bad();
        const auto i = static_cast<int64_t>(d);
        return i < lo || i > hi ? bad() : i;
    }
    return bad();
}

int64_t json_int_or(const nlohmann::json& j, const std::string& key, int64_t fallback, const std::string& what,
                    int64_t lo, int64_t hi) {
    if (!j.is_object() || !j.contains(key)) return fallback;
    return json_int(j.at(key), what, lo, hi);
}

double json_real(const nlohmann::json& v, const std::string& what, double lo, double hi) {
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < lo || v.get<double>() > hi) {
        std::string got = v.dump();
        if (got.size() > 80) got = got.substr(0, 80) + "...";
        throw ConfigError(what + " must be a number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                          "; got " + got);
    }
    return v.get<double>();
}

std::string json_string(const nlohmann::json& v, const std::string& what) {
    if (!v.is_string()) {
        std::string got = v.dump();
        if (got.size() > 80) got = got.substr(0, 80) + "...";
        throw ConfigError(what + " must be a string; got " + got);
    }
    return v.get<std::string>();
}

}  // namespace bp::io
