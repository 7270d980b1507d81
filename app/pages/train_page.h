// train_page.h — TrainPage: pick a model from the zoo, set hyperparameters, start/pause/resume/step/stop a
// real training run and watch it: progress, live loss curve, per-epoch test results. Owns its
// TrainingController; if MNIST is missing it says what to run, in a banner, and keeps Start disabled.
#pragma once

#include <QWidget>

#include "page.h"
#include "training_controller.h"

class LossPlot;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

class TrainPage : public QWidget, public AppearanceAware {
    Q_OBJECT
public:
    explicit TrainPage(const AppContext& context, QWidget* parent = nullptr);
    ~TrainPage() override;  // remembers the hyperparameters

    /// The configuration the widgets describe (model, optimizer, lr, batch, epochs, seed, image limits).
    bp::train::TrainConfig configFromWidgets() const;
    /// Shows `config` in the widgets (values outside a widget's range are clamped).
    void applyConfig(const bp::train::TrainConfig& config);
    /// Starts training with what the widgets show (what the Start button does).
    void startTraining();
    /// What Space does: start when idle, pause when running, resume when paused.
    void toggleRun();
    void applyAppearance(const Appearance& appearance) override;

    TrainingController* controller() const { return m_controller; }
    LossPlot* lossPlot() const { return m_plot; }
    QComboBox* modelCombo() const { return m_model; }
    QPushButton* startButton() const { return m_start; }
    QPushButton* pauseButton() const { return m_pause; }
    QPushButton* resumeButton() const { return m_resume; }
    QPushButton* stepButton() const { return m_step; }
    QPushButton* stopButton() const { return m_stop; }
    QLabel* banner() const { return m_banner; }
    QTableWidget* epochTable() const { return m_epochs; }
    QSpinBox* trainImagesSpin() const { return m_trainImages; }
    QSpinBox* testImagesSpin() const { return m_testImages; }
    QSpinBox* batchSizeSpin() const { return m_batch; }
    QComboBox* scheduleCombo() const { return m_schedule; }
    QSpinBox* epochsSpin() const { return m_epochCount; }

signals:
    /// One line for the status bar about the dataset ("MNIST: 60,000 train / 10,000 test images").
    void dataStatusChanged(const QString& text);

private:
    QWidget* buildControls();
    QWidget* buildRunView();
    void updateModelInfo();
    void applyModelDefaults();
    void updateButtons();
    void onStateChanged(TrainingController::State state);
    void onDataLoaded(const DataInfo& info);
    void onDataFailed(const QString& message);
    void onRunStarted(const bp::train::TrainConfig& config);
    void onBatchesArrived(const QVector<bp::train::BatchEvent>& batches);
    void onEpochFinished(const bp::train::EpochEvent& event);
    void onTrainingFinished(const bp::train::FinishedEvent& event);
    void onTrainingFailed(const QString& message);
    void saveSettings() const;
    void loadSettings();

    AppContext m_context;
    TrainingController* m_controller = nullptr;

    QComboBox* m_model = nullptr;
    QLabel* m_modelDescription = nullptr;
    QLabel* m_modelParams = nullptr;
    QComboBox* m_optimizer = nullptr;
    QDoubleSpinBox* m_lr = nullptr;
    QComboBox* m_schedule = nullptr;
    QSpinBox* m_batch = nullptr;
    QSpinBox* m_epochCount = nullptr;
    QSpinBox* m_seed = nullptr;
    QSpinBox* m_trainImages = nullptr;
    QSpinBox* m_testImages = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_pause = nullptr;
    QPushButton* m_resume = nullptr;
    QPushButton* m_step = nullptr;
    QPushButton* m_stop = nullptr;

    QWidget* m_controlsPanel = nullptr;
    QWidget* m_controlsScroll = nullptr;
    QLabel* m_guide = nullptr;
    QLabel* m_banner = nullptr;
    QLabel* m_runTitle = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_stats = nullptr;
    LossPlot* m_plot = nullptr;
    QTableWidget* m_epochs = nullptr;

    qint64 m_lastStep = 0;
    double m_previousLr = 0.0;
    bool m_markLrSteps = false;
};
