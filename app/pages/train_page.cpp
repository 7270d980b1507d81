// train_page.cpp — the Train page: lays out its panels and wires them to the TrainingController; keeps the run's
// record (epochs, config, outcome) for the report and the model files.
#include "pages/train_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QTime>
#include <QVBoxLayout>
#include <cmath>

#include "bp/errors.h"
#include "bp/io/model_file.h"
#include "bp/models/zoo.h"
#include "bp/train/config_keys.h"
#include "bp/train/report.h"
#include "core/app_settings.h"
#include "core/facts.h"
#include "image_grid.h"
#include "panels/confusion_gallery.h"
#include "panels/device_picker.h"
#include "panels/epoch_table.h"
#include "panels/run_buttons.h"
#include "panels/run_status_panel.h"
#include "panels/train_charts_panel.h"
#include "panels/train_settings_panel.h"
#include "tools/model_library.h"
#include "tools/model_tools.h"
#include "tools/run_text.h"

using runtext::percent;

TrainPage::TrainPage(const AppContext& context, QWidget* parent)
    : QWidget(parent), m_context(context), m_controller(new TrainingController(this)) {
    m_settings = new TrainSettingsPanel;
    m_buttons = new RunButtons;
    m_status = new RunStatusPanel;
    m_charts = new TrainChartsPanel;
    m_epochs = new EpochTable;

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->setSpacing(16);
    // The controls scroll when presentation mode's larger text needs more height than the screen has.
    auto* controlsScroll = new QScrollArea;
    controlsScroll->setWidget(m_settings);
    controlsScroll->setWidgetResizable(true);
    controlsScroll->setFrameShape(QFrame::NoFrame);
    controlsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_controlsScroll = controlsScroll;
    auto* left = new QVBoxLayout;
    left->setSpacing(8);
    left->addWidget(controlsScroll, 1);
    left->addWidget(m_buttons);  // under the scrolling controls, so Start is always on screen
    layout->addLayout(left);

    auto* right = new QVBoxLayout;
    right->setContentsMargins(0, 0, 0, 0);
    right->setSpacing(8);
    right->addWidget(m_status);
    right->addWidget(m_charts, 1);
    auto* resultsTitle = new QLabel(tr("Results per epoch"));
    QFont rf = resultsTitle->font();
    rf.setBold(true);
    resultsTitle->setFont(rf);
    right->addWidget(resultsTitle);
    right->addWidget(m_epochs);
    layout->addLayout(right, 1);

    connect(m_buttons->start(), &QPushButton::clicked, this, &TrainPage::startTraining);
    connect(m_buttons->pause(), &QPushButton::clicked, m_controller, &TrainingController::pause);
    connect(m_buttons->resume(), &QPushButton::clicked, m_controller, &TrainingController::resume);
    connect(m_buttons->step(), &QPushButton::clicked, m_controller, &TrainingController::step);
    connect(m_buttons->stop(), &QPushButton::clicked, m_controller, &TrainingController::stop);
    connect(m_settings, &TrainSettingsPanel::learningRateEdited, this, &TrainPage::onLearningRateEdited);
    connect(m_settings, &TrainSettingsPanel::deviceChanged, this,
            [this](const QString& device) { emit deviceStatusChanged(devicepicker::statusText(device)); });
    connect(m_charts, &TrainChartsPanel::confusionCellClicked, this, [this](int r, int c) { showGallery(r, c); });

    connect(m_controller, &TrainingController::stateChanged, this, &TrainPage::onStateChanged);
    connect(m_controller, &TrainingController::dataLoaded, this, &TrainPage::onDataLoaded);
    connect(m_controller, &TrainingController::dataFailed, this, &TrainPage::onDataFailed);
    connect(m_controller, &TrainingController::runStarted, this, &TrainPage::onRunStarted);
    connect(m_controller, &TrainingController::batchesArrived, this, &TrainPage::onBatchesArrived);
    connect(m_controller, &TrainingController::epochFinished, this, &TrainPage::onEpochFinished);
    connect(m_controller, &TrainingController::trainingFinished, this, &TrainPage::onTrainingFinished);
    connect(m_controller, &TrainingController::trainingFailed, this, &TrainPage::onTrainingFailed);
    connect(m_controller, &TrainingController::learningRateChanged, m_charts, &TrainChartsPanel::markLearningRate);
    connect(m_controller, &TrainingController::normLayersChanged, this, [this](const QStringList& layers) {
        m_charts->setNormLayers(layers, static_cast<double>(m_status->progress()->maximum()) * std::max(1, m_runConfig.epochs));
    });
    connect(m_controller, &TrainingController::normsArrived, m_charts, &TrainChartsPanel::appendNorms);

    registerLessonHooks();
    m_settings->applySettings(m_context.settings ? m_context.settings->trainSettings() : TrainSettings{});
    applyAppearance(m_context.appearance);
    updateButtons();
    m_controller->loadData(m_context.dataDirOverride);
    offerRecovery();
    // The model opened or saved last time comes back, ready to continue (quietly skipped if it is gone).
    if (m_context.settings && !m_context.settings->lastModelFile().isEmpty() &&
        QFileInfo::exists(m_context.settings->lastModelFile()))
        openModel(m_context.settings->lastModelFile());
}

