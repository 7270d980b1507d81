// train_settings_panel.cpp — layout of the model and hyperparameter controls, and config <-> widgets.
#include "panels/train_settings_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "bp/models/zoo.h"
#include "bp/train/recipe.h"
#include "core/app_settings.h"
#include "layer_diagram.h"
#include "panels/device_picker.h"
#include "plot_style.h"
#include "tools/model_tools.h"

namespace {

struct Choice {
    const char* name;
    const char* tip;
};
const Choice kOptimizers[] = {
    {"sgd", "Plain stochastic gradient descent: step against the gradient, scaled by the learning rate."},
    {"momentum", "SGD with momentum 0.9: keeps a running velocity so steps build up along consistent directions."},
    {"nesterov", "Nesterov momentum: like momentum, but looks ahead along the velocity before taking the gradient."},
    {"adam", "Adam: adapts a step size per weight from running averages of the gradient and its square."},
    {"adamw", "AdamW: Adam with weight decay applied directly to the weights instead of through the gradient."},
};

const Choice kSchedules[] = {
    {"none", "Keep the learning rate the same for the whole run."},
    {"step", "Halve the learning rate after every epoch; the chart marks each change."},
    {"cosine", "Lower the learning rate smoothly along a cosine curve, reaching 0 at the end of the run."},
    {"onecycle", "One cycle: warm up from a tenth of the learning rate to all of it over the first fifth of the run, "
                 "then lower it in a straight line to 0 at the end."},
};

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

void selectData(QComboBox* combo, const QString& value) {
    const int i = combo->findData(value);
    if (i >= 0) combo->setCurrentIndex(i);
}

}  // namespace

