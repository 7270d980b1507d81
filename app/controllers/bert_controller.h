// bert_controller.h — BertController (GUI thread, a BackgroundRun) and BertWorker (on its thread): masked-LM
// pre-training of a classroom-sized BERT-mini (2 layers, 4 heads, d 64, 64 characters) on the default text, with
// steps and evaluations drained every 33 ms, Stop that keeps the model as it is, and the trained model handed back
// as a copy the GUI can read while nothing else touches it.
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
Q_DECLARE_METATYPE(bp::train::MlmEvalEvent)

class BertWorker : public QObject {
    Q_OBJECT
public:
    struct Drained {
        std::vector<bp::train::MlmStepEvent> steps;
        std::vector<bp::train::MlmEvalEvent> evals;
    };
    void train(int steps, int runId);  ///< loads the default text the first time; runs on the worker thread
    Drained take() { return m_buffer.take(); }
    std::atomic<bool> cancel{false};

signals:
    void finished(const BertModel& model, bool stopped, int runId);
    void failed(const QString& message, int runId);

private:
    std::unique_ptr<bp::data::TextCorpus> m_corpus;
    LockedBuffer<Drained> m_buffer;
};

class BertController : public BackgroundRun {
    Q_OBJECT
public:
    explicit BertController(QObject* parent = nullptr);
    static bp::models::BertOptions classroomOptions(int vocabSize);
    bool start(int steps);  ///< false while a run goes
    void stop();
    bool isRunning() const { return m_running; }

signals:
    void stepsArrived(const QVector<bp::train::MlmStepEvent>& steps);
    void evalsArrived(const QVector<bp::train::MlmEvalEvent>& evals);
    void trained(const BertModel& model, bool stopped);
    void failed(const QString& message);
    void runningChanged(bool running);

private:
    void drain() override;
    void setRunning(bool on);

    BertWorker* m_worker;
    bool m_running = false;
};
