// tst_onnx_export_slow.cpp — `backprop export --format onnx`, verified rather than assumed: every exportable model
// (the zoo's MLP, LeNet, CNN, ResNet-mini, ViT-tiny in both blocks, and GPT-mini) is saved, exported by the real
// CLI, run in ONNX Runtime (onnxruntime-node through tools/onnx/run_onnx.js) on real MNIST test images (GPT: real
// characters), and ONNX Runtime's logits are compared with the engine's within 1e-4; python3-onnx's checker
// (tools/onnx/check_onnx.py, full_check) must accept each file, every parameter and buffer must be an initializer of
// the same name, and the metadata must give the preprocessing the engine uses. Skips, naming what is missing, where
// node, onnxruntime-node (tools/onnx/setup.sh) or python3-onnx are not installed, or the build has no exporter.
#include <QtTest>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

#include "bp/autograd.h"
#include "bp/data/dataset.h"
#include "bp/data/text.h"
#include "bp/io/gpt_file.h"
#include "bp/io/model_file.h"
#include "bp/models/gpt.h"
#include "bp/models/zoo.h"
#include "engine/cli_test_util.h"
#include "engine/data_test_util.h"
#include "engine/train_test_util.h"

namespace {

constexpr int kImages = 32;  // real MNIST test images per model
const QString kSource = QStringLiteral(BP_SOURCE_DIR);

struct Proc {
    int code = -1;
    QString out, err;
};

Proc run(const QString& program, const QStringList& args, int timeout_ms = 600000) {
    QProcess p;
    p.start(program, args);
    Proc r;
    if (!p.waitForStarted(30000)) return r;
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

void write_raw(const QString& path, const void* data, size_t bytes) {
    std::ofstream f(path.toStdString(), std::ios::binary | std::ios::trunc);
    f.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
}

std::vector<float> read_floats(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray b = f.readAll();
    std::vector<float> v(static_cast<size_t>(b.size()) / sizeof(float));
    std::memcpy(v.data(), b.constData(), v.size() * sizeof(float));
    return v;
}

}  // namespace

class TstOnnxExport : public QObject {
    Q_OBJECT

    bp::data::ImageDataset train_, test_;
    QString mnistWhy_;
    bool haveMnist_ = false;
    QString missing_;  // what is not installed, for the skip message
    bool haveOrt_ = false, haveChecker_ = false;
    QTemporaryDir dir_;

    QString backprop() const { return QStringLiteral(BP_BINARY_DIR "/engine/backprop"); }

    /// Exports `model_file` with the CLI; the .onnx path, after checking the command's exit and message.
    QString exportWithCli(const QString& model_file, const QString& name) {
        const QString out = dir_.filePath(name + ".onnx");
        const bp_test::CliRun r = bp_test::run_cli({"export", "--model-file", model_file, "--format", "onnx", "--out", out});
        if (r.code != 0) qWarning().noquote() << r.err;
        [&] { QCOMPARE(r.code, 0); }();
        if (QTest::currentTestFailed()) return {};
        if (!r.out.contains("wrote " + out)) qWarning().noquote() << r.out;
        [&] { QVERIFY(r.out.contains("opset 17")); }();
        return out;
    }

    /// ONNX Runtime's first output for the input file; empty when it failed (the failure is recorded).
    std::vector<float> runOrt(const QString& onnx, const QString& input, const QString& dtype, const QString& dims) {
        const QString out = onnx + ".out.bin";
        const Proc r = run("node", {kSource + "/tools/onnx/run_onnx.js", onnx, input, dtype, dims, out});
        if (r.code != 0) qWarning().noquote() << "run_onnx.js:" << r.code << r.err;
        [&] { QCOMPARE(r.code, 0); }();
        [&] { QVERIFY2(r.out.contains("\"output\":\"logits\""), qPrintable(r.out)); }();
        return read_floats(out);
    }

