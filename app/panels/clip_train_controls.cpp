// clip_train_controls.cpp — see clip_train_controls.h.
#include "panels/clip_train_controls.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QLocale>
#include <QVBoxLayout>
#include <cmath>

ClipTrainControls::ClipTrainControls(ClipController* controller, const QString& dataDir, QWidget* parent)
    : QWidget(parent), m_clip(controller), m_dataDir(dataDir) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* what = new QGroupBox(tr("CLIP-mini: pictures and words in one space"));
    auto* wv = new QVBoxLayout(what);
    auto* explain = new QLabel(
        tr("Two networks learn together: a small CNN reads a picture, a small transformer reads a caption, and both "
           "turn what they read into an arrow of 64 numbers. Training shows a batch of pictures with their captions "
           "(\"a thick seven leaning right\", measured on each picture) and pulls every picture's arrow towards its "
           "own caption's and away from the others'.<br><br>"
           "<b>Watch</b> the similarity matrix: row = picture, column = caption. At first it is grey noise; as the "
           "model learns, the diagonal (each picture with its own caption) lights up.<br><br>"
           "Then <b>search</b> the test pictures with a caption you type, and see how well it "
           "<b>classifies without ever being taught classes</b> (zero-shot): each picture goes to the class whose "
           "caption it is most similar to, with caption templates it never saw in training."));
    explain->setWordWrap(true);
    explain->setObjectName(QStringLiteral("clip.explanation"));
    wv->addWidget(explain);
    layout->addWidget(what);

    auto* box = new QGroupBox(tr("Train"));
    auto* g = new QGridLayout(box);
    m_dataset = new QComboBox;
    m_dataset->setObjectName(QStringLiteral("clip.dataset"));
    m_dataset->addItem(tr("MNIST digits"), QStringLiteral("mnist"));
    m_dataset->addItem(tr("Fashion-MNIST clothes"), QStringLiteral("fashion-mnist"));
    m_steps = new QSpinBox;
    m_steps->setObjectName(QStringLiteral("clip.steps"));
    m_steps->setRange(5, 20000);
    m_steps->setSingleStep(100);
    m_steps->setValue(400);
    m_steps->setToolTip(tr("Optimizer steps of 64 picture–caption pairs each (each batch's other 63 captions are the "
                           "wrong answers)."));
    m_train = new QPushButton(tr("Train"));
    m_train->setObjectName(QStringLiteral("clip.train"));
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setToolTip(tr("Stop training; the model as it is now is kept."));
    m_open = new QPushButton(tr("Open…"));
    m_open->setToolTip(tr("A CLIP-mini saved here or by `backprop train-clip --out FILE`."));
    m_save = new QPushButton(tr("Save…"));
    m_progress = new QProgressBar;
    m_status = new QLabel(tr("No CLIP-mini yet: train one (400 steps: a minute or two on 2 cores) or open a saved one."));
    m_status->setObjectName(QStringLiteral("clip.status"));
    m_status->setWordWrap(true);
    m_modelInfo = new QLabel;
    m_modelInfo->setWordWrap(true);
    g->addWidget(new QLabel(tr("Pictures")), 0, 0);
    g->addWidget(m_dataset, 0, 1, 1, 3);
    g->addWidget(new QLabel(tr("Steps")), 1, 0);
    g->addWidget(m_steps, 1, 1);
    g->addWidget(m_train, 1, 2);
    g->addWidget(m_stop, 1, 3);
    g->addWidget(m_open, 2, 2);
    g->addWidget(m_save, 2, 3);
    g->addWidget(m_progress, 3, 0, 1, 4);
    g->addWidget(m_status, 4, 0, 1, 4);
    g->addWidget(m_modelInfo, 5, 0, 1, 4);
    layout->addWidget(box);

    connect(m_train, &QPushButton::clicked, this, &ClipTrainControls::train);
    connect(m_stop, &QPushButton::clicked, m_clip, &ClipController::stop);
    connect(m_clip, &ClipController::runningChanged, this, [this](bool running) {
        m_train->setEnabled(!running);
        m_stop->setEnabled(running);
        m_open->setEnabled(!running);
        m_dataset->setEnabled(!running);
    });
    connect(m_clip, &ClipController::stepsArrived, this, [this](const QVector<bp::train::ClipStepEvent>& s) {
        const bp::train::ClipStepEvent& e = s.back();
        m_progress->setMaximum(e.steps);
        m_progress->setValue(e.step);
        m_status->setText(tr("Step %1 of %2: contrastive loss %3 (chance: ln %4 = %5), temperature %6, %7 pictures/s, "
                             "about %8 s left")
                              .arg(e.step).arg(e.steps).arg(e.loss, 0, 'f', 3).arg(config().batchSize)
                              .arg(std::log(config().batchSize), 0, 'f', 2).arg(e.temperature, 0, 'f', 3)
                              .arg(e.images_per_second, 0, 'f', 0).arg(e.eta_seconds, 0, 'f', 0));
    });
    connect(m_clip, &ClipController::ready, this, [this](std::shared_ptr<const ClipModel> m, bool stopped) {
        m_progress->setValue(m_progress->maximum());
        m_status->setText(stopped ? tr("Stopped: the model as it was is used in the views.")
                                  : tr("Ready: search with a caption, see zero-shot accuracy, or draw on the Draw page."));
        setModel(std::move(m));
    });
    connect(m_clip, &ClipController::failed, this, [this](const QString& message) { m_status->setText(tr("Failed: %1").arg(message)); });
    connect(m_open, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a CLIP-mini"), QString(), tr("Models (*.safetensors)"));
        if (path.isEmpty()) return;
        if (const QString error = openModel(path); !error.isEmpty()) m_status->setText(error);
    });
    connect(m_save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save CLIP-mini"), QStringLiteral("clip.safetensors"),
                                                          tr("Models (*.safetensors)"));
        if (path.isEmpty()) return;
        const QString error = saveModel(path);
        m_status->setText(error.isEmpty() ? tr("Saved %1.").arg(QFileInfo(path).fileName()) : error);
    });
    m_stop->setEnabled(false);
    m_save->setEnabled(false);
}

