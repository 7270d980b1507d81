// tst_bench_results.cpp — the GPT-mini suite of a `backprop bench all` JSON becomes the "gpt_speed" chart
// (tokens/s per block, ours vs PyTorch, the ratio above each group) and table rows, with exactly the JSON's
// numbers; a comparison run adds dashed bars; a file without the suite has no GPT chart and loads as before.
#include <QBarSet>
#include <QBarSeries>
#include <QtTest>
#include <cmath>

#include "bench_chart.h"
#include "tools/bench_results.h"

namespace {

// The key names of engine/cli/bench_gpt.cpp (suite_gpt), nested as bench_all writes them.
QByteArray gptRow(const char* block, double ours, int ourThreads, double torch, int tt, int bt, double ratio) {
    return QStringLiteral(R"({"block": "%1", "parameters": 828160,
        "backprop": {"tokens_per_second": %2, "threads": %3,
                     "runs": [{"threads": %3, "tokens_per_second": %2, "median_step_seconds": 0.2, "seconds": 8.2,
                               "mean_tokens_per_second": 9980.0, "last_loss": 2.66}]},
        "pytorch": {"tokens_per_second": %4, "torch_threads": %5, "blas_threads": %6, "blas": "openblas",
                    "runs": [{"framework": "pytorch", "version": "1.13.0a0", "tokens_per_second": %4,
                              "torch_threads": %5, "blas_threads": %6}]},
        "speedup_vs_pytorch": %7})")
        .arg(QLatin1String(block))
        .arg(ours, 0, 'g', 17)
        .arg(ourThreads)
        .arg(torch, 0, 'g', 17)
        .arg(tt)
        .arg(bt)
        .arg(ratio, 0, 'g', 17)
        .toUtf8();
}

QByteArray gptSuite(const QByteArray& rows) {
    return R"({"benchmark": "gpt", "quick": false, "batch_size": 32, "steps": 40, "warmup_steps": 3, "corpus": "fortunes",
        "model": {"layers": 4, "heads": 4, "dim": 128, "context": 64, "vocab_size": 104},
        "machine": {"cpu": "AMD EPYC", "threads": 2}, "results": [)" +
           rows + "]}";
}

QByteArray allJson(const QByteArray& gpt) {
    QByteArray s = R"({"benchmark": "all", "format_version": 1, "quick": false, "seconds": 10,
        "machine": {"cpu": "AMD EPYC", "cores": 2, "threads": 2, "pytorch_version": "1.13.0a0"},
        "suites": {"scaling": {"benchmark": "scaling", "batch_size": 64,
                               "data_size": {"exponent": 1.0, "rows": [{"images": 500, "epoch_seconds": 0.1, "ideal_seconds": 0.1},
                                                                       {"images": 1000, "epoch_seconds": 0.2, "ideal_seconds": 0.2}]},
                               "threads": {"rows": []}})";
    if (!gpt.isEmpty()) s += ", \"gpt\": " + gpt;
    return s + "}}";
}

const double kOursGpt2 = 10040.493437500641, kTorchGpt2 = 7029.407984803752, kRatioGpt2 = 1.4283554830230776;
const double kOursModern = 5621.0, kTorchModern = 7093.4007981335, kRatioModern = 5621.0 / 7093.4007981335;

BenchRun load(const QByteArray& json, const QString& label) {
    BenchRun run;
    QString error;
    if (!parseBenchRun(json, &run, &error)) qWarning("%s", qPrintable(error));
    run.label = label;
    return run;
}

BenchRun withGpt() {
    return load(allJson(gptSuite(gptRow("gpt2", kOursGpt2, 1, kTorchGpt2, 1, 1, kRatioGpt2) + "," +
                                 gptRow("modern", kOursModern, 1, kTorchModern, 1, 1, kRatioModern))),
                QStringLiteral("before"));
}

const ChartSpec* find(const QVector<ChartSpec>& charts, const QString& id) {
    for (const ChartSpec& c : charts)
        if (c.id == id) return &c;
    return nullptr;
}

}  // namespace

class TestBenchResults : public QObject {
    Q_OBJECT
private slots:
    void gptChartHasTheJsonNumbers() {
        const BenchRun run = withGpt();
        QVERIFY(run.has(QStringLiteral("gpt")));
        const QVector<ChartSpec> charts = benchCharts(run);
        const ChartSpec* c = find(charts, QStringLiteral("gpt_speed"));
        QVERIFY(c);
        QCOMPARE(c->kind, ChartSpec::Kind::Bars);
        QCOMPARE(c->title, QStringLiteral("GPT-mini training speed vs PyTorch"));
        QCOMPARE(c->categories, (QStringList{QStringLiteral("gpt2 block"), QStringLiteral("modern block")}));
        QCOMPARE(c->series.size(), 2);
        QCOMPARE(c->series[0].name, QStringLiteral("backprop, 1 thread"));
        QCOMPARE(c->series[0].values, (QVector<double>{kOursGpt2, kOursModern}));
        QCOMPARE(c->series[1].name, QStringLiteral("PyTorch 1.13.0a0, torch 1 thread · BLAS 1 thread"));
        QCOMPARE(c->series[1].values, (QVector<double>{kTorchGpt2, kTorchModern}));
        QCOMPARE(c->annotations, (QStringList{QStringLiteral("1.43× faster"), QStringLiteral("1.26× slower")}));
        QVERIFY(c->subtitle.contains(QStringLiteral("4 layers, 4 heads, dim 128, context 64, batch 32")));

        // Drawn: the bars hold the same numbers and the labels are the ratios.
        BenchChart chart(*c, PlotStyle::make(false, false), QFont());
        auto* bars = qobject_cast<QBarSeries*>(chart.series().value(0));
        QVERIFY(bars);
        QCOMPARE(bars->count(), 2);
        QCOMPARE(bars->barSets()[0]->at(0), kOursGpt2);
        QCOMPARE(bars->barSets()[1]->at(1), kTorchModern);
        QCOMPARE(chart.annotationTexts(), c->annotations);
    }

