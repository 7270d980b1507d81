// tst_idx.cpp — the IDX reader and writer: raw and gzip round trips (gzip found by its magic bytes,
// not its name), then every error path with its exception type and a message naming the file and the
// problem, including the dataset-level checks (count mismatch, missing folder says what to run).
#include <QTemporaryDir>
#include <QtTest>

#include "bp/data/dataset.h"
#include "bp/data/idx.h"
#include "bp/errors.h"
#include "engine/data_test_util.h"

using bp_test::message_of;

namespace {

/// An IDX file built by hand: magic 00 00 type ndims, big-endian u32 dims, then payload.
std::string idx_bytes(uint8_t type, const std::vector<uint32_t>& dims, const std::string& payload) {
    std::string s = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
    for (uint32_t d : dims)
        for (int shift : {24, 16, 8, 0}) s.push_back(static_cast<char>((d >> shift) & 0xFF));
    return s + payload;
}

std::vector<uint8_t> iota_bytes(size_t n, int start = 0) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>((start + i * 7) % 256);
    return v;
}

}  // namespace

class TestIdx : public QObject {
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void headerBytesAreBigEndian();
    void readsHandBuiltFile();
    void readIdxDims();
    void errors_data();
    void errors();
    void missingFile();
    void writeRejectsBadDims();
    void datasetCountMismatch();
    void datasetMissingFolderSaysWhatToRun();
    void datasetMissingFileSaysWhatToRun();
    void datasetBadLabel();
    void datasetImagesNot3d();

private:
    QTemporaryDir dir_;
    std::string path(const std::string& name) const { return dir_.filePath(QString::fromStdString(name)).toStdString(); }
    void write_split(const std::string& folder, const std::string& prefix, int64_t images, int64_t labels);
};

void TestIdx::roundTrip_data() {
    QTest::addColumn<QList<qint64>>("dims");
    QTest::addColumn<bool>("gzip");
    QTest::addColumn<QString>("name");
    QTest::newRow("1-D raw") << QList<qint64>{5} << false << "a-idx1-ubyte";
    QTest::newRow("3-D raw") << QList<qint64>{2, 3, 4} << false << "b-idx3-ubyte";
    QTest::newRow("4-D raw") << QList<qint64>{2, 1, 3, 2} << false << "c-idx4-ubyte";
    QTest::newRow("1-D gzip") << QList<qint64>{5} << true << "d-idx1-ubyte.gz";
    QTest::newRow("3-D gzip") << QList<qint64>{3, 28, 28} << true << "e-idx3-ubyte.gz";
    // Detection is by magic bytes: a gzip file without .gz and a raw file with .gz both read correctly.
    QTest::newRow("gzip named without .gz") << QList<qint64>{2, 3, 4} << true << "f-idx3-ubyte";
    QTest::newRow("raw named .gz") << QList<qint64>{4} << false << "g-idx1-ubyte.gz";
}

void TestIdx::roundTrip() {
    QFETCH(QList<qint64>, dims);
    QFETCH(bool, gzip);
    QFETCH(QString, name);
    const std::vector<int64_t> d(dims.begin(), dims.end());
    size_t n = 1;
    for (auto x : d) n *= static_cast<size_t>(x);
    const auto data = iota_bytes(n, 3);
    const std::string p = path(name.toStdString());
    bp::data::write_idx(p, d, data);
    if (gzip) bp_test::write_bytes(p, bp_test::gzip_bytes(bp_test::read_bytes(p)));
    QCOMPARE(static_cast<uint8_t>(bp_test::read_bytes(p)[0]) == 0x1f, gzip);

    const bp::data::IdxArray a = bp::data::read_idx(p);
    QCOMPARE(a.dims, d);
    QCOMPARE(a.data, data);
}

void TestIdx::headerBytesAreBigEndian() {
    const std::string p = path("header-idx3-ubyte");
    bp::data::write_idx(p, {2, 1, 300}, std::vector<uint8_t>(600, 9));
    const std::string b = bp_test::read_bytes(p);
    QCOMPARE(b.size(), size_t{4 + 12 + 600});
    QCOMPARE(b.substr(0, 16), idx_bytes(0x08, {2, 1, 300}, ""));
    QCOMPARE(static_cast<uint8_t>(b[14]), uint8_t{0x01});  // 300 = 0x0000012C
    QCOMPARE(static_cast<uint8_t>(b[15]), uint8_t{0x2C});
}

void TestIdx::readsHandBuiltFile() {
    const std::string p = path("hand-idx2-ubyte");
    bp_test::write_bytes(p, idx_bytes(0x08, {2, 3}, std::string("\x01\x02\x03\x04\x05\xff", 6)));
    const auto a = bp::data::read_idx(p);
    QCOMPARE(a.dims, (std::vector<int64_t>{2, 3}));
    QCOMPARE(a.data, (std::vector<uint8_t>{1, 2, 3, 4, 5, 255}));
}

