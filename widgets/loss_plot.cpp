// loss_plot.cpp — LossPlot on QCustomPlot. Data arrives in bulk; every change ends in one queued replot.
#include "loss_plot.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace {

// Light theme first, dark second: the bold trend line must stand out from the background in both.
QColor rawColor(const PlotStyle& s) { return s.dark ? QColor(110, 150, 200, 170) : QColor(100, 155, 210, 190); }
QColor smoothColor(const PlotStyle& s) { return s.dark ? QColor(120, 190, 255) : QColor(8, 69, 148); }
QColor testColor(const PlotStyle& s) { return s.dark ? QColor(255, 150, 70) : QColor(230, 85, 13); }
QColor markerColor(const PlotStyle& s) { return s.dark ? QColor(190, 190, 190) : QColor(100, 100, 100); }

}  // namespace

LossPlot::LossPlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this)) {
    m_logBox = new QCheckBox(tr("Log scale"), this);
    m_logBox->setToolTip(tr("Show the loss on a logarithmic axis: late, small improvements become visible."));
    connect(m_logBox, &QCheckBox::toggled, this, &LossPlot::setLogScale);

    auto* top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addStretch(1);
    top->addWidget(m_logBox);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addWidget(m_plot, 1);
    m_plot->setMinimumSize(320, 220);

    m_plot->xAxis->setLabel(tr("step"));
    m_plot->yAxis->setLabel(tr("loss"));

    m_raw = m_plot->addGraph();
    m_raw->setName(tr("batch loss"));
    m_raw->setAdaptiveSampling(true);

    m_smooth = m_plot->addGraph();
    m_smooth->setName(tr("smoothed"));
    m_smooth->setAdaptiveSampling(true);

    m_test = m_plot->addGraph();
    m_test->setName(tr("test loss (per epoch)"));

    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    plotstyle::installHoverTips(m_plot, tr("step"));

    applyStyle();
    rescale();
}

