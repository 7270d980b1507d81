// bert_controller.h — BertController (GUI thread, a BackgroundRun) and BertWorker (on its thread): masked-LM
// pre-training of a classroom-sized BERT-mini (2 layers, 4 heads, d 64, 64 characters) on the default text, with
// steps and evaluations drained every 33 ms, Stop that keeps the model as it is, and the trained model handed back
// as a copy the GUI can read while nothing else touches it. Then the classic lesson of pre-training, measured:
// fine-tune a copy of that model on "which fortunes collection is this quotation from?" and the same model from
// scratch (same options, same seed, same quotations), one after the other, each epoch's held-out accuracy drained
// into the chart as it comes.
#pragma once

#include <QMetaType>
#include <QString>
#include <QVector>
#include <atomic>
#include <memory>

#include "bp/data/bert_data.h"
#include "bp/data/text.h"
#include "bp/models/bert.h"
#include "bp/train/bert_trainer.h"
#include "controllers/background_run.h"

/// A trained (or opened) BERT-mini with the vocabulary it reads.
struct BertModel {
    std::shared_ptr<bp::models::BertMini> model;
    bp::data::BertVocab vocab;
};
Q_DECLARE_METATYPE(BertModel)

/// One fine-tuning epoch of one arm of the comparison: 0 = from the pre-trained encoder, 1 = from scratch.
struct FineTuneEvent {
    int arm = 0;
    bp::train::FineTuneEpoch epoch;
};
Q_DECLARE_METATYPE(bp::train::MlmEvalEvent)

class BertWorker : public QObject {
    Q_OBJECT
public:
    struct Drained {
        std::vector<bp::train::MlmStepEvent> steps;
        std::vector<bp::train::MlmEvalEvent> evals;
        std::vector<FineTuneEvent> fineTune;
    };
    void train(int steps, int runId);  ///< loads the default text the first time; runs on the worker thread
    /// Fine-tunes a copy of `pretrained`, then the same architecture from scratch, `epochs` each (worker thread).
    void compareFineTuning(const BertModel& pretrained, int epochs, int runId);
    Drained take() { return m_buffer.take(); }
    std::atomic<bool> cancel{false};

signals:
    void finished(const BertModel& model, bool stopped, int runId);
    void failed(const QString& message, int runId);
    /// The task's size for the panel's caption, when the comparison starts.
    void fineTuneStarted(int classes, int trainTexts, int testTexts, int runId);
    void fineTuneFinished(bool stopped, int runId);

private:
    const bp::data::TextClassificationTask& task();  ///< made the first time (the fortunes are read once)
    std::unique_ptr<bp::data::TextCorpus> m_corpus;
    std::unique_ptr<bp::data::TextClassificationTask> m_task;
    LockedBuffer<Drained> m_buffer;
};

class BertController : public BackgroundRun {
    Q_OBJECT
public:
    explicit BertController(QObject* parent = nullptr);
    static bp::models::BertOptions classroomOptions(int vocabSize);
    bool start(int steps);  ///< false while a run goes
    /// The fine-tuning comparison (see the top of this file); false while a run goes or without a model.
    bool startFineTuneComparison(const BertModel& pretrained, int epochs);
    /// Fine-tuning's settings, the same for both arms (see docs/benchmarks/bert-finetune-*.txt for how they were
    /// chosen): batch 32, AdamW with warm-up, the encoder at kFineTuneLr, the new classifier kFineTuneHeadLrScale
    /// times faster.
    static bp::train::FineTuneConfig fineTuneConfig(int epochs);
    /// One arm of the comparison: mean pooling over the real characters, kFineTuneContext tokens per quotation
    /// (longer than the 64-character pre-training windows: RoPE is relative), from `pretrained`'s encoder or not.
    static std::shared_ptr<bp::models::BertMini> fineTuneModel(const BertModel& pretrained, bool fromPretrained);
    static constexpr int kPretrainSteps = 10000;  ///< the Steps box's default (3 minutes on an idle core)
    static constexpr int kFineTuneEpochs = 10;
    static constexpr int kFineTuneContext = 256;
    static constexpr double kFineTuneLr = 3e-4, kFineTuneHeadLrScale = 10;
    void stop();
    bool isRunning() const { return m_running; }

signals:
    void stepsArrived(const QVector<bp::train::MlmStepEvent>& steps);
    void evalsArrived(const QVector<bp::train::MlmEvalEvent>& evals);
    void trained(const BertModel& model, bool stopped);
    void failed(const QString& message);
    void runningChanged(bool running);
    void fineTuneStarted(int classes, int trainTexts, int testTexts);
    void fineTuneArrived(const QVector<FineTuneEvent>& epochs);
    void fineTuneFinished(bool stopped);

private:
    void drain() override;
    void setRunning(bool on);

    BertWorker* m_worker;
    bool m_running = false;
};
