// dataset.cpp — finds MNIST-layout folders and files, loads and cross-checks the images and labels,
// normalises pixels into float buffers and deals out (shuffled) batches of indices.
// File format details live in idx.cpp; this file is about what the files must mean together.
#include "bp/data/dataset.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <numeric>
#include <optional>
#include <random>

#include "bp/data/idx.h"
#include "bp/errors.h"

namespace bp::data {
namespace fs = std::filesystem;

namespace {

constexpr int mnist_num_classes = 10;

const std::vector<std::string>& fashion_class_names() {
    static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                   "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return names;
}

std::vector<std::string> digit_class_names() {
    std::vector<std::string> names;
    for (int i = 0; i < mnist_num_classes; ++i) names.push_back(std::to_string(i));
    return names;
}

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

/// "train" -> "train", "test" -> "t10k": the prefix MNIST uses for the split's files.
std::string split_prefix(const std::string& split) {
    if (split == "train") return "train";
    if (split == "test") return "t10k";
    throw ConfigError("load_image_dataset: unknown split; got \"" + split + "\"; use \"train\" or \"test\"");
}

/// The accepted names of one file, in the order they are tried. kind: "images" (idx3) or "labels" (idx1).
std::vector<std::string> candidate_names(const std::string& prefix, const std::string& kind) {
    const std::string rank = kind == "images" ? "idx3" : "idx1";
    const std::string dash = prefix + "-" + kind + "-" + rank + "-ubyte";
    const std::string dot = prefix + "-" + kind + "." + rank + "-ubyte";
    return {dash, dash + ".gz", dot, dot + ".gz"};
}

std::optional<std::string> find_file(const std::string& folder, const std::string& prefix, const std::string& kind) {
    for (const auto& name : candidate_names(prefix, kind)) {
        const fs::path p = fs::path(folder) / name;
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) return p.string();
    }
    return std::nullopt;
}

std::string require_file(const std::string& folder, const std::string& dataset, const std::string& prefix,
                         const std::string& kind) {
    if (auto found = find_file(folder, prefix, kind)) return *found;
    const auto names = candidate_names(prefix, kind);
    throw DataError("load_image_dataset: dataset '" + dataset + "' in '" + folder + "' has no " + kind +
                    " file; expected " + names[0] + " (or " + names[2] + ", either optionally .gz); " +
                    data_setup_hint);
}

bool is_dir(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(p, ec);
}

/// True when data_dir is the user's default one ($XDG_DATA_HOME or ~/.local/share), not a folder chosen with
/// $BP_DATA_DIR or --data-dir: only then do the installed, read-only datasets count too.
bool searches_system_dirs(const std::string& data_dir) {
    return env_or_empty("BP_DATA_DIR").empty() && data_dir == default_data_dir();
}

/// The folder a dataset name refers to: data_dir/<name> for a plain name (then, for the default data dir, the
/// installed <system dir>/<name>), else the name as a path.
std::string dataset_folder(const std::string& data_dir, const std::string& dataset) {
    if (dataset.empty())
        throw ConfigError("load_image_dataset: no dataset given; got \"\"; use \"mnist\", \"fashion-mnist\" "
                          "or the path of a folder with the MNIST layout");
    const fs::path under_data_dir = fs::path(data_dir) / dataset;
    const bool plain_name = dataset.find('/') == std::string::npos && dataset != "." && dataset != "..";
    if (plain_name && is_dir(under_data_dir)) return under_data_dir.string();
    if (plain_name && searches_system_dirs(data_dir))
        for (const std::string& dir : system_data_dirs())
            if (is_dir(fs::path(dir) / dataset)) return (fs::path(dir) / dataset).string();
    if (is_dir(dataset)) return dataset;
    const std::string looked = plain_name ? "'" + under_data_dir.string() + "'" : "'" + dataset + "'";
    throw DataError("load_image_dataset: dataset '" + dataset + "' not found; got no folder " + looked +
                    " (data dir '" + data_dir + "'); " + data_setup_hint);
}

std::string folder_name(const std::string& folder) {
    fs::path p = fs::path(folder);
    if (!p.has_filename()) p = p.parent_path();  // "dir/" -> "dir"
    return p.filename().string();
}

template <typename T>
void normalize_impl(const ImageDataset& ds, const int64_t* indices, int64_t n, T* out) {
    if (n < 0)
        throw ConfigError("normalize_images: negative batch size; got " + std::to_string(n) + "; pass n >= 0");
    // (p / 255 − mean) / std as one multiply-add, which the compiler vectorises (a table gather does not).
    const T scale = static_cast<T>(1.0 / (255.0 * mnist_std));
    const T shift = static_cast<T>(-mnist_mean / mnist_std);
    const int64_t image_size = ds.rows * ds.cols;
    BP_CHECK(static_cast<int64_t>(ds.pixels.size()) == ds.count * image_size, "ImageDataset pixels != count*rows*cols");
    for (int64_t i = 0; i < n; ++i) {
        const int64_t idx = indices[i];
        if (idx < 0 || idx >= ds.count)
            throw ConfigError("normalize_images: index out of range for " + ds.name + " " + ds.split + "; got " +
                              std::to_string(idx) + " at position " + std::to_string(i) + "; indices must be in [0, " +
                              std::to_string(ds.count) + ")");
        if (i + 1 < n && indices[i + 1] >= 0 && indices[i + 1] < ds.count) {
            // Shuffled batches read images from all over memory: fetch the next one while converting this one.
            const uint8_t* next = ds.pixels.data() + indices[i + 1] * image_size;
            for (int64_t off = 0; off < image_size; off += 64) __builtin_prefetch(next + off);
        }
        const uint8_t* src = ds.pixels.data() + idx * image_size;  // [rows, cols]
        T* dst = out + i * image_size;                               // [rows, cols]
        for (int64_t k = 0; k < image_size; ++k) dst[k] = static_cast<T>(src[k]) * scale + shift;
    }
}

}  // namespace

