// gpt_controller.cpp — the language-model worker thread and its GUI-side controller (see gpt_controller.h).
#include "controllers/gpt_controller.h"

#include <QFileInfo>

#include "bp/io/gpt_file.h"

#include "bp/errors.h"
#include "bp/tensor.h"

#include <algorithm>

GptWorker::GptWorker(QObject* parent) : QObject(parent) {}
GptWorker::~GptWorker() = default;

void GptWorker::loadCorpus(const QString& path) {
    try {
        auto corpus = std::make_shared<bp::data::TextCorpus>(path.isEmpty() ? bp::data::load_default_corpus()
                                                                            : bp::data::load_text_corpus(path.toStdString()));
        CorpusInfo info;
        info.unigramLoss = bp::data::unigram_loss(corpus->train, corpus->val, corpus->tokenizer.vocab_size());
        info.corpus = corpus;
        m_corpus = corpus;
        emit corpusLoaded(info);
    } catch (const std::exception& e) {  // bp::DataError: its text says what to install or what is wrong
        emit corpusFailed(QString::fromStdString(e.what()));
    }
}

void GptWorker::train(const GptRunConfig& config, int runId) {
    m_buffer.clear();
    if (!m_corpus) {
        emit trainingFailed(tr("no text corpus is loaded"), runId);
        return;
    }
    try {
        bp::models::GptOptions opts = config.model;
        opts.vocab_size = m_corpus->tokenizer.vocab_size();
        bp::models::GptMini model(opts);
        bp::Generator gen(config.train.seed);
        model.reset_parameters(gen);
        bp::train::TextTrainer trainer(model, *m_corpus, config.train);
        trainer.add_observer(this);
        TrainerRequests<bp::train::TextTrainer>::Attached attached(m_requests, trainer);
        m_failure.clear();
        trainer.run();
        if (trainer.failed()) {  // a NaN or infinite loss: the trainer restored the last good parameters
            emit trainingFailed(m_failure.isEmpty() ? tr("training failed") : m_failure, runId);
            return;
        }
        bp::train::TextFinishedEvent done;
        done.cancelled = trainer.cancelled();
        done.steps_completed = trainer.history().empty() ? 0 : trainer.history().back().step;
        emit trainingFinished(done, attentiontools::cloneGpt(model), runId);
    } catch (const std::exception& e) {
        emit trainingFailed(QString::fromStdString(e.what()), runId);
    }
}

void GptWorker::generate(std::shared_ptr<bp::models::GptMini> model, std::shared_ptr<const bp::data::TextCorpus> corpus,
                         std::vector<int32_t> prompt, bp::models::SampleOptions options, quint64 seed, int genId) {
    if (!corpus || !model) {
        emit generationFailed(tr("train a model first"), genId);
        return;
    }
    try {
        const bp::data::CharTokenizer& tok = corpus->tokenizer;
        bp::Generator gen(seed);
        auto result = std::make_shared<GenerationResult>();
        result->ids = bp::models::generate(*model, prompt, options, gen, [&](int32_t id) {
            emit tokensGenerated(QString::fromStdString(tok.token_text(id)), genId);
            return !m_requests.cancelRequested();
        });
        result->text = QString::fromStdString(tok.decode(result->ids));
        result->attention = attentiontools::runGpt(*model, result->ids);
        for (int32_t id : result->attention.ids) result->tokens << QString::fromStdString(tok.token_text(id));
        emit generationFinished(result, genId);
    } catch (const std::exception& e) {
        emit generationFailed(QString::fromStdString(e.what()), genId);
    }
}

void GptWorker::on_step(const bp::train::TextStepEvent& e) {
    m_buffer.update([&](Drained& d) { d.steps.push_back(e); });
}

void GptWorker::on_eval(const bp::train::TextEvalEvent& e) {
    m_buffer.update([&](Drained& d) { d.evals.push_back(e); });
}

void GptWorker::on_failed(const std::string& message, int step) {
    m_failure = tr("step %1: %2").arg(step).arg(QString::fromStdString(message));
}

GptWorker::Drained GptWorker::take() { return m_buffer.take(); }
void GptWorker::requestPause() { m_requests.pause(); }
void GptWorker::requestResume() { m_requests.resume(); }
void GptWorker::requestCancel() { m_requests.cancel(); }
void GptWorker::clearRequests() { m_requests.clear(); }