TrainPage::~TrainPage() { saveSettings(); }

void TrainPage::publish(const QString& name, const QVariant& value) {
    if (m_context.facts) m_context.facts->set(name, value);
}

void TrainPage::registerLessonHooks() {
    FactRegistry* f = m_context.facts;
    if (!f) return;
    f->addAction(QStringLiteral("train.start"), [this] {
        using S = TrainingController::State;
        if (m_controller->state() == S::Idle) {
            startTraining();
        } else if (m_controller->state() == S::LoadingData) {  // a lesson opened the page a moment ago
            publish(QStringLiteral("run.state"), QStringLiteral("starting"));
            auto* once = new QObject(this);
            connect(m_controller, &TrainingController::dataLoaded, once, [this, once] {
                once->deleteLater();
                startTraining();
            });
        }
    });
    f->addAction(QStringLiteral("train.stop"), [this] { m_controller->stop(); });
    f->addAction(QStringLiteral("train.pause"), [this] { m_controller->pause(); });
    f->addAction(QStringLiteral("train.resume"), [this] { m_controller->resume(); });
    for (const std::string& key : bp::train::config_field_names()) {
        f->addSetter(QString::fromStdString(key), [this, key](const QString& value) -> QString {
            if (m_controller->isBusy()) return tr("a run is going; stop it first");
            bp::train::TrainConfig c = configFromWidgets();
            try {
                bp::train::set_config_field(c, key, value.toStdString());
                c.validate();
            } catch (const std::exception& e) {
                return QString::fromUtf8(e.what());
            }
            applyConfig(c);
            return {};
        });
    }
    f->setSnapshot(QStringLiteral("train"), [this] {
        const bp::train::TrainConfig c = configFromWidgets();
        const auto num = [](double v) { return QString::number(v, 'g', 6); };
        return QList<QPair<QString, QString>>{{QStringLiteral("model"), QString::fromStdString(c.model)},
                                              {QStringLiteral("optimizer"), QString::fromStdString(c.optimizer)},
                                              {QStringLiteral("lr"), num(c.lr)},
                                              {QStringLiteral("schedule"), QString::fromStdString(c.schedule)},
                                              {QStringLiteral("batch_size"), num(c.batch_size)},
                                              {QStringLiteral("epochs"), num(c.epochs)},
                                              {QStringLiteral("weight_decay"), num(c.weight_decay)},
                                              {QStringLiteral("seed"), num(static_cast<double>(c.seed))},
                                              {QStringLiteral("train_limit"), num(static_cast<double>(c.train_limit))},
                                              {QStringLiteral("test_limit"), num(static_cast<double>(c.test_limit))},
                                              {QStringLiteral("augment"), c.augment.enabled ? QStringLiteral("true") : QStringLiteral("false")}};
    });
    publish(QStringLiteral("run.count"), 0.0);
    publish(QStringLiteral("run.state"), QStringLiteral("idle"));
}