std::string default_data_dir() {
    if (auto dir = env_or_empty("BP_DATA_DIR"); !dir.empty()) return dir;
    if (auto xdg = env_or_empty("XDG_DATA_HOME"); !xdg.empty()) return (fs::path(xdg) / "backprop-studio").string();
    if (auto home = env_or_empty("HOME"); !home.empty())
        return (fs::path(home) / ".local" / "share" / "backprop-studio").string();
    return "backprop-studio-data";
}

std::vector<std::string> system_data_dirs() {
#ifdef BP_SYSTEM_DATA_DIR
    return {BP_SYSTEM_DATA_DIR, "/usr/share/datasets"};
#else
    return {"/usr/share/datasets"};
#endif
}

std::string resolve_data_dir(const std::string& override_dir) {
    return override_dir.empty() ? default_data_dir() : override_dir;
}

ImageDataset load_image_dataset(const std::string& data_dir, const std::string& dataset, const std::string& split) {
    const std::string prefix = split_prefix(split);
    const std::string folder = dataset_folder(data_dir, dataset);
    const std::string images_path = require_file(folder, dataset, prefix, "images");
    const std::string labels_path = require_file(folder, dataset, prefix, "labels");

    IdxArray images = read_idx(images_path);
    IdxArray labels = read_idx(labels_path);
    if (images.dims.size() != 3)
        throw DataError("load_image_dataset: '" + images_path + "' is not a stack of images; got dims " +
                        shape_str(images.dims) + ", expected [count, rows, cols]; check that the images and "
                        "labels files are not swapped");
    if (labels.dims.size() != 1)
        throw DataError("load_image_dataset: '" + labels_path + "' is not a list of labels; got dims " +
                        shape_str(labels.dims) + ", expected [count]; check that the images and labels files "
                        "are not swapped");
    if (images.dims[0] != labels.dims[0])
        throw DataError("load_image_dataset: images and labels disagree on the count; got " +
                        std::to_string(images.dims[0]) + " images in '" + images_path + "' and " +
                        std::to_string(labels.dims[0]) + " labels in '" + labels_path +
                        "'; the two files must come from the same split, re-run scripts/setup.sh");
    for (size_t i = 0; i < labels.data.size(); ++i) {
        if (labels.data[i] >= mnist_num_classes)
            throw DataError("load_image_dataset: label out of range in '" + labels_path + "'; got " +
                            std::to_string(labels.data[i]) + " at index " + std::to_string(i) + "; labels must be in [0, " +
                            std::to_string(mnist_num_classes) + ")");
    }

    ImageDataset ds;
    const std::string base = folder_name(folder);
    const bool fashion = dataset == "fashion-mnist" || base == "fashion-mnist";
    ds.name = (dataset == "mnist" || dataset == "fashion-mnist") ? dataset : base;
    ds.split = split;
    ds.count = images.dims[0];
    ds.rows = images.dims[1];
    ds.cols = images.dims[2];
    ds.pixels = std::move(images.data);
    ds.labels = std::move(labels.data);
    ds.num_classes = mnist_num_classes;
    ds.class_names = fashion ? fashion_class_names() : digit_class_names();
    return ds;
}

