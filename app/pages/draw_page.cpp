// draw_page.cpp — layout of the Draw page and the picture → preprocess → model → bars/saliency path.
#include "pages/draw_page.h"

#include "core/facts.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cstring>

#include "bp/data/dataset.h"
#include "bp/data/preprocess.h"
#include "bp/io/image.h"
#include "bp/train/trainer.h"
#include "panels/clip_draw_panel.h"
#include "tools/model_library.h"
#include "tools/model_tools.h"
#include "probability_bars.h"
#include "core/theme.h"

namespace {

QImage inputImage(const std::vector<float>& px, int zoom) {
    QImage img(28, 28, QImage::Format_Grayscale8);
    for (int y = 0; y < 28; ++y)
        for (int x = 0; x < 28; ++x)
            img.scanLine(y)[x] = static_cast<uchar>(std::clamp(px[static_cast<size_t>(y * 28 + x)], 0.0f, 1.0f) * 255.0f + 0.5f);
    return img.scaled(28 * zoom, 28 * zoom, Qt::IgnoreAspectRatio, Qt::FastTransformation);
}

/// Saliency as a translucent heat overlay: transparent below 30 % of the strongest pixel (an MLP's gradient
/// touches every pixel a little; that haze would hide the drawing), red to yellow above, never opaque.
QImage saliencyOverlay(const std::vector<float>& s) {
    const float maxV = std::max(1e-12f, *std::max_element(s.begin(), s.end()));
    QImage img(28, 28, QImage::Format_ARGB32);
    for (int y = 0; y < 28; ++y)
        for (int x = 0; x < 28; ++x) {
            const float t = std::clamp((s[static_cast<size_t>(y * 28 + x)] / maxV - 0.3f) / 0.7f, 0.0f, 1.0f);
            img.setPixel(x, y, qRgba(255, static_cast<int>(40 + 215 * t), 0, static_cast<int>(190 * std::pow(t, 0.7f))));
        }
    return img;
}

}  // namespace

