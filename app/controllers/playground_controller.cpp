// playground_controller.cpp — see playground_controller.h.
#include "controllers/playground_controller.h"

#include <QElapsedTimer>
#include <QThread>

namespace {
QVector<float> toQ(const std::vector<float>& v) { return QVector<float>(v.begin(), v.end()); }
}  // namespace

void PlaygroundWorker::apply(const bp::playground::Config& config, int serial) {
    if (m_pg && serial != latestConfig.load()) return;  // a newer config is queued behind this one
    try {
        if (!m_pg) {
            m_pg = std::make_unique<bp::playground::Playground>(config);
            publish(true);
            return;
        }
        const int64_t stepsBefore = m_pg->steps();
        m_pg->apply(config);
        publish(stepsBefore != 0 && m_pg->steps() == 0);
    } catch (const std::exception& e) {
        emit failed(QString::fromUtf8(e.what()));
    }
}

void PlaygroundWorker::tick() {
    if (!m_pg || !playing.load() || cancel.load()) {
        emit tickDone(false);
        return;
    }
    try {
        // Train for one slice: up to the end of the current epoch, or ~30 ms of it when an epoch takes longer; then
        // show it. At most one epoch a frame (as TensorFlow Playground): the learner sees the boundary form rather
        // than a finished one, and each epoch is one point of the curves.
        QElapsedTimer t;
        t.start();
        const int64_t epoch = m_pg->epoch();
        do {
            if (m_pg->train_batches(1) == 0) break;
        } while (t.elapsed() < kSliceMs && m_pg->epoch() == epoch && playing.load() && !cancel.load());
        publish(false);
        const qint64 left = kSliceMs - t.elapsed();
        if (left > 0 && playing.load() && !cancel.load()) QThread::msleep(static_cast<unsigned long>(left));
    } catch (const std::exception& e) {
        playing = false;
        emit failed(QString::fromUtf8(e.what()));
    }
    const bool again = playing.load() && !cancel.load();
    if (again) QMetaObject::invokeMethod(this, &PlaygroundWorker::tick, Qt::QueuedConnection);
    emit tickDone(again);
}

void PlaygroundWorker::stepEpoch() {
    if (!m_pg) return;
    try {
        m_pg->train_epoch();
        publish(false);
    } catch (const std::exception& e) {
        emit failed(QString::fromUtf8(e.what()));
    }
}

void PlaygroundWorker::reset() {
    if (!m_pg) return;
    m_pg->reset();
    publish(true);
}

void PlaygroundWorker::publish(bool curvesReset) {
    const bp::playground::Playground& pg = *m_pg;
    PlaygroundFrame f;
    f.config = pg.config();
    f.epoch = pg.epochs_done();
    f.steps = pg.steps();
    f.metrics = pg.evaluate();
    const bp::playground::Grid out = pg.output_grid(kPlaneRes);
    f.res = out.res;
    f.output = toQ(out.values);
    f.nodeRes = kNodeRes;
    for (const bp::playground::Grid& g : pg.node_grids(kNodeRes)) f.nodes.push_back(toQ(g.values));
    const std::vector<int> sizes = pg.layer_sizes();
    f.sizes = QVector<int>(sizes.begin(), sizes.end());
    f.sizes.back() = 1;
    const auto w = pg.weights();
    for (size_t l = 0; l + 1 < w.size(); ++l) f.weights.push_back(toQ(w[l]));
    // The output node shows P(class 1) = σ(z₁ − z₀): its weights are row 1 minus row 0.
    const std::vector<float>& last = w.back();
    const size_t in = last.size() / 2;
    QVector<float> diff(static_cast<qsizetype>(in));
    for (size_t i = 0; i < in; ++i) diff[static_cast<qsizetype>(i)] = last[in + i] - last[i];
    f.weights.push_back(diff);
    f.layerWeights = pg.weights();
    f.layerBiases = pg.biases();
    f.train = pg.data().train;
    f.test = pg.data().test;
    const PlaygroundCurvePoint point{f.epoch, f.metrics};
    m_buffer.update([&](PlaygroundFrame& pending) {
        QVector<PlaygroundCurvePoint> curve = curvesReset ? QVector<PlaygroundCurvePoint>() : pending.curve;
        const bool reset = curvesReset || pending.curvesReset;
        if (f.steps > 0) curve.push_back(point);
        pending = std::move(f);
        pending.curve = std::move(curve);
        pending.curvesReset = reset;
    });
    ++framesPublished;
}

PlaygroundController::PlaygroundController(const bp::playground::Config& config, QObject* parent)
    : BackgroundRun(QStringLiteral("bp-playground"), parent), m_worker(new PlaygroundWorker), m_config(config) {
    qRegisterMetaType<PlaygroundFrame>();
    connect(m_worker, &PlaygroundWorker::failed, this, [this](const QString& m) {
        setPlaying(false);
        emit failed(m);
    });
    connect(m_worker, &PlaygroundWorker::tickDone, this, [this](bool again) {
        if (again) return;
        m_tickQueued = false;
        if (m_playing) {  // Play was pressed again after the last slice saw the pause: start slicing again
            m_worker->playing = true;
            m_tickQueued = true;
            post([w = m_worker] { w->tick(); });
        }
    });
    adoptWorker(m_worker, [w = m_worker] { w->cancel = true; w->playing = false; });
    post([w = m_worker, config] { w->apply(config); });
    startDraining();
}

void PlaygroundController::setConfig(const bp::playground::Config& config) {
    m_config = config;
    const int serial = ++m_configSerial;
    m_worker->latestConfig = serial;
    post([w = m_worker, config, serial] { w->apply(config, serial); });
    m_idleDrains = 0;
    startDraining();
}

void PlaygroundController::play() {
    if (m_playing) return;
    m_worker->playing = true;
    setPlaying(true);
    if (!m_tickQueued) {
        m_tickQueued = true;
        post([w = m_worker] { w->tick(); });
    }
    m_idleDrains = 0;
    startDraining();
}

void PlaygroundController::pause() {
    m_worker->playing = false;
    setPlaying(false);
}

void PlaygroundController::step() {
    pause();
    post([w = m_worker] { w->stepEpoch(); });
    m_idleDrains = 0;
    startDraining();
}

void PlaygroundController::reset() {
    pause();
    post([w = m_worker] { w->reset(); });
    m_idleDrains = 0;
    startDraining();
}

void PlaygroundController::drain() {
    PlaygroundFrame f = m_worker->take();
    if (f.res == 0) {
        // Nothing new: stop the timer once the worker has been quiet for a while and is not playing.
        if (!m_playing && ++m_idleDrains > 15) {
            m_idleDrains = 0;
            stopDraining();  // drains once more: m_idleDrains is 1 then, so this does not recurse
        }
        return;
    }
    m_idleDrains = 0;
    emit frameArrived(f);
}

void PlaygroundController::setPlaying(bool on) {
    if (m_playing == on) return;
    m_playing = on;
    emit playingChanged(on);
}
