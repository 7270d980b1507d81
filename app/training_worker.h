// training_worker.h — TrainingWorker lives on the training thread. It owns the datasets, the model and the
// bp::train::Trainer of the current run, and observes the trainer: batches go into a locked buffer that the
// GUI drains on a timer (no signal per batch); epoch, finished and failed events leave as queued signals.
// Not a widget and not thread-agnostic: slots run on the training thread; the methods marked thread-safe
// are the only ones the GUI thread may call.
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "training_types.h"

class TrainingWorker : public QObject, public bp::train::TrainerObserver {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr);
    ~TrainingWorker() override;

    // --- slots, run on the training thread (invoke queued) ---
    /// Loads the MNIST train and test sets from resolve_data_dir(dataDirOverride); emits dataLoaded or dataFailed.
    void loadData(const QString& dataDirOverride);
    /// Builds the model and a Trainer and runs it to the end; blocks this thread's event loop meanwhile.
    void train(const bp::train::TrainConfig& config, int runId);

    // --- thread-safe, called from the GUI thread; they reach the running trainer's atomics directly ---
    std::vector<bp::train::BatchEvent> takeBatches();  ///< swaps the buffer out under the lock
    void clearRequests();  ///< forget pause/cancel requests made before the previous run
    void requestPause();
    void requestResume();
    void requestStep();
    void requestCancel();
    bool trainerPaused() const;  ///< true when a trainer exists and honours a pause

signals:
    void dataLoaded(const DataInfo& info);
    void dataFailed(const QString& message, const QString& dataDir);
    void epochFinished(const bp::train::EpochEvent& event, int runId);
    void trainingFinished(const bp::train::FinishedEvent& event, int runId);
    void trainingFailed(const bp::train::FailedEvent& event, int runId);

private:
    // TrainerObserver, called on the training thread from inside Trainer::run().
    void on_batch(const bp::train::BatchEvent& e) override;
    void on_epoch(const bp::train::EpochEvent& e) override;
    void on_finished(const bp::train::FinishedEvent& e) override;
    void on_failed(const bp::train::FailedEvent& e) override;

    std::unique_ptr<bp::data::ImageDataset> m_train;
    std::unique_ptr<bp::data::ImageDataset> m_test;
    int m_runId = 0;

    std::mutex m_bufferMutex;
    std::vector<bp::train::BatchEvent> m_buffer;  // guarded by m_bufferMutex

    mutable std::mutex m_trainerMutex;
    bp::train::Trainer* m_trainer = nullptr;  // guarded by m_trainerMutex; lives on train()'s stack
    std::atomic<bool> m_pausePending{false};
    std::atomic<bool> m_cancelPending{false};
};
