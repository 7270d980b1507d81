// series_plot.cpp — SeriesPlot on QCustomPlot; every change ends in one queued replot.
#include "series_plot.h"

#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

SeriesPlot::SeriesPlot(const QString& xLabel, const QString& yLabel, QWidget* parent)
    : QWidget(parent), m_plot(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setMinimumSize(240, 160);
    m_plot->xAxis->setLabel(xLabel);
    m_plot->yAxis->setLabel(yLabel);
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    plotstyle::installHoverTips(m_plot, xLabel);
    applyStyle();
    rescale();
}

int SeriesPlot::addSeries(const QString& name, int colorIndex, bool rightAxis, bool markers, Qt::PenStyle penStyle) {
    if (rightAxis) {
        m_plot->yAxis2->setVisible(true);
        m_plot->yAxis2->setTickLabels(true);
    }
    QCPGraph* g = m_plot->addGraph(m_plot->xAxis, rightAxis ? m_plot->yAxis2 : m_plot->yAxis);
    g->setName(name);
    g->setAdaptiveSampling(true);
    m_series.push_back({g, colorIndex, markers, penStyle});
    applyStyle();
    return static_cast<int>(m_series.size()) - 1;
}

QCPGraph* SeriesPlot::graph(int series) const {
    return series >= 0 && series < seriesCount() ? m_series[static_cast<size_t>(series)].graph : nullptr;
}

void SeriesPlot::appendPoints(int series, const QVector<double>& xs, const QVector<double>& ys) {
    QCPGraph* g = graph(series);
    const qsizetype n = std::min(xs.size(), ys.size());
    if (!g || n == 0) return;
    g->addData(xs.first(n), ys.first(n), true);
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SeriesPlot::clearData() {
    for (Series& s : m_series) s.graph->data()->clear();
    m_minX = 0.0;
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SeriesPlot::removeAllSeries() {
    m_plot->clearGraphs();
    m_series.clear();
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SeriesPlot::setTitle(const QString& title) {
    m_title = title;
    if (m_plot->plotLayout()->rowCount() == 1) {
        m_plot->plotLayout()->insertRow(0);
        m_plot->plotLayout()->addElement(0, 0, new QCPTextElement(m_plot, title));
    } else if (auto* t = qobject_cast<QCPTextElement*>(m_plot->plotLayout()->element(0, 0))) {
        t->setText(title);
    }
    applyStyle();
}

void SeriesPlot::setRightAxisLabel(const QString& label) { m_plot->yAxis2->setLabel(label); }

void SeriesPlot::setRightRange(double lo, double hi) {
    m_fixedRight = true;
    m_plot->yAxis2->setRange(lo, hi);
}

void SeriesPlot::setLogY(bool on) {
    m_logY = on;
    m_plot->yAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on) m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    else m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SeriesPlot::setMinimumXRange(double hi) {
    m_minX = std::max(0.0, hi);
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SeriesPlot::setPlotStyle(const PlotStyle& style) {
    if (style == m_style) return;
    m_style = style;
    applyStyle();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SeriesPlot::applyStyle() {
    plotstyle::apply(m_plot, m_style, font());
    const double w = m_style.lineScale;
    for (const Series& s : m_series) {
        const QColor c = plotstyle::seriesColor(m_style, s.colorIndex);
        s.graph->setPen(QPen(c, 2.0 * w, s.penStyle));
        if (s.markers)
            s.graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(c, 2 * w),
                                                     QBrush(plotstyle::background(m_style)), 8 * std::sqrt(w)));
    }
    if (m_plot->plotLayout()->rowCount() > 1)
        if (auto* t = qobject_cast<QCPTextElement*>(m_plot->plotLayout()->element(0, 0))) {
            t->setFont(plotstyle::font(font(), m_style, 1.15, true));
            t->setTextColor(plotstyle::foreground(m_style));
        }
}

void SeriesPlot::rescale() {
    double xMax = std::max(m_minX, 1.0), xMin = 0.0;
    double lo = INFINITY, hi = -INFINITY, lo2 = INFINITY, hi2 = -INFINITY;
    for (const Series& s : m_series) {
        const bool right = s.graph->valueAxis() == m_plot->yAxis2;
        for (auto it = s.graph->data()->constBegin(); it != s.graph->data()->constEnd(); ++it) {
            if (!std::isfinite(it->value) || (m_logY && !right && it->value <= 0)) continue;
            xMax = std::max(xMax, it->key);
            double& l = right ? lo2 : lo;
            double& h = right ? hi2 : hi;
            l = std::min(l, it->value);
            h = std::max(h, it->value);
        }
    }
    m_plot->xAxis->setRange(xMin, xMax * 1.02);
    if (!std::isfinite(lo)) {
        lo = m_logY ? 1e-3 : 0.0;
        hi = 1.0;
    }
    if (m_logY) {
        m_plot->yAxis->setRange(lo / 1.5, std::max(hi * 1.5, lo * 10));
    } else {
        const double pad = hi > lo ? (hi - lo) * 0.08 : std::max(std::abs(hi) * 0.1, 1e-6);
        m_plot->yAxis->setRange(lo >= 0 && lo - pad < 0 ? 0.0 : lo - pad, hi + pad);
    }
    if (!m_fixedRight && std::isfinite(lo2)) {
        const double pad = hi2 > lo2 ? (hi2 - lo2) * 0.08 : std::max(std::abs(hi2) * 0.1, 1e-6);
        m_plot->yAxis2->setRange(lo2 - pad, hi2 + pad);
    }
}

void SeriesPlot::setIntegerX(bool on) {
    if (on) {
        auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
        ticker->setTickStep(1.0);
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);  // 1, 2, 5, 10 … epochs apart when many
        m_plot->xAxis->setTicker(ticker);
    } else {
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}
