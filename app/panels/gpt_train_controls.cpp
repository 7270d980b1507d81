// gpt_train_controls.cpp — see gpt_train_controls.h.
#include "panels/gpt_train_controls.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "core/app_settings.h"

namespace {
QLabel* wrapLabel(const QString& text = QString()) {
    auto* l = new QLabel(text);
    l->setWordWrap(true);
    return l;
}
}  // namespace

GptTrainControls::GptTrainControls(GptController* gpt, AppSettings* settings, QWidget* parent)
    : QWidget(parent), m_gpt(gpt), m_settings(settings) {
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    auto* corpusBox = new QGroupBox(tr("Text"));
    auto* cv = new QVBoxLayout(corpusBox);
    m_corpusInfo = wrapLabel(tr("Loading the text corpus…"));
    m_corpusInfo->setObjectName(QStringLiteral("corpusInfo"));
    m_corpusInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_openCorpus = new QPushButton(tr("Open a text file…"));
    m_openCorpus->setToolTip(tr("Any UTF-8 text of at least 1,000 characters; the model learns its characters."));
    cv->addWidget(m_corpusInfo);
    cv->addWidget(m_openCorpus);
    v->addWidget(corpusBox);

    auto* trainBox = new QGroupBox(tr("Train GPT-mini"));
    auto* tv = new QGridLayout(trainBox);
    m_blockCombo = new QComboBox;
    m_blockCombo->setObjectName(QStringLiteral("attention.gpt_block"));
    m_blockCombo->addItem(tr("GPT-2 block"), QStringLiteral("gpt2"));
    m_blockCombo->addItem(tr("modern block"), QStringLiteral("modern"));
    m_blockCombo->setToolTip(tr("GPT-2: LayerNorm, GELU MLP, learned positions.\nModern (Llama-style): RMSNorm, SwiGLU MLP, "
                                "rotary positions (RoPE).\nTrain one of each to compare them in the chart."));
    m_stepsSpin = new QSpinBox;
    m_stepsSpin->setObjectName(QStringLiteral("attention.gpt_steps"));
    m_stepsSpin->setRange(10, 20000);
    m_stepsSpin->setSingleStep(100);
    m_stepsSpin->setToolTip(tr("Optimizer steps of 16 windows × 64 characters each."));
    m_start = new QPushButton(tr("Start"));
    m_start->setObjectName(QStringLiteral("attention.gpt_start"));
    m_pause = new QPushButton(tr("Pause"));
    m_pause->setObjectName(QStringLiteral("attention.gpt_pause"));
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setObjectName(QStringLiteral("attention.gpt_stop"));
    m_stop->setToolTip(tr("Stop training; the model as it is now is kept and can generate."));
    m_progress = new QProgressBar;
    m_status = wrapLabel();
    m_status->setObjectName(QStringLiteral("gptStatus"));
    tv->addWidget(new QLabel(tr("Block")), 0, 0);
    tv->addWidget(m_blockCombo, 0, 1, 1, 2);
    tv->addWidget(new QLabel(tr("Steps")), 1, 0);
    tv->addWidget(m_stepsSpin, 1, 1, 1, 2);
    tv->addWidget(m_start, 2, 0);
    tv->addWidget(m_pause, 2, 1);
    tv->addWidget(m_stop, 2, 2);
    tv->addWidget(m_progress, 3, 0, 1, 3);
    tv->addWidget(m_status, 4, 0, 1, 3);
    v->addWidget(trainBox);

    connect(m_gpt, &GptController::stateChanged, this, &GptTrainControls::onState);
    connect(m_gpt, &GptController::corpusLoaded, this, &GptTrainControls::onCorpusLoaded);
    connect(m_gpt, &GptController::corpusFailed, this, &GptTrainControls::onCorpusFailed);
    connect(m_gpt, &GptController::stepsArrived, this, &GptTrainControls::onSteps);
    connect(m_gpt, &GptController::trainingFinished, this,
            [this](const bp::train::TextFinishedEvent& e, const std::shared_ptr<bp::models::GptMini>&) { m_lastCancelled = e.cancelled; });
    connect(m_gpt, &GptController::runFinished, this, &GptTrainControls::onFinished);
    connect(m_gpt, &GptController::trainingFailed, this,
            [this](const QString& message) { m_status->setText(tr("Training failed: %1").arg(message)); });
    connect(m_openCorpus, &QPushButton::clicked, this, [this] {
        const QString dir = m_settings ? m_settings->lastDirectory() : QString();
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a text file"), dir, tr("Text (*.txt *.md *);;All files (*)"));
        if (path.isEmpty()) return;
        if (m_settings) m_settings->setLastDirectory(QFileInfo(path).absolutePath());
        m_gpt->loadCorpus(path);
    });
    connect(m_start, &QPushButton::clicked, this, &GptTrainControls::start);
    connect(m_pause, &QPushButton::clicked, this, &GptTrainControls::togglePause);
    connect(m_stop, &QPushButton::clicked, m_gpt, &GptController::stop);
    connect(m_blockCombo, &QComboBox::currentIndexChanged, this, &GptTrainControls::settingsEdited);
    connect(m_stepsSpin, &QSpinBox::valueChanged, this, &GptTrainControls::settingsEdited);
    onState();
}

GptRunConfig GptTrainControls::config() const {
    return GptController::classroomConfig(block(), m_stepsSpin->value(), static_cast<uint64_t>(m_gpt->runs().size() + 1));
}

void GptTrainControls::setBlock(const QString& block) {
    const int i = m_blockCombo->findData(block);
    if (i >= 0) m_blockCombo->setCurrentIndex(i);
}

