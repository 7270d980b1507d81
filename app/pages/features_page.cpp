// features_page.cpp — see features_page.h.
#include "pages/features_page.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "bp/data/dataset.h"
#include "bp/data/preprocess.h"
#include "bp/nn/layers.h"
#include "controllers/top_activation_controller.h"
#include "map_image_view.h"
#include "panels/channel_detail_panel.h"
#include "panels/channel_grid_panel.h"
#include "panels/scroll_column.h"
#include "tools/inspect_tools.h"
#include "tools/model_library.h"
#include "tools/model_tools.h"

namespace {

QVector<float> plane(const bp::Tensor& t, int64_t channel, int64_t size) {
    const std::vector<float> v = t.to_float_vector();
    return QVector<float>(v.begin() + channel * size, v.begin() + (channel + 1) * size);
}

}  // namespace

FeaturesPage::FeaturesPage(const AppContext& context, QWidget* parent)
    : QWidget(parent), m_context(context), m_library(context.models), m_topRun(new TopActivationController(this)) {
    auto* layout = new QHBoxLayout(this);
    layout->setSpacing(12);

    // Left: the model, the input and the flow of stages.
    auto* left = new QVBoxLayout;
    auto* modelBox = new QGroupBox(tr("Model"));
    auto* mv = new QVBoxLayout(modelBox);
    m_modelCombo = new QComboBox;
    m_modelCombo->setObjectName(QStringLiteral("features.model"));
    m_modelCombo->setToolTip(tr("The shipped models, and those trained or opened since the app started."));
    mv->addWidget(m_modelCombo);
    left->addWidget(modelBox);

    auto* inputBox = new QGroupBox(tr("Input"));
    auto* iv = new QVBoxLayout(inputBox);
    m_fromDrawing = new QRadioButton(tr("The drawing on the Draw page"));
    m_fromDrawing->setObjectName(QStringLiteral("features.fromDrawing"));
    m_fromTest = new QRadioButton(tr("MNIST test image"));
    m_fromTest->setObjectName(QStringLiteral("features.fromTest"));
    m_fromTest->setChecked(true);
    auto* group = new QButtonGroup(this);
    group->addButton(m_fromDrawing);
    group->addButton(m_fromTest);
    m_testIndex = new QSpinBox;
    m_testIndex->setObjectName(QStringLiteral("features.testIndex"));
    m_testIndex->setRange(0, 9999);
    auto* testRow = new QHBoxLayout;
    testRow->addWidget(m_fromTest);
    testRow->addWidget(m_testIndex);
    m_inputView = new MapImageView;
    m_inputView->setObjectName(QStringLiteral("features.input"));
    m_inputView->setMinimumPixelSize(6);
    m_inputView->setToolTip(tr("What the network reads. A red box: the pixels the clicked value depends on."));
    m_prediction = new QLabel;
    m_prediction->setObjectName(QStringLiteral("features.prediction"));
    iv->addWidget(m_fromDrawing);
    iv->addLayout(testRow);
    iv->addWidget(m_inputView, 1);
    iv->addWidget(m_prediction);
    left->addWidget(inputBox, 1);

    auto* flowBox = new QGroupBox(tr("Layer by layer"));
    auto* fv = new QVBoxLayout(flowBox);
    m_flow = new QListWidget;
    m_flow->setObjectName(QStringLiteral("features.flow"));
    m_flow->setToolTip(tr("The input flows down through every layer; each line is one layer's output and its shape."));
    fv->addWidget(m_flow);
    left->addWidget(flowBox, 1);
    m_message = new QLabel;
    m_message->setObjectName(QStringLiteral("features.message"));
    m_message->setWordWrap(true);
    left->addWidget(m_message);
    m_column = scrollColumn(left);
    m_column->setFixedWidth(320);
    layout->addWidget(m_column);

    // Centre: the layer's channels. Right: one channel up close.
    m_grid = new ChannelGridPanel;
    layout->addWidget(m_grid, 3);
    m_detail = new ChannelDetailPanel;
    auto* detailScroll = new QScrollArea;  // the arithmetic grows with the layer's channels: never clipped
    detailScroll->setWidgetResizable(true);
    detailScroll->setFrameShape(QFrame::NoFrame);
    detailScroll->setWidget(m_detail);
    layout->addWidget(detailScroll, 2);

    if (m_library) {
        m_library->loadShippedModels();
        connect(m_library, &ModelLibrary::modelsChanged, this, &FeaturesPage::refreshModels);
    }
    connect(m_modelCombo, &QComboBox::currentIndexChanged, this, &FeaturesPage::onModelChosen);
    connect(m_fromDrawing, &QRadioButton::toggled, this, [this](bool on) {
        if (on) useDrawing();
    });
    connect(m_fromTest, &QRadioButton::toggled, this, [this](bool on) {
        if (on) useTestImage(m_testIndex->value());
    });
    connect(m_testIndex, &QSpinBox::valueChanged, this, [this](int i) {
        if (m_fromTest->isChecked()) useTestImage(i);
    });
    connect(m_flow, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 1 && row - 1 != m_stage) selectStage(row - 1);
    });
    connect(m_grid, &ChannelGridPanel::channelClicked, this, &FeaturesPage::selectChannel);
    connect(m_detail, &ChannelDetailPanel::pixelClicked, this, &FeaturesPage::clickPixel);
    connect(m_detail, &ChannelDetailPanel::topRequested, this, &FeaturesPage::startTop);
    connect(m_detail, &ChannelDetailPanel::topStopRequested, m_topRun, &TopActivationController::stop);
    connect(m_topRun, &TopActivationController::progress, this,
            [this](qint64 done, qint64 total) { m_detail->setTopRunning(true, done, total); });
    connect(m_topRun, &TopActivationController::failed, this, [this](const QString& m) {
        m_detail->setTopRunning(false);
        m_detail->clearTopImages(tr("Could not rank the test images: %1").arg(m));
    });
    connect(m_topRun, &TopActivationController::finished, this, [this](const QVector<bp::models::ChannelScore>& top, bool stopped) {
        m_detail->setTopRunning(false);
        QVector<QVector<float>> images;
        QStringList captions, tips;
        for (const bp::models::ChannelScore& s : top) {
            const uint8_t* p = m_testSet->pixels.data() + s.index * 784;
            QVector<float> img(784);
            for (int i = 0; i < 784; ++i) img[i] = p[i] / 255.0f;
            images << img;
            captions << tr("a %1: %2").arg(m_testSet->labels[static_cast<size_t>(s.index)]).arg(s.score, 0, 'f', 2);
            tips << tr("Test image %1, labelled %2; the channel reaches %3 on it.")
                        .arg(s.index).arg(m_testSet->labels[static_cast<size_t>(s.index)]).arg(s.score, 0, 'f', 3);
        }
        m_detail->setTopImages(images, captions, tips);
        if (stopped) m_detail->clearTopImages(tr("Stopped: the best among the images scored so far."));
    });
    refreshModels();
    if (m_stages.empty() && m_model) useTestImage(0);
}

