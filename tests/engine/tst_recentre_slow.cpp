// tst_recentre_slow.cpp — `predict`'s preprocessing must not move MNIST's own digits away from where the
// model learned them (issue 19): an MLP trained one epoch on real MNIST (BP_RECENTRE_EPOCHS=N for more) loses
// no more than 0.1 points of test accuracy when the 10,000 test digits are first passed through
// mnist_preprocess (box to 20 px, centre of mass to MNIST's mean one). Re-centring at the canvas centre (14, 14) instead moved
// every digit by about half a pixel. Needs MNIST (skipped with the reason without it); a few seconds.
#include <QtTest>

#include <cmath>
#include <cstdlib>

#include "bp/data/preprocess.h"
#include "bp/io/image.h"
#include "bp/models/zoo.h"
#include "bp/train/trainer.h"
#include "engine/data_test_util.h"

using namespace bp;

class TstRecentreSlow : public QObject {
    Q_OBJECT
private slots:
    void recentredTestDigitsKeepTheirAccuracy() {
        data::ImageDataset train_set, test_set;
        QString why;
        if (!bp_test::load_mnist(train_set, test_set, &why)) QSKIP(qPrintable(why));
        train::TrainConfig cfg;
        cfg.model = "mlp";
        cfg.epochs = std::getenv("BP_RECENTRE_EPOCHS") ? std::atoi(std::getenv("BP_RECENTRE_EPOCHS")) : 1;
        cfg.seed = 1;
        cfg.threads = 1;
        models::Model model = models::create_model("mlp", nlohmann::json::object(), cfg.seed);
        train::Trainer trainer(model, train_set, &test_set, cfg);
        trainer.run();
        QVERIFY(!trainer.failed());
        const double raw = train::evaluate(*model.net, test_set).metrics.accuracy;

        data::ImageDataset recentred = test_set;
        for (int64_t i = 0; i < test_set.count; ++i) {
            io::GrayImage img;
            img.width = img.height = 28;
            img.pixels.resize(784);
            for (size_t k = 0; k < 784; ++k) img.pixels[k] = test_set.pixels[static_cast<size_t>(i) * 784 + k] / 255.0f;
            data::PreprocessInfo info;
            const std::vector<float> out = data::mnist_preprocess(img, &info);
            for (size_t k = 0; k < 784; ++k)
                recentred.pixels[static_cast<size_t>(i) * 784 + k] =
                    static_cast<uint8_t>(std::lround(std::clamp(out[k], 0.0f, 1.0f) * 255.0f));
        }
        const double after = train::evaluate(*model.net, recentred).metrics.accuracy;
        qInfo("test accuracy raw %.2f%%, through mnist_preprocess %.2f%% (difference %.2f points)", raw * 100,
              after * 100, (after - raw) * 100);
        // Not lower by more than 0.1 points. Measured (seed 1): 1 epoch raw 96.01 %, preprocessed 96.60 %; 3 epochs
        // 97.72 % and 97.99 % (the contrast stretch helps a little). Centred at (14, 14) instead: 94.80 % and
        // 96.84 %, 0.9 to 1.2 points lost.
        QVERIFY2(after >= raw - 0.001, qPrintable(QString("raw %1, re-centred %2").arg(raw).arg(after)));
    }
};

QTEST_APPLESS_MAIN(TstRecentreSlow)
#include "tst_recentre_slow.moc"
