// tst_checkpoint.cpp — gradient checkpointing (bp/checkpoint.h; nn::Checkpoint attention and block, set on every
// TransformerBlock by the TrainConfig / TextTrainConfig `checkpoint` option). The claim tested is the strong one: the gradients are
// bitwise the same numbers with and without checkpointing (memcmp of every parameter's gradient), not merely
// close. That is what to expect here: the recompute runs the same deterministic kernels on the same inputs (the
// CPU pool's chunking does not depend on timing), and the inner backward visits the block's nodes in the order
// the whole-graph backward does, so every sum is taken in the same order. A tolerance would hide a recompute
// that differs (a generator not replayed, a stale input). Also: the peak tensor memory of a training step is
// lower (an exact byte count, bp/tensor_memory.h, not a timing), whole training runs end with identical
// weights, dropout inside a segment replays its mask, and misuse gets a clear error.
#include <QtTest>

#include <cstring>

#include "bp/autograd.h"
#include "bp/backend.h"
#include "bp/checkpoint.h"
#include "bp/data/dataset.h"
#include "bp/data/text.h"
#include "bp/gradcheck.h"
#include "bp/models/gpt.h"
#include "bp/models/zoo.h"
#include "bp/ops.h"
#include "bp/tensor_memory.h"
#include "bp/train/text_trainer.h"
#include "bp/train/trainer.h"
#include "data_test_util.h"

using namespace bp;

namespace {

/// The first n MNIST training images (normalised as the trainer does) and their labels.
std::pair<Tensor, Tensor> mnist_batch(const data::ImageDataset& ds, int64_t n) {
    std::vector<int64_t> idx(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = i;
    Tensor x = Tensor::empty({n, 1, 28, 28});
    data::normalize_images(ds, idx.data(), n, x.data<float>());
    std::vector<double> y;
    for (int64_t i : idx) y.push_back(ds.labels[static_cast<size_t>(i)]);
    return {x, Tensor::from_vector({n}, y, DType::i32)};
}

/// True when a and b hold the same bytes (same shape and dtype).
bool bitwise_equal(const Tensor& a, const Tensor& b) {
    if (!a.defined() || !b.defined()) return a.defined() == b.defined();
    return a.shape() == b.shape() && a.dtype() == b.dtype() &&
           std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
    const auto va = a.to_vector(), vb = b.to_vector();
    double m = 0;
    for (size_t i = 0; i < va.size(); ++i) m = std::max(m, std::abs(va[i] - vb[i]));
    return m;
}

/// Every parameter of `a` and `b` (same architecture) has a gradient, and they are bitwise equal.
void expect_same_gradients(nn::Module& a, nn::Module& b, const std::string& what) {
    auto pa = a.named_parameters(), pb = b.named_parameters();
    QCOMPARE(pa.size(), pb.size());
    for (size_t i = 0; i < pa.size(); ++i) {
        const Tensor ga = pa[i].second.grad(), gb = pb[i].second.grad();
        const std::string where = what + ": " + pa[i].first;
        QVERIFY2(ga.defined() && gb.defined(), (where + " has no gradient").c_str());
        QVERIFY2(bitwise_equal(ga, gb),
                 (where + " differs, max |difference| " + std::to_string(max_abs_diff(ga, gb))).c_str());
    }
}

/// A few real sentences of the default corpus, else a fixed text (where Debian's fortunes is not installed).
data::TextCorpus text_corpus() {
    try {
        return data::load_default_corpus();
    } catch (const std::exception&) {
        std::string text;
        for (int i = 0; i < 400; ++i) text += "Whatever is worth doing at all is worth doing well. ";
        return data::make_text_corpus(text, "fixed text", 0.1);
    }
}

models::GptOptions gpt_mini(int vocab, nn::BlockKind block, bool tiled) {
    models::GptOptions o;  // GPT-mini as `bench gpt` measures it: 4 layers, 4 heads, dim 128
    o.vocab_size = vocab;
    o.context = 64;
    o.block = block;
    o.tiled = tiled;
    return o;
}

/// Loss and peak tensor bytes of one forward + backward of `net` on (x, y) from a clean state.
struct StepMemory {
    double loss = 0;
    int64_t peak_bytes = 0, base_bytes = 0;
};

template <class LossFn>
StepMemory measure_step(nn::Module& net, LossFn loss_fn) {
    net.zero_grad();
    StepMemory m;
    m.base_bytes = tensor_memory().live_bytes;
    reset_tensor_memory_peak();
    {
        Tensor loss = loss_fn();
        m.loss = loss.item();
        loss.backward();
    }
    m.peak_bytes = tensor_memory().peak_bytes;
    return m;
}

}  // namespace

class TstCheckpoint : public QObject {
    Q_OBJECT
private slots:
    void vitGradientsIdentical_data() {
        QTest::addColumn<QString>("block");
        QTest::addColumn<int>("threads");
        QTest::addColumn<QString>("mode");
        QTest::newRow("gpt2, 1 thread, block") << "gpt2" << 1 << "block";
        QTest::newRow("gpt2, 2 threads, block") << "gpt2" << 2 << "block";
        QTest::newRow("modern, 1 thread, block") << "modern" << 1 << "block";
        QTest::newRow("gpt2, 1 thread, attention") << "gpt2" << 1 << "attention";
        QTest::newRow("modern, 2 threads, attention") << "modern" << 2 << "attention";
    }
    void vitGradientsIdentical() {
        QFETCH(QString, block);
        QFETCH(int, threads);
        QFETCH(QString, mode);
        data::ImageDataset train, test;
        QString why;
        if (!bp_test::load_mnist(train, test, &why)) QSKIP(qPrintable(why));
        set_num_threads(threads);
        const auto [x, y] = mnist_batch(train, 32);
        const nlohmann::json opts{{"block", block.toStdString()}};
        models::Model plain = models::create_model("vit", opts, 3), ckpt = models::create_model("vit", opts, 3);
        QCOMPARE(nn::set_checkpointing(*ckpt.net, nn::checkpoint_from_string(mode.toStdString())), 2);  // two blocks
        Tensor loss_plain = cross_entropy(plain.net->forward(x), y);
        Tensor loss_ckpt = cross_entropy(ckpt.net->forward(x), y);
        QVERIFY(bitwise_equal(loss_plain, loss_ckpt));  // the no-recording forward computes the same numbers
        loss_plain.backward();
        loss_ckpt.backward();
        expect_same_gradients(*plain.net, *ckpt.net, "vit " + block.toStdString() + " " + mode.toStdString());
        set_num_threads(1);
    }

