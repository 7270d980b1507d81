// chart_export.cpp — rendering goes through the chart's QGraphicsScene, so the PNG, the SVG and the PDF are
// the same drawing; the SVG and PDF painters keep lines and text as vectors.
#include "chart_export.h"

#include <QDir>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTemporaryDir>
#include <cmath>
#include <memory>

#include "bench_chart.h"

namespace chartexport {

namespace {

/// A chart in its own scene, laid out at `logical`.
struct Staged {
    QGraphicsScene scene;
    BenchChart* chart;
    Staged(const ChartSpec& spec, const PlotStyle& style, const QFont& font, QSize logical)
        : chart(new BenchChart(spec, style, font)) {
        scene.addItem(chart);
        chart->setPos(0, 0);
        chart->layoutAt(logical);
        scene.setSceneRect(QRectF(QPointF(0, 0), QSizeF(logical)));
    }
    void render(QPainter* p, const QRectF& target) {
        p->setRenderHint(QPainter::Antialiasing);
        p->setRenderHint(QPainter::TextAntialiasing);
        scene.render(p, target, scene.sceneRect());
    }
};

/// Writes `bytes` produced by `write(tempPath)` atomically: a temporary file in the same folder, renamed.
QString atomically(const QString& path, const std::function<QString(const QString&)>& write) {
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) return QStringLiteral("cannot create the folder %1").arg(info.absolutePath());
    const QString tmp = info.absolutePath() + QStringLiteral("/.") + info.fileName() + QStringLiteral(".tmp");
    QFile::remove(tmp);
    const QString err = write(tmp);
    if (!err.isEmpty()) {
        QFile::remove(tmp);
        return err;
    }
    QFile::remove(path);
    if (!QFile::rename(tmp, path)) {
        QFile::remove(tmp);
        return QStringLiteral("cannot write %1").arg(path);
    }
    return {};
}

QString csvField(const QString& s) {
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) && !s.contains(QLatin1Char('\n'))) return s;
    QString q = s;
    q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

QString num(double v) { return std::isfinite(v) ? QString::number(v, 'g', 17) : QString(); }

QStringList splitCsvLine(const QString& line) {
    QStringList out;
    QString cur;
    bool quoted = false;
    for (int i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < line.size() && line[i + 1] == QLatin1Char('"')) {
                cur += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                cur += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            out << cur;
            cur.clear();
        } else {
            cur += c;
        }
    }
    out << cur;
    return out;
}

double readNum(const QString& s, bool* ok) {
    if (s.isEmpty()) return std::nan("");
    return s.toDouble(ok);
}

}  // namespace

QSize pixelSizeForDpi(int dpi) {
    const QSize l = defaultLogicalSize();
    return {static_cast<int>(std::lround(l.width() * dpi / 96.0)), static_cast<int>(std::lround(l.height() * dpi / 96.0))};
}

QString writePng(const ChartSpec& spec, const PlotStyle& style, const QFont& font, const QString& path, QSize pixels, int dpi) {
    if (dpi < 10 || pixels.isEmpty()) return QStringLiteral("bad PNG size or DPI for %1").arg(path);
    const double scale = dpi / 96.0;
    const QSize logical(static_cast<int>(std::lround(pixels.width() / scale)), static_cast<int>(std::lround(pixels.height() / scale)));
    Staged staged(spec, style, font, logical);
    QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
    image.fill(plotstyle::background(style));
    const int dotsPerMeter = static_cast<int>(std::lround(dpi / 0.0254));
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    {
        QPainter p(&image);
        staged.render(&p, QRectF(QPointF(0, 0), QSizeF(pixels)));
    }
    return atomically(path, [&](const QString& tmp) {
        return image.save(tmp, "PNG") ? QString() : QStringLiteral("cannot write %1").arg(path);
    });
}

QString writeSvg(const ChartSpec& spec, const PlotStyle& style, const QFont& font, const QString& path, QSize logical) {
    Staged staged(spec, style, font, logical);
    return atomically(path, [&](const QString& tmp) {
        QSvgGenerator svg;
        svg.setFileName(tmp);
        svg.setSize(logical);
        svg.setViewBox(QRect(QPoint(0, 0), logical));
        svg.setResolution(96);
        svg.setTitle(spec.title);
        svg.setDescription(spec.subtitle);
        QPainter p;
        if (!p.begin(&svg)) return QStringLiteral("cannot write %1").arg(path);
        p.fillRect(QRect(QPoint(0, 0), logical), plotstyle::background(style));
        staged.render(&p, QRectF(QPointF(0, 0), QSizeF(logical)));
        p.end();
        return QString();
    });
}

