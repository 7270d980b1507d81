// tst_cli_weights.cpp — issue 19 through the real `backprop` binary: weights without "bp.config" (as a PyTorch
// state_dict written with safetensors has none) load when the user names the architecture with --model, every
// tensor checked against it by name and shape; and the size limits a user may legitimately need to raise
// (--max-picture-mpixel for predict, --max-text-mb for train-text) refuse above the limit, naming the file and the
// flag, and accept once raised.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "bp/io/model_file.h"
#include "bp/io/safetensors.h"
#include "bp/models/zoo.h"
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

/// The model's parameters and buffers as safetensors with no metadata at all, plus a PyTorch-style
/// num_batches_tracked counter for every batch norm: what torch's save_file(model.state_dict()) writes.
void write_state_dict(const QString& path, const bp::models::Model& m) {
    std::vector<bp::io::NamedBuffer> buffers;
    for (const auto& [name, t] : m.net->named_parameters()) buffers.push_back(bp::io::tensor_to_buffer(name, t));
    for (const auto& [name, t] : m.net->named_buffers()) buffers.push_back(bp::io::tensor_to_buffer(name, t));
    bp::io::save_safetensors(path.toStdString(), buffers, {});
}

/// "cnn on blocks test (20 images): accuracy 10.00%  loss 2.3026  macro F1 0.0182" without the timing.
QString accuracyLine(const QString& out) {
    for (const QString& line : out.split('\n'))
        if (line.contains("accuracy") && line.contains("test (")) return line.left(line.lastIndexOf('('));
    return QStringLiteral("no accuracy line in: ") + out;
}

/// A grey side_x × side_y picture of a dark vertical bar (a "1") on white paper.
QString write_one(const QString& path, int width, int height) {
    std::vector<uint8_t> px(static_cast<size_t>(width) * height, 255);
    for (int y = height / 5; y < height * 4 / 5; ++y)
        for (int x = width / 2 - width / 20; x < width / 2 + width / 20; ++x) px[static_cast<size_t>(y) * width + x] = 0;
    stbi_write_png(path.toUtf8().constData(), width, height, 1, px.data(), width);
    return path;
}

}  // namespace

