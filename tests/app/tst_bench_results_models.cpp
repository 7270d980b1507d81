// tst_bench_results_models.cpp — the bert, clip, architectures, threads and epochs suites' JSON
// (engine/cli/bench_bert.cpp, bench_clip.cpp, bench_architectures.cpp, bench_threads.cpp, bench_epochs.cpp) load
// on their own and become the Benchmarks page's table rows (and the threads chart) with exactly the JSON's
// numbers and words.
#include <QtTest>
#include <cmath>

#include "tools/bench_results.h"

namespace {

QByteArray clipSuite() {
    return R"({"benchmark": "clip", "quick": false, "batch_size": 128, "steps": 20,
        "machine": {"cpu": "AMD EPYC", "threads": 2},
        "results": [{"parameters": 324929,
                     "backprop": {"pictures_per_second": 310.0, "steps_per_second": 2.421875, "threads": 1, "runs": []},
                     "pytorch": {"pictures_per_second": 155.0, "torch_threads": 1, "blas_threads": 2, "blas": "openblas",
                                 "runs": []},
                     "speedup_vs_pytorch": 2.0}]})";
}

QByteArray bertSuiteWithoutTorch() {
    return R"({"benchmark": "bert", "quick": true, "machine": {"cpu": "AMD EPYC"},
        "results": [{"parameters": 819953,
                     "backprop": {"tokens_per_second": 2048.0, "steps_per_second": 1.0, "threads": 2, "runs": []},
                     "pytorch": {"note": "skipped"}}]})";
}

QByteArray architectures() {
    return R"json({"benchmark": "architectures", "quick": false, "machine": {"cpu": "AMD EPYC"},
        "rows": [{"architecture": "BERT", "model": "BERT-mini", "claim": "85%+ sentiment accuracy in ~8 minutes (issue 15)",
                  "parameters": 819953, "metric": "masked-character accuracy", "value": 0.41,
                  "measured": "41.0% masked chars (unigram 16.6%)", "training": "300 masked-LM steps", "seconds": 61.5},
                 {"architecture": "ViT", "claim": "listed", "skipped": "MNIST not found"}]})json";
}

// bench threads --busy: two models, 1 and 2 threads, quiet and busy (the CLI's row layout).
QByteArray threadsSuite() {
    return R"json({"benchmark": "threads", "quick": false, "images": 3200, "repeats": 3, "gpt_steps": 20, "busy_mode": true,
        "machine": {"cpu": "AMD EPYC"},
        "results": [
          {"model": "cnn", "title": "CNN 32-64", "batch_size": 64, "busy": false, "threads": 1, "seconds": 4.0, "speedup": 1.0,
           "images": 3200, "epoch_seconds": 4.0, "work": "one epoch over 3200 images (fastest of 3)"},
          {"model": "cnn", "title": "CNN 32-64", "batch_size": 64, "busy": false, "threads": 2, "seconds": 2.5, "speedup": 1.6,
           "images": 3200, "epoch_seconds": 2.5, "work": "one epoch over 3200 images (fastest of 3)"},
          {"model": "gpt", "title": "GPT-mini (gpt2 block)", "batch_size": 32, "busy": false, "threads": 1, "seconds": 2.0,
           "speedup": 1.0, "steps": 20, "work": "20 steps of 32 x 64 tokens (median step x steps)"},
          {"model": "gpt", "title": "GPT-mini (gpt2 block)", "batch_size": 32, "busy": false, "threads": 2, "seconds": 1.25,
           "speedup": 1.6, "steps": 20, "work": "20 steps of 32 x 64 tokens (median step x steps)"},
          {"model": "cnn", "title": "CNN 32-64", "batch_size": 64, "busy": true, "threads": 1, "seconds": 8.0, "speedup": 1.0,
           "images": 3200, "epoch_seconds": 8.0, "work": "one epoch over 3200 images (fastest of 3)"},
          {"model": "cnn", "title": "CNN 32-64", "batch_size": 64, "busy": true, "threads": 2, "seconds": 10.0, "speedup": 0.8,
           "images": 3200, "epoch_seconds": 10.0, "work": "one epoch over 3200 images (fastest of 3)"}]})json";
}

