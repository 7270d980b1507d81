// tst_safetensors.cpp — safetensors save/load: F32 and F64 round trips with metadata, the exact byte
// layout (u64 header length, padded JSON, contiguous offsets), corrupt files each failing with a DataError
// that names the file or tensor, and (where Python's safetensors is installed) a load from Python.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

#include <nlohmann/json.hpp>

#include "bp/errors.h"
#include "bp/io/safetensors.h"
#include "engine/data_test_util.h"

using bp::io::NamedBuffer;
using bp_test::message_of;

namespace {

template <typename T>
std::vector<uint8_t> as_bytes(const std::vector<T>& v) {
    std::vector<uint8_t> b(v.size() * sizeof(T));
    if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
    return b;
}

template <typename T>
std::vector<T> from_bytes(const std::vector<uint8_t>& b) {
    std::vector<T> v(b.size() / sizeof(T));
    if (!b.empty()) std::memcpy(v.data(), b.data(), b.size());
    return v;
}

/// A safetensors file by hand: length prefix, header text exactly as given, data.
std::string file_bytes(const std::string& header, const std::string& data) {
    std::string s;
    const uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
    return s + header + data;
}

std::vector<NamedBuffer> sample_tensors() {
    return {
        {"fc1.weight", "F32", {2, 3}, as_bytes(std::vector<float>{1.5f, -2.0f, 3.25f, 0.0f, 1e-7f, -1e7f})},
        {"fc1.bias", "F64", {3}, as_bytes(std::vector<double>{0.1, -0.2, 1.0 / 3.0})},
        {"scale", "F32", {}, as_bytes(std::vector<float>{0.5f})},
        {"empty", "F64", {0, 4}, {}},
    };
}

}  // namespace

class TestSafetensors : public QObject {
    Q_OBJECT

private slots:
    void roundTrip();
    void byteLayout();
    void corrupt_data();
    void corrupt();
    void truncatedRealFile();
    void missingFile();
    void saveRejectsBadBuffers_data();
    void saveRejectsBadBuffers();
    void saveRejectsInvalidUtf8();
    void readableFromPython();

private:
    QTemporaryDir dir_;
    std::string path(const std::string& name) const { return dir_.filePath(QString::fromStdString(name)).toStdString(); }
};

void TestSafetensors::roundTrip() {
    const std::string p = path("round.safetensors");
    const std::map<std::string, std::string> meta = {{"format", "pt"}, {"arch", R"({"model":"mlp","hidden":128})"}};
    bp::io::save_safetensors(p, sample_tensors(), meta);

    const auto f = bp::io::load_safetensors(p);
    QCOMPARE(f.metadata, meta);
    QCOMPARE(f.tensors.size(), size_t{4});
    QCOMPARE(f.tensors[0].name, std::string("empty"));  // sorted by name
    const NamedBuffer* w = f.find("fc1.weight");
    QVERIFY(w);
    QCOMPARE(w->dtype, std::string("F32"));
    QCOMPARE(w->shape, (std::vector<int64_t>{2, 3}));
    QCOMPARE(from_bytes<float>(w->bytes), (std::vector<float>{1.5f, -2.0f, 3.25f, 0.0f, 1e-7f, -1e7f}));
    const NamedBuffer* b = f.find("fc1.bias");
    QVERIFY(b);
    QCOMPARE(b->dtype, std::string("F64"));
    QCOMPARE(from_bytes<double>(b->bytes), (std::vector<double>{0.1, -0.2, 1.0 / 3.0}));  // bit-exact
    QCOMPARE(f.find("scale")->shape, std::vector<int64_t>{});
    QCOMPARE(from_bytes<float>(f.find("scale")->bytes), std::vector<float>{0.5f});
    QCOMPARE(f.find("empty")->shape, (std::vector<int64_t>{0, 4}));
    QVERIFY(f.find("empty")->bytes.empty());
    QVERIFY(f.find("nope") == nullptr);

    // No metadata: no "__metadata__" key, and an empty map back.
    bp::io::save_safetensors(p, sample_tensors(), {});
    QVERIFY(bp::io::load_safetensors(p).metadata.empty());
}

