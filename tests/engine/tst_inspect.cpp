// tst_inspect.cpp — looking inside convolutional networks (bp/models/inspect.h): the stages are the real forward
// pass (the last one equals the network's output), a convolution's arithmetic reproduces its output value and
// what BatchNorm and ReLU make of it, the receptive field is exactly the set of input pixels an output pixel
// depends on (pixels outside it change nothing), and the top-activating images are the brute-force top k.
#include <QtTest>

#include <cmath>
#include <random>

#include "bp/autograd.h"
#include "bp/errors.h"
#include "bp/models/inspect.h"
#include "bp/nn/layers.h"

using namespace bp;

namespace {

Tensor randomInput(uint64_t seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::normal_distribution<double> n(0.0, 1.0);
    std::vector<double> v(28 * 28);
    for (double& x : v) x = n(rng);
    return Tensor::from_vector({1, 1, 28, 28}, v);
}

float at(const Tensor& t, int64_t c, int64_t y, int64_t x) {
    const Shape& s = t.shape();
    return t.to_float_vector()[static_cast<size_t>((c * s[2] + y) * s[3] + x)];
}

/// Gives every BatchNorm non-trivial running statistics and affine parameters, so its formula is exercised.
void perturbBatchNorms(models::Model& m) {
    Generator gen(7);
    for (const auto& layer : dynamic_cast<nn::Sequential&>(*m.net).layers())
        if (auto* bn = dynamic_cast<nn::BatchNorm*>(layer.get())) {
            bn->running_mean.copy_(Tensor::uniform(bn->running_mean.shape(), gen, -0.5, 0.5));
            bn->running_var.copy_(Tensor::uniform(bn->running_var.shape(), gen, 0.2, 2.0));
            bn->weight.copy_(Tensor::uniform(bn->weight.shape(), gen, 0.5, 1.5));
            bn->bias.copy_(Tensor::uniform(bn->bias.shape(), gen, -0.3, 0.3));
        }
}

}  // namespace

class TstInspect : public QObject {
    Q_OBJECT
private slots:
    void stagesAreTheForwardPass() {
        for (const char* name : {"lenet", "cnn", "resnet", "mlp"}) {
            models::Model m = models::create_model(name, nlohmann::json::object(), 3);
            perturbBatchNorms(m);
            const Tensor x = randomInput(1);
            const std::vector<models::Stage> stages = models::forward_stages(m, x);
            QCOMPARE(stages.size(), dynamic_cast<nn::Sequential&>(*m.net).size());
            Tensor y;
            {
                autograd::NoGradGuard ng;
                m.net->eval();
                y = m.net->forward(x);
                m.net->train();
            }
            QCOMPARE(stages.back().output.to_float_vector(), y.to_float_vector());
            QCOMPARE(stages.back().shape, (Shape{10}));
        }
        models::Model lenet = models::create_model("lenet");
        const auto s = models::forward_stages(lenet, randomInput(2));
        QCOMPARE(s[0].name, std::string("conv1"));
        QCOMPARE(s[0].type, std::string("Conv2d"));
        QCOMPARE(s[0].shape, (Shape{6, 28, 28}));
        QCOMPARE(s[1].name, std::string("relu1"));
        QCOMPARE(s[2].name, std::string("pool1"));
        QCOMPARE(s[2].shape, (Shape{6, 14, 14}));
        QCOMPARE(s[3].name, std::string("conv2"));
        QCOMPARE(s[3].shape, (Shape{16, 10, 10}));
        QVERIFY(s[3].spatial() && !s[6].spatial());
        QVERIFY_THROWS_EXCEPTION(ShapeError, models::forward_stages(lenet, Tensor::zeros({2, 1, 28, 28})));
        models::Model vit = models::create_model("vit");
        QVERIFY_THROWS_EXCEPTION(ConfigError, models::forward_stages(vit, randomInput(3)));
    }

