// config_keys.h — sets a TrainConfig field from text by its name ("lr", "0.01"), as a lesson's `set:` line or
// a settings file would. It checks that the text fits the field's type (and names the choices of the fields
// that have a fixed set); ranges and names are checked by TrainConfig::validate(), not here.
#pragma once

#include <string>
#include <vector>

#include "bp/train/trainer.h"

namespace bp::train {

/// Every key set_config_field accepts, in TrainConfig order: model, dataset, epochs, ... precision.
std::vector<std::string> config_field_names();

/// Sets one field from text. Throws bp::ConfigError naming the key, the value and what fits; an unknown key
/// lists the known ones. augment = true|false turns the default augmentation on or off.
/// Example: set_config_field(cfg, "batch_size", "64");
void set_config_field(TrainConfig& cfg, const std::string& key, const std::string& value);

}  // namespace bp::train
