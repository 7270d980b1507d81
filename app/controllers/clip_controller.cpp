// clip_controller.cpp — see clip_controller.h.
#include "controllers/clip_controller.h"

#include <algorithm>

#include "bp/data/dataset.h"
#include "bp/tensor.h"

void ClipWorker::train(const ClipRunConfig& cfg, int runId) {
    m_buffer.clear();
    try {
        const std::string dir = bp::data::resolve_data_dir(cfg.dataDir);
        if (!m_train || m_trainKey != dir + '|' + cfg.dataset) {  // loading and captioning 60,000 pictures: once
            bp::data::ImageDataset images = bp::data::load_image_dataset(dir, cfg.dataset, "train");
            m_thresholds = bp::data::fit_thresholds(images);
            m_train = std::make_shared<const bp::data::CaptionedImages>(bp::data::caption_images(std::move(images), m_thresholds));
            m_trainKey = dir + '|' + cfg.dataset;
        }
        emit dataLoaded(m_train, runId);
        auto m = std::make_shared<ClipModel>();
        m->dataset = cfg.dataset;
        m->thresholds = m_thresholds;
        m->vocab = bp::data::caption_vocab();
        m->test = cliptools::loadTestSplit(dir, cfg.dataset, m_thresholds, cfg.testImages);
        m->model = std::make_shared<bp::models::ClipMini>(ClipController::classroomOptions());
        bp::Generator gen(1);
        m->model->reset_parameters(gen);
        bp::train::ClipTrainConfig tc;
        tc.steps = cfg.steps;
        tc.batch_size = cfg.batchSize;
        tc.train_limit = cfg.trainLimit;
        tc.warmup_steps = std::min(50, std::max(1, cfg.steps / 10));
        tc.eval_every = cfg.evalEvery;
        tc.eval_images = std::min<int64_t>(500, m->test->images.count);
        tc.similarity_every = cfg.similarityEvery;
        tc.similarity_size = std::min(16, cfg.batchSize);
        bp::train::ClipCallbacks cb;
        cb.on_step = [this](const bp::train::ClipStepEvent& e) {
            m_buffer.update([&](Drained& d) { d.steps.push_back(e); });
            return !cancel.load();
        };
        cb.on_eval = [this](const bp::train::ClipEvalEvent& e) { m_buffer.update([&](Drained& d) { d.evals.push_back(e); }); };
        const bp::train::ClipResult r = bp::train::train_clip(*m->model, *m_train, m->test.get(), m->vocab, tc, cb);
        if (r.failed) {
            emit failed(QString::fromStdString(r.failure), runId);
            return;
        }
        m->summary = {{"dataset", cfg.dataset},
                      {"steps_completed", r.steps_completed},
                      {"train_seconds", r.train_seconds},
                      {"temperature", m->model->temperature()},
                      {"trained_by", "backprop-studio"},
                      {"config", tc.to_json()}};
        cliptools::prepare(*m);
        m->summary["zero_shot_accuracy"] = m->zeroShot.accuracy;
        m->summary["zero_shot_images"] = m->zeroShot.images;
        emit ready(std::shared_ptr<const ClipModel>(std::move(m)), r.stopped, runId);
    } catch (const std::exception& e) {
        emit failed(QString::fromUtf8(e.what()), runId);
    }
}

void ClipWorker::open(const QString& path, const ClipRunConfig& cfg, int runId) {
    try {
        bp::io::LoadedClip c = bp::io::load_clip(path.toStdString());
        auto m = std::make_shared<ClipModel>();
        m->model = std::move(c.model);
        m->vocab = std::move(c.vocab);
        m->dataset = c.dataset;
        m->thresholds = std::move(c.thresholds);
        m->summary = std::move(c.summary);
        m->test = cliptools::loadTestSplit(bp::data::resolve_data_dir(cfg.dataDir), m->dataset, m->thresholds, cfg.testImages);
        cliptools::prepare(*m);
        emit ready(std::shared_ptr<const ClipModel>(std::move(m)), false, runId);
    } catch (const std::exception& e) {
        emit failed(QString::fromUtf8(e.what()), runId);
    }
}

ClipController::ClipController(QObject* parent) : BackgroundRun(QStringLiteral("bp-clip"), parent), m_worker(new ClipWorker) {
    qRegisterMetaType<std::shared_ptr<const ClipModel>>();
    qRegisterMetaType<std::shared_ptr<const bp::data::CaptionedImages>>();
    connect(m_worker, &ClipWorker::dataLoaded, this, [this](std::shared_ptr<const bp::data::CaptionedImages> t, int runId) {
        if (isCurrent(runId)) emit dataLoaded(std::move(t));
    });
    connect(m_worker, &ClipWorker::ready, this, [this](std::shared_ptr<const ClipModel> m, bool stopped, int runId) {
        if (!isCurrent(runId)) return;
        stopDraining();
        setRunning(false);
        emit ready(std::move(m), stopped);
    });
    connect(m_worker, &ClipWorker::failed, this, [this](const QString& message, int runId) {
        if (!isCurrent(runId)) return;
        stopDraining();
        setRunning(false);
        emit failed(message);
    });
    adoptWorker(m_worker, [w = m_worker] { w->cancel = true; });
}

bp::models::ClipOptions ClipController::classroomOptions() {
    bp::models::ClipOptions o;
    o.vocab_size = bp::data::caption_vocab().vocab_size();
    return o;
}

bool ClipController::start(const ClipRunConfig& cfg) {
    if (!launch()) return false;
    post([w = m_worker, cfg, runId = currentRunId()] { w->train(cfg, runId); });
    return true;
}

bool ClipController::open(const QString& path, const ClipRunConfig& cfg) {
    if (!launch()) return false;
    post([w = m_worker, path, cfg, runId = currentRunId()] { w->open(path, cfg, runId); });
    return true;
}

bool ClipController::launch() {
    if (m_running) return false;
    m_worker->cancel = false;
    beginRun();
    setRunning(true);
    startDraining();
    return true;
}

void ClipController::stop() {
    if (m_running) m_worker->cancel = true;
}

void ClipController::drain() {
    ClipWorker::Drained d = m_worker->take();
    if (!d.steps.empty()) emit stepsArrived(QVector<bp::train::ClipStepEvent>(d.steps.begin(), d.steps.end()));
    if (!d.evals.empty()) emit evalsArrived(QVector<bp::train::ClipEvalEvent>(d.evals.begin(), d.evals.end()));
}

void ClipController::setRunning(bool on) {
    if (m_running == on) return;
    m_running = on;
    emit runningChanged(on);
}