QString writePdf(const ChartSpec& spec, const PlotStyle& style, const QFont& font, const QString& path, QSize logical) {
    Staged staged(spec, style, font, logical);
    return atomically(path, [&](const QString& tmp) {
        QPdfWriter pdf(tmp);
        pdf.setTitle(spec.title);
        pdf.setCreator(QStringLiteral("Backprop Studio"));
        // The page is the chart: logical pixels at 96 per inch, in points (72 per inch).
        pdf.setPageSize(QPageSize(QSizeF(logical.width() * 72.0 / 96.0, logical.height() * 72.0 / 96.0), QPageSize::Point,
                                  QString(), QPageSize::ExactMatch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setResolution(96);
        QPainter p;
        if (!p.begin(&pdf)) return QStringLiteral("cannot write %1").arg(path);
        const QRectF page(0, 0, pdf.width(), pdf.height());
        p.fillRect(page, plotstyle::background(style));
        staged.render(&p, page);
        p.end();
        return QString();
    });
}

QString csvText(const ChartSpec& spec) {
    QString out;
    QTextStream ts(&out);
    switch (spec.kind) {
    case ChartSpec::Kind::Bars:
    case ChartSpec::Kind::HorizontalBars: {
        const bool annotated = !spec.annotations.isEmpty();
        ts << "category";
        for (const ChartSeries& s : spec.series) ts << ',' << csvField(s.name);
        if (annotated) ts << ",annotation";
        ts << '\n';
        for (int i = 0; i < spec.categories.size(); ++i) {
            ts << csvField(spec.categories[i]);
            for (const ChartSeries& s : spec.series) ts << ',' << (i < s.values.size() ? num(s.values[i]) : QString());
            if (annotated) ts << ',' << csvField(spec.annotations.value(i));
            ts << '\n';
        }
        break;
    }
    case ChartSpec::Kind::Histogram: {
        ts << "bin_lower,bin_upper";
        for (const ChartSeries& s : spec.series) ts << ',' << csvField(s.name);
        ts << '\n';
        for (int i = 0; i + 1 < spec.binEdges.size(); ++i) {
            ts << num(spec.binEdges[i]) << ',' << num(spec.binEdges[i + 1]);
            for (const ChartSeries& s : spec.series) ts << ',' << (i < s.values.size() ? num(s.values[i]) : QString());
            ts << '\n';
        }
        break;
    }
    case ChartSpec::Kind::Lines:
    case ChartSpec::Kind::Scatter:
        ts << "series,x,y\n";
        for (const ChartSeries& s : spec.series)
            for (const QPointF& p : s.points) ts << csvField(s.name) << ',' << num(p.x()) << ',' << num(p.y()) << '\n';
        break;
    }
    return out;
}

bool parseCsv(const QString& text, ChartSpec* spec, QString* error) {
    QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (lines.isEmpty()) {
        *error = QStringLiteral("the CSV is empty");
        return false;
    }
    const QStringList header = splitCsvLine(lines.takeFirst());
    spec->series.clear();
    spec->categories.clear();
    spec->annotations.clear();
    spec->binEdges.clear();
    bool ok = true;
    if (header.value(0) == QLatin1String("series") && header.size() == 3) {
        if (spec->kind != ChartSpec::Kind::Scatter) spec->kind = ChartSpec::Kind::Lines;
        for (const QString& line : lines) {
            const QStringList f = splitCsvLine(line);
            if (f.size() != 3) {
                *error = QStringLiteral("expected 3 fields in '%1'").arg(line);
                return false;
            }
            if (spec->series.isEmpty() || spec->series.last().name != f[0]) spec->series.append(ChartSeries{f[0]});
            bool okx = true, oky = true;
            spec->series.last().points.append(QPointF(readNum(f[1], &okx), readNum(f[2], &oky)));
            ok = ok && okx && oky;
        }
    } else if (header.value(0) == QLatin1String("bin_lower") && header.value(1) == QLatin1String("bin_upper")) {
        spec->kind = ChartSpec::Kind::Histogram;
        for (int c = 2; c < header.size(); ++c) spec->series.append(ChartSeries{header[c]});
        for (const QString& line : lines) {
            const QStringList f = splitCsvLine(line);
            if (f.size() != header.size()) {
                *error = QStringLiteral("expected %1 fields in '%2'").arg(header.size()).arg(line);
                return false;
            }
            bool a = true, b = true;
            const double lo = readNum(f[0], &a), hi = readNum(f[1], &b);
            ok = ok && a && b;
            if (spec->binEdges.isEmpty()) spec->binEdges.append(lo);
            spec->binEdges.append(hi);
            for (int c = 2; c < f.size(); ++c) {
                bool okv = true;
                spec->series[c - 2].values.append(readNum(f[c], &okv));
                ok = ok && okv;
            }
        }
    } else if (header.value(0) == QLatin1String("category")) {
        if (spec->kind != ChartSpec::Kind::HorizontalBars) spec->kind = ChartSpec::Kind::Bars;
        const bool annotated = header.last() == QLatin1String("annotation");
        const int n = static_cast<int>(header.size()) - (annotated ? 1 : 0);
        for (int c = 1; c < n; ++c) spec->series.append(ChartSeries{header[c]});
        for (const QString& line : lines) {
            const QStringList f = splitCsvLine(line);
            if (f.size() != header.size()) {
                *error = QStringLiteral("expected %1 fields in '%2'").arg(header.size()).arg(line);
                return false;
            }
            spec->categories << f[0];
            for (int c = 1; c < n; ++c) {
                bool okv = true;
                spec->series[c - 1].values.append(readNum(f[c], &okv));
                ok = ok && okv;
            }
            if (annotated) spec->annotations << f.last();
        }
    } else {
        *error = QStringLiteral("unknown CSV header '%1'").arg(header.join(QLatin1Char(',')));
        return false;
    }
    if (!ok) {
        *error = QStringLiteral("the CSV holds a field that is not a number");
        return false;
    }
    return true;
}

QString writeCsv(const ChartSpec& spec, const QString& path) {
    const QString text = csvText(spec);
    return atomically(path, [&](const QString& tmp) {
        QFile f(tmp);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Text)) return QStringLiteral("cannot write %1").arg(path);
        f.write(text.toUtf8());
        return f.error() == QFile::NoError ? QString() : QStringLiteral("cannot write %1").arg(path);
    });
}