void TestIdx::readIdxDims() {
    const std::string p = path("dims-idx3-ubyte.gz");
    bp_test::write_bytes(p, bp_test::gzip_bytes(idx_bytes(0x08, {60000, 28, 28}, "")));  // header only
    QCOMPARE(bp::data::read_idx_dims(p), (std::vector<int64_t>{60000, 28, 28}));
    const std::string msg = message_of<bp::DataError>([&] { bp::data::read_idx(p); });
    BP_VERIFY_CONTAINS(msg, "expected 47040000 payload bytes, got 0");

    const std::string raw = path("dims-raw-idx1-ubyte");
    bp::data::write_idx(raw, {4}, {1, 2, 3, 4});
    QCOMPARE(bp::data::read_idx_dims(raw), std::vector<int64_t>{4});
    const std::string missing = path("dims-missing");
    const std::string msg2 = message_of<bp::DataError>([&] { bp::data::read_idx_dims(missing); });
    BP_VERIFY_CONTAINS(msg2, "'" + missing + "'");
    BP_VERIFY_CONTAINS(msg2, "No such file or directory");
}

void TestIdx::errors_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("gzip");
    QTest::addColumn<QStringList>("expected");
    const auto qb = [](const std::string& s) { return QByteArray(s.data(), static_cast<qsizetype>(s.size())); };

    QTest::newRow("truncated payload") << qb(idx_bytes(0x08, {10}, "1234567")) << false
                                       << QStringList{"expected 10 payload bytes, got 7", "truncated", "setup.sh"};
    QTest::newRow("truncated payload, gzip") << qb(idx_bytes(0x08, {2, 2, 2}, "12345")) << true
                                             << QStringList{"expected 8 payload bytes, got 5", "truncated"};
    QTest::newRow("truncated header") << qb(idx_bytes(0x08, {10, 28, 28}, "").substr(0, 9)) << false
                                      << QStringList{"ends inside its header", "got 9 bytes", "expected at least 16"};
    QTest::newRow("shorter than magic") << qb(std::string("\0\0", 2)) << false
                                        << QStringList{"too short to be an IDX file", "got 2 bytes"};
    QTest::newRow("bad magic") << qb("\x01\x02\x08\x01" + idx_bytes(0x08, {3}, "abc").substr(4)) << false
                               << QStringList{"bad magic", "01 02 08 01"};
    QTest::newRow("text file") << qb("hello world\n") << false << QStringList{"bad magic", "68 65 6c 6c"};
    QTest::newRow("float type") << qb(idx_bytes(0x0D, {2}, "12345678")) << false
                                << QStringList{"float (0x0D)", "only unsigned byte (0x08) is supported"};
    QTest::newRow("int type") << qb(idx_bytes(0x0C, {1}, "1234")) << false
                              << QStringList{"int (0x0C)", "only unsigned byte"};
    QTest::newRow("unknown type") << qb(idx_bytes(0x42, {1}, "1")) << false
                                  << QStringList{"unknown type 0x42", "only unsigned byte"};
    QTest::newRow("zero dims") << qb(idx_bytes(0x08, {}, "")) << false << QStringList{"0 dimensions", "expected 1 to 4"};
    QTest::newRow("five dims") << qb(idx_bytes(0x08, {1, 1, 1, 1, 1}, "x")) << false
                               << QStringList{"5 dimensions", "expected 1 to 4"};
    QTest::newRow("zero-sized dim") << qb(idx_bytes(0x08, {3, 0}, "")) << false
                                    << QStringList{"zero-sized dimension 1", "[3]"};
    QTest::newRow("trailing bytes") << qb(idx_bytes(0x08, {2, 2}, "abcdXYZ")) << false
                                    << QStringList{"3 trailing bytes", "expected 4 payload bytes", "got 7"};
    QTest::newRow("trailing bytes, gzip") << qb(idx_bytes(0x08, {2}, "abc")) << true
                                          << QStringList{"1 trailing bytes", "expected 2 payload bytes"};
}

void TestIdx::errors() {
    QFETCH(QByteArray, bytes);
    QFETCH(bool, gzip);
    QFETCH(QStringList, expected);
    static int counter = 0;
    const std::string p = path("bad-" + std::to_string(counter++) + "-idx-ubyte");
    std::string b(bytes.constData(), static_cast<size_t>(bytes.size()));
    bp_test::write_bytes(p, gzip ? bp_test::gzip_bytes(b) : b);

    const std::string msg = message_of<bp::DataError>([&] { bp::data::read_idx(p); });
    BP_VERIFY_CONTAINS(msg, "'" + p + "'");
    for (const QString& e : expected) BP_VERIFY_CONTAINS(msg, e.toStdString());
}