    /// python3-onnx's checker on the file, and what it reports: initializer names and metadata.
    nlohmann::json checkWithPython(const QString& onnx) {
        const QString script = QStringLiteral(
            "import json, sys, onnx\n"
            "m = onnx.load(sys.argv[1])\n"
            "onnx.checker.check_model(m, full_check=True)\n"
            "print(json.dumps({'initializers': [t.name for t in m.graph.initializer],\n"
            "                  'nodes': [n.name for n in m.graph.node],\n"
            "                  'opset': [o.version for o in m.opset_import],\n"
            "                  'metadata': {p.key: p.value for p in m.metadata_props}}))\n");
        const Proc r = run("/usr/bin/python3", {"-c", script, onnx});
        if (r.code != 0) qWarning().noquote() << "onnx checker:" << r.err.right(3000);
        [&] { QCOMPARE(r.code, 0); }();
        if (r.code != 0) return {};
        return nlohmann::json::parse(r.out.toStdString());
    }

    static double maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
        double m = 0;
        for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(static_cast<double>(a[i]) - b[i]));
        return m;
    }

    static void checkNames(const nlohmann::json& report, const bp::nn::Module& net) {
        std::set<std::string> inits;
        for (const auto& n : report["initializers"]) inits.insert(n.get<std::string>());
        auto all = net.named_parameters();
        for (auto& b : net.named_buffers()) all.push_back(b);
        for (const auto& [name, t] : all) QVERIFY2(inits.count(name), ("not an initializer: " + name).c_str());
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        haveMnist_ = bp_test::load_mnist(train_, test_, &mnistWhy_);
        const bp_test::CliRun probe = bp_test::run_cli({"export", "--help"});
        QCOMPARE(probe.code, 0);
        const bool hasNode = run("node", {"--version"}, 60000).code == 0;
        haveOrt_ = hasNode && QFile::exists(kSource + "/tools/onnx/node_modules/onnxruntime-node/package.json");
        if (!hasNode) missing_ += "node is not installed (Debian: npm pulls in nodejs); ";
        else if (!haveOrt_) missing_ += "onnxruntime-node is not installed: run tools/onnx/setup.sh (scripts/setup.sh does); ";
        haveChecker_ = run("/usr/bin/python3", {"-c", "import onnx"}, 120000).code == 0;
        if (!haveChecker_) missing_ += "python3-onnx is not installed (apt-get install python3-onnx); ";
    }

    // Usage mistakes exit 2 with one clear message; a missing file exits 1 naming it.
    void cliErrors() {
        const QString out = dir_.filePath("x.onnx");
        bp_test::CliRun r = bp_test::run_cli({"export", "--model-file", kSource + "/resources/models/mlp.safetensors"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("--out FILE is required"), qPrintable(r.err));
        r = bp_test::run_cli({"export", "--model-file", kSource + "/resources/models/mlp.safetensors", "--format", "tflite",
                              "--out", out});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("unknown format 'tflite'"), qPrintable(r.err));
        r = bp_test::run_cli({"export", "--model-file", dir_.filePath("nope.safetensors"), "--out", out});
        if (r.err.contains("no ONNX export")) QSKIP("this build has no ONNX export (Protobuf or libonnx-dev missing)");
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("nope.safetensors"), qPrintable(r.err));
        QVERIFY(!QFile::exists(out));
    }

    void imageModelsMatchOnnxRuntime_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("options");
        QTest::addColumn<int>("trainSteps");  // -1: the shipped, fully trained model in resources/models
        QTest::newRow("mlp (shipped)") << "mlp" << "{}" << -1;
        QTest::newRow("cnn (shipped)") << "cnn" << "{}" << -1;
        QTest::newRow("mlp gelu") << "mlp" << R"({"hidden": [64], "activation": "gelu"})" << 5;
        QTest::newRow("lenet") << "lenet" << "{}" << 5;
        QTest::newRow("resnet") << "resnet" << R"({"width": 4})" << 3;
        QTest::newRow("vit") << "vit" << R"({"dim": 32, "heads": 4, "layers": 2})" << 3;
        QTest::newRow("vit modern") << "vit" << R"({"dim": 32, "heads": 4, "layers": 1, "block": "modern"})" << 3;
    }

    void imageModelsMatchOnnxRuntime() {
        QFETCH(QString, model);
        QFETCH(QString, options);
        QFETCH(int, trainSteps);
        if (!haveMnist_) QSKIP(qPrintable(mnistWhy_));
        if (!haveOrt_ && !haveChecker_) QSKIP(qPrintable("nothing to run the exported file with: " + missing_));

        QString file;
        if (trainSteps < 0) {
            file = kSource + "/resources/models/" + model + ".safetensors";
        } else {
            bp::models::Model m = bp::models::create_model(model.toStdString(), nlohmann::json::parse(options.toStdString()), 7);
            bp_test::train_a_little(m, train_, trainSteps);
            file = dir_.filePath(QString(QTest::currentDataTag()).replace(' ', '_') + ".safetensors");
            bp::io::save_model(file.toStdString(), m, {{"dataset", "mnist"}});
        }
        const QString onnx = exportWithCli(file, QString(QTest::currentDataTag()).replace(' ', '_').remove('(').remove(')'));
        if (QTest::currentTestFailed()) return;

        // The engine's logits for the first kImages test images, from the same file, in eval mode.
        bp::io::LoadedModel loaded = bp::io::load_model(file.toStdString());
        loaded.model.net->eval();
        std::vector<int64_t> idx(kImages);
        for (int i = 0; i < kImages; ++i) idx[static_cast<size_t>(i)] = i;
        bp::Tensor x = bp::Tensor::empty({kImages, 1, 28, 28});
        bp::data::normalize_images(test_, idx.data(), kImages, x.data<float>());
        bp::autograd::NoGradGuard no_grad;
        const std::vector<float> engine = loaded.model.net->forward(x).to_float_vector();
        QCOMPARE(engine.size(), size_t{kImages * 10});

        if (haveOrt_) {
            const QString input = onnx + ".in.bin";
            write_raw(input, x.data<float>(), x.nbytes());
            const std::vector<float> ort = runOrt(onnx, input, "float32", QString("%1,1,28,28").arg(kImages));
            QCOMPARE(ort.size(), engine.size());
            const double diff = maxAbsDiff(engine, ort);
            double scale = 0;
            for (float v : engine) scale = std::max(scale, std::abs(static_cast<double>(v)));
            qInfo().noquote() << QString("%1: max |engine - onnxruntime| = %2 over %3 logits (largest |logit| %4)")
                                     .arg(QTest::currentDataTag()).arg(diff, 0, 'g', 3).arg(engine.size()).arg(scale, 0, 'g', 3);
            QVERIFY2(diff <= 1e-4, qPrintable(QString("logits differ by %1").arg(diff)));
            QVERIFY(scale > 0.1);  // real outputs, not a graph of zeros
        }
        if (haveChecker_) {
            const nlohmann::json report = checkWithPython(onnx);
            if (QTest::currentTestFailed()) return;
            QCOMPARE(report["opset"].dump(), std::string("[17]"));
            checkNames(report, *loaded.model.net);
            const nlohmann::json& meta = report["metadata"];
            QCOMPARE(meta.value("bp.model", ""), model.toStdString());
            QCOMPARE(std::stod(meta.value("preprocessing.mean", "0")), bp::data::mnist_mean);
            QCOMPARE(std::stod(meta.value("preprocessing.std", "0")), bp::data::mnist_std);
            QVERIFY(meta.value("preprocessing", "").find("/ 255") != std::string::npos);
            QCOMPARE(meta.value("input", "").rfind("input: float32 [N, 1, 28, 28]", 0), size_t{0});
            QCOMPARE(meta.value("class_names", ""), std::string(R"(["0","1","2","3","4","5","6","7","8","9"])"));
        }
        if (!missing_.isEmpty()) QSKIP(qPrintable("checked only in part: " + missing_));
    }

    // GPT-mini (causal attention, learned positions or RoPE): tokens of real text, logits [B, T, V] compared.
    void gptMatchesOnnxRuntime_data() {
        QTest::addColumn<QString>("block");
        QTest::newRow("gpt2") << "gpt2";
        QTest::newRow("modern") << "modern";
    }

    void gptMatchesOnnxRuntime() {
        QFETCH(QString, block);
        if (!haveOrt_ && !haveChecker_) QSKIP(qPrintable("nothing to run the exported file with: " + missing_));
        const std::string text = bp_test::periodic_text();
        const bp::data::CharTokenizer tok = bp::data::CharTokenizer::from_text(text);
        bp::models::GptOptions o;
        o.vocab_size = tok.vocab_size();
        o.context = 24, o.layers = 2, o.heads = 2, o.dim = 32;
        o.block = block == "modern" ? bp::nn::BlockKind::modern : bp::nn::BlockKind::gpt2;
        bp::models::GptMini gpt(o);
        // Weights larger than GPT-2's N(0, 0.02) initialisation, so that the logits are far from zero and a wrong
        // mask, position or rotation would show far above the tolerance.
        bp::Generator gen(11);
        for (auto& [name, p] : gpt.named_parameters()) {
            bp::autograd::NoGradGuard g;
            p.copy_(bp::Tensor::randn(p.shape(), gen, name.find("norm") != std::string::npos ? 1.0 : 0.0, 0.3));
        }
        const QString file = dir_.filePath("gpt_" + block + ".safetensors");
        bp::io::save_gpt(file.toStdString(), gpt, tok, {{"note", "test"}});
        const QString onnx = exportWithCli(file, "gpt_" + block);
        if (QTest::currentTestFailed()) return;

        const int B = 2, T = 19;  // T < context: the mask and position tables are sliced
        const std::vector<int32_t> ids = tok.encode(text.substr(0, 200));
        std::vector<double> tokens;
        std::vector<int64_t> tokens64;
        for (int b = 0; b < B; ++b)
            for (int t = 0; t < T; ++t) {
                tokens.push_back(ids[static_cast<size_t>(b * 37 + t)]);
                tokens64.push_back(ids[static_cast<size_t>(b * 37 + t)]);
            }
        bp::autograd::NoGradGuard no_grad;
        bp::io::LoadedGpt loaded = bp::io::load_gpt(file.toStdString());
        loaded.model->eval();
        const std::vector<float> engine =
            loaded.model->forward(bp::Tensor::from_vector({B, T}, tokens, bp::DType::i32)).to_float_vector();
        QCOMPARE(engine.size(), size_t(B * T * o.vocab_size));
        if (haveOrt_) {
            const QString input = onnx + ".in.bin";
            write_raw(input, tokens64.data(), tokens64.size() * sizeof(int64_t));
            const std::vector<float> ort = runOrt(onnx, input, "int64", QString("%1,%2").arg(B).arg(T));
            QCOMPARE(ort.size(), engine.size());
            const double diff = maxAbsDiff(engine, ort);
            double scale = 0;
            for (float v : engine) scale = std::max(scale, std::abs(static_cast<double>(v)));
            qInfo().noquote() << QString("gpt %1: max |engine - onnxruntime| = %2 over %3 logits (largest |logit| %4)")
                                     .arg(block).arg(diff, 0, 'g', 3).arg(engine.size()).arg(scale, 0, 'g', 3);
            QVERIFY2(diff <= 1e-4, qPrintable(QString("logits differ by %1").arg(diff)));
            QVERIFY(scale > 1.0);
        }
        if (haveChecker_) {
            const nlohmann::json report = checkWithPython(onnx);
            if (QTest::currentTestFailed()) return;
            checkNames(report, *loaded.model);
            QCOMPARE(report["metadata"].value("bp.model", ""), std::string("gpt_mini"));
            QVERIFY(report["metadata"].contains("bp.tokenizer"));
        }
        if (!missing_.isEmpty()) QSKIP(qPrintable("checked only in part: " + missing_));
    }
};

QTEST_GUILESS_MAIN(TstOnnxExport)
#include "tst_onnx_export_slow.moc"
