// tst_lenet_slow.cpp — (label `slow`) LeNet-5 trained one epoch on the real MNIST (Adam, batch 64, the zoo's default rate) reaches
// ≥ 98% test accuracy. Skips, saying how to get the data, when MNIST has not been fetched.
#include <QtTest>

#include "bp/data/dataset.h"
#include "bp/train/trainer.h"
#include "engine/data_test_util.h"

using namespace bp;

class TstLenetSlow : public QObject {
    Q_OBJECT
private slots:
    void oneEpochReaches98Percent() {
        data::ImageDataset train, test;
        QString why;
        if (!bp_test::load_mnist(train, test, &why)) QSKIP(qPrintable(why));
        train::TrainConfig cfg;
        cfg.model = "lenet";
        cfg.epochs = 1;
        cfg.batch_size = 64;
        cfg.lr = models::find_model("lenet").defaults.lr;
        cfg.seed = 1;
        models::Model model = models::create_model("lenet", nlohmann::json::object(), cfg.seed);
        train::Trainer trainer(model, train, &test, cfg);
        trainer.run();
        QVERIFY(!trainer.failed());
        const double acc = trainer.history().at(0).test_accuracy;
        qInfo("LeNet-5, 1 epoch: test accuracy %.2f%%, epoch %.2f s", acc * 100, trainer.history()[0].epoch_seconds);
        QVERIFY2(acc >= 0.98, qPrintable(QString("test accuracy %1").arg(acc)));
    }
};

QTEST_APPLESS_MAIN(TstLenetSlow)
#include "tst_lenet_slow.moc"
