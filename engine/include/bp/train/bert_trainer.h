// bert_trainer.h — BERT-mini's two training loops: masked-LM pre-training on a text corpus (random [CLS] +
// character windows, BERT's 15% / 80-10-10 corruption, loss on the chosen positions only; masked-character loss
// and accuracy on the validation text against the unigram baseline), and fine-tuning the classifier (on [CLS] or
// the mean of the real positions) on a labelled text task (accuracy per epoch on the held-out texts). AdamW with
// warm-up and cosine decay, gradient clipping. Synchronous; a callback returning false stops a run between steps
// (the app's cancel).
//   train::MlmResult r = train::pretrain_bert(bert, vocab, corpus, cfg, {.on_eval = print});
//   train::FineTuneResult f = train::fine_tune(bert, vocab, task, ft_cfg);
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bp/data/bert_data.h"
#include "bp/models/bert.h"

namespace bp::train {

struct MlmTrainConfig {
    int steps = 1500;
    int batch_size = 16;
    int context = 128;          // [CLS] + context − 1 characters; ≤ the model's context
    double lr = 2e-3;
    double weight_decay = 0.01;
    int warmup_steps = 100;
    int eval_every = 100;
    int eval_batches = 20;      // the same validation windows and corruption at every evaluation
    double grad_clip = 1.0;
    uint64_t seed = 1;
    int threads = 1;
    data::MlmMaskOptions mask;
    void validate() const;      // ConfigError naming the field
    nlohmann::json to_json() const;
};

struct MlmStepEvent {
    int step = 0, steps = 0;
    double loss = 0, lr = 0, tokens_per_second = 0, eta_seconds = 0;
};

struct MlmEvalEvent {
    int step = 0;
    double val_loss = 0, val_accuracy = 0;          // masked characters of the validation text
    double unigram_loss = 0, unigram_accuracy = 0;  // the character-frequency baseline on the same text
    double seconds = 0;                             // training time so far (evaluations excluded)
};

struct MlmCallbacks {
    std::function<bool(const MlmStepEvent&)> on_step;  // false = stop after this step
    std::function<void(const MlmEvalEvent&)> on_eval;
};

struct MlmResult {
    std::vector<MlmEvalEvent> history;  // step 0 first, the last step last
    int steps_completed = 0;
    double train_seconds = 0;
    bool failed = false;                // a NaN/inf loss or gradient: the last good parameters were restored
    std::string failure;
};

/// Pre-trains `bert` with the masked-LM objective on corpus.train, evaluating on corpus.val. The corpus's
/// tokenizer must be vocab's. ConfigError for a vocabulary or context that does not fit the model.
MlmResult pretrain_bert(models::BertMini& bert, const data::BertVocab& vocab, const data::TextCorpus& corpus,
                        const MlmTrainConfig& cfg, const MlmCallbacks& callbacks = {});

struct FineTuneConfig {
    int epochs = 10;
    int batch_size = 32;
    double lr = 1e-3;              // the encoder's peak learning rate
    /// The classifier's learning rate is lr × head_lr_scale. The head starts from random weights and must find,
    /// within a few hundred steps, the directions of the encoder's features that tell the classes apart; a
    /// pre-trained encoder should move less than that (ULMFiT's discriminative fine-tuning, Howard & Ruder 2018).
    double head_lr_scale = 1;
    double weight_decay = 0.01;
    double warmup_fraction = 0.1;  // of all steps
    double grad_clip = 1.0;
    uint64_t seed = 1;             // the order of the training texts and the classifier's initialisation
    int threads = 1;
    /// Train the classifier only, on the encoder's features as they are (a linear probe: what did pre-training
    /// learn?). The encoder's parameters stop requiring gradients for the run and require them again after it.
    bool freeze_encoder = false;
    void validate() const;
    nlohmann::json to_json() const;
};

struct FineTuneEpoch {
    int epoch = 0;                 // 1-based; 0 = before training
    double train_loss = 0;         // mean over the epoch's batches (0 for epoch 0)
    double test_loss = 0, test_accuracy = 0, train_accuracy = 0;
    double seconds = 0;            // training time so far
};

struct FineTuneResult {
    std::vector<FineTuneEpoch> epochs;
    std::vector<int> test_predictions;  // after the last epoch, in task.test order
    bool failed = false;
    std::string failure;
};

/// The two arms of the pre-training lesson, built alike: a model of `like`'s sizes with `num_classes` outputs,
/// `pooling` and `context` tokens per text (0 = like's; a modern-block model reads texts longer than its
/// pre-training windows, as RoPE scores only relative offsets; a gpt2 block's learned positions do not stretch:
/// ConfigError), initialised from `seed`, then with every tensor but the classifier copied from `like` when
/// from_pretrained (fine_tune re-initialises the classifier of both).
std::shared_ptr<models::BertMini> model_for_fine_tuning(const models::BertMini& like, bool from_pretrained,
                                                        int64_t num_classes, models::BertOptions::Pooling pooling,
                                                        int64_t context = 0, uint64_t seed = 1);

/// Trains every parameter of `bert` (encoder and classifier, or the classifier only with freeze_encoder;
/// re-initialises the classifier first) on task.train
/// with cross-entropy on the [CLS] logits; texts are cut to the model's context. on_epoch may return false to stop.
FineTuneResult fine_tune(models::BertMini& bert, const data::BertVocab& vocab, const data::TextClassificationTask& task,
                         const FineTuneConfig& cfg, const std::function<bool(const FineTuneEpoch&)>& on_epoch = {});

/// Accuracy (and mean loss) of the classifier on labelled texts, batches of 64, no graph.
std::pair<double, double> classification_accuracy_loss(models::BertMini& bert, const data::BertVocab& vocab,
                                                       const std::vector<data::LabelledText>& texts,
                                                       std::vector<int>* predictions = nullptr);

}  // namespace bp::train
