// chart_spec.h — ChartSpec: a chart as plain data (kind, titles with units, axes, categories or bins, series),
// so that the benchmark charts can be built, drawn, exported and compared in tests without knowing where the
// numbers came from. BenchChart (bench_chart.h) draws one; chart_export.h writes it to files.
#pragma once

#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>
#include <utility>

struct ChartSeries {
    ChartSeries() = default;
    explicit ChartSeries(QString name_, QVector<QPointF> points_ = {}, QVector<double> values_ = {})
        : name(std::move(name_)), points(std::move(points_)), values(std::move(values_)) {}
    QString name;
    QVector<QPointF> points;  ///< Lines, Scatter: (x, y)
    QVector<double> values;   ///< Bars: one per category; Histogram: one per bin (NaN: no value)
    bool dashed = false;      ///< drawn dashed (a comparison run)
    bool reference = false;   ///< an ideal or identity line: neutral colour, dashed, not data
};

struct ChartSpec {
    enum class Kind { Bars, HorizontalBars, Lines, Scatter, Histogram };
    QString id;        ///< file name stem: "ops_speed"
    QString title;     ///< "Op speed: forward + backward"
    QString shortTitle;  ///< for lists: "Op speed vs PyTorch" (empty: the title)
    QString subtitle;  ///< one line under the title (machine, what the ratio means)
    Kind kind = Kind::Lines;
    QString xTitle, yTitle;  ///< with units: "time per call (ms, log scale)"
    bool logX = false, logY = false;
    QStringList categories;       ///< Bars / HorizontalBars: one per group
    QStringList annotations;      ///< Bars / HorizontalBars: text beside each group ("1.31× faster"), may be empty
    QVector<double> binEdges;     ///< Histogram: bins+1 edges (x axis)
    QVector<ChartSeries> series;
};

QString chartKindName(ChartSpec::Kind kind);  ///< "bars", "horizontal-bars", "lines", "scatter", "histogram"