class TstCliWeights : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_data;

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_data = m_dir.path() + "/blocks";
        bp_test::write_blocks_split(m_data.toStdString(), "train", 40, 1, 10);
        bp_test::write_blocks_split(m_data.toStdString(), "t10k", 50, 2, 10);
    }

    // eval and predict on a state_dict without bp.config give exactly what the same weights give with it.
    void namedArchitectureLoadsWeightsWithoutConfig() {
        const bp::models::Model cnn = bp::models::create_model("cnn", nlohmann::json::object(), 5);
        const QString plain = m_dir.path() + "/state_dict.safetensors", saved = m_dir.path() + "/saved.safetensors";
        write_state_dict(plain, cnn);
        bp::io::save_model(saved.toStdString(), cnn);
        QVERIFY(bp::io::load_safetensors(plain.toStdString()).metadata.empty());

        const QStringList data{"--dataset", "blocks", "--data-dir", m_dir.path()};
        Run with = run_cli(QStringList{"eval", "--model-file", saved} + data);
        QVERIFY2(with.code == 0, qPrintable(with.err));
        Run named = run_cli(QStringList{"eval", "--model", "cnn", "--model-file", plain} + data);
        QVERIFY2(named.code == 0, qPrintable(named.err));
        QVERIFY2(accuracyLine(named.out).startsWith("cnn on blocks test (50 images): accuracy"), qPrintable(named.out));
        QCOMPARE(accuracyLine(named.out), accuracyLine(with.out));

        const QString one = write_one(m_dir.path() + "/one.png", 56, 56);
        Run p1 = run_cli({"predict", "--json", "--model-file", saved, one});
        Run p2 = run_cli({"predict", "--json", "--model", "cnn", "--model-file", plain, one});
        QVERIFY2(p1.code == 0 && p2.code == 0, qPrintable(p1.err + p2.err));
        const auto j1 = nlohmann::json::parse(p1.out.toStdString()), j2 = nlohmann::json::parse(p2.out.toStdString());
        QCOMPARE(QString::fromStdString(j2["images"].dump()), QString::fromStdString(j1["images"].dump()));

        // Without --model the file is refused, naming it and saying what to do.
        Run bare = run_cli(QStringList{"eval", "--model-file", plain} + data);
        QCOMPARE(bare.code, 1);
        QVERIFY2(bare.err.contains("state_dict.safetensors") && bare.err.contains("--model"), qPrintable(bare.err));
    }

    // Every tensor is checked against the named model: a mismatching one is named with both shapes.
    void namedArchitectureChecksEveryShape() {
        const bp::models::Model narrow = bp::models::create_model("mlp", {{"hidden", nlohmann::json::array({32})}}, 1);
        const QString path = m_dir.path() + "/narrow_mlp.safetensors";
        write_state_dict(path, narrow);
        const bp::models::Model wanted = bp::models::create_model("mlp");
        const std::string first = wanted.net->named_parameters().front().first;
        Run r = run_cli({"eval", "--model", "mlp", "--model-file", path, "--dataset", "blocks", "--data-dir", m_dir.path()});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("narrow_mlp.safetensors") && r.err.contains(QString::fromStdString("tensor '" + first + "'")) &&
                     r.err.contains("[32, 784]") && r.err.contains("expects"),
                 qPrintable(r.err));
        // A different architecture: the first tensor it needs is missing, by name.
        Run cnn = run_cli({"eval", "--model", "cnn", "--model-file", path, "--dataset", "blocks", "--data-dir", m_dir.path()});
        QCOMPARE(cnn.code, 1);
        QVERIFY2(cnn.err.contains("narrow_mlp.safetensors") && cnn.err.contains("is missing from the file"), qPrintable(cnn.err));
        // An unknown name is a usage error listing the zoo.
        Run unknown = run_cli({"eval", "--model", "alexnet", "--model-file", path});
        QCOMPARE(unknown.code, 2);
        QVERIFY2(unknown.err.contains("alexnet") && unknown.err.contains("cnn"), qPrintable(unknown.err));
        // A file with its own config must agree with the name given.
        const QString saved = m_dir.path() + "/saved_mlp.safetensors";
        bp::io::save_model(saved.toStdString(), wanted);
        Run clash = run_cli({"predict", "--model", "cnn", "--model-file", saved, write_one(m_dir.path() + "/o.png", 28, 28)});
        QCOMPARE(clash.code, 1);
        QVERIFY2(clash.err.contains("saved_mlp.safetensors") && clash.err.contains("'mlp'") && clash.err.contains("'cnn'"),
                 qPrintable(clash.err));
    }

    // --max-picture-mpixel: 2100 x 1100 (2.2 Mpixel) is refused at 1 Mpixel, naming the flag, and read at 3.
    void pictureLimitCanBeRaised() {
        const QString model = m_dir.path() + "/pic_model.safetensors";
        bp::io::save_model(model.toStdString(), bp::models::create_model("mlp"));
        const QString wide = write_one(m_dir.path() + "/wide.png", 2100, 1100);
        Run low = run_cli({"predict", "--max-picture-mpixel", "1", "--model-file", model, wide});
        QCOMPARE(low.code, 1);
        QVERIFY2(low.err.contains("wide.png") && low.err.contains("2100 x 1100") && low.err.contains("1 Mpixel") &&
                     low.err.contains("--max-picture-mpixel"),
                 qPrintable(low.err));
        Run raised = run_cli({"predict", "--max-picture-mpixel", "3", "--model-file", model, wide});
        QVERIFY2(raised.code == 0, qPrintable(raised.err));
        QVERIFY2(raised.out.contains("wide.png"), qPrintable(raised.out));
        Run bad = run_cli({"predict", "--max-picture-mpixel", "100000", "--model-file", model, wide});
        QCOMPARE(bad.code, 2);  // out of its range: a usage error
    }

    // --max-text-mb: a 1.5 MiB text is refused at 1 MiB before any training, and trains at 2.
    void textLimitCanBeRaised() {
        std::string text;
        while (text.size() < 1536u * 1024) text += "the quick brown fox jumps over the lazy dog. ";
        const QString path = m_dir.path() + "/big.txt";
        bp_test::write_bytes(path.toStdString(), text);
        const QStringList tiny{"--layers", "1", "--heads", "1", "--dim", "8", "--context", "8", "--steps", "1",
                               "--batch-size", "2", "--eval-every", "1", "--eval-batches", "1", "--sample", "0", "--quiet"};
        Run low = run_cli(QStringList{"train-text", "--text", path, "--max-text-mb", "1"} + tiny);
        QCOMPARE(low.code, 1);
        QVERIFY2(low.err.contains("big.txt") && low.err.contains("2 MiB") && low.err.contains("limit is 1 MiB") &&
                     low.err.contains("--max-text-mb"),
                 qPrintable(low.err));
        QVERIFY2(!low.out.contains("done:"), qPrintable(low.out));
        const QString out = m_dir.path() + "/big_model.safetensors";
        Run raised = run_cli(QStringList{"train-text", "--text", path, "--max-text-mb", "2", "--out", out} + tiny);
        QVERIFY2(raised.code == 0, qPrintable(raised.err));
        QVERIFY(QFile::exists(out));
    }
};

QTEST_MAIN(TstCliWeights)
#include "tst_cli_weights.moc"
