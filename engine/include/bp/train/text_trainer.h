// text_trainer.h — the training loop for the language models: random [B, T] windows of the training tokens,
// AdamW with warm-up and cosine decay, validation loss every eval_every steps against the unigram baseline.
// Same threading contract as Trainer: pause / resume / step / cancel may be called from another thread and take
// effect between steps; a NaN or infinite loss stops cleanly and restores the last good parameters.
//   train::TextTrainer t(gpt, corpus, cfg);  t.add_observer(&obs);  t.run();
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bp/data/text.h"
#include "bp/models/gpt.h"
#include "bp/optim/optimizer.h"

namespace bp::train {

struct TextTrainConfig {
    int steps = 2000;
    int batch_size = 32;
    int context = 64;           // ≤ the model's context
    double lr = 3e-3;
    double weight_decay = 0.01;
    int warmup_steps = 100;     // linear warm-up, then cosine decay to lr/10
    int eval_every = 100;       // steps between validation losses (and at the last step)
    int eval_batches = 20;      // random validation windows per evaluation (same windows every time)
    double grad_clip = 1.0;     // global norm; 0 = off
    uint64_t seed = 1;
    int threads = 1;
    std::string checkpoint = "off";  // off | attention | block: what each block recomputes in the backward pass
    void validate() const;      // ConfigError naming the field, its value and the allowed range
    nlohmann::json to_json() const;
};

struct TextStepEvent {
    int step = 0;               // 1-based
    int steps = 0;
    double loss = 0;            // this batch
    double lr = 0;
    double tokens_per_second = 0;  // running average of this run
    double eta_seconds = 0;
};

struct TextEvalEvent {
    int step = 0;
    double val_loss = 0;        // nats per character
    double unigram_loss = 0;    // the character-frequency baseline on the same validation text
    double seconds = 0;         // training time so far (evaluations excluded)
};

struct TextFinishedEvent {
    bool cancelled = false;
    int steps_completed = 0;
    double total_seconds = 0;
};

class TextTrainerObserver {
public:
    virtual ~TextTrainerObserver() = default;
    virtual void on_step(const TextStepEvent&) {}
    virtual void on_eval(const TextEvalEvent&) {}
    virtual void on_finished(const TextFinishedEvent&) {}
    virtual void on_failed(const std::string& message, int step) {}
};

/// Mean validation loss of `model` over `batches` windows drawn with `seed` (no graph).
double text_validation_loss(models::GptMini& model, const std::vector<int32_t>& val, int64_t batch, int64_t context,
                            int batches, uint64_t seed);

class TextTrainer {
public:
    /// model and corpus must outlive the trainer. ConfigError if the corpus's vocabulary is larger than the
    /// model's, or the validation text is shorter than context + 1.
    TextTrainer(models::GptMini& model, const data::TextCorpus& corpus, TextTrainConfig cfg);
    ~TextTrainer();
    void add_observer(TextTrainerObserver* o) { observers_.push_back(o); }
    void run();

    void request_pause();
    void request_resume();
    void request_step();
    void request_cancel();
    bool is_paused() const { return paused_.load(); }

    const TextTrainConfig& config() const { return cfg_; }
    const std::vector<TextEvalEvent>& history() const { return history_; }
    double unigram_loss() const { return unigram_; }
    bool failed() const { return failed_; }
    bool cancelled() const { return cancelled_; }

private:
    bool wait_while_paused();
    models::GptMini& model_;
    const data::TextCorpus& corpus_;
    TextTrainConfig cfg_;
    std::unique_ptr<optim::Optimizer> opt_;
    std::vector<TextTrainerObserver*> observers_;
    std::vector<TextEvalEvent> history_;
    std::vector<Tensor> last_good_;
    double unigram_ = 0;
    bool failed_ = false, cancelled_ = false;
    std::atomic<bool> paused_{false}, cancel_{false};
    std::atomic<int> step_budget_{0};
    std::mutex mu_;
    std::condition_variable cv_;
};

}  // namespace bp::train