void TrainPage::publishEpoch(const bp::train::EpochEvent& e) {
    publish(QStringLiteral("run.epoch"), static_cast<double>(e.epoch + 1));
    publish(QStringLiteral("run.train_loss"), e.train_loss);
    publish(QStringLiteral("run.train_accuracy"), e.train_accuracy);
    publish(QStringLiteral("run.samples_per_second"), e.samples_per_second);
    if (!e.evaluated) return;
    publish(QStringLiteral("run.test_loss"), e.test_loss);
    publish(QStringLiteral("run.test_accuracy"), e.test_accuracy);
    publish(QStringLiteral("run.gap"), e.train_accuracy - e.test_accuracy);
    double best = e.test_accuracy;
    for (const bp::train::EpochEvent& h : m_history)
        if (h.evaluated) best = std::max(best, h.test_accuracy);
    publish(QStringLiteral("run.best_test_accuracy"), best);
    // The confusion matrix's largest off-diagonal cell, and the class recognised worst.
    const bp::train::ClassificationMetrics& m = e.test_metrics;
    int64_t worstCount = -1;
    int worstTrue = 0, worstPred = 0, worstClass = 0;
    double worstAccuracy = 2.0;
    for (int r = 0; r < m.num_classes; ++r) {
        int64_t rowTotal = 0;
        for (int c = 0; c < m.num_classes; ++c) {
            rowTotal += m.confusion[r][c];
            if (r != c && m.confusion[r][c] > worstCount) {
                worstCount = m.confusion[r][c];
                worstTrue = r;
                worstPred = c;
            }
        }
        const double accuracy = rowTotal > 0 ? static_cast<double>(m.confusion[r][r]) / static_cast<double>(rowTotal) : 1.0;
        if (rowTotal > 0 && accuracy < worstAccuracy) {
            worstAccuracy = accuracy;
            worstClass = r;
        }
    }
    if (worstCount >= 0) {
        publish(QStringLiteral("run.most_confused"), QStringLiteral("%1,%2").arg(worstTrue).arg(worstPred));
        publish(QStringLiteral("run.most_confused_count"), static_cast<double>(worstCount));
    }
    if (worstAccuracy <= 1.0) {
        publish(QStringLiteral("run.worst_class"), static_cast<double>(worstClass));
        publish(QStringLiteral("run.worst_class_accuracy"), worstAccuracy);
    }
}

bp::train::TrainConfig TrainPage::configFromWidgets() const { return m_settings->config(); }
void TrainPage::applyConfig(const bp::train::TrainConfig& c) { m_settings->applyConfig(c); }

void TrainPage::startTraining() {
    if (m_settings->continueChecked()) m_controller->start(configFromWidgets(), m_initialModel);
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
    m_appearance = a;
    m_settings->applyAppearance(a);
    m_status->applyAppearance(a);
    m_charts->applyAppearance(a);
    // On a projector the charts matter most: the table gives them room (it scrolls to the last epoch).
    m_epochs->setCompact(a.presentation);
    m_controlsScroll->setFixedWidth(m_settings->width() + 14);  // room for the vertical scroll bar
    m_buttons->setFixedWidth(m_controlsScroll->width());
}

void TrainPage::updateButtons() {
    using S = TrainingController::State;
    const S s = m_controller->state();
    m_buttons->setState(s);
    m_settings->setRunning(m_controller->isBusy(), s == S::Stopping);
}

void TrainPage::onStateChanged(TrainingController::State state) {
    updateButtons();
    using S = TrainingController::State;
    if (state == S::Paused) m_status->setTitle(tr("Paused — Resume to continue, or Step one batch at a time"));
    else if (state == S::Stopping) m_status->setTitle(tr("Stopping after this batch…"));
    else if (state == S::Running && m_lastStep > 0) m_status->setTitle(tr("Training…"));
    if (state == S::Paused) publish(QStringLiteral("run.state"), QStringLiteral("paused"));
    else if (state == S::Running) publish(QStringLiteral("run.state"), QStringLiteral("running"));
    else if (state == S::LoadingData) publish(QStringLiteral("run.state"), QStringLiteral("loading"));
    else if (state == S::NoData) publish(QStringLiteral("run.state"), QStringLiteral("no_data"));
    else if (state == S::Idle && m_runStatus.isEmpty()) publish(QStringLiteral("run.state"), QStringLiteral("idle"));
}

void TrainPage::onDataLoaded(const DataInfo& info) {
    m_status->hideBanner();
    const QLocale loc;
    m_settings->setImageCounts(info.trainCount, info.testCount);
    m_status->setTitle(tr("Ready: press Start to train on MNIST"));
    emit dataStatusChanged(tr("MNIST: %1 training / %2 test images").arg(loc.toString(info.trainCount),
                                                                           loc.toString(info.testCount)));
    updateButtons();
}

