// tst_attention.cpp — the transformer ops on hand-checked cases (layer/RMS norm, rope, swiglu, embedding,
// attention with one key and with the causal mask), the tiled attention against the plain one (outputs and
// every gradient, several T/S that are not multiples of the block), causality, and the error paths.
// The nn layers: shapes, parameter counts, reprs, attention capture, save/load. Finite-difference gradients: tst_gradcheck.cpp.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bp/autograd.h"
#include "bp/errors.h"
#include "bp/io/safetensors.h"
#include "bp/nn/transformer.h"
#include "bp/ops.h"
#include "bp/tensor.h"
#include "engine/data_test_util.h"
#include "engine/tensor_test_util.h"

using namespace bp;
using bp_test::contains;
using bp_test::expect_values;
using bp_test::message_of;

namespace {

Tensor f32(const Shape& s, const std::vector<double>& v) { return Tensor::from_vector(s, v, DType::f32); }

double max_diff(const Tensor& a, const Tensor& b) {
    const auto x = a.to_vector(), y = b.to_vector();
    if (x.size() != y.size()) return INFINITY;
    double m = 0;
    for (size_t i = 0; i < x.size(); ++i) m = std::max(m, std::abs(x[i] - y[i]));
    return m;
}

/// Output and the gradients of Σ out ⊙ R for q, k, v, from one implementation.
struct AttnRun {
    Tensor out, gq, gk, gv;
};
AttnRun run_attention(bool tiled, const Tensor& q0, const Tensor& k0, const Tensor& v0, const Tensor& r, bool causal,
                      const Tensor& mask, int64_t block) {
    Tensor q = q0.clone().set_requires_grad(true), k = k0.clone().set_requires_grad(true),
           v = v0.clone().set_requires_grad(true);
    Tensor out = tiled ? scaled_dot_product_attention_tiled(q, k, v, causal, mask, block)
                       : scaled_dot_product_attention(q, k, v, causal, mask);
    sum(mul(out, r)).backward();
    return {out.detach(), q.grad(), k.grad(), v.grad()};
}

}  // namespace