    void gptGradientsIdentical_data() {
        QTest::addColumn<QString>("block");
        QTest::addColumn<bool>("tiled");
        QTest::addColumn<QString>("mode");
        QTest::newRow("gpt2, tiled attention, block") << "gpt2" << true << "block";
        QTest::newRow("gpt2, plain attention, block") << "gpt2" << false << "block";
        QTest::newRow("modern, tiled attention, block") << "modern" << true << "block";
        QTest::newRow("gpt2, plain attention, attention") << "gpt2" << false << "attention";
        QTest::newRow("modern, tiled attention, attention") << "modern" << true << "attention";
    }
    void gptGradientsIdentical() {
        QFETCH(QString, block);
        QFETCH(bool, tiled);
        QFETCH(QString, mode);
        const data::TextCorpus corpus = text_corpus();
        const auto kind = block == "modern" ? nn::BlockKind::modern : nn::BlockKind::gpt2;
        const models::GptOptions o = gpt_mini(corpus.tokenizer.vocab_size(), kind, tiled);
        models::GptMini plain(o), ckpt(o);
        const nn::Checkpoint c = nn::checkpoint_from_string(mode.toStdString());
        QCOMPARE(nn::set_checkpointing(ckpt, c), 4);
        Generator gen(5);
        auto [x, y] = data::sample_text_batch(corpus.train, 8, 64, gen);  // real text windows [8, 64]
        Tensor loss_plain = plain.loss(x, y), loss_ckpt = ckpt.loss(x, y);
        QVERIFY(bitwise_equal(loss_plain, loss_ckpt));
        loss_plain.backward();
        loss_ckpt.backward();
        expect_same_gradients(plain, ckpt, "gpt " + block.toStdString() + " " + mode.toStdString());
        // The checkpointed graph is no larger: one node per block (or attention core) instead of the ops inside it
        // (the tiled attention is one node already).
        QVERIFY(autograd::topo_order(loss_ckpt).size() <= autograd::topo_order(loss_plain).size());
        if (c == nn::Checkpoint::block)
            QVERIFY(autograd::topo_order(loss_ckpt).size() + 4 * 10 < autograd::topo_order(loss_plain).size());
    }