void TrainPage::onDataFailed(const QString& message) {
    m_status->showBanner(tr("<b>MNIST is not set up yet, so training is off.</b><br>%1").arg(message.toHtmlEscaped()));
    m_status->setTitle(tr("No training data"));
    emit dataStatusChanged(tr("MNIST: missing — see the banner on the Train page"));
    updateButtons();
}

void TrainPage::onRunStarted(const bp::train::TrainConfig& c) {
    m_epochs->setRowCount(0);
    m_lastStep = 0;
    const qint64 available = m_controller->dataInfo().trainCount;
    const qint64 images = c.train_limit > 0 ? std::min<qint64>(c.train_limit, available) : available;
    const qint64 perEpoch = (images + c.batch_size - 1) / c.batch_size;
    m_charts->runStarted(c, perEpoch);
    m_status->runStarted(c.epochs, perEpoch);
    m_status->setTitle(tr("Training %1 on %2 MNIST images…").arg(m_settings->modelCombo()->currentText(), QLocale().toString(images)));
    m_history.clear();
    m_runConfig = c;
    m_finished = {};
    m_runStatus = QStringLiteral("running");
    if (FactRegistry* f = m_context.facts) {
        f->clear(QStringLiteral("run."));
        publish(QStringLiteral("run.count"), static_cast<double>(m_runsFinished));
        publish(QStringLiteral("run.state"), QStringLiteral("running"));
        publish(QStringLiteral("run.started"), true);
        for (const char* flag : {"run.finished", "run.failed", "run.stopped"}) publish(QString::fromLatin1(flag), false);
        publish(QStringLiteral("run.model"), QString::fromStdString(c.model));
        publish(QStringLiteral("run.optimizer"), QString::fromStdString(c.optimizer));
        publish(QStringLiteral("run.dataset"), QString::fromStdString(c.dataset));
        publish(QStringLiteral("run.schedule"), QString::fromStdString(c.schedule));
        publish(QStringLiteral("run.lr"), c.lr);
        publish(QStringLiteral("run.epochs"), static_cast<double>(c.epochs));
        publish(QStringLiteral("run.batch_size"), static_cast<double>(c.batch_size));
        publish(QStringLiteral("run.train_limit"), static_cast<double>(c.train_limit));
        publish(QStringLiteral("run.weight_decay"), c.weight_decay);
        publish(QStringLiteral("run.seed"), static_cast<double>(c.seed));
        publish(QStringLiteral("run.augment"), c.augment.enabled);
        publish(QStringLiteral("run.epoch"), 0.0);
    }
}

void TrainPage::onBatchesArrived(const QVector<bp::train::BatchEvent>& batches) {
    m_charts->appendBatches(batches);
    if (m_lastStep == 0) publish(QStringLiteral("run.first_loss"), batches.front().loss);
    publish(QStringLiteral("run.last_loss"), batches.back().loss);
    m_lastStep = batches.back().global_step;
    m_status->batchesArrived(batches.back(), m_controller->currentConfig().epochs);
}

void TrainPage::onEpochFinished(const bp::train::EpochEvent& e) {
    m_epochs->addEpoch(e);
    m_history.push_back(e);
    const std::shared_ptr<const EvaluationSnapshot> snap = e.evaluated ? m_controller->latestEvaluation() : nullptr;
    m_charts->addEpoch(e, static_cast<double>(m_lastStep), snap.get());
    if (snap && snap->images && m_gallery && m_gallery->isVisible())
        m_gallery->showCell(*snap, m_gallery->trueClass(), m_gallery->predictedClass());
    m_status->epochFinished(e);
    publishEpoch(e);
    keepForRecovery(e);
}

