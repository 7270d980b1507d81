// bench_chart.cpp — ChartSpec -> Qt Charts. Axes are sized to the data (whole decades on log axes), the
// legend sits below the plot so it never covers data, and bar annotations follow the plot area on resize.
#include "bench_chart.h"

#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QBarSeries>
#include <QEvent>
#include <QFontMetrics>
#include <QGraphicsLayout>
#include <QGraphicsSimpleTextItem>
#include <QHorizontalBarSeries>
#include <QLegend>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

QString chartKindName(ChartSpec::Kind kind) {
    switch (kind) {
    case ChartSpec::Kind::Bars: return QStringLiteral("bars");
    case ChartSpec::Kind::HorizontalBars: return QStringLiteral("horizontal-bars");
    case ChartSpec::Kind::Lines: return QStringLiteral("lines");
    case ChartSpec::Kind::Scatter: return QStringLiteral("scatter");
    case ChartSpec::Kind::Histogram: return QStringLiteral("histogram");
    }
    return {};
}

namespace {

/// The largest magnitude an axis reaches. Any finite value charts, but an axis sized to 1e308 overflows (its
/// headroom, nice numbers and tick spacing become inf and Qt Charts recursed until the stack ran out): a value
/// beyond this is drawn at the axis end and listed by BenchChart::outOfRangeValues().
constexpr double kMaxAxisValue = 1e300;

double clampToAxis(double v) { return std::clamp(v, -kMaxAxisValue, kMaxAxisValue); }

struct Range {
    double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
    void add(double v, bool positiveOnly) {
        if (!std::isfinite(v) || (positiveOnly && v <= 0)) return;
        v = clampToAxis(v);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    bool empty() const { return !(lo <= hi); }
};

void styleAxis(QAbstractAxis* axis, const PlotStyle& s, const QFont& font, const QString& title) {
    const QColor fg = plotstyle::foreground(s);
    axis->setTitleText(title);
    axis->setTitleFont(plotstyle::font(font, s, 1.05, true));
    axis->setTitleBrush(fg);
    axis->setLabelsFont(plotstyle::font(font, s, 0.95));
    axis->setLabelsColor(fg);
    axis->setLinePen(QPen(fg, 1.0 * s.lineScale));
    axis->setGridLineColor(plotstyle::gridColor(s));
    axis->setMinorGridLineColor(plotstyle::gridColor(s).lighter(s.dark ? 80 : 108));
}

/// A value axis sized to `r`: whole decades when log, "nice" numbers otherwise (from 0 when zeroBased).
QAbstractAxis* valueAxis(Range r, bool log, bool zeroBased, double headroom = 1.0) {
    if (r.empty()) r = {log ? 0.1 : 0.0, 1.0};
    r.lo = clampToAxis(r.lo);
    r.hi = clampToAxis(r.hi);
    if (log) {
        auto* axis = new QLogValueAxis;
        axis->setBase(10);
        const double lo = std::pow(10.0, std::floor(std::log10(r.lo)));
        double hi = std::pow(10.0, std::ceil(std::log10(r.hi * headroom)));
        if (hi <= lo) hi = lo * 10;
        // A hair wider than whole decades: Qt drops the label of a decade that rounding puts just outside.
        axis->setRange(lo * 0.9999, hi * 1.0001);
        axis->setLabelFormat(QStringLiteral("%g"));
        const double decades = std::log10(hi / lo);
        axis->setMinorTickCount(decades <= 4 ? 8 : 0);
        return axis;
    }
    auto* axis = new QValueAxis;
    double lo = zeroBased ? std::min(0.0, r.lo) : r.lo, hi = r.hi * (r.hi > 0 ? headroom : 1.0);
    if (hi - lo < 1e-12) {
        lo -= 0.5;
        hi += 0.5;
    }
    if (!zeroBased) {
        const double pad = 0.04 * (hi - lo);
        // Padding never pushes a non-negative axis (images seen, loss) below zero.
        lo = r.lo >= 0 ? std::max(0.0, lo - pad) : lo - pad;
        hi += pad;
    }
    axis->setRange(lo, hi);
    axis->applyNiceNumbers();
    // %.4g writes 15000 as "1.5e+04": from 10 000 up the nice ticks are whole numbers, written out in full.
    const double biggest = std::max(std::abs(axis->min()), std::abs(axis->max()));
    axis->setLabelFormat(biggest >= 1e4 && biggest < 1e9 ? QStringLiteral("%.0f") : QStringLiteral("%.4g"));
    return axis;
}

QColor referenceColor(const PlotStyle& s) {
    QColor c = plotstyle::foreground(s);
    c.setAlpha(170);
    return c;
}

}  // namespace

BenchChart::BenchChart(const ChartSpec& spec, const PlotStyle& style, const QFont& font, QGraphicsItem* parent)
    : QChart(parent), m_spec(spec), m_style(style), m_font(font) {
    build();
    connect(this, &QChart::plotAreaChanged, this, [this] { placeAnnotations(); });
}

QStringList BenchChart::annotationTexts() const {
    QStringList out;
    for (const auto* item : m_annotations) out << item->text();
    return out;
}

void BenchChart::layoutAt(const QSizeF& size) {
    resize(size);
    if (layout()) layout()->activate();
    placeAnnotations();
}

QStringList BenchChart::outOfRangeValues() const {
    QStringList out;
    auto check = [&](const QString& where, double v) {
        if (std::isfinite(v) && std::abs(v) > kMaxAxisValue) out << QStringLiteral("%1: %2").arg(where).arg(v, 0, 'g', 6);
    };
    for (const ChartSeries& cs : m_spec.series) {
        for (int i = 0; i < cs.values.size(); ++i)
            check(QStringLiteral("'%1' %2").arg(cs.name, i < m_spec.categories.size() ? m_spec.categories[i] : QString::number(i)),
                  cs.values[i]);
        for (const QPointF& p : cs.points) {
            check(QStringLiteral("'%1' x").arg(cs.name), p.x());
            check(QStringLiteral("'%1' y").arg(cs.name), p.y());
        }
    }
    return out;
}

void BenchChart::build() {
    const PlotStyle& s = m_style;
    const QColor fg = plotstyle::foreground(s);
    setBackgroundBrush(plotstyle::background(s));
    setBackgroundRoundness(0);
    setPlotAreaBackgroundVisible(false);
    setAnimationOptions(QChart::NoAnimation);
    setMargins(QMargins(8, 6, 16, 6));
    QFont titleFont = plotstyle::font(m_font, s, s.fontScale > 1.0 ? 1.1 : 1.3, true);  // the font is already 1.5× there
    setTitleFont(titleFont);
    setTitleBrush(fg);
    QString title = m_spec.title.toHtmlEscaped();
    if (!m_spec.subtitle.isEmpty())
        title += QStringLiteral("<br><span style=\"font-size:%1pt; font-weight:normal\">%2</span>")
                     .arg(plotstyle::font(m_font, s, 0.9).pointSizeF(), 0, 'f', 1)
                     .arg(m_spec.subtitle.toHtmlEscaped());
    setTitle(title);

    const bool horizontal = m_spec.kind == ChartSpec::Kind::HorizontalBars;
    int colorIndex = 0;
    auto nextColor = [&] { return plotstyle::seriesColor(s, colorIndex++); };
    int shownSeries = 0;

    if (m_spec.kind == ChartSpec::Kind::Bars || horizontal) {
        const bool log = horizontal ? m_spec.logX : m_spec.logY;
        Range r;
        for (const ChartSeries& cs : m_spec.series)
            for (double v : cs.values) r.add(v, log);
        QAbstractBarSeries* bars = horizontal ? static_cast<QAbstractBarSeries*>(new QHorizontalBarSeries)
                                              : static_cast<QAbstractBarSeries*>(new QBarSeries);
        const bool annotated = std::any_of(m_spec.annotations.begin(), m_spec.annotations.end(),
                                           [](const QString& a) { return !a.isEmpty(); });
        // Horizontal annotations go right of the longest bar, into a right margin as wide as the widest text;
        // vertical ones above the bars, in a little headroom.
        const QFont annotationFont = plotstyle::font(m_font, s, 0.95, true);
        if (annotated && horizontal) {
            int widest = 0;
            const QFontMetrics fm(annotationFont);
            for (const QString& a : m_spec.annotations) widest = std::max(widest, fm.horizontalAdvance(a));
            setMargins(QMargins(8, 6, 16 + widest, 6));
        }
        QAbstractAxis* values = valueAxis(r, log, true, annotated && !horizontal ? (log ? 3.0 : 1.12) : 1.02);
        const double floorValue = log ? static_cast<QLogValueAxis*>(values)->min() : 0.0;
        // Horizontal bars grow upwards from category 0: feed them in reverse so the first category is on top,
        // as in the table.
        const int nCat = static_cast<int>(m_spec.categories.size());
        auto position = [&](int i) { return horizontal ? nCat - 1 - i : i; };
        for (const ChartSeries& cs : m_spec.series) {
            auto* set = new QBarSet(cs.name);
            for (int k = 0; k < nCat; ++k) {
                const int i = position(k);
                const double v = i < cs.values.size() ? cs.values[i] : std::nan("");
                set->append(std::isfinite(v) && (!log || v > 0) ? clampToAxis(v) : floorValue);
            }
            QColor c = nextColor();
            if (cs.dashed) c.setAlpha(150);
            set->setColor(c);
            set->setBorderColor(c.darker(s.dark ? 70 : 115));
            bars->append(set);
            ++shownSeries;
        }
        bars->setBarWidth(0.8);
        addSeries(bars);
        auto* cats = new QBarCategoryAxis;
        for (int k = 0; k < nCat; ++k) cats->append(m_spec.categories[position(k)]);
        styleAxis(cats, s, m_font, horizontal ? m_spec.yTitle : m_spec.xTitle);
        styleAxis(values, s, m_font, horizontal ? m_spec.xTitle : m_spec.yTitle);
        cats->setGridLineVisible(false);
        // Many groups stacked vertically leave little height per label: a smaller font rather than "…".
        if (horizontal && nCat > 8) cats->setLabelsFont(plotstyle::font(m_font, s, s.fontScale > 1.0 ? 0.75 : 0.9));
        if (horizontal) {
            addAxis(values, Qt::AlignBottom);
            addAxis(cats, Qt::AlignLeft);
        } else {
            addAxis(cats, Qt::AlignBottom);
            addAxis(values, Qt::AlignLeft);
            if (m_spec.categories.size() > 8) cats->setLabelsAngle(-30);
        }
        bars->attachAxis(values);
        bars->attachAxis(cats);
        for (int i = 0; i < m_spec.annotations.size() && i < m_spec.categories.size(); ++i) {
            if (m_spec.annotations[i].isEmpty()) continue;
            auto* t = new QGraphicsSimpleTextItem(m_spec.annotations[i], this);
            t->setFont(annotationFont);
            t->setBrush(fg);
            t->setData(0, position(i));  // where its bars are drawn
            t->setData(1, i);            // whose values it follows
            t->setZValue(10);
            m_annotations << t;
        }
    } else {
        Range rx, ry;
        for (const ChartSeries& cs : m_spec.series) {
            for (const QPointF& p : cs.points) {
                rx.add(p.x(), m_spec.logX);
                ry.add(p.y(), m_spec.logY);
            }
        }
        QVector<double> edges = m_spec.binEdges;
        int firstBin = 0, lastBin = -1;
        if (m_spec.kind == ChartSpec::Kind::Histogram) {
            // Only the bins between the first and the last non-empty one of any series.
            const int bins = static_cast<int>(edges.size()) - 1;
            firstBin = bins;
            for (const ChartSeries& cs : m_spec.series)
                for (int i = 0; i < std::min<int>(bins, cs.values.size()); ++i)
                    if (cs.values[i] > 0) {
                        firstBin = std::min(firstBin, i);
                        lastBin = std::max(lastBin, i);
                    }
            if (lastBin < firstBin) firstBin = 0, lastBin = bins - 1;
            if (bins > 0) {
                rx.add(edges[firstBin], m_spec.logX);
                rx.add(edges[lastBin + 1], m_spec.logX);
            }
            ry.add(0, false);
            for (const ChartSeries& cs : m_spec.series)
                for (double v : cs.values) ry.add(v, m_spec.logY);
        }
        QAbstractAxis* ax = valueAxis(rx, m_spec.logX, false);
        QAbstractAxis* ay = valueAxis(ry, m_spec.logY, m_spec.kind == ChartSpec::Kind::Histogram);
        if (m_spec.kind == ChartSpec::Kind::Lines && !m_spec.logX) {
            // Whole numbers on the x axis when the data are whole numbers (threads, depth).
            bool whole = true;
            for (const ChartSeries& cs : m_spec.series)
                for (const QPointF& p : cs.points) whole = whole && p.x() == std::round(p.x());
            if (whole && !rx.empty()) {
                // One tick per whole step (1, 2, 5, 10, ... apart) so that no two ticks round to the same label.
                auto* axis = static_cast<QValueAxis*>(ax);
                const double span = std::max(1.0, rx.hi - rx.lo);
                double step = std::pow(10.0, std::floor(std::log10(span / 5.0)));
                for (double m : {1.0, 2.0, 5.0, 10.0})
                    if (span / (step * m) <= 8) {
                        step *= m;
                        break;
                    }
                step = std::max(1.0, std::round(step));
                axis->setRange(rx.lo >= 0 ? std::max(0.0, rx.lo - 0.3 * step) : rx.lo - 0.3 * step, rx.hi + 0.3 * step);
                axis->setTickType(QValueAxis::TicksDynamic);
                axis->setTickAnchor(0);
                axis->setTickInterval(step);
                axis->setMinorTickCount(0);
                axis->setLabelFormat(QStringLiteral("%d"));
            }
        }
        styleAxis(ax, s, m_font, m_spec.xTitle);
        styleAxis(ay, s, m_font, m_spec.yTitle);
        addAxis(ax, Qt::AlignBottom);
        addAxis(ay, Qt::AlignLeft);
        for (const ChartSeries& cs : m_spec.series) {
            QAbstractSeries* series = nullptr;
            const QColor c = cs.reference ? referenceColor(s) : nextColor();
            if (m_spec.kind == ChartSpec::Kind::Histogram) {
                auto* upper = new QLineSeries;
                const int bins = std::min<int>(static_cast<int>(edges.size()) - 1, cs.values.size());
                for (int i = firstBin; i <= lastBin && i < bins; ++i) {
                    const double v = std::isfinite(cs.values[i]) ? cs.values[i] : 0.0;
                    upper->append(edges[i], clampToAxis(v));
                    upper->append(edges[i + 1], clampToAxis(v));
                }
                auto* area = new QAreaSeries(upper);
                upper->setParent(area);  // QAreaSeries does not own its line series: without a parent it leaked
                QColor fill = c;
                fill.setAlpha(m_spec.series.size() == 1 ? 110 : (s.dark ? 70 : 55));
                area->setBrush(fill);
                area->setPen(QPen(c, 2.0 * s.lineScale, cs.dashed ? Qt::DashLine : Qt::SolidLine));
                series = area;
            } else if (m_spec.kind == ChartSpec::Kind::Scatter && !cs.reference) {
                auto* scatter = new QScatterSeries;
                scatter->setMarkerSize(9.0 * std::sqrt(s.lineScale));
                scatter->setColor(c);
                scatter->setBorderColor(c.darker(130));
                for (const QPointF& p : cs.points) scatter->append(clampToAxis(p.x()), clampToAxis(p.y()));
                series = scatter;
            } else {
                auto* line = new QLineSeries;
                QPen pen(c, (cs.reference ? 1.5 : 2.2) * s.lineScale);
                if (cs.reference || cs.dashed) pen.setStyle(Qt::DashLine);
                line->setPen(pen);
                for (const QPointF& p : cs.points)
                    if ((!m_spec.logX || p.x() > 0) && (!m_spec.logY || p.y() > 0)) line->append(clampToAxis(p.x()), clampToAxis(p.y()));
                line->setPointsVisible(!cs.reference && cs.points.size() <= 25);
                series = line;
            }
            series->setName(cs.name);
            addSeries(series);
            series->attachAxis(ax);
            series->attachAxis(ay);
            ++shownSeries;
        }
    }
    // The legend below the plot, never over the data; styled after the series exist so its markers and
    // label widths use the final font.
    legend()->setAlignment(Qt::AlignBottom);
    legend()->setFont(plotstyle::font(m_font, s, 0.95));
    legend()->setLabelColor(fg);
    if (m_spec.kind == ChartSpec::Kind::Lines || m_spec.kind == ChartSpec::Kind::Scatter)
        legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    legend()->setVisible(shownSeries > 1);
}

void BenchChart::placeAnnotations() {
    if (m_annotations.isEmpty() || series().isEmpty()) return;
    const bool horizontal = m_spec.kind == ChartSpec::Kind::HorizontalBars;
    QAbstractSeries* bars = series().first();
    const bool log = horizontal ? m_spec.logX : m_spec.logY;
    for (QGraphicsSimpleTextItem* t : m_annotations) {
        const int at = t->data(0).toInt(), i = t->data(1).toInt();
        double top = 0;
        for (const ChartSeries& cs : m_spec.series)
            if (i < cs.values.size() && std::isfinite(cs.values[i])) top = std::max(top, cs.values[i]);
        if (log && top <= 0) continue;
        const QRectF box = t->boundingRect();
        if (horizontal) {
            const QPointF p = mapToPosition(QPointF(top, at), bars);
            t->setPos(p.x() + 8, p.y() - box.height() / 2);
        } else {
            const QPointF p = mapToPosition(QPointF(at, top), bars);
            t->setPos(p.x() - box.width() / 2, p.y() - box.height() - 4);
        }
    }
}

BenchChartView::BenchChartView(QWidget* parent) : QChartView(parent) {
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(320, 240);
    rebuild();
}

void BenchChartView::setSpec(const ChartSpec& spec) {
    m_spec = spec;
    rebuild();
}

void BenchChartView::setPlotStyle(const PlotStyle& style) {
    if (style == m_style) return;
    m_style = style;
    rebuild();
}

void BenchChartView::changeEvent(QEvent* event) {
    QChartView::changeEvent(event);
    if (event->type() == QEvent::FontChange) rebuild();
}

void BenchChartView::rebuild() {
    auto* chart = new BenchChart(m_spec, m_style, font());
    QChart* old = this->chart();
    setChart(chart);  // takes ownership of the new chart
    m_chart = chart;
    if (old && old != chart) delete old;
    setBackgroundBrush(plotstyle::background(m_style));
}
