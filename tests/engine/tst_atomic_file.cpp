// tst_atomic_file.cpp — write_file_atomic replaces a file whole and leaves no temp file behind, on
// success or failure; failures throw bp::Error naming the path and the system error; read_file reads back.
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include "bp/errors.h"
#include "bp/io/atomic_file.h"
#include "engine/data_test_util.h"

using bp_test::message_of;

class TestAtomicFile : public QObject {
    Q_OBJECT

private slots:
    void writesAndReplaces_data();
    void writesAndReplaces();
    void failureLeavesNoTemp();
    void readMissing();

private:
    QTemporaryDir dir_;
    std::string path(const std::string& name) const { return dir_.filePath(QString::fromStdString(name)).toStdString(); }
    QStringList entries() const { return QDir(dir_.path()).entryList(QDir::Files | QDir::NoDotAndDotDot, QDir::Name); }
};

void TestAtomicFile::writesAndReplaces_data() {
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<QByteArray>("second");
    QTest::newRow("text") << QByteArray("hello") << QByteArray("a longer replacement\n");
    QTest::newRow("binary with NULs") << QByteArray("\0\1\2\0", 4) << QByteArray("\xff\0", 2);
    QTest::newRow("to empty") << QByteArray("x") << QByteArray();
    QTest::newRow("1 MiB") << QByteArray(1 << 20, 'q') << QByteArray(3, 'r');
}

void TestAtomicFile::writesAndReplaces() {
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, second);
    const std::string p = path("report.json");
    const auto s = [](const QByteArray& b) { return std::string(b.constData(), static_cast<size_t>(b.size())); };
    bp::io::write_file_atomic(p, s(first));
    QCOMPARE(bp::io::read_file(p), s(first));
    bp::io::write_file_atomic(p, s(second));
    QCOMPARE(bp::io::read_file(p), s(second));
    QCOMPARE(entries(), QStringList{"report.json"});  // no "report.json.tmp-..." left over
}

void TestAtomicFile::failureLeavesNoTemp() {
    const std::string p = path("no-such-folder/model.safetensors");
    const std::string msg = message_of<bp::Error>([&] { bp::io::write_file_atomic(p, "data"); });
    BP_VERIFY_CONTAINS(msg, "'" + p + "'");
    BP_VERIFY_CONTAINS(msg, "No such file or directory");

    // Renaming onto a directory fails after the temp file was written: the temp must be removed.
    const std::string d = path("a-directory");
    QVERIFY(QDir().mkpath(QString::fromStdString(d + "/child")));
    const std::string msg2 = message_of<bp::Error>([&] { bp::io::write_file_atomic(d, "data"); });
    BP_VERIFY_CONTAINS(msg2, "rename");
    BP_VERIFY_CONTAINS(msg2, "'" + d + "'");
    QVERIFY2(entries().filter(".tmp-").isEmpty(), qPrintable(entries().join(", ")));
}

void TestAtomicFile::readMissing() {
    const std::string p = path("absent.txt");
    const std::string msg = message_of<bp::DataError>([&] { bp::io::read_file(p); });
    BP_VERIFY_CONTAINS(msg, "read_file: cannot open '" + p + "'; got No such file or directory");
    const std::string msg2 = message_of<bp::DataError>([&] { bp::io::read_file(dir_.path().toStdString()); });
    BP_VERIFY_CONTAINS(msg2, "is a directory");
}

QTEST_APPLESS_MAIN(TestAtomicFile)
#include "tst_atomic_file.moc"
