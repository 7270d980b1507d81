// attention_page.cpp — layout and wiring of the Attention page (see attention_page.h).
#include "pages/attention_page.h"

#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "app_settings.h"
#include "bp/data/dataset.h"
#include "bp/data/preprocess.h"
#include "model_library.h"
#include "model_tools.h"
#include "patch_attention_view.h"
#include "probability_bars.h"
#include "series_plot.h"
#include "theme.h"
#include "token_attention_view.h"
#include "training_controller.h"

namespace {

QImage greyImage(const std::vector<float>& px01) {
    QImage img(28, 28, QImage::Format_Grayscale8);
    for (int y = 0; y < 28; ++y)
        for (int x = 0; x < 28; ++x)
            img.scanLine(y)[x] = static_cast<uchar>(std::clamp(px01[static_cast<size_t>(y * 28 + x)], 0.0f, 1.0f) * 255.0f + 0.5f);
    return img;
}

QVector<double> toQVector(const std::vector<double>& v) { return QVector<double>(v.begin(), v.end()); }

QString kTokenCaption() {
    return QObject::tr("Hover a character: the others are shaded by how much it attends to them. Rows: each character; "
                       "columns: the earlier ones it can look at (causal).");
}

/// The controls column of a tab: a fixed width, scrolling vertically when a small window in presentation
/// mode cannot fit it (rather than squeezing its labels until they clip).
QScrollArea* scrollColumn(QVBoxLayout* content) {
    auto* host = new QWidget;
    host->setLayout(content);
    content->setContentsMargins(0, 0, 4, 0);
    auto* scroll = new QScrollArea;
    scroll->setWidget(host);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    return scroll;
}

QLabel* wrapLabel(const QString& text = QString()) {
    auto* l = new QLabel(text);
    l->setWordWrap(true);
    return l;
}

// The GPT-mini the page trains: small enough for a classroom laptop to train in about a minute.
constexpr int kQuickVitImages = 12000;
constexpr int kGptLayers = 2, kGptHeads = 4, kGptDim = 64, kGptContext = 64;

}  // namespace

AttentionPage::AttentionPage(const AppContext& context, QWidget* parent)
    : QWidget(parent), m_context(context), m_library(context.models), m_appearance(context.appearance) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("attentionTabs"));
    m_tabs->addTab(buildVitTab(), tr("&Vision: ViT on digits"));
    m_tabs->addTab(buildGptTab(), tr("&Language: GPT-mini on text"));
    layout->addWidget(m_tabs);

    const AttentionSettings s = m_context.settings ? m_context.settings->attentionSettings() : AttentionSettings{};
    m_testIndex = std::clamp(s.testImage, 0, 9999);
    setGptBlock(s.block);
    m_stepsSpin->setValue(s.steps);
    m_prompt->setText(s.prompt);
    m_temperature->setValue(s.temperature);
    m_topK->setValue(s.topK);
    m_length->setValue(s.length);
    showTab(s.tab);
    connect(m_tabs, &QTabWidget::currentChanged, this, &AttentionPage::saveSettings);

    if (m_library) {
        m_library->loadShippedModels();
        connect(m_library, &ModelLibrary::modelsChanged, this, &AttentionPage::refreshVitModels);
    }
    refreshVitModels();
    {
        const QSignalBlocker block(m_imageSpin);
        m_imageSpin->setValue(m_testIndex);
    }
    showTestImage(m_testIndex);
    m_gpt->loadCorpus();
    applyAppearance(m_appearance);
    m_restoring = false;
}

AttentionPage::~AttentionPage() = default;

bool AttentionPage::showTab(const QString& id) {
    if (id == QLatin1String("vit")) m_tabs->setCurrentIndex(0);
    else if (id == QLatin1String("gpt")) m_tabs->setCurrentIndex(1);
    else return false;
    return true;
}

// ================================================================================================ Vision