    void gptTableRows() {
        const QVector<BenchTableRow> rows = benchTable(withGpt());
        QVector<BenchTableRow> gpt;
        for (const BenchTableRow& r : rows)
            if (r.suite == QLatin1String("gpt")) gpt << r;
        QCOMPARE(gpt.size(), 2);
        QCOMPARE(gpt[0].item, QStringLiteral("GPT-mini, gpt2 block"));
        QCOMPARE(gpt[0].value, QStringLiteral("10040 tokens/s (1 thread) · 828160 parameters"));
        QCOMPARE(gpt[0].pytorch, QStringLiteral("7029 tokens/s (torch 1 thread · BLAS 1 thread)"));
        QCOMPARE(gpt[0].ratio, QStringLiteral("1.43× faster"));
        QCOMPARE(gpt[1].ratio, QStringLiteral("1.26× slower"));
    }

    void comparisonAddsDashedBars() {
        const BenchRun a = withGpt();
        const BenchRun b = load(allJson(gptSuite(gptRow("gpt2", 9000, 2, 7000, 2, 1, 9000.0 / 7000) + "," +
                                                 gptRow("modern", 8000, 2, 7100, 1, 2, 8000.0 / 7100))),
                                QStringLiteral("after"));
        const QVector<ChartSpec> charts = benchCharts(a, &b);
        const ChartSpec* c = find(charts, QStringLiteral("gpt_speed"));
        QVERIFY(c);
        QCOMPARE(c->series.size(), 3);
        QCOMPARE(c->series[0].name, QStringLiteral("backprop, 1 thread · before"));
        QVERIFY(!c->series[0].dashed);
        QCOMPARE(c->series[1].name, QStringLiteral("backprop · after"));
        QVERIFY(c->series[1].dashed);
        QCOMPARE(c->series[1].values, (QVector<double>{9000, 8000}));
        QCOMPARE(c->series[2].values, (QVector<double>{kTorchGpt2, kTorchModern}));
        const QVector<BenchTableRow> rows = benchTable(a, &b);
        bool found = false;
        for (const BenchTableRow& r : rows)
            if (r.item == QLatin1String("GPT-mini, modern block")) {
                QCOMPARE(r.compared, QStringLiteral("8000 tokens/s (2 threads) · 828160 parameters"));
                found = true;
            }
        QVERIFY(found);
    }

    void pytorchMissingMeansNoRatios() {
        const QByteArray row = R"({"block": "gpt2", "parameters": 828160,
            "backprop": {"tokens_per_second": 10000, "threads": 2, "runs": []},
            "pytorch": {"note": "PyTorch is not installed (Debian package python3-torch); no comparison"}})";
        const BenchRun run = load(allJson(gptSuite(row)), QStringLiteral("x"));
        const QVector<ChartSpec> charts = benchCharts(run);
        const ChartSpec* c = find(charts, QStringLiteral("gpt_speed"));
        QVERIFY(c);
        QCOMPARE(c->series.size(), 1);
        QCOMPARE(c->series[0].values, QVector<double>{10000});
        QVERIFY(c->annotations.isEmpty());
        QVERIFY(c->subtitle.contains(QStringLiteral("PyTorch was not measured")));
        const QVector<BenchTableRow> rows = benchTable(run);
        QVERIFY(std::any_of(rows.begin(), rows.end(), [](const BenchTableRow& r) {
            return r.suite == QLatin1String("gpt") && r.pytorch.contains(QLatin1String("not installed")) && r.ratio.isEmpty();
        }));
    }

    void fileWithoutGptHasNoGptChart() {
        BenchRun run;
        QString error;
        QVERIFY(parseBenchRun(allJson({}), &run, &error));
        QCOMPARE(error, QString());
        QVERIFY(!run.has(QStringLiteral("gpt")));
        const QVector<ChartSpec> charts = benchCharts(run);
        QVERIFY(!charts.isEmpty());  // the scaling chart
        QVERIFY(!find(charts, QStringLiteral("gpt_speed")));
        for (const ChartSpec& c : charts) QVERIFY(!c.series.isEmpty());
        for (const BenchTableRow& r : benchTable(run)) QVERIFY(r.suite != QLatin1String("gpt"));
        // Compared with a run that has it: still no GPT chart (the first run decides which charts there are).
        const BenchRun other = withGpt();
        const QVector<ChartSpec> compared = benchCharts(run, &other);
        QVERIFY(!find(compared, QStringLiteral("gpt_speed")));
    }

    void standaloneGptFileLoads() {
        BenchRun run;
        QString error;
        QVERIFY2(parseBenchRun(gptSuite(gptRow("gpt2", kOursGpt2, 1, kTorchGpt2, 1, 1, kRatioGpt2)), &run, &error), qPrintable(error));
        QCOMPARE(run.machine.value(QStringLiteral("cpu")).toString(), QStringLiteral("AMD EPYC"));
        const QVector<ChartSpec> charts = benchCharts(run);
        const ChartSpec* c = find(charts, QStringLiteral("gpt_speed"));
        QVERIFY(c);
        QCOMPARE(c->series[0].values, QVector<double>{kOursGpt2});
        QCOMPARE(c->annotations, QStringList{QStringLiteral("1.43× faster")});
    }
};

QTEST_MAIN(TestBenchResults)
#include "tst_bench_results.moc"
