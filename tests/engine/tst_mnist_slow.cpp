// tst_mnist_slow.cpp — (label `slow`) the real MNIST, the 784-128-64-10 MLP with Adam lr 1e-3, batch 32 and
// the default recipe: one epoch reaches ≥ 96% test accuracy, and a saved model evaluates to the same figure.
// Skips, saying how to get the data, when MNIST has not been fetched.
#include <QtTest>

#include "bp/data/dataset.h"
#include "bp/io/model_file.h"
#include "bp/train/trainer.h"
#include "engine/data_test_util.h"

using namespace bp;

class TstMnistSlow : public QObject {
    Q_OBJECT
private slots:
    void oneEpochReaches96Percent() {
        data::ImageDataset train, test;
        QString why;
        if (!bp_test::load_mnist(train, test, &why)) QSKIP(qPrintable(why));
        QCOMPARE(train.count, int64_t(60000));
        QCOMPARE(test.count, int64_t(10000));
        QCOMPARE(int(train.labels[0]), 5);  // the first labels of the real set: 5 0 4 1 9
        QCOMPARE(int(test.labels[0]), 7);

        train::TrainConfig cfg;
        cfg.epochs = 1;
        cfg.batch_size = 32;
        cfg.lr = 1e-3;
        cfg.optimizer = "adam";
        cfg.seed = 1;
        models::Model model = models::create_model("mlp", nlohmann::json::object(), cfg.seed);
        train::Trainer trainer(model, train, &test, cfg);
        trainer.run();
        QVERIFY(!trainer.failed());
        QCOMPARE(trainer.history().size(), size_t(1));
        const double acc = trainer.history()[0].test_accuracy;
        qInfo("MLP, 1 epoch: test accuracy %.2f%%, epoch %.2f s", acc * 100, trainer.history()[0].epoch_seconds);
        QVERIFY2(acc >= 0.96, qPrintable(QString("test accuracy %1").arg(acc)));

        QTemporaryDir tmp;
        const std::string file = (tmp.path() + "/mlp.safetensors").toStdString();
        io::save_model(file, model);
        io::LoadedModel loaded = io::load_model(file);
        QCOMPARE(train::evaluate(*loaded.model.net, test).metrics.accuracy, acc);
    }
};

QTEST_APPLESS_MAIN(TstMnistSlow)
#include "tst_mnist_slow.moc"
