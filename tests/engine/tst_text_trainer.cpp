// tst_text_trainer.cpp — TextTrainer (train/text_trainer.h) on a tiny corpus: the loss falls far below the unigram
// baseline, the schedule warms up and decays to lr/10, cancel and pause/step take effect between steps, a NaN
// stops cleanly with the last good parameters restored, and bad configurations name the field.
#include <QtTest>

#include <atomic>
#include <cmath>
#include <thread>

#include "bp/autograd.h"
#include "bp/train/text_trainer.h"

using namespace bp;
using namespace bp::train;

namespace {

// A periodic text: a model that reads the context predicts it almost perfectly; a unigram model cannot.
data::TextCorpus tiny_corpus() {
    std::string text;
    const char* lines[] = {"the cat sat on the mat.\n", "a dog ran in the fog!\n", "we all like tea.\n"};
    for (int i = 0; i < 150; ++i) text += lines[i % 3];
    return data::make_text_corpus(text, "tiny", 0.1);
}

models::GptOptions tiny_model(const data::TextCorpus& c, nn::BlockKind kind = nn::BlockKind::gpt2) {
    models::GptOptions o;
    o.vocab_size = c.tokenizer.vocab_size();
    o.context = 16;
    o.layers = 1;
    o.heads = 2;
    o.dim = 32;
    o.block = kind;
    return o;
}

TextTrainConfig tiny_config(int steps) {
    TextTrainConfig cfg;
    cfg.steps = steps;
    cfg.batch_size = 16;
    cfg.context = 16;
    cfg.lr = 1e-2;
    cfg.warmup_steps = 10;
    cfg.eval_every = 50;
    cfg.eval_batches = 4;
    return cfg;
}

struct Recorder : TextTrainerObserver {
    std::vector<TextStepEvent> steps;
    std::vector<TextEvalEvent> evals;
    std::vector<std::pair<std::string, int>> failures;
    int finished = 0;
    TextFinishedEvent fin;
    std::function<void(const TextStepEvent&)> hook;
    void on_step(const TextStepEvent& e) override {
        steps.push_back(e);
        if (hook) hook(e);
    }
    void on_eval(const TextEvalEvent& e) override { evals.push_back(e); }
    void on_failed(const std::string& m, int step) override { failures.push_back({m, step}); }
    void on_finished(const TextFinishedEvent& f) override {
        ++finished;
        fin = f;
    }
};

std::vector<std::vector<double>> snapshot(const models::GptMini& m) {
    std::vector<std::vector<double>> out;
    for (const Tensor& p : m.parameters()) out.push_back(p.to_vector());
    return out;
}

}  // namespace