    void convArithmeticReproducesTheValue() {
        models::Model cnn = models::create_model("cnn", nlohmann::json::object(), 5);
        perturbBatchNorms(cnn);
        const Tensor x = randomInput(4);
        const auto stages = models::forward_stages(cnn, x);
        // conv1 (no bias, padding 1) at a corner (the window hangs over the padding) and inside; conv2 inside.
        struct Case { size_t stage; int64_t c, y, x; };
        for (const Case& k : {Case{0, 3, 0, 0}, Case{0, 17, 13, 20}, Case{4, 40, 6, 2}}) {
            const models::ConvArithmetic a = models::conv_arithmetic(cnn, x, stages, k.stage, k.c, k.y, k.x);
            QCOMPARE(a.kernel, int64_t(3));
            QCOMPARE(static_cast<int64_t>(a.window.size()), a.in_channels * 9);
            const double engine = at(stages[k.stage].output, k.c, k.y, k.x);
            QVERIFY2(std::abs(a.value - engine) < 1e-4 * std::max(1.0, std::abs(engine)),
                     qPrintable(QStringLiteral("%1 vs %2").arg(a.value).arg(engine)));
            double dot = 0;
            for (size_t i = 0; i < a.window.size(); ++i) dot += double(a.window[i]) * a.weights[i];
            QCOMPARE(a.dot, dot);
            QCOMPARE(a.bias, 0.0);  // the CNN's convolutions have no bias (BatchNorm follows)
            // Then BatchNorm and ReLU, with the forward pass's values and formulas that reproduce them.
            QCOMPARE(a.then.size(), size_t(2));
            QCOMPARE(a.then[0].stage, stages[k.stage + 1].name);
            QCOMPARE(a.then[0].value, double(at(stages[k.stage + 1].output, k.c, k.y, k.x)));
            const auto& bn = dynamic_cast<nn::BatchNorm&>(dynamic_cast<nn::Sequential&>(*cnn.net)[k.stage + 1]);
            const auto c = static_cast<size_t>(k.c);
            const double expect = (a.value - bn.running_mean.to_float_vector()[c]) /
                                      std::sqrt(bn.running_var.to_float_vector()[c] + bn.eps()) * bn.weight.to_float_vector()[c] +
                                  bn.bias.to_float_vector()[c];
            QVERIFY(std::abs(expect - a.then[0].value) < 1e-4);
            QCOMPARE(a.then[1].value, std::max(0.0, a.then[0].value));
            QVERIFY(QString::fromStdString(a.then[1].formula).startsWith(QStringLiteral("max(0, ")));
        }
        // The corner's window: the row and column above and left of the image are padding, so zeros.
        const models::ConvArithmetic corner = models::conv_arithmetic(cnn, x, stages, 0, 3, 0, 0);
        QCOMPARE(corner.top, int64_t(-1));
        for (int i : {0, 1, 2, 3, 6}) QCOMPARE(corner.window[static_cast<size_t>(i)], 0.0f);
        QCOMPARE(corner.window[4], at(x, 0, 0, 0));
        // LeNet's convolutions have a bias; it is part of the value.
        models::Model lenet = models::create_model("lenet", nlohmann::json::object(), 2);
        const auto ls = models::forward_stages(lenet, x);
        const models::ConvArithmetic b = models::conv_arithmetic(lenet, x, ls, 3, 9, 4, 7);
        QVERIFY(b.bias != 0.0);
        QVERIFY(std::abs(b.value - at(ls[3].output, 9, 4, 7)) < 1e-4);
        QVERIFY_THROWS_EXCEPTION(ConfigError, models::conv_arithmetic(lenet, x, ls, 1, 0, 0, 0));  // a ReLU
        QVERIFY_THROWS_EXCEPTION(ShapeError, models::conv_arithmetic(lenet, x, ls, 0, 6, 0, 0));   // 6 channels
        QVERIFY_THROWS_EXCEPTION(ShapeError, models::conv_arithmetic(lenet, x, ls, 0, 0, 28, 0));
    }

