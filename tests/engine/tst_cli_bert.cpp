// tst_cli_bert.cpp — `backprop train-text --model bert` and `backprop fine-tune` as a user meets them: both have
// --help, usage mistakes exit 2 with one message, a short pre-training run on a small text saves a model and a
// report whose masked-character accuracy beats the unigram's, and fine-tune reads that file (the fine-tuning
// run itself needs Debian's fortunes and is skipped without it).
#include <QtTest>

#include <fstream>
#include <nlohmann/json.hpp>

#include "bp/data/text.h"
#include "engine/cli_test_util.h"

namespace {

using Run = bp_test::CliRun;
using bp_test::periodic_text;
using bp_test::run_cli;
using bp_test::write_text;

}  // namespace

class TstCliBert : public QObject {
    Q_OBJECT
private slots:
    void helpNamesTheOptions() {
        Run tt = run_cli({"train-text", "--help"});
        QCOMPARE(tt.code, 0);
        QVERIFY2(tt.out.contains("--model") && tt.out.contains("--compare-gpt") && tt.out.contains("[MASK]"), qPrintable(tt.out));
        Run ft = run_cli({"fine-tune", "--help"});
        QCOMPARE(ft.code, 0);
        QVERIFY2(ft.out.contains("--from-scratch") && ft.out.contains("fortune-source") && ft.out.contains("--epochs"),
                 qPrintable(ft.out));
        QVERIFY(run_cli({"--help"}).out.contains("fine-tune"));
    }

    void usageErrorsExitTwo_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown model") << QStringList{"train-text", "--model", "t5"} << "--model expects gpt or bert";
        QTest::newRow("compare without bert") << QStringList{"train-text", "--compare-gpt"} << "--compare-gpt";
        QTest::newRow("bert with odd heads") << QStringList{"train-text", "--model", "bert", "--dim", "12", "--heads", "4"} << "even head size";
        QTest::newRow("neither source") << QStringList{"fine-tune", "--epochs", "1"} << "--from-scratch";
        QTest::newRow("both sources") << QStringList{"fine-tune", "--model-file", "x", "--from-scratch"} << "exactly one";
        QTest::newRow("unknown task") << QStringList{"fine-tune", "--from-scratch", "--task", "sentiment"} << "fortune-source";
        QTest::newRow("compare without file") << QStringList{"fine-tune", "--from-scratch", "--compare-scratch"} << "--compare-scratch";
        QTest::newRow("zero epochs") << QStringList{"fine-tune", "--from-scratch", "--epochs", "0"} << "--epochs";
    }
    void usageErrorsExitTwo() {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        Run r = run_cli(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    }

    void pretrainsSavesAndFineTunes() {
        QTemporaryDir dir;
        const QString text = write_text(dir.path(), "hello.txt", periodic_text());
        const QString model = dir.path() + "/bert.safetensors", report = dir.path() + "/report.json";
        Run r = run_cli({"train-text", "--model", "bert", "--text", text, "--layers", "1", "--dim", "32", "--heads", "2",
                         "--context", "24", "--batch-size", "16", "--steps", "150", "--lr", "0.005", "--warmup", "10",
                         "--eval-every", "75", "--eval-batches", "4", "--out", model, "--report", report});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains("masked-char accuracy") && r.out.contains("unigram"), qPrintable(r.out));
        std::ifstream rf(report.toStdString());
        const nlohmann::json j = nlohmann::json::parse(rf);
        QCOMPARE(j["steps_completed"].get<int>(), 150);
        QCOMPARE(j["eval"].size(), size_t{3});  // steps 0, 75, 150
        QCOMPARE(j["model"]["name"], nlohmann::json("bert_mini"));
        QVERIFY2(j["val_masked_accuracy"].get<double>() > j["unigram_accuracy"].get<double>() + 0.2, j.dump().c_str());
        Run asgpt = run_cli({"generate", "--model-file", model});
        QCOMPARE(asgpt.code, 1);  // not a GPT file, and the message says which model it holds
        QVERIFY2(asgpt.err.contains("bert_mini"), qPrintable(asgpt.err));

        std::string why;
        if (!bp::data::default_corpus_available(&why)) QSKIP(why.c_str());
        const QString ft_report = dir.path() + "/ft.json";
        // --context 40: longer quotations than the 24-token pre-training windows (the modern block's RoPE is relative).
        Run ft = run_cli({"fine-tune", "--model-file", model, "--per-class", "10", "--epochs", "2", "--batch-size", "16",
                          "--context", "40", "--head-lr-scale", "5", "--compare-scratch", "--report", ft_report});
        QVERIFY2(ft.code == 0, qPrintable(ft.err + ft.out));
        QVERIFY2(ft.out.contains("pre-trained") && ft.out.contains("from scratch") && ft.out.contains("test acc"),
                 qPrintable(ft.out));
        std::ifstream ff(ft_report.toStdString());
        const nlohmann::json f = nlohmann::json::parse(ff);
        QCOMPARE(f["task"]["train"].get<int>() + f["task"]["test"].get<int>(), 60);
        QCOMPARE(f["pretrained"]["epochs"].size(), size_t{3});  // epoch 0 (before training), 1, 2
        QCOMPARE(f["from_scratch"]["epochs"].size(), size_t{3});
        QCOMPARE(f["model"]["options"]["context"].get<int>(), 40);
        QCOMPARE(f["config"]["head_lr_scale"].get<double>(), 5.0);
    }
};

QTEST_GUILESS_MAIN(TstCliBert)
#include "tst_cli_bert.moc"