class TstAttention : public QObject {
    Q_OBJECT
private slots:
    // x = [1, 2, 3]: μ = 2, σ² = 2/3, so y = (x − 2)/√(2/3 + ε) = [−1.2247, 0, 1.2247].
    void layerNormByHand() {
        Tensor y = layer_norm(f32({1, 3}, {1, 2, 3}), Tensor::ones({3}), Tensor::zeros({3}));
        const double a = 1.0 / std::sqrt(2.0 / 3.0 + 1e-5);
        expect_values(y, {1, 3}, {-a, 0, a}, 1e-6);
        Tensor y2 = layer_norm(f32({1, 3}, {1, 2, 3}), f32({3}, {2, 2, 2}), f32({3}, {1, 1, 1}));
        expect_values(y2, {1, 3}, {1 - 2 * a, 1, 1 + 2 * a}, 1e-5);
    }
    // x = [3, 4]: mean(x²) = 12.5, y = x/√12.5 = [0.8485, 1.1314].
    void rmsNormByHand() {
        Tensor y = rms_norm(f32({1, 2}, {3, 4}), Tensor::ones({2}), 1e-6);
        const double r = 1.0 / std::sqrt(12.5 + 1e-6);
        expect_values(y, {1, 2}, {3 * r, 4 * r}, 1e-6);
    }
    // Dh = 2: θ = position. (1, 0) at t = 0 stays, at t = 1 becomes (cos 1, sin 1); offset 2 shifts to 2 and 3.
    void ropeRotatesByTheRightAngle() {
        Tensor x = f32({1, 1, 2, 2}, {1, 0, 1, 0});
        expect_values(rope(x), {1, 1, 2, 2}, {1, 0, std::cos(1.0), std::sin(1.0)}, 1e-6);
        expect_values(rope(x, 2), {1, 1, 2, 2}, {std::cos(2.0), std::sin(2.0), std::cos(3.0), std::sin(3.0)}, 1e-6);
        // Dh = 4: the second pair turns slower, θ_1 = t · 10000^(−2/4) = t / 100; norms are kept.
        Tensor x4 = f32({1, 1, 2, 4}, {0.5, -2, 3, 1, 0.5, -2, 3, 1});
        Tensor y4 = rope(x4);
        const double c = std::cos(0.01), s = std::sin(0.01);
        expect_values(y4, {1, 1, 2, 4},
                      {0.5, -2, 3, 1, 0.5 * std::cos(1.0) + 2 * std::sin(1.0), 0.5 * std::sin(1.0) - 2 * std::cos(1.0),
                       3 * c - 1 * s, 3 * s + 1 * c},
                      1e-6);
        const auto a = x4.to_vector(), b = y4.to_vector();
        for (size_t i = 0; i < a.size(); i += 2)
            QVERIFY(std::abs(std::hypot(a[i], a[i + 1]) - std::hypot(b[i], b[i + 1])) < 1e-6);
    }
    // [a | b] = [0, 2 | 3, 5]: silu(0)·3 = 0, silu(2)·5 = 2σ(2)·5.
    void swigluByHand() {
        const double s2 = 2.0 / (1.0 + std::exp(-2.0));
        expect_values(swiglu(f32({1, 4}, {0, 2, 3, 5})), {1, 2}, {0, s2 * 5}, 1e-6);
        expect_values(swiglu(f32({1, 2}, {0, 2}), f32({1, 2}, {3, 5})), {1, 2}, {0, s2 * 5}, 1e-6);
        expect_values(silu(f32({2}, {0, 2})), {2}, {0, s2}, 1e-6);
    }
    void embeddingPicksRowsAndScattersGradients() {
        Tensor w = f32({3, 2}, {0, 1, 10, 11, 20, 21}).set_requires_grad(true);
        Tensor idx = Tensor::from_vector({2, 2}, {2, 0, 2, 1}, DType::i32);
        Tensor y = embedding(idx, w);
        expect_values(y, {2, 2, 2}, {20, 21, 0, 1, 20, 21, 10, 11}, 0);
        sum(y).backward();
        expect_values(w.grad(), {3, 2}, {1, 1, 1, 1, 2, 2}, 0);  // row 2 was picked twice
    }
    void bmmMatchesMatmulPerBatch() {
        Generator gen(3);
        Tensor a = Tensor::randn({2, 3, 4}, gen), b = Tensor::randn({2, 4, 5}, gen);
        Tensor c = bmm(a, b);
        for (int64_t i = 0; i < 2; ++i)
            QVERIFY(max_diff(c.slice_rows(i, i + 1).view({3, 5}),
                             matmul(a.slice_rows(i, i + 1).view({3, 4}), b.slice_rows(i, i + 1).view({4, 5}))) < 1e-6);
        expect_values(transpose(f32({1, 2, 3}, {1, 2, 3, 4, 5, 6}), 1, 2), {1, 3, 2}, {1, 4, 2, 5, 3, 6}, 0);
    }
    // One key: softmax over one score is 1, so every query gets v.
    void attentionWithOneKeyReturnsV() {
        Generator gen(1);
        Tensor q = Tensor::randn({1, 2, 3, 2}, gen), k = Tensor::randn({1, 2, 1, 2}, gen);
        Tensor v = f32({1, 2, 1, 2}, {5, -7, 0.5, 2});
        const std::vector<double> want = {5, -7, 5, -7, 5, -7, 0.5, 2, 0.5, 2, 0.5, 2};
        expect_values(scaled_dot_product_attention(q, k, v), {1, 2, 3, 2}, want, 1e-6);
        expect_values(scaled_dot_product_attention_tiled(q, k, v), {1, 2, 3, 2}, want, 1e-6);
    }
    // Causal: the first query sees only key 0, so its weights are [1, 0, 0, 0] and its output is v[0].
    void causalFirstQueryAttendsOnlyToItself() {
        Generator gen(2);
        Tensor q = Tensor::randn({1, 1, 4, 3}, gen), k = Tensor::randn({1, 1, 4, 3}, gen), v = Tensor::randn({1, 1, 4, 3}, gen);
        Tensor w;
        Tensor out = scaled_dot_product_attention(q, k, v, true, {}, &w);
        QCOMPARE(w.shape(), (Shape{1, 1, 4, 4}));
        const auto wv = w.to_vector();
        QCOMPARE(wv[0], 1.0);
        for (int t = 0; t < 4; ++t) {
            double row = 0;
            for (int s = 0; s < 4; ++s) {
                row += wv[t * 4 + s];
                if (s > t) QCOMPARE(wv[t * 4 + s], 0.0);
            }
            QVERIFY(std::abs(row - 1.0) < 1e-6);
        }
        const auto o = out.to_vector(), vv = v.to_vector();
        for (int d = 0; d < 3; ++d) QVERIFY(std::abs(o[d] - vv[d]) < 1e-6);
    }