FeaturesPage::~FeaturesPage() = default;

QString FeaturesPage::message() const { return m_message->text(); }
void FeaturesPage::showMessage(const QString& text) { m_message->setText(text); }

void FeaturesPage::setDrawingSource(std::function<std::vector<float>()> source) { m_drawingSource = std::move(source); }

void FeaturesPage::drawingChanged() {
    if (m_fromDrawing->isChecked()) useDrawing();
}

void FeaturesPage::refreshModels() {
    const QString current = m_modelCombo->currentText();
    {
        const QSignalBlocker block(m_modelCombo);
        m_modelCombo->clear();
        if (m_library)
            for (const ModelLibrary::Entry& e : m_library->entries())
                if (dynamic_cast<const bp::nn::Sequential*>(e.model->net.get()))  // a ViT is not a stack of layers
                    m_modelCombo->addItem(e.name);
    }
    int index = m_modelCombo->findText(current);
    if (index < 0)
        for (int i = 0; i < m_modelCombo->count(); ++i)
            if (m_modelCombo->itemText(i).contains(QStringLiteral("CNN"), Qt::CaseInsensitive)) index = i;
    if (index < 0) index = m_modelCombo->count() - 1;
    m_modelCombo->setCurrentIndex(-1);
    m_modelCombo->setCurrentIndex(index);
    if (m_modelCombo->count() == 0) showMessage(tr("No model yet: train one on the Train page (or open one there)."));
}

