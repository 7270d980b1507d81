// tst_vit.cpp — the ViT-tiny of the zoo: patchify puts each pixel where the architecture says, every
// parameter (class token and positions included) gets a gradient, and a short run on real MNIST learns.
#include <QtTest>

#include <cmath>
#include <numeric>

#include "bp/autograd.h"
#include "bp/data/dataset.h"
#include "bp/models/vit.h"
#include "bp/models/zoo.h"
#include "bp/ops.h"
#include "bp/optim/optimizer.h"
#include "data_test_util.h"

using namespace bp;

class TstVit : public QObject {
    Q_OBJECT
private slots:
    void patchifyPlacesEveryPixel() {
        // Two images with distinct values: pixel (r, c) of image i holds 1000·i + 28·r + c.
        std::vector<double> v(2 * 28 * 28);
        for (int i = 0; i < 2; ++i)
            for (int r = 0; r < 28; ++r)
                for (int c = 0; c < 28; ++c) v[static_cast<size_t>((i * 28 + r) * 28 + c)] = 1000 * i + 28 * r + c;
        Tensor x = Tensor::from_vector({2, 1, 28, 28}, v);
        Tensor p = models::patchify(x);
        QCOMPARE(p.shape(), (Shape{2, 49, 16}));
        const std::vector<double> out = p.to_vector();
        for (int i = 0; i < 2; ++i)
            for (int r = 0; r < 28; ++r)
                for (int c = 0; c < 28; ++c) {
                    const int patch = (r / 4) * 7 + c / 4, pos = (r % 4) * 4 + c % 4;
                    QCOMPARE(out[static_cast<size_t>((i * 49 + patch) * 16 + pos)], double(1000 * i + 28 * r + c));
                }
        QVERIFY_THROWS_EXCEPTION(ShapeError, models::patchify(Tensor::zeros({2, 1, 27, 28})));
    }

    void gradientsReachEveryParameter() {
        for (const char* block : {"gpt2", "modern"}) {
            models::Model m = models::create_model("vit", nlohmann::json{{"block", block}}, 5);
            Generator gen(2);
            Tensor x = Tensor::randn({3, 1, 28, 28}, gen);
            Tensor y = Tensor::from_vector({3}, {1, 4, 8}, DType::i32);
            Tensor loss = cross_entropy(m.net->forward(x), y);
            loss.backward();
            for (const auto& [name, p] : m.net->named_parameters()) {
                QVERIFY2(p.grad().defined(), name.c_str());
                double mag = 0;
                for (double g : p.grad().to_vector()) mag += std::abs(g);
                QVERIFY2(mag > 0, (std::string(block) + ": zero gradient for " + name).c_str());
            }
        }
    }

    void initialisationIsDeterministic() {
        auto a = models::create_model("vit", nlohmann::json::object(), 7).net->named_parameters();
        auto b = models::create_model("vit", nlohmann::json::object(), 7).net->named_parameters();
        QCOMPARE(a.size(), b.size());
        for (size_t i = 0; i < a.size(); ++i) QCOMPARE(a[i].second.to_vector(), b[i].second.to_vector());
        // class token and positions ~ N(0, 0.02): the sample std of the 3200 positions lies near 0.02.
        models::Model m = models::create_model("vit");
        auto* vit = dynamic_cast<models::VisionTransformer*>(m.net.get());
        QVERIFY(vit);
        const std::vector<double> pos = vit->pos_embed.to_vector();
        double ss = 0;
        for (double p : pos) ss += p * p;
        const double sd = std::sqrt(ss / static_cast<double>(pos.size()));
        QVERIFY2(sd > 0.018 && sd < 0.022, qPrintable(QString::number(sd)));
    }

    void learnsOnRealMnist() {
        data::ImageDataset train, test;
        QString why;
        if (!bp_test::load_mnist(train, test, &why)) QSKIP(qPrintable(why));
        const int64_t n = 320, batch = 32;
        std::vector<int64_t> idx(n);
        std::iota(idx.begin(), idx.end(), 0);
        Tensor x = Tensor::empty({n, 1, 28, 28});
        data::normalize_images(train, idx.data(), n, x.data<float>());
        std::vector<double> labels(n);
        for (int64_t i = 0; i < n; ++i) labels[static_cast<size_t>(i)] = train.labels[static_cast<size_t>(i)];
        Tensor y = Tensor::from_vector({n}, labels, DType::i32);

        models::Model m = models::create_model("vit", nlohmann::json::object(), 1);
        auto loss_on_all = [&] {
            autograd::NoGradGuard g;
            return cross_entropy(m.net->forward(x), y).item();
        };
        const double before = loss_on_all();
        auto opt = optim::make_optimizer("adam", m.net->parameters(), 1e-3);
        for (int epoch = 0; epoch < 3; ++epoch)
            for (int64_t b = 0; b < n; b += batch) {
                opt->zero_grad();
                Tensor xb = x.slice_rows(b, b + batch), yb = y.slice_rows(b, b + batch);
                Tensor l = cross_entropy(m.net->forward(xb), yb);
                l.backward();
                opt->step();
            }
        const double after = loss_on_all();
        QVERIFY2(after < 0.8 * before, qPrintable(QString("%1 -> %2").arg(before).arg(after)));
    }
};

QTEST_APPLESS_MAIN(TstVit)
#include "tst_vit.moc"