void TrainPage::keepForRecovery(const bp::train::EpochEvent& e) {
    if (m_context.recoveryPath.isEmpty()) return;
    const std::shared_ptr<const bp::models::Model> model = m_controller->latestModel();
    if (!model) return;
    try {
        QDir().mkpath(QFileInfo(m_context.recoveryPath).absolutePath());
        nlohmann::json summary = {{"epochs", e.epoch + 1}, {"config", m_runConfig.to_json()}, {"interrupted", true}};
        if (e.evaluated) summary["test_accuracy"] = e.test_accuracy;
        bp::io::save_model(m_context.recoveryPath.toStdString(), *model, summary);  // written aside, renamed into place
    } catch (const std::exception& ex) {
        m_status->setStatsText(tr("The model could not be kept for recovery: %1").arg(QString::fromUtf8(ex.what())));
    }
}

void TrainPage::offerRecovery() {
    if (m_context.recoveryPath.isEmpty() || !QFileInfo::exists(m_context.recoveryPath)) return;
    m_recovered = m_context.recoveryPath;
    QString what;
    try {
        const bp::io::LoadedModel loaded = bp::io::load_model(m_recovered.toStdString());
        const nlohmann::json& t = loaded.summary;
        what = tr("%1 after epoch %2").arg(QString::fromStdString(loaded.model.name)).arg(t.value("epochs", 0));
        if (t.contains("test_accuracy")) what += tr(" (test accuracy %1)").arg(percent(t["test_accuracy"].get<double>()));
    } catch (const std::exception& ex) {
        QFile::remove(m_recovered);  // a damaged leftover helps nobody; say so once
        m_recovered.clear();
        m_status->showBanner(tr("<b>A run was interrupted last time, but its model could not be read</b> (%1).")
                                 .arg(QString::fromUtf8(ex.what()).toHtmlEscaped()));
        return;
    }
    m_status->showBanner(tr("<b>A run was interrupted last time.</b> Its model of the last finished epoch is kept: %1. "
                            "<a href=\"recover\">Continue from it</a> · <a href=\"discard\">Discard it</a>")
                             .arg(what.toHtmlEscaped()));
    QLabel* banner = m_status->banner();
    banner->setTextInteractionFlags(Qt::TextBrowserInteraction);
    connect(banner, &QLabel::linkActivated, this, [this](const QString& link) {
        if (link == QLatin1String("recover") && !m_recovered.isEmpty()) {
            if (const QString error = openModel(m_recovered); !error.isEmpty()) {
                m_status->showBanner(error.toHtmlEscaped());
                return;
            }
        }
        if (!m_recovered.isEmpty()) QFile::remove(m_recovered);
        m_recovered.clear();
        m_status->hideBanner();
    });
}

void TrainPage::onTrainingFinished(const bp::train::FinishedEvent& e) {
    m_status->runEnded();
    QString accuracy;
    if (const double a = m_epochs->lastTestAccuracy(); std::isfinite(a)) accuracy = tr(" — test accuracy %1").arg(percent(a));
    if (e.cancelled)
        m_status->setTitle(tr("Stopped after %1, %2%3").arg(runtext::epochs(e.epochs_completed), runtext::seconds(e.total_seconds), accuracy));
    else
        m_status->setTitle(tr("Finished %1 in %2%3").arg(runtext::epochs(e.epochs_completed), runtext::seconds(e.total_seconds), accuracy));
    if (!e.cancelled) m_status->fillProgress();
    m_finished = e;
    m_runStatus = e.cancelled ? QStringLiteral("cancelled") : QStringLiteral("completed");
    // The run ended here and its model is in the session's library: nothing is left to recover.
    if (!m_context.recoveryPath.isEmpty()) QFile::remove(m_context.recoveryPath);
    ++m_runsFinished;
    publish(QStringLiteral("run.count"), static_cast<double>(m_runsFinished));
    publish(QStringLiteral("run.state"), e.cancelled ? QStringLiteral("stopped") : QStringLiteral("finished"));
    publish(e.cancelled ? QStringLiteral("run.stopped") : QStringLiteral("run.finished"), true);
    setInitialModel(m_controller->latestModel(), tr("the model just trained"));
    if (m_context.models && m_controller->latestModel()) {
        QString name = tr("%1 — trained %2").arg(m_settings->modelCombo()->currentText(),
                                                 QTime::currentTime().toString(QStringLiteral("HH:mm:ss")));
        if (!m_history.empty() && m_history.back().evaluated) name += QStringLiteral(" (%1)").arg(percent(m_history.back().test_accuracy, 1));
        m_context.models->addModel(name, QStringLiteral("trained"), m_controller->latestModel());
    }
}