QString GptTrainControls::block() const { return m_blockCombo->currentData().toString(); }
void GptTrainControls::setSteps(int steps) { m_stepsSpin->setValue(steps); }
int GptTrainControls::steps() const { return m_stepsSpin->value(); }
QString GptTrainControls::corpusText() const { return m_corpusInfo->text(); }
QString GptTrainControls::statusText() const { return m_status->text(); }

void GptTrainControls::start() {
    if (m_gpt->state() == GptController::State::Paused) {
        m_gpt->resume();
        return;
    }
    if (!m_gpt->hasCorpus()) {
        m_status->setText(m_gpt->corpusError().isEmpty() ? tr("The text is still loading.") : m_gpt->corpusError());
        return;
    }
    const GptRunConfig cfg = config();
    try {
        cfg.train.validate();
    } catch (const std::exception& e) {
        m_status->setText(QString::fromUtf8(e.what()));
        return;
    }
    if (m_gpt->start(cfg) == 0) return;
    m_progress->setMaximum(cfg.train.steps);
    m_progress->setValue(0);
    m_status->setText(tr("Starting %1…").arg(m_gpt->runs().back().label));
    emit runStarted();
}

void GptTrainControls::togglePause() {
    if (m_gpt->state() == GptController::State::Training) m_gpt->pause();
    else if (m_gpt->state() == GptController::State::Paused) m_gpt->resume();
}

void GptTrainControls::onState() {
    using S = GptController::State;
    const S s = m_gpt->state();
    const bool training = s == S::Training || s == S::Paused || s == S::Stopping;
    m_start->setEnabled((s == S::Idle) || s == S::Paused);
    m_start->setText(s == S::Paused ? tr("Resume") : tr("Start"));
    m_pause->setEnabled(s == S::Training || s == S::Paused);
    m_pause->setText(s == S::Paused ? tr("Resume") : tr("Pause"));
    m_stop->setEnabled(training && s != S::Stopping);
    m_blockCombo->setEnabled(!training);
    m_stepsSpin->setEnabled(!training);
    m_openCorpus->setEnabled(s == S::Idle || s == S::NoCorpus);
    if (s == S::Paused) m_status->setText(m_status->text() + tr(" — paused"));
}

void GptTrainControls::onCorpusLoaded(const CorpusInfo& info) {
    const bp::data::TextCorpus& c = *info.corpus;
    // "fortunes: literature, science, …" → "fortunes" (the list is in the tooltip); a file → its name.
    const QString fullSource = QString::fromStdString(c.source);
    QString source = fullSource.section(QLatin1Char(':'), 0, 0);
    if (QFileInfo(source).isAbsolute()) source = QFileInfo(source).fileName();
    if (source.size() > 40) source = source.left(39) + QStringLiteral("…");
    m_corpusDescription = tr("%1\n%2 characters, %3 distinct; unigram baseline %4 nats per character.")
                              .arg(source)
                              .arg(QLocale().toString(static_cast<qlonglong>(c.characters())))
                              .arg(c.tokenizer.vocab_size())
                              .arg(info.unigramLoss, 0, 'f', 2);
    m_corpusInfo->setText(m_corpusDescription);
    m_corpusInfo->setToolTip(fullSource + QStringLiteral("\n\n") +
                             tr("The unigram baseline: a model that only knows how often each character occurs scores "
                                "%1 nats per character on the validation text. A transformer that learns anything about "
                                "order goes well below it.").arg(info.unigramLoss, 0, 'f', 3));
}

void GptTrainControls::onCorpusFailed(const QString& message) {
    QString text = message;
    if (m_gpt->hasCorpus()) text += tr("\n\nStill using: %1").arg(m_corpusDescription);
    else if (!text.contains(QLatin1String("apt-get")))
        text += tr("\nThe default text is Debian's fortunes: sudo apt-get install fortunes (or scripts/setup.sh).");
    m_corpusInfo->setText(text);
}

void GptTrainControls::onSteps(const QVector<bp::train::TextStepEvent>& steps) {
    if (steps.isEmpty() || m_gpt->activeRun() < 0) return;
    const GptRun& run = m_gpt->runs()[m_gpt->activeRun()];
    const bp::train::TextStepEvent& e = steps.back();
    m_progress->setValue(e.step);
    const QString valText = run.valLosses.isEmpty() ? QString() : tr(", validation %1").arg(run.valLosses.back(), 0, 'f', 3);
    m_status->setText(tr("%1 — step %2 of %3: loss %4%5\n%6 tokens/s, about %7 s left")
                          .arg(run.label).arg(e.step).arg(e.steps).arg(e.loss, 0, 'f', 3).arg(valText)
                          .arg(QLocale().toString(e.tokens_per_second, 'f', 0)).arg(e.eta_seconds, 0, 'f', 0));
}

void GptTrainControls::onFinished(int runIndex) {
    const GptRun& run = m_gpt->runs()[runIndex];
    const bool stopped = m_lastCancelled;
    m_status->setText(tr("%1 %2 after %3 steps%4.")
                          .arg(run.label, stopped ? tr("stopped") : tr("finished"))
                          .arg(run.steps.isEmpty() ? 0 : static_cast<int>(run.steps.back()))
                          .arg(run.valLosses.isEmpty() ? QString()
                                                       : tr(": validation loss %1 (unigram %2)")
                                                             .arg(run.valLosses.back(), 0, 'f', 3).arg(run.unigram, 0, 'f', 3)));
}