bool parseFormats(const QString& text, QStringList* formats, QString* error) {
    formats->clear();
    for (QString f : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        f = f.trimmed().toLower();
        if (f != QLatin1String("png") && f != QLatin1String("svg") && f != QLatin1String("pdf") && f != QLatin1String("csv")) {
            *error = QStringLiteral("unknown format '%1'; use png, svg, pdf, csv").arg(f);
            return false;
        }
        if (!formats->contains(f)) *formats << f;
    }
    if (formats->isEmpty()) {
        *error = QStringLiteral("no format given; use png, svg, pdf, csv");
        return false;
    }
    return true;
}

QStringList exportAll(const QVector<ChartSpec>& charts, const PlotStyle& style, const QFont& font, const QString& dir,
                      const ExportOptions& options, QString* error) {
    QStringList written;
    error->clear();
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot create the folder %1").arg(dir);
        return written;
    }
    const QDir d(dir);
    for (const ChartSpec& c : charts) {
        for (const QString& f : options.formats) {
            const QString name = c.id + QLatin1Char('.') + f;
            const QString path = d.filePath(name);
            QString err;
            if (f == QLatin1String("png")) err = writePng(c, style, font, path, pixelSizeForDpi(options.dpi), options.dpi);
            else if (f == QLatin1String("svg")) err = writeSvg(c, style, font, path);
            else if (f == QLatin1String("pdf")) err = writePdf(c, style, font, path);
            else if (f == QLatin1String("csv")) err = writeCsv(c, path);
            if (!err.isEmpty()) {
                *error = err;
                return written;
            }
            written << name;
        }
    }
    // The indexes: each chart shown (PNG, else SVG) with links to all its files.
    const bool png = options.formats.contains(QLatin1String("png")), svg = options.formats.contains(QLatin1String("svg"));
    QString html, md;
    QTextStream h(&html), m(&md);
    h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << options.title.toHtmlEscaped()
      << "</title>\n<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}"
         "img{max-width:100%;border:1px solid #ccc}figure{margin:2em 0}</style></head><body>\n<h1>"
      << options.title.toHtmlEscaped() << "</h1>\n";
    m << "# " << options.title << "\n\n";
    for (const QString& n : options.notes) {
        h << "<p>" << n.toHtmlEscaped() << "</p>\n";
        m << n << "  \n";
    }
    m << "\n";
    for (const ChartSpec& c : charts) {
        h << "<figure id=\"" << c.id << "\"><h2>" << c.title.toHtmlEscaped() << "</h2>\n";
        m << "## " << c.title << "\n\n";
        if (!c.subtitle.isEmpty()) {
            h << "<p>" << c.subtitle.toHtmlEscaped() << "</p>\n";
            m << c.subtitle << "\n\n";
        }
        if (png || svg) {
            const QString shown = c.id + (png ? QStringLiteral(".png") : QStringLiteral(".svg"));
            h << "<img src=\"" << shown << "\" alt=\"" << c.title.toHtmlEscaped() << "\">\n";
            m << "![" << c.title << "](" << shown << ")\n\n";
        }
        h << "<figcaption>";
        QStringList links;
        for (const QString& f : options.formats) {
            const QString name = c.id + QLatin1Char('.') + f;
            h << "<a href=\"" << name << "\">" << f.toUpper() << "</a> ";
            links << QStringLiteral("[%1](%2)").arg(f.toUpper(), name);
        }
        h << "</figcaption></figure>\n";
        m << "Files: " << links.join(QStringLiteral(" · ")) << "\n\n";
    }
    h << "</body></html>\n";
    for (const auto& [name, text] : {std::pair{QStringLiteral("index.html"), html}, std::pair{QStringLiteral("index.md"), md}}) {
        const QString err = atomically(d.filePath(name), [&](const QString& tmp) {
            QFile f(tmp);
            if (!f.open(QIODevice::WriteOnly | QIODevice::Text)) return QStringLiteral("cannot write %1").arg(d.filePath(name));
            f.write(text.toUtf8());
            return QString();
        });
        if (!err.isEmpty()) {
            *error = err;
            return written;
        }
        written << name;
    }
    return written;
}

}  // namespace chartexport
