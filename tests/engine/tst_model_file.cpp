// tst_model_file.cpp — model files: a trained "mlp" saved and loaded back has the same config, bit-identical
// parameters, the same summary and the same predictions; damaged or foreign files (wrong shape, missing or
// extra tensor, truncated, no bp.config) throw DataError naming what is wrong. Also the training report
// JSON built from a real run (accuracy range, epoch timings, confusion rows summing to class counts).
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "bp/data/dataset.h"
#include "bp/data/idx.h"
#include "bp/errors.h"
#include "bp/io/model_file.h"
#include "bp/io/safetensors.h"
#include "bp/models/zoo.h"
#include "bp/train/report.h"
#include "bp/train/trainer.h"
#include "engine/data_test_util.h"

using bp::Tensor;
using bp_test::message_of;
using bp_test::write_blocks_split;

namespace {



/// The model's parameters as safetensors buffers, named as named_parameters() names them.
std::vector<bp::io::NamedBuffer> buffers_of(const bp::models::Model& m) {
    std::vector<bp::io::NamedBuffer> out;
    for (auto& [name, t] : m.net->named_parameters()) {
        bp::io::NamedBuffer b{name, "F32", t.shape(), std::vector<uint8_t>(t.nbytes())};
        std::memcpy(b.bytes.data(), t.raw_data(), t.nbytes());
        out.push_back(std::move(b));
    }
    return out;
}

}  // namespace

class TestModelFile : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void roundTripTrainedModel();
    void wrongShapeNamesTensorAndShapes();
    void missingTensor();
    void extraTensor();
    void truncatedFile_data();
    void truncatedFile();
    void notABackpropModel();
    void missingFile();
    void trainingReport();
    void halfPrecisionTensorsAreConverted();
    void pytorchBatchCountersAreIgnored();

private:
    std::string path(const char* name) const { return dir_.filePath(name).toStdString(); }
    QTemporaryDir dir_;
    bp::data::ImageDataset train_, test_;
    bp::models::Model trained_;
    std::vector<bp::train::EpochEvent> history_;
    double total_seconds_ = 0;
    std::string model_path_;
};

void TestModelFile::initTestCase() {
    QVERIFY(dir_.isValid());
    const std::string folder = dir_.filePath("blocks").toStdString();
    write_blocks_split(folder, "train", 200, 1);
    write_blocks_split(folder, "t10k", 80, 2);
    train_ = bp::data::load_image_dataset(dir_.path().toStdString(), "blocks", "train");
    test_ = bp::data::load_image_dataset(dir_.path().toStdString(), "blocks", "test");

    trained_ = bp::models::create_model("mlp", {{"hidden", {128, 64}}}, 11);
    bp::train::TrainConfig cfg;
    cfg.dataset = "blocks";
    cfg.epochs = 2;
    cfg.batch_size = 20;
    cfg.threads = 1;
    bp::train::Trainer t(trained_, train_, &test_, cfg);
    t.run();
    QVERIFY(!t.failed());
    history_ = t.history();
    total_seconds_ = t.total_seconds();
    QCOMPARE(history_.size(), size_t(2));

    model_path_ = path("mlp.safetensors");
    bp::io::save_model(model_path_, trained_, {{"test_accuracy", history_.back().test_accuracy}, {"epochs", 2}, {"note", "ünïcode ok"}});
}

void TestModelFile::roundTripTrainedModel() {
    bp::io::LoadedModel loaded = bp::io::load_model(model_path_);
    QCOMPARE(QString::fromStdString(loaded.model.name), QString("mlp"));
    QCOMPARE(QString::fromStdString(loaded.model.config().dump()), QString::fromStdString(trained_.config().dump()));
    QCOMPARE(loaded.model.num_classes, trained_.num_classes);
    QCOMPARE(loaded.model.input_shape, trained_.input_shape);

    const auto a = trained_.net->named_parameters(), b = loaded.model.net->named_parameters();
    QCOMPARE(b.size(), a.size());
    for (size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(QString::fromStdString(b[i].first), QString::fromStdString(a[i].first));
        QCOMPARE(b[i].second.shape(), a[i].second.shape());
        QCOMPARE(b[i].second.dtype(), a[i].second.dtype());
        QVERIFY2(std::memcmp(a[i].second.raw_data(), b[i].second.raw_data(), a[i].second.nbytes()) == 0, a[i].first.c_str());
        QVERIFY(!a[i].second.same(b[i].second));
    }
    // The loaded model is the trained one, not a fresh initialisation from the config's seed.
    const auto fresh = bp::models::create_model_from_config(trained_.config()).net->parameters();
    QVERIFY(fresh[0].to_float_vector() != b[0].second.to_float_vector());

    QCOMPARE(loaded.summary["epochs"].get<int>(), 2);
    QCOMPARE(loaded.summary["test_accuracy"].get<double>(), history_.back().test_accuracy);
    QCOMPARE(QString::fromStdString(loaded.summary["note"].get<std::string>()), QString("ünïcode ok"));

    // Same predictions and probabilities on the whole test set.
    const auto ea = bp::train::evaluate(*trained_.net, test_), eb = bp::train::evaluate(*loaded.model.net, test_);
    QCOMPARE(eb.predictions, ea.predictions);
    QCOMPARE(eb.loss, ea.loss);
    QVERIFY2(ea.metrics.accuracy >= 0.9, qPrintable(QString::number(ea.metrics.accuracy)));  // it did learn
    Tensor x = Tensor::empty({8, 1, 28, 28});
    std::vector<int64_t> idx{0, 1, 2, 3, 4, 5, 6, 7};
    bp::data::normalize_images(test_, idx.data(), 8, x.data<float>());
    QCOMPARE(bp::train::predict_proba(*loaded.model.net, x).to_float_vector(),
             bp::train::predict_proba(*trained_.net, x).to_float_vector());
}

