// train_charts_panel.h — the Train page's chart tabs: Loss (per batch, its moving average, test loss per epoch,
// learning-rate changes marked), Accuracy (per epoch, and the learning rate per step), Confusion (the last
// evaluation's matrix; a cell opens its test images), Predictions (the first 16 test images) and Gradients
// (per-layer weight and gradient norms). Fed by the page from the training controller's signals.
#pragma once

#include <QTabWidget>
#include <QVector>

#include "bp/train/trainer.h"
#include "controllers/training_types.h"
#include "core/page.h"

class HeatmapView;
class ImageGrid;
class LossPlot;
class QCheckBox;
class QLabel;
class SeriesPlot;

class TrainChartsPanel : public QTabWidget {
    Q_OBJECT
public:
    explicit TrainChartsPanel(QWidget* parent = nullptr);

    /// Clears every chart for a new run of `config` with `stepsPerEpoch` optimizer steps an epoch.
    void runStarted(const bp::train::TrainConfig& config, qint64 stepsPerEpoch);
    void appendBatches(const QVector<bp::train::BatchEvent>& batches);
    /// An epoch's points; its confusion matrix (labels from `snap` when given) and predictions when evaluated.
    void addEpoch(const bp::train::EpochEvent& e, double lastStep, const EvaluationSnapshot* snap);
    void markLearningRate(double lr, qint64 afterStep);
    void setNormLayers(const QStringList& layers, double expectedSteps);
    void appendNorms(const QVector<NormSample>& samples);
    /// The Predictions tab from the latest evaluation.
    void showPredictions(const EvaluationSnapshot& snap);
    void applyAppearance(const Appearance& a);

    LossPlot* lossPlot() const { return m_plot; }
    SeriesPlot* epochPlot() const { return m_epochPlot; }
    SeriesPlot* lrPlot() const { return m_lrPlot; }
    HeatmapView* confusionView() const { return m_confusion; }
    ImageGrid* samplesGrid() const { return m_samples; }
    SeriesPlot* weightNormPlot() const { return m_weightNorms; }
    SeriesPlot* gradNormPlot() const { return m_gradNorms; }

signals:
    void confusionCellClicked(int trueClass, int predicted);

private:
    LossPlot* m_plot = nullptr;
    SeriesPlot* m_epochPlot = nullptr;
    SeriesPlot* m_lrPlot = nullptr;
    HeatmapView* m_confusion = nullptr;
    QCheckBox* m_normalize = nullptr;
    ImageGrid* m_samples = nullptr;
    SeriesPlot* m_weightNorms = nullptr;
    SeriesPlot* m_gradNorms = nullptr;
    int m_epochSeries[3] = {-1, -1, -1};  // test loss, test accuracy, train loss
    int m_lrSeries = -1;
    double m_previousLr = 0.0;
    bool m_markLrSteps = false;
};
