// tst_trainer.cpp — the training loop on a small synthetic, learnable IDX dataset written to a temporary
// folder: a seeded run lowers the loss and is reproducible; an injected NaN reaches on_failed and the last
// good parameters come back; pause / step / cancel from another thread; set_learning_rate mid-run;
// TrainConfig::validate's error paths.
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

#include "bp/data/dataset.h"
#include "bp/data/idx.h"
#include "bp/errors.h"
#include "bp/models/zoo.h"
#include "bp/train/trainer.h"
#include "engine/data_test_util.h"

using bp::Tensor;
using bp_test::message_of;
using bp_test::write_blocks_split;
using namespace std::chrono_literals;

namespace {



std::vector<std::vector<float>> snapshot(const bp::models::Model& m) {
    std::vector<std::vector<float>> out;
    for (const Tensor& p : m.net->parameters()) out.push_back(p.to_float_vector());
    return out;
}

bool all_finite(const bp::models::Model& m) {
    for (const Tensor& p : m.net->parameters())
        for (float v : p.to_float_vector())
            if (!std::isfinite(v)) return false;
    return true;
}

/// Records every event; optional hooks run inside on_batch on the trainer's thread.
struct Recorder : bp::train::TrainerObserver {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<bp::train::BatchEvent> batches;
    std::vector<bp::train::EpochEvent> epochs;
    std::vector<bp::train::FinishedEvent> finished;
    std::vector<bp::train::FailedEvent> failed;
    std::function<void(const bp::train::BatchEvent&)> batch_hook;
    std::function<void(const bp::train::EpochEvent&)> epoch_hook;

    void on_batch(const bp::train::BatchEvent& e) override {
        {
            std::lock_guard<std::mutex> lk(mu);
            batches.push_back(e);
        }
        if (batch_hook) batch_hook(e);
        cv.notify_all();
    }
    void on_epoch(const bp::train::EpochEvent& e) override {
        epochs.push_back(e);
        if (epoch_hook) epoch_hook(e);
    }
    void on_finished(const bp::train::FinishedEvent& e) override {
        {
            std::lock_guard<std::mutex> lk(mu);
            finished.push_back(e);
        }
        cv.notify_all();
    }
    void on_failed(const bp::train::FailedEvent& e) override {
        {
            std::lock_guard<std::mutex> lk(mu);
            failed.push_back(e);
        }
        cv.notify_all();
    }
    size_t batch_count() {
        std::lock_guard<std::mutex> lk(mu);
        return batches.size();
    }
    /// Waits up to 10 s for at least n batch events.
    bool wait_for_batches(size_t n) {
        std::unique_lock<std::mutex> lk(mu);
        return cv.wait_for(lk, 10s, [&] { return batches.size() >= n; });
    }
};

}  // namespace

class TestTrainer : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void seededRunLearnsAndIsReproducible();
    void nanRestoresLastGoodParameters_data();
    void nanRestoresLastGoodParameters();
    void pauseStepCancel();
    void setLearningRateMidRun();
    void augmentationIsSeededAndChangesTheBatches();
    void validateRejects_data();
    void validateRejects();

private:
    bp::train::TrainConfig config(int epochs) const;
    QTemporaryDir dir_;
    bp::data::ImageDataset train_, test_;
};

void TestTrainer::initTestCase() {
    QVERIFY(dir_.isValid());
    const std::string folder = dir_.filePath("blocks").toStdString();
    write_blocks_split(folder, "train", 200, 1);
    write_blocks_split(folder, "t10k", 80, 2);
    train_ = bp::data::load_image_dataset(dir_.path().toStdString(), "blocks", "train");
    test_ = bp::data::load_image_dataset(dir_.path().toStdString(), "blocks", "test");
    QCOMPARE(train_.count, int64_t(200));
    QCOMPARE(test_.count, int64_t(80));
}