void TestIdx::missingFile() {
    const std::string p = path("no-such-idx1-ubyte");
    const std::string msg = message_of<bp::DataError>([&] { bp::data::read_idx(p); });
    BP_VERIFY_CONTAINS(msg, p);
    BP_VERIFY_CONTAINS(msg, "No such file or directory");

    const std::string cut = path("cut-gzip-idx1-ubyte");
    const std::string gz = bp_test::gzip_bytes(idx_bytes(0x08, {100}, std::string(100, 'x')));
    bp_test::write_bytes(cut, gz.substr(0, gz.size() / 2));
    const std::string msg2 = message_of<bp::DataError>([&] { bp::data::read_idx(cut); });
    BP_VERIFY_CONTAINS(msg2, cut);
    BP_VERIFY_CONTAINS(msg2, "not a valid gzip file");
}

void TestIdx::writeRejectsBadDims() {
    const std::string p = path("w-idx2-ubyte");
    std::string msg = message_of<bp::DataError>([&] { bp::data::write_idx(p, {2, 3}, std::vector<uint8_t>(5)); });
    BP_VERIFY_CONTAINS(msg, p);
    BP_VERIFY_CONTAINS(msg, "hold 6 bytes; got 5");
    msg = message_of<bp::DataError>([&] { bp::data::write_idx(p, {2, 0}, {}); });
    BP_VERIFY_CONTAINS(msg, "got dimension 0");
    msg = message_of<bp::DataError>([&] { bp::data::write_idx(p, {1, 1, 1, 1, 1}, {7}); });
    BP_VERIFY_CONTAINS(msg, "1 to 4 dimensions");
    QVERIFY(!QFile::exists(QString::fromStdString(p)));
}

void TestIdx::write_split(const std::string& folder, const std::string& prefix, int64_t images, int64_t labels) {
    QDir().mkpath(QString::fromStdString(folder));
    bp::data::write_idx(folder + "/" + prefix + "-images-idx3-ubyte", {images, 2, 2},
                        std::vector<uint8_t>(static_cast<size_t>(images * 4), 0));
    std::vector<uint8_t> l(static_cast<size_t>(labels));
    for (size_t i = 0; i < l.size(); ++i) l[i] = static_cast<uint8_t>(i % 10);
    bp::data::write_idx(folder + "/" + prefix + "-labels-idx1-ubyte", {labels}, l);
}

void TestIdx::datasetCountMismatch() {
    const std::string folder = path("mismatch");
    write_split(folder, "train", 3, 2);
    const std::string msg =
        message_of<bp::DataError>([&] { bp::data::load_image_dataset(dir_.path().toStdString(), "mismatch", "train"); });
    BP_VERIFY_CONTAINS(msg, "got 3 images in '" + folder + "/train-images-idx3-ubyte'");
    BP_VERIFY_CONTAINS(msg, "2 labels in '" + folder + "/train-labels-idx1-ubyte'");
}

void TestIdx::datasetMissingFolderSaysWhatToRun() {
    const std::string data_dir = path("empty-data-dir");
    const std::string msg = message_of<bp::DataError>([&] { bp::data::load_image_dataset(data_dir, "mnist", "train"); });
    BP_VERIFY_CONTAINS(msg, "dataset 'mnist' not found");
    BP_VERIFY_CONTAINS(msg, data_dir + "/mnist");
    BP_VERIFY_CONTAINS(msg, "run scripts/setup.sh (or pass --data-dir DIR)");
    BP_VERIFY_CONTAINS(msg, bp::data::data_setup_hint);
}

void TestIdx::datasetMissingFileSaysWhatToRun() {
    const std::string folder = path("half/mnist");
    write_split(folder, "train", 2, 2);  // no t10k files
    const std::string msg =
        message_of<bp::DataError>([&] { bp::data::load_image_dataset(path("half"), "mnist", "test"); });
    BP_VERIFY_CONTAINS(msg, folder);
    BP_VERIFY_CONTAINS(msg, "no images file");
    BP_VERIFY_CONTAINS(msg, "t10k-images-idx3-ubyte");
    BP_VERIFY_CONTAINS(msg, bp::data::data_setup_hint);
}

void TestIdx::datasetBadLabel() {
    const std::string folder = path("badlabel");
    write_split(folder, "t10k", 3, 3);
    bp::data::write_idx(folder + "/t10k-labels-idx1-ubyte", {3}, {1, 10, 2});
    const std::string msg = message_of<bp::DataError>([&] { bp::data::load_image_dataset(path("unused"), folder, "test"); });
    BP_VERIFY_CONTAINS(msg, "'" + folder + "/t10k-labels-idx1-ubyte'");
    BP_VERIFY_CONTAINS(msg, "got 10 at index 1");
}

void TestIdx::datasetImagesNot3d() {
    const std::string folder = path("swapped");
    write_split(folder, "train", 2, 2);
    bp::data::write_idx(folder + "/train-images-idx3-ubyte", {2}, {0, 1});
    const std::string msg = message_of<bp::DataError>([&] { bp::data::load_image_dataset(path("unused"), folder, "train"); });
    BP_VERIFY_CONTAINS(msg, "train-images-idx3-ubyte' is not a stack of images; got dims [2]");
}

QTEST_APPLESS_MAIN(TestIdx)
#include "tst_idx.moc"