DrawPage::DrawPage(const AppContext& context, QWidget* parent)
    : QWidget(parent), m_context(context), m_library(context.models), m_input(784, 0.0f) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->setSpacing(16);

    // Left: the pad and its buttons.
    auto* left = new QVBoxLayout;
    auto* title = new QLabel(tr("Draw a digit"));
    title->setObjectName(QStringLiteral("drawTitle"));
    m_pad = new DrawingPad;
    m_pad->setObjectName(QStringLiteral("draw.pad"));
    auto* buttons = new QHBoxLayout;
    m_clear = new QPushButton(tr("Clear"));
    m_clear->setObjectName(QStringLiteral("draw.clear"));
    m_clear->setToolTip(tr("Wipe the pad (Delete)."));
    m_undo = new QPushButton(tr("Undo stroke"));
    m_undo->setToolTip(tr("Remove the last stroke (Ctrl+Z)."));
    m_saliencyBox = new QCheckBox(tr("Show what the model looks at"));
    m_saliencyBox->setObjectName(QStringLiteral("draw.saliency"));
    m_saliencyBox->setChecked(true);
    m_saliencyBox->setToolTip(tr("Saliency: the gradient of the predicted digit's score with respect to each input pixel. "
                                 "Bright spots are where a change of ink would change the answer most."));
    m_openPicture = new QPushButton(tr("Open picture…"));
    m_openPicture->setObjectName(QStringLiteral("draw.openPicture"));
    m_openPicture->setToolTip(tr("Read a PNG or JPEG of one digit (any size, dark ink on light paper or the reverse) "
                                 "onto the pad, as 'backprop predict' reads it."));
    m_pictureStatus = new QLabel;
    m_pictureStatus->setObjectName(QStringLiteral("draw.pictureStatus"));
    m_pictureStatus->setWordWrap(true);
    m_pictureStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    buttons->addWidget(m_clear);
    buttons->addWidget(m_undo);
    buttons->addWidget(m_openPicture);
    buttons->addStretch(1);
    buttons->addWidget(m_saliencyBox);
    left->addWidget(title);
    left->addWidget(m_pad, 1);
    left->addLayout(buttons);
    left->addWidget(m_pictureStatus);
    layout->addLayout(left, 3);

    // Right: model chooser, the model's input, the answer.
    auto* right = new QVBoxLayout;
    right->setSpacing(10);
    auto* modelBox = new QGroupBox(tr("Model"));
    auto* mv = new QVBoxLayout(modelBox);
    m_modelCombo = new QComboBox;
    m_modelCombo->setObjectName(QStringLiteral("draw.model"));
    m_modelCombo->setToolTip(tr("Models shipped with the app, trained on the Train page in this session, or opened."));
    m_hint = new QLabel;
    m_hint->setWordWrap(true);
    mv->addWidget(m_modelCombo);
    mv->addWidget(m_hint);
    right->addWidget(modelBox);

    // What the model sees beside what it answers, in one box: the 28×28 input on the left, the prediction and
    // the ten bars on the right (stacked, the two boxes and the CLIP captions did not fit a 900- or, in
    // presentation mode, a 1080-pixel-high screen with readable bars).
    auto* answerBox = new QGroupBox(tr("What the model sees, and its answer"));
    auto* av = new QHBoxLayout(answerBox);
    auto* sees = new QWidget;
    sees->setObjectName(QStringLiteral("draw.input"));
    auto* sv = new QVBoxLayout(sees);
    sv->setContentsMargins(0, 0, 0, 0);
    m_inputView = new QLabel;
    m_inputView->setObjectName(QStringLiteral("modelInput"));
    m_inputView->setFixedSize(28 * m_inputZoom, 28 * m_inputZoom);
    m_inputView->setPixmap(QPixmap::fromImage(inputImage(m_input, m_inputZoom)));
    const QString seesTip = tr("Your drawing as the 28×28 picture the model reads: like MNIST, the ink's box is scaled "
                               "to 20 pixels and centred by its centre of mass.");
    m_inputView->setToolTip(seesTip);
    m_seesText = new QLabel(tr("28 × 28 pixels, scaled and centred exactly like the MNIST digits the model learned from."));
    m_seesText->setWordWrap(true);
    m_seesText->setToolTip(seesTip);
    m_seesText->setFixedWidth(28 * m_inputZoom);
    sv->addWidget(m_inputView);
    sv->addWidget(m_seesText);
    sv->addStretch(1);
    av->addWidget(sees);

    auto* says = new QVBoxLayout;
    m_prediction = new QLabel;
    m_prediction->setObjectName(QStringLiteral("prediction"));
    m_prediction->setTextFormat(Qt::RichText);
    m_bars = new ProbabilityBars;
    m_bars->setObjectName(QStringLiteral("draw.bars"));
    m_latency = new QLabel;
    m_latency->setObjectName(QStringLiteral("latency"));
    m_latency->setWordWrap(true);
    says->addWidget(m_prediction);
    says->addWidget(m_bars, 1);
    says->addWidget(m_latency);
    av->addLayout(says, 1);
    right->addWidget(answerBox, 1);
    m_clip = new ClipDrawPanel(m_library);
    right->addWidget(m_clip);
    layout->addLayout(right, 2);

    connect(m_pad, &DrawingPad::imageChanged, this, &DrawPage::predictNow);
    connect(m_clear, &QPushButton::clicked, m_pad, &DrawingPad::clear);
    connect(m_undo, &QPushButton::clicked, m_pad, &DrawingPad::undo);
    connect(m_openPicture, &QPushButton::clicked, this, &DrawPage::openPictureWithDialog);
    // Ctrl+Z anywhere on the page (a button shortcut would click 100 ms later, after an animation).
    auto* undo = new QAction(tr("Undo stroke"), this);
    undo->setShortcut(QKeySequence::Undo);
    undo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(undo, &QAction::triggered, m_pad, &DrawingPad::undo);
    addAction(undo);
    connect(m_saliencyBox, &QCheckBox::toggled, this, &DrawPage::predictNow);
    connect(m_modelCombo, &QComboBox::currentIndexChanged, this, &DrawPage::onModelChosen);
    if (m_library) {
        m_library->loadShippedModels();
        connect(m_library, &ModelLibrary::modelsChanged, this, &DrawPage::refreshModels);
    }
    refreshModels();
    registerLessonHooks();
    applyAppearance(m_context.appearance);
    predictNow();
}

