// gpt_controller.h — GptController (GUI thread, a BackgroundRun) and GptWorker (on its thread): the language-model
// half of the Attention page. The worker loads a text corpus, trains a GptMini with bp::train::TextTrainer, and samples text
// token by token; training steps and evaluations go into a locked buffer that the controller drains every 33 ms
// (one stepsArrived per tick), everything else leaves as queued signals. Pause, resume and stop reach the
// trainer's atomics directly. One job at a time: a generation waits for training to end, and the reverse.
#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>
#include <atomic>
#include <memory>
#include <mutex>

#include "controllers/background_run.h"
#include "tools/attention_tools.h"
#include "bp/data/text.h"
#include "bp/train/text_trainer.h"

/// The corpus the worker holds (immutable once loaded; shared read-only with the GUI for its tokenizer).
struct CorpusInfo {
    std::shared_ptr<const bp::data::TextCorpus> corpus;
    double unigramLoss = 0;  // nats per character of the character-frequency baseline on the validation text
};

/// One training run's settings: the model's shape and the trainer's.
struct GptRunConfig {
    bp::models::GptOptions model;
    bp::train::TextTrainConfig train;
};

/// What a finished generation hands back: the text and the attention of its last ≤ context tokens.
struct GenerationResult {
    std::vector<int32_t> ids;            // prompt + new tokens
    QString text;                        // decoded
    QStringList tokens;                  // one string per token of attention.ids
    attentiontools::TokenAttention attention;
};

/// One training run of the session: its curves, what it was trained on, and (once it ended) its model.
struct GptRun {
    QString label;  // "gpt2 #1", or "opened: tiny.safetensors"
    QString block;  // gpt2 | modern
    QVector<double> steps, losses;         // training loss per step
    QVector<double> evalSteps, valLosses;  // validation loss
    double unigram = 0;
    std::shared_ptr<const bp::data::TextCorpus> corpus;  // what it was trained on (its tokenizer reads prompts)
    std::shared_ptr<bp::models::GptMini> model;          // null until the run ends
};

Q_DECLARE_METATYPE(CorpusInfo)
Q_DECLARE_METATYPE(GptRunConfig)
Q_DECLARE_METATYPE(bp::train::TextFinishedEvent)
Q_DECLARE_METATYPE(std::shared_ptr<bp::models::GptMini>)
Q_DECLARE_METATYPE(std::shared_ptr<const GenerationResult>)

class GptWorker : public QObject, public bp::train::TextTrainerObserver {
    Q_OBJECT
public:
    explicit GptWorker(QObject* parent = nullptr);
    ~GptWorker() override;

    // --- run on the worker thread (invoked queued) ---
    /// path empty: the default corpus (Debian's fortunes). Emits corpusLoaded or corpusFailed.
    void loadCorpus(const QString& path);
    /// Builds a fresh GptMini and trains it to the end (or a stop); emits trainingFinished with a copy of it.
    void train(const GptRunConfig& config, int runId);
    /// Samples from `model` (trained with `tokenizer`) after `prompt`, emitting tokensGenerated as they come, then
    /// generationFinished.
    void generate(std::shared_ptr<bp::models::GptMini> model, std::shared_ptr<const bp::data::TextCorpus> corpus,
                  std::vector<int32_t> prompt, bp::models::SampleOptions options, quint64 seed, int genId);

    // --- thread-safe ---
    struct Drained {
        std::vector<bp::train::TextStepEvent> steps;
        std::vector<bp::train::TextEvalEvent> evals;
    };
    Drained take();
    void requestPause();
    void requestResume();
    void requestCancel();  ///< stops training and generation
    void clearRequests();

signals:
    void corpusLoaded(const CorpusInfo& info);
    void corpusFailed(const QString& message);
    void trainingFinished(const bp::train::TextFinishedEvent& event, std::shared_ptr<bp::models::GptMini> model, int runId);
    void trainingFailed(const QString& message, int runId);
    void tokensGenerated(const QString& piece, int genId);
    void generationFinished(std::shared_ptr<const GenerationResult> result, int genId);
    void generationFailed(const QString& message, int genId);

private:
    void on_step(const bp::train::TextStepEvent& e) override;
    void on_eval(const bp::train::TextEvalEvent& e) override;
    void on_failed(const std::string& message, int step) override;

