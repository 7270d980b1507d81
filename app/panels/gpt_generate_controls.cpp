// gpt_generate_controls.cpp — see gpt_generate_controls.h.
#include "panels/gpt_generate_controls.h"

#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "core/app_settings.h"

GptGenerateControls::GptGenerateControls(GptController* gpt, AppSettings* settings, QWidget* parent)
    : QWidget(parent), m_gpt(gpt), m_settings(settings) {
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    auto* genBox = new QGroupBox(tr("Generate"));
    auto* gv = new QGridLayout(genBox);
    m_runCombo = new QComboBox;
    m_runCombo->setObjectName(QStringLiteral("gptRun"));
    m_runCombo->setToolTip(tr("The trained runs of this session, and models opened from files."));
    m_runCombo->setPlaceholderText(tr("none yet"));
    m_runCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_runCombo->setMinimumContentsLength(8);
    m_prompt = new QLineEdit;
    m_prompt->setObjectName(QStringLiteral("attention.prompt"));
    m_prompt->setPlaceholderText(tr("a prompt, e.g. The "));
    m_temperature = new QDoubleSpinBox;
    m_temperature->setRange(0.05, 2.0);
    m_temperature->setSingleStep(0.1);
    m_temperature->setDecimals(2);
    m_temperature->setToolTip(tr("Below 1: safer, more repetitive text. Above 1: more surprising, more mistakes."));
    m_topK = new QSpinBox;
    m_topK->setRange(0, 500);
    m_topK->setSpecialValueText(tr("all"));
    m_topK->setToolTip(tr("Sample only among the k most likely next characters (all: no limit)."));
    m_length = new QSpinBox;
    m_length->setRange(1, 2000);
    m_length->setSuffix(tr(" chars"));
    m_generate = new QPushButton(tr("Generate"));
    m_generate->setObjectName(QStringLiteral("attention.generate"));
    m_open = new QPushButton(tr("Open…"));
    m_open->setObjectName(QStringLiteral("gptOpen"));
    m_open->setToolTip(tr("A GPT-mini saved here or by `backprop train-text` (a .safetensors file)."));
    m_save = new QPushButton(tr("Save…"));
    m_save->setObjectName(QStringLiteral("gptSave"));
    m_save->setToolTip(tr("Keep the chosen model with its alphabet, to open it again or use it with `backprop generate`."));
    m_message = new QLabel;
    m_message->setWordWrap(true);
    m_message->setObjectName(QStringLiteral("gptMessage"));
    gv->addWidget(new QLabel(tr("Model")), 0, 0);
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(m_runCombo, 1);
    modelRow->addWidget(m_open);
    modelRow->addWidget(m_save);
    gv->addLayout(modelRow, 0, 1, 1, 3);
    gv->addWidget(new QLabel(tr("Prompt")), 1, 0);
    gv->addWidget(m_prompt, 1, 1, 1, 3);
    gv->addWidget(new QLabel(tr("Temp.")), 2, 0);
    gv->addWidget(m_temperature, 2, 1);
    gv->addWidget(new QLabel(tr("Top-k")), 2, 2);
    gv->addWidget(m_topK, 2, 3);
    gv->addWidget(new QLabel(tr("Length")), 3, 0);
    gv->addWidget(m_length, 3, 1);
    gv->addWidget(m_generate, 3, 2, 1, 2);
    gv->addWidget(m_message, 4, 0, 1, 4);
    v->addWidget(genBox);

    connect(m_gpt, &GptController::stateChanged, this, &GptGenerateControls::onState);
    connect(m_gpt, &GptController::runFinished, this, [this] {
        refreshRuns();
        m_runCombo->setCurrentIndex(m_runCombo->count() - 1);
        onState();
    });
    connect(m_gpt, &GptController::generationFailed, this,
            [this](const QString& message) { m_message->setText(tr("Generation failed: %1").arg(message)); });
    connect(m_generate, &QPushButton::clicked, this, [this] {
        if (m_gpt->state() == GptController::State::Generating) m_gpt->stop();
        else generate();
    });
    connect(m_prompt, &QLineEdit::returnPressed, this, [this] { generate(); });
    connect(m_gpt, &GptController::runOpened, this, [this](int runIndex) {
        refreshRuns();
        m_runCombo->setCurrentIndex(m_runCombo->findData(runIndex));
        onState();
    });
    connect(m_open, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a GPT-mini"), m_settings ? m_settings->lastDirectory() : QString(),
                                                          tr("Models (*.safetensors)"));
        if (!path.isEmpty()) openModel(path);
    });
    connect(m_save, &QPushButton::clicked, this, [this] {
        const QString dir = m_settings ? m_settings->lastDirectory() : QString();
        const QString path = QFileDialog::getSaveFileName(this, tr("Save GPT-mini"), dir + QStringLiteral("/gpt.safetensors"),
                                                          tr("Models (*.safetensors)"));
        if (!path.isEmpty()) saveModel(path);
    });
    connect(m_runCombo, &QComboBox::currentIndexChanged, this, &GptGenerateControls::onState);
    for (QSpinBox* s : {m_topK, m_length}) connect(s, &QSpinBox::valueChanged, this, &GptGenerateControls::settingsEdited);
    connect(m_temperature, &QDoubleSpinBox::valueChanged, this, &GptGenerateControls::settingsEdited);
    connect(m_prompt, &QLineEdit::editingFinished, this, &GptGenerateControls::settingsEdited);
    onState();
}

