// tst_dataset.cpp — MNIST-layout datasets on disk: every accepted file name (dash/dot, raw/.gz),
// names vs paths, class names, list_datasets, the data-dir lookup order (with the installed datasets) and pixel
// normalisation.
// The IDX format itself and the dataset error paths are tested in tst_idx.cpp.
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "bp/data/dataset.h"
#include "bp/data/idx.h"
#include "bp/errors.h"
#include "engine/data_test_util.h"

using bp_test::message_of;

class TestDataset : public QObject {
    Q_OBJECT

private slots:
    void loadsEveryFileNaming_data();
    void loadsEveryFileNaming();
    void fashionClassNames();
    void classNamesForDatasetName();
    void realFashionMnistFromDebianPackage();
    void pathDataset();
    void unknownSplit();
    void listDatasets();
    void defaultDataDir();
    void installedDatasetsOnlyForTheDefaultDir();
    void normalizeFloatAndDouble();
    void normalizeRejectsBadIndex();

private:
    QTemporaryDir dir_;
    std::string path(const std::string& name) const { return dir_.filePath(QString::fromStdString(name)).toStdString(); }
    /// Writes count 2x3 images (pixel k of image i = 10 * i + k) and labels (9 - i) % 10.
    void write_split(const std::string& folder, const std::string& images_name, const std::string& labels_name,
                     int64_t count, bool gzip);
};

void TestDataset::write_split(const std::string& folder, const std::string& images_name,
                              const std::string& labels_name, int64_t count, bool gzip) {
    QDir().mkpath(QString::fromStdString(folder));
    std::vector<uint8_t> px(static_cast<size_t>(count * 6)), lb(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) {
        for (int k = 0; k < 6; ++k) px[static_cast<size_t>(i * 6 + k)] = static_cast<uint8_t>(10 * i + k);
        lb[static_cast<size_t>(i)] = static_cast<uint8_t>((9 - i % 10 + 10) % 10);
    }
    const std::string ip = folder + "/" + images_name, lp = folder + "/" + labels_name;
    bp::data::write_idx(ip, {count, 2, 3}, px);
    bp::data::write_idx(lp, {count}, lb);
    if (gzip) {
        bp_test::write_bytes(ip, bp_test::gzip_bytes(bp_test::read_bytes(ip)));
        bp_test::write_bytes(lp, bp_test::gzip_bytes(bp_test::read_bytes(lp)));
    }
}

void TestDataset::loadsEveryFileNaming_data() {
    QTest::addColumn<QString>("split");
    QTest::addColumn<QString>("images");
    QTest::addColumn<QString>("labels");
    QTest::addColumn<bool>("gzip");
    QTest::newRow("train dash raw") << "train" << "train-images-idx3-ubyte" << "train-labels-idx1-ubyte" << false;
    QTest::newRow("train dash gz") << "train" << "train-images-idx3-ubyte.gz" << "train-labels-idx1-ubyte.gz" << true;
    QTest::newRow("train dot raw") << "train" << "train-images.idx3-ubyte" << "train-labels.idx1-ubyte" << false;
    QTest::newRow("test dot gz") << "test" << "t10k-images.idx3-ubyte.gz" << "t10k-labels.idx1-ubyte.gz" << true;
    QTest::newRow("test dash raw") << "test" << "t10k-images-idx3-ubyte" << "t10k-labels-idx1-ubyte" << false;
}

void TestDataset::loadsEveryFileNaming() {
    QFETCH(QString, split);
    QFETCH(QString, images);
    QFETCH(QString, labels);
    QFETCH(bool, gzip);
    const std::string data_dir = path(QTest::currentDataTag());
    write_split(data_dir + "/mnist", images.toStdString(), labels.toStdString(), 4, gzip);

    const auto ds = bp::data::load_image_dataset(data_dir, "mnist", split.toStdString());
    QCOMPARE(ds.name, std::string("mnist"));
    QCOMPARE(ds.split, split.toStdString());
    QCOMPARE(ds.count, 4);
    QCOMPARE(ds.rows, 2);
    QCOMPARE(ds.cols, 3);
    QCOMPARE(ds.pixels.size(), size_t{24});
    QCOMPARE(ds.pixels[3 * 6 + 5], uint8_t{35});  // image 3, pixel (1, 2)
    QCOMPARE(ds.labels, (std::vector<uint8_t>{9, 8, 7, 6}));
    QCOMPARE(ds.num_classes, 10);
    QCOMPARE(ds.class_names.size(), size_t{10});
    QCOMPARE(ds.class_names[0], std::string("0"));
    QCOMPARE(ds.class_names[9], std::string("9"));
}

void TestDataset::fashionClassNames() {
    const std::string data_dir = path("fashion-data");
    write_split(data_dir + "/fashion-mnist", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 2, true);
    const auto ds = bp::data::load_image_dataset(data_dir, "fashion-mnist", "test");
    QCOMPARE(ds.name, std::string("fashion-mnist"));
    const std::vector<std::string> expected = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                               "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    QCOMPARE(ds.class_names, expected);
    // The same folder given as a path (as /usr/share/datasets/fashion-mnist would be) gets the same names.
    const auto by_path = bp::data::load_image_dataset("/nonexistent", data_dir + "/fashion-mnist/", "test");
    QCOMPARE(by_path.class_names, expected);
    QCOMPARE(by_path.name, std::string("fashion-mnist"));
}

