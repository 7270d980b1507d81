// tst_speedrun.cpp — the speedrun recipe (bp/train/recipe.h): the one-cycle learning rate at given steps, label
// smoothing (a hand-computed value, its gradient check, and that the recipe's trainer really uses it), that no test
// image is touched before the final evaluation, that the recipe trains on a subset of MNIST, the FLOP count, the
// validation slice, and `bench speedrun --quick` through the real CLI. MNIST-dependent cases skip without the data.
#include <QtTest>

#include <QFile>
#include <QTemporaryDir>
#include <cmath>
#include <nlohmann/json.hpp>

#include "bp/autograd.h"
#include "bp/gradcheck.h"
#include "bp/ops.h"
#include "bp/train/recipe.h"
#include "engine/cli_test_util.h"
#include "engine/data_test_util.h"

using namespace bp;

namespace {

struct LrLog : train::TrainerObserver {
    std::vector<double> lr, loss;
    std::vector<bool> evaluated;
    void on_batch(const train::BatchEvent& e) override {
        lr.push_back(e.lr);
        loss.push_back(e.loss);
    }
    void on_epoch(const train::EpochEvent& e) override { evaluated.push_back(e.evaluated); }
};

std::vector<float> flat_parameters(const models::Model& m) {
    std::vector<float> out;
    for (const Tensor& p : m.net->parameters()) {
        const float* d = p.data<float>();
        out.insert(out.end(), d, d + p.numel());
    }
    return out;
}

}  // namespace

class TstSpeedrun : public QObject {
    Q_OBJECT
private slots:
    void recipeIsRegisteredAndFixed() {
        const train::Recipe& r = train::find_recipe("speedrun");
        QCOMPARE(r.config.schedule, std::string("onecycle"));
        QVERIFY(r.config.label_smoothing > 0);
        QVERIFY(!r.config.evaluate);  // the test set is seen once, after training
        r.config.validate();
        // The app builds the zoo model with its default options: they must be the recipe's.
        QCOMPARE(models::find_model(r.config.model).default_options, r.model_options);
        QVERIFY_THROWS_EXCEPTION(ConfigError, train::find_recipe("slowrun"));
    }

    void oneCycleAtGivenSteps() {
        optim::LrSchedule s;
        s.kind = "onecycle";
        s.base_lr = 0.01;
        s.warmup_fraction = 0.2;
        s.total_steps = 100;
        QCOMPARE(s.lr_at(0, 0), 0.001);                     // starts at lr / 10
        QVERIFY(std::abs(s.lr_at(0, 10) - 0.0055) < 1e-12);  // half-way up
        QCOMPARE(s.lr_at(0, 20), 0.01);                     // the peak, at 20% of the steps
        QVERIFY(std::abs(s.lr_at(1, 60) - 0.005) < 1e-12);   // half-way down
        QCOMPARE(s.lr_at(1, 100), 0.0);                     // 0 at the end
        QVERIFY_THROWS_EXCEPTION(ConfigError, optim::LrSchedule::validate("twocycle"));
    }

    void labelSmoothingByHand() {
        // logits [2, 0], target 0, ε = 0.1: q = [0.95, 0.05]; loss = −(0.95 log p0 + 0.05 log p1), p0 = e²/(e²+1).
        const Tensor z = Tensor::from_vector({1, 2}, {2.0f, 0.0f});
        const Tensor t = Tensor::from_vector({1}, {0}, DType::i32);
        const double p0 = std::exp(2.0) / (std::exp(2.0) + 1), p1 = 1 - p0;
        const double expected = -(0.95 * std::log(p0) + 0.05 * std::log(p1));
        QVERIFY(std::abs(cross_entropy(z, t, 0.1).item() - expected) < 1e-6);
        QVERIFY(std::abs(cross_entropy(z, t, 0.0).item() - cross_entropy(z, t).item()) < 1e-7);
        QVERIFY_THROWS_EXCEPTION(ConfigError, cross_entropy(z, t, 1.0));
        int checked = 0;
        for (const gradcheck::Case& c : gradcheck::registry())
            if (c.op == "cross_entropy_label_smoothing") {
                const gradcheck::Result r = gradcheck::run(c);
                QVERIFY2(r.passed(), qPrintable(QString::fromStdString(c.label) + " error " + QString::number(r.max_error)));
                ++checked;
            }
        QCOMPARE(checked, 2);
    }

