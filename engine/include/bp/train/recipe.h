// recipe.h — named training recipes: a zoo model with its options and a fixed TrainConfig (schedule, label
// smoothing, batch size, epochs, threads) found by measurement on a validation split held out of the training
// images. `backprop train --recipe speedrun` and the app's "99% in seconds" preset both read this list; nothing
// else hard-codes a recipe. A recipe never evaluates on the test set during training (config.evaluate = false):
// the test set is touched once, after the last step.
//   const Recipe& r = find_recipe("speedrun");
//   models::Model m = models::create_model(r.config.model, r.model_options, seed);
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bp/data/dataset.h"
#include "bp/train/trainer.h"

namespace bp::train {

struct Recipe {
    std::string name;         // "speedrun"
    std::string title;        // "99% in seconds"
    std::string description;  // one line a learner understands
    nlohmann::json model_options;  // merged over the zoo model's defaults
    TrainConfig config;       // everything else; seed and dataset are the caller's
};

const std::vector<Recipe>& recipes();
/// ConfigError listing the known names.
const Recipe& find_recipe(const std::string& name);

/// The first `count` images of ds as a dataset of their own (and `split` as its split name); the rest with
/// skip = count. For a validation split held out of the training images: tune on it, never on the test set.
/// Example: ImageDataset val = slice_dataset(train, 50000, 10000, "validation");
data::ImageDataset slice_dataset(const data::ImageDataset& ds, int64_t skip, int64_t count, const std::string& split);

}  // namespace bp::train