// With augmentation on, the same seed gives the same run, and the batches differ from an unaugmented run
// (the shuffling is the same: augmentation draws from its own random stream).
void TestTrainer::augmentationIsSeededAndChangesTheBatches() {
    auto losses = [&](bool augment) {
        Recorder rec;
        auto model = bp::models::create_model("mlp", nlohmann::json::object(), 7);
        bp::train::TrainConfig cfg = config(1);
        cfg.augment.enabled = augment;
        bp::train::Trainer t(model, train_, nullptr, cfg);
        t.add_observer(&rec);
        t.run();
        std::vector<double> out;
        for (const auto& b : rec.batches) out.push_back(b.loss);
        return out;
    };
    const std::vector<double> a = losses(true), b = losses(true), plain = losses(false);
    QCOMPARE(a.size(), size_t(13));
    QCOMPARE(a, b);
    QVERIFY(a != plain);
    QCOMPARE(plain.size(), a.size());
}

bp::train::TrainConfig TestTrainer::config(int epochs) const {
    bp::train::TrainConfig cfg;
    cfg.model = "mlp";
    cfg.dataset = "blocks";
    cfg.epochs = epochs;
    cfg.batch_size = 16;  // 13 batches per epoch (the last one has 8 images)
    cfg.lr = 1e-3;
    cfg.optimizer = "adam";
    cfg.seed = 3;
    cfg.threads = 1;
    return cfg;
}

void TestTrainer::seededRunLearnsAndIsReproducible() {
    auto run_once = [&](Recorder& rec, bp::models::Model& model) {
        bp::train::Trainer t(model, train_, &test_, config(3));
        t.add_observer(&rec);
        t.run();
        QVERIFY(!t.failed());
        QVERIFY(!t.cancelled());
        QCOMPARE(t.history().size(), size_t(3));
    };
    Recorder a, b;
    auto ma = bp::models::create_model("mlp", nlohmann::json::object(), 7);
    auto mb = bp::models::create_model("mlp", nlohmann::json::object(), 7);
    run_once(a, ma);
    run_once(b, mb);

    QCOMPARE(a.batches.size(), size_t(3 * 13));
    QCOMPARE(a.batches.front().batches_per_epoch, int64_t(13));
    QCOMPARE(a.batches.back().global_step, int64_t(39));
    QCOMPARE(a.epochs.size(), size_t(3));
    QCOMPARE(a.finished.size(), size_t(1));
    QVERIFY(!a.finished[0].cancelled);
    QCOMPARE(a.finished[0].epochs_completed, 3);
    QVERIFY(a.failed.empty());

    // Chance is ln 10 ≈ 2.3 for an untrained 10-way head; the last epoch is far below the first.
    const double first = a.epochs.front().train_loss, last = a.epochs.back().train_loss;
    QVERIFY2(last < 0.5 * first, qPrintable(QString("train loss %1 -> %2").arg(first).arg(last)));
    QVERIFY2(a.batches.front().loss > 1.0, qPrintable(QString::number(a.batches.front().loss)));
    QVERIFY2(a.epochs.back().train_accuracy >= 0.95, qPrintable(QString::number(a.epochs.back().train_accuracy)));
    QVERIFY(a.epochs.back().evaluated);
    QVERIFY2(a.epochs.back().test_accuracy >= 0.95, qPrintable(QString::number(a.epochs.back().test_accuracy)));
    QCOMPARE(a.epochs.back().test_metrics.total, int64_t(80));

    // Same seed, same data: identical losses, batch by batch, and identical parameters.
    QCOMPARE(b.batches.size(), a.batches.size());
    for (size_t i = 0; i < a.batches.size(); ++i) QCOMPARE(b.batches[i].loss, a.batches[i].loss);
    QCOMPARE(b.epochs.back().test_loss, a.epochs.back().test_loss);
    QVERIFY(snapshot(ma) == snapshot(mb));
}

