// tst_cli_reliability.cpp — issue 19 ("Nothing lost, nothing hangs"), one regression test per defect, through
// the real `backprop` binary: output paths checked before any work, a model file whose config does not fit its
// tensors refused before allocating, duplicate keys and out-of-range numbers named, integers checked, special
// files refused, gzip and picture bombs refused from their headers, Ctrl-C keeping the run, and exit codes.
#include <QtTest>

#include <csignal>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "bp/io/safetensors.h"
#include "engine/cli_test_util.h"
#include "engine/data_test_util.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace {

using Run = bp_test::CliRun;
using bp_test::run_cli;
namespace fs = std::filesystem;

QString write_text(const QString& dir, const QString& name, const std::string& content) {
    const QString path = dir + "/" + name;
    bp_test::write_bytes(path.toStdString(), content);
    return path;
}

std::string periodic_text() {
    std::string t;
    for (int i = 0; i < 120; ++i) t += i % 2 ? "hello world, hello moon.\n" : "the quick brown fox.\n";
    return t;
}

void write_blocks_dataset(const QString& dir, int train_n, int test_n) {
    bp_test::write_blocks_split(dir.toStdString(), "train", train_n, 1, 10);
    bp_test::write_blocks_split(dir.toStdString(), "t10k", test_n, 2, 10);
}

/// A safetensors file from a raw header text and data bytes (the header may be anything, even invalid).
void write_raw_safetensors(const QString& path, const std::string& header, const std::string& data = "") {
    std::string out;
    const uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
    bp_test::write_bytes(path.toStdString(), out + header + data);
}

/// A model file holding one F32 tensor and the given bp.config.
void write_model_with_config(const QString& path, const std::string& config, int64_t numel = 4) {
    bp::io::NamedBuffer b{"w", "F32", {numel}, std::vector<uint8_t>(static_cast<size_t>(numel) * 4, 0)};
    bp::io::save_safetensors(path.toStdString(), {b}, {{"bp.config", config}});
}

QStringList temp_files(const QString& dir) {
    QStringList out;
    for (const auto& e : fs::directory_iterator(dir.toStdString()))
        if (e.path().filename().string().find(".tmp-") != std::string::npos)
            out << QString::fromStdString(e.path().string());
    return out;
}

}  // namespace

/// "ulimit -v 1000000; " (1 GB of address space for the child), or nothing under scripts/sanitize.sh
/// (BP_HOSTILE_NO_VLIMIT): AddressSanitizer reserves terabytes of address space for its shadow memory.
static QString addressLimit() {
    return qEnvironmentVariableIsEmpty("BP_HOSTILE_NO_VLIMIT") ? QStringLiteral("ulimit -v 1000000; ") : QString();
}