void DrawPage::registerLessonHooks() {
    FactRegistry* f = m_context.facts;
    if (!f) return;
    f->addAction(QStringLiteral("draw.clear"), [this] { m_pad->clear(); });
    f->addAction(QStringLiteral("draw.test_digit"), [this] {
        if (const QString error = drawTestDigit(m_lessonDigit); !error.isEmpty()) m_hint->setText(error);
    });
    f->addSetter(QStringLiteral("draw.digit"), [this](const QString& value) -> QString {
        bool ok = false;
        const int n = value.toInt(&ok);
        if (!ok || n < 0 || n > 9999) return tr("draw.digit must be a test image number from 0 to 9999, not %1").arg(value);
        m_lessonDigit = n;
        return {};
    });
    f->setSnapshot(QStringLiteral("draw"), [this] {
        QList<QPair<QString, QString>> out;
        if (m_model) out.append({QStringLiteral("draw.model"), QString::fromStdString(m_model->name)});
        out.append({QStringLiteral("draw.digit"), QString::number(m_lessonDigit)});
        return out;
    });
    f->addSetter(QStringLiteral("draw.model"), [this](const QString& value) -> QString {
        // An architecture name (mlp, cnn, …): the newest model of that kind in the chooser.
        if (m_library)
            for (int i = static_cast<int>(m_library->entries().size()) - 1; i >= 0; --i)
                if (QString::fromStdString(m_library->entries()[i].model->name) == value) {
                    m_modelCombo->setCurrentIndex(i);
                    return {};
                }
        return tr("there is no %1 model to draw with yet; train one on the Train page first").arg(value);
    });
}

QString DrawPage::drawTestDigit(int index) {
    try {
        if (!m_testSet) {
            const std::string dir = bp::data::resolve_data_dir(m_context.dataDirOverride.toStdString());
            m_testSet = std::make_unique<bp::data::ImageDataset>(bp::data::load_image_dataset(dir, "mnist", "test"));
        }
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    if (index < 0 || index >= m_testSet->count) return tr("there is no test image %1").arg(index);
    const int rows = static_cast<int>(m_testSet->rows), cols = static_cast<int>(m_testSet->cols);
    m_pad->setStrokes(strokesFromDigit(m_testSet->pixels.data() + static_cast<size_t>(index) * rows * cols, rows, cols,
                                       m_pad->canvasSize()));
    return {};
}

QString DrawPage::openPicture(const QString& path) {
    const QString name = QFileInfo(path).fileName();
    std::vector<float> input;
    bp::data::PreprocessInfo info;
    try {
        input = bp::data::mnist_preprocess(bp::io::load_gray_image(path.toStdString()), &info);
    } catch (const std::exception& e) {
        const QString error = tr("Could not open the picture %1: %2").arg(name, QString::fromUtf8(e.what()));
        m_pictureStatus->setText(error);
        return error;
    }
    if (info.empty) {
        const QString error = tr("%1 has no ink to read: it is one flat colour.").arg(name);
        m_pictureStatus->setText(error);
        return error;
    }
    std::vector<uint8_t> bytes(input.size());
    for (size_t i = 0; i < input.size(); ++i)
        bytes[i] = static_cast<uint8_t>(std::clamp(input[i], 0.0f, 1.0f) * 255.0f + 0.5f);
    m_pad->setStrokes(strokesFromDigit(bytes.data(), bp::data::mnist_side, bp::data::mnist_side, m_pad->canvasSize()));
    m_pictureStatus->setText(tr("Showing %1 as strokes on the pad.").arg(name));
    return {};
}

void DrawPage::openPictureWithDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a picture"), QString(),
                                                      tr("Pictures (*.png *.jpg *.jpeg);;All files (*)"));
    if (!path.isEmpty()) openPicture(path);
}

