// dataset.h — image classification datasets with the MNIST layout (four IDX files in one folder),
// where they live on disk, how to turn pixels into normalised inputs, and a reproducible batch sampler.
// Works on plain buffers (no Tensor type); the caller copies batches into whatever it trains with.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bp::data {

/// What to tell a user whose dataset is missing; every "not found" message ends with it.
inline constexpr const char* data_setup_hint = "run scripts/setup.sh (or pass --data-dir DIR)";

/// Mean and standard deviation of MNIST training pixels scaled to [0, 1] (the usual torchvision values).
inline constexpr double mnist_mean = 0.1307;
inline constexpr double mnist_std = 0.3081;

/// One split of an image dataset: count images of rows x cols ubyte pixels and one label each.
struct ImageDataset {
    std::string name;   ///< "mnist", "fashion-mnist", or the folder's name
    std::string split;  ///< "train" or "test"
    int64_t count = 0, rows = 0, cols = 0;
    std::vector<uint8_t> pixels;  ///< [count, rows, cols] row-major
    std::vector<uint8_t> labels;  ///< [count], each < num_classes
    int num_classes = 10;
    std::vector<std::string> class_names;  ///< num_classes names
};

/// A folder under the data directory that holds (some of) the four MNIST-layout files.
struct DatasetInfo {
    std::string name;         ///< folder name, e.g. "mnist"
    std::string path;         ///< full path of the folder
    bool complete = false;    ///< all four files present with readable headers
    int64_t train_count = 0;  ///< images in the train split, 0 if unknown
    int64_t test_count = 0;   ///< images in the test split, 0 if unknown
};

/// $BP_DATA_DIR if set and non-empty, else $XDG_DATA_HOME/backprop-studio, else
/// $HOME/.local/share/backprop-studio (else ./backprop-studio-data when HOME is unset too).
std::string default_data_dir();

/// The read-only folders searched after the default data dir (never after $BP_DATA_DIR or --data-dir): the
/// installed package's datasets (<install prefix>/share/backprop-studio, e.g. its mnist/) and Debian's
/// /usr/share/datasets (dataset-fashion-mnist). The user's own folder of the same name wins.
std::vector<std::string> system_data_dirs();

/// override_dir if non-empty, else default_data_dir(). Example: resolve_data_dir(options.data_dir).
std::string resolve_data_dir(const std::string& override_dir);

/// Loads one split. dataset: "mnist" (data_dir/mnist), "fashion-mnist" (data_dir/fashion-mnist), another
/// folder name under data_dir, or a path to any folder with the MNIST layout. split: "train" or "test".
/// Accepts train-images-idx3-ubyte, train-images.idx3-ubyte, each optionally with .gz (same for the
/// labels and the t10k files). Throws bp::DataError (missing folder or file: the message says what to
/// run; inconsistent files: it names both) or bp::ConfigError (unknown split).
/// Example: ImageDataset test = load_image_dataset(resolve_data_dir(""), "mnist", "test");
ImageDataset load_image_dataset(const std::string& data_dir, const std::string& dataset, const std::string& split);

/// The class names of a dataset by name: the ten Fashion-MNIST names ("T-shirt/top", "Trouser", ...) for
/// "fashion-mnist" or a path whose last folder is fashion-mnist, else the digits "0".."9". Lets a saved model
/// name its classes from the dataset recorded in its summary without loading the data.
/// Example: class_names_for("fashion-mnist")[9] == "Ankle boot"
std::vector<std::string> class_names_for(const std::string& dataset);

/// Every subfolder of data_dir holding at least one of the four files, sorted by name; complete tells
/// whether all four are there. Reads only the IDX headers. A missing data_dir gives an empty list. For the
/// default data dir, the datasets of system_data_dirs() that it does not hold itself are listed too.
std::vector<DatasetInfo> list_datasets(const std::string& data_dir);

/// Writes n * rows * cols values (p / 255 - mnist_mean) / mnist_std for the images at indices[0..n),
/// one image after another. Throws bp::ConfigError if an index is outside [0, ds.count).
/// Example: normalize_images(train, batch.data(), batch.size(), x.data());  // x: [n, 28, 28]
void normalize_images(const ImageDataset& ds, const int64_t* indices, int64_t n, float* out);
/// The float64 version, for gradient checks and exact stepping.
void normalize_images(const ImageDataset& ds, const int64_t* indices, int64_t n, double* out);

/// Splits [0, count) into batches of batch_size indices (the last one may be smaller), in order or
/// shuffled. Epoch e is shuffled by std::mt19937_64 seeded with seed + e, with a Fisher-Yates shuffle
/// written here (not std::shuffle), so a run is reproducible across compilers. Not thread-safe.
/// Example: BatchSampler s(60000, 64, true, 42); s.start_epoch(); while (s.next(idx)) train_on(idx);
class BatchSampler {
public:
    /// Throws bp::ConfigError if batch_size <= 0 or count < 0.
    BatchSampler(int64_t count, int64_t batch_size, bool shuffle, uint64_t seed);

    /// Starts the next epoch (the first call starts epoch 0) and rebuilds the order for it.
    void start_epoch();
    /// Fills indices with the next batch of the current epoch and returns true, or returns false (and
    /// clears indices) when the epoch is done. Starts epoch 0 if start_epoch() was never called.
    bool next(std::vector<int64_t>& indices);
    /// ceil(count / batch_size): the last, partial batch is included.
    int64_t batches_per_epoch() const;
    /// 0-based number of the current epoch; -1 before the first one starts.
    int64_t epoch() const;

private:
    int64_t count_;
    int64_t batch_size_;
    bool shuffle_;
    uint64_t seed_;
    int64_t epoch_ = -1;
    int64_t position_ = 0;
    std::vector<int64_t> order_;
};

}  // namespace bp::data
