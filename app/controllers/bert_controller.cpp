// bert_controller.cpp — see bert_controller.h.
#include "controllers/bert_controller.h"

#include "bp/tensor.h"
#include "tools/bert_tools.h"

void BertWorker::train(int steps, int runId) {
    m_buffer.clear();
    try {
        // The fortunes without the quotations the fine-tuning comparison tests on: pre-training never reads them.
        if (!m_corpus) m_corpus = std::make_unique<bp::data::TextCorpus>(bp::data::load_default_corpus_without(task().test));
        bp::data::BertVocab vocab(m_corpus->tokenizer);
        bp::models::BertMini bert(BertController::classroomOptions(vocab.vocab_size()));
        bp::Generator gen(1);
        bert.reset_parameters(gen);
        bp::train::MlmTrainConfig cfg;
        cfg.steps = steps;
        cfg.batch_size = 16;
        cfg.context = 64;
        cfg.warmup_steps = std::min(100, std::max(1, steps / 10));  // as `backprop train-text --model bert`
        cfg.eval_every = std::max(10, steps / 10);
        cfg.eval_batches = 8;
        bp::train::MlmCallbacks cb;
        cb.on_step = [this](const bp::train::MlmStepEvent& e) {
            m_buffer.update([&](Drained& d) { d.steps.push_back(e); });
            return !cancel.load();
        };
        cb.on_eval = [this](const bp::train::MlmEvalEvent& e) { m_buffer.update([&](Drained& d) { d.evals.push_back(e); }); };
        const bp::train::MlmResult r = bp::train::pretrain_bert(bert, vocab, *m_corpus, cfg, cb);
        if (r.failed) {
            emit failed(QString::fromStdString(r.failure), runId);
            return;
        }
        emit finished(BertModel{berttools::cloneBert(bert), vocab}, r.steps_completed < steps, runId);
    } catch (const std::exception& e) {
        emit failed(QString::fromUtf8(e.what()), runId);
    }
}

void BertWorker::compareFineTuning(const BertModel& pretrained, int epochs, int runId) {
    m_buffer.clear();
    try {
        const bp::data::TextClassificationTask& task = this->task();
        emit fineTuneStarted(static_cast<int>(task.classes.size()), static_cast<int>(task.train.size()),
                             static_cast<int>(task.test.size()), runId);
        const bp::train::FineTuneConfig cfg = BertController::fineTuneConfig(epochs);
        bool stopped = false;
        for (int arm = 0; arm < 2 && !stopped; ++arm) {
            // Arm 0 starts from the pre-trained encoder (a copy: the panel keeps filling blanks with the original);
            // arm 1 from the same architecture freshly initialised. fine_tune re-initialises the classifier of both.
            const std::shared_ptr<bp::models::BertMini> bert = BertController::fineTuneModel(pretrained, arm == 0);
            const bp::train::FineTuneResult r =
                bp::train::fine_tune(*bert, pretrained.vocab, task, cfg, [&](const bp::train::FineTuneEpoch& e) {
                    m_buffer.update([&](Drained& d) { d.fineTune.push_back({arm, e}); });
                    stopped = cancel.load();
                    return !stopped;
                });
            if (r.failed) {
                emit failed(QString::fromStdString(r.failure), runId);
                return;
            }
        }
        emit fineTuneFinished(stopped, runId);
    } catch (const std::exception& e) {
        emit failed(QString::fromUtf8(e.what()), runId);
    }
}

const bp::data::TextClassificationTask& BertWorker::task() {
    if (!m_task) m_task = std::make_unique<bp::data::TextClassificationTask>(bp::data::make_fortune_source_task());
    return *m_task;
}

BertController::BertController(QObject* parent) : BackgroundRun(QStringLiteral("bp-bert"), parent), m_worker(new BertWorker) {
    qRegisterMetaType<BertModel>();
    connect(m_worker, &BertWorker::finished, this, [this](const BertModel& m, bool stopped, int runId) {
        if (!isCurrent(runId)) return;
        stopDraining();
        setRunning(false);
        emit trained(m, stopped);
    });
    connect(m_worker, &BertWorker::failed, this, [this](const QString& message, int runId) {
        if (!isCurrent(runId)) return;
        stopDraining();
        setRunning(false);
        emit failed(message);
    });
    connect(m_worker, &BertWorker::fineTuneStarted, this, [this](int classes, int train, int test, int runId) {
        if (isCurrent(runId)) emit fineTuneStarted(classes, train, test);
    });
    connect(m_worker, &BertWorker::fineTuneFinished, this, [this](bool stopped, int runId) {
        if (!isCurrent(runId)) return;
        stopDraining();
        setRunning(false);
        emit fineTuneFinished(stopped);
    });
    adoptWorker(m_worker, [w = m_worker] { w->cancel = true; });
}

bp::models::BertOptions BertController::classroomOptions(int vocabSize) {
    bp::models::BertOptions o;
    o.vocab_size = vocabSize;
    o.context = 64;
    o.layers = 2;
    o.heads = 4;
    o.dim = 64;
    return o;
}

bool BertController::start(int steps) {
    if (m_running) return false;
    m_worker->cancel = false;
    const int runId = beginRun();
    setRunning(true);
    startDraining();
    post([w = m_worker, steps, runId] { w->train(steps, runId); });
    return true;
}

bool BertController::startFineTuneComparison(const BertModel& pretrained, int epochs) {
    if (m_running || !pretrained.model) return false;
    m_worker->cancel = false;
    const int runId = beginRun();
    setRunning(true);
    startDraining();
    post([w = m_worker, pretrained, epochs, runId] { w->compareFineTuning(pretrained, epochs, runId); });
    return true;
}

bp::train::FineTuneConfig BertController::fineTuneConfig(int epochs) {
    bp::train::FineTuneConfig c;
    c.epochs = epochs;
    c.batch_size = 32;
    c.lr = kFineTuneLr;
    c.head_lr_scale = kFineTuneHeadLrScale;
    c.seed = 1;
    return c;
}

std::shared_ptr<bp::models::BertMini> BertController::fineTuneModel(const BertModel& pretrained, bool fromPretrained) {
    return bp::train::model_for_fine_tuning(*pretrained.model, fromPretrained,
                                            static_cast<int64_t>(bp::data::fortune_source_classes().size()),
                                            bp::models::BertOptions::Pooling::mean, kFineTuneContext, 1);
}

void BertController::stop() {
    if (m_running) m_worker->cancel = true;
}

void BertController::drain() {
    BertWorker::Drained d = m_worker->take();
    if (!d.steps.empty()) emit stepsArrived(QVector<bp::train::MlmStepEvent>(d.steps.begin(), d.steps.end()));
    if (!d.evals.empty()) emit evalsArrived(QVector<bp::train::MlmEvalEvent>(d.evals.begin(), d.evals.end()));
    if (!d.fineTune.empty()) emit fineTuneArrived(QVector<FineTuneEvent>(d.fineTune.begin(), d.fineTune.end()));
}

void BertController::setRunning(bool on) {
    if (m_running == on) return;
    m_running = on;
    emit runningChanged(on);
}