class TstTextTrainer : public QObject {
    Q_OBJECT
private slots:
    void lossFallsFarBelowUnigram_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("gpt2") << 0;
        QTest::newRow("modern") << 1;
    }
    void lossFallsFarBelowUnigram() {
        QFETCH(int, kind);
        const data::TextCorpus c = tiny_corpus();
        models::GptMini gpt(tiny_model(c, kind ? nn::BlockKind::modern : nn::BlockKind::gpt2));
        TextTrainer t(gpt, c, tiny_config(200));
        Recorder r;
        t.add_observer(&r);
        t.run();
        QVERIFY(!t.failed());
        QCOMPARE(r.steps.size(), size_t{200});
        QCOMPARE(r.finished, 1);
        QCOMPARE(r.fin.steps_completed, 200);
        QVERIFY(!r.fin.cancelled);
        // Evaluations at 0, 50, 100, 150, 200, each against the same unigram baseline.
        QCOMPARE(t.history().size(), size_t{5});
        QCOMPARE(t.history().front().step, 0);
        QCOMPARE(t.history().back().step, 200);
        const double u = t.unigram_loss();
        QCOMPARE(u, data::unigram_loss(c.train, c.val, c.tokenizer.vocab_size()));
        const double first = t.history().front().val_loss, last = t.history().back().val_loss;
        QVERIFY2(std::abs(first - std::log(c.tokenizer.vocab_size())) < 0.1, std::to_string(first).c_str());
        QVERIFY2(last < u - 1.0, (std::to_string(last) + " vs unigram " + std::to_string(u)).c_str());
        // The running loss fell too, and the reported speed is a real number.
        QVERIFY(r.steps.back().loss < r.steps.front().loss - 1.0);
        QVERIFY(r.steps.back().tokens_per_second > 0);
        QCOMPARE(text_validation_loss(gpt, c.val, 16, 16, 4, 1000003ULL * 1 + 7), last);  // same windows, same model
    }

    void warmupThenCosineToATenth() {
        const data::TextCorpus c = tiny_corpus();
        models::GptMini gpt(tiny_model(c));
        TextTrainConfig cfg = tiny_config(30);
        cfg.lr = 2e-3;
        TextTrainer t(gpt, c, cfg);
        Recorder r;
        t.add_observer(&r);
        t.run();
        QCOMPARE(r.steps.size(), size_t{30});
        QVERIFY(std::abs(r.steps[0].lr - 2e-4) < 1e-12);   // step 1 of 10 warm-up steps
        QVERIFY(std::abs(r.steps[9].lr - 2e-3) < 1e-12);   // the peak at the end of the warm-up
        QVERIFY(std::abs(r.steps[29].lr - 2e-4) < 1e-12);  // lr/10 at the last step
        for (int i = 10; i < 30; ++i) QVERIFY(r.steps[i].lr < r.steps[i - 1].lr);
    }

    void cancelStopsBetweenSteps() {
        const data::TextCorpus c = tiny_corpus();
        models::GptMini gpt(tiny_model(c));
        TextTrainer t(gpt, c, tiny_config(100));
        Recorder r;
        r.hook = [&](const TextStepEvent& e) {
            if (e.step == 7) t.request_cancel();
        };
        t.add_observer(&r);
        t.run();
        QCOMPARE(r.steps.size(), size_t{7});
        QVERIFY(t.cancelled());
        QVERIFY(!t.failed());
        QCOMPARE(r.finished, 1);
        QVERIFY(r.fin.cancelled);
        QCOMPARE(r.fin.steps_completed, 7);
    }

    void pauseStepAndResumeFromAnotherThread() {
        const data::TextCorpus c = tiny_corpus();
        models::GptMini gpt(tiny_model(c));
        TextTrainer t(gpt, c, tiny_config(20));
        Recorder r;
        std::atomic<int> seen{0};
        r.hook = [&](const TextStepEvent& e) {
            seen = e.step;
            if (e.step == 3) t.request_pause();
        };
        t.add_observer(&r);
        std::thread worker([&] { t.run(); });
        QTRY_VERIFY_WITH_TIMEOUT(t.is_paused() && seen.load() == 3, 10000);
        QTest::qWait(200);
        QCOMPARE(seen.load(), 3);  // paused: no step runs
        t.request_step();
        QTRY_COMPARE_WITH_TIMEOUT(seen.load(), 4, 10000);
        QTest::qWait(200);
        QCOMPARE(seen.load(), 4);  // exactly one step
        t.request_resume();
        worker.join();
        QCOMPARE(r.steps.size(), size_t{20});
        QVERIFY(!t.cancelled());
    }

    void nanStopsAndRestoresTheLastGoodParameters() {
        const data::TextCorpus c = tiny_corpus();
        models::GptMini gpt(tiny_model(c));
        TextTrainer t(gpt, c, tiny_config(50));
        Recorder r;
        std::vector<std::vector<double>> after_step_2;
        r.hook = [&](const TextStepEvent& e) {
            if (e.step == 2) after_step_2 = snapshot(gpt);  // the parameters step 3 trains from
            if (e.step == 3) {                               // poison one weight: step 4's loss is NaN
                autograd::NoGradGuard g;
                gpt.lm_head->weight.data<float>()[5] = std::nanf("");
            }
        };
        t.add_observer(&r);
        t.run();
        QVERIFY(t.failed());
        QCOMPARE(r.failures.size(), size_t{1});
        QCOMPARE(r.failures[0].second, 4);
        QVERIFY2(QString::fromStdString(r.failures[0].first).contains("NaN"), r.failures[0].first.c_str());
        QCOMPARE(r.steps.size(), size_t{3});
        QCOMPARE(r.finished, 0);
        const auto now = snapshot(gpt);
        QCOMPARE(now, after_step_2);  // the parameters that gave step 3's finite loss, bit for bit
        for (const auto& p : now)
            for (double v : p) QVERIFY(std::isfinite(v));
    }

    void absurdLearningRateStaysFiniteButLearnsNothing() {
        // lr 10 (the largest allowed), no clipping: AdamW's step per weight is bounded by lr, so the weights stay
        // finite (the NaN path is tested by injection above) — the run ends, and the model is worse than unigram.
        const data::TextCorpus c = tiny_corpus();
        models::GptMini gpt(tiny_model(c));
        TextTrainConfig cfg = tiny_config(40);
        cfg.lr = 10;
        cfg.warmup_steps = 0;
        cfg.grad_clip = 0;
        TextTrainer t(gpt, c, cfg);
        Recorder r;
        t.add_observer(&r);
        t.run();
        QVERIFY(!t.failed());
        QCOMPARE(r.finished, 1);
        for (const auto& p : snapshot(gpt))
            for (double v : p) QVERIFY(std::isfinite(v));
        QVERIFY(t.history().back().val_loss > t.unigram_loss() + 1.0);
    }

    void badConfigurationsNameTheField_data() {
        QTest::addColumn<QString>("field");
        QTest::newRow("steps") << "steps";
        QTest::newRow("batch_size") << "batch_size";
        QTest::newRow("lr") << "lr";
        QTest::newRow("eval_every") << "eval_every";
        QTest::newRow("grad_clip") << "grad_clip";
        QTest::newRow("context longer than the model's") << "context";
    }
    void badConfigurationsNameTheField() {
        QFETCH(QString, field);
        const data::TextCorpus c = tiny_corpus();
        models::GptMini gpt(tiny_model(c));
        TextTrainConfig cfg = tiny_config(10);
        if (field == "steps") cfg.steps = 0;
        if (field == "batch_size") cfg.batch_size = -1;
        if (field == "lr") cfg.lr = -0.1;
        if (field == "eval_every") cfg.eval_every = 0;
        if (field == "grad_clip") cfg.grad_clip = -1;
        if (field == "context") cfg.context = 17;
        try {
            TextTrainer t(gpt, c, cfg);
            QFAIL("a bad configuration was accepted");
        } catch (const ConfigError& e) {
            QVERIFY2(QString(e.what()).contains(field), e.what());
        }
    }

    void vocabularyLargerThanTheModelIsRejected() {
        const data::TextCorpus c = tiny_corpus();
        models::GptOptions o = tiny_model(c);
        o.vocab_size = c.tokenizer.vocab_size() - 1;
        models::GptMini gpt(o);
        try {
            TextTrainer t(gpt, c, tiny_config(10));
            QFAIL("a vocabulary larger than the model's was accepted");
        } catch (const ConfigError& e) {
            QVERIFY2(QString(e.what()).contains("vocab"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TstTextTrainer)
#include "tst_text_trainer.moc"
