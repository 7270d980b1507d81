// bench_results_util.h — the small JSON helpers that bench_results.cpp (charts, ops and accuracy rows) and
// bench_model_rows.cpp (the model rows) share. Internal to app/tools: not an API for pages.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QPair>
#include <QString>
#include <QVector>
#include <cmath>

#include "tools/bench_results.h"

namespace bench_detail {

inline double num(const QJsonValue& v) { return v.isDouble() ? v.toDouble() : std::nan(""); }

/// `digits` significant digits ("0.718", "1.33"); whole numbers at or above 10^digits are written in full
/// ("26401", not "2.64e+04").
inline QString fmt(double v, int digits = 3) {
    if (!std::isfinite(v)) return QStringLiteral("–");
    if (std::abs(v) >= std::pow(10.0, digits) && std::abs(v) < 1e15) return QString::number(v, 'f', 0);
    return QString::number(v, 'g', digits);
}

inline QJsonArray rowsOf(const BenchRun& run, const QString& suite, const QString& key = QStringLiteral("results")) {
    return run.suite(suite).value(key).toArray();
}

inline QString modelName(const QJsonObject& row) {
    const QString title = row.value(QStringLiteral("title")).toString();
    return title.isEmpty() ? row.value(QStringLiteral("model")).toString() : title;
}

inline QString threadsText(int n) { return n == 1 ? QStringLiteral("1 thread") : QStringLiteral("%1 threads").arg(n); }

/// GPT-mini rows ("results" of the gpt suite): one per transformer block.
inline QString gptBlockLabel(const QJsonObject& row) {
    return row.value(QStringLiteral("block")).toString() + QStringLiteral(" block");
}
inline double gptOurs(const QJsonObject& row) {
    return num(row.value(QStringLiteral("backprop")).toObject().value(QStringLiteral("tokens_per_second")));
}
inline double gptTorch(const QJsonObject& row) {
    return num(row.value(QStringLiteral("pytorch")).toObject().value(QStringLiteral("tokens_per_second")));
}
inline QString gptTorchConfig(const QJsonObject& torch) {
    return QStringLiteral("torch %1 · BLAS %2").arg(threadsText(torch.value(QStringLiteral("torch_threads")).toInt()),
                                                    threadsText(torch.value(QStringLiteral("blas_threads")).toInt()));
}

/// " · 4.7 GFLOP/s (4.3% of peak)" from a row's training_gflops and fraction_of_peak; empty when absent.
inline QString gflopsText(const QJsonObject& row) {
    const double g = num(row.value(QStringLiteral("training_gflops")));
    if (!std::isfinite(g)) return {};
    const double f = num(row.value(QStringLiteral("fraction_of_peak")));
    return std::isfinite(f) ? QStringLiteral(" · %1 GFLOP/s training (%2% of peak)").arg(fmt(g), fmt(100 * f, 2))
                            : QStringLiteral(" · %1 GFLOP/s training").arg(fmt(g));
}

/// Bars over the union of categories: A's order first, then B's new ones.
inline void addBarSeries(ChartSpec& spec, const QString& name, const QVector<QPair<QString, double>>& values, bool dashed) {
    for (const auto& [cat, v] : values)
        if (!spec.categories.contains(cat)) spec.categories << cat;
    ChartSeries s{name};
    s.dashed = dashed;
    s.values = QVector<double>(spec.categories.size(), std::nan(""));
    for (const auto& [cat, v] : values) s.values[spec.categories.indexOf(cat)] = v;
    for (ChartSeries& other : spec.series) other.values.resize(spec.categories.size(), std::nan(""));
    spec.series.append(s);
}

/// The row of `r`'s `suite` (array `key`) whose `field` reads `value`; empty when there is none.
inline QJsonObject findRow(const BenchRun* r, const QString& suite, const QString& key, const QString& field,
                           const QString& value) {
    if (!r) return QJsonObject();
    for (const QJsonValue& v : r->suite(suite).value(key).toArray())
        if (v.toObject().value(field).toVariant().toString() == value) return v.toObject();
    return QJsonObject();
}

/// The table rows of the model suites (bench_model_rows.cpp): models, epochs, gpt, bert, clip, architectures
/// and threads, in that order.
QVector<BenchTableRow> modelTableRows(const BenchRun& run, const BenchRun* compare);
/// The threads suite's speed-up from 1 thread to every core per model, quiet and (with --busy) beside a busy
/// core (bench_model_rows.cpp).
ChartSpec threadsChart(const BenchRun& run);

}  // namespace bench_detail