// ---------------------------------------------------------------------------------------------------------------

GptController::GptController(QObject* parent) : BackgroundRun(QStringLiteral("bp-gpt"), parent), m_worker(new GptWorker) {
    qRegisterMetaType<CorpusInfo>();
    qRegisterMetaType<GptRunConfig>();
    qRegisterMetaType<bp::train::TextFinishedEvent>();
    qRegisterMetaType<std::shared_ptr<bp::models::GptMini>>();
    qRegisterMetaType<std::shared_ptr<const GenerationResult>>();

    connect(m_worker, &GptWorker::corpusLoaded, this, [this](const CorpusInfo& info) {
        m_corpus = info;
        m_corpusError.clear();
        setState(State::Idle);
        emit corpusLoaded(info);
    });
    connect(m_worker, &GptWorker::corpusFailed, this, [this](const QString& message) {
        m_corpusError = message;
        setState(m_corpus.corpus ? State::Idle : State::NoCorpus);  // a failed second file keeps the first corpus
        emit corpusFailed(message);
    });
    connect(m_worker, &GptWorker::trainingFinished, this,
            [this](const bp::train::TextFinishedEvent& e, std::shared_ptr<bp::models::GptMini> model, int runId) {
                if (!isCurrent(runId)) return;
                stopDraining();
                const int index = m_activeRun;
                if (index >= 0) m_runs[index].model = model;
                m_activeRun = -1;
                setState(State::Idle);
                emit trainingFinished(e, std::move(model));
                if (index >= 0) emit runFinished(index);
            });
    connect(m_worker, &GptWorker::trainingFailed, this, [this](const QString& message, int runId) {
        if (!isCurrent(runId)) return;
        stopDraining();
        m_activeRun = -1;
        setState(State::Idle);
        emit trainingFailed(message);
    });
    connect(m_worker, &GptWorker::tokensGenerated, this, [this](const QString& piece, int genId) {
        if (genId == m_genId) emit tokensGenerated(piece);
    });
    connect(m_worker, &GptWorker::generationFinished, this, [this](std::shared_ptr<const GenerationResult> r, int genId) {
        if (genId != m_genId) return;
        setState(restingState());
        emit generationFinished(std::move(r));
    });
    connect(m_worker, &GptWorker::generationFailed, this, [this](const QString& message, int genId) {
        if (genId != m_genId) return;
        setState(restingState());
        emit generationFailed(message);
    });
    adoptWorker(m_worker, [w = m_worker] { w->requestCancel(); });
}

GptRunConfig GptController::classroomConfig(const QString& block, int steps, uint64_t seed) {
    GptRunConfig c;
    c.model.layers = 2;
    c.model.heads = 4;
    c.model.dim = 64;
    c.model.context = kContext;
    c.model.block = block == QLatin1String("modern") ? bp::nn::BlockKind::modern : bp::nn::BlockKind::gpt2;
    c.train.steps = steps;
    c.train.batch_size = 16;
    c.train.context = kContext;
    c.train.lr = 3e-3;
    c.train.warmup_steps = std::min(50, std::max(1, c.train.steps / 10));
    c.train.eval_every = std::clamp(c.train.steps / 12, 5, 200);
    c.train.eval_batches = 8;
    c.train.seed = seed;
    c.train.threads = 1;
    return c;
}

void GptController::setState(State s) {
    if (s == m_state) return;
    m_state = s;
    emit stateChanged(s);
}

void GptController::loadCorpus(const QString& path) {
    if (m_state == State::Training || m_state == State::Paused || m_state == State::Stopping || m_state == State::Generating ||
        m_state == State::LoadingCorpus)
        return;
    setState(State::LoadingCorpus);
    post([w = m_worker, path] { w->loadCorpus(path); });
}

int GptController::start(const GptRunConfig& config) {
    if (m_state != State::Idle) return 0;
    m_config = config;
    GptRun run;
    run.block = config.model.block == bp::nn::BlockKind::modern ? QStringLiteral("modern") : QStringLiteral("gpt2");
    int same = 1;
    for (const GptRun& r : m_runs) same += r.block == run.block;
    run.label = QStringLiteral("%1 #%2").arg(run.block).arg(same);
    run.unigram = m_corpus.unigramLoss;
    run.corpus = m_corpus.corpus;
    m_runs.push_back(run);
    m_activeRun = static_cast<int>(m_runs.size()) - 1;
    const int runId = beginRun();
    m_worker->clearRequests();
    m_worker->take();
    setState(State::Training);
    startDraining();
    emit runStarted(config, runId);
    post([w = m_worker, config, runId] { w->train(config, runId); });
    return runId;
}

