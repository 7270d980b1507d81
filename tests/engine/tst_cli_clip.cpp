// tst_cli_clip.cpp — `backprop train-clip` and `backprop retrieve` as a user meets them: --help names the options,
// usage mistakes exit 2 with one message, a missing model file exits 1 naming it; a short real training run on a
// subset of MNIST beats chance in zero-shot classification with held-out templates and saves a model and a report,
// and retrieve finds test pictures for a caption (with a grid PNG) and captions for a picture. The training run
// needs MNIST (skipped with the reason without it).
#include <QtTest>

#include <fstream>
#include <nlohmann/json.hpp>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb/stb_image_write.h>

#include "bp/data/dataset.h"
#include "bp/io/image.h"
#include "engine/cli_test_util.h"

namespace {

using Run = bp_test::CliRun;
using bp_test::run_cli;

nlohmann::json read_json(const QString& path) {
    std::ifstream f(path.toStdString());
    return nlohmann::json::parse(f);
}

}  // namespace

class TstCliClip : public QObject {
    Q_OBJECT
private slots:
    void helpNamesTheOptions() {
        Run t = run_cli({"train-clip", "--help"});
        QCOMPARE(t.code, 0);
        QVERIFY2(t.out.contains("--dataset") && t.out.contains("held out") && t.out.contains("--embed-dim"), qPrintable(t.out));
        Run r = run_cli({"retrieve", "--help"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("--text") && r.out.contains("--image") && r.out.contains("--save-grid"), qPrintable(r.out));
        const QString usage = run_cli({"--help"}).out;
        QVERIFY(usage.contains("train-clip") && usage.contains("retrieve"));
    }

    void usageErrorsExitTwo_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown dataset") << QStringList{"train-clip", "--dataset", "cifar"} << "--dataset expects mnist or fashion";
        QTest::newRow("bad channels") << QStringList{"train-clip", "--channels", "16"} << "--channels";
        QTest::newRow("batch of one") << QStringList{"train-clip", "--batch-size", "1"} << "--batch-size";
        QTest::newRow("odd modern heads") << QStringList{"train-clip", "--block", "modern", "--dim", "12", "--heads", "4"} << "even head size";
        QTest::newRow("empty out") << QStringList{"train-clip", "--out", ""} << "--out needs a file name";
        QTest::newRow("no model file") << QStringList{"retrieve", "--text", "a 4"} << "--model-file is required";
        QTest::newRow("no query") << QStringList{"retrieve", "--model-file", "m.safetensors"} << "exactly one of --text CAPTION, --image PNG and --evaluate";
        QTest::newRow("both queries") << QStringList{"retrieve", "--model-file", "m", "--text", "a", "--image", "p.png"} << "exactly one";
        QTest::newRow("grid without text") << QStringList{"retrieve", "--model-file", "m", "--image", "p.png", "--save-grid", "g.png"} << "--save-grid goes with --text";
    }
    void usageErrorsExitTwo() {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        Run r = run_cli(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    }

    void missingModelFileNamesIt() {
        Run r = run_cli({"retrieve", "--model-file", "/nonexistent/clip.safetensors", "--text", "a 4"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("/nonexistent/clip.safetensors"), qPrintable(r.err));
    }

    void trainsBeatsChanceAndRetrieves() {
        try {
            bp::data::load_image_dataset(bp::data::resolve_data_dir(""), "mnist", "test");
        } catch (const std::exception& e) {
            QSKIP(qPrintable(QString("MNIST is not available (%1); run scripts/setup.sh").arg(e.what())));
        }
        QTemporaryDir dir;
        const QString model = dir.path() + "/clip.safetensors", report = dir.path() + "/clip.json";
        Run t = run_cli({"train-clip", "--train-limit", "4000", "--steps", "80", "--batch-size", "64", "--warmup", "10",
                         "--eval-every", "40", "--eval-images", "300", "--test-images", "1000", "--retrieval-images", "300",
                         "--threads", "1", "--out", model, "--report", report},
                        {}, 840000);
        QVERIFY2(t.code == 0, qPrintable(t.err + t.out));
        QVERIFY2(t.out.contains("zero-shot accuracy") && t.out.contains("image -> text") && t.out.contains("R@10"),
                 qPrintable(t.out));
        const nlohmann::json j = read_json(report);
        QCOMPARE(j["steps_completed"].get<int>(), 80);
        QCOMPARE(j["zero_shot_images"].get<int>(), 1000);
        QCOMPARE(j["eval"].size(), size_t{3});  // steps 0, 40, 80
        QCOMPARE(j["loss_curve"].size(), size_t{80});
        QCOMPARE(j["model"]["name"], nlohmann::json("clip_mini"));
        QCOMPARE(j["zero_shot"]["per_class"].size(), size_t{10});
        const double acc = j["zero_shot_accuracy"].get<double>();
        QVERIFY2(acc > 0.2, qPrintable(QString("zero-shot %1 is not above twice chance (10 classes)").arg(acc)));
        // The loss fell: the last 20 steps below the first 20.
        const auto curve = j["loss_curve"].get<std::vector<double>>();
        double first = 0, last = 0;
        for (int i = 0; i < 20; ++i) first += curve[static_cast<size_t>(i)], last += curve[curve.size() - 1 - static_cast<size_t>(i)];
        QVERIFY2(last < first, qPrintable(QString("%1 vs %2").arg(last).arg(first)));
        const auto& rr = j["retrieval"];
        QCOMPARE(rr["candidate_images"].get<int>(), 300);
        QVERIFY(rr["candidate_captions"].get<int>() > 10);
        QVERIFY(rr["image_to_text"]["recall@10"].get<double>() >= rr["image_to_text"]["recall@1"].get<double>());

        // Pictures for a caption, with the grid of the five best.
        const QString grid = dir.path() + "/grid.png", rj = dir.path() + "/r.json";
        Run r = run_cli({"retrieve", "--model-file", model, "--text", "a thin 4", "--top", "5", "--images", "500",
                         "--save-grid", grid, "--json", rj});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains("the 5 best of 500"), qPrintable(r.out));
        const nlohmann::json res = read_json(rj)["results"];
        QCOMPARE(res.size(), size_t{5});
        for (size_t i = 0; i + 1 < res.size(); ++i) QVERIFY(res[i]["score"].get<double>() >= res[i + 1]["score"].get<double>());
        QVERIFY(res[0]["caption"].get<std::string>().rfind("a picture of", 0) == 0);
        const bp::io::GrayImage g = bp::io::load_gray_image(grid.toStdString());
        QCOMPARE(g.width, 5 * 30 + 2);
        QCOMPARE(g.height, 32);
        // A character the captions never use is a usage error.
        QCOMPARE(run_cli({"retrieve", "--model-file", model, "--text", "A 4"}).code, 2);

        // Captions for a picture: a white vertical stroke on black, as a PNG.
        std::vector<unsigned char> px(28 * 28, 0);
        for (int y = 5; y < 23; ++y)
            for (int x = 13; x < 16; ++x) px[static_cast<size_t>(y * 28 + x)] = 255;
        const QString png = dir.path() + "/one.png", ij = dir.path() + "/i.json";
        QVERIFY(stbi_write_png(png.toUtf8().constData(), 28, 28, 1, px.data(), 28) != 0);
        Run im = run_cli({"retrieve", "--model-file", model, "--image", png, "--top", "3", "--json", ij});
        QVERIFY2(im.code == 0, qPrintable(im.err + im.out));
        QVERIFY2(im.out.contains("the 3 best of 270 captions"), qPrintable(im.out));
        QCOMPARE(read_json(ij)["results"].size(), size_t{3});
    }
};

QTEST_GUILESS_MAIN(TstCliClip)
#include "tst_cli_clip.moc"
