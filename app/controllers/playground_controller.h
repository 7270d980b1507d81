// playground_controller.h — PlaygroundController (GUI thread, a BackgroundRun) and PlaygroundWorker (on its thread,
// owning the bp::playground::Playground). While playing, the worker trains in slices of ~30 ms (at most one epoch
// each) and after each slice publishes a frame (the plane's P(class 1), every node's thumbnail grid, the weights, the metrics and a
// point of the curves) into a locked buffer that the controller drains every 33 ms: ≥ 20 frames a second however
// big the network. Each slice is its own queued job, so Pause, Step, Reset and a changed setting are taken up
// between slices, in the order they were made.
#pragma once

#include <QMetaType>
#include <QVector>
#include <atomic>
#include <memory>

#include "bp/playground/playground.h"
#include "controllers/background_run.h"

/// One point of the loss and accuracy curves.
struct PlaygroundCurvePoint {
    double epoch = 0;
    bp::playground::Metrics metrics;
};

/// What the page shows, as plain numbers. The diagram's last column is one node, P(class 1); its weights are
/// the difference of the output layer's two rows (the logit of class 1 minus that of class 0).
struct PlaygroundFrame {
    bp::playground::Config config;  ///< the config this frame was computed with
    double epoch = 0;
    qint64 steps = 0;
    bp::playground::Metrics metrics;
    int res = 0;
    QVector<float> output;  ///< res·res P(class 1)
    int nodeRes = 0;
    QVector<QVector<float>> nodes;  ///< one grid per diagram node
    QVector<int> sizes;             ///< diagram columns: [features, hidden…, 1]
    QVector<QVector<float>> weights;
    std::vector<std::vector<float>> layerWeights, layerBiases;  ///< the engine's parameters, as Playground::weights()
    std::vector<bp::playground::Point> train, test;
    QVector<PlaygroundCurvePoint> curve;  ///< the curve points since the last frame
    bool curvesReset = false;             ///< the network was reset or rebuilt: start the curves again
};
Q_DECLARE_METATYPE(PlaygroundFrame)

class PlaygroundWorker : public QObject {
    Q_OBJECT
public:
    static constexpr int kPlaneRes = 80;
    static constexpr int kNodeRes = 24;
    static constexpr int kSliceMs = 30;  ///< training time between two frames while playing

    /// All on the worker thread.
    /// Skipped when a newer config has been sent since (`serial` below latestConfig): the latest request wins.
    void apply(const bp::playground::Config& config, int serial = 0);
    void tick();
    void stepEpoch();
    void reset();
    PlaygroundFrame take() { return m_buffer.take(); }
    std::atomic<bool> playing{false};
    std::atomic<bool> cancel{false};
    std::atomic<int> framesPublished{0};
    std::atomic<int> latestConfig{0};

signals:
    void failed(const QString& message);
    void tickDone(bool stillPlaying);

private:
    void publish(bool curvesReset);

    std::unique_ptr<bp::playground::Playground> m_pg;
    LockedBuffer<PlaygroundFrame> m_buffer;
    bool m_framePending = false;
};

class PlaygroundController : public BackgroundRun {
    Q_OBJECT
public:
    explicit PlaygroundController(const bp::playground::Config& config, QObject* parent = nullptr);

    /// Sends a new config to the worker (the network is kept where it can be; see Playground::apply).
    void setConfig(const bp::playground::Config& config);
    const bp::playground::Config& config() const { return m_config; }
    void play();
    void pause();
    void step();   ///< one epoch, then a frame
    void reset();  ///< the network back to its seeded start
    bool isPlaying() const { return m_playing; }
    int framesPublished() const { return m_worker->framesPublished.load(); }

signals:
    void frameArrived(const PlaygroundFrame& frame);
    void playingChanged(bool playing);
    void failed(const QString& message);

private:
    void drain() override;
    void setPlaying(bool on);

    PlaygroundWorker* m_worker;
    bp::playground::Config m_config;
    bool m_playing = false;
    bool m_tickQueued = false;
    int m_idleDrains = 0;
    int m_configSerial = 0;
};
