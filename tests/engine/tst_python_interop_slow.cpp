// tst_python_interop_slow.cpp — our .safetensors weights in PyTorch: tools/python/load_safetensors.py reads a model
// file (the format directly), builds the same network in PyTorch, and classifies real MNIST test images; its
// predictions must equal the engine's and its logits agree within 1e-4. The shipped MLP and CNN (trained) and a
// briefly trained LeNet, ResNet-mini and ViT-tiny. Skips, with the reason, where /usr/bin/python3 has no torch
// (Debian's python3-torch, packaging/debian-packages-bench.txt) or MNIST is not installed.
#include <QtTest>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <cmath>
#include <nlohmann/json.hpp>

#include "bp/autograd.h"
#include "bp/data/dataset.h"
#include "bp/io/model_file.h"
#include "bp/models/zoo.h"
#include "engine/data_test_util.h"
#include "engine/train_test_util.h"

class TstPythonInterop : public QObject {
    Q_OBJECT

    bp::data::ImageDataset train_, test_;
    QString why_;  // why the test skips, empty when it runs
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (!bp_test::load_mnist(train_, test_, &why_)) return;
        QProcess p;
        p.start("/usr/bin/python3", {"-c", "import torch, numpy"});
        if (!p.waitForFinished(300000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
            why_ = "/usr/bin/python3 cannot import torch and numpy: install python3-torch "
                   "(packaging/debian-packages-bench.txt) to run the Python interop example";
    }

    void pytorchPredictsAsTheEngine_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("options");
        QTest::addColumn<int>("trainSteps");  // -1: the shipped model in resources/models
        QTest::newRow("mlp (shipped)") << "mlp" << "{}" << -1;
        QTest::newRow("cnn (shipped)") << "cnn" << "{}" << -1;
        QTest::newRow("lenet") << "lenet" << "{}" << 20;
        QTest::newRow("resnet") << "resnet" << R"({"width": 4})" << 5;
        QTest::newRow("vit") << "vit" << R"({"dim": 32, "heads": 4, "layers": 1})" << 5;
    }

    void pytorchPredictsAsTheEngine() {
        QFETCH(QString, model);
        QFETCH(QString, options);
        QFETCH(int, trainSteps);
        if (!why_.isEmpty()) QSKIP(qPrintable(why_));
        QString file = QStringLiteral(BP_SOURCE_DIR "/resources/models/") + model + ".safetensors";
        if (trainSteps >= 0) {
            bp::models::Model m = bp::models::create_model(model.toStdString(), nlohmann::json::parse(options.toStdString()), 3);
            bp_test::train_a_little(m, train_, trainSteps);
            file = dir_.filePath(model + ".safetensors");
            bp::io::save_model(file.toStdString(), m);
        }
        const int count = 200;
        const QString json = dir_.filePath(model + ".json");
        QProcess p;
        p.start("/usr/bin/python3", {QStringLiteral(BP_SOURCE_DIR "/tools/python/load_safetensors.py"), file, "--count",
                                     QString::number(count), "--json", json});
        QVERIFY(p.waitForFinished(600000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, qPrintable(err));
        qInfo().noquote() << QString::fromUtf8(p.readAllStandardOutput()).trimmed();
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const nlohmann::json py = nlohmann::json::parse(f.readAll().toStdString());
        QCOMPARE(py["count"].get<int>(), count);

        bp::io::LoadedModel loaded = bp::io::load_model(file.toStdString());
        loaded.model.net->eval();
        std::vector<int64_t> idx(count);
        for (int i = 0; i < count; ++i) idx[static_cast<size_t>(i)] = i;
        bp::Tensor x = bp::Tensor::empty({count, 1, 28, 28});
        bp::data::normalize_images(test_, idx.data(), count, x.data<float>());
        bp::autograd::NoGradGuard no_grad;
        const std::vector<float> logits = loaded.model.net->forward(x).to_float_vector();
        double diff = 0;
        int correct = 0;
        for (int i = 0; i < count; ++i) {
            int best = 0;
            for (int c = 0; c < 10; ++c) {
                const float v = logits[static_cast<size_t>(i * 10 + c)];
                if (v > logits[static_cast<size_t>(i * 10 + best)]) best = c;
                diff = std::max(diff, std::abs(v - py["logits"][i][c].get<double>()));
            }
            QCOMPARE(py["predictions"][i].get<int>(), best);
            QCOMPARE(py["labels"][i].get<int>(), int(test_.labels[static_cast<size_t>(i)]));
            correct += best == test_.labels[static_cast<size_t>(i)];
        }
        qInfo().noquote() << QString("%1: max |engine - pytorch| = %2; accuracy %3 on %4 test images")
                                 .arg(QTest::currentDataTag()).arg(diff, 0, 'g', 3).arg(double(correct) / count).arg(count);
        QVERIFY2(diff <= 1e-4, qPrintable(QString("logits differ by %1").arg(diff)));
        if (trainSteps < 0) QVERIFY(correct >= count * 97 / 100);  // the shipped models are trained
    }
};

QTEST_GUILESS_MAIN(TstPythonInterop)
#include "tst_python_interop_slow.moc"