    void receptiveFieldIsExactlyWhatMatters() {
        models::Model lenet = models::create_model("lenet", nlohmann::json::object(), 4);
        QCOMPARE(*models::receptive_field(lenet, 0, 0, 0), (models::PixelBox{0, 0, 2, 2}));     // 5×5, padding 2
        QCOMPARE(*models::receptive_field(lenet, 2, 0, 0), (models::PixelBox{0, 0, 3, 3}));     // after the pool
        QCOMPARE(*models::receptive_field(lenet, 3, 3, 4), (models::PixelBox{4, 6, 17, 19}));  // conv2: 14×14
        QVERIFY(!models::receptive_field(lenet, 6, 0, 0).has_value());                          // after Flatten
        models::Model resnet = models::create_model("resnet");
        QVERIFY(models::receptive_field(resnet, 2, 5, 5).has_value());
        QVERIFY(!models::receptive_field(resnet, 3, 5, 5).has_value());  // a residual block
        // Brute force: changing every pixel outside the box leaves the output pixel as it was; changing the
        // pixels inside changes it.
        const Tensor x = randomInput(9);
        for (const auto& where : std::vector<std::tuple<size_t, int64_t, int64_t, int64_t>>{{3, 5, 3, 4}, {5, 2, 1, 3}, {0, 1, 27, 12}}) {
            const size_t stage = std::get<0>(where);  // plain variables: the lambda below captures them
            const int64_t c = std::get<1>(where), y = std::get<2>(where), xx = std::get<3>(where);
            const models::PixelBox b = *models::receptive_field(lenet, stage, y, xx);
            const float before = at(models::forward_stages(lenet, x)[stage].output, c, y, xx);
            std::vector<float> outside = x.to_float_vector(), inside = outside;
            for (int64_t r = 0; r < 28; ++r)
                for (int64_t q = 0; q < 28; ++q) {
                    const bool in = r >= b.top && r <= b.bottom && q >= b.left && q <= b.right;
                    (in ? inside : outside)[static_cast<size_t>(r * 28 + q)] += 3.0f;
                }
            auto run = [&](const std::vector<float>& v) {
                return at(models::forward_stages(lenet, Tensor::from_vector({1, 1, 28, 28}, std::vector<double>(v.begin(), v.end())))[stage].output,
                          c, y, xx);
            };
            QCOMPARE(run(outside), before);
            QVERIFY(run(inside) != before);
        }
    }

    void topActivatingIsTheBruteForceTopK() {
        data::ImageDataset ds;
        ds.name = "random";
        ds.count = 300;
        ds.rows = ds.cols = 28;
        std::mt19937 rng(11);
        ds.pixels.resize(300 * 784);
        for (auto& p : ds.pixels) p = static_cast<uint8_t>(rng() % 256);
        ds.labels.assign(300, 0);
        models::Model lenet = models::create_model("lenet", nlohmann::json::object(), 6);
        for (const auto& [stage, channel] : std::vector<std::pair<size_t, int64_t>>{{1, 4}, {5, 11}, {8, 40}}) {
            int64_t calls = 0;
            const auto top = models::top_activating(lenet, ds, stage, channel, 9, 0, [&](int64_t done, int64_t total) {
                ++calls;
                return done <= total;
            });
            QCOMPARE(calls, int64_t(2));  // batches of 256
            std::vector<models::ChannelScore> brute;
            std::vector<float> img(784);
            for (int64_t i = 0; i < 300; ++i) {
                data::normalize_images(ds, &i, 1, img.data());
                const Tensor out = models::forward_stages(lenet, Tensor::from_vector({1, 1, 28, 28}, std::vector<double>(img.begin(), img.end())))[stage].output;
                const std::vector<float> v = out.to_float_vector();
                const int64_t plane = out.numel() / out.shape()[1];
                brute.push_back({i, *std::max_element(v.begin() + channel * plane, v.begin() + (channel + 1) * plane)});
            }
            std::sort(brute.begin(), brute.end(), [](auto& a, auto& b) { return a.score != b.score ? a.score > b.score : a.index < b.index; });
            QCOMPARE(top.size(), size_t(9));
            for (size_t i = 0; i < 9; ++i) {
                QCOMPARE(top[i].index, brute[i].index);
                QVERIFY(std::abs(top[i].score - brute[i].score) < 1e-4);
            }
        }
        // Stopped after the first batch: only its 256 images are ranked.
        const auto partial = models::top_activating(lenet, ds, 1, 0, 300, 0, [](int64_t, int64_t) { return false; });
        QCOMPARE(partial.size(), size_t(256));
        QVERIFY_THROWS_EXCEPTION(ShapeError, models::top_activating(lenet, ds, 1, 6, 9));
    }
};

QTEST_MAIN(TstInspect)
#include "tst_inspect.moc"
