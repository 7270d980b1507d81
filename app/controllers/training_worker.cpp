// training_worker.cpp — the training thread's side of the Engine ↔ GUI bridge.
#include "controllers/training_worker.h"

#include "bp/data/dataset.h"
#include "bp/errors.h"
#include <algorithm>
#include "bp/models/zoo.h"
#include "tools/model_tools.h"

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent) {}
TrainingWorker::~TrainingWorker() = default;

void TrainingWorker::loadData(const QString& dataDirOverride) {
    QString dir;
    try {
        const std::string resolved = bp::data::resolve_data_dir(dataDirOverride.toStdString());
        dir = QString::fromStdString(resolved);
        auto train = std::make_unique<bp::data::ImageDataset>(bp::data::load_image_dataset(resolved, "mnist", "train"));
        auto test = std::make_shared<const bp::data::ImageDataset>(bp::data::load_image_dataset(resolved, "mnist", "test"));
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

void TrainingWorker::train(const bp::train::TrainConfig& config, int runId,
                           std::shared_ptr<const bp::models::Model> initial) {
    m_runId = runId;
    m_buffer.clear();
    {
        std::lock_guard<std::mutex> lk(m_snapshotMutex);
        m_evaluation.reset();
    }
    if (!m_train) {
        emit trainingFailed({"the training data is not loaded; set up MNIST first", 0, 0}, runId);
        return;
    }
    try {
        config.validate();
        bp::models::Model model = initial ? bp::models::create_model_from_config(initial->config(), config.seed)
                                          : bp::models::create_model(config.model, nlohmann::json::object(), config.seed);
        if (initial) modeltools::copyState(*initial, model);
        if (model.input_shape != bp::Shape{1, m_train->rows, m_train->cols})
            throw bp::DataError("the model expects input " + modeltools::shapeText(model.input_shape).toStdString() +
                                " but the images are [1, " + std::to_string(m_train->rows) + ", " +
                                std::to_string(m_train->cols) + "]");
        bp::train::Trainer trainer(model, *m_train, m_test.get(), config);
        trainer.add_observer(this);
        m_model = &model;
        m_config = config;
        m_normGroups.clear();
        QStringList labels;
        for (modeltools::LayerGroup& g : modeltools::parameterGroups(model)) {
            labels << QString::fromStdString(g.label);
            m_normGroups.push_back(std::move(g.params));
        }
        emit modelBuilt(labels, runId);
        // Requests made between start() and now are applied before the first batch.
        TrainerRequests<bp::train::Trainer>::Attached attached(m_requests, trainer, [this] {
            m_model = nullptr;
            m_normGroups.clear();
        });
        trainer.run();
    } catch (const std::exception& e) {  // ConfigError from validate/create_model, or anything unexpected
        emit trainingFailed({e.what(), 0, 0}, runId);
    }
}

void TrainingWorker::publishEvaluation(int epoch) {
    // Predictions and probabilities of the evaluated test images, on this thread, between two epochs; the
    // argmax is the one bp::train::evaluate took, so the snapshot agrees with the epoch's confusion matrix.
    auto snap = std::make_shared<EvaluationSnapshot>();
    snap->epoch = epoch;
    snap->images = m_test;
    snap->numClasses = m_test->num_classes;
    const int64_t n = m_config.test_limit > 0 ? std::min(m_config.test_limit, m_test->count) : m_test->count;
    const int c = snap->numClasses;
    snap->labels.resize(static_cast<size_t>(n));
    snap->predictions.resize(static_cast<size_t>(n));
    snap->probabilities.resize(static_cast<size_t>(n * c));
    const bool wasTraining = m_model->net->is_training();
    m_model->net->eval();
    constexpr int64_t kBatch = 500;
    std::vector<int64_t> idx;
    for (int64_t start = 0; start < n; start += kBatch) {
        const int64_t b = std::min(kBatch, n - start);
        idx.resize(static_cast<size_t>(b));
        for (int64_t i = 0; i < b; ++i) idx[static_cast<size_t>(i)] = start + i;
        bp::Tensor x = bp::Tensor::empty({b, 1, m_test->rows, m_test->cols});  // [b, 1, 28, 28]
        bp::data::normalize_images(*m_test, idx.data(), b, x.data<float>());
        const bp::Tensor p = bp::train::predict_proba(*m_model->net, x);  // [b, c]
        const float* pp = p.data<float>();
        std::copy(pp, pp + b * c, snap->probabilities.begin() + start * c);
        for (int64_t i = 0; i < b; ++i) {
            const float* row = pp + i * c;
            snap->labels[static_cast<size_t>(start + i)] = m_test->labels[static_cast<size_t>(start + i)];
            snap->predictions[static_cast<size_t>(start + i)] = static_cast<int>(std::max_element(row, row + c) - row);
        }
    }
    m_model->net->train(wasTraining);
    std::lock_guard<std::mutex> lk(m_snapshotMutex);
    m_evaluation = std::move(snap);
}

void TrainingWorker::publishModel() {
    if (!m_model) return;
    std::shared_ptr<const bp::models::Model> copy = modeltools::cloneModel(*m_model);
    std::lock_guard<std::mutex> lk(m_snapshotMutex);
    m_latestModel = std::move(copy);
}

std::shared_ptr<const EvaluationSnapshot> TrainingWorker::latestEvaluation() const {
    std::lock_guard<std::mutex> lk(m_snapshotMutex);
    return m_evaluation;
}

std::shared_ptr<const bp::models::Model> TrainingWorker::latestModel() const {
    std::lock_guard<std::mutex> lk(m_snapshotMutex);
    return m_latestModel;
}

bool TrainingWorker::requestLearningRate(double lr) {
    bool applied = false;
    m_requests.with([&](bp::train::Trainer& t) {
        try {
            t.set_learning_rate(lr);
            applied = true;
        } catch (const bp::Error&) {
        }
    });
    return applied;
}

TrainingWorker::Drained TrainingWorker::take() { return m_buffer.take(); }
void TrainingWorker::clearRequests() { m_requests.clear(); }
void TrainingWorker::requestPause() { m_requests.pause(); }
void TrainingWorker::requestResume() { m_requests.resume(); }
void TrainingWorker::requestStep() { m_requests.step(); }
void TrainingWorker::requestCancel() { m_requests.cancel(); }

bool TrainingWorker::trainerPaused() const {
    bool paused = false;
    m_requests.with([&](const bp::train::Trainer& t) { paused = t.is_paused(); });
    return paused;
}

void TrainingWorker::on_batch(const bp::train::BatchEvent& e) {
    NormSample sample;
    const bool sampleNorms = e.global_step == 1 || e.global_step % kNormsEvery == 0;
    if (sampleNorms) {
        // The optimizer has stepped but not yet zeroed: .grad is this batch's gradient.
        sample.step = e.global_step;
        for (const std::vector<bp::Tensor>& g : m_normGroups) {
            sample.weight.push_back(modeltools::l2Norm(g, false));
            sample.grad.push_back(modeltools::l2Norm(g, true));
        }
    }
    m_buffer.update([&](Drained& d) {
        d.batches.push_back(e);
        if (sampleNorms) d.norms.push_back(std::move(sample));
    });
}

void TrainingWorker::on_epoch(const bp::train::EpochEvent& e) {
    if (e.evaluated && m_test && m_model) publishEvaluation(e.epoch);
    publishModel();
    emit epochFinished(e, m_runId);
}

void TrainingWorker::on_finished(const bp::train::FinishedEvent& e) {
    publishModel();  // a cancelled run ends mid-epoch: keep where it got to
    emit trainingFinished(e, m_runId);
}

void TrainingWorker::on_failed(const bp::train::FailedEvent& e) {
    publishModel();  // the last good parameters, restored by the trainer
    emit trainingFailed(e, m_runId);
}