void TestDataset::classNamesForDatasetName() {
    QCOMPARE(bp::data::class_names_for("fashion-mnist")[0], std::string("T-shirt/top"));
    QCOMPARE(bp::data::class_names_for("fashion-mnist")[9], std::string("Ankle boot"));
    QCOMPARE(bp::data::class_names_for("/usr/share/datasets/fashion-mnist/")[1], std::string("Trouser"));
    QCOMPARE(bp::data::class_names_for("mnist")[7], std::string("7"));
    QCOMPARE(bp::data::class_names_for("")[0], std::string("0"));
    QCOMPARE(bp::data::class_names_for("blocks").size(), size_t(10));
}

// The gzip IDX files of the Debian package dataset-fashion-mnist, as scripts/setup.sh links them.
void TestDataset::realFashionMnistFromDebianPackage() {
    const std::string src = "/usr/share/datasets/fashion-mnist";
    if (!QFileInfo::exists(QString::fromStdString(src + "/t10k-images-idx3-ubyte.gz")))
        QSKIP("dataset-fashion-mnist is not installed");
    const auto ds = bp::data::load_image_dataset("/nonexistent", src, "test");
    QCOMPARE(ds.count, int64_t(10000));
    QCOMPARE(ds.rows, int64_t(28));
    QCOMPARE(ds.cols, int64_t(28));
    QCOMPARE(ds.name, std::string("fashion-mnist"));
    QCOMPARE(ds.class_names[0], std::string("T-shirt/top"));
    std::vector<int> per_class(10, 0);
    for (uint8_t l : ds.labels) ++per_class[l];
    for (int c : per_class) QCOMPARE(c, 1000);  // the test split is balanced
}