QWidget* AttentionPage::buildVitTab() {
    auto* tab = new QWidget;
    auto* layout = new QHBoxLayout(tab);
    layout->setSpacing(12);

    auto* left = new QVBoxLayout;
    auto* modelBox = new QGroupBox(tr("Vision transformer"));
    auto* mv = new QVBoxLayout(modelBox);
    m_vitCombo = new QComboBox;
    m_vitCombo->setObjectName(QStringLiteral("vitModel"));
    m_vitCombo->setToolTip(tr("ViT models trained or opened in this session."));
    m_vitCombo->setPlaceholderText(tr("no ViT yet"));
    m_trainVit = new QPushButton(tr("Train a quick ViT"));
    m_trainVit->setObjectName(QStringLiteral("trainQuickVit"));
    m_trainVit->setToolTip(tr("ViT-tiny (2 blocks, 4 heads, 105,098 parameters), one epoch on %1 MNIST images, "
                              "on a background thread.").arg(QLocale().toString(kQuickVitImages)));
    m_openVit = new QPushButton(tr("Open…"));
    m_openVit->setToolTip(tr("Open a ViT saved as .safetensors (from the Train page or `backprop train --model vit`)."));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_trainVit, 1);
    buttons->addWidget(m_openVit);
    m_vitProgress = new QProgressBar;
    m_vitProgress->setVisible(false);
    m_vitModelInfo = wrapLabel();
    m_vitModelInfo->setObjectName(QStringLiteral("vitModelInfo"));
    mv->addWidget(m_vitCombo);
    mv->addLayout(buttons);
    mv->addWidget(m_vitProgress);
    mv->addWidget(m_vitModelInfo);
    left->addWidget(modelBox);

    auto* imageBox = new QGroupBox(tr("Image"));
    auto* iv = new QVBoxLayout(imageBox);
    auto* row = new QHBoxLayout;
    m_imageSpin = new QSpinBox;
    m_imageSpin->setObjectName(QStringLiteral("testImage"));
    m_imageSpin->setRange(0, 9999);
    m_imageSpin->setPrefix(tr("test image "));
    m_imageSpin->setToolTip(tr("Which of the 10,000 MNIST test images the model reads."));
    m_prevImage = new QPushButton(QStringLiteral("◀"));
    m_prevImage->setToolTip(tr("Previous test image"));
    m_nextImage = new QPushButton(QStringLiteral("▶"));
    m_nextImage->setToolTip(tr("Next test image"));
    for (QPushButton* b : {m_prevImage, m_nextImage}) b->setFixedWidth(40);
    row->addWidget(m_imageSpin, 1);
    row->addWidget(m_prevImage);
    row->addWidget(m_nextImage);
    auto* row2 = new QHBoxLayout;
    m_randomImage = new QPushButton(tr("Random"));
    m_drawingButton = new QPushButton(tr("Use my drawing"));
    m_drawingButton->setObjectName(QStringLiteral("useDrawing"));
    m_drawingButton->setToolTip(tr("Read the digit drawn on the Draw page instead of a test image."));
    row2->addWidget(m_randomImage);
    row2->addWidget(m_drawingButton);
    m_imageInfo = wrapLabel();
    m_imageInfo->setObjectName(QStringLiteral("imageInfo"));
    iv->addLayout(row);
    iv->addLayout(row2);
    iv->addWidget(m_imageInfo);
    left->addWidget(imageBox);

    auto* answerBox = new QGroupBox(tr("The model's answer"));
    auto* av = new QVBoxLayout(answerBox);
    m_vitPrediction = new QLabel;
    m_vitPrediction->setObjectName(QStringLiteral("vitPrediction"));
    m_vitPrediction->setTextFormat(Qt::RichText);
    m_vitPrediction->setWordWrap(true);
    m_vitBars = new ProbabilityBars;
    av->addWidget(m_vitPrediction);
    av->addWidget(m_vitBars, 1);
    left->addWidget(answerBox, 1);
    m_vitLeft = scrollColumn(left);
    layout->addWidget(m_vitLeft);

    // Right: what each head looks at, then the rollout.
    auto* right = new QVBoxLayout;
    m_vitNote = wrapLabel();
    m_vitNote->setObjectName(QStringLiteral("vitNote"));
    m_vitExplain = wrapLabel(
        tr("Each picture is one attention head: how much the class token (whose output becomes the answer) attends to "
           "each 4×4 patch. Brighter = more attention, each picture scaled to its own strongest patch; \"mean\" averages "
           "the heads. <b>Rollout</b> follows the attention through all layers (heads averaged, ½·attention + ½·identity "
           "for the residual path, multiplied layer by layer). Hover a patch for its exact share."));
    m_vitExplain->setObjectName(QStringLiteral("vitExplain"));
    right->addWidget(m_vitExplain);
    right->addWidget(m_vitNote);
    m_vitGridHost = new QWidget;
    m_vitGrid = new QGridLayout(m_vitGridHost);

    m_vitGrid->setSpacing(8);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_vitGridHost);
    right->addWidget(scroll, 1);
    layout->addLayout(right, 1);

    m_vitTrainer = new TrainingController(this);
    connect(m_trainVit, &QPushButton::clicked, this, &AttentionPage::trainQuickVit);
    connect(m_openVit, &QPushButton::clicked, this, &AttentionPage::openVitModel);
    connect(m_vitCombo, &QComboBox::currentIndexChanged, this, &AttentionPage::onVitModelChosen);
    connect(m_imageSpin, &QSpinBox::valueChanged, this, [this](int v) { showTestImage(v); });
    connect(m_prevImage, &QPushButton::clicked, this, [this] { m_imageSpin->setValue(std::max(0, m_testIndex - 1)); });
    connect(m_nextImage, &QPushButton::clicked, this, [this] { m_imageSpin->setValue(std::min(m_imageSpin->maximum(), m_testIndex + 1)); });
    connect(m_randomImage, &QPushButton::clicked, this,
            [this] { m_imageSpin->setValue(static_cast<int>(QRandomGenerator::global()->bounded(m_imageSpin->maximum() + 1))); });
    connect(m_drawingButton, &QPushButton::clicked, this, [this] { useDrawing(); });

    connect(m_vitTrainer, &TrainingController::dataLoaded, this, [this] {
        if (m_vitTrainAfterLoad) trainQuickVit();
    });
    connect(m_vitTrainer, &TrainingController::dataFailed, this, [this](const QString& message) {
        m_vitTrainAfterLoad = false;
        m_trainVit->setEnabled(true);
        m_vitProgress->setVisible(false);
        setVitInfo(tr("Cannot train: %1").arg(message));
    });
    connect(m_vitTrainer, &TrainingController::batchesArrived, this, [this](const QVector<bp::train::BatchEvent>& b) {
        if (b.isEmpty()) return;
        const bp::train::BatchEvent& e = b.back();
        m_vitProgress->setMaximum(static_cast<int>(e.batches_per_epoch));
        m_vitProgress->setValue(static_cast<int>(e.batch + 1));
        setVitInfo(tr("Training ViT-tiny: loss %1, %2 images/s, about %3 s left")
                                    .arg(e.loss, 0, 'f', 3).arg(e.samples_per_second, 0, 'f', 0).arg(e.eta_seconds, 0, 'f', 0));
    });
    connect(m_vitTrainer, &TrainingController::trainingFailed, this, [this](const QString& message) {
        m_trainVit->setEnabled(true);
        m_vitProgress->setVisible(false);
        setVitInfo(tr("Training failed: %1").arg(message));
    });
    connect(m_vitTrainer, &TrainingController::trainingFinished, this, [this](const bp::train::FinishedEvent&) {
        m_trainVit->setEnabled(true);
        m_vitProgress->setVisible(false);
        std::shared_ptr<const bp::models::Model> model = m_vitTrainer->latestModel();
        if (!model) return;
        double accuracy = std::nan("");
        if (auto ev = m_vitTrainer->latestEvaluation(); ev && ev->count() > 0) {
            qint64 right = 0;
            for (qint64 i = 0; i < ev->count(); ++i) right += ev->labels[i] == ev->predictions[i];
            accuracy = static_cast<double>(right) / ev->count();
        }
        const QString name = std::isfinite(accuracy)
                                 ? tr("ViT — quick, %1 (%2 %)").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")))
                                       .arg(accuracy * 100, 0, 'f', 1)
                                 : tr("ViT — quick, %1").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")));
        if (m_library) m_library->addModel(name, QStringLiteral("trained"), model);
        selectVitModel(name);
        emit vitModelTrained(name);
    });
    return tab;
}

void AttentionPage::setVitInfo(const QString& text) {
    m_vitModelInfo->setText(text);
    m_vitModelInfo->setVisible(!text.isEmpty());
}