std::vector<std::string> class_names_for(const std::string& dataset) {
    const bool fashion = dataset == "fashion-mnist" || (!dataset.empty() && folder_name(dataset) == "fashion-mnist");
    return fashion ? fashion_class_names() : digit_class_names();
}

std::vector<DatasetInfo> list_datasets(const std::string& data_dir) {
    std::vector<DatasetInfo> out;
    std::error_code ec;
    // A missing folder iterates as empty (the error_code overload); the installed datasets below still count.
    for (const auto& entry : fs::directory_iterator(data_dir, ec)) {
        if (!entry.is_directory(ec)) continue;
        const std::string folder = entry.path().string();
        const auto train_images = find_file(folder, "train", "images");
        const auto train_labels = find_file(folder, "train", "labels");
        const auto test_images = find_file(folder, "t10k", "images");
        const auto test_labels = find_file(folder, "t10k", "labels");
        if (!train_images && !train_labels && !test_images && !test_labels) continue;

        DatasetInfo info;
        info.name = entry.path().filename().string();
        info.path = folder;
        info.complete = train_images && train_labels && test_images && test_labels;
        try {
            if (train_images) info.train_count = read_idx_dims(*train_images).at(0);
            if (test_images) info.test_count = read_idx_dims(*test_images).at(0);
            if (train_labels) read_idx_dims(*train_labels);
            if (test_labels) read_idx_dims(*test_labels);
        } catch (const DataError&) {
            info.complete = false;  // listed, but a load would fail; load_image_dataset says why
        }
        out.push_back(std::move(info));
    }
    if (searches_system_dirs(data_dir)) {
        // The installed datasets, where the user's folder has none of that name (the user's copy wins, as in
        // load_image_dataset).
        for (const std::string& dir : system_data_dirs()) {
            if (dir == data_dir) continue;
            for (DatasetInfo& info : list_datasets(dir)) {
                const bool shadowed = std::any_of(out.begin(), out.end(), [&](const DatasetInfo& d) { return d.name == info.name; });
                if (!shadowed) out.push_back(std::move(info));
            }
        }
    }
    std::sort(out.begin(), out.end(), [](const DatasetInfo& a, const DatasetInfo& b) { return a.name < b.name; });
    return out;
}

void normalize_images(const ImageDataset& ds, const int64_t* indices, int64_t n, float* out) {
    normalize_impl(ds, indices, n, out);
}

void normalize_images(const ImageDataset& ds, const int64_t* indices, int64_t n, double* out) {
    normalize_impl(ds, indices, n, out);
}

BatchSampler::BatchSampler(int64_t count, int64_t batch_size, bool shuffle, uint64_t seed)
    : count_(count), batch_size_(batch_size), shuffle_(shuffle), seed_(seed) {
    if (batch_size <= 0)
        throw ConfigError("BatchSampler: batch size must be positive; got " + std::to_string(batch_size) +
                          "; use e.g. 64");
    if (count < 0)
        throw ConfigError("BatchSampler: sample count must not be negative; got " + std::to_string(count) +
                          "; pass the dataset's count");
}

void BatchSampler::start_epoch() {
    ++epoch_;
    position_ = 0;
    order_.resize(static_cast<size_t>(count_));
    std::iota(order_.begin(), order_.end(), int64_t{0});
    if (!shuffle_ || count_ < 2) return;
    // Fisher-Yates with rejection sampling: unbiased and identical on every standard library.
    std::mt19937_64 rng(seed_ + static_cast<uint64_t>(epoch_));
    for (uint64_t i = static_cast<uint64_t>(count_) - 1; i > 0; --i) {
        const uint64_t range = i + 1;
        const uint64_t limit = std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % range;
        uint64_t r;
        do {
            r = rng();
        } while (r >= limit);
        std::swap(order_[i], order_[r % range]);
    }
}

bool BatchSampler::next(std::vector<int64_t>& indices) {
    if (epoch_ < 0) start_epoch();
    indices.clear();
    if (position_ >= count_) return false;
    const int64_t end = std::min(position_ + batch_size_, count_);
    indices.assign(order_.begin() + position_, order_.begin() + end);
    position_ = end;
    return true;
}

int64_t BatchSampler::batches_per_epoch() const { return (count_ + batch_size_ - 1) / batch_size_; }

int64_t BatchSampler::epoch() const { return epoch_; }

}  // namespace bp::data
