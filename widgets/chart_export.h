// chart_export.h — writes a ChartSpec as PNG (pixel size and DPI of your choice), SVG and PDF (both vector,
// text kept as text) and its data as CSV; and a whole set of charts into a folder with index.html and
// index.md embedding them. Every file is written to a temporary name and renamed into place.
#pragma once

#include <QFont>
#include <QSize>
#include <QString>
#include <QStringList>
#include <QVector>

#include "chart_spec.h"
#include "plot_style.h"

namespace chartexport {

/// The size charts are laid out at: 960×600 logical pixels (10 × 6.25 inches at 96 per inch).
inline QSize defaultLogicalSize() { return {960, 600}; }
/// Pixel size of a PNG at `dpi` for the default 10 × 6.25 inch picture.
QSize pixelSizeForDpi(int dpi);

/// Each returns an empty string on success, else what went wrong (naming the file).
/// PNG of exactly `pixels`, laid out at pixels·96/dpi logical pixels (so text is dpi/96 times sharper) and
/// tagged with `dpi`.
QString writePng(const ChartSpec& spec, const PlotStyle& style, const QFont& font, const QString& path, QSize pixels, int dpi);
QString writeSvg(const ChartSpec& spec, const PlotStyle& style, const QFont& font, const QString& path,
                 QSize logical = defaultLogicalSize());
QString writePdf(const ChartSpec& spec, const PlotStyle& style, const QFont& font, const QString& path,
                 QSize logical = defaultLogicalSize());
QString writeCsv(const ChartSpec& spec, const QString& path);

/// The CSV text: bars "category,<series…>[,annotation]"; histograms "bin_lower,bin_upper,<series…>";
/// lines and scatter "series,x,y". Numbers with 17 significant digits, so they read back exactly.
QString csvText(const ChartSpec& spec);
/// Reads csvText() back into the data fields of a spec (kind from the header; titles are not in a CSV).
/// Returns false with *error set when the text is not such a CSV.
bool parseCsv(const QString& text, ChartSpec* spec, QString* error);

struct ExportOptions {
    QStringList formats{QStringLiteral("png"), QStringLiteral("svg"), QStringLiteral("pdf"), QStringLiteral("csv")};
    int dpi = 150;
    QString title = QStringLiteral("Benchmark charts");
    QStringList notes;  ///< lines shown under the title in the index (machine, date, source file)
};

/// Writes every chart in every format into `dir` (created if missing) as <id>.<format>, then index.html and
/// index.md that show each chart (PNG or SVG) and link its other files. Returns the files written (relative
/// names, the indexes last) or throws nothing: on failure *error is set and the list holds what was written.
QStringList exportAll(const QVector<ChartSpec>& charts, const PlotStyle& style, const QFont& font, const QString& dir,
                      const ExportOptions& options, QString* error);

/// "png,svg" -> {"png","svg"}; false with *error naming the bad entry (allowed: png, svg, pdf, csv).
bool parseFormats(const QString& text, QStringList* formats, QString* error);

}  // namespace chartexport
