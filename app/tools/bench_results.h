// bench_results.h — reads the JSON that `backprop bench all` (or one suite) writes and turns it into plain
// ChartSpecs for the widgets and rows for the Benchmarks page's table. Generic over rows: every model in
// "models", every op in "ops" becomes a bar, a curve or a row, so new zoo models need no change here.
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>
#include <utility>

#include "chart_spec.h"

struct BenchRun {
    QString path;   ///< the file it was read from
    QString label;  ///< short name for legends: the file's base name
    QJsonObject machine;
    QJsonObject suites;  ///< "ops", "models", "accuracy", "scaling", "gpt", "bert", "clip", "architectures" — whichever the file has
    bool quick = false;
    bool has(const QString& suite) const { return suites.contains(suite); }
    QJsonObject suite(const QString& name) const { return suites.value(name).toObject(); }
};

/// Reads a results file. Returns false with *error saying what is wrong (missing, not JSON, not a benchmark).
bool loadBenchRun(const QString& path, BenchRun* run, QString* error);
/// The same from JSON text (path and label are left to the caller).
bool parseBenchRun(const QByteArray& json, BenchRun* run, QString* error);

/// One line about where it ran: "AMD EPYC … · 2 threads · AVX2 AVX-512 · g++ 12.2 · PyTorch 1.13.0".
QString machineSummary(const BenchRun& run);

/// Every chart the run has data for (ids: ops_speed, training_curves, memory, throughput, gpt_speed, scaling_data,
/// scaling_threads, activation_errors_<function> (one per activation with inexact results), gradients).
/// With `compare`, the second run is drawn beside the first
/// (extra bars, dashed lines) and series names carry each run's label.
QVector<ChartSpec> benchCharts(const BenchRun& run, const BenchRun* compare = nullptr);

struct BenchTableRow {
    BenchTableRow() = default;
    BenchTableRow(QString suite_, QString item_, QString value_ = {})
        : suite(std::move(suite_)), item(std::move(item_)), value(std::move(value_)) {}
    QString suite, item, value, compared, pytorch, ratio;
};
/// The table: one row per op, model, GPT-mini block, BERT-/CLIP-mini step, architecture (bench architectures),
/// activation, gradient-checked op and scaling point.
QVector<BenchTableRow> benchTable(const BenchRun& run, const BenchRun* compare = nullptr);

/// "1.31× faster" for ratio = PyTorch time ÷ ours = 1.31, "1.50× slower" for 0.667.
QString speedRatioText(double ratio);
