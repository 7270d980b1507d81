// train_page.cpp — layout, enabled states and the event → widget mapping of the Train page.
#include "pages/train_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QTabWidget>
#include <QTime>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QScrollArea>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "app_settings.h"
#include "pages/device_picker.h"
#include "bp/errors.h"
#include "bp/io/model_file.h"
#include "bp/models/zoo.h"
#include "bp/train/report.h"
#include "heatmap_view.h"
#include "image_grid.h"
#include "layer_diagram.h"
#include "loss_plot.h"
#include "model_library.h"
#include "model_tools.h"
#include "series_plot.h"
#include "plot_style.h"
#include "theme.h"

namespace {

struct OptimizerChoice {
    const char* name;
    const char* tip;
};
const OptimizerChoice kOptimizers[] = {
    {"sgd", "Plain stochastic gradient descent: step against the gradient, scaled by the learning rate."},
    {"momentum", "SGD with momentum 0.9: keeps a running velocity so steps build up along consistent directions."},
    {"nesterov", "Nesterov momentum: like momentum, but looks ahead along the velocity before taking the gradient."},
    {"adam", "Adam: adapts a step size per weight from running averages of the gradient and its square."},
    {"adamw", "AdamW: Adam with weight decay applied directly to the weights instead of through the gradient."},
};

const OptimizerChoice kSchedules[] = {
    {"none", "Keep the learning rate the same for the whole run."},
    {"step", "Halve the learning rate after every epoch; the chart marks each change."},
    {"cosine", "Lower the learning rate smoothly along a cosine curve, reaching 0 at the end of the run."},
};

QString formatDuration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("–");
    const qint64 s = static_cast<qint64>(std::llround(seconds));
    if (s >= 3600) return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar('0')).arg(s % 60, 2, 10, QChar('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

QString percent(double fraction, int decimals = 2) { return QStringLiteral("%1 %").arg(fraction * 100.0, 0, 'f', decimals); }

QString secondsText(double s) {
    if (s < 1.0) return QObject::tr("%1 ms").arg(qRound(s * 1000.0));
    return QObject::tr("%1 s").arg(s, 0, 'f', s < 10.0 ? 2 : 1);
}

QString epochsText(int n) { return n == 1 ? QObject::tr("1 epoch") : QObject::tr("%1 epochs").arg(n); }

QString guideText(const PlotStyle& s) {
    const QString raw = s.dark ? QStringLiteral("#8fb0d8") : QStringLiteral("#5a8fc8");
    const QString bold = s.dark ? QStringLiteral("#78beff") : QStringLiteral("#084594");
    const QString test = s.dark ? QStringLiteral("#ff9646") : QStringLiteral("#e6550d");
    return QObject::tr(
               "<p>The <b>loss</b> measures how wrong the network is; training pushes it down.</p>"
               "<p>The <span style='color:%1'><b>thin line</b></span> is the loss of each batch: noisy, because every "
               "batch holds different images. The <span style='color:%2'><b>bold line</b></span> is its moving average.</p>"
               "<p>The <span style='color:%3'><b>orange circles</b></span> are the loss on test images the network never "
               "trained on: if they rise while the bold line falls, it is memorising instead of learning.</p>")
        .arg(raw, bold, test);
}

QImage digitImage(const bp::data::ImageDataset& ds, qint64 index) {
    QImage img(static_cast<int>(ds.cols), static_cast<int>(ds.rows), QImage::Format_Grayscale8);
    const uint8_t* src = ds.pixels.data() + index * ds.rows * ds.cols;
    for (int y = 0; y < img.height(); ++y) std::copy(src + y * ds.cols, src + (y + 1) * ds.cols, img.scanLine(y));
    return img;
}

QString className(const bp::data::ImageDataset& ds, int c) {
    return c >= 0 && c < static_cast<int>(ds.class_names.size()) ? QString::fromStdString(ds.class_names[static_cast<size_t>(c)])
                                                                 : QString::number(c);
}

QTableWidgetItem* numberItem(const QString& text, double value) {
    auto* item = new QTableWidgetItem(text);
    item->setData(Qt::UserRole, value);  // the raw number, for code and tests; the text is for people
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    return item;
}

}  // namespace

TrainPage::TrainPage(const AppContext& context, QWidget* parent)
    : QWidget(parent), m_context(context), m_controller(new TrainingController(this)) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->setSpacing(16);
    // The controls scroll when presentation mode's larger text needs more height than the screen has.
    auto* controlsScroll = new QScrollArea;
    controlsScroll->setWidget(buildControls());
    controlsScroll->setWidgetResizable(true);
    controlsScroll->setFrameShape(QFrame::NoFrame);
    controlsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_controlsScroll = controlsScroll;
    auto* left = new QVBoxLayout;
    left->setSpacing(8);
    left->addWidget(controlsScroll, 1);
    left->addWidget(m_runBox);
    layout->addLayout(left);
    layout->addWidget(buildRunView(), 1);

    connect(m_controller, &TrainingController::stateChanged, this, &TrainPage::onStateChanged);
    connect(m_controller, &TrainingController::dataLoaded, this, &TrainPage::onDataLoaded);
    connect(m_controller, &TrainingController::dataFailed, this, &TrainPage::onDataFailed);
    connect(m_controller, &TrainingController::runStarted, this, &TrainPage::onRunStarted);
    connect(m_controller, &TrainingController::batchesArrived, this, &TrainPage::onBatchesArrived);
    connect(m_controller, &TrainingController::epochFinished, this, &TrainPage::onEpochFinished);
    connect(m_controller, &TrainingController::trainingFinished, this, &TrainPage::onTrainingFinished);
    connect(m_controller, &TrainingController::trainingFailed, this, &TrainPage::onTrainingFailed);
    connect(m_controller, &TrainingController::learningRateChanged, this, &TrainPage::onLearningRateChanged);
    connect(m_controller, &TrainingController::normLayersChanged, this, &TrainPage::onNormLayersChanged);
    connect(m_controller, &TrainingController::normsArrived, this, &TrainPage::onNormsArrived);

    loadSettings();
    applyAppearance(m_context.appearance);
    updateModelInfo();
    updateButtons();
    m_controller->loadData(m_context.dataDirOverride);
    // The model opened or saved last time comes back, ready to continue (quietly skipped if it is gone).
    if (m_context.settings && !m_context.settings->lastModelFile().isEmpty() &&
        QFileInfo::exists(m_context.settings->lastModelFile()))
        openModel(m_context.settings->lastModelFile());
}