void TestTrainer::nanRestoresLastGoodParameters_data() {
    QTest::addColumn<int>("epoch");
    QTest::addColumn<int>("batch");
    // Snapshots are taken at the start of the run and at each epoch's end (and every 200 steps).
    QTest::newRow("epoch 0, after batch 2: back to the initial parameters") << 0 << 2;
    QTest::newRow("epoch 1, after batch 4: back to the end of epoch 0") << 1 << 4;
}

void TestTrainer::nanRestoresLastGoodParameters() {
    QFETCH(int, epoch);
    QFETCH(int, batch);
    auto model = bp::models::create_model("mlp", nlohmann::json::object(), 7);
    std::vector<std::vector<float>> expected = snapshot(model);  // the run-start snapshot
    std::vector<std::vector<float>> before_nan;
    Tensor out_bias;
    for (auto& [name, p] : model.net->named_parameters())
        if (name == "5.bias") out_bias = p;
    QVERIFY(out_bias.defined());

    bp::train::Trainer t(model, train_, &test_, config(3));
    Recorder rec;
    rec.epoch_hook = [&](const bp::train::EpochEvent&) { expected = snapshot(model); };  // the epoch-end snapshot
    rec.batch_hook = [&](const bp::train::BatchEvent& e) {
        if (e.epoch == epoch && e.batch == batch) {
            before_nan = snapshot(model);
            out_bias.data<float>()[0] = std::numeric_limits<float>::quiet_NaN();  // every logit row gets a NaN
        }
    };
    t.add_observer(&rec);
    t.run();

    QVERIFY(t.failed());
    QVERIFY(!t.cancelled());
    QCOMPARE(rec.failed.size(), size_t(1));
    QVERIFY(rec.finished.empty());  // a failure is not a finish
    BP_VERIFY_CONTAINS(rec.failed[0].message, "NaN");
    QCOMPARE(rec.failed[0].epoch, epoch);
    QCOMPARE(rec.failed[0].batch, int64_t(batch + 1));  // the next batch saw the NaN loss
    // No batch event after the injection: the NaN batch is not reported as a normal batch.
    QCOMPARE(rec.batches.back().epoch, epoch);
    QCOMPARE(rec.batches.back().batch, int64_t(batch));
    QCOMPARE(int(rec.epochs.size()), epoch);

    QVERIFY(all_finite(model));
    QVERIFY(!before_nan.empty());
    const auto after = snapshot(model);
    QVERIFY2(after == expected, "the parameters are not those of the last snapshot");
    QVERIFY2(after != before_nan, "the parameters were not restored: they equal those just before the NaN");
}

void TestTrainer::pauseStepCancel() {
    auto model = bp::models::create_model("mlp", nlohmann::json::object(), 7);
    bp::train::Trainer t(model, train_, &test_, config(5));
    Recorder rec;
    rec.batch_hook = [&](const bp::train::BatchEvent& e) {
        if (e.epoch == 0 && e.batch == 3) t.request_pause();
    };
    t.add_observer(&rec);
    std::thread worker([&] { t.run(); });
    struct Joiner {  // never leave the test with a running thread, even when a check fails
        bp::train::Trainer& t;
        std::thread& w;
        ~Joiner() {
            if (w.joinable()) {
                t.request_cancel();
                w.join();
            }
        }
    } joiner{t, worker};

    QVERIFY(rec.wait_for_batches(4));  // batches 0..3
    std::this_thread::sleep_for(300ms);
    QCOMPARE(rec.batch_count(), size_t(4));  // paused after batch 3
    QVERIFY(t.is_paused());

    t.request_step();
    QVERIFY(rec.wait_for_batches(5));
    std::this_thread::sleep_for(300ms);
    QCOMPARE(rec.batch_count(), size_t(5));  // exactly one batch per step
    QVERIFY(t.is_paused());

    t.request_step();
    QVERIFY(rec.wait_for_batches(6));
    std::this_thread::sleep_for(300ms);
    QCOMPARE(rec.batch_count(), size_t(6));
    QCOMPARE(rec.batches.back().batch, int64_t(5));
    QCOMPARE(rec.batches.back().global_step, int64_t(6));

    t.request_cancel();
    worker.join();
    QVERIFY(t.cancelled());
    QVERIFY(!t.failed());
    QCOMPARE(rec.batch_count(), size_t(6));  // cancel ran no further batch
    QCOMPARE(rec.finished.size(), size_t(1));
    QVERIFY(rec.finished[0].cancelled);
    QCOMPARE(rec.finished[0].epochs_completed, 0);
    QVERIFY(rec.epochs.empty());
    QVERIFY(rec.failed.empty());
}