void TrainPage::onTrainingFailed(const QString& message) {
    m_status->runEnded();
    m_status->setTitle(tr("Training failed"));
    m_status->showBanner(tr("<b>Training stopped.</b><br>%1").arg(message.toHtmlEscaped()));
    m_runStatus = QStringLiteral("failed");
    if (!m_context.recoveryPath.isEmpty()) QFile::remove(m_context.recoveryPath);  // its good parameters are kept here
    publish(QStringLiteral("run.state"), QStringLiteral("failed"));
    publish(QStringLiteral("run.failed"), true);
    if (auto model = m_controller->latestModel()) setInitialModel(model, tr("the last good parameters"));
}

void TrainPage::onLearningRateEdited(double lr) {
    if (!m_controller->isBusy()) return;  // before a run it is just the starting rate
    if (!m_controller->setLearningRate(lr)) m_status->setStatsText(tr("The learning rate could not be changed now."));
}

QDialog* TrainPage::showGallery(int trueClass, int predicted) {
    const std::shared_ptr<const EvaluationSnapshot> snap = m_controller->latestEvaluation();
    if (!snap || !snap->images) return nullptr;
    if (!m_gallery) m_gallery = new ConfusionGallery(this);
    m_gallery->showCell(*snap, trueClass, predicted);
    return m_gallery;
}

QDialog* TrainPage::gallery() const { return m_gallery; }
ImageGrid* TrainPage::galleryGrid() const { return m_gallery ? m_gallery->grid() : nullptr; }

void TrainPage::setInitialModel(std::shared_ptr<const bp::models::Model> model, const QString& source) {
    m_initialModel = model;
    m_settings->setInitialModel(std::move(model), source, !m_controller->isBusy());
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
    m_settings->continueCheck()->setChecked(true);
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

void TrainPage::saveSettings() const {
    if (m_context.settings) m_context.settings->setTrainSettings(m_settings->settings());
}

// The widgets, for code and tests, from the panels that hold them.
QTabWidget* TrainPage::chartTabs() const { return m_charts; }
HeatmapView* TrainPage::confusionView() const { return m_charts->confusionView(); }
ImageGrid* TrainPage::samplesGrid() const { return m_charts->samplesGrid(); }
SeriesPlot* TrainPage::epochPlot() const { return m_charts->epochPlot(); }
SeriesPlot* TrainPage::lrPlot() const { return m_charts->lrPlot(); }
SeriesPlot* TrainPage::weightNormPlot() const { return m_charts->weightNormPlot(); }
SeriesPlot* TrainPage::gradNormPlot() const { return m_charts->gradNormPlot(); }
LossPlot* TrainPage::lossPlot() const { return m_charts->lossPlot(); }
LayerDiagram* TrainPage::layerDiagram() const { return m_settings->layerDiagram(); }
QDoubleSpinBox* TrainPage::learningRateSpin() const { return m_settings->learningRateSpin(); }
QCheckBox* TrainPage::augmentCheck() const { return m_settings->augmentCheck(); }
QCheckBox* TrainPage::continueCheck() const { return m_settings->continueCheck(); }
QComboBox* TrainPage::modelCombo() const { return m_settings->modelCombo(); }
QComboBox* TrainPage::scheduleCombo() const { return m_settings->scheduleCombo(); }
QSpinBox* TrainPage::trainImagesSpin() const { return m_settings->trainImagesSpin(); }
QSpinBox* TrainPage::testImagesSpin() const { return m_settings->testImagesSpin(); }
QSpinBox* TrainPage::batchSizeSpin() const { return m_settings->batchSizeSpin(); }
QSpinBox* TrainPage::epochsSpin() const { return m_settings->epochsSpin(); }
QPushButton* TrainPage::startButton() const { return m_buttons->start(); }
QPushButton* TrainPage::pauseButton() const { return m_buttons->pause(); }
QPushButton* TrainPage::resumeButton() const { return m_buttons->resume(); }
QPushButton* TrainPage::stepButton() const { return m_buttons->step(); }
QPushButton* TrainPage::stopButton() const { return m_buttons->stop(); }
QLabel* TrainPage::banner() const { return m_status->banner(); }
QTableWidget* TrainPage::epochTable() const { return m_epochs; }