QString GptGenerateControls::message() const { return m_message->text(); }
void GptGenerateControls::setMessage(const QString& text) { m_message->setText(text); }

void GptGenerateControls::onState() {
    using S = GptController::State;
    const S s = m_gpt->state();
    const bool resting = s == S::Idle || s == S::NoCorpus;
    m_generate->setEnabled((resting && m_runCombo->count() > 0) || s == S::Generating);
    m_save->setEnabled(m_runCombo->currentIndex() >= 0);
    m_open->setEnabled(s != S::LoadingCorpus);
    m_generate->setText(s == S::Generating ? tr("Stop") : tr("Generate"));
}

void GptGenerateControls::refreshRuns() {
    const QSignalBlocker block(m_runCombo);
    m_runCombo->clear();
    const QVector<GptRun>& runs = m_gpt->runs();
    for (int i = 0; i < runs.size(); ++i)
        if (runs[i].model)
            m_runCombo->addItem(runs[i].valLosses.isEmpty() ? runs[i].label
                                                            : tr("%1 — val %2").arg(runs[i].label).arg(runs[i].valLosses.back(), 0, 'f', 2),
                                i);
}

bool GptGenerateControls::generate() {
    auto fail = [this](const QString& m) {
        m_message->setText(m);
        return false;
    };
    const QVector<GptRun>& runs = m_gpt->runs();
    const int runIndex = m_runCombo->currentData().isValid() ? m_runCombo->currentData().toInt() : -1;
    const bool haveModel = runIndex >= 0 && runIndex < runs.size() && runs[runIndex].model;
    if (!haveModel && !m_gpt->hasCorpus())
        return fail(m_gpt->corpusError().isEmpty() ? tr("The text is still loading.") : m_gpt->corpusError());
    const GptController::State s = m_gpt->state();
    if (s != GptController::State::Idle && s != GptController::State::NoCorpus)
        return fail(tr("Wait for training to finish (or stop it) first."));
    if (!haveModel) return fail(tr("Train a model first (Start, above), or open a saved one (Open…)."));
    const GptRun& run = runs[runIndex];
    const QString prompt = m_prompt->text();
    if (prompt.isEmpty()) return fail(tr("Type a prompt first: the model continues it (for example “The ”)."));
    std::string unknown;
    std::vector<int32_t> ids;
    try {
        ids = run.corpus->tokenizer.encode_lossy(prompt.toStdString(), &unknown);
    } catch (const std::exception& e) {
        return fail(QString::fromUtf8(e.what()));
    }
    QString note;
    if (!unknown.empty()) {
        QString chars;
        for (const QChar c : QString::fromStdString(unknown))
            if (!chars.contains(c)) chars += c;
        note = tr("Not in the text's alphabet, left out: %1").arg(chars.toHtmlEscaped());
    }
    if (ids.empty()) return fail(tr("None of the prompt's characters occur in the training text, so the model cannot read it. %1").arg(note));
    const int context = static_cast<int>(run.model->options().context);
    if (static_cast<int>(ids.size()) > context) ids.erase(ids.begin(), ids.end() - context);
    bp::models::SampleOptions o;
    o.max_new_tokens = m_length->value();
    o.temperature = m_temperature->value();
    o.top_k = m_topK->value();
    const QString promptText = QString::fromStdString(run.corpus->tokenizer.decode(ids));
    if (m_gpt->generate(run.model, run.corpus, ids, o, static_cast<quint64>(QDateTime::currentMSecsSinceEpoch())) == 0)
        return fail(tr("The model is busy."));
    m_message->setText(note);
    emit generationStarted(promptText);
    emit settingsEdited();
    return true;
}

bool GptGenerateControls::openModel(const QString& path) {
    if (m_settings) m_settings->setLastDirectory(QFileInfo(path).absolutePath());
    const QString error = m_gpt->openRun(path);  // on success runOpened selects it
    m_message->setText(error.isEmpty() ? tr("Opened %1: choose a prompt and Generate.").arg(QFileInfo(path).fileName()) : error);
    return error.isEmpty();
}

bool GptGenerateControls::saveModel(const QString& path) {
    if (m_settings) m_settings->setLastDirectory(QFileInfo(path).absolutePath());
    const int runIndex = m_runCombo->currentData().isValid() ? m_runCombo->currentData().toInt() : -1;
    const QString error = m_gpt->saveRun(runIndex, path);
    m_message->setText(error.isEmpty() ? tr("Saved %1 as %2.").arg(m_runCombo->currentText(), QFileInfo(path).fileName()) : error);
    return error.isEmpty();
}
