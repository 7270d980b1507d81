// training_controller.h — TrainingController: the GUI thread's handle on training. A BackgroundRun whose worker
// is a TrainingWorker; it drains the worker's batch buffer every 33 ms (one batchesArrived per tick,
// however many batches ran, so pages redraw at most ~30 times a second) and turns the worker's queued
// events into signals for pages. Pause, resume, step, stop and learning-rate changes reach the trainer's
// atomics directly, never queued behind a running loop. Heavy snapshots (the last evaluation image by
// image, a copy of the model) are pulled with latestEvaluation() / latestModel().
#pragma once

#include <QString>
#include <QVector>

#include "controllers/background_run.h"
#include "controllers/training_types.h"

class TrainingWorker;

class TrainingController : public BackgroundRun {
    Q_OBJECT
public:
    enum class State { NoData, LoadingData, Idle, Running, Paused, Stopping };
    Q_ENUM(State)

    explicit TrainingController(QObject* parent = nullptr);

    /// Loads MNIST from resolve_data_dir(dataDirOverride) on the training thread (dataLoaded / dataFailed).
    void loadData(const QString& dataDirOverride = QString());
    /// Starts a run with `config` (ignored unless Idle). Example: controller->start(cfg);
    void start(const bp::train::TrainConfig& config);
    /// Continues training `initial` (an opened or earlier model) instead of fresh weights.
    void start(const bp::train::TrainConfig& config, std::shared_ptr<const bp::models::Model> initial);
    /// Changes the learning rate of the running (or paused) run before its next batch; false if no run is
    /// going or the value is out of range. Emits learningRateChanged with the step it takes effect after.
    bool setLearningRate(double lr);
    void pause();
    void resume();
    void step();  ///< while paused: one batch, then paused again
    void stop();

    State state() const { return m_state; }
    bool isBusy() const { return m_state == State::Running || m_state == State::Paused || m_state == State::Stopping; }
    bool trainerPaused() const;  ///< the trainer itself reports paused (thread-safe query)
    const DataInfo& dataInfo() const { return m_dataInfo; }
    QString dataError() const { return m_dataError; }
    const bp::train::TrainConfig& currentConfig() const { return m_config; }
    std::shared_ptr<const EvaluationSnapshot> latestEvaluation() const;
    std::shared_ptr<const bp::models::Model> latestModel() const;
    qint64 lastStep() const { return m_lastStep; }

signals:
    void stateChanged(TrainingController::State state);
    void dataLoaded(const DataInfo& info);
    void dataFailed(const QString& message);
    void runStarted(const bp::train::TrainConfig& config);
    void batchesArrived(const QVector<bp::train::BatchEvent>& batches);
    /// The labels of the run's parameter layers; normsArrived samples follow this order.
    void normLayersChanged(const QStringList& layers);
    void normsArrived(const QVector<NormSample>& samples);
    void learningRateChanged(double lr, qint64 afterStep);
    void epochFinished(const bp::train::EpochEvent& event);
    void trainingFinished(const bp::train::FinishedEvent& event);
    void trainingFailed(const QString& message);

private:
    void setState(State s);
    void drain() override;
    void onDataLoaded(const DataInfo& info);
    void onModelBuilt(const QStringList& layers, int runId);
    void onDataFailed(const QString& message, const QString& dataDir);
    void onEpochFinished(const bp::train::EpochEvent& event, int runId);
    void onTrainingFinished(const bp::train::FinishedEvent& event, int runId);
    void onTrainingFailed(const bp::train::FailedEvent& event, int runId);

    TrainingWorker* m_worker = nullptr;  // owned by BackgroundRun, on its thread
    State m_state = State::NoData;
    DataInfo m_dataInfo;
    QString m_dataError;
    bp::train::TrainConfig m_config;
    qint64 m_lastStep = 0;
};
