// train_page.h — TrainPage: pick a model from the zoo (drawn as a layer diagram), set hyperparameters,
// start/pause/resume/step/stop a real training run and watch it: progress, live loss curve (learning-rate
// changes marked; the rate can be changed mid-run), test loss and accuracy per epoch, learning rate per
// step, a confusion matrix whose cells open the test images behind them, sample predictions, per-layer
// weight and gradient norms. Saves, opens and continues models and exports the run's report. Owns its
// TrainingController; if MNIST is missing it says what to run, in a banner, and keeps Start disabled.
// This file lays out the panels (panels/train_settings_panel, run_buttons, run_status_panel, train_charts_panel,
// epoch_table, confusion_gallery) and wires them to the controller; the panels hold the widgets.
#pragma once

#include <QWidget>
#include <memory>
#include <vector>

#include "core/page.h"
#include "controllers/training_controller.h"

class ConfusionGallery;
class EpochTable;
class HeatmapView;
class ImageGrid;
class LayerDiagram;
class LossPlot;
class QCheckBox;
class QComboBox;
class QDialog;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTabWidget;
class RunButtons;
class RunStatusPanel;
class SeriesPlot;
class TrainChartsPanel;
class TrainSettingsPanel;

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

    /// Writes the latest model of this session (trained or opened) as safetensors. Empty, or the error.
    QString saveModel(const QString& path);
    /// Loads a model file; it becomes the one that Start continues from. Empty, or the error (a corrupt
    /// file, or a model for another input shape than the dataset's).
    QString openModel(const QString& path);
    /// Writes the last run's report (bp::train::training_report) as JSON, atomically. Empty, or the error.
    QString exportReport(const QString& path);
    // The same with a file dialog and a message box on failure (File menu: Ctrl+S, Ctrl+O, Ctrl+E).
    void saveModelWithDialog();
    void openModelWithDialog();
    void exportReportWithDialog();
    /// The model a Start would continue from (opened, or trained in this session), else null.
    std::shared_ptr<const bp::models::Model> currentModel() const;
    /// Opens (or refreshes) the gallery of test images with true class `trueClass` predicted as `predicted`.
    QDialog* showGallery(int trueClass, int predicted);
    QDialog* gallery() const;
    ImageGrid* galleryGrid() const;

    TrainingController* controller() const { return m_controller; }
    /// The model of an interrupted run's last finished epoch, if the previous session left one (a crash, a power
    /// cut, quitting mid-run): its file, else empty. "Continue from it" on the banner opens it.
    QString recoveredModel() const { return m_recovered; }
    /// Keeps the last finished epoch's model at the recovery path while a run goes (what a crash may cost is
    /// one epoch); the file is removed when the run ends normally.
    bool isTraining() const { return m_controller->isBusy(); }
    TrainSettingsPanel* settingsPanel() const { return m_settings; }
    TrainChartsPanel* charts() const { return m_charts; }
    QTabWidget* chartTabs() const;
    HeatmapView* confusionView() const;
    ImageGrid* samplesGrid() const;
    SeriesPlot* epochPlot() const;
    SeriesPlot* lrPlot() const;
    SeriesPlot* weightNormPlot() const;
    SeriesPlot* gradNormPlot() const;
    LayerDiagram* layerDiagram() const;
    QDoubleSpinBox* learningRateSpin() const;
    QCheckBox* augmentCheck() const;
    QCheckBox* continueCheck() const;
    LossPlot* lossPlot() const;
    QComboBox* modelCombo() const;
    QPushButton* startButton() const;
    QPushButton* pauseButton() const;
    QPushButton* resumeButton() const;
    QPushButton* stepButton() const;
    QPushButton* stopButton() const;
    QLabel* banner() const;
    QTableWidget* epochTable() const;
    QSpinBox* trainImagesSpin() const;
    QSpinBox* testImagesSpin() const;
    QSpinBox* batchSizeSpin() const;
    QComboBox* scheduleCombo() const;
    QSpinBox* epochsSpin() const;

signals:
    /// One line for the status bar about the dataset ("MNIST: 60,000 train / 10,000 test images").
    void dataStatusChanged(const QString& text);
    void deviceStatusChanged(const QString& text);  // "Device: CPU" / "Device: CUDA (…)" for the status bar

private:
    void registerLessonHooks();  ///< the page's actions and settings by name, in the FactRegistry
    void publish(const QString& name, const QVariant& value);
    void publishEpoch(const bp::train::EpochEvent& e);
    void updateButtons();
    void onStateChanged(TrainingController::State state);
    void onDataLoaded(const DataInfo& info);
    void onDataFailed(const QString& message);
    void onRunStarted(const bp::train::TrainConfig& config);
    void onBatchesArrived(const QVector<bp::train::BatchEvent>& batches);
    void onEpochFinished(const bp::train::EpochEvent& event);
    void onTrainingFinished(const bp::train::FinishedEvent& event);
    void onTrainingFailed(const QString& message);
    void onLearningRateEdited(double lr);
    void setInitialModel(std::shared_ptr<const bp::models::Model> model, const QString& source);
    QString dialogDirectory() const;
    void rememberDirectory(const QString& file);
    void saveSettings() const;
    void keepForRecovery(const bp::train::EpochEvent& e);
    void offerRecovery();

    AppContext m_context;
    TrainingController* m_controller = nullptr;
    TrainSettingsPanel* m_settings = nullptr;
    RunButtons* m_buttons = nullptr;
    RunStatusPanel* m_status = nullptr;
    TrainChartsPanel* m_charts = nullptr;
    EpochTable* m_epochs = nullptr;
    ConfusionGallery* m_gallery = nullptr;  // created by the first click on a confusion cell
    QWidget* m_controlsScroll = nullptr;

    std::shared_ptr<const bp::models::Model> m_initialModel;  // Start continues from it when "Continue" is checked
    std::vector<bp::train::EpochEvent> m_history;              // the last run's epochs, for the report
    bp::train::TrainConfig m_runConfig;
    bp::train::FinishedEvent m_finished;
    QString m_runStatus;  // "" before any run, else completed | cancelled | failed | running
    Appearance m_appearance;
    qint64 m_lastStep = 0;
    int m_runsFinished = 0;
    QString m_recovered;  // an interrupted run's model found at start-up
};
