// training_worker.cpp — the training thread's side of the Engine ↔ GUI bridge.
#include "training_worker.h"

#include "bp/data/dataset.h"
#include "bp/errors.h"
#include "bp/models/zoo.h"

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent) {}
TrainingWorker::~TrainingWorker() = default;

void TrainingWorker::loadData(const QString& dataDirOverride) {
    QString dir;
    try {
        const std::string resolved = bp::data::resolve_data_dir(dataDirOverride.toStdString());
        dir = QString::fromStdString(resolved);
        auto train = std::make_unique<bp::data::ImageDataset>(bp::data::load_image_dataset(resolved, "mnist", "train"));
        auto test = std::make_unique<bp::data::ImageDataset>(bp::data::load_image_dataset(resolved, "mnist", "test"));
        m_train = std::move(train);
        m_test = std::move(test);
    } catch (const std::exception& e) {  // bp::DataError in practice: its text says what to run
        m_train.reset();
        m_test.reset();
        emit dataFailed(QString::fromStdString(e.what()), dir);
        return;
    }
    DataInfo info;
    info.dataDir = dir;
    info.dataset = QStringLiteral("mnist");
    info.trainCount = m_train->count;
    info.testCount = m_test->count;
    emit dataLoaded(info);
}

void TrainingWorker::train(const bp::train::TrainConfig& config, int runId) {
    m_runId = runId;
    {
        std::lock_guard<std::mutex> lk(m_bufferMutex);
        m_buffer.clear();
    }
    if (!m_train) {
        emit trainingFailed({"the training data is not loaded; set up MNIST first", 0, 0}, runId);
        return;
    }
    try {
        config.validate();
        bp::models::Model model = bp::models::create_model(config.model, nlohmann::json::object(), config.seed);
        bp::train::Trainer trainer(model, *m_train, m_test.get(), config);
        trainer.add_observer(this);
        {
            std::lock_guard<std::mutex> lk(m_trainerMutex);
            m_trainer = &trainer;
            // Requests made between start() and now are applied before the first batch.
            if (m_pausePending.load()) trainer.request_pause();
            if (m_cancelPending.load()) trainer.request_cancel();
        }
        struct Unpublish {  // the GUI thread must never see a dangling trainer, even if run() throws
            TrainingWorker* w;
            ~Unpublish() {
                std::lock_guard<std::mutex> lk(w->m_trainerMutex);
                w->m_trainer = nullptr;
            }
        } unpublish{this};
        trainer.run();
    } catch (const std::exception& e) {  // ConfigError from validate/create_model, or anything unexpected
        emit trainingFailed({e.what(), 0, 0}, runId);
    }
}

std::vector<bp::train::BatchEvent> TrainingWorker::takeBatches() {
    std::vector<bp::train::BatchEvent> out;
    std::lock_guard<std::mutex> lk(m_bufferMutex);
    out.swap(m_buffer);
    return out;
}

void TrainingWorker::clearRequests() {
    m_pausePending = false;
    m_cancelPending = false;
}

void TrainingWorker::requestPause() {
    std::lock_guard<std::mutex> lk(m_trainerMutex);
    m_pausePending = true;
    if (m_trainer) m_trainer->request_pause();
}

void TrainingWorker::requestResume() {
    std::lock_guard<std::mutex> lk(m_trainerMutex);
    m_pausePending = false;
    if (m_trainer) m_trainer->request_resume();
}

void TrainingWorker::requestStep() {
    std::lock_guard<std::mutex> lk(m_trainerMutex);
    m_pausePending = true;
    if (m_trainer) m_trainer->request_step();
}

void TrainingWorker::requestCancel() {
    std::lock_guard<std::mutex> lk(m_trainerMutex);
    m_cancelPending = true;
    if (m_trainer) m_trainer->request_cancel();
}

bool TrainingWorker::trainerPaused() const {
    std::lock_guard<std::mutex> lk(m_trainerMutex);
    return m_trainer && m_trainer->is_paused();
}

void TrainingWorker::on_batch(const bp::train::BatchEvent& e) {
    std::lock_guard<std::mutex> lk(m_bufferMutex);
    m_buffer.push_back(e);
}

void TrainingWorker::on_epoch(const bp::train::EpochEvent& e) { emit epochFinished(e, m_runId); }
void TrainingWorker::on_finished(const bp::train::FinishedEvent& e) { emit trainingFinished(e, m_runId); }
void TrainingWorker::on_failed(const bp::train::FailedEvent& e) { emit trainingFailed(e, m_runId); }