    void peakMemoryLower() {
        // One training step's peak tensor memory (activations, saved tensors, gradients, on top of the
        // parameters), with and without checkpointing: an exact byte count, the same on every run.
        data::ImageDataset train, test;
        QString why;
        if (!bp_test::load_mnist(train, test, &why)) QSKIP(qPrintable(why));
        const auto [x, y] = mnist_batch(train, 64);  // ViT-tiny's default batch
        models::Model vit = models::create_model("vit", nlohmann::json::object(), 3);
        const StepMemory v0 = measure_step(*vit.net, [&] { return cross_entropy(vit.net->forward(x), y); });
        nn::set_checkpointing(*vit.net, nn::Checkpoint::attention);
        const StepMemory va = measure_step(*vit.net, [&] { return cross_entropy(vit.net->forward(x), y); });
        nn::set_checkpointing(*vit.net, nn::Checkpoint::block);
        const StepMemory v1 = measure_step(*vit.net, [&] { return cross_entropy(vit.net->forward(x), y); });
        QCOMPARE(v0.loss, va.loss);
        QCOMPARE(v0.loss, v1.loss);
        qInfo("ViT-tiny batch 64: peak %.2f MB off, %.2f MB attention (%.0f%%), %.2f MB block (%.0f%%)",
              v0.peak_bytes / 1048576.0, va.peak_bytes / 1048576.0,
              100.0 * (va.peak_bytes - v0.peak_bytes) / v0.peak_bytes, v1.peak_bytes / 1048576.0,
              100.0 * (v1.peak_bytes - v0.peak_bytes) / v0.peak_bytes);
        // ViT's plain attention keeps [64, 4, 50, 50] scores and probabilities per block: recomputing them saves
        // a good part of the peak; recomputing whole blocks saves more.
        QVERIFY2(va.peak_bytes < v0.peak_bytes * 0.9, "the attention core should be a tenth of ViT-tiny's peak");
        QVERIFY2(v1.peak_bytes < va.peak_bytes, "whole blocks should save more than the attention core");
        QVERIFY2(v1.peak_bytes < v0.peak_bytes * 0.8, "checkpointing should save at least a fifth of ViT-tiny's peak");

        const data::TextCorpus corpus = text_corpus();
        models::GptMini gpt(gpt_mini(corpus.tokenizer.vocab_size(), nn::BlockKind::gpt2, true));
        Generator gen(5);
        auto [tx, ty] = data::sample_text_batch(corpus.train, 32, 64, gen);  // `bench gpt`'s batch
        const StepMemory g0 = measure_step(gpt, [&] { return gpt.loss(tx, ty); });
        nn::set_checkpointing(gpt, nn::Checkpoint::block);
        const StepMemory g1 = measure_step(gpt, [&] { return gpt.loss(tx, ty); });
        QCOMPARE(g0.loss, g1.loss);
        qInfo("GPT-mini batch 32 x 64: peak %.2f MB off, %.2f MB block (%.0f%%)",
              g0.peak_bytes / 1048576.0, g1.peak_bytes / 1048576.0,
              100.0 * (g1.peak_bytes - g0.peak_bytes) / g0.peak_bytes);
        QVERIFY2(g1.peak_bytes < g0.peak_bytes * 0.8, "checkpointing should save at least a fifth of GPT-mini's peak");
    }

    void trainerRunsIdentical() {
        // Through the TrainConfig option: a few real Adam steps end with bitwise the same weights.
        data::ImageDataset train, test;
        QString why;
        if (!bp_test::load_mnist(train, test, &why)) QSKIP(qPrintable(why));
        std::vector<std::vector<Tensor>> weights;
        for (const char* mode : {"off", "attention", "block"}) {
            train::TrainConfig cfg;
            cfg.model = "vit";
            cfg.epochs = 1;
            cfg.batch_size = 32;
            cfg.train_limit = 96;  // three steps
            cfg.evaluate = false;
            cfg.checkpoint = mode;
            models::Model m = models::create_model("vit", nlohmann::json::object(), cfg.seed);
            train::Trainer t(m, train, nullptr, cfg);
            t.run();
            QVERIFY(!t.failed());
            QCOMPARE(t.config().to_json().at("checkpoint").get<std::string>(), std::string(mode));
            weights.push_back(m.net->parameters());
        }
        for (size_t i = 0; i < weights[0].size(); ++i) {
            QVERIFY(bitwise_equal(weights[0][i], weights[1][i]));
            QVERIFY(bitwise_equal(weights[0][i], weights[2][i]));
        }
    }

    void textTrainerRunsIdentical() {
        const data::TextCorpus corpus = text_corpus();
        models::GptOptions o = gpt_mini(corpus.tokenizer.vocab_size(), nn::BlockKind::gpt2, true);
        o.layers = 2;
        o.dim = 64;
        std::vector<std::vector<Tensor>> weights;
        for (const char* mode : {"off", "block"}) {
            models::GptMini gpt(o);
            train::TextTrainConfig cfg;
            cfg.steps = 3;
            cfg.batch_size = 8;
            cfg.context = 32;
            cfg.eval_every = 3;
            cfg.eval_batches = 1;
            cfg.checkpoint = mode;
            train::TextTrainer t(gpt, corpus, cfg);
            t.run();
            QVERIFY(!t.failed());
            QCOMPARE(nn::checkpoint_name(gpt.blocks[0]->checkpoint()), mode);
            weights.push_back(gpt.parameters());
        }
        for (size_t i = 0; i < weights[0].size(); ++i) QVERIFY(bitwise_equal(weights[0][i], weights[1][i]));
    }