bool FeaturesPage::selectModel(const QString& name) {
    const int i = m_modelCombo->findText(name);
    if (i < 0) return false;
    m_modelCombo->setCurrentIndex(i);
    return true;
}

void FeaturesPage::onModelChosen(int index) {
    m_model.reset();
    if (m_library && index >= 0) {
        const int at = m_library->indexOf(m_modelCombo->itemText(index));
        if (at >= 0) m_model = modeltools::cloneModel(*m_library->entries()[at].model);  // ours: eval() flips its layers
    }
    m_stage = -1;
    recompute();
}

bool FeaturesPage::ensureTestSet() {
    if (m_testSet) return true;
    try {
        const std::string dir = bp::data::resolve_data_dir(m_context.dataDirOverride.toStdString());
        m_testSet = std::make_shared<bp::data::ImageDataset>(bp::data::load_image_dataset(dir, "mnist", "test"));
    } catch (const std::exception& e) {
        showMessage(tr("The MNIST test images are missing (%1); draw on the Draw page instead.").arg(QString::fromUtf8(e.what())));
        return false;
    }
    return true;
}

bool FeaturesPage::useTestImage(int index) {
    if (!ensureTestSet()) return false;
    if (index < 0 || index >= m_testSet->count) {
        showMessage(tr("There is no test image %1.").arg(index));
        return false;
    }
    if (!m_fromTest->isChecked()) {
        const QSignalBlocker b(m_fromTest);
        m_fromTest->setChecked(true);
    }
    if (m_testIndex->value() != index) {
        const QSignalBlocker b(m_testIndex);
        m_testIndex->setValue(index);
    }
    const int64_t i = index;
    std::vector<float> normalized(784);
    bp::data::normalize_images(*m_testSet, &i, 1, normalized.data());
    m_pixels.assign(784, 0.0f);
    for (int p = 0; p < 784; ++p) m_pixels[static_cast<size_t>(p)] = m_testSet->pixels[static_cast<size_t>(index * 784 + p)] / 255.0f;
    m_x = bp::Tensor::from_vector({1, 1, 28, 28}, std::vector<double>(normalized.begin(), normalized.end()));
    showMessage(tr("Test image %1, labelled %2.").arg(index).arg(m_testSet->labels[static_cast<size_t>(index)]));
    recompute();
    return true;
}

bool FeaturesPage::useDrawing() {
    const std::vector<float> px = m_drawingSource ? m_drawingSource() : std::vector<float>();
    if (!m_fromDrawing->isChecked()) {
        const QSignalBlocker b(m_fromDrawing);
        m_fromDrawing->setChecked(true);
    }
    if (px.size() != 784 || *std::max_element(px.begin(), px.end()) <= 0.0f) {
        showMessage(tr("Nothing drawn yet: draw a digit on the Draw page, then come back (it updates as you draw)."));
        return false;
    }
    m_pixels = px;
    const std::vector<float> normalized = bp::data::normalize_mnist(px);
    m_x = bp::Tensor::from_vector({1, 1, 28, 28}, std::vector<double>(normalized.begin(), normalized.end()));
    showMessage(tr("The drawing, as the Draw page's model reads it (scaled and centred)."));
    recompute();
    return true;
}