class TstCliReliability : public QObject {
    Q_OBJECT
private slots:
    // Defect 3: output paths are checked before any work, and --out '' is a usage error.
    void outputPathsCheckedFirst_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("expected");
        QTest::newRow("train --out missing folder")
            << QStringList{"train", "--out", "/nonexistent-dir/m.safetensors"} << 1 << "'/nonexistent-dir' does not exist";
        QTest::newRow("train --report folder") << QStringList{"train", "--report", "/tmp"} << 1 << "is a folder";
        QTest::newRow("train --out ''") << QStringList{"train", "--out", ""} << 2 << "--out needs a file name";
        QTest::newRow("train-text --out missing folder")
            << QStringList{"train-text", "--out", "/nonexistent-dir/g.safetensors"} << 1 << "'/nonexistent-dir' does not exist";
        QTest::newRow("train-text --report ''") << QStringList{"train-text", "--report="} << 2 << "--report needs";
        QTest::newRow("eval --report missing folder")
            << QStringList{"eval", "--model-file", "x", "--report", "/nonexistent-dir/r.json"} << 1 << "'/nonexistent-dir' does not exist";
        QTest::newRow("bench --json missing folder")
            << QStringList{"bench", "ops", "--quick", "--json", "/nonexistent-dir/b.json"} << 1 << "'/nonexistent-dir' does not exist";
        QTest::newRow("report --out ''") << QStringList{"report", "--model-file", "x", "--out", ""} << 2 << "--out needs";
        QTest::newRow("read-only folder") << QStringList{"train", "--out", "/proc/m.safetensors"} << 1 << "--out";
    }
    void outputPathsCheckedFirst() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, expected);
        // The model file "x" and the default dataset need not exist: the output path is checked before them.
        Run r = run_cli(args);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    }

    // Defect 2: train-text on a text of one distinct character is refused before training (no padded token
    // without a character); and a GPT file whose tokenizer is shorter than its vocabulary does not load.
    void oneCharacterTextRefusedBeforeTraining() {
        QTemporaryDir dir;
        const QString text = write_text(dir.path(), "a.txt", std::string(2000, 'a'));
        Run r = run_cli({"train-text", "--text", text, "--steps", "2", "--out", dir.path() + "/g.safetensors"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("a.txt") && r.err.contains("distinct character"), qPrintable(r.err));
    }
    void gptTokenizerShorterThanVocabularyRefused() {
        QTemporaryDir dir;
        const QString text = write_text(dir.path(), "t.txt", periodic_text());
        const QString model = dir.path() + "/g.safetensors";
        Run r = run_cli({"train-text", "--text", text, "--steps", "1", "--layers", "1", "--dim", "8", "--heads", "2",
                         "--context", "8", "--batch-size", "2", "--sample", "0", "--out", model});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        // Drop the last vocabulary entry: the model could then emit a token with no character.
        bp::io::SafetensorsFile f = bp::io::load_safetensors(model.toStdString());
        auto tok = nlohmann::json::parse(f.metadata["bp.tokenizer"]);
        tok["vocab"].erase(tok["vocab"].size() - 1);
        f.metadata["bp.tokenizer"] = tok.dump();
        bp::io::save_safetensors(model.toStdString(), f.tensors, f.metadata);
        Run g = run_cli({"generate", "--model-file", model, "--tokens", "5"});
        QCOMPARE(g.code, 1);
        QVERIFY2(g.err.contains("g.safetensors") && g.err.contains("tokenizer"), qPrintable(g.err));
    }
    // Found by fuzz_gpt: options of 48 layers over the tensors of one were built (seconds) before the first wrong
    // tensor was named; the last block's tensor is now looked for first, from the options alone.
    void gptLayersBeyondTheTensorsRefusedBeforeBuilding() {
        QTemporaryDir dir;
        const QString text = write_text(dir.path(), "t.txt", periodic_text());
        const QString model = dir.path() + "/g48.safetensors";
        Run r = run_cli({"train-text", "--text", text, "--steps", "1", "--layers", "1", "--dim", "8", "--heads", "2",
                         "--context", "8", "--batch-size", "2", "--sample", "0", "--out", model});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        bp::io::SafetensorsFile f = bp::io::load_safetensors(model.toStdString());
        auto config = nlohmann::json::parse(f.metadata["bp.config"]);
        config["options"]["layers"] = 48;
        f.metadata["bp.config"] = config.dump();
        bp::io::save_safetensors(model.toStdString(), f.tensors, f.metadata);
        Run g = run_cli({"generate", "--model-file", model, "--tokens", "5"});
        QCOMPARE(g.code, 1);
        QVERIFY2(g.err.contains("g48.safetensors") && g.err.contains("'blocks.47.attn.q_proj.weight' [8, 8] is missing"),
                 qPrintable(g.err));
    }
    // The model is saved before the optional sample: --sample runs after "saved".
    void trainTextSavesBeforeSampling() {
        QTemporaryDir dir;
        const QString text = write_text(dir.path(), "t.txt", periodic_text());
        const QString model = dir.path() + "/g.safetensors";
        Run r = run_cli({"train-text", "--text", text, "--steps", "1", "--layers", "1", "--dim", "8", "--heads", "2",
                         "--context", "8", "--batch-size", "2", "--sample", "5", "--out", model});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.indexOf("saved ") >= 0 && r.out.indexOf("saved ") < r.out.indexOf("sample ("), qPrintable(r.out));
    }

    // Defect 4: a tiny file whose config asks for a huge model is refused before anything is allocated.
    void hugeConfigRefusedBeforeAllocating_data() {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("expected");
        QTest::newRow("mlp 4 x 65536") << "eval" << R"({"model":"mlp","options":{"hidden":[65536,65536,65536,65536]}})"
                                      << "the limit is";
        QTest::newRow("mlp 2 x 4096") << "eval" << R"({"model":"mlp","options":{"hidden":[4096,4096]}})"
                                      << "do not belong together";
        QTest::newRow("gpt 48 x 4096")
            << "generate" << R"({"model":"gpt_mini","options":{"vocab_size":2,"layers":48,"dim":4096,"heads":4}})"
            << "limit";
        QTest::newRow("cnn 512/512/8192") << "eval"
                                          << R"({"model":"cnn","options":{"channels1":512,"channels2":512,"fc":8192}})"
                                          << "parameters";
    }
    void hugeConfigRefusedBeforeAllocating() {
        QFETCH(QString, command);
        QFETCH(QString, config);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString model = dir.path() + "/big.safetensors";
        write_model_with_config(model, config.toStdString());
        if (command == "generate") {
            bp::io::SafetensorsFile f = bp::io::load_safetensors(model.toStdString());
            f.metadata["bp.tokenizer"] = R"({"type":"char","vocab":["a","b"]})";
            bp::io::save_safetensors(model.toStdString(), f.tensors, f.metadata);
        }
        // 1 GB of address space: building the model first would fail with bad_alloc, not this message.
        QProcess p;
        p.start("bash", {"-c", QString("%1exec '%2' %3 --model-file '%4'")
                                   .arg(addressLimit(), BP_BINARY_DIR "/engine/backprop", command, model)});
        QVERIFY(p.waitForFinished(60000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains("big.safetensors") && err.contains(expected), qPrintable(err));
    }

    // Defect 6: duplicate keys anywhere in the header are refused.
    void duplicateTensorNamesRefused() {
        QTemporaryDir dir;
        const QString f = dir.path() + "/dup.safetensors";
        write_raw_safetensors(f,
                              R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                              R"("w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                              std::string(4, '\0'));
        Run r = run_cli({"eval", "--model-file", f});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("dup.safetensors") && r.err.contains("repeats the key \"w\""), qPrintable(r.err));
    }

    // Defect 7: every reader failure is a data error naming the file (no raw json.exception text alone).
    void rawLibraryExceptionsBecomeDataErrors_data() {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("header");
        QTest::addColumn<QString>("expected");
        QTest::newRow("1e400 in header") << "eval" << R"({"w":{"dtype":"F32","shape":[1e400],"data_offsets":[0,4]}})"
                                         << "not valid JSON";
        QTest::newRow("gpt config array")
            << "generate" << R"({"__metadata__":{"bp.config":"[1,2]","bp.tokenizer":"{}"}})" << "JSON array";
        QTest::newRow("model config 1e400") << "eval" << "{\"__metadata__\":{\"bp.config\":\"{\\\"model\\\":1e400}\"}}"
                                            << "not valid JSON";
        QTest::newRow("deep nesting") << "eval" << (QString(200, '[') + QString(200, ']')) << "nested deeper";
    }
    void rawLibraryExceptionsBecomeDataErrors() {
        QFETCH(QString, command);
        QFETCH(QString, header);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString f = dir.path() + "/bad.safetensors";
        write_raw_safetensors(f, header.toStdString());
        Run r = run_cli({command, "--model-file", f});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("bad.safetensors") && r.err.contains(expected), qPrintable(r.err));
    }

    // Defect 8: integer fields given as floats are checked, not cast.
    void integerFieldsCheckedBeforeCasting_data() {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("expected");
        QTest::newRow("mlp hidden 1e30") << "eval" << R"({"model":"mlp","options":{"hidden":[1e30]}})"
                                         << "hidden layer width must be a whole number";
        QTest::newRow("mlp hidden 2.5") << "eval" << R"({"model":"mlp","options":{"hidden":[2.5]}})" << "whole number";
        QTest::newRow("gpt heads 1e30") << "generate" << R"({"model":"gpt_mini","options":{"heads":1e30}})"
                                        << "gpt: heads must be a whole number";
        QTest::newRow("gpt vocab 1e30") << "generate" << R"({"model":"gpt_mini","options":{"vocab_size":1e30}})"
                                        << "gpt: vocab_size must be a whole number";
        QTest::newRow("cnn fc -1") << "eval" << R"({"model":"cnn","options":{"fc":-1}})" << "cnn: fc";
    }
    void integerFieldsCheckedBeforeCasting() {
        QFETCH(QString, command);
        QFETCH(QString, config);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString f = dir.path() + "/int.safetensors";
        write_model_with_config(f, config.toStdString());
        if (command == "generate") {
            bp::io::SafetensorsFile s = bp::io::load_safetensors(f.toStdString());
            s.metadata["bp.tokenizer"] = R"({"type":"char","vocab":["a","b"]})";
            bp::io::save_safetensors(f.toStdString(), s.tensors, s.metadata);
        }
        Run r = run_cli({command, "--model-file", f});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("int.safetensors") && r.err.contains(expected), qPrintable(r.err));
        QVERIFY2(!r.err.contains("-9223372036854775808"), qPrintable(r.err));
    }

    // Defect 9: special files are refused at once (a FIFO would hang, /dev/zero read forever).
    void specialFilesRefused_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("fifo model") << QStringList{"eval", "--model-file", "FIFO"};
        QTest::newRow("fifo generate") << QStringList{"generate", "--model-file", "FIFO"};
        QTest::newRow("zero model") << QStringList{"eval", "--model-file", "/dev/zero"};
        QTest::newRow("zero text") << QStringList{"train-text", "--text", "/dev/zero", "--steps", "1"};
        QTest::newRow("fifo text") << QStringList{"train-text", "--text", "FIFO", "--steps", "1"};
        QTest::newRow("zero picture") << QStringList{"predict", "--model-file", "MODEL", "/dev/zero"};
        QTest::newRow("fifo picture") << QStringList{"predict", "--model-file", "MODEL", "FIFO"};
    }
    void specialFilesRefused() {
        QFETCH(QStringList, args);
        QTemporaryDir dir;
        const QString fifo = dir.path() + "/pipe";
        QCOMPARE(::mkfifo(fifo.toUtf8().constData(), 0600), 0);
        // predict needs a real model first
        const QString model = dir.path() + "/m.safetensors";
        if (args.contains("MODEL")) {
            write_blocks_dataset(dir.path() + "/blocks", 100, 20);
            Run t = run_cli({"train", "--dataset", "blocks", "--data-dir", dir.path(), "--epochs", "1", "--out", model,
                             "--quiet"});
            QVERIFY2(t.code == 0, qPrintable(t.err));
        }
        args.replaceInStrings("FIFO", fifo);
        args.replaceInStrings("MODEL", model);
        Run r = run_cli(args, {}, 20000);
        QVERIFY2(r.code == 1, qPrintable(QString::number(r.code) + " " + r.err));
        QVERIFY2(r.err.contains("not a regular file"), qPrintable(r.err));
    }

    // Defect 5: a gzip bomb is not inflated beyond what the IDX header implies (1 GB of address space).
    void gzipBombRefusedFromHeader() {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString() + "/bomb";
        write_blocks_dataset(dir.path() + "/bomb", 50, 20);
        // Labels: the header says 50 labels, then 1.25 GiB of zeros as concatenated gzip members.
        std::string header("\0\0\x08\x01\0\0\0\x32", 8);
        std::string member = bp_test::gzip_bytes(std::string(64 << 20, '\0'));
        std::ofstream out(folder + "/train-labels-idx1-ubyte.gz", std::ios::binary);
        const std::string first = bp_test::gzip_bytes(header + std::string(50, '\1'));
        out.write(first.data(), static_cast<std::streamsize>(first.size()));
        for (int i = 0; i < 20; ++i) out.write(member.data(), static_cast<std::streamsize>(member.size()));
        out.close();
        fs::remove(folder + "/train-labels-idx1-ubyte");
        QProcess p;
        p.start("bash", {"-c", QString("%1exec '%2' train --dataset bomb --data-dir '%3' --epochs 1")
                                   .arg(addressLimit(), BP_BINARY_DIR "/engine/backprop", dir.path())});
        QVERIFY(p.waitForFinished(60000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains("train-labels-idx1-ubyte.gz") && err.contains("trailing"), qPrintable(err));
    }

    // Defect 11: a valid but huge picture is refused from its header.
    void pictureBombRefusedFromHeader() {
        QTemporaryDir dir;
        write_blocks_dataset(dir.path() + "/blocks", 100, 20);
        const QString model = dir.path() + "/m.safetensors";
        Run t = run_cli({"train", "--dataset", "blocks", "--data-dir", dir.path(), "--epochs", "1", "--out", model, "--quiet"});
        QVERIFY2(t.code == 0, qPrintable(t.err));
        // 9000 x 9000 grey (81 Mpixel): stb writes it in a few MB.
        const int side = 9000;
        std::vector<uint8_t> px(static_cast<size_t>(side) * side, 255);
        const QString png = dir.path() + "/huge.png";
        QVERIFY(stbi_write_png(png.toUtf8().constData(), side, side, 1, px.data(), side) != 0);
        px.clear();
        px.shrink_to_fit();
        Run r = run_cli({"predict", "--model-file", model, png});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("huge.png") && r.err.contains("Mpixel"), qPrintable(r.err));
    }

    // Defect 13: an unknown architecture or activation in a model file exits 1 and names the file.
    void unknownArchitectureNamesTheFile_data() {
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("expected");
        QTest::newRow("architecture") << R"({"model":"transformer9000"})" << "transformer9000";
        QTest::newRow("activation") << R"({"model":"mlp","options":{"activation":"swish"}})" << "swish";
    }
    void unknownArchitectureNamesTheFile() {
        QFETCH(QString, config);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString f = dir.path() + "/arch.safetensors";
        write_model_with_config(f, config.toStdString());
        Run r = run_cli({"eval", "--model-file", f});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("arch.safetensors") && r.err.contains(expected), qPrintable(r.err));
    }
    void tokenizerUtf8ErrorsNameTheFile() {
        QTemporaryDir dir;
        const QString f = write_text(dir.path(), "latin.txt", periodic_text() + "caf\xE9\n");
        Run r = run_cli({"train-text", "--text", f, "--steps", "1"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("latin.txt") && r.err.contains("UTF-8"), qPrintable(r.err));
    }

    // Defect 10: Ctrl-C / SIGTERM during train stop at the next batch, save the model atomically, write the
    // report marked interrupted, exit 130 / 143; the saved model loads and evaluates; no temporary file remains.
    void signalKeepsTheRun_data() {
        QTest::addColumn<int>("sig");
        QTest::addColumn<int>("code");
        QTest::newRow("SIGINT") << int(SIGINT) << 130;
        QTest::newRow("SIGTERM") << int(SIGTERM) << 143;
    }
    void signalKeepsTheRun() {
        QFETCH(int, sig);
        QFETCH(int, code);
        QTemporaryDir dir;
        write_blocks_dataset(dir.path() + "/blocks", 2000, 100);
        const QString model = dir.path() + "/m.safetensors", report = dir.path() + "/r.json";
        QProcess p;
        p.start(BP_BINARY_DIR "/engine/backprop", {"train", "--dataset", "blocks", "--data-dir", dir.path(), "--epochs",
                                                   "10000", "--batch-size", "8", "--out", model, "--report", report});
        QVERIFY(p.waitForStarted());
        QString err;
        // Wait for the first finished epoch, then interrupt mid-run.
        while (!err.contains("epoch 1/") && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            err += QString::fromUtf8(p.readAllStandardError());
        }
        QVERIFY2(err.contains("epoch 1/"), qPrintable(err));
        ::kill(static_cast<pid_t>(p.processId()), sig);
        QVERIFY(p.waitForFinished(60000));
        err += QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), code);
        QVERIFY2(err.contains("interrupted") && err.contains("saved model to"), qPrintable(err));
        QVERIFY2(temp_files(dir.path()).isEmpty(), qPrintable(temp_files(dir.path()).join(", ")));
        QFile rf(report);
        QVERIFY(rf.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(rf.readAll().toStdString());
        QCOMPARE(j["interrupted"].get<bool>(), true);
        QCOMPARE(j["status"].get<std::string>(), std::string("interrupted"));
        QVERIFY(j["reached"]["epochs_completed"].get<int>() >= 1);
        Run e = run_cli({"eval", "--model-file", model, "--dataset", "blocks", "--data-dir", dir.path()});
        QVERIFY2(e.code == 0, qPrintable(e.err));
    }
    void secondSignalExitsAtOnceWithoutTempFile() {
        QTemporaryDir dir;
        write_blocks_dataset(dir.path() + "/blocks", 2000, 100);
        const QString model = dir.path() + "/m.safetensors";
        QProcess p;
        p.start(BP_BINARY_DIR "/engine/backprop", {"train", "--dataset", "blocks", "--data-dir", dir.path(), "--epochs",
                                                   "10000", "--batch-size", "8", "--out", model});
        QVERIFY(p.waitForStarted());
        QString err;
        while (!err.contains("epoch 1/") && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            err += QString::fromUtf8(p.readAllStandardError());
        }
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 130);
        QVERIFY2(temp_files(dir.path()).isEmpty(), qPrintable(temp_files(dir.path()).join(", ")));
    }
    void trainTextSignalKeepsTheRun() {
        QTemporaryDir dir;
        const QString text = write_text(dir.path(), "t.txt", periodic_text());
        const QString model = dir.path() + "/g.safetensors", report = dir.path() + "/r.json";
        QProcess p;
        p.start(BP_BINARY_DIR "/engine/backprop",
                {"train-text", "--text", text, "--steps", "1000000", "--layers", "1", "--dim", "8", "--heads", "2",
                 "--context", "8", "--batch-size", "2", "--eval-every", "10", "--out", model, "--report", report});
        QVERIFY(p.waitForStarted());
        QString out;
        while (!out.contains("step ") && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            out += QString::fromUtf8(p.readAllStandardOutput());
        }
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 130);
        QVERIFY(temp_files(dir.path()).isEmpty());
        QFile rf(report);
        QVERIFY(rf.open(QIODevice::ReadOnly));
        QCOMPARE(nlohmann::json::parse(rf.readAll().toStdString())["interrupted"].get<bool>(), true);
        Run g = run_cli({"generate", "--model-file", model, "--tokens", "5"});
        QVERIFY2(g.code == 0, qPrintable(g.err));
    }
};

QTEST_APPLESS_MAIN(TstCliReliability)
#include "tst_cli_reliability.moc"
