// training_controller.cpp — thread ownership, the 33 ms drain, and run bookkeeping (stale runs are dropped).
#include "controllers/training_controller.h"

#include "controllers/training_worker.h"

TrainingController::TrainingController(QObject* parent)
    : BackgroundRun(QStringLiteral("bp-training"), parent), m_worker(new TrainingWorker) {
    qRegisterMetaType<DataInfo>();
    qRegisterMetaType<bp::train::TrainConfig>();
    qRegisterMetaType<bp::train::EpochEvent>();
    qRegisterMetaType<bp::train::FinishedEvent>();
    qRegisterMetaType<bp::train::FailedEvent>();

    connect(m_worker, &TrainingWorker::dataLoaded, this, &TrainingController::onDataLoaded);
    connect(m_worker, &TrainingWorker::dataFailed, this, &TrainingController::onDataFailed);
    connect(m_worker, &TrainingWorker::modelBuilt, this, &TrainingController::onModelBuilt);
    connect(m_worker, &TrainingWorker::epochFinished, this, &TrainingController::onEpochFinished);
    connect(m_worker, &TrainingWorker::trainingFinished, this, &TrainingController::onTrainingFinished);
    connect(m_worker, &TrainingWorker::trainingFailed, this, &TrainingController::onTrainingFailed);
    adoptWorker(m_worker, [w = m_worker] { w->requestCancel(); });
}

void TrainingController::loadData(const QString& dataDirOverride) {
    if (isBusy()) return;
    setState(State::LoadingData);
    post([w = m_worker, dataDirOverride] { w->loadData(dataDirOverride); });
}

void TrainingController::start(const bp::train::TrainConfig& config) { start(config, nullptr); }

void TrainingController::start(const bp::train::TrainConfig& config, std::shared_ptr<const bp::models::Model> initial) {
    if (m_state != State::Idle) return;
    m_config = config;
    if (initial) m_config.model = initial->name;
    const int runId = beginRun();
    m_lastStep = 0;
    m_worker->clearRequests();
    m_worker->take();  // drop anything a previous run left behind
    setState(State::Running);
    startDraining();
    emit runStarted(m_config);
    post([w = m_worker, cfg = m_config, runId, initial] { w->train(cfg, runId, initial); });
}

bool TrainingController::setLearningRate(double lr) {
    if (m_state != State::Running && m_state != State::Paused) return false;
    if (!m_worker->requestLearningRate(lr)) return false;
    drain();  // so m_lastStep is the step the new rate follows
    emit learningRateChanged(lr, m_lastStep);
    return true;
}

std::shared_ptr<const EvaluationSnapshot> TrainingController::latestEvaluation() const { return m_worker->latestEvaluation(); }
std::shared_ptr<const bp::models::Model> TrainingController::latestModel() const { return m_worker->latestModel(); }

void TrainingController::onModelBuilt(const QStringList& layers, int runId) {
    if (isCurrent(runId)) emit normLayersChanged(layers);
}

void TrainingController::pause() {
    if (m_state != State::Running) return;
    m_worker->requestPause();
    setState(State::Paused);
}

void TrainingController::resume() {
    if (m_state != State::Paused) return;
    m_worker->requestResume();
    setState(State::Running);
}

void TrainingController::step() {
    if (m_state != State::Paused) return;
    m_worker->requestStep();
}

void TrainingController::stop() {
    if (m_state != State::Running && m_state != State::Paused) return;
    m_worker->requestCancel();
    setState(State::Stopping);
}

bool TrainingController::trainerPaused() const { return m_worker->trainerPaused(); }

void TrainingController::setState(State s) {
    if (m_state == s) return;
    m_state = s;
    emit stateChanged(s);
}

void TrainingController::drain() {
    // Hold the worker's lock only for the swap; the plot work happens afterwards, outside it.
    TrainingWorker::Drained d = m_worker->take();
    if (!d.norms.empty()) emit normsArrived(QVector<NormSample>(d.norms.begin(), d.norms.end()));
    if (d.batches.empty()) return;
    m_lastStep = d.batches.back().global_step;
    emit batchesArrived(QVector<bp::train::BatchEvent>(d.batches.begin(), d.batches.end()));
}

void TrainingController::onDataLoaded(const DataInfo& info) {
    m_dataInfo = info;
    m_dataError.clear();
    setState(State::Idle);
    emit dataLoaded(info);
}

void TrainingController::onDataFailed(const QString& message, const QString& dataDir) {
    m_dataInfo = DataInfo{};
    m_dataInfo.dataDir = dataDir;
    m_dataError = message;
    setState(State::NoData);
    emit dataFailed(message);
}

void TrainingController::onEpochFinished(const bp::train::EpochEvent& event, int runId) {
    if (!isCurrent(runId)) return;
    drain();  // the epoch's last batches were buffered before this event was sent: keep them in order
    emit epochFinished(event);
}

void TrainingController::onTrainingFinished(const bp::train::FinishedEvent& event, int runId) {
    if (!isCurrent(runId) || !isBusy()) return;
    stopDraining();
    setState(State::Idle);
    emit trainingFinished(event);
}

void TrainingController::onTrainingFailed(const bp::train::FailedEvent& event, int runId) {
    if (!isCurrent(runId) || !isBusy()) return;
    stopDraining();
    setState(State::Idle);
    emit trainingFailed(QString::fromStdString(event.message));
}
