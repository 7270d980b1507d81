// gpt_controller.cpp — the language-model worker thread and its GUI-side controller (see gpt_controller.h).
#include "gpt_controller.h"

#include "bp/errors.h"
#include "bp/tensor.h"

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
    {
        std::lock_guard<std::mutex> lk(m_bufferMutex);
        m_buffer = {};
    }
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
        {
            std::lock_guard<std::mutex> lk(m_trainerMutex);
            m_trainer = &trainer;
            if (m_pausePending.load()) trainer.request_pause();
            if (m_cancelPending.load()) trainer.request_cancel();
        }
        struct Unpublish {  // the GUI thread must never see a dangling trainer, even if run() throws
            GptWorker* w;
            ~Unpublish() {
                std::lock_guard<std::mutex> lk(w->m_trainerMutex);
                w->m_trainer = nullptr;
            }
        } unpublish{this};
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
            return !m_cancelPending.load();
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
    std::lock_guard<std::mutex> lk(m_bufferMutex);
    m_buffer.steps.push_back(e);
}

void GptWorker::on_eval(const bp::train::TextEvalEvent& e) {
    std::lock_guard<std::mutex> lk(m_bufferMutex);
    m_buffer.evals.push_back(e);
}

void GptWorker::on_failed(const std::string& message, int step) {
    m_failure = tr("step %1: %2").arg(step).arg(QString::fromStdString(message));
}

GptWorker::Drained GptWorker::take() {
    Drained out;
    std::lock_guard<std::mutex> lk(m_bufferMutex);
    std::swap(out, m_buffer);
    return out;
}

void GptWorker::requestPause() {
    m_pausePending = true;
    std::lock_guard<std::mutex> lk(m_trainerMutex);
    if (m_trainer) m_trainer->request_pause();
}

void GptWorker::requestResume() {
    m_pausePending = false;
    std::lock_guard<std::mutex> lk(m_trainerMutex);
    if (m_trainer) m_trainer->request_resume();
}

void GptWorker::requestCancel() {
    m_cancelPending = true;
    std::lock_guard<std::mutex> lk(m_trainerMutex);
    if (m_trainer) m_trainer->request_cancel();
}

void GptWorker::clearRequests() {
    m_pausePending = false;
    m_cancelPending = false;
}

// ---------------------------------------------------------------------------------------------------------------

GptController::GptController(QObject* parent) : QObject(parent), m_worker(new GptWorker) {
    qRegisterMetaType<CorpusInfo>();
    qRegisterMetaType<GptRunConfig>();
    qRegisterMetaType<bp::train::TextFinishedEvent>();
    qRegisterMetaType<std::shared_ptr<bp::models::GptMini>>();
    qRegisterMetaType<std::shared_ptr<const GenerationResult>>();

    m_thread.setObjectName(QStringLiteral("bp-gpt"));
    m_worker->moveToThread(&m_thread);
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
                if (runId != m_runId) return;
                drain();
                m_drainTimer.stop();
                setState(State::Idle);
                emit trainingFinished(e, std::move(model));
            });
    connect(m_worker, &GptWorker::trainingFailed, this, [this](const QString& message, int runId) {
        if (runId != m_runId) return;
        drain();
        m_drainTimer.stop();
        setState(State::Idle);
        emit trainingFailed(message);
    });
    connect(m_worker, &GptWorker::tokensGenerated, this, [this](const QString& piece, int genId) {
        if (genId == m_genId) emit tokensGenerated(piece);
    });
    connect(m_worker, &GptWorker::generationFinished, this, [this](std::shared_ptr<const GenerationResult> r, int genId) {
        if (genId != m_genId) return;
        setState(State::Idle);
        emit generationFinished(std::move(r));
    });
    connect(m_worker, &GptWorker::generationFailed, this, [this](const QString& message, int genId) {
        if (genId != m_genId) return;
        setState(State::Idle);
        emit generationFailed(message);
    });
    m_thread.start();

    m_drainTimer.setInterval(33);
    connect(&m_drainTimer, &QTimer::timeout, this, &GptController::drain);
}

GptController::~GptController() {
    m_drainTimer.stop();
    m_worker->requestCancel();
    m_thread.quit();
    m_thread.wait();
    delete m_worker;
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
    QMetaObject::invokeMethod(m_worker, [w = m_worker, path] { w->loadCorpus(path); }, Qt::QueuedConnection);
}

int GptController::start(const GptRunConfig& config) {
    if (m_state != State::Idle) return 0;
    m_config = config;
    const int runId = ++m_runId;
    m_worker->clearRequests();
    m_worker->take();
    setState(State::Training);
    m_drainTimer.start();
    emit runStarted(config, runId);
    QMetaObject::invokeMethod(m_worker, [w = m_worker, config, runId] { w->train(config, runId); }, Qt::QueuedConnection);
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
    if (m_state != State::Idle || !model || !corpus) return 0;
    const int genId = ++m_genId;
    m_worker->clearRequests();
    setState(State::Generating);
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, model, corpus, prompt, options, seed, genId] { w->generate(model, corpus, prompt, options, seed, genId); },
        Qt::QueuedConnection);
    return genId;
}

void GptController::drain() {
    GptWorker::Drained d = m_worker->take();
    if (!d.steps.empty()) emit stepsArrived(QVector<bp::train::TextStepEvent>(d.steps.begin(), d.steps.end()));
    if (!d.evals.empty()) emit evalsArrived(QVector<bp::train::TextEvalEvent>(d.evals.begin(), d.evals.end()));
}