TrainSettingsPanel::TrainSettingsPanel(QWidget* parent) : QWidget(parent) {
    setFixedWidth(360);
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(12);

    // Model
    auto* modelBox = new QGroupBox(tr("Model"));
    auto* mv = new QVBoxLayout(modelBox);
    m_model = new QComboBox;
    m_model->setObjectName(QStringLiteral("train.model"));
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
    m_diagram->setObjectName(QStringLiteral("train.diagram"));
    m_diagram->setToolTip(tr("The layers an image passes through, top to bottom, with the shape each one outputs."));
    m_continue = new QCheckBox(tr("Continue from the current model"));
    m_continue->setToolTip(tr("Start from the weights of the model opened or trained last, instead of fresh random ones."));
    m_continue->setVisible(false);
    const bp::train::Recipe& speedrun = bp::train::find_recipe("speedrun");
    m_speedrun = new QPushButton(tr("99% in seconds"));
    m_speedrun->setObjectName(QStringLiteral("train.speedrun"));
    m_speedrun->setToolTip(tr("Load the speedrun recipe: %1 Then press Start and watch the stopwatch.")
                               .arg(QString::fromStdString(speedrun.description)));
    connect(m_speedrun, &QPushButton::clicked, this, [this] { applyRecipe("speedrun"); });
    mv->addWidget(m_speedrun);
    mv->addWidget(m_model);
    mv->addWidget(m_modelDescription);
    mv->addWidget(m_modelParams);
    mv->addWidget(m_diagram);
    mv->addWidget(m_continue);
    connect(m_continue, &QCheckBox::toggled, this, &TrainSettingsPanel::updateModelInfo);
    connect(m_model, &QComboBox::currentIndexChanged, this, &TrainSettingsPanel::updateModelInfo);
    connect(m_model, &QComboBox::activated, this, &TrainSettingsPanel::applyModelDefaults);  // user picks only
    v->addWidget(modelBox);

    // Hyperparameters
    auto* hpBox = new QGroupBox(tr("Hyperparameters"));
    auto* form = new QFormLayout(hpBox);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    form->setVerticalSpacing(8);

    m_optimizer = new QComboBox;
    m_optimizer->setObjectName(QStringLiteral("train.optimizer"));
    for (const Choice& o : kOptimizers) {
        m_optimizer->addItem(QString::fromLatin1(o.name), QString::fromLatin1(o.name));
        m_optimizer->setItemData(m_optimizer->count() - 1, tr(o.tip), Qt::ToolTipRole);
    }
    m_optimizer->setToolTip(tr("The rule that turns gradients into weight updates."));

    m_lr = new QDoubleSpinBox;
    m_lr->setObjectName(QStringLiteral("train.lr"));
    m_lr->setDecimals(5);
    m_lr->setRange(1e-5, 1.0);
    m_lr->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    m_lr->setKeyboardTracking(false);  // a change mid-run applies on Enter or an arrow, not per keystroke
    m_lr->setToolTip(tr("How big each update step is: too small learns slowly, too large makes the loss jump or explode. "
                        "It can be changed while training; the loss chart marks the change."));
    connect(m_lr, &QDoubleSpinBox::valueChanged, this, &TrainSettingsPanel::learningRateEdited);

    m_schedule = new QComboBox;
    m_schedule->setObjectName(QStringLiteral("train.schedule"));
    for (const Choice& o : kSchedules) {
        m_schedule->addItem(QString::fromLatin1(o.name), QString::fromLatin1(o.name));
        m_schedule->setItemData(m_schedule->count() - 1, tr(o.tip), Qt::ToolTipRole);
    }
    m_schedule->setToolTip(tr("How the learning rate changes during the run: big steps early, finer ones later."));

    m_batch = new QSpinBox;
    m_batch->setObjectName(QStringLiteral("train.batch_size"));
    m_batch->setRange(1, 4096);
    m_batch->setToolTip(tr("How many images are averaged into one gradient step; larger is smoother but takes fewer steps."));

    m_epochCount = new QSpinBox;
    m_epochCount->setObjectName(QStringLiteral("train.epochs"));
    m_epochCount->setRange(1, 100);
    m_epochCount->setToolTip(tr("How many times training goes through all the training images."));

    m_seed = new QSpinBox;
    m_seed->setObjectName(QStringLiteral("train.seed"));
    m_seed->setRange(0, 2147483647);
    m_seed->setToolTip(tr("Starting point of the random numbers (initial weights, shuffling): the same seed gives the same run."));

    m_weightDecay = new QDoubleSpinBox;
    m_weightDecay->setObjectName(QStringLiteral("train.weight_decay"));
    m_weightDecay->setDecimals(5);
    m_weightDecay->setRange(0.0, 1.0);
    m_weightDecay->setSingleStep(1e-4);
    m_weightDecay->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    m_weightDecay->setToolTip(tr("Regularisation: every step also pulls each weight towards zero by this fraction of it "
                                 "(times the learning rate). Small weights make smoother functions that overfit less."));

    m_trainImages = new QSpinBox;
    m_trainImages->setObjectName(QStringLiteral("train.train_limit"));
    m_trainImages->setRange(0, 60000);
    m_trainImages->setSingleStep(1000);
    m_trainImages->setSpecialValueText(tr("all"));
    m_trainImages->setToolTip(tr("Train on only the first N training images, for a quicker run (\"all\" uses every one)."));

    m_testImages = new QSpinBox;
    m_testImages->setObjectName(QStringLiteral("train.test_limit"));
    m_testImages->setRange(0, 10000);
    m_testImages->setSingleStep(500);
    m_testImages->setSpecialValueText(tr("all"));
    m_testImages->setToolTip(tr("Measure accuracy after each epoch on the first N test images, never seen in training."));

    form->addRow(tr("Optimizer"), m_optimizer);
    form->addRow(tr("Learning rate"), m_lr);
    form->addRow(tr("LR schedule"), m_schedule);
    form->addRow(tr("Batch size"), m_batch);
    form->addRow(tr("Epochs"), m_epochCount);
    form->addRow(tr("Weight decay"), m_weightDecay);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Training images"), m_trainImages);
    form->addRow(tr("Test images"), m_testImages);
    m_device = devicepicker::create();
    connect(m_device, &QComboBox::currentIndexChanged, this, [this] { emit deviceChanged(m_device->currentData().toString()); });
    form->addRow(tr("Device"), m_device);
    m_augment = new QCheckBox(tr("Augment training images"));
    m_augment->setObjectName(QStringLiteral("train.augment"));
    m_augment->setToolTip(tr("Randomly shift (±2 px), rotate (±10°) and scale (0.9–1.1×) each training image, so the "
                             "network sees more variety and reads off-centre drawings better. Test images are never changed."));
    form->addRow(QString(), m_augment);
    v->addWidget(hpBox);

    // A short guide for learners and for a class looking at a projector.
    auto* guideBox = new QGroupBox(tr("Reading the chart"));
    auto* gv = new QVBoxLayout(guideBox);
    m_guide = new QLabel(guideText(PlotStyle{}));
    m_guide->setWordWrap(true);
    m_guide->setTextFormat(Qt::RichText);
    gv->addWidget(m_guide);
    v->addWidget(guideBox);
    v->addStretch(1);
}

bp::train::TrainConfig TrainSettingsPanel::config() const {
    bp::train::TrainConfig c;
    c.label_smoothing = m_hidden.label_smoothing;
    c.warmup_fraction = m_hidden.warmup_fraction;
    c.threads = m_hidden.threads;
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
    c.weight_decay = m_weightDecay->value();
    c.device = m_device->currentData().toString().toStdString();
    return c;
}

void TrainSettingsPanel::applyConfig(const bp::train::TrainConfig& c) {
    m_hidden.label_smoothing = c.label_smoothing;
    m_hidden.warmup_fraction = c.warmup_fraction;
    m_hidden.threads = c.threads;
    selectData(m_model, QString::fromStdString(c.model));
    selectData(m_optimizer, QString::fromStdString(c.optimizer));
    m_lr->setValue(c.lr);
    selectData(m_schedule, QString::fromStdString(c.schedule));
    m_batch->setValue(c.batch_size);
    m_epochCount->setValue(c.epochs);
    m_seed->setValue(static_cast<int>(std::min<uint64_t>(c.seed, 2147483647u)));
    m_trainImages->setValue(static_cast<int>(c.train_limit));
    m_testImages->setValue(static_cast<int>(c.test_limit));
    m_augment->setChecked(c.augment.enabled);
    m_weightDecay->setValue(c.weight_decay);
}