    void tiledEqualsPlain_data() {
        QTest::addColumn<int>("T");
        QTest::addColumn<int>("S");
        QTest::addColumn<bool>("causal");
        QTest::addColumn<bool>("padding");
        QTest::addColumn<int>("block");
        QTest::newRow("T 5, S 7, block 4") << 5 << 7 << false << false << 4;
        QTest::newRow("T 17, S 17, causal, block 8") << 17 << 17 << true << false << 8;
        QTest::newRow("T 33, S 33, causal, block 16") << 33 << 33 << true << false << 16;
        QTest::newRow("T 9, S 21, padding, block 4") << 9 << 21 << false << true << 4;
        QTest::newRow("T 19, S 19, causal + padding, block 8") << 19 << 19 << true << true << 8;
        QTest::newRow("T 40, S 40, causal, block 32") << 40 << 40 << true << false << 32;
        QTest::newRow("T 3, S 70, padding, block 64") << 3 << 70 << false << true << 64;
    }
    void tiledEqualsPlain() {
        QFETCH(int, T);
        QFETCH(int, S);
        QFETCH(bool, causal);
        QFETCH(bool, padding);
        QFETCH(int, block);
        Generator gen(static_cast<uint64_t>(T * 100 + S));
        const int64_t B = 2, H = 3, Dh = 8;
        Tensor q = Tensor::randn({B, H, T, Dh}, gen), k = Tensor::randn({B, H, S, Dh}, gen);
        Tensor v = Tensor::randn({B, H, S, Dh}, gen), r = Tensor::randn({B, H, T, Dh}, gen);
        Tensor mask;
        if (padding) {  // item 0 keeps every key, item 1 drops the last third (right padding)
            std::vector<double> m(static_cast<size_t>(B * S), 1.0);
            for (int64_t s = S - S / 3; s < S; ++s) m[static_cast<size_t>(S + s)] = 0.0;
            mask = Tensor::from_vector({B, S}, m, DType::i32);
        }
        AttnRun a = run_attention(false, q, k, v, r, causal, mask, block);
        AttnRun b = run_attention(true, q, k, v, r, causal, mask, block);
        QCOMPARE(b.out.shape(), a.out.shape());
        const std::pair<const char*, std::pair<Tensor, Tensor>> pairs[] = {
            {"out", {a.out, b.out}}, {"grad q", {a.gq, b.gq}}, {"grad k", {a.gk, b.gk}}, {"grad v", {a.gv, b.gv}}};
        for (const auto& [name, p] : pairs) {
            const double d = max_diff(p.first, p.second);
            QVERIFY2(d <= 1e-5, qPrintable(QString("%1: max difference %2").arg(name).arg(d)));
        }
    }