void FeaturesPage::recompute() {
    m_stages.clear();
    m_flow->clear();
    m_inputView->setMap(28, 28, QVector<float>(m_pixels.begin(), m_pixels.end()));
    m_inputView->setHighlight({});
    if (!m_model || !m_x.defined()) {
        m_grid->setMaps(QString(), 0, 0, 0, {});
        return;
    }
    try {
        m_stages = bp::models::forward_stages(*m_model, m_x);
    } catch (const std::exception& e) {
        showMessage(QString::fromUtf8(e.what()));
        return;
    }
    m_flow->addItem(tr("input · %1").arg(inspecttools::shapeText(m_model->input_shape)));
    for (const bp::models::Stage& s : m_stages) m_flow->addItem(inspecttools::stageLabel(s));
    m_flow->item(m_flow->count() - 1)->setText(m_flow->item(m_flow->count() - 1)->text() + tr("  → the 10 digits' scores"));
    // The prediction, from the last stage (the logits).
    const std::vector<float> logits = m_stages.back().output.to_float_vector();
    const auto top = std::max_element(logits.begin(), logits.end()) - logits.begin();
    double z = 0;
    for (float l : logits) z += std::exp(double(l) - logits[static_cast<size_t>(top)]);
    m_prediction->setText(tr("The network says: <b>%1</b> (%2 %)").arg(top).arg(100.0 / z, 0, 'f', 1));
    if (m_stage < 0 || m_stage >= static_cast<int>(m_stages.size())) {
        m_stage = 0;  // the first convolution, if there is one
        for (size_t i = 0; i < m_stages.size(); ++i)
            if (m_stages[i].type == "Conv2d") {
                m_stage = static_cast<int>(i);
                break;
            }
        m_channel = 0;
    }
    {
        const QSignalBlocker b(m_flow);
        m_flow->setCurrentRow(m_stage + 1);
    }
    showStage();
    emit computed();
}

void FeaturesPage::selectStage(int stage) {
    if (stage < 0 || stage >= static_cast<int>(m_stages.size())) return;
    m_stage = stage;
    m_channel = 0;
    {
        const QSignalBlocker b(m_flow);
        m_flow->setCurrentRow(stage + 1);
    }
    showStage();
}

void FeaturesPage::showStage() {
    const bp::models::Stage& s = m_stages[static_cast<size_t>(m_stage)];
    const QString name = QString::fromStdString(s.name);
    if (s.spatial()) {
        const int C = static_cast<int>(s.shape[0]), H = static_cast<int>(s.shape[1]), W = static_cast<int>(s.shape[2]);
        m_grid->setMaps(tr("<b>%1</b> (%2): %3 channels of %4 × %5 — one colour scale for the layer; click a channel.")
                            .arg(name, QString::fromStdString(s.type)).arg(C).arg(H).arg(W),
                        C, H, W, plane(s.output, 0, C * H * W));
    } else {
        const std::vector<float> v = s.output.to_float_vector();
        const int n = static_cast<int>(v.size()), cols = std::min(n, 16), rows = (n + cols - 1) / cols;
        QVector<float> padded(v.begin(), v.end());
        padded.resize(rows * cols, *std::min_element(v.begin(), v.end()));
        m_grid->setMaps(tr("<b>%1</b> (%2): %3 values, %4 per row — no longer a picture: each value mixes the whole image.")
                            .arg(name, QString::fromStdString(s.type)).arg(n).arg(cols),
                        1, rows, cols, padded);
    }
    showChannel();
}

void FeaturesPage::selectChannel(int channel) {
    if (m_stage < 0) return;
    const bp::models::Stage& s = m_stages[static_cast<size_t>(m_stage)];
    if (!s.spatial() || channel < 0 || channel >= s.shape[0]) return;
    m_channel = channel;
    showChannel();
}

