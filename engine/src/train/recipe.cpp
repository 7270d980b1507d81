// recipe.cpp — the registered recipes (recipe.h) and the helpers the speedrun needs: a validation slice of a
// dataset and the FLOP count of a training step. How the speedrun recipe was found is in README.md "Speedrun".
#include "bp/train/recipe.h"

#include <algorithm>

#include "bp/errors.h"

namespace bp::train {

namespace {

Recipe speedrun() {
    Recipe r;
    r.name = "speedrun";
    r.title = "99% in seconds";
    r.description = "LeNet-5 with batch norm, a one-cycle learning rate and label smoothing, two passes over the "
                    "60,000 images: 99% on MNIST in seconds.";
    r.model_options = models::find_model("speedcnn").default_options;  // LeNet-5 + batch norm (zoo.cpp)
    TrainConfig& c = r.config;
    c.model = "speedcnn";
    c.epochs = 2;
    c.batch_size = 128;
    c.optimizer = "adam";
    c.lr = 6e-3;
    c.schedule = "onecycle";
    c.warmup_fraction = 0.2;
    c.label_smoothing = 0.1;
    c.threads = 2;
    c.evaluate = false;  // the test set is seen once, after training
    return r;
}

}  // namespace

const std::vector<Recipe>& recipes() {
    static const std::vector<Recipe> all = {speedrun()};
    return all;
}

const Recipe& find_recipe(const std::string& name) {
    std::string known;
    for (const Recipe& r : recipes()) {
        if (r.name == name) return r;
        known += (known.empty() ? "" : ", ") + r.name;
    }
    throw ConfigError("recipe: unknown name '" + name + "'; the recipes are: " + known);
}

data::ImageDataset slice_dataset(const data::ImageDataset& ds, int64_t skip, int64_t count, const std::string& split) {
    if (skip < 0 || count < 0 || skip + count > ds.count)
        throw ConfigError("slice of " + ds.name + " " + ds.split + ": images [" + std::to_string(skip) + ", " +
                          std::to_string(skip + count) + ") do not fit in its " + std::to_string(ds.count) + " images");
    data::ImageDataset out;
    out.name = ds.name;
    out.split = split;
    out.count = count;
    out.rows = ds.rows;
    out.cols = ds.cols;
    out.num_classes = ds.num_classes;
    out.class_names = ds.class_names;
    const int64_t px = ds.rows * ds.cols;
    out.pixels.assign(ds.pixels.begin() + skip * px, ds.pixels.begin() + (skip + count) * px);
    out.labels.assign(ds.labels.begin() + skip, ds.labels.begin() + skip + count);
    return out;
}

}  // namespace bp::train