QByteArray epochsSuite() {
    return R"json({"benchmark": "epochs", "quick": false, "images": 3200, "epochs": 2, "fma_peak_gflops": 100.0,
        "machine": {"cpu": "AMD EPYC"},
        "results": [
          {"model": "resnet", "title": "ResNet-mini", "parameters": 165626, "batch_size": 64, "images": 3200, "threads": 1,
           "epoch_seconds": [6.0, 5.0], "best_epoch_seconds": 5.0, "samples_per_second": 640.0,
           "projected_epoch_seconds": 93.75, "training_gflops": 20.0, "fraction_of_peak": 0.2,
           "pytorch": {"best_samples_per_second": 800.0, "projected_epoch_seconds": 75.0, "parameters": 165626,
                       "torch_threads": 2, "blas_threads": 1, "blas": "openblas", "runs": []},
           "parameters_match": true, "speedup_vs_pytorch": 0.8},
          {"model": "vit", "title": "ViT-tiny", "parameters": 105098, "batch_size": 64, "images": 3200, "threads": 1,
           "epoch_seconds": [2.0], "best_epoch_seconds": 2.0, "samples_per_second": 1600.0,
           "projected_epoch_seconds": 37.5, "training_gflops": 5.0, "fraction_of_peak": 0.05,
           "pytorch": {"note": "skipped (--pytorch off)"}}]})json";
}

QByteArray speedrunAndCheckpoint() {
    return R"json({"benchmark": "all", "suites": {
      "speedrun": {"benchmark": "speedrun", "recipe": {"model": "speedcnn"}, "mean_test_accuracy": 0.9919,
                   "worst_test_accuracy": 0.9913, "median_train_seconds": 2.5, "median_wall_seconds": 3.25,
                   "peak_memory_mb": 97.0, "achieved_gflops": 50.0, "fraction_of_peak": 0.25,
                   "runs": [{"seed": 1}, {"seed": 2}, {"seed": 3}], "speedup_vs_pytorch": 2.5,
                   "pytorch": {"train_seconds": 6.25, "test_accuracy": 0.9922, "torch_threads": 1, "blas_threads": 2},
                   "threads": {"recipe_threads": 2, "other_threads": 1, "median_train_seconds_recipe": 2.0,
                               "median_train_seconds_other": 3.0}},
      "checkpoint": {"benchmark": "checkpoint", "results": [
          {"model": "vit", "title": "ViT-tiny",
           "off": {"peak_tensor_memory_mb": 100.0, "median_step_seconds": 0.2},
           "block": {"peak_tensor_memory_mb": 60.0, "median_step_seconds": 0.25, "peak_tensor_memory_change": -0.4,
                     "step_time_change": 0.25}}]}}})json";
}

BenchRun load(const QByteArray& json) {
    BenchRun run;
    QString error;
    if (!parseBenchRun(json, &run, &error)) qWarning("%s", qPrintable(error));
    return run;
}

QVector<BenchTableRow> rowsOf(const BenchRun& run, const QString& suite) {
    QVector<BenchTableRow> out;
    for (const BenchTableRow& r : benchTable(run))
        if (r.suite == suite) out << r;
    return out;
}

}  // namespace

class TestBenchResultsModels : public QObject {
    Q_OBJECT
private slots:
    void threadsRowsAndChart() {
        const BenchRun run = load(threadsSuite());
        QVERIFY(run.has(QStringLiteral("threads")));
        const auto rows = rowsOf(run, QStringLiteral("threads"));
        QCOMPARE(rows.size(), 3);  // one per model and load
        QCOMPARE(rows[0].item, QStringLiteral("CNN 32-64, 1 → 2 threads, quiet"));
        QCOMPARE(rows[0].value, QStringLiteral("1.6× speed-up · 1 thread: 4 s, 2 threads: 2.5 s · one epoch over 3200 images "
                                               "(fastest of 3)"));
        QCOMPARE(rows[1].item, QStringLiteral("GPT-mini (gpt2 block), 1 → 2 threads, quiet"));
        QCOMPARE(rows[2].item, QStringLiteral("CNN 32-64, 1 → 2 threads, one core busy"));
        QVERIFY(rows[2].value.startsWith(QStringLiteral("0.8× speed-up")));
        const QVector<ChartSpec> charts = benchCharts(run);
        QCOMPARE(charts.size(), 1);
        const ChartSpec& c = charts[0];
        QCOMPARE(c.id, QStringLiteral("threads_speedup"));
        QCOMPARE(c.categories, (QStringList{QStringLiteral("CNN"), QStringLiteral("GPT-mini")}));
        QCOMPARE(c.series.size(), 2);
        QCOMPARE(c.series[0].name, QStringLiteral("2 threads, no load added"));
        QCOMPARE(c.series[0].values, (QVector<double>{1.6, 1.6}));
        QCOMPARE(c.series[1].name, QStringLiteral("2 threads, another process spinning on one core"));
        QCOMPARE(c.series[1].values.size(), 2);
        QCOMPARE(c.series[1].values[0], 0.8);
        QVERIFY(std::isnan(c.series[1].values[1]));  // GPT-mini was not measured busy in this file
        QCOMPARE(c.annotations[0], QStringLiteral("1.6× / 0.8×"));
    }

