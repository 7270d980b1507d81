// plot_style.cpp — colours, fonts and hover tooltips shared by LossPlot, SeriesPlot and friends.
#include "plot_style.h"

#include <QPointer>
#include <QToolTip>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace plotstyle {

QColor background(const PlotStyle& s) { return s.dark ? QColor(30, 34, 40) : QColor(Qt::white); }
QColor foreground(const PlotStyle& s) {
    // Presentation mode is high contrast: pure white on dark, near black on light.
    if (s.dark) return s.fontScale > 1.0 ? QColor(Qt::white) : QColor(220, 224, 230);
    return s.fontScale > 1.0 ? QColor(Qt::black) : QColor(40, 44, 52);
}
QColor gridColor(const PlotStyle& s) { return s.dark ? QColor(70, 76, 86) : QColor(215, 218, 224); }

QColor seriesColor(const PlotStyle& s, int index) {
    static const QColor kTab10[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},  {148, 103, 189},
                                    {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
    const QColor c = kTab10[((index % 10) + 10) % 10];
    return s.dark ? c.lighter(135) : c;
}

QFont font(const QFont& base, const PlotStyle& s, double factor, bool bold) {
    QFont f = base;
    const double pt = base.pointSizeF() > 0 ? base.pointSizeF() : 10.5;
    // No s.fontScale here: in presentation mode the widget's own font is already the enlarged app font,
    // and scaling it again made half-width plots unreadable (titles and tick labels overflowing).
    f.setPointSizeF(std::max(9.0, pt * factor));
    f.setBold(bold);
    return f;
}

void apply(QCustomPlot* plot, const PlotStyle& s, const QFont& base) {
    const QColor fg = foreground(s);
    plot->setBackground(background(s));
    plot->axisRect()->setBackground(background(s));
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis, plot->xAxis2, plot->yAxis2}) {
        const QPen pen(fg, 1.0 * s.lineScale);
        axis->setBasePen(pen);
        axis->setTickPen(pen);
        axis->setSubTickPen(pen);
        axis->setLabelColor(fg);
        axis->setTickLabelColor(fg);
        axis->setLabelFont(font(base, s, 1.1, true));
        axis->setTickLabelFont(font(base, s, 1.0));
        axis->grid()->setPen(QPen(gridColor(s), 1.0, Qt::DotLine));
        axis->grid()->setZeroLinePen(Qt::NoPen);
        axis->grid()->setSubGridVisible(false);
    }
    plot->legend->setFont(font(base, s, 1.0));
    plot->legend->setTextColor(fg);
    QColor legendBg = background(s);
    legendBg.setAlpha(225);
    plot->legend->setBrush(legendBg);
    plot->legend->setBorderPen(QPen(gridColor(s)));
}

void installHoverTips(QCustomPlot* plot, const QString& xName) {
    auto tracer = std::make_shared<QPointer<QCPItemTracer>>();
    QObject::connect(plot, &QCustomPlot::mouseMove, plot, [plot, tracer, xName](QMouseEvent* event) {
        const QPointF pos = event->position();
        QCPGraph* best = nullptr;
        double bestKey = 0, bestValue = 0, bestDist = 40.0;  // pixels
        for (int g = 0; g < plot->graphCount(); ++g) {
            QCPGraph* graph = plot->graph(g);
            if (!graph->visible() || graph->data()->isEmpty()) continue;
            const double key = graph->keyAxis()->pixelToCoord(pos.x());
            auto it = graph->data()->findBegin(key, true);
            // Look at the neighbours on both sides of the mouse's x.
            for (int k = 0; k < 3 && it != graph->data()->constEnd(); ++k, ++it) {
                if (!std::isfinite(it->value)) continue;
                const double dx = graph->keyAxis()->coordToPixel(it->key) - pos.x();
                const double dy = graph->valueAxis()->coordToPixel(it->value) - pos.y();
                const double d = std::hypot(dx, dy);
                if (d < bestDist) {
                    bestDist = d;
                    best = graph;
                    bestKey = it->key;
                    bestValue = it->value;
                }
            }
        }
        if (!best) {
            if (*tracer) (*tracer)->setVisible(false);
            QToolTip::hideText();
            plot->replot(QCustomPlot::rpQueuedReplot);
            return;
        }
        if (!*tracer) {
            *tracer = new QCPItemTracer(plot);
            (*tracer)->setStyle(QCPItemTracer::tsCircle);
            (*tracer)->setSize(11);
        }
        QCPItemTracer* t = *tracer;
        t->setVisible(true);
        t->setGraph(best);
        t->setGraphKey(bestKey);
        t->setPen(QPen(best->pen().color(), 2));
        t->setBrush(Qt::NoBrush);
        const QString text = QStringLiteral("<b>%1</b><br>%2 %3: <b>%4</b>")
                                 .arg(best->name().toHtmlEscaped(), xName, QString::number(bestKey, 'g', 6),
                                      QString::number(bestValue, 'g', 5));
        QToolTip::showText(event->globalPosition().toPoint(), text, plot);
        plot->replot(QCustomPlot::rpQueuedReplot);
    });
}

}  // namespace plotstyle