void TestModelFile::wrongShapeNamesTensorAndShapes() {
    auto bufs = buffers_of(trained_);
    for (auto& b : bufs)
        if (b.name == "5.weight") {
            b.shape = {10, 32};
            b.bytes.assign(10 * 32 * 4, 0);
        }
    const std::string p = path("wrong_shape.safetensors");
    bp::io::save_safetensors(p, bufs, {{"bp.config", trained_.config().dump()}});
    const std::string msg = message_of<bp::DataError>([&] { bp::io::load_model(p); });
    BP_VERIFY_CONTAINS(msg, "5.weight");
    BP_VERIFY_CONTAINS(msg, "[10, 32]");
    BP_VERIFY_CONTAINS(msg, "[10, 64]");
    BP_VERIFY_CONTAINS(msg, p);
}

void TestModelFile::missingTensor() {
    auto bufs = buffers_of(trained_);
    std::erase_if(bufs, [](const bp::io::NamedBuffer& b) { return b.name == "3.bias"; });
    const std::string p = path("missing.safetensors");
    bp::io::save_safetensors(p, bufs, {{"bp.config", trained_.config().dump()}});
    const std::string msg = message_of<bp::DataError>([&] { bp::io::load_model(p); });
    BP_VERIFY_CONTAINS(msg, "3.bias");
    BP_VERIFY_CONTAINS(msg, "missing");
}

void TestModelFile::extraTensor() {
    auto bufs = buffers_of(trained_);
    bufs.push_back({"7.weight", "F32", {2, 2}, std::vector<uint8_t>(16, 0)});
    const std::string p = path("extra.safetensors");
    bp::io::save_safetensors(p, bufs, {{"bp.config", trained_.config().dump()}});
    const std::string msg = message_of<bp::DataError>([&] { bp::io::load_model(p); });
    BP_VERIFY_CONTAINS(msg, "7.weight");
}

void TestModelFile::truncatedFile_data() {
    QTest::addColumn<double>("fraction");  // of the real file kept
    QTest::newRow("empty") << 0.0;
    QTest::newRow("inside the header") << 0.0005;
    QTest::newRow("half") << 0.5;
    QTest::newRow("all but one byte") << -1.0;
}

void TestModelFile::truncatedFile() {
    QFETCH(double, fraction);
    const std::string bytes = bp_test::read_bytes(model_path_);
    QVERIFY(bytes.size() > 109386 * 4);  // 109386 float32 parameters plus the header
    const size_t keep = fraction < 0 ? bytes.size() - 1 : static_cast<size_t>(static_cast<double>(bytes.size()) * fraction);
    const std::string p = path("truncated.safetensors");
    bp_test::write_bytes(p, bytes.substr(0, keep));
    const std::string msg = message_of<bp::DataError>([&] { bp::io::load_model(p); });
    QVERIFY2(msg.rfind("WRONG:", 0) != 0, msg.c_str());
    BP_VERIFY_CONTAINS(msg, p);
}

void TestModelFile::notABackpropModel() {
    const std::string p = path("foreign.safetensors");
    bp::io::save_safetensors(p, buffers_of(trained_), {{"format", "pt"}});
    const std::string msg = message_of<bp::DataError>([&] { bp::io::load_model(p); });
    BP_VERIFY_CONTAINS(msg, "not a Backprop Studio model");
    BP_VERIFY_CONTAINS(msg, "bp.config");
}

void TestModelFile::missingFile() {
    const std::string p = path("nope/none.safetensors");
    const std::string msg = message_of<bp::DataError>([&] { bp::io::load_model(p); });
    BP_VERIFY_CONTAINS(msg, p);
}

