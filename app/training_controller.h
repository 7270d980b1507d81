// training_controller.h — TrainingController: the GUI thread's handle on training. It owns a QThread and the
// TrainingWorker living on it, drains the worker's batch buffer every 33 ms (one batchesArrived per tick,
// however many batches ran) and turns the worker's queued events into signals for pages. Pause, resume,
// step and stop reach the trainer's atomics directly, never queued behind a running loop.
#pragma once

#include <QObject>
#include <QString>
#include <QThread>
#include <QTimer>
#include <QVector>

#include "training_types.h"

class TrainingWorker;

class TrainingController : public QObject {
    Q_OBJECT
public:
    enum class State { NoData, LoadingData, Idle, Running, Paused, Stopping };
    Q_ENUM(State)

    explicit TrainingController(QObject* parent = nullptr);
    ~TrainingController() override;  ///< cancels a run, quits the thread and waits for it

    /// Loads MNIST from resolve_data_dir(dataDirOverride) on the training thread (dataLoaded / dataFailed).
    void loadData(const QString& dataDirOverride = QString());
    /// Starts a run with `config` (ignored unless Idle). Example: controller->start(cfg);
    void start(const bp::train::TrainConfig& config);
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

signals:
    void stateChanged(TrainingController::State state);
    void dataLoaded(const DataInfo& info);
    void dataFailed(const QString& message);
    void runStarted(const bp::train::TrainConfig& config);
    void batchesArrived(const QVector<bp::train::BatchEvent>& batches);
    void epochFinished(const bp::train::EpochEvent& event);
    void trainingFinished(const bp::train::FinishedEvent& event);
    void trainingFailed(const QString& message);

private:
    void setState(State s);
    void drain();
    void onDataLoaded(const DataInfo& info);
    void onDataFailed(const QString& message, const QString& dataDir);
    void onEpochFinished(const bp::train::EpochEvent& event, int runId);
    void onTrainingFinished(const bp::train::FinishedEvent& event, int runId);
    void onTrainingFailed(const bp::train::FailedEvent& event, int runId);

    QThread m_thread;
    TrainingWorker* m_worker = nullptr;  // lives on m_thread; deleted after the thread has stopped
    QTimer m_drainTimer;
    State m_state = State::NoData;
    DataInfo m_dataInfo;
    QString m_dataError;
    bp::train::TrainConfig m_config;
    int m_runId = 0;
};
