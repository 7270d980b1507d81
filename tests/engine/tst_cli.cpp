// tst_cli.cpp — the `backprop` command line as a user meets it: exit codes (0 ok, 1 error, 2 usage) and one
// clear message for a bad flag, a missing dataset, a corrupt or truncated IDX file and a wrong-shape model
// file; a short real training on a small synthetic dataset writes the model and a complete report.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "bp/data/idx.h"
#include "engine/data_test_util.h"
#include "engine/cli_test_util.h"
#include "bp/io/safetensors.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace {

using Run = bp_test::CliRun;
using bp_test::run_cli;

// A learnable 10-class set in the MNIST layout under dir.
void write_blocks_dataset(const QString& dir, int train_n, int test_n) {
    bp_test::write_blocks_split(dir.toStdString(), "train", train_n, 1, 10);
    bp_test::write_blocks_split(dir.toStdString(), "t10k", test_n, 2, 10);
}

// A 4-class set of shapes already in MNIST form (ink box 20 px, centred, white on black), so that a picture
// of one survives `predict`'s preprocessing: 0 horizontal bar, 1 vertical bar, 2 square outline, 3 plus.
// Jittered by up to a pixel and in brightness. Returns the images [count, 28, 28] and writes them with labels.
std::vector<uint8_t> write_shapes_split(const std::string& folder, const std::string& prefix, int64_t count, uint32_t seed,
                                        std::vector<uint8_t>* labels_out = nullptr) {
    QDir().mkpath(QString::fromStdString(folder));
    std::vector<uint8_t> px(static_cast<size_t>(count * 784), 0), lb(static_cast<size_t>(count));
    uint32_t s = seed;
    auto rnd = [&s](uint32_t n) { return ((s = s * 1664525u + 1013904223u) >> 16) % n; };
    for (int64_t i = 0; i < count; ++i) {
        const int c = static_cast<int>((i * 3 + seed) % 4);
        lb[static_cast<size_t>(i)] = static_cast<uint8_t>(c);
        const int dx = static_cast<int>(rnd(3)) - 1, dy = static_cast<int>(rnd(3)) - 1;
        const auto ink = static_cast<uint8_t>(190 + rnd(66));
        for (int r = 0; r < 20; ++r)
            for (int k = 0; k < 20; ++k) {
                bool on = false;
                if (c == 0) on = r >= 8 && r < 12;
                if (c == 1) on = k >= 8 && k < 12;
                if (c == 2) on = r < 3 || r >= 17 || k < 3 || k >= 17;
                if (c == 3) on = (r >= 8 && r < 12) || (k >= 8 && k < 12);
                if (on) px[static_cast<size_t>(i * 784 + (4 + dy + r) * 28 + 4 + dx + k)] = ink;
            }
    }
    bp::data::write_idx(folder + "/" + prefix + "-images-idx3-ubyte", {count, 28, 28}, px);
    bp::data::write_idx(folder + "/" + prefix + "-labels-idx1-ubyte", {count}, lb);
    if (labels_out) *labels_out = lb;
    return px;
}

/// Writes image i of a [n, 28, 28] ubyte stack as a grey PNG, enlarged `zoom` times and optionally inverted
/// (dark ink on white, as a photo or a scan would be).
void write_png_of(const QString& file, const std::vector<uint8_t>& stack, int64_t i, int zoom, bool invert) {
    const int side = 28 * zoom;
    std::vector<uint8_t> out(static_cast<size_t>(side * side));
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x) {
            const uint8_t v = stack[static_cast<size_t>(i * 784 + (y / zoom) * 28 + x / zoom)];
            out[static_cast<size_t>(y * side + x)] = invert ? static_cast<uint8_t>(255 - v) : v;
        }
    QVERIFY(stbi_write_png(file.toUtf8().constData(), side, side, 1, out.data(), side) != 0);
}

