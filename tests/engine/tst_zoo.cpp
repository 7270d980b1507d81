// tst_zoo.cpp — every model in the zoo builds, maps a batch of 28×28 images to 10 logits, has the parameter
// count its architecture implies, trains a step, and survives a save/load round trip bit for bit
// (batch-norm running statistics included).
#include <QtTest>

#include <cstring>

#include "bp/autograd.h"
#include "bp/io/model_file.h"
#include "bp/models/zoo.h"
#include "bp/ops.h"
#include "bp/optim/optimizer.h"

using namespace bp;

class TstZoo : public QObject {
    Q_OBJECT
private slots:
    void everyModel_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<qint64>("params");
        // Counts by hand: mlp 784·128+128 + 128·64+64 + 64·10+10; LeNet 6·25+6 + 16·150+16 + 400·120+120 +
        // 120·84+84 + 84·10+10; cnn 32·9 + 2·32 + 64·288 + 2·64 + 3136·128+128 + 128·10+10.
        QTest::newRow("mlp") << "mlp" << qint64(109386);
        QTest::newRow("lenet") << "lenet" << qint64(61706);
        QTest::newRow("cnn") << "cnn" << qint64(32 * 9 + 64 + 64 * 288 + 128 + 3136 * 128 + 128 + 1290);
        QTest::newRow("resnet") << "resnet" << qint64(-1);  // checked against the 0.5 M ceiling below
        // vit (d 64, 2 gpt2 blocks): patch embedding 16·64+64 = 1088; class token 64; positions 50·64 = 3200;
        // per block: 2 LayerNorms 2·128 + attention 4·(64·64+64) = 16640 + MLP 64·256+256 + 256·64+64 = 33088,
        // so 49984, twice 99968; final LayerNorm 128; head 64·10+10 = 650. Sum 105098.
        QTest::newRow("vit") << "vit" << qint64(1088 + 64 + 3200 + 2 * 49984 + 128 + 650);
    }
    void everyModel() {
        QFETCH(QString, name);
        QFETCH(qint64, params);
        models::Model m = models::create_model(name.toStdString(), nlohmann::json::object(), 3);
        if (params >= 0) QCOMPARE(m.net->parameter_count(), params);
        QVERIFY(m.net->parameter_count() < 500000);
        QCOMPARE(m.input_shape, (Shape{1, 28, 28}));

        Generator gen(1);
        Tensor x = Tensor::randn({4, 1, 28, 28}, gen);
        Tensor y = Tensor::from_vector({4}, {0, 3, 7, 9}, DType::i32);
        Tensor logits = m.net->forward(x);
        QCOMPARE(logits.shape(), (Shape{4, 10}));

        // One optimizer step lowers the loss on that batch.
        auto opt = optim::make_optimizer("adam", m.net->parameters(), 1e-3);
        Tensor loss = cross_entropy(logits, y);
        const double before = loss.item();
        loss.backward();
        for (const auto& [pname, p] : m.net->named_parameters()) QVERIFY2(p.grad().defined(), pname.c_str());
        opt->step();
        for (int i = 0; i < 5; ++i) {
            opt->zero_grad();
            Tensor l = cross_entropy(m.net->forward(x), y);
            l.backward();
            opt->step();
        }
        const double after = cross_entropy(m.net->forward(x), y).item();
        QVERIFY2(after < before, qPrintable(QString("%1 -> %2").arg(before).arg(after)));

        // Save and load: same parameters and buffers, same eval outputs.
        QTemporaryDir tmp;
        const std::string file = (tmp.path() + "/m.safetensors").toStdString();
        io::save_model(file, m);
        io::LoadedModel loaded = io::load_model(file);
        auto a = m.net->named_parameters(), b = loaded.model.net->named_parameters();
        for (auto& kv : m.net->named_buffers()) a.push_back(kv);
        for (auto& kv : loaded.model.net->named_buffers()) b.push_back(kv);
        QCOMPARE(a.size(), b.size());
        for (size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].first, b[i].first);
            QVERIFY(std::memcmp(a[i].second.raw_data(), b[i].second.raw_data(), a[i].second.nbytes()) == 0);
        }
        m.net->eval();
        loaded.model.net->eval();
        autograd::NoGradGuard g;
        QCOMPARE(m.net->forward(x).to_vector(), loaded.model.net->forward(x).to_vector());
    }

    void describeLayersGivesShapes() {
        models::Model m = models::create_model("lenet");
        auto rows = models::describe_layers(m);
        QCOMPARE(rows.front().output_shape, (Shape{6, 28, 28}));
        QCOMPARE(rows.back().output_shape, (Shape{10}));
        int64_t total = 0;
        for (const auto& r : rows) total += r.params;
        QCOMPARE(total, m.net->parameter_count());
    }
};

QTEST_APPLESS_MAIN(TstZoo)
#include "tst_zoo.moc"