    void speedrunAndCheckpointRows() {
        const BenchRun run = load(speedrunAndCheckpoint());
        const auto sr = rowsOf(run, QStringLiteral("speedrun"));
        QCOMPARE(sr.size(), 2);
        QCOMPARE(sr[0].item, QStringLiteral("99% recipe (speedcnn)"));
        QCOMPARE(sr[0].value, QStringLiteral("mean 99.19% test accuracy over 3 seeds (worst 99.13%) · 2.5 s training, 3.25 s "
                                             "from start to saved model (medians) · 97 MB peak · 50 GFLOP/s (25% of peak)"));
        QCOMPARE(sr[0].pytorch, QStringLiteral("6.25 s training, 99.22% (torch 1, BLAS 2 threads)"));
        QCOMPARE(sr[0].ratio, QStringLiteral("2.50× faster"));
        QCOMPARE(sr[1].item, QStringLiteral("2 threads vs 1 thread"));
        QCOMPARE(sr[1].value, QStringLiteral("2 s vs 3 s training (median): 1.5× the speed"));
        const auto cp = rowsOf(run, QStringLiteral("checkpoint"));
        QCOMPARE(cp.size(), 2);  // the modes the file has
        QCOMPARE(cp[0].item, QStringLiteral("ViT-tiny, checkpointing off"));
        QCOMPARE(cp[0].value, QStringLiteral("100 MB peak tensor memory · 200 ms per step"));
        QCOMPARE(cp[1].item, QStringLiteral("ViT-tiny, checkpointing block"));
        QCOMPARE(cp[1].value, QStringLiteral("60 MB peak tensor memory · 250 ms per step (memory -40%, time +25%)"));
    }

    void epochsRows() {
        const BenchRun run = load(epochsSuite());
        QVERIFY(run.has(QStringLiteral("epochs")));
        const auto rows = rowsOf(run, QStringLiteral("epochs"));
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0].item, QStringLiteral("ResNet-mini training epoch"));
        QCOMPARE(rows[0].value, QStringLiteral("epoch 93.8 s (projected from 3200 images, 1 thread) · 165626 parameters · "
                                               "20 GFLOP/s training (20% of peak)"));
        QCOMPARE(rows[0].pytorch, QStringLiteral("epoch 75 s (same 3200 images, torch 2 threads · BLAS 1 thread)"));
        QCOMPARE(rows[0].ratio, QStringLiteral("1.25× slower"));
        QCOMPARE(rows[1].pytorch, QStringLiteral("skipped (--pytorch off)"));
        QVERIFY(rows[1].ratio.isEmpty());
    }

    void clipRow() {
        const BenchRun run = load(clipSuite());
        QVERIFY(run.has(QStringLiteral("clip")));
        const auto rows = rowsOf(run, QStringLiteral("clip"));
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].item, QStringLiteral("CLIP-mini, contrastive step"));
        QCOMPARE(rows[0].value, QStringLiteral("310 pictures/s · 2.42 steps/s (1 thread) · 324929 parameters"));
        QCOMPARE(rows[0].pytorch, QStringLiteral("155 pictures/s (torch 1 thread · BLAS 2 threads)"));
        QCOMPARE(rows[0].ratio, QStringLiteral("2.00× faster"));
    }

    void bertRowWithoutPytorch() {
        const auto rows = rowsOf(load(bertSuiteWithoutTorch()), QStringLiteral("bert"));
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].value, QStringLiteral("2048 tokens/s · 1 steps/s (2 threads) · 819953 parameters"));
        QCOMPARE(rows[0].pytorch, QStringLiteral("skipped"));
        QVERIFY(rows[0].ratio.isEmpty() || rows[0].ratio == QStringLiteral("–"));
    }

    void architecturesRows() {
        const BenchRun run = load(architectures());
        QVERIFY(run.has(QStringLiteral("architectures")));
        const auto rows = rowsOf(run, QStringLiteral("architectures"));
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0].item, QStringLiteral("BERT"));
        QCOMPARE(rows[0].value, QStringLiteral("41.0% masked chars (unigram 16.6%) · 61.5 s (300 masked-LM steps) · "
                                               "819953 parameters · its claim: 85%+ sentiment accuracy in ~8 minutes (issue 15)"));
        QCOMPARE(rows[1].value, QStringLiteral("skipped: MNIST not found"));
    }
};

QTEST_MAIN(TestBenchResultsModels)
#include "tst_bench_results_models.moc"
