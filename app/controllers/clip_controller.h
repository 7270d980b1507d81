// clip_controller.h — ClipController (GUI thread, a BackgroundRun) and ClipWorker (on its thread): contrastive
// training of a classroom CLIP-mini on MNIST or Fashion-MNIST pictures with their measured captions, its steps
// (with the batch's picture × caption similarity matrix every few steps) and zero-shot checks drained every 33 ms;
// Stop keeps the model as it is. When training ends, or a saved model is opened, the worker prepares what the views
// read (cliptools::prepare: test embeddings, zero-shot per class, caption candidates) and hands it over; the worker
// keeps no reference to the model afterwards, so the GUI thread reads it alone.
#pragma once

#include <QMetaType>
#include <QString>
#include <QVector>
#include <atomic>
#include <memory>

#include "bp/io/clip_file.h"
#include "controllers/background_run.h"
#include "tools/clip_tools.h"

Q_DECLARE_METATYPE(std::shared_ptr<const ClipModel>)
Q_DECLARE_METATYPE(bp::train::ClipStepEvent)
Q_DECLARE_METATYPE(bp::train::ClipEvalEvent)
Q_DECLARE_METATYPE(std::shared_ptr<const bp::data::CaptionedImages>)

struct ClipRunConfig {
    std::string dataset = "mnist";  // or "fashion-mnist"
    int steps = 300;
    int batchSize = 64;
    int64_t trainLimit = 0;         // > 0: only the first N training pictures
    int64_t testImages = 0;         // > 0: search and zero-shot on the first N test pictures only
    int similarityEvery = 5;        // steps between similarity matrices
    int evalEvery = 50;             // steps between zero-shot checks on 500 test pictures (0 = none)
    std::string dataDir;            // empty: the default data directory
};

class ClipWorker : public QObject {
    Q_OBJECT
public:
    struct Drained {
        std::vector<bp::train::ClipStepEvent> steps;
        std::vector<bp::train::ClipEvalEvent> evals;
    };
    void train(const ClipRunConfig& cfg, int runId);
    void open(const QString& path, const ClipRunConfig& cfg, int runId);
    Drained take() { return m_buffer.take(); }
    std::atomic<bool> cancel{false};

signals:
    /// The training pictures of a run, for the similarity matrix's thumbnails (shared, read-only).
    void dataLoaded(std::shared_ptr<const bp::data::CaptionedImages> train, int runId);
    void ready(std::shared_ptr<const ClipModel> model, bool stopped, int runId);
    void failed(const QString& message, int runId);

private:
    std::shared_ptr<const bp::data::CaptionedImages> m_train;  // the last dataset's training split, kept for reruns
    bp::data::PropertyThresholds m_thresholds;                 // fitted on it
    std::string m_trainKey;                                    // data dir | dataset
    LockedBuffer<Drained> m_buffer;
};

class ClipController : public BackgroundRun {
    Q_OBJECT
public:
    explicit ClipController(QObject* parent = nullptr);
    /// The classroom CLIP-mini: the engine's default sizes (CNN 16/32/128, text 2 layers × 4 heads × 64, space 64).
    static bp::models::ClipOptions classroomOptions();
    bool start(const ClipRunConfig& cfg);                     ///< false while a run goes
    bool open(const QString& path, const ClipRunConfig& cfg);  ///< false while a run goes; the result arrives as ready()
    void stop();
    bool isRunning() const { return m_running; }

signals:
    void dataLoaded(std::shared_ptr<const bp::data::CaptionedImages> train);
    void stepsArrived(const QVector<bp::train::ClipStepEvent>& steps);
    void evalsArrived(const QVector<bp::train::ClipEvalEvent>& evals);
    void ready(std::shared_ptr<const ClipModel> model, bool stopped);
    void failed(const QString& message);
    void runningChanged(bool running);

private:
    void drain() override;
    void setRunning(bool on);
    bool launch();

    ClipWorker* m_worker;
    bool m_running = false;
};