void AttentionPage::trainQuickVit() {
    using State = TrainingController::State;
    if (m_vitTrainer->isBusy()) return;
    m_trainVit->setEnabled(false);
    m_vitProgress->setVisible(true);
    m_vitProgress->setValue(0);
    if (m_vitTrainer->state() == State::NoData || m_vitTrainer->state() == State::LoadingData) {
        m_vitTrainAfterLoad = true;
        setVitInfo(tr("Loading MNIST…"));
        if (m_vitTrainer->state() == State::NoData) m_vitTrainer->loadData(m_context.dataDirOverride);
        return;
    }
    m_vitTrainAfterLoad = false;
    bp::train::TrainConfig cfg;
    cfg.model = "vit";
    cfg.epochs = 1;
    cfg.batch_size = 32;
    cfg.lr = 3e-3;  // measured with `backprop train --model vit --train-limit 12000`: 73 % vs 60 % at 1e-3, 63 % at 5e-3
    cfg.optimizer = "adam";
    cfg.schedule = "cosine";
    cfg.train_limit = kQuickVitImages;
    cfg.test_limit = 1000;
    cfg.seed = 1;
    setVitInfo(tr("Training ViT-tiny on %1 images…").arg(QLocale().toString(kQuickVitImages)));
    m_vitTrainer->start(cfg);
}

void AttentionPage::openVitModel() {
    const QString dir = m_context.settings ? m_context.settings->lastDirectory() : QString();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a ViT"), dir, tr("Models (*.safetensors)"));
    if (path.isEmpty()) return;
    if (m_context.settings) m_context.settings->setLastDirectory(QFileInfo(path).absolutePath());
    try {
        std::shared_ptr<const bp::models::Model> model = modeltools::loadModelFile(path.toStdString());
        if (!attentiontools::asVit(model->net)) {
            setVitInfo(tr("%1 is a %2, not a vision transformer: its attention cannot be shown here.")
                                        .arg(QFileInfo(path).fileName(), QString::fromStdString(model->name)));
            return;
        }
        const QString name = QFileInfo(path).fileName();
        if (m_library) m_library->addModel(name, QStringLiteral("opened"), model);
        selectVitModel(name);
    } catch (const std::exception& e) {
        setVitInfo(tr("Cannot open %1: %2").arg(QFileInfo(path).fileName(), QString::fromUtf8(e.what())));
    }
}

void AttentionPage::refreshVitModels() {
    const QString current = m_vitCombo->currentText();
    {
        const QSignalBlocker block(m_vitCombo);
        m_vitCombo->clear();
        if (m_library)
            for (const ModelLibrary::Entry& e : m_library->entries())
                if (attentiontools::asVit(e.model->net)) m_vitCombo->addItem(e.name);
    }
    int index = m_vitCombo->findText(current);
    if (index < 0) index = m_vitCombo->count() - 1;  // the newest
    m_vitCombo->setCurrentIndex(-1);
    m_vitCombo->setCurrentIndex(index);
    if (m_vitCombo->count() == 0) onVitModelChosen(-1);
}

bool AttentionPage::selectVitModel(const QString& name) {
    const int i = m_vitCombo->findText(name);
    if (i < 0) return false;
    if (m_vitCombo->currentIndex() == i) onVitModelChosen(i);
    else m_vitCombo->setCurrentIndex(i);
    return true;
}

void AttentionPage::onVitModelChosen(int index) {
    m_vitModel.reset();
    const int entry = m_library && index >= 0 ? m_library->indexOf(m_vitCombo->itemText(index)) : -1;
    if (entry >= 0) {
        const ModelLibrary::Entry& e = m_library->entries()[entry];
        m_vitModel = modeltools::cloneModel(*e.model);
        auto vit = attentiontools::asVit(m_vitModel->net);
        // The size goes into the chooser's tooltip: on a projector every line of this column counts.
        m_vitCombo->setToolTip(tr("%1: %2 blocks × %3 heads, %4 parameters")
                                   .arg(m_vitCombo->itemText(index)).arg(vit->options().layers).arg(vit->options().heads)
                                   .arg(QLocale().toString(static_cast<qlonglong>(vit->parameter_count()))));
        if (!m_vitTrainer->isBusy()) setVitInfo(QString());
    } else if (!m_vitTrainer->isBusy()) {
        setVitInfo(tr("No ViT in this session yet. Train a quick one here (about a minute), train one on the "
                                   "Train page, or open a saved one."));
    }
    rebuildVitGrid();
    runVit();
}

bool AttentionPage::ensureTestSet() {
    if (m_testSet) return true;
    try {
        const std::string dir = bp::data::resolve_data_dir(m_context.dataDirOverride.toStdString());
        m_testSet = std::make_unique<bp::data::ImageDataset>(bp::data::load_image_dataset(dir, "mnist", "test"));
        m_imageSpin->setMaximum(static_cast<int>(m_testSet->count - 1));
        m_testSetError.clear();
        return true;
    } catch (const std::exception& e) {
        m_testSetError = QString::fromUtf8(e.what());
        return false;
    }
}

bool AttentionPage::showTestImage(int index) {
    if (!ensureTestSet()) {
        m_imageInfo->setText(tr("The MNIST test images are not available: %1").arg(m_testSetError));
        m_vitPixels.clear();
        runVit();
        return false;
    }
    if (index < 0 || index >= m_testSet->count) return false;
    m_testIndex = index;
    m_fromDrawing = false;
    if (m_imageSpin->value() != index) {
        const QSignalBlocker block(m_imageSpin);
        m_imageSpin->setValue(index);
    }
    const int64_t n = m_testSet->rows * m_testSet->cols;
    m_vitPixels.assign(784, 0.0f);
    for (int64_t i = 0; i < n && i < 784; ++i)
        m_vitPixels[static_cast<size_t>(i)] = m_testSet->pixels[static_cast<size_t>(index * n + i)] / 255.0f;
    m_imageInfo->setText(tr("MNIST test image %1 — labelled <b>%2</b>").arg(index).arg(m_testSet->labels[static_cast<size_t>(index)]));
    saveSettings();
    runVit();
    return true;
}

bool AttentionPage::useDrawing() {
    std::vector<float> px = m_drawingSource ? m_drawingSource() : std::vector<float>();
    const bool ink = px.size() == 784 && std::any_of(px.begin(), px.end(), [](float v) { return v > 0.1f; });
    if (!ink) {
        m_imageInfo->setText(tr("There is no drawing yet: draw a digit on the Draw page (Ctrl+2), then come back."));
        return false;
    }
    m_fromDrawing = true;
    m_vitPixels = std::move(px);
    m_imageInfo->setText(tr("Your drawing from the Draw page, as the 28×28 picture the model reads."));
    runVit();
    return true;
}

QString AttentionPage::vitMessage() const { return m_vitNote->text(); }

void AttentionPage::showVitMessage(const QString& text) {
    m_vitNote->setText(text);
    m_vitNote->setVisible(!text.isEmpty());
}

