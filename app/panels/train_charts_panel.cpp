// train_charts_panel.cpp — layout of the chart tabs and the event -> chart mapping.
#include "panels/train_charts_panel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <cmath>

#include "heatmap_view.h"
#include "image_grid.h"
#include "loss_plot.h"
#include "plot_style.h"
#include "series_plot.h"
#include "tools/run_text.h"

TrainChartsPanel::TrainChartsPanel(QWidget* parent) : QTabWidget(parent) {
    setObjectName(QStringLiteral("train.charts"));
    setDocumentMode(false);
    // Every tab stays visible when space is short (presentation mode on a small screen): titles shorten
    // with an ellipsis instead of sliding behind scroll arrows.
    setUsesScrollButtons(false);
    setElideMode(Qt::ElideRight);
    m_plot = new LossPlot;
    m_plot->setObjectName(QStringLiteral("train.loss_chart"));
    addTab(m_plot, tr("Loss"));

    auto* curves = new QWidget;
    curves->setObjectName(QStringLiteral("train.accuracy_chart"));
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
    addTab(curves, tr("Accuracy"));

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
    m_confusion->setObjectName(QStringLiteral("train.confusion"));
    connect(m_normalize, &QCheckBox::toggled, m_confusion, &HeatmapView::setNormalized);
    connect(m_confusion, &HeatmapView::cellClicked, this, &TrainChartsPanel::confusionCellClicked);
    conv->addLayout(confTop);
    conv->addWidget(m_confusion, 1);
    addTab(confusion, tr("Confusion"));

    auto* samples = new QWidget;
    auto* sv = new QVBoxLayout(samples);
    auto* samplesTitle = new QLabel(tr("The first 16 test images and what the network says they are, with its confidence. "
                                       "Mistakes are framed in red."));
    samplesTitle->setWordWrap(true);
    m_samples = new ImageGrid;
    m_samples->setObjectName(QStringLiteral("train.samples"));
    m_samples->setFitToSize(true, 140);
    m_samples->setEmptyText(tr("Predictions appear after the first epoch."));
    sv->addWidget(samplesTitle);
    sv->addWidget(m_samples, 1);
    addTab(samples, tr("Predictions"));

    auto* flow = new QWidget;
    flow->setObjectName(QStringLiteral("train.norms"));
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
    addTab(flow, tr("Gradients"));
    setTabToolTip(1, tr("Test loss and accuracy per epoch, and the learning rate at every step."));
    setTabToolTip(2, tr("The confusion matrix of the last evaluation: which digits are mistaken for which."));
    setTabToolTip(3, tr("What the network says about the first 16 test images."));
    setTabToolTip(4, tr("Gradient flow: the size of each layer's weights and of their gradients over time."));
}

void TrainChartsPanel::runStarted(const bp::train::TrainConfig& c, qint64 stepsPerEpoch) {
    m_plot->clear();
    m_previousLr = c.lr;
    // A step schedule changes the rate in jumps worth marking; cosine changes it a little every batch.
    m_markLrSteps = c.schedule == "step";
    m_plot->setExpectedSteps(static_cast<double>(stepsPerEpoch * c.epochs));
    m_epochPlot->clearData();
    m_epochPlot->setMinimumXRange(c.epochs);
    m_lrPlot->clearData();
    m_lrPlot->setMinimumXRange(static_cast<double>(stepsPerEpoch * c.epochs));
    m_weightNorms->removeAllSeries();
    m_gradNorms->removeAllSeries();
    m_confusion->clear();
    m_samples->setItems({});
}

void TrainChartsPanel::appendBatches(const QVector<bp::train::BatchEvent>& batches) {
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
}

void TrainChartsPanel::addEpoch(const bp::train::EpochEvent& e, double lastStep, const EvaluationSnapshot* snap) {
    m_epochPlot->appendPoint(m_epochSeries[2], e.epoch + 1, e.train_loss);
    if (!e.evaluated) return;
    m_plot->appendEpochPoint(lastStep, e.test_loss);
    m_epochPlot->appendPoint(m_epochSeries[0], e.epoch + 1, e.test_loss);
    m_epochPlot->appendPoint(m_epochSeries[1], e.epoch + 1, e.test_accuracy);
    // The confusion matrix comes with the event itself; the per-image results come from the snapshot.
    const bp::train::ClassificationMetrics& m = e.test_metrics;
    QVector<double> values;
    QStringList labels;
    for (int r = 0; r < m.num_classes; ++r) {
        labels << QString::number(r);
        for (int col = 0; col < m.num_classes; ++col) values << static_cast<double>(m.confusion[r][col]);
    }
    if (snap && snap->images)
        for (int r = 0; r < m.num_classes; ++r) labels[r] = runtext::className(*snap->images, r);
    m_confusion->setMatrix(m.num_classes, m.num_classes, values, labels, labels);
    if (snap && snap->images) showPredictions(*snap);
}

void TrainChartsPanel::markLearningRate(double lr, qint64 afterStep) {
    // Marked where it takes effect: after the last step drawn so far.
    m_plot->markEvent(static_cast<double>(afterStep), tr("lr → %1").arg(lr, 0, 'g', 3));
}

void TrainChartsPanel::setNormLayers(const QStringList& layers, double expectedSteps) {
    m_weightNorms->removeAllSeries();
    m_gradNorms->removeAllSeries();
    for (int i = 0; i < layers.size(); ++i) {
        m_weightNorms->addSeries(layers[i], i);
        m_gradNorms->addSeries(layers[i], i);
    }
    m_weightNorms->setMinimumXRange(expectedSteps);
    m_gradNorms->setMinimumXRange(expectedSteps);
}

void TrainChartsPanel::appendNorms(const QVector<NormSample>& samples) {
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

void TrainChartsPanel::showPredictions(const EvaluationSnapshot& snap) {
    using runtext::className;
    QVector<ImageGrid::Item> items;
    for (qint64 i = 0; i < std::min<qint64>(16, snap.count()); ++i) {
        const int pred = snap.predictions[static_cast<size_t>(i)];
        const int truth = snap.labels[static_cast<size_t>(i)];
        ImageGrid::Item it;
        it.image = runtext::digitImage(*snap.images, i);
        it.wrong = pred != truth;
        const QString p = runtext::percent(snap.probability(i, pred), 0);
        // A mistake's caption names the truth instead of the confidence (which is in the tooltip): it must fit the tile.
        it.caption = it.wrong ? tr("%1, is %2").arg(className(*snap.images, pred), className(*snap.images, truth))
                              : tr("%1 · %2").arg(className(*snap.images, pred), p);
        it.toolTip = tr("Test image %1: a %2. The network says %3 with %4 confidence.")
                         .arg(i)
                         .arg(className(*snap.images, truth), className(*snap.images, pred), p);
        items << it;
    }
    m_samples->setItems(items);
}

void TrainChartsPanel::applyAppearance(const Appearance& a) {
    const PlotStyle style = PlotStyle::make(a.dark, a.presentation);
    m_plot->setPlotStyle(style);
    for (SeriesPlot* p : {m_epochPlot, m_lrPlot, m_weightNorms, m_gradNorms}) p->setPlotStyle(style);
    m_confusion->setDark(a.dark);
}
