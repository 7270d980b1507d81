// tst_cli.cpp — the `backprop` command line as a user meets it: exit codes (0 ok, 1 error, 2 usage) and one
// clear message for a bad flag, a missing dataset, a corrupt or truncated IDX file and a wrong-shape model
// file; a short real training on a small synthetic dataset writes the model and a complete report.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "bp/data/idx.h"
#include "engine/data_test_util.h"
#include "bp/io/safetensors.h"

namespace {

struct Run {
    int code = -1;
    QString out, err;
};

Run run_cli(const QStringList& args, const QMap<QString, QString>& env = {}) {
    QProcess p;
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    for (auto it = env.begin(); it != env.end(); ++it) e.insert(it.key(), it.value());
    p.setProcessEnvironment(e);
    p.start(QStringLiteral(BP_BINARY_DIR "/engine/backprop"), args);
    Run r;
    if (!p.waitForFinished(120000)) return r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;  // -2: crashed
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

// A learnable 10-class set in the MNIST layout under dir.
void write_blocks_dataset(const QString& dir, int train_n, int test_n) {
    bp_test::write_blocks_split(dir.toStdString(), "train", train_n, 1, 10);
    bp_test::write_blocks_split(dir.toStdString(), "t10k", test_n, 2, 10);
}

}  // namespace

class TstCli : public QObject {
    Q_OBJECT
private slots:
    void helpOnEverySubcommand_data() {
        QTest::addColumn<QString>("cmd");
        for (const char* c : {"train", "eval", "info", "bench"}) QTest::newRow(c) << c;
    }
    void helpOnEverySubcommand() {
        QFETCH(QString, cmd);
        Run r = run_cli({cmd, "--help"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("usage: backprop " + cmd), qPrintable(r.out));
    }

    void usageErrorsExitTwo_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no command") << QStringList{} << "usage: backprop";
        QTest::newRow("unknown command") << QStringList{"fly"} << "unknown command 'fly'";
        QTest::newRow("unknown flag") << QStringList{"train", "--bogus", "1"} << "unknown option --bogus";
        QTest::newRow("not a number") << QStringList{"train", "--lr", "fast"} << "--lr expects a number";
        QTest::newRow("absurd batch") << QStringList{"train", "--batch-size", "0"} << "--batch-size = 0 is out of range";
        QTest::newRow("absurd lr") << QStringList{"train", "--lr", "1e9"} << "--lr = 1e9 is out of range";
        QTest::newRow("unknown model") << QStringList{"train", "--model", "gpt9"} << "unknown name 'gpt9'";
        QTest::newRow("missing value") << QStringList{"train", "--epochs"} << "needs a value";
        QTest::newRow("eval without file") << QStringList{"eval"} << "--model-file FILE is required";
        QTest::newRow("unknown suite") << QStringList{"bench", "nothing"} << "unknown suite 'nothing'";
    }
    void usageErrorsExitTwo() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        Run r = run_cli(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void missingDatasetSaysWhatToRun() {
        QTemporaryDir empty;
        Run r = run_cli({"train", "--data-dir", empty.path(), "--epochs", "1"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("scripts/setup.sh"), qPrintable(r.err));
        QCOMPARE(r.err.count('\n'), 1);  // one message, not a stack of them
    }

    void truncatedIdxFileIsNamed() {
        QTemporaryDir tmp;
        write_blocks_dataset(tmp.path() + "/mnist", 100, 20);
        QFile f(tmp.path() + "/mnist/train-images-idx3-ubyte");
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.resize(f.size() - 500));
        f.close();
        Run r = run_cli({"train", "--data-dir", tmp.path(), "--epochs", "1"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("train-images-idx3-ubyte") && r.err.contains("truncated"), qPrintable(r.err));
    }

    void corruptIdxMagicIsNamed() {
        QTemporaryDir tmp;
        write_blocks_dataset(tmp.path() + "/mnist", 100, 20);
        QFile f(tmp.path() + "/mnist/t10k-labels-idx1-ubyte");
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.write("\x12\x34\x56\x78", 4);
        f.close();
        Run r = run_cli({"train", "--data-dir", tmp.path(), "--epochs", "1"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("t10k-labels-idx1-ubyte"), qPrintable(r.err));
    }

    void wrongShapeModelFileIsExplained() {
        QTemporaryDir tmp;
        write_blocks_dataset(tmp.path() + "/mnist", 100, 20);
        nlohmann::json config{{"model", "mlp"}, {"options", {{"hidden", {128, 64}}, {"activation", "relu"}}},
                              {"input_shape", {1, 28, 28}}, {"num_classes", 10}};
        std::vector<bp::io::NamedBuffer> tensors;
        auto add = [&](const std::string& name, std::vector<int64_t> shape) {
            int64_t n = 1;
            for (auto d : shape) n *= d;
            tensors.push_back({name, "F32", shape, std::vector<uint8_t>(static_cast<size_t>(n) * 4, 0)});
        };
        add("1.weight", {128, 784});
        add("1.bias", {128});
        add("3.weight", {64, 128});
        add("3.bias", {64});
        add("5.weight", {10, 32});  // wrong: the last layer takes 64 inputs
        add("5.bias", {10});
        const QString file = tmp.path() + "/wrong.safetensors";
        bp::io::save_safetensors(file.toStdString(), tensors, {{"bp.config", config.dump()}});
        Run r = run_cli({"eval", "--model-file", file, "--data-dir", tmp.path()});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("5.weight") && r.err.contains("[10, 32]") && r.err.contains("[10, 64]"), qPrintable(r.err));
    }

    void notAModelFile() {
        QTemporaryDir tmp;
        const QString file = tmp.path() + "/junk.safetensors";
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a model");
        f.close();
        Run r = run_cli({"eval", "--model-file", file});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("junk.safetensors"), qPrintable(r.err));
    }

    void trainsSavesAndReports() {
        QTemporaryDir tmp;
        write_blocks_dataset(tmp.path() + "/blocks", 600, 200);
        const QString model = tmp.path() + "/m.safetensors", report = tmp.path() + "/r.json";
        Run r = run_cli({"train", "--dataset", "blocks", "--data-dir", tmp.path(), "--epochs", "2", "--batch-size", "32",
                         "--seed", "3", "--out", model, "--report", report});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("test accuracy"));
        QFile rf(report);
        QVERIFY(rf.open(QIODevice::ReadOnly));
        auto j = nlohmann::json::parse(rf.readAll().toStdString());
        QCOMPARE(j["config"]["epochs"].get<int>(), 2);
        QCOMPARE(j["config"]["batch_size"].get<int>(), 32);
        QCOMPARE(j["epochs"].size(), size_t(2));
        for (const auto& e : j["epochs"]) QVERIFY(e["epoch_seconds"].get<double>() > 0);
        const double acc = j["test_accuracy"].get<double>();
        QVERIFY2(acc > 0.9 && acc <= 1.0, qPrintable(QString::number(acc)));  // blocks are easy
        int64_t total = 0;
        for (size_t k = 0; k < 10; ++k) {
            int64_t row = 0;
            for (auto v : j["confusion_matrix"][k]) row += v.get<int64_t>();
            QCOMPARE(row, j["class_counts"][k].get<int64_t>());
            total += row;
        }
        QCOMPARE(total, int64_t(200));
        for (const char* key : {"per_class_accuracy", "precision", "recall", "f1", "macro_f1", "timings", "machine"})
            QVERIFY2(j.contains(key), key);

        // The saved model evaluates to the same accuracy.
        Run e = run_cli({"eval", "--model-file", model, "--dataset", "blocks", "--data-dir", tmp.path()});
        QVERIFY2(e.code == 0, qPrintable(e.err));
        QVERIFY2(e.out.contains(QString::number(acc * 100, 'f', 2) + "%"), qPrintable(e.out));
    }

    void infoListsDatasets() {
        QTemporaryDir tmp;
        write_blocks_dataset(tmp.path() + "/mnist", 30, 10);
        Run r = run_cli({"info", "--data-dir", tmp.path()});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("simd"));
        QVERIFY(r.out.contains("cuda"));
        QVERIFY2(r.out.contains("train 30, test 10"), qPrintable(r.out));
    }
};

QTEST_APPLESS_MAIN(TstCli)
#include "tst_cli.moc"
