// export_charts.cpp — see export_charts.h. The app's theme is applied first so that presentation mode's larger
// font reaches the charts exactly as on the page.
#include "tools/export_charts.h"

#include <QApplication>
#include <cstdio>

#include "tools/bench_results.h"
#include "chart_export.h"
#include "core/theme.h"

int runExportCharts(const ExportChartsRequest& r) {
    auto fail = [](const QString& m, int code) {
        std::fprintf(stderr, "backprop export-charts: %s\n", qPrintable(m));
        return code;
    };
    chartexport::ExportOptions o;
    QString err;
    if (!chartexport::parseFormats(r.formats, &o.formats, &err)) return fail(QStringLiteral("--formats: ") + err, 2);
    if (r.dpi < 36 || r.dpi > 1200) return fail(QStringLiteral("--dpi must be between 36 and 1200"), 2);
    if (r.outDir.isEmpty()) return fail(QStringLiteral("--out DIR is required"), 2);
    BenchRun run, cmp;
    if (!loadBenchRun(r.results, &run, &err)) return fail(err, 1);
    if (!r.compare.isEmpty() && !loadBenchRun(r.compare, &cmp, &err)) return fail(err, 1);
    if (!r.compare.isEmpty() && cmp.label == run.label) cmp.label += QStringLiteral(" (2)");
    Appearance a;
    a.dark = r.dark;
    a.presentation = r.presentation;
    theme::applyToApplication(a);
    const QVector<ChartSpec> charts = benchCharts(run, r.compare.isEmpty() ? nullptr : &cmp);
    if (charts.isEmpty()) return fail(QStringLiteral("%1 holds no data to chart").arg(r.results), 1);
    o.dpi = r.dpi;
    o.title = QStringLiteral("Backprop Studio benchmarks: %1").arg(run.label);
    o.notes << machineSummary(run) << QStringLiteral("Results file: %1").arg(r.results);
    if (!r.compare.isEmpty()) o.notes << QStringLiteral("Compared with: %1 (%2)").arg(r.compare, machineSummary(cmp));
    const QStringList files =
        chartexport::exportAll(charts, PlotStyle::make(r.dark, r.presentation), QApplication::font(), r.outDir, o, &err);
    if (!err.isEmpty()) return fail(err, 1);
    std::printf("export-charts: %lld charts, %lld files written to %s (open index.html)\n",
                static_cast<long long>(charts.size()), static_cast<long long>(files.size()), qPrintable(r.outDir));
    return 0;
}