PatchAttentionView* AttentionPage::headView(int layer, int head) const {
    if (layer < 0 || layer >= static_cast<int>(m_headViews.size())) return nullptr;
    const auto& row = m_headViews[static_cast<size_t>(layer)];
    const int i = head < 0 ? static_cast<int>(row.size()) - 1 : head;
    return i >= 0 && i < static_cast<int>(row.size()) ? row[static_cast<size_t>(i)] : nullptr;
}

void AttentionPage::rebuildVitGrid() {
    for (auto& row : m_headViews)
        for (PatchAttentionView* v : row) delete v;
    m_headViews.clear();
    for (QLabel* l : m_gridLabels) delete l;
    m_gridLabels.clear();
    delete m_rolloutView;
    m_rolloutView = nullptr;
    delete m_previewView;
    m_previewView = nullptr;
    for (int r = 0; r < m_vitGrid->rowCount(); ++r) m_vitGrid->setRowStretch(r, 0);
    for (int c = 0; c < m_vitGrid->columnCount(); ++c) m_vitGrid->setColumnStretch(c, 0);
    auto vit = m_vitModel ? attentiontools::asVit(m_vitModel->net) : nullptr;
    if (!vit) {  // no model yet: at least the picture it will read
        m_previewView = new PatchAttentionView;
        m_previewView->setObjectName(QStringLiteral("imagePreview"));
        m_previewView->setTitle(tr("the image"));
        m_previewView->setDark(m_appearance.dark);
        m_previewView->setFixedSize(m_previewView->sizeHint());
        m_vitGrid->addWidget(m_previewView, 0, 0, Qt::AlignLeft | Qt::AlignTop);
        m_vitGrid->setRowStretch(1, 1);
        m_vitGrid->setColumnStretch(1, 1);
        return;
    }
    const int layers = static_cast<int>(vit->options().layers), heads = static_cast<int>(vit->options().heads);
    const double fs = theme::fontScale(m_appearance);
    auto addLabel = [this](const QString& text, int r, int c, Qt::Alignment align) {
        auto* l = new QLabel(text);
        l->setAlignment(align);
        QFont f = theme::baseFont();
        f.setPointSizeF(f.pointSizeF() * 1.05 * theme::fontScale(m_appearance));
        f.setBold(true);
        l->setFont(f);
        m_vitGrid->addWidget(l, r, c);
        m_gridLabels.push_back(l);
    };
    for (int l = 0; l < layers; ++l) {
        addLabel(tr("Layer %1").arg(l + 1), l, 0, Qt::AlignRight | Qt::AlignVCenter);
        std::vector<PatchAttentionView*> row;
        for (int h = 0; h <= heads; ++h) {
            auto* v = new PatchAttentionView;
            v->setTitle(h < heads ? tr("head %1").arg(h + 1) : tr("mean"));
            v->setDark(m_appearance.dark);
            v->setFontScale(fs);
            v->setObjectName(QStringLiteral("head_%1_%2").arg(l).arg(h < heads ? h : -1));
            m_vitGrid->addWidget(v, l, h + 1);
            row.push_back(v);
        }
        m_headViews.push_back(row);
    }
    addLabel(tr("All layers"), layers, 0, Qt::AlignRight | Qt::AlignVCenter);
    m_rolloutView = new PatchAttentionView;
    m_rolloutView->setObjectName(QStringLiteral("rollout"));
    m_rolloutView->setTitle(tr("rollout"));
    m_rolloutView->setDark(m_appearance.dark);
    m_rolloutView->setFontScale(fs);
    m_rolloutView->setToolTip(tr("Attention rollout (Abnar & Zuidema, 2020): average the heads, add the identity for the "
                                 "residual connection, renormalise, and multiply the layers together: how much of the "
                                 "class token's final state comes from each patch."));
    m_vitGrid->addWidget(m_rolloutView, layers, 1);
    for (int c = 1; c <= heads + 1; ++c) m_vitGrid->setColumnStretch(c, 1);
    m_vitGrid->setRowStretch(layers + 1, 1);
}