void TestDataset::pathDataset() {
    const std::string folder = path("somewhere/my-digits");
    write_split(folder, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", 3, false);
    const auto ds = bp::data::load_image_dataset("/nonexistent", folder, "train");
    QCOMPARE(ds.name, std::string("my-digits"));
    QCOMPARE(ds.count, 3);
    QCOMPARE(ds.class_names[5], std::string("5"));
}

void TestDataset::unknownSplit() {
    const std::string msg = message_of<bp::ConfigError>([&] { bp::data::load_image_dataset(path(""), "mnist", "valid"); });
    BP_VERIFY_CONTAINS(msg, "unknown split; got \"valid\"; use \"train\" or \"test\"");
}

void TestDataset::listDatasets() {
    const std::string data_dir = path("list");
    write_split(data_dir + "/mnist", "train-images-idx3-ubyte", "train-labels-idx1-ubyte", 5, false);
    write_split(data_dir + "/mnist", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 2, true);
    write_split(data_dir + "/half", "train-images.idx3-ubyte", "train-labels.idx1-ubyte", 3, false);
    QDir().mkpath(QString::fromStdString(data_dir + "/not-a-dataset"));

    const auto list = bp::data::list_datasets(data_dir);
    QCOMPARE(list.size(), size_t{2});
    QCOMPARE(list[0].name, std::string("half"));
    QCOMPARE(list[0].complete, false);
    QCOMPARE(list[0].train_count, 3);
    QCOMPARE(list[0].test_count, 0);
    QCOMPARE(list[1].name, std::string("mnist"));
    QCOMPARE(list[1].path, data_dir + "/mnist");
    QCOMPARE(list[1].complete, true);
    QCOMPARE(list[1].train_count, 5);
    QCOMPARE(list[1].test_count, 2);
    QVERIFY(bp::data::list_datasets(path("no-such-dir")).empty());
}

void TestDataset::defaultDataDir() {
    const auto keep = [](const char* n) { const char* v = std::getenv(n); return v ? std::optional<std::string>(v) : std::nullopt; };
    const auto bp_dir = keep("BP_DATA_DIR"), xdg = keep("XDG_DATA_HOME"), home = keep("HOME");

    ::setenv("BP_DATA_DIR", "/d/bp", 1);
    ::setenv("XDG_DATA_HOME", "/d/xdg", 1);
    ::setenv("HOME", "/d/home", 1);
    QCOMPARE(bp::data::default_data_dir(), std::string("/d/bp"));
    ::setenv("BP_DATA_DIR", "", 1);  // empty counts as unset
    QCOMPARE(bp::data::default_data_dir(), std::string("/d/xdg/backprop-studio"));
    ::unsetenv("BP_DATA_DIR");
    ::unsetenv("XDG_DATA_HOME");
    QCOMPARE(bp::data::default_data_dir(), std::string("/d/home/.local/share/backprop-studio"));
    QCOMPARE(bp::data::resolve_data_dir(""), std::string("/d/home/.local/share/backprop-studio"));
    QCOMPARE(bp::data::resolve_data_dir("/my/data"), std::string("/my/data"));

    const auto restore = [](const char* n, const std::optional<std::string>& v) {
        if (v) ::setenv(n, v->c_str(), 1); else ::unsetenv(n);
    };
    restore("BP_DATA_DIR", bp_dir);
    restore("XDG_DATA_HOME", xdg);
    restore("HOME", home);
}

// The installed datasets (the .deb's /usr/share/backprop-studio/mnist, Debian's /usr/share/datasets/fashion-mnist)
// count after the user's default data dir, never after a folder given with BP_DATA_DIR; the user's copy wins.
void TestDataset::installedDatasetsOnlyForTheDefaultDir() {
    const auto dirs = bp::data::system_data_dirs();
    QVERIFY(std::find(dirs.begin(), dirs.end(), std::string("/usr/share/datasets")) != dirs.end());
    QVERIFY(dirs.front().ends_with("/share/backprop-studio"));
    const std::string fashion = "/usr/share/datasets/fashion-mnist";
    if (!QFileInfo::exists(QString::fromStdString(fashion + "/t10k-labels-idx1-ubyte.gz")))
        QSKIP("the Debian package dataset-fashion-mnist is not installed");

    const auto keep = [](const char* n) { const char* v = std::getenv(n); return v ? std::optional<std::string>(v) : std::nullopt; };
    const auto bp_dir = keep("BP_DATA_DIR"), xdg = keep("XDG_DATA_HOME");
    ::unsetenv("BP_DATA_DIR");
    ::setenv("XDG_DATA_HOME", path("xdg").c_str(), 1);
    const std::string user = bp::data::default_data_dir();
    QCOMPARE(user, path("xdg") + "/backprop-studio");

    // Nothing in the user's folder: the installed copy, listed and loaded.
    const auto listed = bp::data::list_datasets(user);
    const auto it = std::find_if(listed.begin(), listed.end(), [](const auto& d) { return d.name == "fashion-mnist"; });
    QVERIFY(it != listed.end());
    QCOMPARE(it->path, fashion);
    QCOMPARE(it->test_count, 10000);
    QCOMPARE(bp::data::load_image_dataset(user, "fashion-mnist", "test").count, 10000);

    // The user's own folder of that name wins.
    write_split(user + "/fashion-mnist", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 4, false);
    QCOMPARE(bp::data::load_image_dataset(user, "fashion-mnist", "test").count, 4);

    // A folder chosen with BP_DATA_DIR is the only place looked in.
    ::setenv("BP_DATA_DIR", path("chosen").c_str(), 1);
    QDir().mkpath(QString::fromStdString(path("chosen")));
    QVERIFY(bp::data::list_datasets(path("chosen")).empty());
    const std::string msg = message_of<bp::DataError>([&] { bp::data::load_image_dataset(path("chosen"), "fashion-mnist", "test"); });
    BP_VERIFY_CONTAINS(msg, "dataset 'fashion-mnist' not found");

    const auto restore = [](const char* n, const std::optional<std::string>& v) {
        if (v) ::setenv(n, v->c_str(), 1); else ::unsetenv(n);
    };
    restore("BP_DATA_DIR", bp_dir);
    restore("XDG_DATA_HOME", xdg);
}

void TestDataset::normalizeFloatAndDouble() {
    bp::data::ImageDataset ds;
    ds.name = "tiny";
    ds.split = "train";
    ds.count = 2;
    ds.rows = 1;
    ds.cols = 2;
    ds.pixels = {0, 255, 51, 128};
    ds.labels = {0, 1};
    const int64_t idx[] = {1, 0, 1};

    std::vector<double> d(6);
    bp::data::normalize_images(ds, idx, 3, d.data());
    const auto norm = [](double p) { return (p / 255.0 - 0.1307) / 0.3081; };
    const std::vector<double> expected = {norm(51), norm(128), norm(0), norm(255), norm(51), norm(128)};
    for (size_t i = 0; i < 6; ++i) QCOMPARE(d[i], expected[i]);
    QVERIFY(std::abs(d[2] - (-0.42421291788)) < 1e-9);  // (0 - 0.1307) / 0.3081
    QVERIFY(std::abs(d[3] - 2.82148653034) < 1e-9);     // (1 - 0.1307) / 0.3081

    std::vector<float> f(6);
    bp::data::normalize_images(ds, idx, 3, f.data());
    for (size_t i = 0; i < 6; ++i) QCOMPARE(f[i], static_cast<float>(expected[i]));
}

void TestDataset::normalizeRejectsBadIndex() {
    bp::data::ImageDataset ds;
    ds.name = "tiny";
    ds.split = "test";
    ds.count = 1;
    ds.rows = ds.cols = 1;
    ds.pixels = {7};
    ds.labels = {0};
    const int64_t idx[] = {0, 1};
    std::vector<float> out(2);
    const std::string msg = message_of<bp::ConfigError>([&] { bp::data::normalize_images(ds, idx, 2, out.data()); });
    BP_VERIFY_CONTAINS(msg, "got 1 at position 1; indices must be in [0, 1)");
}

QTEST_APPLESS_MAIN(TestDataset)
#include "tst_dataset.moc"