void GptController::pause() {
    if (m_state != State::Training) return;
    m_worker->requestPause();
    setState(State::Paused);
}

void GptController::resume() {
    if (m_state != State::Paused) return;
    m_worker->requestResume();
    setState(State::Training);
}

void GptController::stop() {
    if (m_state == State::Training || m_state == State::Paused) {
        m_worker->requestResume();
        m_worker->requestCancel();
        setState(State::Stopping);
    } else if (m_state == State::Generating) {
        m_worker->requestCancel();  // the sampler stops after its next token and still reports what it has
    }
}

int GptController::generate(std::shared_ptr<bp::models::GptMini> model, std::shared_ptr<const bp::data::TextCorpus> corpus,
                            const std::vector<int32_t>& prompt, const bp::models::SampleOptions& options, quint64 seed) {
    // An opened model brings its own tokenizer, so it can write even when the default text is missing (NoCorpus).
    if ((m_state != State::Idle && m_state != State::NoCorpus) || !model || !corpus) return 0;
    const int genId = ++m_genId;
    m_worker->clearRequests();
    setState(State::Generating);
    post([w = m_worker, model, corpus, prompt, options, seed, genId] { w->generate(model, corpus, prompt, options, seed, genId); });
    return genId;
}

GptController::State GptController::restingState() const { return m_corpus.corpus ? State::Idle : State::NoCorpus; }

QString GptController::openRun(const QString& path) {
    const QString name = QFileInfo(path).fileName();
    bp::io::LoadedGpt loaded;
    try {
        loaded = bp::io::load_gpt(path.toStdString());
    } catch (const std::exception& e) {
        return tr("%1 is not a GPT-mini this app can open: %2").arg(name, QString::fromUtf8(e.what()));
    }
    GptRun run;
    run.label = tr("opened: %1").arg(name);
    run.block = loaded.model->options().block == bp::nn::BlockKind::modern ? QStringLiteral("modern") : QStringLiteral("gpt2");
    auto corpus = std::make_shared<bp::data::TextCorpus>();
    corpus->source = path.toStdString();
    corpus->tokenizer = loaded.tokenizer;  // the text it was trained on is not in the file; its alphabet is
    run.corpus = std::move(corpus);
    run.model = loaded.model;
    m_runs.push_back(run);
    emit runOpened(static_cast<int>(m_runs.size()) - 1);
    return {};
}

QString GptController::saveRun(int runIndex, const QString& path) const {
    if (runIndex < 0 || runIndex >= m_runs.size() || !m_runs[runIndex].model)
        return tr("There is no trained GPT-mini to save yet: train one first.");
    const GptRun& run = m_runs[runIndex];
    nlohmann::json summary = {{"label", run.label.toStdString()}};
    if (!run.steps.isEmpty()) summary["steps"] = static_cast<int64_t>(run.steps.back());
    if (!run.valLosses.isEmpty()) summary["val_loss"] = run.valLosses.back();
    if (run.unigram > 0) summary["unigram_loss"] = run.unigram;
    try {
        bp::io::save_gpt(path.toStdString(), *run.model, run.corpus->tokenizer, summary);
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

void GptController::drain() {
    GptWorker::Drained d = m_worker->take();
    if (m_activeRun >= 0) {  // the run's record first, so that slots of the signals below see it complete
        GptRun& run = m_runs[m_activeRun];
        for (const bp::train::TextStepEvent& e : d.steps) {
            run.steps << e.step;
            run.losses << e.loss;
        }
        for (const bp::train::TextEvalEvent& e : d.evals) {
            run.evalSteps << e.step;
            run.valLosses << e.val_loss;
            run.unigram = e.unigram_loss;
        }
    }
    if (!d.steps.empty()) emit stepsArrived(QVector<bp::train::TextStepEvent>(d.steps.begin(), d.steps.end()));
    if (!d.evals.empty()) emit evalsArrived(QVector<bp::train::TextEvalEvent>(d.evals.begin(), d.evals.end()));
}