TrainPage::~TrainPage() { saveSettings(); }

QWidget* TrainPage::buildControls() {
    auto* panel = new QWidget;
    m_controlsPanel = panel;
    panel->setFixedWidth(360);
    auto* v = new QVBoxLayout(panel);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(12);

    // Model
    auto* modelBox = new QGroupBox(tr("Model"));
    auto* mv = new QVBoxLayout(modelBox);
    m_model = new QComboBox;
    m_model->setToolTip(tr("The network to train; every model of the zoo is listed."));
    for (const bp::models::ModelInfo& info : bp::models::zoo()) {
        const QString name = QString::fromStdString(info.name);
        m_model->addItem(QString::fromStdString(info.title), name);
        const int row = m_model->count() - 1;
        m_model->setItemData(row, QString::fromStdString(info.description), Qt::ToolTipRole);
        m_model->setItemData(row, QVariant::fromValue<qlonglong>(bp::models::parameter_count(info.name)), Qt::UserRole + 1);
    }
    m_modelDescription = new QLabel;
    m_modelDescription->setWordWrap(true);
    m_modelParams = new QLabel;
    m_modelParams->setObjectName(QStringLiteral("modelParams"));
    m_diagram = new LayerDiagram;
    m_diagram->setToolTip(tr("The layers an image passes through, top to bottom, with the shape each one outputs."));
    m_continue = new QCheckBox(tr("Continue from the current model"));
    m_continue->setToolTip(tr("Start from the weights of the model opened or trained last, instead of fresh random ones."));
    m_continue->setVisible(false);
    mv->addWidget(m_model);
    mv->addWidget(m_modelDescription);
    mv->addWidget(m_modelParams);
    mv->addWidget(m_diagram);
    mv->addWidget(m_continue);
    connect(m_continue, &QCheckBox::toggled, this, &TrainPage::updateModelInfo);
    connect(m_model, &QComboBox::currentIndexChanged, this, &TrainPage::updateModelInfo);
    connect(m_model, &QComboBox::activated, this, &TrainPage::applyModelDefaults);  // user picks only
    v->addWidget(modelBox);

    // Hyperparameters
    auto* hpBox = new QGroupBox(tr("Hyperparameters"));
    auto* form = new QFormLayout(hpBox);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    form->setVerticalSpacing(8);

    m_optimizer = new QComboBox;
    for (const OptimizerChoice& o : kOptimizers) {
        m_optimizer->addItem(QString::fromLatin1(o.name), QString::fromLatin1(o.name));
        m_optimizer->setItemData(m_optimizer->count() - 1, tr(o.tip), Qt::ToolTipRole);
    }
    m_optimizer->setToolTip(tr("The rule that turns gradients into weight updates."));

    m_lr = new QDoubleSpinBox;
    m_lr->setDecimals(5);
    m_lr->setRange(1e-5, 1.0);
    m_lr->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    m_lr->setKeyboardTracking(false);  // a change mid-run applies on Enter or an arrow, not per keystroke
    m_lr->setToolTip(tr("How big each update step is: too small learns slowly, too large makes the loss jump or explode. "
                        "It can be changed while training; the loss chart marks the change."));
    connect(m_lr, &QDoubleSpinBox::valueChanged, this, &TrainPage::onLearningRateEdited);

    m_schedule = new QComboBox;
    for (const OptimizerChoice& o : kSchedules) {
        m_schedule->addItem(QString::fromLatin1(o.name), QString::fromLatin1(o.name));
        m_schedule->setItemData(m_schedule->count() - 1, tr(o.tip), Qt::ToolTipRole);
    }
    m_schedule->setToolTip(tr("How the learning rate changes during the run: big steps early, finer ones later."));

    m_batch = new QSpinBox;
    m_batch->setRange(1, 4096);
    m_batch->setToolTip(tr("How many images are averaged into one gradient step; larger is smoother but takes fewer steps."));

    m_epochCount = new QSpinBox;
    m_epochCount->setRange(1, 100);
    m_epochCount->setToolTip(tr("How many times training goes through all the training images."));

    m_seed = new QSpinBox;
    m_seed->setRange(0, 2147483647);
    m_seed->setToolTip(tr("Starting point of the random numbers (initial weights, shuffling): the same seed gives the same run."));

    m_trainImages = new QSpinBox;
    m_trainImages->setRange(0, 60000);
    m_trainImages->setSingleStep(1000);
    m_trainImages->setSpecialValueText(tr("all"));
    m_trainImages->setToolTip(tr("Train on only the first N training images, for a quicker run (\"all\" uses every one)."));

    m_testImages = new QSpinBox;
    m_testImages->setRange(0, 10000);
    m_testImages->setSingleStep(500);
    m_testImages->setSpecialValueText(tr("all"));
    m_testImages->setToolTip(tr("Measure accuracy after each epoch on the first N test images, never seen in training."));

    form->addRow(tr("Optimizer"), m_optimizer);
    form->addRow(tr("Learning rate"), m_lr);
    form->addRow(tr("LR schedule"), m_schedule);
    form->addRow(tr("Batch size"), m_batch);
    form->addRow(tr("Epochs"), m_epochCount);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Training images"), m_trainImages);
    form->addRow(tr("Test images"), m_testImages);
    m_device = devicepicker::create();
    connect(m_device, &QComboBox::currentIndexChanged, this, &TrainPage::onDeviceChanged);
    form->addRow(tr("Device"), m_device);
    m_augment = new QCheckBox(tr("Augment training images"));
    m_augment->setToolTip(tr("Randomly shift (±2 px), rotate (±10°) and scale (0.9–1.1×) each training image, so the "
                             "network sees more variety and reads off-centre drawings better. Test images are never changed."));
    form->addRow(QString(), m_augment);
    v->addWidget(hpBox);

    // Run controls
    auto* runBox = new QGroupBox(tr("Run"));
    auto* grid = new QGridLayout(runBox);
    m_start = new QPushButton(tr("Start"));
    m_start->setToolTip(tr("Build the model with fresh weights and train it with these settings."));
    m_pause = new QPushButton(tr("Pause"));
    m_pause->setToolTip(tr("Stop after the current batch, keeping everything as it is."));
    m_resume = new QPushButton(tr("Resume"));
    m_resume->setToolTip(tr("Continue a paused run."));
    m_step = new QPushButton(tr("Step"));
    m_step->setToolTip(tr("While paused: train exactly one more batch, then pause again."));
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setToolTip(tr("End the run after the current batch; the curves stay on screen."));
    m_start->setDefault(true);
    grid->addWidget(m_start, 0, 0, 1, 2);
    grid->addWidget(m_stop, 0, 2);
    grid->addWidget(m_pause, 1, 0);
    grid->addWidget(m_resume, 1, 1);
    grid->addWidget(m_step, 1, 2);
    for (QPushButton* b : {m_start, m_pause, m_resume, m_step, m_stop}) b->setMinimumHeight(32);
    connect(m_start, &QPushButton::clicked, this, &TrainPage::startTraining);
    connect(m_pause, &QPushButton::clicked, m_controller, &TrainingController::pause);
    connect(m_resume, &QPushButton::clicked, m_controller, &TrainingController::resume);
    connect(m_step, &QPushButton::clicked, m_controller, &TrainingController::step);
    connect(m_stop, &QPushButton::clicked, m_controller, &TrainingController::stop);
    m_runBox = runBox;  // placed under the scrolling controls, so Start is always on screen

    // A short guide for learners and for a class looking at a projector.
    auto* guideBox = new QGroupBox(tr("Reading the chart"));
    auto* gv = new QVBoxLayout(guideBox);
    m_guide = new QLabel(guideText(PlotStyle{}));
    m_guide->setWordWrap(true);
    m_guide->setTextFormat(Qt::RichText);
    gv->addWidget(m_guide);
    v->addWidget(guideBox);
    v->addStretch(1);
    return panel;
}

