// tst_bench_results_models.cpp — the bert, clip and architectures suites' JSON (engine/cli/bench_bert.cpp,
// bench_clip.cpp, bench_architectures.cpp) load on their own and become the Benchmarks page's table rows with
// exactly the JSON's numbers and words.
#include <QtTest>

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