void LossPlot::appendBatchLoss(const QVector<double>& steps, const QVector<double>& losses) {
    const qsizetype n = std::min(steps.size(), losses.size());
    if (n == 0) return;
    QVector<double> smoothed(n);
    for (qsizetype i = 0; i < n; ++i) {
        // Exponential moving average started at the first value: s_0 = x_0, s_i = β·s_{i-1} + (1-β)·x_i.
        m_lastSmoothed = m_hasSmoothed ? m_beta * m_lastSmoothed + (1.0 - m_beta) * losses[i] : losses[i];
        m_hasSmoothed = true;
        smoothed[i] = m_lastSmoothed;
    }
    m_raw->addData(steps.first(n), losses.first(n), true);
    m_smooth->addData(steps.first(n), smoothed, true);
    m_maxStep = std::max(m_maxStep, steps[n - 1]);
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossPlot::appendEpochPoint(double step, double testLoss) {
    if (!std::isfinite(testLoss)) return;
    m_test->addData(step, testLoss);
    m_maxStep = std::max(m_maxStep, step);
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossPlot::markEvent(double step, const QString& label) {
    auto* line = new QCPItemStraightLine(m_plot);
    line->point1->setCoords(step, 1.0);
    line->point2->setCoords(step, 2.0);
    line->setPen(QPen(markerColor(m_style), 1.2 * m_style.lineScale, Qt::DashLine));

    auto* text = new QCPItemText(m_plot);
    text->position->setTypeX(QCPItemPosition::ptPlotCoords);
    text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    text->position->setCoords(step, 0.02);
    text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    text->setPadding(QMargins(4, 0, 0, 0));
    text->setText(label);
    text->setColor(plotstyle::foreground(m_style));
    text->setFont(plotstyle::font(font(), m_style, 0.95, true));
    ++m_markerCount;
    m_maxStep = std::max(m_maxStep, step);
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossPlot::clear() {
    m_raw->data()->clear();
    m_smooth->data()->clear();
    m_test->data()->clear();
    m_plot->clearItems();
    m_markerCount = 0;
    m_hasSmoothed = false;
    m_lastSmoothed = 0.0;
    m_maxStep = 0.0;
    m_expectedSteps = 0.0;
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossPlot::setExpectedSteps(double steps) {
    m_expectedSteps = std::max(0.0, steps);
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossPlot::setSmoothing(double beta) {
    m_beta = std::clamp(beta, 0.0, 0.999);
    recomputeSmoothed();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossPlot::setLogScale(bool on) {
    m_logY = on;
    if (m_logBox->isChecked() != on) m_logBox->setChecked(on);
    if (on) {
        m_plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    } else {
        m_plot->yAxis->setScaleType(QCPAxis::stLinear);
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

bool LossPlot::savePng(const QString& path, int width, int height) {
    return m_plot->savePng(path, width, height, 1.0);
}

void LossPlot::setPlotStyle(const PlotStyle& style) {
    if (style == m_style) return;
    m_style = style;
    applyStyle();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossPlot::setPresentation(bool on) {
    PlotStyle s = PlotStyle::make(m_style.dark, on);
    setPlotStyle(s);
}

void LossPlot::setLineScale(double scale) {
    PlotStyle s = m_style;
    s.lineScale = std::clamp(scale, 0.5, 5.0);
    setPlotStyle(s);
}

void LossPlot::setDarkTheme(bool dark) {
    PlotStyle s = m_style;
    s.dark = dark;
    setPlotStyle(s);
}

void LossPlot::applyStyle() {
    const double w = m_style.lineScale;
    plotstyle::apply(m_plot, m_style, font());
    m_raw->setPen(QPen(rawColor(m_style), 1.0 * w));
    m_smooth->setPen(QPen(smoothColor(m_style), 2.5 * w));
    m_test->setPen(QPen(testColor(m_style), 1.5 * w, Qt::DashLine));
    m_test->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(testColor(m_style), 2 * w),
                                            QBrush(plotstyle::background(m_style)), 10 * std::sqrt(w)));
    for (int i = 0; i < m_plot->itemCount(); ++i) {
        if (auto* line = qobject_cast<QCPItemStraightLine*>(m_plot->item(i)))
            line->setPen(QPen(markerColor(m_style), 1.2 * w, Qt::DashLine));
        else if (auto* text = qobject_cast<QCPItemText*>(m_plot->item(i))) {
            text->setColor(plotstyle::foreground(m_style));
            text->setFont(plotstyle::font(font(), m_style, 0.95, true));
        }
    }
    m_logBox->setFont(plotstyle::font(font(), m_style, 1.0));
}

void LossPlot::recomputeSmoothed() {
    QVector<double> steps, values;
    steps.reserve(m_raw->data()->size());
    values.reserve(m_raw->data()->size());
    for (auto it = m_raw->data()->constBegin(); it != m_raw->data()->constEnd(); ++it) {
        steps.push_back(it->key);
        values.push_back(it->value);
    }
    m_smooth->data()->clear();
    m_hasSmoothed = false;
    QVector<double> smoothed(values.size());
    for (qsizetype i = 0; i < values.size(); ++i) {
        m_lastSmoothed = m_hasSmoothed ? m_beta * m_lastSmoothed + (1.0 - m_beta) * values[i] : values[i];
        m_hasSmoothed = true;
        smoothed[i] = m_lastSmoothed;
    }
    m_smooth->setData(steps, smoothed, true);
}

void LossPlot::rescale() {
    // x: from 0 to the furthest of the data and the announced length of the run.
    const double xMax = std::max({m_maxStep, m_expectedSteps, 1.0});
    m_plot->xAxis->setRange(0.0, xMax * 1.02);

    // y: the first batches of a run often have a loss many times the rest; letting them set the scale would
    // squash the interesting part into a flat line. Ignore the first few points when the rest is much lower.
    const auto& raw = *m_raw->data();
    const int n = raw.size();
    double allMax = 0.0, tailMax = 0.0, minPositive = INFINITY;
    const int skip = n >= 8 ? std::max(2, n / 20) : 0;
    int i = 0;
    for (auto it = raw.constBegin(); it != raw.constEnd(); ++it, ++i) {
        const double v = it->value;
        if (!std::isfinite(v)) continue;
        allMax = std::max(allMax, v);
        if (i >= skip) tailMax = std::max(tailMax, v);
        if (v > 0) minPositive = std::min(minPositive, v);
    }
    for (auto it = m_test->data()->constBegin(); it != m_test->data()->constEnd(); ++it) {
        allMax = std::max(allMax, it->value);
        tailMax = std::max(tailMax, it->value);
        if (it->value > 0) minPositive = std::min(minPositive, it->value);
    }
    // Only a real spike is cut (4× the rest): the usual start near ln(10) ≈ 2.3 stays visible.
    double yMax = (skip > 0 && allMax > 4.0 * tailMax) ? tailMax : allMax;
    if (yMax <= 0.0) yMax = 1.0;

    if (m_logY) {
        const double lo = std::isfinite(minPositive) ? minPositive * 0.7 : 1e-3;
        m_plot->yAxis->setRange(lo, std::max(yMax * 1.5, lo * 10.0));
    } else {
        m_plot->yAxis->setRange(0.0, yMax * 1.08);
    }
}
