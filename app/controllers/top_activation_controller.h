// top_activation_controller.h — TopActivationController (GUI thread, a BackgroundRun) and its worker: finds the
// test images that excite one channel of one layer most (bp::models::top_activating over the whole test set, in
// batches) on its own thread, with progress drained every 33 ms and Stop that ranks what was scored so far. The
// worker reads its own copy of the model, so the GUI can keep running the original.
#pragma once

#include <QVector>
#include <atomic>
#include <memory>

#include "bp/data/dataset.h"
#include "bp/models/inspect.h"
#include "controllers/background_run.h"

Q_DECLARE_METATYPE(QVector<bp::models::ChannelScore>)

class TopActivationWorker : public QObject {
    Q_OBJECT
public:
    void run(std::shared_ptr<bp::models::Model> model, std::shared_ptr<const bp::data::ImageDataset> images, int stage,
             int channel, int k, int runId);
    std::atomic<bool> cancel{false};
    std::atomic<qint64> done{0}, total{0};

signals:
    void finished(const QVector<bp::models::ChannelScore>& top, bool stopped, int runId);
    void failed(const QString& message, int runId);
};

class TopActivationController : public BackgroundRun {
    Q_OBJECT
public:
    explicit TopActivationController(QObject* parent = nullptr);
    /// Starts ranking `images` by stage `stage`, channel `channel` of a copy of `model`; false while a run goes.
    bool start(const bp::models::Model& model, std::shared_ptr<const bp::data::ImageDataset> images, int stage, int channel,
               int k = 9);
    void stop();
    bool isRunning() const { return m_running; }

signals:
    void progress(qint64 done, qint64 total);
    void finished(const QVector<bp::models::ChannelScore>& top, bool stopped);
    void failed(const QString& message);
    void runningChanged(bool running);

private:
    void drain() override;
    void setRunning(bool on);

    TopActivationWorker* m_worker;
    bool m_running = false;
};
