// attention_page.cpp — the Attention page: its two tabs laid out from panels, their settings, and forwarders
// for code and tests (see attention_page.h).
#include "pages/attention_page.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "core/app_settings.h"
#include "controllers/training_controller.h"
#include "core/facts.h"
#include "panels/bert_fill_panel.h"
#include "panels/generated_text_view.h"
#include "panels/gpt_generate_controls.h"
#include "panels/gpt_loss_charts.h"
#include "panels/gpt_train_controls.h"
#include "panels/scroll_column.h"
#include "panels/vit_attention_panel.h"

AttentionPage::AttentionPage(const AppContext& context, QWidget* parent) : QWidget(parent), m_context(context) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("attention.tabs"));
    m_vit = new VitAttentionPanel(context);
    m_tabs->addTab(m_vit, tr("&Vision: ViT on digits"));
    m_tabs->addTab(buildGptTab(), tr("&Language: GPT-mini on text"));
    m_bert = new BertFillPanel(context);
    m_bert->setGpt(m_gpt);
    m_tabs->addTab(m_bert, tr("&Bidirectional: BERT-mini fills blanks"));
    layout->addWidget(m_tabs);

    connect(m_vit, &VitAttentionPanel::shown, this, &AttentionPage::vitShown);
    connect(m_vit, &VitAttentionPanel::modelTrained, this, &AttentionPage::vitModelTrained);
    connect(m_vit, &VitAttentionPanel::testImageChanged, this, &AttentionPage::saveSettings);

    const AttentionSettings s = m_context.settings ? m_context.settings->attentionSettings() : AttentionSettings{};
    setGptBlock(s.block);
    m_gptTrain->setSteps(s.steps);
    promptEdit()->setText(s.prompt);
    temperatureSpin()->setValue(s.temperature);
    topKSpin()->setValue(s.topK);
    lengthSpin()->setValue(s.length);
    showTab(s.tab);
    connect(m_tabs, &QTabWidget::currentChanged, this, &AttentionPage::saveSettings);

    registerLessonHooks();
    m_vit->refreshModels();
    m_vit->showTestImage(std::clamp(s.testImage, 0, 9999));
    m_gpt->loadCorpus();
    applyAppearance(m_context.appearance);
    m_restoring = false;
}

AttentionPage::~AttentionPage() = default;

bool AttentionPage::showTab(const QString& id) {
    if (id == QLatin1String("vit")) m_tabs->setCurrentIndex(0);
    else if (id == QLatin1String("gpt")) m_tabs->setCurrentIndex(1);
    else if (id == QLatin1String("bert")) m_tabs->setCurrentIndex(2);
    else return false;
    return true;
}

QWidget* AttentionPage::buildGptTab() {
    m_gpt = new GptController(this);
    auto* tab = new QWidget;
    tab->setObjectName(QStringLiteral("attention.gpt"));
    auto* layout = new QHBoxLayout(tab);
    layout->setSpacing(12);

    m_gptTrain = new GptTrainControls(m_gpt, m_context.settings);
    m_gptGenerate = new GptGenerateControls(m_gpt, m_context.settings);
    auto* left = new QVBoxLayout;
    left->addWidget(m_gptTrain);
    left->addWidget(m_gptGenerate);
    left->addStretch(1);
    m_gptLeft = scrollColumn(left);
    layout->addWidget(m_gptLeft);

    // Right: two inner tabs, so each gets the whole height: the loss curves, and the generated text's attention.
    m_gptViews = new QTabWidget;
    m_gptViews->setObjectName(QStringLiteral("gptViews"));
    m_lossCharts = new GptLossCharts(m_gpt);
    m_generated = new GeneratedTextView(m_gpt);
    m_gptViews->addTab(m_lossCharts, tr("Loss curves"));
    m_gptViews->addTab(m_generated, tr("Attention of the generated text"));
    layout->addWidget(m_gptViews, 1);

    connect(m_gptTrain, &GptTrainControls::runStarted, this, [this] { m_gptViews->setCurrentIndex(0); });
    connect(m_gptTrain, &GptTrainControls::settingsEdited, this, &AttentionPage::saveSettings);
    connect(m_gptGenerate, &GptGenerateControls::settingsEdited, this, &AttentionPage::saveSettings);
    connect(m_gptGenerate, &GptGenerateControls::generationStarted, this, [this](const QString& promptText) {
        m_generated->startStreaming(promptText);
        m_gptViews->setCurrentIndex(1);
    });
    connect(m_generated, &GeneratedTextView::problem, m_gptGenerate, &GptGenerateControls::setMessage);
    connect(m_generated, &GeneratedTextView::generationShown, this, &AttentionPage::generationDone);
    connect(m_gpt, &GptController::runFinished, this, &AttentionPage::gptRunFinished);
    return tab;
}