void AttentionPage::runVit() {
    m_vit = {};
    m_rollout.clear();
    m_vitInput.clear();
    auto vit = m_vitModel ? attentiontools::asVit(m_vitModel->net) : nullptr;
    if (!vit || m_vitPixels.size() != 784) {
        m_vitBars->setProbabilities({});
        m_vitPrediction->setText(QString());
        showVitMessage(!vit ? tr("Choose or train a ViT to see what its heads attend to.")
                            : tr("Pick an image to read."));
        for (auto& row : m_headViews)
            for (PatchAttentionView* v : row) v->clearWeights();
        if (m_rolloutView) m_rolloutView->clearWeights();
        if (m_previewView) m_previewView->setImage(m_vitPixels.size() == 784 ? greyImage(m_vitPixels) : QImage());
        return;
    }
    showVitMessage(QString());
    m_vitInput = bp::data::normalize_mnist(m_vitPixels);
    try {
        m_vit = attentiontools::runVit(*vit, m_vitInput);
    } catch (const std::exception& e) {
        showVitMessage(tr("The model could not read this image: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    m_rollout = attentiontools::rollout(m_vit);
    const QImage img = greyImage(m_vitPixels);
    for (int l = 0; l < m_vit.layers && l < static_cast<int>(m_headViews.size()); ++l)
        for (int h = 0; h <= m_vit.heads && h < static_cast<int>(m_headViews[static_cast<size_t>(l)].size()); ++h) {
            PatchAttentionView* v = m_headViews[static_cast<size_t>(l)][static_cast<size_t>(h)];
            v->setImage(img);
            v->setWeights(7, 7, toQVector(m_vit.classToPatches(l, h < m_vit.heads ? h : -1)));
        }
    if (m_rolloutView) {
        m_rolloutView->setImage(img);
        m_rolloutView->setWeights(7, 7, toQVector(attentiontools::rolloutClassToPatches(m_rollout, m_vit.tokens)));
    }
    m_vitBars->setProbabilities(QVector<double>(m_vit.probabilities.begin(), m_vit.probabilities.end()));
    const double pt = theme::baseFont().pointSizeF() * theme::fontScale(m_appearance);
    m_vitPrediction->setText(tr("<span style='font-size:%1pt'>It reads a</span> <span style='font-size:%2pt; font-weight:bold'>%3</span>"
                                "<span style='font-size:%1pt'> &nbsp;(%4 % sure)</span>")
                                 .arg(pt * 1.2, 0, 'f', 1)
                                 .arg(pt * (m_appearance.presentation ? 1.8 : 2.4), 0, 'f', 1)
                                 .arg(m_vit.top)
                                 .arg(m_vit.probabilities[static_cast<size_t>(m_vit.top)] * 100.0, 0, 'f', 1));
    emit vitShown();
}

// ================================================================================================ Language

QWidget* AttentionPage::buildGptTab() {
    auto* tab = new QWidget;
    auto* layout = new QHBoxLayout(tab);
    layout->setSpacing(12);

    auto* left = new QVBoxLayout;
    auto* corpusBox = new QGroupBox(tr("Text"));
    auto* cv = new QVBoxLayout(corpusBox);
    m_corpusInfo = wrapLabel(tr("Loading the text corpus…"));
    m_corpusInfo->setObjectName(QStringLiteral("corpusInfo"));
    m_corpusInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_openCorpus = new QPushButton(tr("Open a text file…"));
    m_openCorpus->setToolTip(tr("Any UTF-8 text of at least 1,000 characters; the model learns its characters."));
    cv->addWidget(m_corpusInfo);
    cv->addWidget(m_openCorpus);
    left->addWidget(corpusBox);

    auto* trainBox = new QGroupBox(tr("Train GPT-mini"));
    auto* tv = new QGridLayout(trainBox);
    m_blockCombo = new QComboBox;
    m_blockCombo->setObjectName(QStringLiteral("blockKind"));
    m_blockCombo->addItem(tr("GPT-2 block"), QStringLiteral("gpt2"));
    m_blockCombo->addItem(tr("modern block"), QStringLiteral("modern"));
    m_blockCombo->setToolTip(tr("GPT-2: LayerNorm, GELU MLP, learned positions.\nModern (Llama-style): RMSNorm, SwiGLU MLP, "
                                "rotary positions (RoPE).\nTrain one of each to compare them in the chart."));
    m_stepsSpin = new QSpinBox;
    m_stepsSpin->setRange(10, 20000);
    m_stepsSpin->setSingleStep(100);
    m_stepsSpin->setToolTip(tr("Optimizer steps of 16 windows × 64 characters each."));
    m_startGpt = new QPushButton(tr("Start"));
    m_startGpt->setObjectName(QStringLiteral("startGpt"));
    m_pauseGpt = new QPushButton(tr("Pause"));
    m_pauseGpt->setObjectName(QStringLiteral("pauseGpt"));
    m_stopGpt = new QPushButton(tr("Stop"));
    m_stopGpt->setObjectName(QStringLiteral("stopGpt"));
    m_stopGpt->setToolTip(tr("Stop training; the model as it is now is kept and can generate."));
    m_gptProgress = new QProgressBar;
    m_gptStatus = wrapLabel();
    m_gptStatus->setObjectName(QStringLiteral("gptStatus"));
    tv->addWidget(new QLabel(tr("Block")), 0, 0);
    tv->addWidget(m_blockCombo, 0, 1, 1, 2);
    tv->addWidget(new QLabel(tr("Steps")), 1, 0);
    tv->addWidget(m_stepsSpin, 1, 1, 1, 2);
    tv->addWidget(m_startGpt, 2, 0);
    tv->addWidget(m_pauseGpt, 2, 1);
    tv->addWidget(m_stopGpt, 2, 2);
    tv->addWidget(m_gptProgress, 3, 0, 1, 3);
    tv->addWidget(m_gptStatus, 4, 0, 1, 3);
    left->addWidget(trainBox);

    auto* genBox = new QGroupBox(tr("Generate"));
    auto* gv = new QGridLayout(genBox);
    m_runCombo = new QComboBox;
    m_runCombo->setObjectName(QStringLiteral("gptRun"));
    m_runCombo->setToolTip(tr("The trained runs of this session."));
    m_prompt = new QLineEdit;
    m_prompt->setObjectName(QStringLiteral("prompt"));
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
    m_generate->setObjectName(QStringLiteral("generate"));
    m_gptMessage = wrapLabel();
    m_gptMessage->setObjectName(QStringLiteral("gptMessage"));
    gv->addWidget(new QLabel(tr("Model")), 0, 0);
    gv->addWidget(m_runCombo, 0, 1, 1, 3);
    gv->addWidget(new QLabel(tr("Prompt")), 1, 0);
    gv->addWidget(m_prompt, 1, 1, 1, 3);
    gv->addWidget(new QLabel(tr("Temp.")), 2, 0);
    gv->addWidget(m_temperature, 2, 1);
    gv->addWidget(new QLabel(tr("Top-k")), 2, 2);
    gv->addWidget(m_topK, 2, 3);
    gv->addWidget(new QLabel(tr("Length")), 3, 0);
    gv->addWidget(m_length, 3, 1);
    gv->addWidget(m_generate, 3, 2, 1, 2);
    gv->addWidget(m_gptMessage, 4, 0, 1, 4);
    left->addWidget(genBox);
    left->addStretch(1);
    m_gptLeft = scrollColumn(left);
    layout->addWidget(m_gptLeft);

    // Right: two inner tabs, so each gets the whole height: the loss curves, and the generated text's attention.
    m_gptViews = new QTabWidget;
    m_gptViews->setObjectName(QStringLiteral("gptViews"));
    auto* charts = new QWidget;
    auto* ch = new QVBoxLayout(charts);
    m_lossPlot = new SeriesPlot(tr("step"), tr("loss (nats per character)"));
    m_lossPlot->setObjectName(QStringLiteral("gptLossPlot"));
    m_lossPlot->setTitle(tr("This run"));
    m_trainSeries = m_lossPlot->addSeries(tr("training loss"), 0);
    m_valSeries = m_lossPlot->addSeries(tr("validation loss"), 1, false, true);
    m_unigramSeries = m_lossPlot->addSeries(tr("unigram baseline"), 7, false, false, Qt::DashLine);
    m_comparePlot = new SeriesPlot(tr("step"), tr("validation loss (nats per character)"));
    m_comparePlot->setObjectName(QStringLiteral("gptComparePlot"));
    m_comparePlot->setTitle(tr("All runs of this session, same text: GPT-2 block dash-dot, modern block solid"));
    ch->addWidget(m_lossPlot, 1);
    ch->addWidget(m_comparePlot, 1);
    m_gptViews->addTab(charts, tr("Loss curves"));

    auto* bottom = new QWidget;
    auto* bv = new QVBoxLayout(bottom);
    m_output = new QPlainTextEdit;
    m_output->setObjectName(QStringLiteral("generatedText"));
    m_output->setReadOnly(true);
    m_output->setPlaceholderText(tr("Generated text appears here, character by character."));
    m_output->setMaximumHeight(60);
    auto* pick = new QHBoxLayout;
    m_layerCombo = new QComboBox;
    m_headCombo = new QComboBox;
    auto* pickLabel = new QLabel(tr("Show"));
    pickLabel->setObjectName(QStringLiteral("tokenPickLabel"));
    pick->addWidget(pickLabel);
    pick->addWidget(m_layerCombo);
    pick->addWidget(m_headCombo);
    pick->addStretch(1);
    m_tokenView = new TokenAttentionView;
    m_tokenView->setObjectName(QStringLiteral("tokenAttention"));
    m_tokenView->setCaption(kTokenCaption());
    m_tokenView->setWindowNote(false);  // refreshTokenHead says it in characters
    bv->addWidget(m_output);
    bv->addLayout(pick);
    bv->addWidget(m_tokenView, 1);
    m_gptViews->addTab(bottom, tr("Attention of the generated text"));
    layout->addWidget(m_gptViews, 1);

    m_gpt = new GptController(this);
    connect(m_gpt, &GptController::stateChanged, this, &AttentionPage::onGptState);
    connect(m_gpt, &GptController::corpusLoaded, this, &AttentionPage::onCorpusLoaded);
    connect(m_gpt, &GptController::corpusFailed, this, &AttentionPage::onCorpusFailed);
    connect(m_gpt, &GptController::stepsArrived, this, &AttentionPage::onSteps);
    connect(m_gpt, &GptController::evalsArrived, this, &AttentionPage::onEvals);
    connect(m_gpt, &GptController::trainingFinished, this, &AttentionPage::onGptFinished);
    connect(m_gpt, &GptController::trainingFailed, this, [this](const QString& message) {
        m_gptStatus->setText(tr("Training failed: %1").arg(message));
        m_activeRun = -1;
    });
    connect(m_gpt, &GptController::tokensGenerated, this, [this](const QString& piece) {
        m_streamed += piece;
        m_output->moveCursor(QTextCursor::End);
        m_output->insertPlainText(piece);
    });
    connect(m_gpt, &GptController::generationFinished, this, &AttentionPage::onGenerationFinished);
    connect(m_gpt, &GptController::generationFailed, this, [this](const QString& message) {
        m_gptMessage->setText(tr("Generation failed: %1").arg(message));
    });
    connect(m_openCorpus, &QPushButton::clicked, this, [this] {
        const QString dir = m_context.settings ? m_context.settings->lastDirectory() : QString();
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a text file"), dir, tr("Text (*.txt *.md *);;All files (*)"));
        if (path.isEmpty()) return;
        if (m_context.settings) m_context.settings->setLastDirectory(QFileInfo(path).absolutePath());
        m_gpt->loadCorpus(path);
    });
    connect(m_startGpt, &QPushButton::clicked, this, &AttentionPage::startGptTraining);
    connect(m_pauseGpt, &QPushButton::clicked, this, &AttentionPage::pauseGptTraining);
    connect(m_stopGpt, &QPushButton::clicked, this, &AttentionPage::stopGptTraining);
    connect(m_generate, &QPushButton::clicked, this, [this] {
        if (m_gpt->state() == GptController::State::Generating) m_gpt->stop();
        else generate();
    });
    connect(m_prompt, &QLineEdit::returnPressed, this, [this] { generate(); });
    connect(m_layerCombo, &QComboBox::currentIndexChanged, this, &AttentionPage::refreshTokenHead);
    connect(m_headCombo, &QComboBox::currentIndexChanged, this, &AttentionPage::refreshTokenHead);
    for (QComboBox* c : {m_blockCombo}) connect(c, &QComboBox::currentIndexChanged, this, &AttentionPage::saveSettings);
    for (QSpinBox* s : {m_stepsSpin, m_topK, m_length}) connect(s, &QSpinBox::valueChanged, this, &AttentionPage::saveSettings);
    connect(m_temperature, &QDoubleSpinBox::valueChanged, this, &AttentionPage::saveSettings);
    connect(m_prompt, &QLineEdit::editingFinished, this, &AttentionPage::saveSettings);
    onGptState();
    return tab;
}

void AttentionPage::setGptBlock(const QString& block) {
    const int i = m_blockCombo->findData(block);
    if (i >= 0) m_blockCombo->setCurrentIndex(i);
}

void AttentionPage::setGptSteps(int steps) { m_stepsSpin->setValue(steps); }

GptRunConfig AttentionPage::gptConfigFromWidgets() const {
    GptRunConfig c;
    c.model.layers = kGptLayers;
    c.model.heads = kGptHeads;
    c.model.dim = kGptDim;
    c.model.context = kGptContext;
    c.model.block = m_blockCombo->currentData().toString() == QLatin1String("modern") ? bp::nn::BlockKind::modern
                                                                                       : bp::nn::BlockKind::gpt2;
    c.train.steps = m_stepsSpin->value();
    c.train.batch_size = 16;
    c.train.context = kGptContext;
    c.train.lr = 3e-3;
    c.train.warmup_steps = std::min(50, std::max(1, c.train.steps / 10));
    c.train.eval_every = std::clamp(c.train.steps / 12, 5, 200);
    c.train.eval_batches = 8;
    c.train.seed = static_cast<uint64_t>(m_runs.size() + 1);
    c.train.threads = 1;
    return c;
}

void AttentionPage::startGptTraining() {
    if (m_gpt->state() == GptController::State::Paused) {
        m_gpt->resume();
        return;
    }
    if (!m_gpt->hasCorpus()) {
        m_gptStatus->setText(m_gpt->corpusError().isEmpty() ? tr("The text is still loading.") : m_gpt->corpusError());
        return;
    }
    const GptRunConfig cfg = gptConfigFromWidgets();
    try {
        cfg.train.validate();
    } catch (const std::exception& e) {
        m_gptStatus->setText(QString::fromUtf8(e.what()));
        return;
    }
    GptRun run;
    run.block = cfg.model.block == bp::nn::BlockKind::modern ? QStringLiteral("modern") : QStringLiteral("gpt2");
    int same = 1;
    for (const GptRun& r : m_runs) same += r.block == run.block;
    run.label = tr("%1 #%2").arg(run.block).arg(same);
    run.unigram = m_unigram;
    run.corpus = m_gpt->corpus().corpus;
    if (m_gpt->start(cfg) == 0) return;
    m_runs.push_back(run);
    m_activeRun = static_cast<int>(m_runs.size()) - 1;
    m_gptViews->setCurrentIndex(0);
    m_lossPlot->clearData();
    m_lossPlot->setTitle(tr("This run: %1").arg(run.label));
    m_lossPlot->setMinimumXRange(cfg.train.steps);
    m_lossPlot->appendPoints(m_unigramSeries, {0.0, static_cast<double>(cfg.train.steps)}, {m_unigram, m_unigram});
    m_gptProgress->setMaximum(cfg.train.steps);
    m_gptProgress->setValue(0);
    m_gptStatus->setText(tr("Starting %1…").arg(run.label));
    rebuildComparison();
}

void AttentionPage::pauseGptTraining() {
    if (m_gpt->state() == GptController::State::Training) m_gpt->pause();
    else if (m_gpt->state() == GptController::State::Paused) m_gpt->resume();
}

void AttentionPage::stopGptTraining() { m_gpt->stop(); }

void AttentionPage::onGptState() {
    using S = GptController::State;
    const S s = m_gpt->state();
    const bool training = s == S::Training || s == S::Paused || s == S::Stopping;
    m_startGpt->setEnabled((s == S::Idle) || s == S::Paused);
    m_startGpt->setText(s == S::Paused ? tr("Resume") : tr("Start"));
    m_pauseGpt->setEnabled(s == S::Training || s == S::Paused);
    m_pauseGpt->setText(s == S::Paused ? tr("Resume") : tr("Pause"));
    m_stopGpt->setEnabled(training && s != S::Stopping);
    m_blockCombo->setEnabled(!training);
    m_stepsSpin->setEnabled(!training);
    m_openCorpus->setEnabled(s == S::Idle || s == S::NoCorpus);
    m_generate->setEnabled((s == S::Idle && m_runCombo->count() > 0) || s == S::Generating);
    m_generate->setText(s == S::Generating ? tr("Stop") : tr("Generate"));
    if (s == S::Paused) m_gptStatus->setText(m_gptStatus->text() + tr(" — paused"));
}

void AttentionPage::onCorpusLoaded(const CorpusInfo& info) {
    m_unigram = info.unigramLoss;
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
                              .arg(m_unigram, 0, 'f', 2);
    m_corpusInfo->setText(m_corpusDescription);
    rebuildComparison();  // the comparison holds the runs on this text
    m_corpusInfo->setToolTip(fullSource + QStringLiteral("\n\n") + tr("The unigram baseline: a model that only knows how often each character occurs scores "
                                "%1 nats per character on the validation text. A transformer that learns anything about "
                                "order goes well below it.").arg(m_unigram, 0, 'f', 3));
}

void AttentionPage::onCorpusFailed(const QString& message) {
    QString text = message;
    if (m_gpt->hasCorpus()) text += tr("\n\nStill using: %1").arg(m_corpusDescription);
    else if (!text.contains(QLatin1String("apt-get")))
        text += tr("\nThe default text is Debian's fortunes: sudo apt-get install fortunes (or scripts/setup.sh).");
    m_corpusInfo->setText(text);
}

QString AttentionPage::corpusText() const { return m_corpusInfo->text(); }

void AttentionPage::onSteps(const QVector<bp::train::TextStepEvent>& steps) {
    if (steps.isEmpty() || m_activeRun < 0) return;
    GptRun& run = m_runs[m_activeRun];
    QVector<double> xs, ys;
    xs.reserve(steps.size());
    ys.reserve(steps.size());
    for (const bp::train::TextStepEvent& e : steps) {
        xs << e.step;
        ys << e.loss;
    }
    run.steps += xs;
    run.losses += ys;
    m_lossPlot->appendPoints(m_trainSeries, xs, ys);
    const bp::train::TextStepEvent& e = steps.back();
    m_gptProgress->setValue(e.step);
    const QString valText = run.valLosses.isEmpty() ? QString() : tr(", validation %1").arg(run.valLosses.back(), 0, 'f', 3);
    m_gptStatus->setText(tr("%1 — step %2 of %3: loss %4%5\n%6 tokens/s, about %7 s left")
                             .arg(run.label).arg(e.step).arg(e.steps).arg(e.loss, 0, 'f', 3).arg(valText)
                             .arg(QLocale().toString(e.tokens_per_second, 'f', 0)).arg(e.eta_seconds, 0, 'f', 0));
}

void AttentionPage::onEvals(const QVector<bp::train::TextEvalEvent>& evals) {
    if (evals.isEmpty() || m_activeRun < 0) return;
    GptRun& run = m_runs[m_activeRun];
    QVector<double> xs, ys;
    for (const bp::train::TextEvalEvent& e : evals) {
        xs << e.step;
        ys << e.val_loss;
        run.unigram = e.unigram_loss;
    }
    run.evalSteps += xs;
    run.valLosses += ys;
    m_lossPlot->appendPoints(m_valSeries, xs, ys);
    rebuildComparison();
}

void AttentionPage::onGptFinished(const bp::train::TextFinishedEvent& e, std::shared_ptr<bp::models::GptMini> model) {
    if (m_activeRun < 0) return;
    const int index = m_activeRun;
    GptRun& run = m_runs[index];
    run.model = std::move(model);
    m_activeRun = -1;
    m_gptStatus->setText(tr("%1 %2 after %3 steps%4.")
                             .arg(run.label, e.cancelled ? tr("stopped") : tr("finished"))
                             .arg(run.steps.isEmpty() ? 0 : static_cast<int>(run.steps.back()))
                             .arg(run.valLosses.isEmpty() ? QString()
                                                          : tr(": validation loss %1 (unigram %2)")
                                                                .arg(run.valLosses.back(), 0, 'f', 3).arg(run.unigram, 0, 'f', 3)));
    refreshRunCombo();
    m_runCombo->setCurrentIndex(m_runCombo->count() - 1);
    rebuildComparison();
    onGptState();
    emit gptRunFinished(index);
}

void AttentionPage::refreshRunCombo() {
    const QSignalBlocker block(m_runCombo);
    m_runCombo->clear();
    for (int i = 0; i < m_runs.size(); ++i)
        if (m_runs[i].model)
            m_runCombo->addItem(m_runs[i].valLosses.isEmpty() ? m_runs[i].label
                                                              : tr("%1 — val %2").arg(m_runs[i].label).arg(m_runs[i].valLosses.back(), 0, 'f', 2),
                                i);
}

void AttentionPage::rebuildComparison() {
    m_comparePlot->removeAllSeries();
    double maxStep = 0;
    for (int i = 0; i < m_runs.size(); ++i) {
        const GptRun& r = m_runs[i];
        if (r.evalSteps.isEmpty() || r.corpus != m_gpt->corpus().corpus) continue;  // losses compare on the same text only
        const int s = m_comparePlot->addSeries(r.label, i % 7, false, true,
                                               r.block == QLatin1String("modern") ? Qt::SolidLine : Qt::DashDotLine);
        m_comparePlot->appendPoints(s, r.evalSteps, r.valLosses);
        maxStep = std::max(maxStep, r.evalSteps.back());
    }
    if (maxStep > 0 && m_unigram > 0) {
        const int s = m_comparePlot->addSeries(tr("unigram baseline"), 7, false, false, Qt::DashLine);
        m_comparePlot->appendPoints(s, {0.0, maxStep}, {m_unigram, m_unigram});
    }
}

bool AttentionPage::generate() {
    auto fail = [this](const QString& m) {
        m_gptMessage->setText(m);
        return false;
    };
    if (!m_gpt->hasCorpus()) return fail(m_gpt->corpusError().isEmpty() ? tr("The text is still loading.") : m_gpt->corpusError());
    if (m_gpt->state() != GptController::State::Idle) return fail(tr("Wait for training to finish (or stop it) first."));
    const int runIndex = m_runCombo->currentData().isValid() ? m_runCombo->currentData().toInt() : -1;
    if (runIndex < 0 || runIndex >= m_runs.size() || !m_runs[runIndex].model) return fail(tr("Train a model first (Start, above)."));
    const QString prompt = m_prompt->text();
    if (prompt.isEmpty()) return fail(tr("Type a prompt first: the model continues it (for example “The ”)."));
    std::string unknown;
    std::vector<int32_t> ids;
    try {
        ids = m_runs[runIndex].corpus->tokenizer.encode_lossy(prompt.toStdString(), &unknown);
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
    if (static_cast<int>(ids.size()) > kGptContext) ids.erase(ids.begin(), ids.end() - kGptContext);
    bp::models::SampleOptions o;
    o.max_new_tokens = m_length->value();
    o.temperature = m_temperature->value();
    o.top_k = m_topK->value();
    m_generation.reset();
    m_tokenView->clear();
    m_gptViews->setCurrentIndex(1);
    m_streamed = QString::fromStdString(m_runs[runIndex].corpus->tokenizer.decode(ids));
    m_output->setPlainText(m_streamed);
    if (m_gpt->generate(m_runs[runIndex].model, m_runs[runIndex].corpus, ids, o,
                        static_cast<quint64>(QDateTime::currentMSecsSinceEpoch())) == 0)
        return fail(tr("The model is busy."));
    m_gptMessage->setText(note);
    saveSettings();
    return true;
}

QString AttentionPage::gptMessage() const { return m_gptMessage->text(); }
QString AttentionPage::generatedText() const { return m_streamed; }

void AttentionPage::onGenerationFinished(std::shared_ptr<const GenerationResult> result) {
    m_generation = std::move(result);
    m_streamed = m_generation->text;
    m_output->setPlainText(m_streamed);
    const QSignalBlocker b1(m_layerCombo), b2(m_headCombo);
    const int layer = std::max(0, m_layerCombo->currentIndex()), head = std::max(0, m_headCombo->currentIndex());
    m_layerCombo->clear();
    m_headCombo->clear();
    for (int l = 0; l < m_generation->attention.layers; ++l) m_layerCombo->addItem(tr("layer %1").arg(l + 1));
    for (int h = 0; h < m_generation->attention.heads; ++h) m_headCombo->addItem(tr("head %1").arg(h + 1));
    m_layerCombo->setCurrentIndex(std::min(layer, m_layerCombo->count() - 1));
    m_headCombo->setCurrentIndex(std::min(head, m_headCombo->count() - 1));
    refreshTokenHead();
    emit generationDone();
}

void AttentionPage::showTokenHead(int layer, int head) {
    m_layerCombo->setCurrentIndex(layer);
    m_headCombo->setCurrentIndex(head);
    refreshTokenHead();
}

void AttentionPage::refreshTokenHead() {
    if (!m_generation) return;
    const attentiontools::TokenAttention& a = m_generation->attention;
    const int l = m_layerCombo->currentIndex(), h = m_headCombo->currentIndex();
    if (l < 0 || h < 0 || l >= a.layers || h >= a.heads) return;
    QString error;
    if (!m_tokenView->setAttention(a.tokens, toQVector(a.head(l, h)), m_generation->tokens, &error))
        m_gptMessage->setText(error);
    // Say which characters the map covers: the model's context holds the last 64, the view may show fewer.
    QString caption = kTokenCaption();
    const int total = static_cast<int>(m_generation->ids.size()), shown = m_tokenView->shownCount();
    if (total > shown)
        caption = (shown < a.tokens ? tr("The last %1 of %2 characters (the model attends over its last %3). ").arg(shown).arg(total).arg(a.tokens)
                                    : tr("The last %1 of %2 characters (the model's context). ").arg(shown).arg(total)) + caption;
    m_tokenView->setCaption(caption);
    m_tokenView->setHoveredToken(a.tokens - 1);  // start with the last character: what did it look at?
}

// ================================================================================================ both

void AttentionPage::saveSettings() {
    if (!m_context.settings || m_restoring) return;  // while the constructor restores them, widgets hold half the values
    AttentionSettings s;
    s.tab = m_tabs->currentIndex() == 1 ? QStringLiteral("gpt") : QStringLiteral("vit");
    s.testImage = m_testIndex;
    s.block = m_blockCombo->currentData().toString();
    s.steps = m_stepsSpin->value();
    s.prompt = m_prompt->text();
    s.temperature = m_temperature->value();
    s.topK = m_topK->value();
    s.length = m_length->value();
    m_context.settings->setAttentionSettings(s);
}

void AttentionPage::applyAppearance(const Appearance& a) {
    m_appearance = a;
    const PlotStyle style = PlotStyle::make(a.dark, a.presentation);
    const double fs = theme::fontScale(a);
    m_vitBars->setDark(a.dark);
    for (auto& row : m_headViews)
        for (PatchAttentionView* v : row) {
            v->setDark(a.dark);
            v->setFontScale(fs);
        }
    if (m_rolloutView) {
        m_rolloutView->setDark(a.dark);
        m_rolloutView->setFontScale(fs);
    }
    m_lossPlot->setPlotStyle(style);
    m_comparePlot->setPlotStyle(style);
    m_tokenView->setDark(a.dark);
    m_tokenView->setFontScale(fs);
    const int leftWidth = a.presentation ? 400 : 340;
    m_vitLeft->setFixedWidth(leftWidth);
    m_gptLeft->setFixedWidth(leftWidth + 10);
    // On a projector the characters must stay readable: fewer of them, larger cells.
    m_tokenView->setMaxTokens(a.presentation ? 40 : 64);
    refreshTokenHead();
    rebuildVitGrid();
    runVit();
}
