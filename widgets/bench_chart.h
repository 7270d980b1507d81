// bench_chart.h — BenchChart: a Qt Charts chart drawn from a ChartSpec (grouped bars with annotations, lines
// with dashed ideal lines, scatter with an identity line, histograms on a log axis), styled by a PlotStyle;
// BenchChartView shows one in a page. Plain data in, no engine and no JSON: the page turns results into specs.
#pragma once

#include <QChart>
#include <QChartView>
#include <QFont>
#include <QList>

#include "chart_spec.h"
#include "plot_style.h"

class QGraphicsSimpleTextItem;

class BenchChart : public QChart {
    Q_OBJECT
public:
    /// Example: BenchChart chart(spec, PlotStyle::make(false, false), QApplication::font());
    BenchChart(const ChartSpec& spec, const PlotStyle& style, const QFont& font, QGraphicsItem* parent = nullptr);
    const ChartSpec& spec() const { return m_spec; }
    const PlotStyle& plotStyle() const { return m_style; }
    /// The annotation texts as drawn (one per category of a bar chart; empty texts are not drawn).
    QStringList annotationTexts() const;
    /// Finite values too large for an axis (beyond ±1e300), each named by series and category, e.g.
    /// "'backprop' matmul: 1e+308": they are drawn at the axis end. Empty when every value fits.
    QStringList outOfRangeValues() const;
    /// Lays the chart out at `size` now (no event loop needed) and places the annotations: for exports.
    void layoutAt(const QSizeF& size);

private:
    void build();
    void placeAnnotations();
    ChartSpec m_spec;
    PlotStyle m_style;
    QFont m_font;
    QList<QGraphicsSimpleTextItem*> m_annotations;
};

class BenchChartView : public QChartView {
    Q_OBJECT
public:
    explicit BenchChartView(QWidget* parent = nullptr);
    void setSpec(const ChartSpec& spec);
    void setPlotStyle(const PlotStyle& style);
    const ChartSpec& spec() const { return m_spec; }
    const PlotStyle& plotStyle() const { return m_style; }
    BenchChart* benchChart() const { return m_chart; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void rebuild();
    ChartSpec m_spec;
    PlotStyle m_style;
    BenchChart* m_chart = nullptr;
};