QWidget* TrainPage::buildRunView() {
    auto* view = new QWidget;
    auto* v = new QVBoxLayout(view);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(8);

    m_banner = new QLabel;
    m_banner->setObjectName(QStringLiteral("dataBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);  // so the command can be copied
    m_banner->hide();
    v->addWidget(m_banner);

    m_runTitle = new QLabel(tr("Loading MNIST…"));
    m_runTitle->setWordWrap(true);  // long titles wrap instead of widening the window (presentation mode)
    v->addWidget(m_runTitle);

    m_progress = new QProgressBar;
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_progress->setFormat(tr("Epoch progress"));
    m_progress->setMinimumHeight(24);
    v->addWidget(m_progress);

    m_stats = new QLabel(QStringLiteral(" "));
    m_stats->setObjectName(QStringLiteral("runStats"));
    m_stats->setTextFormat(Qt::RichText);
    m_stats->setWordWrap(true);
    v->addWidget(m_stats);

    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(false);
    // Every tab stays visible when space is short (presentation mode on a small screen): titles shorten
    // with an ellipsis instead of sliding behind scroll arrows.
    m_tabs->setUsesScrollButtons(false);
    m_tabs->setElideMode(Qt::ElideRight);
    m_plot = new LossPlot;
    m_tabs->addTab(m_plot, tr("Loss"));

    auto* curves = new QWidget;
    auto* cv = new QHBoxLayout(curves);
    cv->setContentsMargins(4, 4, 4, 4);
    m_epochPlot = new SeriesPlot(tr("epoch"), tr("loss"));
    m_epochPlot->setTitle(tr("Per epoch"));
    m_epochPlot->setIntegerX(true);
    m_epochSeries[2] = m_epochPlot->addSeries(tr("train loss"), 0, false, true, Qt::DashLine);
    m_epochSeries[0] = m_epochPlot->addSeries(tr("test loss"), 1, false, true);
    m_epochSeries[1] = m_epochPlot->addSeries(tr("test accuracy"), 2, true, true);
    m_epochPlot->setRightAxisLabel(tr("accuracy"));
    m_epochPlot->setRightRange(0.0, 1.0);
    m_lrPlot = new SeriesPlot(tr("step"), tr("learning rate"));
    m_lrPlot->setTitle(tr("Learning rate per step"));
    m_lrSeries = m_lrPlot->addSeries(tr("learning rate"), 4);
    cv->addWidget(m_epochPlot, 1);
    cv->addWidget(m_lrPlot, 1);
    m_tabs->addTab(curves, tr("Accuracy"));
    m_tabs->setTabToolTip(m_tabs->count() - 1, tr("Loss and accuracy per epoch, and the learning rate per step"));

    auto* confusion = new QWidget;
    auto* conv = new QVBoxLayout(confusion);
    auto* confTop = new QHBoxLayout;
    auto* confHint = new QLabel(tr("Rows: the true digit. Columns: what the network said. Click a cell to see those test images."));
    confHint->setWordWrap(true);
    m_normalize = new QCheckBox(tr("Show % of each row"));
    m_normalize->setToolTip(tr("Divide each row by the number of test images of that digit: the diagonal becomes the "
                               "accuracy per digit."));
    confTop->addWidget(confHint, 1);
    confTop->addWidget(m_normalize);
    m_confusion = new HeatmapView;
    m_confusion->setObjectName(QStringLiteral("confusionMatrix"));
    connect(m_normalize, &QCheckBox::toggled, m_confusion, &HeatmapView::setNormalized);
    connect(m_confusion, &HeatmapView::cellClicked, this, [this](int r, int c) { showGallery(r, c); });
    conv->addLayout(confTop);
    conv->addWidget(m_confusion, 1);
    m_tabs->addTab(confusion, tr("Confusion"));

    auto* samples = new QWidget;
    auto* sv = new QVBoxLayout(samples);
    m_samplesTitle = new QLabel(tr("The first 16 test images and what the network says they are, with its confidence. "
                                   "Mistakes are framed in red."));
    m_samplesTitle->setWordWrap(true);
    m_samples = new ImageGrid;
    m_samples->setFitToSize(true, 140);
    m_samples->setEmptyText(tr("Predictions appear after the first epoch."));
    sv->addWidget(m_samplesTitle);
    sv->addWidget(m_samples, 1);
    m_tabs->addTab(samples, tr("Predictions"));

    auto* flow = new QWidget;
    auto* fv = new QHBoxLayout(flow);
    fv->setContentsMargins(4, 4, 4, 4);
    m_weightNorms = new SeriesPlot(tr("step"), tr("‖W‖ (L2 norm)"));
    m_weightNorms->setTitle(tr("Weight norm per layer"));
    m_gradNorms = new SeriesPlot(tr("step"), tr("‖∂L/∂W‖ (L2 norm)"));
    m_gradNorms->setTitle(tr("Gradient norm per layer"));
    m_gradNorms->setLogY(true);
    m_gradNorms->setToolTip(tr("How strongly each layer is being changed. Layers whose gradient is much smaller than the "
                               "others learn slowly (vanishing gradients)."));
    fv->addWidget(m_weightNorms, 1);
    fv->addWidget(m_gradNorms, 1);
    m_tabs->addTab(flow, tr("Gradients"));
    m_tabs->setTabToolTip(1, tr("Test loss and accuracy per epoch, and the learning rate at every step."));
    m_tabs->setTabToolTip(2, tr("The confusion matrix of the last evaluation: which digits are mistaken for which."));
    m_tabs->setTabToolTip(3, tr("What the network says about the first 16 test images."));
    m_tabs->setTabToolTip(4, tr("Gradient flow: the size of each layer's weights and of their gradients over time."));
    v->addWidget(m_tabs, 1);

    auto* resultsTitle = new QLabel(tr("Results per epoch"));
    QFont rf = resultsTitle->font();
    rf.setBold(true);
    resultsTitle->setFont(rf);
    v->addWidget(resultsTitle);

    m_epochs = new QTableWidget(0, 6);
    m_epochs->setHorizontalHeaderLabels({tr("Epoch"), tr("Train loss"), tr("Train acc."), tr("Test loss"),
                                         tr("Test acc."), tr("Time")});
    m_epochs->horizontalHeaderItem(2)->setToolTip(tr("Accuracy on the training images during the epoch"));
    m_epochs->horizontalHeaderItem(4)->setToolTip(tr("Accuracy on test images the network never trained on"));
    m_epochs->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_epochs->verticalHeader()->hide();
    m_epochs->setSelectionMode(QAbstractItemView::NoSelection);
    m_epochs->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_epochs->setAlternatingRowColors(true);
    m_epochs->setMinimumHeight(120);
    m_epochs->setMaximumHeight(170);
    m_epochs->setToolTip(tr("Test accuracy is measured on images the network never trained on."));
    v->addWidget(m_epochs);
    return view;
}

bp::train::TrainConfig TrainPage::configFromWidgets() const {
    bp::train::TrainConfig c;
    c.model = m_model->currentData().toString().toStdString();
    c.dataset = "mnist";
    c.optimizer = m_optimizer->currentData().toString().toStdString();
    c.lr = m_lr->value();
    c.schedule = m_schedule->currentData().toString().toStdString();
    c.batch_size = m_batch->value();
    c.epochs = m_epochCount->value();
    c.seed = static_cast<uint64_t>(m_seed->value());
    c.train_limit = m_trainImages->value();
    c.test_limit = m_testImages->value();
    c.augment.enabled = m_augment->isChecked();
    c.device = m_device->currentData().toString().toStdString();
    return c;
}

void TrainPage::applyConfig(const bp::train::TrainConfig& c) {
    const int m = m_model->findData(QString::fromStdString(c.model));
    if (m >= 0) m_model->setCurrentIndex(m);
    const int o = m_optimizer->findData(QString::fromStdString(c.optimizer));
    if (o >= 0) m_optimizer->setCurrentIndex(o);
    m_lr->setValue(c.lr);
    const int sc = m_schedule->findData(QString::fromStdString(c.schedule));
    if (sc >= 0) m_schedule->setCurrentIndex(sc);
    m_batch->setValue(c.batch_size);
    m_epochCount->setValue(c.epochs);
    m_seed->setValue(static_cast<int>(std::min<uint64_t>(c.seed, 2147483647u)));
    m_trainImages->setValue(static_cast<int>(c.train_limit));
    m_testImages->setValue(static_cast<int>(c.test_limit));
    m_augment->setChecked(c.augment.enabled);
}

void TrainPage::startTraining() {
    if (m_continue->isChecked() && m_initialModel) m_controller->start(configFromWidgets(), m_initialModel);
    else m_controller->start(configFromWidgets());
}

void TrainPage::toggleRun() {
    using S = TrainingController::State;
    switch (m_controller->state()) {
    case S::Idle: startTraining(); break;
    case S::Running: m_controller->pause(); break;
    case S::Paused: m_controller->resume(); break;
    default: break;
    }
}

void TrainPage::applyAppearance(const Appearance& a) {
    const PlotStyle style = PlotStyle::make(a.dark, a.presentation);
    m_plot->setPlotStyle(style);
    const QFont base = theme::baseFont();
    const double scale = theme::fontScale(a);
    QFont title = base;
    title.setPointSizeF(base.pointSizeF() * 1.3 * scale);
    title.setBold(true);
    m_runTitle->setFont(title);
    QFont stats = base;
    stats.setPointSizeF(base.pointSizeF() * 1.15 * scale);
    m_stats->setFont(stats);
    // The guide's colours name the plot's lines, which differ between the themes.
    m_guide->setText(guideText(style));
    m_controlsPanel->setFixedWidth(a.presentation ? 430 : 360);
    // On a projector the charts matter most: the table gives them room (it scrolls to the last epoch).
    m_epochs->setMinimumHeight(a.presentation ? 90 : 120);
    m_epochs->setMaximumHeight(a.presentation ? 120 : 170);
    m_controlsScroll->setFixedWidth(m_controlsPanel->width() + 14);  // room for the vertical scroll bar
    m_runBox->setFixedWidth(m_controlsScroll->width());
    m_appearance = a;
    for (SeriesPlot* p : {m_epochPlot, m_lrPlot, m_weightNorms, m_gradNorms}) p->setPlotStyle(style);
    m_confusion->setDark(a.dark);
    m_diagram->setDark(a.dark);
}

void TrainPage::updateModelInfo() {
    const int i = m_model->currentIndex();
    if (i < 0) return;
    m_modelDescription->setText(m_model->itemData(i, Qt::ToolTipRole).toString());
    const qlonglong params = m_model->itemData(i, Qt::UserRole + 1).toLongLong();
    m_modelParams->setText(tr("%1 trainable parameters").arg(QLocale().toString(params)));
    try {
        const bool useInitial = m_continue->isChecked() && m_initialModel;
        const bp::models::Model m = useInitial ? *m_initialModel : bp::models::create_model(m_model->currentData().toString().toStdString());
        m_diagram->setLayers(modeltools::shapeText(m.input_shape), modeltools::diagramLayers(m));
    } catch (const std::exception&) {
        m_diagram->setLayers(QString(), {});
    }
}

void TrainPage::applyModelDefaults() {
    const bp::models::ModelInfo& info = bp::models::find_model(m_model->currentData().toString().toStdString());
    const int o = m_optimizer->findData(QString::fromStdString(info.defaults.optimizer));
    if (o >= 0) m_optimizer->setCurrentIndex(o);
    m_lr->setValue(info.defaults.lr);
    m_batch->setValue(info.defaults.batch_size);
    m_epochCount->setValue(info.defaults.epochs);
}

void TrainPage::updateButtons() {
    using S = TrainingController::State;
    const S s = m_controller->state();
    m_start->setEnabled(s == S::Idle);
    m_pause->setEnabled(s == S::Running);
    m_resume->setEnabled(s == S::Paused);
    m_step->setEnabled(s == S::Paused);
    m_stop->setEnabled(s == S::Running || s == S::Paused);
    const bool editable = !m_controller->isBusy();
    for (QWidget* w : std::initializer_list<QWidget*>{m_model, m_optimizer, m_schedule, m_batch, m_epochCount, m_seed,
                                                      m_trainImages, m_testImages, m_continue, m_augment})
        w->setEnabled(editable);
    m_device->setEnabled(editable && devicepicker::cudaUsable());  // no choice to make without a GPU
    // The learning rate stays editable during a run: a change applies before the next batch.
    m_lr->setEnabled(s != S::Stopping);
}

void TrainPage::onStateChanged(TrainingController::State state) {
    updateButtons();
    using S = TrainingController::State;
    if (state == S::Paused) m_runTitle->setText(tr("Paused — Resume to continue, or Step one batch at a time"));
    else if (state == S::Stopping) m_runTitle->setText(tr("Stopping after this batch…"));
    else if (state == S::Running && m_lastStep > 0) m_runTitle->setText(tr("Training…"));
}

void TrainPage::onDataLoaded(const DataInfo& info) {
    m_banner->hide();
    const QLocale loc;
    m_trainImages->setMaximum(static_cast<int>(info.trainCount));
    m_testImages->setMaximum(static_cast<int>(info.testCount));
    m_runTitle->setText(tr("Ready: press Start to train on MNIST"));
    emit dataStatusChanged(tr("MNIST: %1 training / %2 test images").arg(loc.toString(info.trainCount),
                                                                           loc.toString(info.testCount)));
    updateButtons();
}

void TrainPage::onDataFailed(const QString& message) {
    m_banner->setText(tr("<b>MNIST is not set up yet, so training is off.</b><br>%1").arg(message.toHtmlEscaped()));
    m_banner->show();
    m_runTitle->setText(tr("No training data"));
    emit dataStatusChanged(tr("MNIST: missing — see the banner on the Train page"));
    updateButtons();
}

void TrainPage::onRunStarted(const bp::train::TrainConfig& c) {
    m_plot->clear();
    m_epochs->setRowCount(0);
    m_lastStep = 0;
    m_previousLr = c.lr;
    // A step schedule changes the rate in jumps worth marking; cosine changes it a little every batch.
    m_markLrSteps = c.schedule == "step";
    const qint64 available = m_controller->dataInfo().trainCount;
    const qint64 images = c.train_limit > 0 ? std::min<qint64>(c.train_limit, available) : available;
    const qint64 perEpoch = (images + c.batch_size - 1) / c.batch_size;
    m_plot->setExpectedSteps(static_cast<double>(perEpoch * c.epochs));
    m_progress->setRange(0, static_cast<int>(std::max<qint64>(perEpoch, 1)));
    m_progress->setValue(0);
    m_progress->setFormat(tr("Epoch 1 of %1").arg(c.epochs));
    m_runTitle->setText(tr("Training %1 on %2 MNIST images…").arg(m_model->currentText(), QLocale().toString(images)));
    m_stats->setText(QStringLiteral(" "));
    m_epochPlot->clearData();
    m_epochPlot->setMinimumXRange(c.epochs);
    m_lrPlot->clearData();
    m_lrPlot->setMinimumXRange(static_cast<double>(perEpoch * c.epochs));
    m_weightNorms->removeAllSeries();
    m_gradNorms->removeAllSeries();
    m_confusion->clear();
    m_samples->setItems({});
    m_history.clear();
    m_runConfig = c;
    m_finished = {};
    m_runStatus = QStringLiteral("running");
}

void TrainPage::onBatchesArrived(const QVector<bp::train::BatchEvent>& batches) {
    QVector<double> steps, losses, rates;
    steps.reserve(batches.size());
    losses.reserve(batches.size());
    rates.reserve(batches.size());
    for (const bp::train::BatchEvent& b : batches) {
        steps.push_back(static_cast<double>(b.global_step));
        losses.push_back(b.loss);
        rates.push_back(b.lr);
        if (m_markLrSteps && std::abs(b.lr - m_previousLr) > 1e-6 * m_previousLr)
            m_plot->markEvent(static_cast<double>(b.global_step), tr("lr %1").arg(b.lr, 0, 'g', 3));
        m_previousLr = b.lr;
    }
    m_plot->appendBatchLoss(steps, losses);
    m_lrPlot->appendPoints(m_lrSeries, steps, rates);

    const bp::train::BatchEvent& last = batches.back();
    m_lastStep = last.global_step;
    m_progress->setRange(0, static_cast<int>(last.batches_per_epoch));
    m_progress->setValue(static_cast<int>(last.batch + 1));
    m_progress->setFormat(tr("Epoch %1 of %2 · batch %3 of %4")
                              .arg(last.epoch + 1)
                              .arg(m_controller->currentConfig().epochs)
                              .arg(last.batch + 1)
                              .arg(last.batches_per_epoch));
    // Each figure stays on one line when the label wraps (presentation mode on a small screen).
    m_stats->setText(tr("<span style='white-space:nowrap'>loss <b>%1</b></span> &nbsp;·&nbsp; "
                        "<span style='white-space:nowrap'>batch accuracy <b>%2</b></span> &nbsp;·&nbsp; "
                        "<span style='white-space:nowrap'><b>%3</b>&nbsp;images\u2060/\u2060s</span> &nbsp;·&nbsp; "
                        "<span style='white-space:nowrap'>ETA <b>%4</b></span>")
                         .arg(last.loss, 0, 'f', 4)
                         .arg(percent(last.accuracy, 1))
                         .arg(QLocale().toString(qRound64(last.samples_per_second)))
                         .arg(formatDuration(last.eta_seconds)));
}

void TrainPage::onEpochFinished(const bp::train::EpochEvent& e) {
    const int row = m_epochs->rowCount();
    m_epochs->insertRow(row);
    m_epochs->setItem(row, 0, numberItem(QString::number(e.epoch + 1), e.epoch + 1));
    m_epochs->setItem(row, 1, numberItem(QString::number(e.train_loss, 'f', 4), e.train_loss));
    m_epochs->setItem(row, 2, numberItem(percent(e.train_accuracy), e.train_accuracy));
    if (e.evaluated) {
        m_epochs->setItem(row, 3, numberItem(QString::number(e.test_loss, 'f', 4), e.test_loss));
        m_epochs->setItem(row, 4, numberItem(percent(e.test_accuracy), e.test_accuracy));
        m_plot->appendEpochPoint(static_cast<double>(m_lastStep), e.test_loss);
    } else {
        m_epochs->setItem(row, 3, numberItem(tr("–"), std::nan("")));
        m_epochs->setItem(row, 4, numberItem(tr("–"), std::nan("")));
    }
    m_epochs->setItem(row, 5, numberItem(secondsText(e.epoch_seconds), e.epoch_seconds));
    m_epochs->scrollToBottom();
    m_history.push_back(e);
    m_epochPlot->appendPoint(m_epochSeries[2], e.epoch + 1, e.train_loss);
    if (e.evaluated) {
        m_epochPlot->appendPoint(m_epochSeries[0], e.epoch + 1, e.test_loss);
        m_epochPlot->appendPoint(m_epochSeries[1], e.epoch + 1, e.test_accuracy);
        // The confusion matrix comes with the event itself; the per-image results are pulled from the worker.
        const bp::train::ClassificationMetrics& m = e.test_metrics;
        QVector<double> values;
        QStringList labels;
        for (int r = 0; r < m.num_classes; ++r) {
            labels << QString::number(r);
            for (int col = 0; col < m.num_classes; ++col) values << static_cast<double>(m.confusion[r][col]);
        }
        if (auto snap = m_controller->latestEvaluation(); snap && snap->images)
            for (int r = 0; r < m.num_classes; ++r) labels[r] = className(*snap->images, r);
        m_confusion->setMatrix(m.num_classes, m.num_classes, values, labels, labels);
        updateEvaluationViews();
    }
    if (e.epoch + 1 < e.epochs) m_progress->setFormat(tr("Epoch %1 of %2").arg(e.epoch + 2).arg(e.epochs));
}

void TrainPage::onTrainingFinished(const bp::train::FinishedEvent& e) {
    QString accuracy;
    if (m_epochs->rowCount() > 0) {
        const double a = m_epochs->item(m_epochs->rowCount() - 1, 4)->data(Qt::UserRole).toDouble();
        if (std::isfinite(a)) accuracy = tr(" — test accuracy %1").arg(percent(a));
    }
    if (e.cancelled)
        m_runTitle->setText(tr("Stopped after %1, %2%3").arg(epochsText(e.epochs_completed), secondsText(e.total_seconds), accuracy));
    else
        m_runTitle->setText(tr("Finished %1 in %2%3").arg(epochsText(e.epochs_completed), secondsText(e.total_seconds), accuracy));
    if (!e.cancelled) m_progress->setValue(m_progress->maximum());
    m_finished = e;
    m_runStatus = e.cancelled ? QStringLiteral("cancelled") : QStringLiteral("completed");
    setInitialModel(m_controller->latestModel(), tr("the model just trained"));
    if (m_context.models && m_controller->latestModel()) {
        QString name = tr("%1 — trained %2").arg(m_model->currentText(), QTime::currentTime().toString(QStringLiteral("HH:mm:ss")));
        if (!m_history.empty() && m_history.back().evaluated) name += QStringLiteral(" (%1)").arg(percent(m_history.back().test_accuracy, 1));
        m_context.models->addModel(name, QStringLiteral("trained"), m_controller->latestModel());
    }
}

void TrainPage::onTrainingFailed(const QString& message) {
    m_runTitle->setText(tr("Training failed"));
    m_banner->setText(tr("<b>Training stopped.</b><br>%1").arg(message.toHtmlEscaped()));
    m_banner->show();
    m_runStatus = QStringLiteral("failed");
    if (auto model = m_controller->latestModel()) setInitialModel(model, tr("the last good parameters"));
}

void TrainPage::onLearningRateEdited(double lr) {
    if (!m_controller->isBusy()) return;  // before a run it is just the starting rate
    if (!m_controller->setLearningRate(lr)) m_stats->setText(tr("The learning rate could not be changed now."));
}

void TrainPage::onLearningRateChanged(double lr, qint64 afterStep) {
    // Marked where it takes effect: after the last step drawn so far.
    m_plot->markEvent(static_cast<double>(afterStep), tr("lr → %1").arg(lr, 0, 'g', 3));
}

void TrainPage::onNormLayersChanged(const QStringList& layers) {
    m_weightNorms->removeAllSeries();
    m_gradNorms->removeAllSeries();
    for (int i = 0; i < layers.size(); ++i) {
        m_weightNorms->addSeries(layers[i], i);
        m_gradNorms->addSeries(layers[i], i);
    }
    const double steps = m_lrPlot->plot() ? m_progress->maximum() * std::max(1, m_runConfig.epochs) : 0;
    m_weightNorms->setMinimumXRange(steps);
    m_gradNorms->setMinimumXRange(steps);
}

void TrainPage::onNormsArrived(const QVector<NormSample>& samples) {
    const int layers = m_weightNorms->seriesCount();
    for (int l = 0; l < layers; ++l) {
        QVector<double> steps, w, g;
        for (const NormSample& s : samples) {
            if (l >= static_cast<int>(s.weight.size())) continue;
            steps << static_cast<double>(s.step);
            w << s.weight[static_cast<size_t>(l)];
            g << s.grad[static_cast<size_t>(l)];
        }
        m_weightNorms->appendPoints(l, steps, w);
        m_gradNorms->appendPoints(l, steps, g);
    }
}

void TrainPage::updateEvaluationViews() {
    const std::shared_ptr<const EvaluationSnapshot> snap = m_controller->latestEvaluation();
    if (!snap || !snap->images) return;
    QVector<ImageGrid::Item> items;
    for (qint64 i = 0; i < std::min<qint64>(16, snap->count()); ++i) {
        const int pred = snap->predictions[static_cast<size_t>(i)];
        const int truth = snap->labels[static_cast<size_t>(i)];
        ImageGrid::Item it;
        it.image = digitImage(*snap->images, i);
        it.wrong = pred != truth;
        const QString p = percent(snap->probability(i, pred), 0);
        // A mistake's caption names the truth instead of the confidence (which is in the tooltip): it must fit the tile.
        it.caption = it.wrong ? tr("%1, is %2").arg(className(*snap->images, pred), className(*snap->images, truth))
                              : tr("%1 · %2").arg(className(*snap->images, pred), p);
        it.toolTip = tr("Test image %1: a %2. The network says %3 with %4 confidence.")
                         .arg(i)
                         .arg(className(*snap->images, truth), className(*snap->images, pred), p);
        items << it;
    }
    m_samples->setItems(items);
    if (m_gallery && m_gallery->isVisible()) showGallery(m_gallery->property("row").toInt(), m_gallery->property("col").toInt());
}

QDialog* TrainPage::showGallery(int trueClass, int predicted) {
    const std::shared_ptr<const EvaluationSnapshot> snap = m_controller->latestEvaluation();
    if (!snap || !snap->images) return nullptr;
    if (!m_gallery) {
        m_gallery = new QDialog(this);
        m_gallery->setObjectName(QStringLiteral("confusionGallery"));
        m_gallery->resize(760, 560);
        auto* v = new QVBoxLayout(m_gallery);
        m_galleryTitle = new QLabel;
        m_galleryTitle->setWordWrap(true);
        auto* scroll = new QScrollArea;
        scroll->setWidgetResizable(true);
        m_galleryGrid = new ImageGrid;
        m_galleryGrid->setTileSize(84);
        scroll->setWidget(m_galleryGrid);
        v->addWidget(m_galleryTitle);
        v->addWidget(scroll, 1);
    }
    m_gallery->setProperty("row", trueClass);
    m_gallery->setProperty("col", predicted);
    constexpr int kMaxImages = 200;
    QVector<ImageGrid::Item> items;
    qint64 total = 0;
    for (qint64 i = 0; i < snap->count(); ++i) {
        if (snap->labels[static_cast<size_t>(i)] != trueClass || snap->predictions[static_cast<size_t>(i)] != predicted) continue;
        ++total;
        if (items.size() >= kMaxImages) continue;
        ImageGrid::Item it;
        it.image = digitImage(*snap->images, i);
        it.wrong = trueClass != predicted;
        it.caption = percent(snap->probability(i, predicted), 0);
        it.toolTip = tr("Test image %1: p(%2) = %3, p(%4) = %5")
                         .arg(i)
                         .arg(className(*snap->images, predicted), percent(snap->probability(i, predicted), 1),
                              className(*snap->images, trueClass), percent(snap->probability(i, trueClass), 1));
        items << it;
    }
    const QString t = className(*snap->images, trueClass), p = className(*snap->images, predicted);
    m_gallery->setWindowTitle(tr("True %1, predicted %2").arg(t, p));
    m_galleryTitle->setText(
        tr("<b>%1 test image(s)</b> of a <b>%2</b> that the network called <b>%3</b> after epoch %4%5. Under each: the "
           "probability it gave to %3.")
            .arg(total)
            .arg(t, p)
            .arg(snap->epoch + 1)
            .arg(total > kMaxImages ? tr(" (the first %1 shown)").arg(kMaxImages) : QString()));
    m_galleryGrid->setEmptyText(tr("No test image of a %1 was called %2.").arg(t, p));
    m_galleryGrid->setItems(items);
    m_gallery->show();
    m_gallery->raise();
    return m_gallery;
}

void TrainPage::setInitialModel(std::shared_ptr<const bp::models::Model> model, const QString& source) {
    m_initialModel = std::move(model);
    m_continue->setVisible(m_initialModel != nullptr);
    if (!m_initialModel) return;
    m_continue->setText(tr("Continue from %1").arg(source));
    const int i = m_model->findData(QString::fromStdString(m_initialModel->name));
    if (i >= 0 && !m_controller->isBusy()) m_model->setCurrentIndex(i);
    updateModelInfo();
}

std::shared_ptr<const bp::models::Model> TrainPage::currentModel() const {
    if (auto latest = m_controller->latestModel(); latest && (!m_initialModel || m_controller->isBusy())) return latest;
    return m_initialModel;
}

QString TrainPage::saveModel(const QString& path) {
    const std::shared_ptr<const bp::models::Model> model = currentModel();
    if (!model) return tr("There is no model to save yet: train one first, or open one.");
    try {
        nlohmann::json summary = nlohmann::json::object();
        if (!m_history.empty()) {
            summary["epochs"] = m_history.size();
            if (m_history.back().evaluated) summary["test_accuracy"] = m_history.back().test_accuracy;
            summary["config"] = m_runConfig.to_json();
        }
        bp::io::save_model(path.toStdString(), *model, summary);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    if (m_context.settings) m_context.settings->setLastModelFile(path);
    return {};
}

QString TrainPage::openModel(const QString& path) {
    std::shared_ptr<bp::models::Model> model;
    try {
        model = modeltools::loadModelFile(path.toStdString());
    } catch (const std::exception& e) {
        return tr("%1 is not a model this app can open:\n%2").arg(QFileInfo(path).fileName(), QString::fromStdString(e.what()));
    }
    const bp::Shape mnist{1, 28, 28};
    if (model->input_shape != mnist || model->num_classes != 10)
        return tr("%1 is a model for %2 inputs and %3 classes; this page trains on MNIST, which needs %4 inputs and 10 classes.")
            .arg(QFileInfo(path).fileName(), modeltools::shapeText(model->input_shape))
            .arg(model->num_classes)
            .arg(modeltools::shapeText(mnist));
    model->net->eval();
    setInitialModel(model, QFileInfo(path).fileName());
    m_continue->setChecked(true);
    if (m_context.models) m_context.models->addModel(QFileInfo(path).fileName(), QStringLiteral("opened"), model);
    if (m_context.settings) m_context.settings->setLastModelFile(path);
    return {};
}

QString TrainPage::exportReport(const QString& path) {
    const std::shared_ptr<const bp::models::Model> model = currentModel();
    if (m_history.empty() || !model) return tr("There is no finished epoch to report yet: train first.");
    try {
        bp::train::ClassificationMetrics finalTest;
        for (auto it = m_history.rbegin(); it != m_history.rend(); ++it)
            if (it->evaluated) {
                finalTest = it->test_metrics;
                break;
            }
        std::vector<std::string> classNames;
        if (auto snap = m_controller->latestEvaluation(); snap && snap->images) classNames = snap->images->class_names;
        double seconds = m_finished.total_seconds;
        if (seconds <= 0)
            for (const bp::train::EpochEvent& e : m_history) seconds += e.epoch_seconds + e.eval_seconds;
        const nlohmann::json report = bp::train::training_report(m_runConfig, *model, m_history, finalTest, classNames, seconds,
                                                                 m_runStatus.toStdString());
        bp::train::write_json(path.toStdString(), report);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

QString TrainPage::dialogDirectory() const {
    const QString d = m_context.settings ? m_context.settings->lastDirectory() : QString();
    return d.isEmpty() ? QDir::homePath() : d;
}

void TrainPage::rememberDirectory(const QString& file) {
    if (m_context.settings) m_context.settings->setLastDirectory(QFileInfo(file).absolutePath());
}

void TrainPage::saveModelWithDialog() {
    if (!currentModel()) {
        QMessageBox::information(this, tr("Save model"), tr("There is no model to save yet: train one first, or open one."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Save model"), dialogDirectory() + QStringLiteral("/model.safetensors"),
                                                      tr("Models (*.safetensors)"));
    if (path.isEmpty()) return;
    rememberDirectory(path);
    if (const QString error = saveModel(path); !error.isEmpty()) QMessageBox::warning(this, tr("Save model"), error);
}

void TrainPage::openModelWithDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open model"), dialogDirectory(), tr("Models (*.safetensors)"));
    if (path.isEmpty()) return;
    rememberDirectory(path);
    if (const QString error = openModel(path); !error.isEmpty()) QMessageBox::warning(this, tr("Open model"), error);
}

void TrainPage::exportReportWithDialog() {
    if (m_history.empty()) {
        QMessageBox::information(this, tr("Export report"), tr("There is no finished epoch to report yet: train first."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export report"), dialogDirectory() + QStringLiteral("/report.json"),
                                                      tr("JSON reports (*.json)"));
    if (path.isEmpty()) return;
    rememberDirectory(path);
    if (const QString error = exportReport(path); !error.isEmpty()) QMessageBox::warning(this, tr("Export report"), error);
}

void TrainPage::loadSettings() {
    const TrainSettings s = m_context.settings ? m_context.settings->trainSettings() : TrainSettings{};
    const int m = m_model->findData(s.model);
    m_model->setCurrentIndex(m >= 0 ? m : 0);
    const int o = m_optimizer->findData(s.optimizer);
    if (o >= 0) m_optimizer->setCurrentIndex(o);
    m_lr->setValue(s.learningRate);
    const int sc = m_schedule->findData(s.schedule);
    if (sc >= 0) m_schedule->setCurrentIndex(sc);
    m_batch->setValue(s.batchSize);
    m_epochCount->setValue(s.epochs);
    m_seed->setValue(static_cast<int>(std::min<qulonglong>(s.seed, 2147483647u)));
    m_trainImages->setValue(static_cast<int>(s.trainImages));
    m_testImages->setValue(static_cast<int>(s.testImages));
    m_augment->setChecked(s.augment);
    devicepicker::select(m_device, s.device);
}

void TrainPage::saveSettings() const {
    if (!m_context.settings) return;
    TrainSettings s;
    s.model = m_model->currentData().toString();
    s.optimizer = m_optimizer->currentData().toString();
    s.learningRate = m_lr->value();
    s.schedule = m_schedule->currentData().toString();
    s.batchSize = m_batch->value();
    s.epochs = m_epochCount->value();
    s.seed = static_cast<qulonglong>(m_seed->value());
    s.trainImages = m_trainImages->value();
    s.testImages = m_testImages->value();
    s.augment = m_augment->isChecked();
    s.device = m_device->currentData().toString();
    m_context.settings->setTrainSettings(s);
}

void TrainPage::onDeviceChanged() { emit deviceStatusChanged(devicepicker::statusText(m_device->currentData().toString())); }