void FeaturesPage::showChannel() {
    const bp::models::Stage& s = m_stages[static_cast<size_t>(m_stage)];
    m_grid->setSelectedChannel(m_channel);
    m_inputView->setHighlight({});
    m_detail->clearTopImages();
    if (!s.spatial()) {
        m_detail->setChannelMap(QString(), 0, 0, {});
        m_detail->setKernels(0, 0, {});
        m_detail->setArithmetic(tr("A flat layer: pick a convolution, ReLU or pool layer above it to look at channels."));
        m_detail->topButton()->setEnabled(false);
        return;
    }
    const int H = static_cast<int>(s.shape[1]), W = static_cast<int>(s.shape[2]);
    m_detail->setChannelMap(tr("%1, channel %2 (%3 × %4)").arg(QString::fromStdString(s.name)).arg(m_channel + 1).arg(H).arg(W), H, W,
                            plane(s.output, m_channel, H * W));
    const auto& layers = dynamic_cast<const bp::nn::Sequential&>(*m_model->net).layers();
    if (const auto* conv = dynamic_cast<const bp::nn::Conv2d*>(layers[static_cast<size_t>(m_stage)].get())) {
        const int in = static_cast<int>(conv->options().in_channels), k = static_cast<int>(conv->options().kernel_size);
        const std::vector<float> w = conv->weight.to_float_vector();
        m_detail->setKernels(in, k, QVector<float>(w.begin() + m_channel * in * k * k, w.begin() + (m_channel + 1) * in * k * k));
        m_detail->setArithmetic(tr("Click a pixel of the map to see how that one value is computed."));
    } else {
        m_detail->setKernels(0, 0, {});
        m_detail->setArithmetic(tr("Click a pixel of the map to see which input pixels it depends on."));
    }
    m_detail->topButton()->setEnabled(!m_topRun->isRunning());
}

void FeaturesPage::clickPixel(int row, int col) {
    if (m_stage < 0) return;
    const bp::models::Stage& s = m_stages[static_cast<size_t>(m_stage)];
    if (!s.spatial() || row < 0 || row >= s.shape[1] || col < 0 || col >= s.shape[2]) return;
    m_detail->channelView()->setMarkedPixel(row, col);
    const auto box = bp::models::receptive_field(*m_model, static_cast<size_t>(m_stage), row, col);
    m_inputView->setHighlight(box ? QRect(QPoint(static_cast<int>(box->left), static_cast<int>(box->top)),
                                          QPoint(static_cast<int>(box->right), static_cast<int>(box->bottom)))
                                  : QRect());
    const QString where = box ? tr("It depends on input rows %1–%2, columns %3–%4 (the red box on the input).")
                                    .arg(box->top).arg(box->bottom).arg(box->left).arg(box->right)
                              : tr("Past a residual block its field is not outlined here.");
    if (s.type == "Conv2d") {
        const bp::models::ConvArithmetic a =
            bp::models::conv_arithmetic(*m_model, m_x, m_stages, static_cast<size_t>(m_stage), m_channel, row, col);
        m_detail->setArithmetic(inspecttools::arithmeticHtml(a, QString::fromStdString(s.name)) + where);
    } else {
        const float v = plane(s.output, m_channel, s.shape[1] * s.shape[2])[row * static_cast<int>(s.shape[2]) + col];
        m_detail->setArithmetic(tr("<b>%1</b> (%2), channel %3 at (row %4, column %5) = <b>%6</b>.<br>%7")
                                    .arg(QString::fromStdString(s.name), QString::fromStdString(s.type)).arg(m_channel + 1)
                                    .arg(row).arg(col).arg(v, 0, 'f', 4).arg(where));
    }
}

void FeaturesPage::startTop() {
    if (m_stage < 0 || !m_model || !ensureTestSet()) return;
    m_detail->clearTopImages();
    if (m_topRun->start(*m_model, m_testSet, m_stage, m_channel)) m_detail->setTopRunning(true, 0, m_testSet->count);
}

void FeaturesPage::applyAppearance(const Appearance& a) {
    m_column->setFixedWidth(a.presentation ? 440 : 320);  // the larger text must not clip
    m_inputView->setDark(a.dark);
    m_grid->setDark(a.dark);
    m_detail->setDark(a.dark);
}
