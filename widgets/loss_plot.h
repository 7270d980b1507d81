// loss_plot.h — LossPlot: a live training-loss chart (raw per-batch loss, its exponential moving average,
// test loss per epoch, vertical event markers). It takes plain numbers in bulk and replots queued, so a
// GUI timer can feed it thousands of points a second. It knows nothing of the engine.
#pragma once

#include <QString>
#include <QVector>
#include <QWidget>

#include "plot_style.h"

class QCheckBox;
class QCustomPlot;
class QCPGraph;

class LossPlot : public QWidget {
    Q_OBJECT
public:
    explicit LossPlot(QWidget* parent = nullptr);

    /// Appends per-batch losses (steps ascending, same length as losses) and replots once, queued.
    /// Example: plot->appendBatchLoss({1, 2, 3}, {2.3, 2.1, 1.9});
    void appendBatchLoss(const QVector<double>& steps, const QVector<double>& losses);
    /// Adds one test-loss marker at the step where an epoch ended.
    void appendEpochPoint(double step, double testLoss);
    /// Draws a labelled vertical line at `step` (e.g. "lr 0.01" when the learning rate changes).
    void markEvent(double step, const QString& label);
    /// Removes all data and markers (the expected step range too).
    void clear();

    /// The x axis spans at least [0, steps] from the start, so a learner sees how far the run has to go.
    void setExpectedSteps(double steps);
    /// Weight of the previous smoothed value in the moving average, in [0, 1). Default 0.9.
    void setSmoothing(double beta);
    double smoothing() const { return m_beta; }
    void setLogScale(bool on);
    bool logScale() const { return m_logY; }

    /// Colours, text size and line widths (see PlotStyle). Example: plot->setPlotStyle(PlotStyle::make(true, false));
    void setPlotStyle(const PlotStyle& style);
    const PlotStyle& plotStyle() const { return m_style; }
    /// Presentation mode: text 1.5× and lines 2× (the line scale can also be set alone).
    void setPresentation(bool on);
    void setLineScale(double scale);
    double lineScale() const { return m_style.lineScale; }
    void setDarkTheme(bool dark);

    /// Renders the chart alone to a PNG of exactly w×h pixels.
    bool savePng(const QString& path, int width, int height);

    // Read access for tests and for pages that want to style or inspect the chart.
    QCustomPlot* plot() const { return m_plot; }
    QCPGraph* rawGraph() const { return m_raw; }
    QCPGraph* smoothedGraph() const { return m_smooth; }
    QCPGraph* testGraph() const { return m_test; }
    int markerCount() const { return m_markerCount; }

private:
    void rescale();
    void applyStyle();
    void recomputeSmoothed();

    QCustomPlot* m_plot = nullptr;
    QCheckBox* m_logBox = nullptr;
    QCPGraph* m_raw = nullptr;
    QCPGraph* m_smooth = nullptr;
    QCPGraph* m_test = nullptr;
    double m_beta = 0.9;
    double m_lastSmoothed = 0.0;
    bool m_hasSmoothed = false;
    double m_expectedSteps = 0.0;
    double m_maxStep = 0.0;
    bool m_logY = false;
    int m_markerCount = 0;
    PlotStyle m_style;
};