    // Changing token 3's q, k and v leaves the outputs of tokens 0..2 untouched, in both implementations.
    void causalMaskHidesTheFuture() {
        Generator gen(5);
        const int64_t T = 6, Dh = 4;
        Tensor q = Tensor::randn({1, 2, T, Dh}, gen), k = Tensor::randn({1, 2, T, Dh}, gen), v = Tensor::randn({1, 2, T, Dh}, gen);
        auto changed = [&](const Tensor& t) {
            Tensor c = t.clone();
            float* p = c.data<float>();
            for (int64_t h = 0; h < 2; ++h)
                for (int64_t d = 0; d < Dh; ++d) p[(h * T + 3) * Dh + d] += 3.0f;
            return c;
        };
        for (bool tiled : {false, true}) {
            auto attn = [&](const Tensor& a, const Tensor& b, const Tensor& c) {
                return tiled ? scaled_dot_product_attention_tiled(a, b, c, true, {}, 4)
                             : scaled_dot_product_attention(a, b, c, true);
            };
            const auto before = attn(q, k, v).to_vector(), after = attn(changed(q), changed(k), changed(v)).to_vector();
            for (int64_t h = 0; h < 2; ++h)
                for (int64_t t = 0; t < T; ++t)
                    for (int64_t d = 0; d < Dh; ++d) {
                        const size_t i = static_cast<size_t>((h * T + t) * Dh + d);
                        if (t < 3) QCOMPARE(after[i], before[i]);
                    }
            QVERIFY(max_diff(attn(q, k, v), attn(changed(q), changed(k), changed(v))) > 1e-3);  // later ones change
        }
    }

    void errorPaths() {
        auto expect = [](const std::string& msg, std::initializer_list<const char*> parts) {
            for (const char* p : parts) QVERIFY2(contains(msg, p), qPrintable(QString::fromStdString(msg + " lacks: " + p)));
        };
        Tensor q = Tensor::zeros({1, 2, 3, 4}), k = Tensor::zeros({1, 2, 5, 4});
        expect(message_of<ShapeError>([&] { bmm(Tensor::zeros({2, 3, 4}), Tensor::zeros({2, 5, 6})); }),
               {"bmm", "[2, 3, 4]", "[2, 5, 6]"});
        expect(message_of<ShapeError>([&] { scaled_dot_product_attention(q, k, Tensor::zeros({1, 2, 5, 3})); }),
               {"scaled_dot_product_attention", "[1, 2, 5, 4]", "[1, 2, 5, 3]"});
        expect(message_of<ShapeError>([&] { scaled_dot_product_attention_tiled(q, Tensor::zeros({1, 2, 5, 3}), Tensor::zeros({1, 2, 5, 3})); }),
               {"scaled_dot_product_attention_tiled", "[1, 2, 3, 4]", "[1, 2, 5, 3]"});
        expect(message_of<ShapeError>([&] { scaled_dot_product_attention(q, k, k, false, Tensor::ones({1, 4}, DType::i32)); }),
               {"scaled_dot_product_attention", "[1, 4]", "[1, 2, 5, 4]"});
        expect(message_of<ConfigError>([&] { scaled_dot_product_attention(q, k, k, false, Tensor::zeros({1, 5}, DType::i32)); }),
               {"scaled_dot_product_attention", "padding"});
        expect(message_of<ShapeError>([&] { layer_norm(Tensor::zeros({2, 4}), Tensor::ones({3}), Tensor()); }),
               {"layer_norm", "[2, 4]", "[3]"});
        expect(message_of<ShapeError>([&] { rms_norm(Tensor::zeros({2, 4}), Tensor::ones({5})); }), {"rms_norm", "[2, 4]", "[5]"});
        expect(message_of<ShapeError>([&] { rope(Tensor::zeros({1, 1, 2, 3})); }), {"rope", "[1, 1, 2, 3]", "even"});
        expect(message_of<ShapeError>([&] { swiglu(Tensor::zeros({2, 3})); }), {"swiglu", "[2, 3]"});
        expect(message_of<ConfigError>([&] { embedding(Tensor::from_vector({1, 2}, {1, 7}, DType::i32), Tensor::zeros({5, 2})); }),
               {"embedding", "index 7", "[0, 5)", "[5, 2]"});
        expect(message_of<ShapeError>([&] { embedding(Tensor::from_vector({1, 2}, {1, 0}, DType::i32), Tensor::zeros({5})); }),
               {"embedding", "[1, 2]", "[5]"});
    }