void TestModelFile::trainingReport() {
    bp::train::TrainConfig cfg;
    cfg.dataset = "blocks";
    cfg.epochs = 2;
    const auto ev = bp::train::evaluate(*trained_.net, test_);
    const nlohmann::json j = bp::train::training_report(cfg, trained_, history_, ev.metrics, test_.class_names,
                                                        total_seconds_, "completed");
    QCOMPARE(QString::fromStdString(j.at("status").get<std::string>()), QString("completed"));
    QCOMPARE(j.at("model").at("parameters").get<int64_t>(), int64_t(109386));

    const double acc = j.at("test_accuracy").get<double>();
    QVERIFY2(acc >= 0.0 && acc <= 1.0, qPrintable(QString::number(acc)));
    QCOMPARE(acc, ev.metrics.accuracy);

    const auto& epochs = j.at("epochs");
    QCOMPARE(epochs.size(), size_t(2));
    double sum_seconds = 0;
    for (size_t i = 0; i < epochs.size(); ++i) {
        QCOMPARE(epochs[i].at("epoch").get<int>(), int(i) + 1);  // 1-based in the report
        const double s = epochs[i].at("epoch_seconds").get<double>();
        QVERIFY2(s > 0, qPrintable(QString("epoch %1: %2 s").arg(i).arg(s)));
        sum_seconds += s;
        const double ta = epochs[i].at("test_accuracy").get<double>();
        QVERIFY(ta >= 0.0 && ta <= 1.0);
    }
    QVERIFY(std::abs(j.at("timings").at("train_seconds").get<double>() - sum_seconds) < 1e-12);
    QVERIFY(j.at("timings").at("total_seconds").get<double>() >= sum_seconds);

    // Confusion rows sum to the number of test images of each class (counted here from the labels).
    std::vector<int64_t> counts(static_cast<size_t>(test_.num_classes), 0);
    for (uint8_t l : test_.labels) ++counts[l];
    const auto& cm = j.at("confusion_matrix");
    QCOMPARE(cm.size(), counts.size());
    int64_t diagonal = 0, total = 0;
    for (size_t r = 0; r < cm.size(); ++r) {
        QCOMPARE(cm[r].size(), counts.size());
        int64_t row = 0;
        for (const auto& v : cm[r]) row += v.get<int64_t>();
        QCOMPARE(row, counts[r]);
        QCOMPARE(j.at("class_counts")[r].get<int64_t>(), counts[r]);
        diagonal += cm[r][r].get<int64_t>();
        total += row;
    }
    QCOMPARE(total, test_.count);
    QCOMPARE(j.at("total").get<int64_t>(), test_.count);
    QCOMPARE(acc, static_cast<double>(diagonal) / static_cast<double>(total));
    QCOMPARE(j.at("class_names").size(), size_t(test_.num_classes));
}

// Issue 19: PyTorch may save weights as float16 or bfloat16; they load converted to float32, exactly (every
// half value is a float32 value): normal, subnormal, signed zero, infinity.
void TestModelFile::halfPrecisionTensorsAreConverted() {
    auto half_buffer = [](const char* dtype, const std::vector<uint16_t>& bits) {
        bp::io::NamedBuffer b{"w", dtype, {static_cast<int64_t>(bits.size())}, {}};
        for (uint16_t h : bits) b.bytes.push_back(static_cast<uint8_t>(h & 0xFF)), b.bytes.push_back(static_cast<uint8_t>(h >> 8));
        return b;
    };
    // F16: 1.0, -2.5, 65504 (max), 2^-14 (min normal), 2^-24 (min subnormal), -0, +inf
    const Tensor f16 = bp::io::buffer_to_tensor("x.safetensors", half_buffer("F16", {0x3C00, 0xC100, 0x7BFF, 0x0400, 0x0001, 0x8000, 0x7C00}));
    const std::vector<double> want{1.0, -2.5, 65504.0, std::ldexp(1.0, -14), std::ldexp(1.0, -24), -0.0, INFINITY};
    QCOMPARE(f16.to_vector(), want);
    QVERIFY(std::signbit(f16.to_vector()[5]));
    // BF16: the upper half of a float32: 1.0, -2.5, 3.140625
    const Tensor bf16 = bp::io::buffer_to_tensor("x.safetensors", half_buffer("BF16", {0x3F80, 0xC020, 0x4049}));
    QCOMPARE(bf16.to_vector(), (std::vector<double>{1.0, -2.5, 3.140625}));
    // Other dtypes are refused by name.
    const std::string msg = message_of<bp::DataError>([&] {
        bp::io::buffer_to_tensor("x.safetensors", bp::io::NamedBuffer{"w", "I32", {1}, std::vector<uint8_t>(4, 0)});
    });
    BP_VERIFY_CONTAINS(msg, "x.safetensors: tensor 'w' has dtype I32");
}

// A state_dict saved by PyTorch holds a num_batches_tracked counter per BatchNorm: it is not ours, and ignored.
void TestModelFile::pytorchBatchCountersAreIgnored() {
    bp::models::Model cnn = bp::models::create_model("cnn", nlohmann::json{{"channels1", 2}, {"channels2", 2}, {"fc", 4}});
    const std::string p = path("cnn_torch.safetensors");
    bp::io::save_model(p, cnn);
    bp::io::SafetensorsFile f = bp::io::load_safetensors(p);
    for (const char* bn : {"1.num_batches_tracked", "5.num_batches_tracked"})
        f.tensors.push_back({bn, "I64", {}, std::vector<uint8_t>(8, 0)});
    bp::io::save_safetensors(p, f.tensors, f.metadata);
    const bp::io::LoadedModel loaded = bp::io::load_model(p);
    QCOMPARE(loaded.model.net->parameter_count(), cnn.net->parameter_count());
}

QTEST_APPLESS_MAIN(TestModelFile)
#include "tst_model_file.moc"