ClipRunConfig ClipTrainControls::config() const {
    ClipRunConfig c;
    c.dataset = m_dataset->currentData().toString().toStdString();
    c.steps = m_steps->value();
    c.trainLimit = m_trainLimit;
    c.testImages = m_testImages;
    c.similarityEvery = std::max(1, std::min(10, c.steps / 40));
    c.evalEvery = std::max(10, c.steps / 8);
    c.dataDir = m_dataDir.toStdString();
    return c;
}

void ClipTrainControls::setLimits(int64_t trainLimit, int64_t testImages) {
    m_trainLimit = trainLimit;
    m_testImages = testImages;
}

void ClipTrainControls::setDataset(const std::string& dataset) {
    const int i = m_dataset->findData(QString::fromStdString(dataset));
    if (i >= 0) m_dataset->setCurrentIndex(i);
}

void ClipTrainControls::setModel(std::shared_ptr<const ClipModel> model) {
    m_model = std::move(model);
    m_save->setEnabled(m_model != nullptr);
    if (!m_model) {
        m_modelInfo->clear();
        return;
    }
    const auto& s = m_model->summary;
    m_modelInfo->setText(tr("Model: %1 parameters, trained on %2%3; temperature %4.")
                             .arg(QLocale().toString(static_cast<qlonglong>(m_model->model->parameter_count())))
                             .arg(cliptools::datasetTitle(m_model->dataset))
                             .arg(s.contains("steps_completed") ? tr(" for %1 steps").arg(s["steps_completed"].get<int>()) : QString())
                             .arg(m_model->model->temperature(), 0, 'f', 3));
}

bool ClipTrainControls::train() {
    if (!m_clip->start(config())) return false;
    m_progress->setMaximum(m_steps->value());
    m_progress->setValue(0);
    m_status->setText(tr("Loading and captioning the pictures…"));
    return true;
}

QString ClipTrainControls::openModel(const QString& path) {
    if (!QFileInfo::exists(path)) return tr("%1 does not exist.").arg(path);
    ClipRunConfig c = config();
    if (!m_clip->open(path, c)) return tr("Wait for the run to finish (or stop it) before opening a model.");
    m_status->setText(tr("Opening %1 and embedding the test pictures…").arg(QFileInfo(path).fileName()));
    return {};
}

QString ClipTrainControls::saveModel(const QString& path) {
    if (!m_model) return tr("There is no CLIP-mini to save yet: train one first.");
    try {
        bp::io::save_clip(path.toStdString(), *m_model->model, m_model->vocab,
                          {{"dataset", m_model->dataset}, {"thresholds", m_model->thresholds.to_json()}}, m_model->summary);
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}
