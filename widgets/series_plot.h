// series_plot.h — SeriesPlot: a small live line chart of named series over a shared x axis, one or two y
// axes, optional log scale, hover tooltips. The Train page uses it for test loss and accuracy per epoch,
// the learning rate per step, and per-layer weight and gradient norms. Plain numbers in, no engine.
#pragma once

#include <QColor>
#include <QString>
#include <QVector>
#include <QWidget>

#include "plot_style.h"

class QCustomPlot;
class QCPGraph;

class SeriesPlot : public QWidget {
    Q_OBJECT
public:
    explicit SeriesPlot(const QString& xLabel, const QString& yLabel, QWidget* parent = nullptr);

    /// Adds a series and returns its index. colorIndex picks from the PlotStyle palette; rightAxis puts it
    /// on a second y axis (labelled by setRightAxisLabel). Example: int acc = p->addSeries("accuracy", 1, true, true);
    int addSeries(const QString& name, int colorIndex, bool rightAxis = false, bool markers = false,
                  Qt::PenStyle penStyle = Qt::SolidLine);
    /// Appends points to one series (x ascending) and replots once, queued.
    void appendPoints(int series, const QVector<double>& xs, const QVector<double>& ys);
    void appendPoint(int series, double x, double y) { appendPoints(series, {x}, {y}); }
    /// Removes the data of every series (the series stay).
    void clearData();
    /// Removes every series.
    void removeAllSeries();

    /// Whole-number ticks on x (epochs): 1, 2, 3 … rather than 0.2, 0.4 … when there are few points.

    void setIntegerX(bool on);

    void setTitle(const QString& title);
    void setRightAxisLabel(const QString& label);
    /// Fixes the right axis to [lo, hi] (e.g. accuracy in [0, 1]) instead of following the data.
    void setRightRange(double lo, double hi);
    void setLogY(bool on);
    void setMinimumXRange(double hi);  ///< the x axis spans at least [0, hi]
    void setPlotStyle(const PlotStyle& style);
    const PlotStyle& plotStyle() const { return m_style; }

    int seriesCount() const { return static_cast<int>(m_series.size()); }
    QCPGraph* graph(int series) const;
    QCustomPlot* plot() const { return m_plot; }

private:
    struct Series {
        QCPGraph* graph;
        int colorIndex;
        bool markers;
        Qt::PenStyle penStyle;
    };
    void applyStyle();
    void rescale();

    QCustomPlot* m_plot = nullptr;
    std::vector<Series> m_series;
    PlotStyle m_style;
    bool m_logY = false;
    bool m_fixedRight = false;
    double m_minX = 0.0;
    QString m_title;
};
