// tst_gpt.cpp — GptMini (models/gpt.h) and its model file (io/gpt_file.h): shapes, parameter counts of both
// blocks by formula, causal masking at the model level, attention maps, sampling (seeded determinism, top-k 1 is
// greedy, the sliding window), and a save/load round trip that generates the same text.
#include <QtTest>

#include <cmath>

#include "bp/autograd.h"
#include "bp/io/gpt_file.h"
#include "bp/models/gpt.h"

using namespace bp;
using namespace bp::models;

namespace {

GptOptions small(nn::BlockKind kind, int64_t vocab = 11, int64_t context = 12) {
    GptOptions o;
    o.vocab_size = vocab;
    o.context = context;
    o.layers = 2;
    o.heads = 2;
    o.dim = 16;
    o.block = kind;
    return o;
}

Tensor tokens_of(const std::vector<int32_t>& ids, int64_t B, int64_t T) {
    std::vector<double> v(ids.begin(), ids.end());
    return Tensor::from_vector({B, T}, v, DType::i32);
}

}  // namespace

class TstGpt : public QObject {
    Q_OBJECT
private slots:
    void logitsShape_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("gpt2") << 0;
        QTest::newRow("modern") << 1;
    }
    void logitsShape() {
        QFETCH(int, kind);
        GptMini gpt(small(kind ? nn::BlockKind::modern : nn::BlockKind::gpt2));
        std::vector<int32_t> ids(3 * 7);
        for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(i % 11);
        Tensor logits = gpt.forward(tokens_of(ids, 3, 7));
        QCOMPARE(logits.shape(), (Shape{3, 7, 11}));
        for (double v : logits.to_vector()) QVERIFY(std::isfinite(v));
        // An untrained model (N(0, 0.02) weights) predicts nearly uniformly: loss ≈ ln V.
        Tensor loss = gpt.loss(tokens_of(ids, 3, 7), tokens_of(ids, 3, 7));
        QVERIFY2(std::abs(loss.item() - std::log(11.0)) < 0.15, std::to_string(loss.item()).c_str());
        QVERIFY_THROWS_EXCEPTION(ShapeError, gpt.forward(Tensor::zeros({1, 13}, DType::i32)));  // T > context
        QVERIFY_THROWS_EXCEPTION(ShapeError, gpt.forward(Tensor::zeros({1, 5})));                // not int32
    }

    void parameterCountByFormula() {
        // d = 16, V = 11, context 12, L = 2.
        // gpt2 block: 2 LayerNorms 2·2d, 4 projections 4(d² + d), MLP d·4d + 4d + 4d·d + d
        const int64_t d = 16, V = 11, C = 12, L = 2;
        const int64_t gpt2_block = 4 * d + 4 * (d * d + d) + (8 * d * d + 5 * d);
        const int64_t gpt2 = V * d + C * d + L * gpt2_block + 2 * d + d * V;
        QCOMPARE(GptMini(small(nn::BlockKind::gpt2)).parameter_count(), gpt2);
        // modern block: 2 RMSNorms 2d, 4 projections 4d² (no bias), SwiGLU hidden h = ⌈8d/3⌉ = 43:
        // fc1 d·2h, fc2 h·d (no biases); no position table; final RMSNorm d.
        const int64_t h = (8 * d + 2) / 3;
        QCOMPARE(h, int64_t{43});
        const int64_t modern_block = 2 * d + 4 * d * d + 3 * h * d;
        const int64_t modern = V * d + L * modern_block + d + d * V;
        GptMini m(small(nn::BlockKind::modern));
        QCOMPARE(m.parameter_count(), modern);
        QVERIFY(!m.pos_embed.defined());
        QVERIFY(GptMini(small(nn::BlockKind::gpt2)).pos_embed.defined());
        // The names differ where the blocks do.
        bool has_bias = false;
        for (auto& [name, p] : m.named_parameters()) has_bias = has_bias || name.find("bias") != std::string::npos;
        QVERIFY(!has_bias);
        // The model: 4 layers, 4 heads, dim 128, context 64, vocabulary 96.
        GptOptions big;
        big.vocab_size = 96;
        big.context = 64;
        QCOMPARE(GptMini(big).parameter_count(), int64_t{826112});  // as the PyTorch reference counts it
    }

    void laterTokensDoNotChangeEarlierLogits_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<bool>("tiled");
        QTest::newRow("gpt2 tiled") << 0 << true;
        QTest::newRow("gpt2 plain") << 0 << false;
        QTest::newRow("modern tiled") << 1 << true;
    }
    void laterTokensDoNotChangeEarlierLogits() {
        QFETCH(int, kind);
        QFETCH(bool, tiled);
        GptOptions o = small(kind ? nn::BlockKind::modern : nn::BlockKind::gpt2);
        o.tiled = tiled;
        GptMini gpt(o);
        autograd::NoGradGuard g;
        std::vector<int32_t> a{1, 2, 3, 4, 5, 6, 7, 8}, b = a;
        b[5] = 9;
        b[7] = 0;  // change positions 5 and 7
        const std::vector<double> la = gpt.forward(tokens_of(a, 1, 8)).to_vector();
        const std::vector<double> lb = gpt.forward(tokens_of(b, 1, 8)).to_vector();
        double before = 0, after = 0;
        for (int t = 0; t < 8; ++t)
            for (int v = 0; v < 11; ++v) {
                const double diff = std::abs(la[t * 11 + v] - lb[t * 11 + v]);
                if (t < 5) before = std::max(before, diff);
                else after = std::max(after, diff);
            }
        QCOMPARE(before, 0.0);      // positions 0..4 never see 5..7: bit-identical
        QVERIFY(after > 1e-4);      // and the change does reach the later positions
    }

    void attentionMapsAreCausalDistributions() {
        GptMini gpt(small(nn::BlockKind::gpt2));
        gpt.capture_attention(true);
        gpt.forward(tokens_of({1, 2, 3, 4, 5}, 1, 5));
        const std::vector<Tensor> maps = gpt.attention_maps();
        QCOMPARE(maps.size(), size_t{2});
        for (const Tensor& m : maps) {
            QCOMPARE(m.shape(), (Shape{1, 2, 5, 5}));
            const std::vector<double> p = m.to_vector();
            for (int h = 0; h < 2; ++h)
                for (int t = 0; t < 5; ++t) {
                    double row = 0;
                    for (int s = 0; s < 5; ++s) {
                        const double w = p[(h * 5 + t) * 5 + s];
                        if (s > t) QCOMPARE(w, 0.0);
                        row += w;
                    }
                    QVERIFY(std::abs(row - 1.0) < 1e-5);
                }
        }
        gpt.capture_attention(false);
        QVERIFY(!gpt.attention_maps().at(0).defined());
    }

    void generateIsSeededAndTopOneIsGreedy() {
        GptMini gpt(small(nn::BlockKind::gpt2));
        Generator init(5);
        gpt.reset_parameters(init);
        autograd::NoGradGuard ng;
        for (auto& p : gpt.parameters()) p.copy_(Tensor::randn(p.shape(), init, 0.0, 0.5, DType::f64));  // peaky
        const std::vector<int32_t> prompt{1, 2, 3};
        Generator g1(42), g2(42), g3(43);
        SampleOptions so{.max_new_tokens = 30, .temperature = 1.0, .top_k = 0};
        const auto a = generate(gpt, prompt, so, g1), b = generate(gpt, prompt, so, g2), c = generate(gpt, prompt, so, g3);
        QCOMPARE(a.size(), size_t{33});
        QCOMPARE(std::vector<int32_t>(a.begin(), a.begin() + 3), prompt);
        QCOMPARE(a, b);   // same seed, same text
        QVERIFY(a != c);  // another seed, other text

        // top-k 1: each new token is the argmax of the model's last logits, whatever the seed.
        Generator g4(1), g5(999);
        SampleOptions greedy{.max_new_tokens = 20, .temperature = 0.7, .top_k = 1};
        const auto x = generate(gpt, prompt, greedy, g4), y = generate(gpt, prompt, greedy, g5);
        QCOMPARE(x, y);
        std::vector<int32_t> seq = prompt;
        for (int n = 0; n < 20; ++n) {  // the greedy decode by hand, sliding the window past context 12
            const int64_t T = std::min<int64_t>(12, static_cast<int64_t>(seq.size()));
            std::vector<int32_t> win(seq.end() - T, seq.end());
            const std::vector<double> l = gpt.forward(tokens_of(win, 1, T)).to_vector();
            int best = 0;
            for (int v = 1; v < 11; ++v)
                if (l[(T - 1) * 11 + v] > l[(T - 1) * 11 + best]) best = v;
            seq.push_back(best);
        }
        QCOMPARE(x, seq);

        // on_token can stop early; bad options are ConfigErrors.
        int seen = 0;
        Generator g6(1);
        const auto stopped = generate(gpt, prompt, so, g6, [&](int32_t) { return ++seen < 4; });
        QCOMPARE(stopped.size(), size_t{7});
        QVERIFY_THROWS_EXCEPTION(ConfigError, generate(gpt, {}, so, g6));
        QVERIFY_THROWS_EXCEPTION(ConfigError, generate(gpt, prompt, {.max_new_tokens = 5, .temperature = 0.0}, g6));
        QVERIFY_THROWS_EXCEPTION(ConfigError, generate(gpt, prompt, {.max_new_tokens = 5, .top_k = 12}, g6));
        QVERIFY_THROWS_EXCEPTION(ConfigError, generate(gpt, {11}, so, g6));
    }

    void optionsJsonRoundTripAndValidation() {
        GptOptions o = small(nn::BlockKind::modern);
        GptOptions back = GptOptions::from_json(o.to_json());
        QCOMPARE(back.to_json(), o.to_json());
        QCOMPARE(o.to_json()["block"], nlohmann::json("modern"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, GptOptions::from_json({{"block", "llama"}}));
        GptOptions bad = o;
        bad.dim = 18;  // not divisible by 4 heads... and 18/2 = 9 is odd for RoPE
        bad.heads = 2;
        QVERIFY_THROWS_EXCEPTION(ConfigError, GptMini{bad});
        bad = o;
        bad.heads = 3;
        QVERIFY_THROWS_EXCEPTION(ConfigError, GptMini{bad});
    }

    void saveLoadGeneratesTheSameText_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("gpt2") << 0;
        QTest::newRow("modern") << 1;
    }
    void saveLoadGeneratesTheSameText() {
        QFETCH(int, kind);
        const data::CharTokenizer tok = data::CharTokenizer::from_text("abcdefghij\n");  // 11 characters
        GptMini gpt(small(kind ? nn::BlockKind::modern : nn::BlockKind::gpt2));
        Generator init(3);
        gpt.reset_parameters(init);
        const QString path = QDir::temp().filePath(QString("bp_tst_gpt_%1.safetensors").arg(kind));
        io::save_gpt(path.toStdString(), gpt, tok, {{"val_loss", 1.5}});
        QVERIFY(io::is_gpt_file(path.toStdString()));
        io::LoadedGpt g = io::load_gpt(path.toStdString());
        QCOMPARE(g.model->options().to_json(), gpt.options().to_json());
        QCOMPARE(g.tokenizer.vocab(), tok.vocab());
        QCOMPARE(g.summary["val_loss"].get<double>(), 1.5);
        const auto params = gpt.named_parameters(), loaded = g.model->named_parameters();
        QCOMPARE(params.size(), loaded.size());
        for (size_t i = 0; i < params.size(); ++i) {
            QCOMPARE(loaded[i].first, params[i].first);
            QCOMPARE(loaded[i].second.to_vector(), params[i].second.to_vector());
        }
        Generator a(9), b(9);
        const auto ids = tok.encode("abc");
        const std::string t1 = tok.decode(generate(gpt, ids, {.max_new_tokens = 40}, a));
        const std::string t2 = g.tokenizer.decode(generate(*g.model, g.tokenizer.encode("abc"), {.max_new_tokens = 40}, b));
        QCOMPARE(t2, t1);
        QCOMPARE(t1.size(), size_t{43});
        QFile::remove(path);
    }

    void loadRejectsOtherFiles() {
        const QString path = QDir::temp().filePath("bp_tst_gpt_missing.safetensors");
        QVERIFY_THROWS_EXCEPTION(DataError, io::load_gpt(path.toStdString()));
        QVERIFY(!io::is_gpt_file(path.toStdString()));
    }
};

QTEST_APPLESS_MAIN(TstGpt)
#include "tst_gpt.moc"