    // Modules: output shapes, parameter counts (d = 8, 2 heads), names, reprs, the attention capture.
    void modulesShapesAndParameterCounts() {
        Generator gen(11);
        nn::Embedding emb(10, 8);
        QCOMPARE(emb.parameter_count(), int64_t{80});
        QCOMPARE(QString::fromStdString(emb.repr()), QString("Embedding(10, 8)"));
        Tensor tokens = Tensor::from_vector({2, 5}, {1, 2, 3, 4, 5, 9, 8, 7, 6, 0}, DType::i32);
        Tensor x = emb.forward(tokens);
        QCOMPARE(x.shape(), (Shape{2, 5, 8}));

        nn::LayerNorm ln(8);
        QCOMPARE(ln.parameter_count(), int64_t{16});
        QCOMPARE(QString::fromStdString(ln.repr()), QString("LayerNorm((8,), eps=1e-05, elementwise_affine=true)"));
        nn::RMSNorm rms(8);
        QCOMPARE(rms.parameter_count(), int64_t{8});
        QCOMPARE(QString::fromStdString(rms.repr()), QString("RMSNorm((8,), eps=1e-06, elementwise_affine=true)"));
        QCOMPARE(ln.forward(x).shape(), x.shape());

        nn::MultiHeadAttention mha(nn::MultiHeadAttentionOptions(8, 2));
        QCOMPARE(mha.parameter_count(), int64_t{4 * (8 * 8 + 8)});  // q, k, v, out: weight [8, 8] + bias [8]
        QCOMPARE(QString::fromStdString(mha.repr()),
                 QString("MultiHeadAttention(d_model=8, heads=2, causal=true, rope=false, tiled=false)"));
        QCOMPARE(mha.forward(x).shape(), (Shape{2, 5, 8}));

        // GPT-2: LayerNorm 16 + attention 288 + LayerNorm 16 + fc1 8·32 + 32 + fc2 32·8 + 8 = 872
        nn::TransformerBlock gpt2(nn::TransformerBlockOptions(8, 2));
        QCOMPARE(gpt2.parameter_count(), int64_t{872});
        QCOMPARE(gpt2.forward(x).shape(), (Shape{2, 5, 8}));
        QVERIFY(QString::fromStdString(gpt2.repr()).startsWith("TransformerBlock(kind=gpt2\n  (norm1): LayerNorm((8,)"));
        QCOMPARE(QString::fromStdString(gpt2.named_parameters().front().first), QString("norm1.weight"));
        // modern: RMSNorm 8 + attention 4·64 (no biases) + RMSNorm 8 + fc1 8·44 + fc2 22·8 (hidden ⌈64/3⌉ = 22) = 800
        nn::TransformerBlock modern(nn::TransformerBlockOptions(8, 2).kind(nn::BlockKind::modern));
        QCOMPARE(modern.parameter_count(), int64_t{800});
        QVERIFY(modern.attn->options().rope_);
        QCOMPARE(modern.forward(x).shape(), (Shape{2, 5, 8}));
        QCOMPARE(QString::fromStdString(modern.mlp->repr()), QString("FeedForward(d_model=8, hidden=22, activation=swiglu)"));

        // A gradient reaches every parameter of both blocks.
        for (nn::TransformerBlock* b : {&gpt2, &modern}) {
            sum(b->forward(x.detach())).backward();
            for (const auto& [name, p] : b->named_parameters()) QVERIFY2(p.grad().defined(), name.c_str());
        }
    }