void DrawPage::publishPrediction(bool ink, const std::vector<float>& probs) {
    FactRegistry* f = m_context.facts;
    if (!f) return;
    f->set(QStringLiteral("draw.has_ink"), ink);
    f->set(QStringLiteral("draw.model"), m_model ? QString::fromStdString(m_model->name) : QString());
    if (m_top >= 0 && !probs.empty()) {
        f->set(QStringLiteral("draw.prediction"), static_cast<double>(m_top));
        f->set(QStringLiteral("draw.confidence"), static_cast<double>(probs[static_cast<size_t>(m_top)]));
    } else {
        f->clear(QStringLiteral("draw.prediction"));
        f->clear(QStringLiteral("draw.confidence"));
    }
}

DrawPage::~DrawPage() = default;

QVector<DrawingPad::Stroke> DrawPage::strokesFromDigit(const uint8_t* pixels, int rows, int cols, int canvasSize, int threshold) {
    QVector<DrawingPad::Stroke> strokes;
    const double s = static_cast<double>(canvasSize) / std::max(rows, cols);
    for (int y = 0; y < rows; ++y) {
        for (int x = 0; x < cols;) {
            if (pixels[y * cols + x] <= threshold) {
                ++x;
                continue;
            }
            const int x0 = x;
            while (x < cols && pixels[y * cols + x] > threshold) ++x;
            const double cy = (y + 0.5) * s;
            strokes.push_back({{QPointF((x0 + 0.5) * s, cy), QPointF((x - 0.5) * s, cy)}, s * 1.15});
        }
    }
    return strokes;
}

void DrawPage::refreshModels() {
    const QString current = m_modelCombo->currentText();
    {
        const QSignalBlocker block(m_modelCombo);
        m_modelCombo->clear();
        if (m_library)
            for (const ModelLibrary::Entry& e : m_library->entries()) m_modelCombo->addItem(e.name, e.source);
    }
    int index = m_modelCombo->findText(current);
    if (index < 0 && current.isEmpty() && m_library) {  // first fill: start with the best shipped model, the CNN
        for (int i = 0; i < m_library->entries().size(); ++i)
            if (m_library->entries()[i].source == QLatin1String("shipped") && m_library->entries()[i].model->name == "cnn")
                index = i;
    }
    if (index < 0) index = m_modelCombo->count() - 1;  // the newest: usually the one just trained
    m_modelCombo->setCurrentIndex(-1);
    m_modelCombo->setCurrentIndex(index);
    if (m_modelCombo->count() == 0) onModelChosen(-1);
}

bool DrawPage::selectModel(const QString& name) {
    const int i = m_modelCombo->findText(name);
    if (i < 0) return false;
    m_modelCombo->setCurrentIndex(i);
    return true;
}

void DrawPage::onModelChosen(int index) {
    m_model.reset();
    if (m_library && index >= 0 && index < m_library->entries().size()) {
        const ModelLibrary::Entry& e = m_library->entries()[index];
        if (e.model->input_shape == bp::Shape{1, 28, 28} && e.model->num_classes == 10) {
            m_model = modeltools::cloneModel(*e.model);
            m_hint->setText(tr("%1 · %2 parameters").arg(QString::fromStdString(e.model->name))
                                .arg(QLocale().toString(static_cast<qlonglong>(e.model->net->parameter_count()))));
        } else {
            m_hint->setText(tr("This model does not read 28×28 digits."));
        }
    } else {
        m_hint->setText(tr("No model yet: train one on the Train page, or open one with File → Open model (Ctrl+O)."));
    }
    predictNow();
}

void DrawPage::showNoPrediction(const QString& why) {
    m_top = -1;
    m_bars->setProbabilities({});
    m_prediction->setText(QStringLiteral("<span style='font-size:%1pt'>%2</span>")
                              .arg(theme::baseFont().pointSizeF() * 1.3 * theme::fontScale(m_appearance))
                              .arg(why.toHtmlEscaped()));
    m_pad->setOverlay(QImage(), {});
    m_saliency.clear();
}