/// The line after the one that is exactly `file`: predict's top-1 line for that picture.
QString top1_line(const QString& out, const QString& file) {
    const QStringList lines = out.split('\n');
    for (int i = 0; i + 1 < lines.size(); ++i)
        if (lines[i] == file) return lines[i + 1];
    return {};
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

    void predictHelpAndUsage() {
        Run h = run_cli({"predict", "--help"});
        QCOMPARE(h.code, 0);
        QVERIFY2(h.out.contains("usage: backprop predict"), qPrintable(h.out));
        Run top = run_cli({"--help"});
        QVERIFY2(top.out.contains("predict"), qPrintable(top.out));
        Run no_model = run_cli({"predict", "digit.png"});
        QCOMPARE(no_model.code, 2);
        QVERIFY2(no_model.err.contains("--model-file FILE is required"), qPrintable(no_model.err));
        Run no_image = run_cli({"predict", "--model-file", "m.safetensors"});
        QCOMPARE(no_image.code, 2);
        QVERIFY2(no_image.err.contains("no IMAGE given"), qPrintable(no_image.err));
        Run bad_top = run_cli({"predict", "--model-file", "m.safetensors", "--top", "0", "x.png"});
        QCOMPARE(bad_top.code, 2);
    }

    // Train on shapes in a folder named fashion-mnist (so the model's classes get Fashion-MNIST names), then
    // classify two pictures made from test images — one enlarged and inverted — and one corrupt file.
    void predictClassifiesPicturesAndReportsBadFiles() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString() + "/fashion-mnist";
        write_shapes_split(dir, "train", 600, 1);
        std::vector<uint8_t> labels;
        const std::vector<uint8_t> test = write_shapes_split(dir, "t10k", 40, 2, &labels);
        const QString model = tmp.path() + "/m.safetensors";
        Run t = run_cli({"train", "--dataset", "fashion-mnist", "--data-dir", tmp.path(), "--epochs", "3", "--seed", "3",
                         "--out", model, "--quiet"});
        QVERIFY2(t.code == 0, qPrintable(t.err));

        auto first_of = [&](int c) {
            return static_cast<int64_t>(std::find(labels.begin(), labels.end(), static_cast<uint8_t>(c)) - labels.begin());
        };
        const QString bar = tmp.path() + "/vertical-bar.png", plus = tmp.path() + "/plus.png", bad = tmp.path() + "/bad.png";
        write_png_of(bar, test, first_of(1), 8, true);     // 224×224, dark on light
        write_png_of(plus, test, first_of(3), 1, false);  // 28×28 as in the dataset
        bp_test::write_bytes(bad.toStdString(), "\x89PNG\r\n\x1a\nthis is not a picture");

        Run r = run_cli({"predict", "--model-file", model, bar, bad, plus});
        QCOMPARE(r.code, 1);
        QVERIFY2(top1_line(r.out, bar).startsWith("  1. Trouser"), qPrintable(r.out));  // class 1
        QVERIFY2(top1_line(r.out, plus).startsWith("  1. Dress"), qPrintable(r.out));   // class 3
        QVERIFY2(r.out.contains("  3. "), qPrintable(r.out));                           // top 3 by default
        QVERIFY2(r.err.contains("bad.png") && r.err.contains("cannot decode"), qPrintable(r.err));
        QCOMPARE(r.err.count('\n'), 1);

        Run ok = run_cli({"predict", "--model-file", model, plus});
        QVERIFY2(ok.code == 0, qPrintable(ok.err));

        Run j = run_cli({"predict", "--model-file", model, "--json", "--top", "2", bar, bad, plus});
        QCOMPARE(j.code, 1);
        nlohmann::json doc;
        try {
            doc = nlohmann::json::parse(j.out.toStdString());
        } catch (const std::exception& e) {
            QFAIL(qPrintable(QString("not JSON: ") + e.what() + "\n" + j.out));
        }
        QCOMPARE(doc["images"].size(), size_t(3));
        QCOMPARE(doc["failed"].get<int>(), 1);
        QCOMPARE(doc["class_names"][0].get<std::string>(), std::string("T-shirt/top"));
        const auto& b = doc["images"][0];
        QCOMPARE(b["file"].get<std::string>(), bar.toStdString());
        QCOMPARE(b["prediction"].get<int>(), 1);
        QCOMPARE(b["name"].get<std::string>(), std::string("Trouser"));
        QCOMPARE(b["top"].size(), size_t(2));
        QVERIFY(b["top"][0]["probability"].get<double>() >= b["top"][1]["probability"].get<double>());
        QCOMPARE(b["probabilities"].size(), size_t(10));
        QVERIFY(b["preprocess"]["inverted"].get<bool>());
        QCOMPARE(doc["images"][1]["file"].get<std::string>(), bad.toStdString());
        QVERIFY(doc["images"][1]["error"].get<std::string>().find("bad.png") != std::string::npos);
        QCOMPARE(doc["images"][2]["prediction"].get<int>(), 3);
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