void TestTrainer::setLearningRateMidRun() {
    auto model = bp::models::create_model("mlp", nlohmann::json::object(), 7);
    bp::train::Trainer t(model, train_, nullptr, config(2));
    Recorder rec;
    rec.batch_hook = [&](const bp::train::BatchEvent& e) {
        if (e.global_step == 3) t.set_learning_rate(0.0042);
    };
    t.add_observer(&rec);
    QVERIFY_THROWS_EXCEPTION(bp::ConfigError, t.set_learning_rate(-1.0));
    QVERIFY_THROWS_EXCEPTION(bp::ConfigError, t.set_learning_rate(0.0));
    t.run();
    QVERIFY(!t.failed());
    QCOMPARE(rec.batches.size(), size_t(26));
    QCOMPARE(rec.batches[0].lr, 1e-3);  // cosine starts at the base rate
    for (size_t i = 0; i < 3; ++i) QVERIFY(rec.batches[i].lr != 0.0042);
    QVERIFY(rec.batches[2].lr < rec.batches[0].lr);  // cosine was decaying before the change
    for (size_t i = 3; i < rec.batches.size(); ++i)
        QVERIFY2(rec.batches[i].lr == 0.0042, qPrintable(QString("batch %1: lr %2").arg(i).arg(rec.batches[i].lr)));
    QCOMPARE(t.optimizer().lr(), 0.0042);
    QVERIFY(rec.epochs.size() == 2 && !rec.epochs[0].evaluated);  // no test set: nothing evaluated
    QVERIFY(std::isnan(rec.epochs[0].test_accuracy));
}

void TestTrainer::validateRejects_data() {
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("needle");
    QTest::newRow("batch_size 0") << "batch_size" << "batch size";
    QTest::newRow("lr -1") << "lr" << "learning rate";
    QTest::newRow("epochs 0") << "epochs" << "epochs";
    QTest::newRow("optimizer rmsprop") << "optimizer" << "rmsprop";
    QTest::newRow("schedule linear") << "schedule" << "linear";
    QTest::newRow("model transformer9") << "model" << "transformer9";
    QTest::newRow("momentum 1") << "momentum" << "momentum";
}

void TestTrainer::validateRejects() {
    QFETCH(QString, field);
    QFETCH(QString, needle);
    bp::train::TrainConfig cfg = config(1);
    cfg.validate();  // the base config is fine
    if (field == "batch_size") cfg.batch_size = 0;
    else if (field == "lr") cfg.lr = -1;
    else if (field == "epochs") cfg.epochs = 0;
    else if (field == "optimizer") cfg.optimizer = "rmsprop";
    else if (field == "schedule") cfg.schedule = "linear";
    else if (field == "model") cfg.model = "transformer9";
    else if (field == "momentum") cfg.momentum = 1.0;
    const std::string msg = message_of<bp::ConfigError>([&] { cfg.validate(); });
    BP_VERIFY_CONTAINS(msg, needle.toStdString());
    // The trainer validates too, before touching anything.
    auto model = bp::models::create_model("mlp");
    const std::string msg2 = message_of<bp::ConfigError>([&] { bp::train::Trainer t(model, train_, &test_, cfg); });
    BP_VERIFY_CONTAINS(msg2, needle.toStdString());
}

QTEST_APPLESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