void AttentionPage::registerLessonHooks() {
    FactRegistry* f = m_context.facts;
    if (!f) return;
    f->addAction(QStringLiteral("attention.vit_train"), [this] { trainQuickVit(); });
    f->addAction(QStringLiteral("attention.gpt_start"), [this] {
        if (m_gpt->hasCorpus()) {
            startGptTraining();
            return;
        }
        if (m_context.facts) m_context.facts->set(QStringLiteral("gpt.running"), true);  // as good as started
        auto* once = new QObject(this);  // the text is still loading: start as soon as it is there
        connect(m_gpt, &GptController::corpusLoaded, once, [this, once] {
            once->deleteLater();
            startGptTraining();
        });
    });
    f->addAction(QStringLiteral("attention.gpt_stop"), [this] { stopGptTraining(); });
    f->addAction(QStringLiteral("attention.generate"), [this] { generate(); });
    f->addSetter(QStringLiteral("attention.tab"), [this](const QString& v) -> QString {
        return showTab(v) ? QString() : tr("the Attention page's tabs are vit and gpt, not %1").arg(v);
    });
    f->addSetter(QStringLiteral("attention.image"), [this](const QString& v) -> QString {
        bool ok = false;
        const int n = v.toInt(&ok);
        if (!ok || n < 0 || n > 9999) return tr("attention.image is a test image number from 0 to 9999, not %1").arg(v);
        return showTestImage(n) ? QString() : vitMessage();
    });
    f->addSetter(QStringLiteral("gpt.block"), [this](const QString& v) -> QString {
        if (v != QLatin1String("gpt2") && v != QLatin1String("modern")) return tr("gpt.block is gpt2 or modern, not %1").arg(v);
        setGptBlock(v);
        return {};
    });
    f->addSetter(QStringLiteral("gpt.steps"), [this](const QString& v) -> QString {
        bool ok = false;
        const int n = v.toInt(&ok);
        if (!ok || n < 10 || n > 20000) return tr("gpt.steps is a whole number from 10 to 20000, not %1").arg(v);
        setGptSteps(n);
        return {};
    });
    f->setSnapshot(QStringLiteral("attention"), [this] {
        return QList<QPair<QString, QString>>{
            {QStringLiteral("attention.tab"), m_tabs->currentIndex() == 1 ? QStringLiteral("gpt") : QStringLiteral("vit")},
            {QStringLiteral("attention.image"), QString::number(testImage())},
            {QStringLiteral("gpt.block"), m_gptTrain->block()},
            {QStringLiteral("gpt.steps"), QString::number(m_gptTrain->steps())}};
    });
    f->addSetter(QStringLiteral("gpt.prompt"), [this](const QString& v) -> QString {
        promptEdit()->setText(v);
        return {};
    });

    connect(m_vit, &VitAttentionPanel::modelTrained, this, [this, f] {
        f->set(QStringLiteral("vit.trained"), true);
        if (std::isfinite(m_vit->quickAccuracy())) f->set(QStringLiteral("vit.test_accuracy"), m_vit->quickAccuracy());
    });
    connect(m_vit, &VitAttentionPanel::shown, this, [this, f] {
        f->set(QStringLiteral("vit.prediction"), static_cast<double>(m_vit->attention().top));
        f->set(QStringLiteral("vit.image"), static_cast<double>(m_vit->testImage()));
        if (m_vit->shownLabel() >= 0) f->set(QStringLiteral("vit.label"), static_cast<double>(m_vit->shownLabel()));
        else f->clear(QStringLiteral("vit.label"));
    });
    connect(m_vit->trainer(), &TrainingController::stateChanged, this, [this, f](TrainingController::State s) {
        f->set(QStringLiteral("vit.training"), m_vit->trainer()->isBusy() || s == TrainingController::State::LoadingData);
    });
    auto publishGpt = [this, f] {
        using S = GptController::State;
        const S s = m_gpt->state();
        f->set(QStringLiteral("gpt.running"), s == S::Training || s == S::Paused || s == S::Stopping);
        f->set(QStringLiteral("gpt.block"), m_gptTrain->block());
        if (m_gpt->hasCorpus()) f->set(QStringLiteral("gpt.unigram_loss"), m_gpt->corpus().unigramLoss);
    };
    connect(m_gpt, &GptController::stateChanged, this, publishGpt);
    connect(m_gpt, &GptController::corpusLoaded, this, publishGpt);
    connect(m_gpt, &GptController::runStarted, this, [f] {
        f->set(QStringLiteral("gpt.finished"), false);
        f->clear(QStringLiteral("gpt.step"));
        f->clear(QStringLiteral("gpt.train_loss"));
        f->clear(QStringLiteral("gpt.val_loss"));
    });
    connect(m_gpt, &GptController::stepsArrived, this, [f](const QVector<bp::train::TextStepEvent>& steps) {
        if (steps.isEmpty()) return;
        f->set(QStringLiteral("gpt.step"), static_cast<double>(steps.back().step));
        f->set(QStringLiteral("gpt.train_loss"), steps.back().loss);
    });
    connect(m_gpt, &GptController::evalsArrived, this, [f](const QVector<bp::train::TextEvalEvent>& evals) {
        if (evals.isEmpty()) return;
        f->set(QStringLiteral("gpt.val_loss"), evals.back().val_loss);
        f->set(QStringLiteral("gpt.unigram_loss"), evals.back().unigram_loss);
    });
    connect(m_gpt, &GptController::runFinished, this, [this, f] {
        int finished = 0;
        for (const GptRun& r : m_gpt->runs()) finished += r.model != nullptr;
        f->set(QStringLiteral("gpt.runs"), static_cast<double>(finished));
        f->set(QStringLiteral("gpt.finished"), true);
    });
    connect(m_generated, &GeneratedTextView::generationShown, this, [this, f] {
        f->set(QStringLiteral("gpt.generated_text"), m_generated->text());
        f->set(QStringLiteral("gpt.generated"), true);
    });
    publishGpt();
}

