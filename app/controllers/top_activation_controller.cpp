// top_activation_controller.cpp — see top_activation_controller.h.
#include "controllers/top_activation_controller.h"

#include "tools/model_tools.h"

void TopActivationWorker::run(std::shared_ptr<bp::models::Model> model, std::shared_ptr<const bp::data::ImageDataset> images,
                              int stage, int channel, int k, int runId) {
    try {
        done = 0;
        total = images->count;
        bool stopped = false;
        const std::vector<bp::models::ChannelScore> top = bp::models::top_activating(
            *model, *images, static_cast<size_t>(stage), channel, k, 0, [&](int64_t d, int64_t t) {
                done = d;
                total = t;
                stopped = cancel.load();
                return !stopped;
            });
        emit finished(QVector<bp::models::ChannelScore>(top.begin(), top.end()), stopped, runId);
    } catch (const std::exception& e) {
        emit failed(QString::fromUtf8(e.what()), runId);
    }
}

TopActivationController::TopActivationController(QObject* parent)
    : BackgroundRun(QStringLiteral("bp-top-activation"), parent), m_worker(new TopActivationWorker) {
    qRegisterMetaType<QVector<bp::models::ChannelScore>>();
    connect(m_worker, &TopActivationWorker::finished, this, [this](const QVector<bp::models::ChannelScore>& top, bool stopped, int runId) {
        if (!isCurrent(runId)) return;
        stopDraining();
        setRunning(false);
        emit finished(top, stopped);
    });
    connect(m_worker, &TopActivationWorker::failed, this, [this](const QString& message, int runId) {
        if (!isCurrent(runId)) return;
        stopDraining();
        setRunning(false);
        emit failed(message);
    });
    adoptWorker(m_worker, [w = m_worker] { w->cancel = true; });
}

bool TopActivationController::start(const bp::models::Model& model, std::shared_ptr<const bp::data::ImageDataset> images,
                                    int stage, int channel, int k) {
    if (m_running || !images) return false;
    m_worker->cancel = false;
    m_worker->done = 0;
    m_worker->total = images->count;
    const int runId = beginRun();
    setRunning(true);
    startDraining();
    std::shared_ptr<bp::models::Model> copy = modeltools::cloneModel(model);
    post([w = m_worker, copy, images, stage, channel, k, runId] { w->run(copy, images, stage, channel, k, runId); });
    return true;
}

void TopActivationController::stop() {
    if (m_running) m_worker->cancel = true;
}

void TopActivationController::drain() { emit progress(m_worker->done.load(), m_worker->total.load()); }

void TopActivationController::setRunning(bool on) {
    if (m_running == on) return;
    m_running = on;
    emit runningChanged(on);
}