void DrawPage::predictNow() {
    QElapsedTimer timer;
    timer.start();
    const QImage canvas = m_pad->image();
    bp::io::GrayImage gray;
    gray.width = canvas.width();
    gray.height = canvas.height();
    gray.pixels.resize(static_cast<size_t>(gray.width) * gray.height);
    for (int y = 0; y < gray.height; ++y) {
        const uchar* row = canvas.constScanLine(y);
        for (int x = 0; x < gray.width; ++x) gray.pixels[static_cast<size_t>(y * gray.width + x)] = row[x] / 255.0f;
    }
    bp::data::PreprocessInfo info;
    m_input = bp::data::mnist_preprocess(gray, &info);  // [28 * 28] in [0, 1]
    m_inputView->setPixmap(QPixmap::fromImage(inputImage(m_input, m_inputZoom)));
    if (m_clip) m_clip->setPicture(m_input, !info.empty);
    if (info.empty) {
        showNoPrediction(tr("Draw a digit on the pad."));
        m_latency->clear();
        publishPrediction(false, {});
        return;
    }
    if (!m_model) {
        showNoPrediction(tr("Choose a model to read the drawing."));
        publishPrediction(true, {});
        return;
    }
    const std::vector<float> normalized = bp::data::normalize_mnist(m_input);
    bp::Tensor x = bp::Tensor::empty({1, 1, 28, 28});  // [1, 1, 28, 28]
    std::memcpy(x.data<float>(), normalized.data(), normalized.size() * sizeof(float));
    const bp::Tensor p = bp::train::predict_proba(*m_model->net, x);  // [1, 10]
    const std::vector<float> probs = p.to_float_vector();
    QVector<double> bars(probs.begin(), probs.end());
    m_top = static_cast<int>(std::max_element(probs.begin(), probs.end()) - probs.begin());
    m_bars->setProbabilities(bars);

    if (m_saliencyBox->isChecked()) {
        m_saliency = modeltools::saliency(*m_model, x, m_top);  // [784]
        // The overlay's 28×28 grid, placed back onto the pad: canvas = bbox + (out - offset) / scale.
        const double s = info.scale > 0 ? info.scale : 1.0;
        const QRectF rect(info.bbox_x - info.offset_x / s, info.bbox_y - info.offset_y / s, 28.0 / s, 28.0 / s);
        m_pad->setOverlay(saliencyOverlay(m_saliency), rect);
    } else {
        m_saliency.clear();
        m_pad->setOverlay(QImage(), {});
    }
    m_latencyMs = timer.nsecsElapsed() / 1e6;

    const double pt = theme::baseFont().pointSizeF() * theme::fontScale(m_appearance);
    m_prediction->setText(tr("<span style='font-size:%1pt'>It is a</span> <span style='font-size:%2pt; font-weight:bold'>%3</span>"
                             "<span style='font-size:%1pt'> &nbsp;(%4 % sure)</span>")
                              .arg(pt * 1.3, 0, 'f', 1)
                              .arg(pt * (m_appearance.presentation ? 2.4 : 3.2), 0, 'f', 1)
                              .arg(m_top)
                              .arg(probs[static_cast<size_t>(m_top)] * 100.0, 0, 'f', 1));
    m_latency->setText(tr("preprocess + inference%1: %2 ms").arg(m_saliencyBox->isChecked() ? tr(" + saliency") : QString())
                           .arg(m_latencyMs, 0, 'f', 2));
    publishPrediction(true, probs);
    emit predicted(m_top, m_latencyMs);
}

void DrawPage::applyAppearance(const Appearance& a) {
    m_appearance = a;
    m_bars->setDark(a.dark);
    m_inputZoom = a.presentation ? 8 : 7;  // the 28×28 input is shown 196 or 224 pixels wide
    m_inputView->setFixedSize(28 * m_inputZoom, 28 * m_inputZoom);
    m_seesText->setFixedWidth(28 * m_inputZoom);
    QFont title = theme::baseFont();
    title.setPointSizeF(title.pointSizeF() * 1.3 * theme::fontScale(a));
    title.setBold(true);
    if (auto* t = findChild<QLabel*>(QStringLiteral("drawTitle"))) t->setFont(title);
    predictNow();
}
