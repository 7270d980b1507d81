// tst_cli_text.cpp — `backprop train-text` and `backprop generate` as a user meets them: usage errors exit 2 with
// one clear message, a missing or non-UTF-8 text file exits 1 naming it, and a short real run on a small text
// file saves a model and a report from which `generate` writes the same text for the same seed.
#include <QtTest>

#include <fstream>
#include <nlohmann/json.hpp>
#include "engine/cli_test_util.h"

namespace {

using Run = bp_test::CliRun;
using bp_test::periodic_text;
using bp_test::run_cli;
using bp_test::write_text;

}  // namespace

class TstCliText : public QObject {
    Q_OBJECT
private slots:
    void helpNamesTheOptions_data() {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("flag");
        QTest::newRow("train-text") << "train-text" << "--block";
        QTest::newRow("generate") << "generate" << "--top-k";
    }
    void helpNamesTheOptions() {
        QFETCH(QString, command);
        QFETCH(QString, flag);
        Run r = run_cli({command, "--help"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(flag), qPrintable(r.out));
        Run top = run_cli({"--help"});
        QVERIFY(top.out.contains(command));
    }

    void usageErrorsExitTwo_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown block") << QStringList{"train-text", "--block", "llama"} << "--block expects gpt2 or modern";
        QTest::newRow("bad steps") << QStringList{"train-text", "--steps", "ten"} << "--steps";
        QTest::newRow("zero steps") << QStringList{"train-text", "--steps", "0"} << "--steps";
        QTest::newRow("dim vs heads") << QStringList{"train-text", "--dim", "30", "--heads", "4"} << "divisible";
        QTest::newRow("unknown flag") << QStringList{"train-text", "--epochs", "3"} << "--epochs";
        QTest::newRow("no model file") << QStringList{"generate", "--prompt", "hi"} << "--model-file is required";
        QTest::newRow("bad temperature") << QStringList{"generate", "--model-file", "x", "--temperature", "0"}
                                         << "--temperature";
        QTest::newRow("bench suite") << QStringList{"bench", "gpt", "--pytorch", "maybe", "--quick"} << "--pytorch";
    }
    void usageErrorsExitTwo() {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        Run r = run_cli(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    }

    void badTextFilesExitOne() {
        QTemporaryDir dir;
        Run missing = run_cli({"train-text", "--text", dir.path() + "/none.txt", "--steps", "1"});
        QCOMPARE(missing.code, 1);
        QVERIFY2(missing.err.contains("none.txt"), qPrintable(missing.err));
        const QString latin1 = write_text(dir.path(), "latin1.txt", periodic_text() + "caf\xE9\n");
        Run bad = run_cli({"train-text", "--text", latin1, "--steps", "1"});
        QCOMPARE(bad.code, 1);
        QVERIFY2(bad.err.contains("UTF-8") && bad.err.contains("byte offset 2763"), qPrintable(bad.err));
        Run notgpt = run_cli({"generate", "--model-file", latin1});
        QCOMPARE(notgpt.code, 1);
        QVERIFY2(notgpt.err.contains("latin1.txt"), qPrintable(notgpt.err));
    }

    void trainsSavesAndGenerates() {
        QTemporaryDir dir;
        const QString text = write_text(dir.path(), "hello.txt", periodic_text());
        const QString model = dir.path() + "/hello.safetensors", report = dir.path() + "/report.json";
        Run r = run_cli({"train-text", "--text", text, "--layers", "1", "--dim", "32", "--heads", "2", "--context", "24",
                         "--batch-size", "16", "--steps", "120", "--lr", "0.01", "--warmup", "10", "--eval-every", "60",
                         "--eval-batches", "4", "--sample", "0", "--out", model, "--report", report});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains("val loss") && r.out.contains("unigram"), qPrintable(r.out));
        QVERIFY(r.out.contains("saved"));
        std::ifstream rf(report.toStdString());
        const nlohmann::json j = nlohmann::json::parse(rf);
        QCOMPARE(j["steps_completed"].get<int>(), 120);
        QCOMPARE(j["eval"].size(), size_t{3});  // steps 0, 60, 120
        QVERIFY(j["val_loss"].get<double>() < j["unigram_loss"].get<double>() - 1.0);
        QCOMPARE(j["model"]["options"]["block"], nlohmann::json("gpt2"));
        QVERIFY(j["tokens_per_second"].get<double>() > 0);

        const QStringList gen{"generate", "--model-file", model, "--prompt", "hello", "--tokens", "60", "--seed", "5"};
        Run g1 = run_cli(gen), g2 = run_cli(gen);
        QVERIFY2(g1.code == 0, qPrintable(g1.err));
        QCOMPARE(g1.out, g2.out);  // same seed, same text
        QVERIFY2(g1.out.startsWith("hello"), qPrintable(g1.out));
        QCOMPARE(g1.out.size(), qsizetype(66));  // the prompt, 60 characters (ASCII, as the text) and a newline
        // The model learned the text: its greedy continuation of "hello " is a word of the text.
        Run greedy = run_cli({"generate", "--model-file", model, "--prompt", "hello ", "--tokens", "5", "--top-k", "1"});
        QCOMPARE(greedy.code, 0);
        QVERIFY2(greedy.out.startsWith("hello world") || greedy.out.startsWith("hello moon."), qPrintable(greedy.out));
        Run unknown = run_cli({"generate", "--model-file", model, "--prompt", "HELLO", "--tokens", "3"});
        QCOMPARE(unknown.code, 2);  // no character of the prompt is in the vocabulary
        QVERIFY2(unknown.err.contains("vocabulary"), qPrintable(unknown.err));
    }
};

QTEST_GUILESS_MAIN(TstCliText)
#include "tst_cli_text.moc"
