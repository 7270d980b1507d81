// export_charts.h — `backprop-studio --export-charts RESULTS --out DIR ...` (what `backprop export-charts` runs):
// the Benchmarks page's charts of a results file written to a folder without showing a window.
#pragma once

#include <QString>
#include <QStringList>

struct ExportChartsRequest {
    QString results, compare, outDir;
    int dpi = 150;
    QString formats = QStringLiteral("png,svg,pdf,csv");
    bool dark = false, presentation = false;
};

/// Exit code for main: 0 written, 1 failure (message on stderr), 2 bad request.
int runExportCharts(const ExportChartsRequest& request);
