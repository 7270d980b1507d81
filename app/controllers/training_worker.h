// training_worker.h — TrainingWorker lives on the training thread. It owns the datasets, the model and the
// bp::train::Trainer of the current run, and observes the trainer: batches (and every kNormsEvery steps the
// per-layer weight and gradient norms) go into a locked buffer that the GUI drains on a timer (no signal per
// batch); epoch, finished and failed events leave as queued signals. After each epoch it publishes heavy
// snapshots that the GUI pulls when it wants them (the latest wins): the evaluation image by image, and a
// copy of the model. Slots run on the training thread; the methods marked thread-safe are the only ones
// the GUI thread may call.
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "controllers/background_run.h"
#include "controllers/training_types.h"

class TrainingWorker : public QObject, public bp::train::TrainerObserver {
    Q_OBJECT
public:
    static constexpr int kNormsEvery = 10;  ///< optimizer steps between two gradient-flow samples

    explicit TrainingWorker(QObject* parent = nullptr);
    ~TrainingWorker() override;

    // --- slots, run on the training thread (invoke queued) ---
    /// Loads the MNIST train and test sets from resolve_data_dir(dataDirOverride); emits dataLoaded or dataFailed.
    void loadData(const QString& dataDirOverride);
    /// Builds the model (from `initial`'s weights when given: continue training) and a Trainer and runs it to
    /// the end; blocks this thread's event loop meanwhile.
    void train(const bp::train::TrainConfig& config, int runId, std::shared_ptr<const bp::models::Model> initial = {});

    // --- thread-safe, called from the GUI thread; they reach the running trainer's atomics directly ---
    struct Drained {
        std::vector<bp::train::BatchEvent> batches;
        std::vector<NormSample> norms;
    };
    Drained take();  ///< swaps the buffers out under the lock
    void clearRequests();  ///< forget pause/cancel requests made before the previous run
    void requestPause();
    void requestResume();
    void requestStep();
    void requestCancel();
    /// Applied before the next batch; false (and nothing changes) when no run is going or lr is out of range.
    bool requestLearningRate(double lr);
    bool trainerPaused() const;  ///< true when a trainer exists and honours a pause
    std::shared_ptr<const EvaluationSnapshot> latestEvaluation() const;
    std::shared_ptr<const bp::models::Model> latestModel() const;  ///< after an epoch or the end of a run

signals:
    void dataLoaded(const DataInfo& info);
    void dataFailed(const QString& message, const QString& dataDir);
    /// The run's model is built: the labels of its parameter layers (the NormSample order).
    void modelBuilt(const QStringList& normLayers, int runId);
    void epochFinished(const bp::train::EpochEvent& event, int runId);
    void trainingFinished(const bp::train::FinishedEvent& event, int runId);
    void trainingFailed(const bp::train::FailedEvent& event, int runId);

private:
    // TrainerObserver, called on the training thread from inside Trainer::run().
    void on_batch(const bp::train::BatchEvent& e) override;
    void on_epoch(const bp::train::EpochEvent& e) override;
    void on_finished(const bp::train::FinishedEvent& e) override;
    void on_failed(const bp::train::FailedEvent& e) override;
    void publishEvaluation(int epoch);
    void publishModel();

    std::unique_ptr<bp::data::ImageDataset> m_train;
    std::shared_ptr<const bp::data::ImageDataset> m_test;
    int m_runId = 0;
    bp::models::Model* m_model = nullptr;  // the running model; training thread only
    bp::train::TrainConfig m_config;       // the running config; training thread only
    std::vector<std::vector<bp::Tensor>> m_normGroups;

    LockedBuffer<Drained> m_buffer;

    mutable std::mutex m_snapshotMutex;
    std::shared_ptr<const EvaluationSnapshot> m_evaluation;  // guarded by m_snapshotMutex
    std::shared_ptr<const bp::models::Model> m_latestModel;  // guarded by m_snapshotMutex

    TrainerRequests<bp::train::Trainer> m_requests;  // the running trainer, and requests made before it started
};
