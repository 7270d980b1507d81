// train_page.h — TrainPage: pick a model from the zoo (drawn as a layer diagram), set hyperparameters,
// start/pause/resume/step/stop a real training run and watch it: progress, live loss curve (learning-rate
// changes marked; the rate can be changed mid-run), test loss and accuracy per epoch, learning rate per
// step, a confusion matrix whose cells open the test images behind them, sample predictions, per-layer
// weight and gradient norms. Saves, opens and continues models and exports the run's report. Owns its
// TrainingController; if MNIST is missing it says what to run, in a banner, and keeps Start disabled.
#pragma once

#include <QWidget>
#include <memory>
#include <vector>

#include "page.h"
#include "training_controller.h"

class HeatmapView;
class ImageGrid;
class LayerDiagram;
class LossPlot;
class QCheckBox;
class QComboBox;
class QDialog;
class QTabWidget;
class SeriesPlot;
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
    QDialog* gallery() const { return m_gallery; }
    ImageGrid* galleryGrid() const { return m_galleryGrid; }

    TrainingController* controller() const { return m_controller; }
    QTabWidget* chartTabs() const { return m_tabs; }
    HeatmapView* confusionView() const { return m_confusion; }
    ImageGrid* samplesGrid() const { return m_samples; }
    SeriesPlot* epochPlot() const { return m_epochPlot; }
    SeriesPlot* lrPlot() const { return m_lrPlot; }
    SeriesPlot* weightNormPlot() const { return m_weightNorms; }
    SeriesPlot* gradNormPlot() const { return m_gradNorms; }
    LayerDiagram* layerDiagram() const { return m_diagram; }
    QDoubleSpinBox* learningRateSpin() const { return m_lr; }
    QCheckBox* augmentCheck() const { return m_augment; }
    QCheckBox* continueCheck() const { return m_continue; }
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
    void deviceStatusChanged(const QString& text);  // "Device: CPU" / "Device: CUDA (…)" for the status bar

private:
    QWidget* buildControls();
    QWidget* buildRunView();
    void updateModelInfo();
    void applyModelDefaults();
    void updateButtons();
    void onDeviceChanged();
    void onStateChanged(TrainingController::State state);
    void onDataLoaded(const DataInfo& info);
    void onDataFailed(const QString& message);
    void onRunStarted(const bp::train::TrainConfig& config);
    void onBatchesArrived(const QVector<bp::train::BatchEvent>& batches);
    void onEpochFinished(const bp::train::EpochEvent& event);
    void onTrainingFinished(const bp::train::FinishedEvent& event);
    void onTrainingFailed(const QString& message);
    void onLearningRateEdited(double lr);
    void onLearningRateChanged(double lr, qint64 afterStep);
    void onNormLayersChanged(const QStringList& layers);
    void onNormsArrived(const QVector<NormSample>& samples);
    void updateEvaluationViews();
    void setInitialModel(std::shared_ptr<const bp::models::Model> model, const QString& source);
    QString dialogDirectory() const;
    void rememberDirectory(const QString& file);
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
    QComboBox* m_device = nullptr;  // devicepicker: CPU / CUDA
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
    QWidget* m_runBox = nullptr;
    QLabel* m_guide = nullptr;
    QLabel* m_banner = nullptr;
    QLabel* m_runTitle = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_stats = nullptr;
    LossPlot* m_plot = nullptr;
    QTableWidget* m_epochs = nullptr;

    QCheckBox* m_augment = nullptr;
    QCheckBox* m_continue = nullptr;
    LayerDiagram* m_diagram = nullptr;
    QTabWidget* m_tabs = nullptr;
    SeriesPlot* m_epochPlot = nullptr;
    SeriesPlot* m_lrPlot = nullptr;
    HeatmapView* m_confusion = nullptr;
    QCheckBox* m_normalize = nullptr;
    ImageGrid* m_samples = nullptr;
    QLabel* m_samplesTitle = nullptr;
    SeriesPlot* m_weightNorms = nullptr;
    SeriesPlot* m_gradNorms = nullptr;
    QDialog* m_gallery = nullptr;
    ImageGrid* m_galleryGrid = nullptr;
    QLabel* m_galleryTitle = nullptr;
    int m_epochSeries[3] = {-1, -1, -1};  // test loss, test accuracy, train loss
    int m_lrSeries = -1;

    std::shared_ptr<const bp::models::Model> m_initialModel;  // Start continues from it when m_continue is checked
    std::vector<bp::train::EpochEvent> m_history;              // the last run's epochs, for the report
    bp::train::TrainConfig m_runConfig;
    bp::train::FinishedEvent m_finished;
    QString m_runStatus;  // "" before any run, else completed | cancelled | failed | running
    Appearance m_appearance;
    qint64 m_lastStep = 0;
    double m_previousLr = 0.0;
    bool m_markLrSteps = false;
};
