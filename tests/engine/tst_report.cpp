// tst_report.cpp — `backprop report` on a small model trained here: every field of the benchmark report
// is present and consistent (confusion rows sum to the class counts, normalised rows to 1, the requested
// number of latency calls, the six batch sizes, a PASS/FAIL/NOT MEASURED line per target).
#include <QThread>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "engine/data_test_util.h"

namespace {
int run(const QStringList& args, QString* err = nullptr) {
    QProcess p;
    p.start(QStringLiteral(BP_BINARY_DIR "/engine/backprop"), args);
    if (!p.waitForFinished(180000)) return -1;
    if (err) *err = QString::fromUtf8(p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
}
}  // namespace

class TstReport : public QObject {
    Q_OBJECT
private slots:
    void reportFieldsAreConsistent() {
        QTemporaryDir tmp;
        const std::string dir = (tmp.path() + "/blocks").toStdString();
        bp_test::write_blocks_split(dir, "train", 400, 1, 10);
        bp_test::write_blocks_split(dir, "t10k", 150, 2, 10);
        const QString model = tmp.path() + "/m.safetensors", out = tmp.path() + "/report.json";
        QString err;
        QCOMPARE(run({"train", "--dataset", "blocks", "--data-dir", tmp.path(), "--epochs", "2", "--out", model, "--quiet"}, &err), 0);
        QVERIFY2(run({"report", "--model-file", model, "--dataset", "blocks", "--data-dir", tmp.path(), "--out", out,
                      "--latency-calls", "50", "--train-epochs", "1"}, &err) == 0, qPrintable(err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());

        const double acc = j["test_accuracy"].get<double>();
        QVERIFY(acc > 0.5 && acc <= 1.0);
        int64_t total = 0;
        for (size_t r = 0; r < 10; ++r) {
            int64_t row = 0;
            for (auto v : j["confusion_matrix"][r]) row += v.get<int64_t>();
            QCOMPARE(row, j["class_counts"][r].get<int64_t>());
            total += row;
            double nrow = 0;
            for (auto v : j["confusion_matrix_normalized"][r]) nrow += v.get<double>();
            QVERIFY(std::abs(nrow - 1.0) < 1e-9);
            QCOMPARE(j["per_class_accuracy"][r].get<double>(), j["confusion_matrix_normalized"][r][r].get<double>());
        }
        QCOMPARE(total, int64_t(150));
        QCOMPARE(j["latency_single_ms"]["calls"].get<int>(), 50);
        const auto& lat = j["latency_single_ms"];
        QVERIFY(lat["min"].get<double>() <= lat["median"].get<double>());
        QVERIFY(lat["median"].get<double>() <= lat["p95"].get<double>());
        QVERIFY(lat["p95"].get<double>() <= lat["max"].get<double>());
        QCOMPARE(j["latency_batch"].size(), size_t(6));
        QCOMPARE(j["latency_batch"][5]["batch_size"].get<int>(), 128);
        QVERIFY(j["memory"]["inference_peak_mb"].get<double>() > 0);
        QVERIFY(j["training"]["peak_memory_mb"].get<double>() > 0);
        QCOMPARE(j["training"]["epoch_seconds"].size(), size_t(1));
        QCOMPARE(j["model"]["parameters"].get<int64_t>(), int64_t(109386));
        QVERIFY(j["model"]["file_bytes"].get<int64_t>() > 109386 * 4);
        QCOMPARE(j["targets"].size(), size_t(7));
        for (const auto& t : j["targets"]) {
            const std::string r = t["result"].get<std::string>();
            QVERIFY2(r == "PASS" || r == "FAIL" || r == "NOT MEASURED", r.c_str());
        }
        QCOMPARE(j["targets"][6]["result"].get<std::string>(), std::string("PASS"));  // a 0.4 MB file is < 5 MB
    }

    // `backprop bench accuracy`: every activation measured against its reference, every registered op's
    // gradient check listed and passing.
    void benchAccuracyReport() {
        QTemporaryDir tmp;
        const QString out = tmp.path() + "/acc.json";
        QString err;
        QVERIFY2(run({"bench", "accuracy", "--points", "2001", "--json", out}, &err) == 0, qPrintable(err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        QCOMPARE(j["points"].get<int>(), 2001);
        QCOMPARE(j["activations"].size(), size_t(8));
        for (const auto& a : j["activations"]) {
            QVERIFY2(a["max_abs_error"].get<double>() >= 0, a["function"].get<std::string>().c_str());
            QVERIFY(a["rms_error"].get<double>() <= a["max_abs_error"].get<double>());
        }
        QCOMPARE(j["activations"][0]["max_abs_error"].get<double>(), 0.0);  // relu is exact
        // GELU's tanh form is an approximation: measurably off the exact form, but by less than 1e-3.
        const double gelu_gap = j["gelu_tanh_vs_exact"]["max_abs_error"].get<double>();
        QVERIFY(gelu_gap > 1e-5 && gelu_gap < 1e-3);
        QVERIFY(j["gradcheck"].size() >= 50);  // 58 cases today, one or more per op and shape
        for (const auto& g : j["gradcheck"]) QVERIFY2(g["passed"].get<bool>(), g["op"].get<std::string>().c_str());
    }

    // `backprop bench threads --quick --busy`: every model at 1 thread and every core, quiet and beside a
    // busy core; the 1-thread rows are the reference (speed-up 1); times positive. Values only, no timing bar.
    void benchThreadsReport() {
        QTemporaryDir tmp;
        const QString out = tmp.path() + "/threads.json";
        QString err;
        QVERIFY2(run({"bench", "threads", "--quick", "--busy", "--json", out}, &err) == 0, qPrintable(err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        QCOMPARE(j["benchmark"].get<std::string>(), std::string("threads"));
        QVERIFY(j["busy_mode"].get<bool>());
        const size_t counts = QThread::idealThreadCount() > 1 ? 2 : 1;
        // MLP, LeNet, CNN, ResNet-mini, ViT-tiny, GPT-mini × thread counts × {quiet, busy}
        QCOMPARE(j["results"].size(), 6 * counts * 2);
        for (const auto& r : j["results"]) {
            QVERIFY(r["seconds"].get<double>() > 0);
            if (r["threads"].get<int>() == 1) QCOMPARE(r["speedup"].get<double>(), 1.0);
        }
    }

    void missingModelFileIsAUsageError() {
        QString err;
        QCOMPARE(run({"report"}, &err), 2);
        QVERIFY(err.contains("--model-file"));
    }
};

QTEST_APPLESS_MAIN(TstReport)
#include "tst_report.moc"
