// plot_style.h — PlotStyle: the plain settings every chart in widgets/ follows (light or dark colours;
// presentation mode's larger text and thicker lines), and helpers that apply them to a QCustomPlot and
// give it hover tooltips. A widget never reads the app's theme itself: the page hands it a PlotStyle.
#pragma once

#include <QColor>
#include <QFont>

class QCustomPlot;

struct PlotStyle {
    bool dark = false;
    double fontScale = 1.0;  ///< 1.5 in presentation mode
    double lineScale = 1.0;  ///< 2.0 in presentation mode
    /// Example: PlotStyle::make(true, true) — dark and ready for a projector.
    static PlotStyle make(bool dark, bool presentation) {
        return {dark, presentation ? 1.5 : 1.0, presentation ? 2.0 : 1.0};
    }
    bool operator==(const PlotStyle&) const = default;
};

namespace plotstyle {

QColor background(const PlotStyle& s);
QColor foreground(const PlotStyle& s);  ///< axis lines, tick labels, axis titles
QColor gridColor(const PlotStyle& s);
/// Ten distinguishable series colours (Tableau 10), lightened a little on a dark background.
QColor seriesColor(const PlotStyle& s, int index);
/// `base` scaled by factor·s.fontScale, never below 9 pt.
QFont font(const QFont& base, const PlotStyle& s, double factor = 1.0, bool bold = false);
/// Background, axes (both pairs), grid, legend and fonts of `plot`; it does not touch graphs or items.
void apply(QCustomPlot* plot, const PlotStyle& s, const QFont& base);
/// While the mouse is over `plot`, a tracer sits on the nearest data point (within 40 px) of any visible
/// graph and a tooltip names the series and its x and y values.
void installHoverTips(QCustomPlot* plot, const QString& xName);

}  // namespace plotstyle