    void dropoutReplaysItsMask() {
        // A segment with dropout: the recompute draws the same mask, and the generator ends where the plain run
        // leaves it, so the next draw is not shifted.
        Generator init(9);
        Tensor w = Tensor::randn({6, 6}, init).set_requires_grad(true);
        Tensor x0 = Tensor::randn({5, 6}, init);
        auto segment = [&](bool checkpointed, Tensor& grad_w, Tensor& grad_x, uint64_t& next) {
            Generator gen(21);
            w.zero_grad();
            Tensor x = x0.clone().set_requires_grad(true);
            auto fn = [&](const Tensor& h) { return tanh(matmul(dropout(h, 0.5, true, gen), w)); };
            Tensor y = checkpointed ? autograd::checkpoint(fn, x, {w}, {&gen}) : fn(x);
            sum(mul(y, y)).backward();
            grad_w = w.grad();
            grad_x = x.grad();
            next = gen.engine()();
        };
        Tensor gw0, gx0, gw1, gx1;
        uint64_t next0 = 0, next1 = 0;
        segment(false, gw0, gx0, next0);
        segment(true, gw1, gx1, next1);
        QVERIFY(bitwise_equal(gw0, gw1));
        QVERIFY(bitwise_equal(gx0, gx1));
        QCOMPARE(next1, next0);
        // Without naming the generator the recompute draws a different mask: the test can fail.
        Generator gen(21);
        w.zero_grad();
        Tensor x = x0.clone().set_requires_grad(true);
        Tensor y = autograd::checkpoint([&](const Tensor& h) { return tanh(matmul(dropout(h, 0.5, true, gen), w)); },
                                        x, {w});
        sum(mul(y, y)).backward();
        QVERIFY(!bitwise_equal(w.grad(), gw0));
    }

    void gradcheckCasesPass() {
        int cases = 0;
        for (const auto& c : gradcheck::registry()) {
            if (c.op != "checkpoint") continue;
            ++cases;
            const gradcheck::Result r = gradcheck::run(c);
            QVERIFY2(r.passed(), (c.label + ": error " + std::to_string(r.max_error)).c_str());
        }
        QCOMPARE(cases, 2);
    }

    void withoutRecordingItIsThePlainForward() {
        Generator init(2);
        Tensor w = Tensor::randn({4, 4}, init).set_requires_grad(true);
        Tensor x = Tensor::randn({3, 4}, init);
        int calls = 0;
        auto fn = [&](const Tensor& h) {
            ++calls;
            return matmul(h, w);
        };
        {
            autograd::NoGradGuard no_grad;
            Tensor y = autograd::checkpoint(fn, x, {w});
            QVERIFY(!y.requires_grad());
        }
        const Tensor w_const = w.detach();
        Tensor y = autograd::checkpoint(
            [&](const Tensor& h) {
                ++calls;
                return matmul(h, w_const);
            },
            x, {w_const});  // nothing requires grad: nothing to record
        QVERIFY(!y.requires_grad());
        QCOMPARE(calls, 2);
        Tensor z = autograd::checkpoint(fn, x, {w});  // w requires grad: one node, fn run again in backward
        QCOMPARE(z.grad_fn()->op, std::string("checkpoint"));
        QCOMPARE(calls, 3);
        sum(z).backward();
        QCOMPARE(calls, 4);
        QVERIFY(w.grad().defined());
    }

    void errorsNameTheProblem() {
        data::ImageDataset train, test;
        QString why;
        if (!bp_test::load_mnist(train, test, &why)) QSKIP(qPrintable(why));
        train::TrainConfig cfg;
        cfg.model = "mlp";
        cfg.checkpoint = "block";
        models::Model m = models::create_model("mlp", nlohmann::json::object(), 1);
        try {
            train::Trainer t(m, train, nullptr, cfg);
            QFAIL("no ConfigError for an MLP with checkpointing");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find("'mlp' has no transformer blocks") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(ConfigError, autograd::checkpoint([](const Tensor& h) { return h; }, Tensor(), {}));
        cfg.model = "vit";
        cfg.checkpoint = "blocks";
        try {
            cfg.validate();
            QFAIL("no ConfigError for checkpoint = blocks");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find("use off, attention or block") != std::string::npos, e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TstCheckpoint)
#include "tst_checkpoint.moc"