    std::shared_ptr<const bp::data::TextCorpus> m_corpus;  // worker thread writes; readers only read
    LockedBuffer<Drained> m_buffer;
    TrainerRequests<bp::train::TextTrainer> m_requests;  // the running trainer, and requests made before it started
    QString m_failure;  // worker thread only: what on_failed reported during the current run
};

class GptController : public BackgroundRun {
    Q_OBJECT
public:
    enum class State { NoCorpus, LoadingCorpus, Idle, Training, Paused, Stopping, Generating };
    Q_ENUM(State)

    explicit GptController(QObject* parent = nullptr);

    /// The GPT-mini the app trains: 2 layers, 4 heads, d 64, context 64, batch 16, lr 3e-3 with warm-up; small
    /// enough for a classroom laptop to train in about a minute. `block` is "gpt2" or "modern".
    static constexpr int kContext = 64;
    static GptRunConfig classroomConfig(const QString& block, int steps, uint64_t seed);

    void loadCorpus(const QString& path = QString());
    /// Starts a run (ignored unless Idle) and adds it to runs() as "<block> #n". Returns the run id, 0 if it did not
    /// start. Its steps and evaluations are recorded into the run as they are drained; its model when it ends.
    int start(const GptRunConfig& config);
    /// Every run of the session, oldest first (a failed run stays, without a model).
    const QVector<GptRun>& runs() const { return m_runs; }
    int activeRun() const { return m_activeRun; }  ///< index into runs() of the run training now, -1 if none
    void pause();
    void resume();
    void stop();
    /// Starts sampling from a model trained on `corpus` (whose tokenizer reads and writes its tokens; it need not be
    /// the corpus loaded now). Ignored unless Idle (or NoCorpus: an opened model needs no text). Returns the generation id, 0 if it did not start.
    int generate(std::shared_ptr<bp::models::GptMini> model, std::shared_ptr<const bp::data::TextCorpus> corpus,
                 const std::vector<int32_t>& prompt, const bp::models::SampleOptions& options, quint64 seed = 1);
    /// Adds a GPT-mini saved earlier (by the app or `backprop train-text`) to runs() as "opened: <file>", with its own
    /// tokenizer; emits runOpened. An empty string, or why the file cannot be used (naming it).
    QString openRun(const QString& path);
    /// Saves runs()[runIndex]'s model with its tokenizer (atomically); an empty string, or what went wrong.
    QString saveRun(int runIndex, const QString& path) const;

    State state() const { return m_state; }
    bool hasCorpus() const { return static_cast<bool>(m_corpus.corpus); }
    const CorpusInfo& corpus() const { return m_corpus; }
    QString corpusError() const { return m_corpusError; }
    const GptRunConfig& currentConfig() const { return m_config; }

signals:
    void stateChanged(GptController::State state);
    void corpusLoaded(const CorpusInfo& info);
    void corpusFailed(const QString& message);
    void runStarted(const GptRunConfig& config, int runId);
    void stepsArrived(const QVector<bp::train::TextStepEvent>& steps);
    void evalsArrived(const QVector<bp::train::TextEvalEvent>& evals);
    void trainingFinished(const bp::train::TextFinishedEvent& event, std::shared_ptr<bp::models::GptMini> model);
    void runFinished(int runIndex);  ///< after trainingFinished: runs()[runIndex] has its model
    void runOpened(int runIndex);    ///< openRun added runs()[runIndex], a model from a file
    void trainingFailed(const QString& message);
    void tokensGenerated(const QString& piece);
    void generationFinished(std::shared_ptr<const GenerationResult> result);
    void generationFailed(const QString& message);

private:
    void setState(State s);
    State restingState() const;  ///< Idle, or NoCorpus while no text is loaded
    void drain() override;

    GptWorker* m_worker = nullptr;  // owned by BackgroundRun, on its thread
    State m_state = State::NoCorpus;
    CorpusInfo m_corpus;
    QString m_corpusError;
    GptRunConfig m_config;
    int m_genId = 0;
    QVector<GptRun> m_runs;
    int m_activeRun = -1;
};