void TestSafetensors::byteLayout() {
    const std::string p = path("layout.safetensors");
    bp::io::save_safetensors(p,
                             {{"w", "F32", {2}, as_bytes(std::vector<float>{1.0f, 2.0f})},
                              {"a", "F64", {1}, as_bytes(std::vector<double>{-4.0})}},
                             {{"k", "v"}});
    const std::string b = bp_test::read_bytes(p);
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= uint64_t{static_cast<uint8_t>(b[i])} << (8 * i);
    QCOMPARE(n % 8, uint64_t{0});
    QCOMPARE(b.size(), size_t{8 + n + 16});
    const std::string header = b.substr(8, n);
    QCOMPARE(header.front(), '{');
    QVERIFY(header.find_last_not_of(' ') == header.rfind('}'));  // only spaces after the JSON

    const auto j = nlohmann::json::parse(header);
    QCOMPARE(j["a"]["dtype"].get<std::string>(), std::string("F64"));
    QCOMPARE(j["a"]["shape"], nlohmann::json::array({1}));
    QCOMPARE(j["a"]["data_offsets"], nlohmann::json::array({0, 8}));   // name order: a first
    QCOMPARE(j["w"]["data_offsets"], nlohmann::json::array({8, 16}));
    QCOMPARE(j["__metadata__"]["k"].get<std::string>(), std::string("v"));
    double a = 0;
    float w[2] = {};
    std::memcpy(&a, b.data() + 8 + n, 8);
    std::memcpy(w, b.data() + 8 + n + 8, 8);
    QCOMPARE(a, -4.0);
    QCOMPARE(w[1], 2.0f);
}

void TestSafetensors::corrupt_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QStringList>("expected");
    const auto qb = [](const std::string& s) { return QByteArray(s.data(), static_cast<qsizetype>(s.size())); };
    const std::string w8 = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";

    QTest::newRow("shorter than 8 bytes") << qb(std::string("\x05\0\0\0\0", 5)) << QStringList{"too short", "got 5 bytes"};
    QTest::newRow("header length beyond file")
        << qb(file_bytes(w8, std::string(8, '\0')).replace(0, 2, "\xe8\x03"))
        << QStringList{"header longer than the file", "got header length 1000"};
    QTest::newRow("header length absurd") << qb(std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8) + "{}")
                                          << QStringList{"header longer than the file"};
    QTest::newRow("bad JSON") << qb(file_bytes(R"({"w": {"dtype": "F32", )", "")) << QStringList{"not valid JSON"};
    QTest::newRow("JSON array") << qb(file_bytes("[1, 2]", "")) << QStringList{"not a JSON object", "array"};
    QTest::newRow("offsets out of range")
        << qb(file_bytes(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", std::string(8, '\0')))
        << QStringList{"tensor 'w'", "outside the data section", "[0, 16] with 8 data bytes"};
    QTest::newRow("begin after end")
        << qb(file_bytes(R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[4,2]}})", std::string(8, '\0')))
        << QStringList{"tensor 'w'", "outside the data section"};
    QTest::newRow("size mismatch")
        << qb(file_bytes(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0')))
        << QStringList{"tensor 'w'", "got 8 bytes, expected 12 for [3] F32"};
    QTest::newRow("unknown dtype")
        << qb(file_bytes(R"({"w":{"dtype":"F8","shape":[8],"data_offsets":[0,8]}})", std::string(8, '\0')))
        << QStringList{"tensor 'w'", "unsupported dtype; got \"F8\""};
    QTest::newRow("negative dim")
        << qb(file_bytes(R"({"w":{"dtype":"U8","shape":[-1],"data_offsets":[0,8]}})", std::string(8, '\0')))
        << QStringList{"tensor 'w'", "invalid shape"};
    QTest::newRow("missing offsets") << qb(file_bytes(R"({"w":{"dtype":"U8","shape":[1]}})", "x"))
                                     << QStringList{"tensor 'w'", "invalid \"data_offsets\""};
    QTest::newRow("overlap")
        << qb(file_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                         R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                         std::string(12, '\0')))
        << QStringList{"tensor 'b'", "overlaps"};
    QTest::newRow("gap")
        << qb(file_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                         R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                         std::string(12, '\0')))
        << QStringList{"tensor 'b'", "gap", "expected 4"};
    QTest::newRow("trailing data") << qb(file_bytes(w8, std::string(12, '\0')))
                                   << QStringList{"4 bytes after the last tensor"};
    QTest::newRow("metadata value not a string")
        << qb(file_bytes(R"({"__metadata__":{"epochs":3}})", "")) << QStringList{"non-string __metadata__", "epochs"};
}

void TestSafetensors::corrupt() {
    QFETCH(QByteArray, bytes);
    QFETCH(QStringList, expected);
    static int counter = 0;
    const std::string p = path("corrupt-" + std::to_string(counter++) + ".safetensors");
    bp_test::write_bytes(p, std::string(bytes.constData(), static_cast<size_t>(bytes.size())));
    const std::string msg = message_of<bp::DataError>([&] { bp::io::load_safetensors(p); });
    BP_VERIFY_CONTAINS(msg, "'" + p + "'");
    for (const QString& e : expected) BP_VERIFY_CONTAINS(msg, e.toStdString());
}

