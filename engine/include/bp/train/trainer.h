// trainer.h — synchronous training loop with observers. It knows nothing of threads beyond atomics:
// pause / resume / step / cancel / set_learning_rate may be called from another thread and take effect
// between batches. A NaN or infinite loss stops training cleanly and restores the last good parameters.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bp/data/augment.h"
#include "bp/data/dataset.h"
#include "bp/models/zoo.h"
#include "bp/optim/optimizer.h"
#include "bp/train/metrics.h"

namespace bp::train {

struct TrainConfig {
    std::string model = "mlp";
    std::string dataset = "mnist";
    int epochs = 3;
    int batch_size = 32;
    double lr = 1e-3;
    std::string optimizer = "adam";
    double weight_decay = 0.0;
    double momentum = 0.9;
    std::string schedule = "cosine";  // none | step | cosine | onecycle (cosine: decays to 0 over the run; the best default here)
    double warmup_fraction = 0.2;   // for "onecycle": the share of the steps spent rising to lr
    double label_smoothing = 0.0;   // 0: plain cross-entropy; ε: targets (1 − ε)·one-hot + ε/C (as torch)
    int step_epochs = 1;            // for "step"
    double gamma = 0.5;             // for "step"
    uint64_t seed = 1;
    int threads = 1;                // 0 = all cores; 1 is fastest for the small models on a shared machine
    int64_t train_limit = 0;        // use only the first N training images (0 = all)
    int64_t test_limit = 0;         // evaluate on the first N test images (0 = all)
    bool evaluate = true;           // evaluate on the test set after each epoch
    data::AugmentOptions augment;   // random shifts/rotations/scaling of training images (off by default)
    std::string device = "cpu";     // cpu | cuda | auto: the Trainer moves the model there (bp/device.h)
    std::string precision = "fp32";  // fp32 | bf16: GEMM inputs in bf16, fp32 accumulation (bp/precision.h)
    std::string checkpoint = "off";  // off | attention | block: what every transformer block recomputes in the
                                     // backward pass (nn::Checkpoint); ConfigError at the Trainer for a model without blocks

    void validate() const;  // ConfigError naming the field, its value and the allowed range
    nlohmann::json to_json() const;
};

struct BatchEvent {
    int epoch = 0;                // 0-based
    int64_t batch = 0;            // 0-based within the epoch
    int64_t batches_per_epoch = 0;
    int64_t global_step = 0;      // 1-based count of optimizer steps
    double loss = 0;
    double accuracy = 0;          // on this batch, fraction
    double samples_per_second = 0;  // running, this epoch
    double lr = 0;
    double eta_seconds = 0;       // rest of the run
};

struct EpochEvent {
    int epoch = 0;  // 0-based
    int epochs = 0;
    double train_loss = 0, train_accuracy = 0;
    double test_loss = 0, test_accuracy = 0;  // NaN when not evaluated
    double epoch_seconds = 0;  // training time only, evaluation excluded
    double eval_seconds = 0;
    double samples_per_second = 0;
    bool evaluated = false;
    ClassificationMetrics test_metrics;
};

struct FinishedEvent {
    bool cancelled = false;
    int epochs_completed = 0;
    double total_seconds = 0;
};

struct FailedEvent {
    std::string message;
    int epoch = 0;
    int64_t batch = 0;
};

class TrainerObserver {
public:
    virtual ~TrainerObserver() = default;
    virtual void on_batch(const BatchEvent&) {}
    virtual void on_epoch(const EpochEvent&) {}
    virtual void on_finished(const FinishedEvent&) {}
    virtual void on_failed(const FailedEvent&) {}
};

/// Evaluation of a model on a dataset: loss, predictions and metrics (no autograd graph).
struct Evaluation {
    double loss = 0;
    ClassificationMetrics metrics;
    std::vector<int> predictions;
};
Evaluation evaluate(nn::Module& net, const data::ImageDataset& ds, int64_t limit = 0, int64_t batch_size = 128);

/// Probabilities for a batch of images (already normalised) — inference without a graph.
Tensor predict_proba(nn::Module& net, const Tensor& images);

class Trainer {
public:
    /// The datasets must outlive the trainer. test may be null (no evaluation).
    Trainer(models::Model& model, const data::ImageDataset& train, const data::ImageDataset* test, TrainConfig cfg);
    ~Trainer();

    void add_observer(TrainerObserver* o) { observers_.push_back(o); }
    /// Runs all epochs on the calling thread. Returns normally on success, cancel or failure
    /// (failure is reported through on_failed, with the last good parameters restored).
    void run();

    // Thread-safe controls, honoured between batches.
    void request_pause();
    void request_resume();
    void request_step();    // while paused: run exactly one batch, then pause again
    void request_cancel();
    void set_learning_rate(double lr);  // applied before the next batch (ConfigError if out of range)
    bool is_paused() const { return paused_.load(); }

    const TrainConfig& config() const { return cfg_; }
    optim::Optimizer& optimizer() { return *opt_; }
    const std::vector<EpochEvent>& history() const { return history_; }
    bool failed() const { return failed_; }
    bool cancelled() const { return cancelled_; }
    double total_seconds() const { return total_seconds_; }

private:
    bool wait_while_paused();  // false when cancelled
    void snapshot_parameters();
    void restore_parameters();

    models::Model& model_;
    const data::ImageDataset& train_;
    const data::ImageDataset* test_;
    TrainConfig cfg_;
    std::unique_ptr<optim::Optimizer> opt_;
    optim::LrSchedule schedule_;
    std::vector<TrainerObserver*> observers_;
    std::vector<Tensor> last_good_;
    std::vector<EpochEvent> history_;

    std::mutex mu_;
    std::condition_variable cv_;
    std::atomic<bool> paused_{false}, cancel_{false};
    std::atomic<int> steps_allowed_{0};
    std::atomic<double> pending_lr_{0.0};
    std::mt19937_64 augment_rng_;
    bool failed_ = false, cancelled_ = false;
    double total_seconds_ = 0;
};

}  // namespace bp::train