    void validationSliceKeepsOrder() {
        data::ImageDataset ds;
        ds.name = "toy";
        ds.split = "train";
        ds.count = 5;
        ds.rows = ds.cols = 1;
        ds.pixels = {10, 11, 12, 13, 14};
        ds.labels = {0, 1, 2, 3, 4};
        ds.class_names = {"0", "1", "2", "3", "4"};
        ds.num_classes = 5;
        const data::ImageDataset v = train::slice_dataset(ds, 3, 2, "validation");
        QCOMPARE(v.count, int64_t{2});
        QCOMPARE(v.pixels, (std::vector<uint8_t>{13, 14}));
        QCOMPARE(v.labels, (std::vector<uint8_t>{3, 4}));
        QCOMPARE(v.split, std::string("validation"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, train::slice_dataset(ds, 4, 2, "x"));
    }

    void recipeOnASubset() {
        data::ImageDataset train_set, test_set;
        QString why;
        if (!bp_test::load_mnist(train_set, test_set, &why)) QSKIP(qPrintable(why));
        const train::Recipe& r = train::find_recipe("speedrun");
        train::TrainConfig cfg = r.config;
        cfg.train_limit = 6000;
        cfg.seed = 3;
        const int64_t steps = cfg.epochs * ((6000 + cfg.batch_size - 1) / cfg.batch_size);

        // The same run with the real test set and with one whose every image and label is different: no test image
        // may change the training, and no epoch is evaluated.
        data::ImageDataset poisoned = test_set;
        for (uint8_t& p : poisoned.pixels) p = static_cast<uint8_t>(255 - p);
        for (uint8_t& l : poisoned.labels) l = static_cast<uint8_t>((l + 1) % 10);
        std::vector<float> params[2];
        LrLog logs[2];
        for (int run = 0; run < 2; ++run) {
            models::Model m = models::create_model(cfg.model, r.model_options, cfg.seed);
            train::Trainer trainer(m, train_set, run == 0 ? &test_set : &poisoned, cfg);
            trainer.add_observer(&logs[run]);
            trainer.run();
            QVERIFY(!trainer.failed());
            params[run] = flat_parameters(m);
            if (run == 0) {
                const double acc = train::evaluate(*m.net, test_set).metrics.accuracy;  // after the last step only
                qInfo("speedrun recipe on 6,000 images, %d epochs: test accuracy %.2f%%", cfg.epochs, acc * 100);
                QVERIFY2(acc > 0.95, qPrintable(QString::number(acc)));
            }
        }
        QVERIFY(params[0] == params[1]);
        QCOMPARE(logs[0].evaluated, std::vector<bool>(static_cast<size_t>(cfg.epochs), false));

        // The schedule the trainer ran: lr/10 at the first step, the peak at warmup_fraction of the steps, ~0 at the end.
        const std::vector<double>& lr = logs[0].lr;
        QCOMPARE(static_cast<int64_t>(lr.size()), steps);
        QVERIFY(std::abs(lr.front() - cfg.lr / 10) < 1e-12);
        const auto peak = std::max_element(lr.begin(), lr.end());
        QVERIFY(std::abs(*peak - cfg.lr) < cfg.lr * 0.02);
        QVERIFY(std::abs(static_cast<double>(peak - lr.begin()) - cfg.warmup_fraction * static_cast<double>(steps)) <= 1);
        const double last = cfg.lr / (static_cast<double>(steps) * (1 - cfg.warmup_fraction));  // one step before 0
        QVERIFY(std::abs(lr.back() - last) < 1e-9);

        // The first batch's loss is the label-smoothed one: recompute it from the same initial model and batch.
        models::Model m = models::create_model(cfg.model, r.model_options, cfg.seed);
        data::BatchSampler sampler(cfg.train_limit, cfg.batch_size, true, cfg.seed);
        sampler.start_epoch();
        std::vector<int64_t> idx;
        sampler.next(idx);
        const int64_t b = static_cast<int64_t>(idx.size());
        Tensor x = Tensor::empty({b, 1, 28, 28}), y = Tensor::empty({b}, DType::i32);
        data::normalize_images(train_set, idx.data(), b, x.data<float>());
        for (int64_t i = 0; i < b; ++i) y.data<int32_t>()[i] = train_set.labels[static_cast<size_t>(idx[static_cast<size_t>(i)])];
        autograd::NoGradGuard g;
        m.net->train();
        const Tensor logits = m.net->forward(x);
        QVERIFY(std::abs(cross_entropy(logits, y, cfg.label_smoothing).item() - logs[0].loss.front()) < 1e-5);
    }

    void benchQuickThroughTheCli() {
        data::ImageDataset train_set, test_set;
        QString why;
        if (!bp_test::load_mnist(train_set, test_set, &why)) QSKIP(qPrintable(why));
        QTemporaryDir dir;
        const QString json = dir.path() + "/speedrun.json";
        const auto r = bp_test::run_cli({"bench", "speedrun", "--quick", "--seeds", "1", "--pytorch", "off", "--json", json});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const nlohmann::json j = nlohmann::json::parse(f.readAll().toStdString());
        QCOMPARE(j.at("benchmark").get<std::string>(), std::string("speedrun"));
        QCOMPARE(j.at("runs").size(), size_t{1});
        const auto& run = j["runs"][0];
        QVERIFY(run.at("test_accuracy").get<double>() > 0.8);
        QVERIFY(run.at("train_seconds").get<double>() > 0);
        QVERIFY(run.at("wall_seconds").get<double>() > run.at("train_seconds").get<double>());
        QVERIFY(run.at("peak_memory_mb").get<double>() > 10);
        QVERIFY(j.at("fraction_of_peak").get<double>() > 0);
        QCOMPARE(j.at("threads").at("other_runs").size(), size_t{1});
        QVERIFY(r.out.contains("mean test accuracy"));
    }
};

QTEST_APPLESS_MAIN(TstSpeedrun)
#include "tst_speedrun.moc"
