// json_checks.h — strict JSON reading for files a user hands us: duplicate keys and absurd nesting refused,
// every nlohmann exception turned into bp::DataError naming the file, and integer fields checked to be whole
// numbers in range before any cast (a double such as 1e30 never reaches static_cast<int64_t>).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace bp::io {

/// Deepest nesting a header, config or results file may have.
inline constexpr int max_json_depth = 64;

/// Parses `text` as JSON. Throws bp::DataError "<where>: <what is wrong>" for invalid JSON, a number out of
/// double's range (1e400), a key repeated in one object, or nesting deeper than max_json_depth.
/// Example: auto header = parse_json_strict(text, "load_safetensors: 'm.safetensors' header");
nlohmann::json parse_json_strict(const std::string& text, const std::string& where);

/// `v` as an integer in [lo, hi]: a JSON integer, or a float with no fractional part inside the range.
/// Throws bp::ConfigError "<what> must be a whole number from lo to hi; got <v>" otherwise.
int64_t json_int(const nlohmann::json& v, const std::string& what, int64_t lo, int64_t hi);

/// j[key] as json_int, or `fallback` when j has no such key.
int64_t json_int_or(const nlohmann::json& j, const std::string& key, int64_t fallback, const std::string& what,
                    int64_t lo, int64_t hi);

/// `v` as a finite number in [lo, hi]; ConfigError naming `what` otherwise.
double json_real(const nlohmann::json& v, const std::string& what, double lo, double hi);

/// `v` as a string; ConfigError naming `what` otherwise.
std::string json_string(const nlohmann::json& v, const std::string& what);

}  // namespace bp::io