void TrainSettingsPanel::applySettings(const TrainSettings& s) {
    const int m = m_model->findData(s.model);
    m_model->setCurrentIndex(m >= 0 ? m : 0);
    selectData(m_optimizer, s.optimizer);
    m_lr->setValue(s.learningRate);
    selectData(m_schedule, s.schedule);
    m_batch->setValue(s.batchSize);
    m_epochCount->setValue(s.epochs);
    m_seed->setValue(static_cast<int>(std::min<qulonglong>(s.seed, 2147483647u)));
    m_trainImages->setValue(static_cast<int>(s.trainImages));
    m_testImages->setValue(static_cast<int>(s.testImages));
    m_augment->setChecked(s.augment);
    m_weightDecay->setValue(s.weightDecay);
    devicepicker::select(m_device, s.device);
    updateModelInfo();
}

TrainSettings TrainSettingsPanel::settings() const {
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
    s.weightDecay = m_weightDecay->value();
    s.device = m_device->currentData().toString();
    return s;
}

void TrainSettingsPanel::setRunning(bool busy, bool stopping) {
    for (QWidget* w : std::initializer_list<QWidget*>{m_model, m_optimizer, m_schedule, m_batch, m_epochCount, m_seed,
                                                      m_trainImages, m_testImages, m_continue, m_augment, m_weightDecay,
                                                      m_speedrun})
        w->setEnabled(!busy);
    m_device->setEnabled(!busy && devicepicker::cudaUsable());  // no choice to make without a GPU
    // The learning rate stays editable during a run: a change applies before the next batch.
    m_lr->setEnabled(!stopping);
}

void TrainSettingsPanel::setImageCounts(qint64 train, qint64 test) {
    m_trainImages->setMaximum(static_cast<int>(train));
    m_testImages->setMaximum(static_cast<int>(test));
}

void TrainSettingsPanel::setInitialModel(std::shared_ptr<const bp::models::Model> model, const QString& source,
                                         bool selectItsArchitecture) {
    m_initialModel = std::move(model);
    m_continue->setVisible(m_initialModel != nullptr);
    if (!m_initialModel) return;
    m_continue->setText(tr("Continue from %1").arg(source));
    if (selectItsArchitecture) selectData(m_model, QString::fromStdString(m_initialModel->name));
    updateModelInfo();
}

bool TrainSettingsPanel::continueChecked() const { return m_continue->isChecked() && m_initialModel; }

void TrainSettingsPanel::applyAppearance(const Appearance& a) {
    m_guide->setText(guideText(PlotStyle::make(a.dark, a.presentation)));  // its colours name the plot's lines
    setFixedWidth(a.presentation ? 430 : 360);
    m_diagram->setDark(a.dark);
}

void TrainSettingsPanel::updateModelInfo() {
    const int i = m_model->currentIndex();
    if (i < 0) return;
    m_modelDescription->setText(m_model->itemData(i, Qt::ToolTipRole).toString());
    const qlonglong params = m_model->itemData(i, Qt::UserRole + 1).toLongLong();
    m_modelParams->setText(tr("%1 trainable parameters").arg(QLocale().toString(params)));
    try {
        const bp::models::Model m = continueChecked() ? *m_initialModel
                                                      : bp::models::create_model(m_model->currentData().toString().toStdString());
        m_diagram->setLayers(modeltools::shapeText(m.input_shape), modeltools::diagramLayers(m));
    } catch (const std::exception&) {
        m_diagram->setLayers(QString(), {});
    }
}

void TrainSettingsPanel::applyRecipe(const std::string& name) {
    const bp::train::Recipe& r = bp::train::find_recipe(name);
    bp::train::TrainConfig c = r.config;
    c.seed = static_cast<uint64_t>(m_seed->value());  // a recipe fixes the schedule, not the luck of the draw
    c.train_limit = 0;                                // all 60,000 training images
    c.test_limit = 0;
    applyConfig(c);
    updateModelInfo();
}

void TrainSettingsPanel::applyModelDefaults() {
    m_hidden = bp::train::TrainConfig{};  // a model picked by hand trains without the recipe's extras
    const bp::models::ModelInfo& info = bp::models::find_model(m_model->currentData().toString().toStdString());
    selectData(m_optimizer, QString::fromStdString(info.defaults.optimizer));
    m_lr->setValue(info.defaults.lr);
    m_batch->setValue(info.defaults.batch_size);
    m_epochCount->setValue(info.defaults.epochs);
}