void AttentionPage::saveSettings() {
    if (!m_context.settings || m_restoring) return;  // while the constructor restores them, widgets hold half the values
    AttentionSettings s;
    s.tab = m_tabs->currentIndex() == 2 ? QStringLiteral("bert") : m_tabs->currentIndex() == 1 ? QStringLiteral("gpt") : QStringLiteral("vit");
    s.testImage = m_vit->testImage();
    s.block = m_gptTrain->block();
    s.steps = m_gptTrain->steps();
    s.prompt = promptEdit()->text();
    s.temperature = temperatureSpin()->value();
    s.topK = topKSpin()->value();
    s.length = lengthSpin()->value();
    m_context.settings->setAttentionSettings(s);
}

void AttentionPage::applyAppearance(const Appearance& a) {
    m_vit->applyAppearance(a);
    m_lossCharts->applyAppearance(a);
    m_generated->applyAppearance(a);
    m_bert->applyAppearance(a);
    m_gptLeft->setFixedWidth((a.presentation ? 400 : 340) + 10);
}

// ---- forwarders: the widgets and actions, for code and tests ----
void AttentionPage::setDrawingSource(std::function<std::vector<float>()> source) { m_vit->setDrawingSource(std::move(source)); }
bool AttentionPage::selectVitModel(const QString& name) { return m_vit->selectVitModel(name); }
QComboBox* AttentionPage::vitModelCombo() const { return m_vit->modelCombo(); }
void AttentionPage::trainQuickVit() { m_vit->trainQuickVit(); }
TrainingController* AttentionPage::vitTrainer() const { return m_vit->trainer(); }
bool AttentionPage::showTestImage(int index) { return m_vit->showTestImage(index); }
bool AttentionPage::useDrawing() { return m_vit->useDrawing(); }
int AttentionPage::testImage() const { return m_vit->testImage(); }
const std::vector<float>& AttentionPage::vitInput() const { return m_vit->input(); }
const attentiontools::VitAttention& AttentionPage::vitAttention() const { return m_vit->attention(); }
const std::vector<double>& AttentionPage::vitRollout() const { return m_vit->rollout(); }
PatchAttentionView* AttentionPage::headView(int layer, int head) const { return m_vit->headView(layer, head); }
PatchAttentionView* AttentionPage::rolloutView() const { return m_vit->rolloutView(); }
ProbabilityBars* AttentionPage::vitBars() const { return m_vit->bars(); }
QString AttentionPage::vitMessage() const { return m_vit->message(); }

GptRunConfig AttentionPage::gptConfigFromWidgets() const { return m_gptTrain->config(); }
void AttentionPage::setGptBlock(const QString& block) { m_gptTrain->setBlock(block); }
void AttentionPage::setGptSteps(int steps) { m_gptTrain->setSteps(steps); }
void AttentionPage::startGptTraining() { m_gptTrain->start(); }
void AttentionPage::pauseGptTraining() { m_gptTrain->togglePause(); }
void AttentionPage::stopGptTraining() { m_gpt->stop(); }
SeriesPlot* AttentionPage::lossPlot() const { return m_lossCharts->lossPlot(); }
SeriesPlot* AttentionPage::comparePlot() const { return m_lossCharts->comparePlot(); }
QLineEdit* AttentionPage::promptEdit() const { return m_gptGenerate->promptEdit(); }
QSpinBox* AttentionPage::lengthSpin() const { return m_gptGenerate->lengthSpin(); }
QDoubleSpinBox* AttentionPage::temperatureSpin() const { return m_gptGenerate->temperatureSpin(); }
QSpinBox* AttentionPage::topKSpin() const { return m_gptGenerate->topKSpin(); }
QPushButton* AttentionPage::generateButton() const { return m_gptGenerate->generateButton(); }
bool AttentionPage::generate() { return m_gptGenerate->generate(); }
QString AttentionPage::gptMessage() const { return m_gptGenerate->message(); }
QString AttentionPage::corpusText() const { return m_gptTrain->corpusText(); }
QString AttentionPage::generatedText() const { return m_generated->text(); }
std::shared_ptr<const GenerationResult> AttentionPage::lastGeneration() const { return m_generated->lastGeneration(); }
TokenAttentionView* AttentionPage::tokenView() const { return m_generated->tokenView(); }
void AttentionPage::showTokenHead(int layer, int head) { m_generated->showHead(layer, head); }
