// playground_file.h — the 2-D playground's state as JSON: the dataset (kind, seed, noise, ratio, the learner's
// points), the features, the layers, the activation and the training settings. Not the weights: opening a state
// starts the same network from the same seed. Read strictly (bounded size, every field checked, a clear
// DataError / ConfigError naming the file), written atomically.
#pragma once

#include <string>

#include "bp/playground/playground.h"

namespace bp::playground {

inline constexpr uint64_t max_state_file_bytes = 4u << 20;

std::string config_to_json(const Config& c);
/// Parses and checks a state; `where` names it in errors ("playground state 'demo.json'").
Config config_from_json(const std::string& text, const std::string& where);

/// Writes atomically. Throws bp::Error naming the path.
void save_config(const std::string& path, const Config& c);
/// Reads and checks; throws DataError / ConfigError naming the path.
Config load_config(const std::string& path);

}  // namespace bp::playground