    // The tiled attention inside a block gives the plain block's output.
    void blockTiledEqualsPlain() {
        Generator gen(4);
        Tensor x = Tensor::randn({2, 13, 8}, gen);
        nn::TransformerBlock plain(nn::TransformerBlockOptions(8, 2).kind(nn::BlockKind::modern));
        nn::TransformerBlock tiled(nn::TransformerBlockOptions(8, 2).kind(nn::BlockKind::modern).tiled(true));
        Generator g1(9), g2(9);
        plain.reset_parameters(g1);
        tiled.reset_parameters(g2);
        QVERIFY(max_diff(plain.forward(x), tiled.forward(x)) < 1e-5);
    }

    void captureReturnsWeightsWhoseRowsSumToOne() {
        Generator gen(6);
        nn::MultiHeadAttention mha(nn::MultiHeadAttentionOptions(8, 2).rope(true).tiled(true, 4));
        Tensor x = Tensor::randn({3, 7, 8}, gen);
        Tensor y0 = mha.forward(x);
        QVERIFY(!mha.last_attention().defined());
        mha.capture_attention(true);
        Tensor y1 = mha.forward(x);
        QVERIFY(max_diff(y0, y1) < 1e-5);  // capturing goes through the plain attention: same result
        const Tensor& w = mha.last_attention();
        QCOMPARE(w.shape(), (Shape{3, 2, 7, 7}));
        const auto wv = w.to_vector();
        for (size_t row = 0; row < wv.size() / 7; ++row) {
            double s = 0;
            for (size_t c = 0; c < 7; ++c) {
                s += wv[row * 7 + c];
                if (c > row % 7) QCOMPARE(wv[row * 7 + c], 0.0);  // causal by default
            }
            QVERIFY(std::abs(s - 1.0) < 1e-5);
        }
        mha.capture_attention(false);
        QVERIFY(!mha.last_attention().defined());
        auto msg = message_of<ShapeError>([&] { mha.forward(Tensor::zeros({3, 7, 6})); });
        QVERIFY2(contains(msg, "multi_head_attention") && contains(msg, "[3, 7, 6]") && contains(msg, "[B, T, 8]"), msg.c_str());
    }

    // Save a block's parameters as safetensors, load them into a differently initialised block: same output.
    void blockSaveLoadRoundTrip() {
        Generator gen(8);
        Tensor x = Tensor::randn({1, 4, 8}, gen);
        nn::TransformerBlock a(nn::TransformerBlockOptions(8, 2).kind(nn::BlockKind::modern));
        nn::TransformerBlock b(nn::TransformerBlockOptions(8, 2).kind(nn::BlockKind::modern));
        Generator g1(1), g2(2);
        a.reset_parameters(g1);
        b.reset_parameters(g2);
        QVERIFY(max_diff(a.forward(x), b.forward(x)) > 1e-3);
        std::vector<io::NamedBuffer> bufs;
        for (const auto& [name, p] : a.named_parameters()) {
            const auto f = p.to_float_vector();
            io::NamedBuffer nb{name, "F32", p.shape(), std::vector<uint8_t>(f.size() * 4)};
            std::memcpy(nb.bytes.data(), f.data(), nb.bytes.size());
            bufs.push_back(std::move(nb));
        }
        QTemporaryDir dir;
        const std::string path = dir.filePath("block.safetensors").toStdString();
        io::save_safetensors(path, bufs, {});
        const io::SafetensorsFile file = io::load_safetensors(path);
        for (auto& [name, p] : b.named_parameters()) {
            const io::NamedBuffer* nb = file.find(name);
            QVERIFY2(nb && nb->shape == p.shape(), name.c_str());
            std::memcpy(p.data<float>(), nb->bytes.data(), nb->bytes.size());
        }
        QCOMPARE(max_diff(a.forward(x), b.forward(x)), 0.0);
    }
};

QTEST_APPLESS_MAIN(TstAttention)
#include "tst_attention.moc"