void TestSafetensors::truncatedRealFile() {
    const std::string p = path("cut.safetensors");
    bp::io::save_safetensors(p, sample_tensors(), {{"k", "v"}});
    const std::string b = bp_test::read_bytes(p);
    bp_test::write_bytes(p, b.substr(0, b.size() - 4));  // "scale" is last in name order
    const std::string msg = message_of<bp::DataError>([&] { bp::io::load_safetensors(p); });
    BP_VERIFY_CONTAINS(msg, "tensor 'scale' in '" + p + "'");
    BP_VERIFY_CONTAINS(msg, "outside the data section");
}

void TestSafetensors::missingFile() {
    const std::string p = path("absent.safetensors");
    const std::string msg = message_of<bp::DataError>([&] { bp::io::load_safetensors(p); });
    BP_VERIFY_CONTAINS(msg, "load_safetensors");
    BP_VERIFY_CONTAINS(msg, p);
}

void TestSafetensors::saveRejectsBadBuffers_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("dtype");
    QTest::addColumn<int>("bytes");
    QTest::addColumn<QString>("expected");
    QTest::newRow("wrong byte count") << "w" << "F32" << 7 << "tensor 'w'";
    QTest::newRow("unknown dtype") << "w" << "Q4" << 8 << "unknown dtype; got \"Q4\"";
    QTest::newRow("reserved name") << "__metadata__" << "F32" << 8 << "reserved name";
    QTest::newRow("duplicate name") << "b" << "F32" << 8 << "appears twice";
}

void TestSafetensors::saveRejectsBadBuffers() {
    QFETCH(QString, name);
    QFETCH(QString, dtype);
    QFETCH(int, bytes);
    QFETCH(QString, expected);
    const std::string p = path("bad-save.safetensors");
    std::vector<NamedBuffer> t = {{"b", "F32", {1}, std::vector<uint8_t>(4)},
                                  {name.toStdString(), dtype.toStdString(), {2}, std::vector<uint8_t>(static_cast<size_t>(bytes))}};
    const std::string msg = message_of<bp::DataError>([&] { bp::io::save_safetensors(p, t, {}); });
    BP_VERIFY_CONTAINS(msg, "'" + p + "'");
    BP_VERIFY_CONTAINS(msg, expected.toStdString());
    QVERIFY(!QFile::exists(QString::fromStdString(p)));
}

void TestSafetensors::saveRejectsInvalidUtf8() {
    const std::string p = path("utf8.safetensors");
    const std::string msg = message_of<bp::DataError>(
        [&] { bp::io::save_safetensors(p, {{"w", "U8", {1}, {7}}}, {{"note", std::string("caf\xe9")}}); });
    BP_VERIFY_CONTAINS(msg, "'" + p + "'");
    BP_VERIFY_CONTAINS(msg, "valid UTF-8");
    QVERIFY(!QFile::exists(QString::fromStdString(p)));
}

void TestSafetensors::readableFromPython() {
    // BP_PYTHON lets a developer point at a virtualenv that has safetensors; the default is the system one.
    const QString python = qEnvironmentVariableIsEmpty("BP_PYTHON") ? "/usr/bin/python3" : qEnvironmentVariable("BP_PYTHON");
    QProcess probe;
    probe.start(python, {"-c", "import safetensors, numpy"});
    if (!probe.waitForFinished(30000) || probe.exitStatus() != QProcess::NormalExit || probe.exitCode() != 0)
        QSKIP(qPrintable(python + " has no `safetensors` (and numpy) module; install python3 safetensors "
                                  "or set BP_PYTHON to check that Python can read our files"));

    const std::string p = path("python.safetensors");
    bp::io::save_safetensors(p, sample_tensors(), {{"arch", "mlp"}});
    const char* script = R"(
import sys
from safetensors.numpy import load_file
from safetensors import safe_open
t = load_file(sys.argv[1])
with safe_open(sys.argv[1], framework="np") as f:
    meta = f.metadata()
print(sorted(t), t["fc1.weight"].dtype, t["fc1.weight"].shape, t["fc1.weight"][1, 2],
      t["fc1.bias"].dtype, repr(t["fc1.bias"][2]), t["scale"].shape, t["empty"].shape, meta)
)";
    QProcess py;
    py.start(python, {"-c", script, QString::fromStdString(p)});
    QVERIFY(py.waitForFinished(60000));
    const QString out = QString::fromUtf8(py.readAllStandardOutput()).trimmed();
    QVERIFY2(py.exitCode() == 0, qPrintable(QString::fromUtf8(py.readAllStandardError())));
    QCOMPARE(out, QString("['empty', 'fc1.bias', 'fc1.weight', 'scale'] float32 (2, 3) -10000000.0 float64 "
                          "0.3333333333333333 () (0, 4) {'arch': 'mlp'}"));
}

QTEST_APPLESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
