// fuzz_bench.cpp — libFuzzer target for the benchmark results reader the Benchmarks page and `backprop
// export-charts` use (app/tools/bench_results: parseBenchRun, benchCharts, benchTable, machineSummary) and for
// drawing every chart it makes with widgets/bench_chart (axes sized to the data: a value of 1e308 once made
// Qt Charts recurse until the stack ran out). The run is also compared with itself (the second-run paths).
// Needs a QApplication: one is made on the first input, on the offscreen platform unless another is set.
#include <QApplication>
#include <QByteArray>
#include <QFont>
#include <cstdint>
#include <cstdlib>

#include "bench_chart.h"
#include "tools/bench_results.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static QApplication* app = [] {
        if (!std::getenv("QT_QPA_PLATFORM")) setenv("QT_QPA_PLATFORM", "offscreen", 1);
        static int argc = 1;
        static char name[] = "fuzz_bench";
        static char* argv[] = {name, nullptr};
        return new QApplication(argc, argv);
    }();
    (void)app;
    BenchRun run;
    QString error;
    if (!parseBenchRun(QByteArray(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size)), &run, &error)) {
        if (error.isEmpty()) __builtin_trap();  // a refusal always says why
        return 0;
    }
    run.label = QStringLiteral("fuzz");
    (void)machineSummary(run);
    (void)benchTable(run);
    (void)benchTable(run, &run);
    const PlotStyle style = PlotStyle::make(false, false);
    for (const QVector<ChartSpec>& specs : {benchCharts(run), benchCharts(run, &run)}) {
        for (const ChartSpec& spec : specs) {
            BenchChart chart(spec, style, QFont());
            chart.layoutAt(QSizeF(640, 400));
            (void)chart.outOfRangeValues();
        }
    }
    return 0;
}
