// tst_draw_page.cpp — the Draw page with a real model (an MLP trained here for one epoch on MNIST): MNIST
// test digits drawn on the pad as strokes become 28×28 inputs close to the originals and are read
// correctly; a stroke drawn with QTest mouse events gives a prediction and a saliency map over the ink;
// undo and clear take the prediction away; models trained or opened later appear in the chooser.
#include <QCheckBox>
#include <QComboBox>
#include <QSignalSpy>
#include <QtTest>
#include <cmath>

#include <QTemporaryDir>

#include "bp/data/dataset.h"
#include "bp/io/model_file.h"
#include "bp/train/trainer.h"
#include "drawing_pad.h"
#include "tools/model_library.h"
#include "pages/draw_page.h"
#include "probability_bars.h"

class TestDrawPage : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<bp::data::ImageDataset> m_test;
    std::shared_ptr<bp::models::Model> m_model;
    double m_modelAccuracy = 0;

    static double correlation(const std::vector<float>& a, const uint8_t* b, int n) {
        double ma = 0, mb = 0;
        for (int i = 0; i < n; ++i) ma += a[i], mb += b[i] / 255.0;
        ma /= n;
        mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; ++i) {
            const double da = a[i] - ma, db = b[i] / 255.0 - mb;
            sab += da * db, saa += da * da, sbb += db * db;
        }
        return sab / std::sqrt(saa * sbb);
    }

private slots:
    void initTestCase() {
        const std::string dir = bp::data::default_data_dir();
        bool have = false;
        for (const bp::data::DatasetInfo& d : bp::data::list_datasets(dir)) have |= d.name == "mnist" && d.complete;
        if (!have) QSKIP(qPrintable(QStringLiteral("MNIST is not in %1; %2").arg(QString::fromStdString(dir), bp::data::data_setup_hint)));
        const bp::data::ImageDataset train = bp::data::load_image_dataset(dir, "mnist", "train");
        m_test = std::make_unique<bp::data::ImageDataset>(bp::data::load_image_dataset(dir, "mnist", "test"));
        bp::train::TrainConfig cfg;
        cfg.epochs = 1;
        cfg.train_limit = 20000;
        cfg.test_limit = 1000;
        cfg.schedule = "none";
        m_model = std::make_shared<bp::models::Model>(bp::models::create_model("mlp", nlohmann::json::object(), 1));
        bp::train::Trainer trainer(*m_model, train, m_test.get(), cfg);
        trainer.run();
        m_modelAccuracy = trainer.history().back().test_accuracy;
        QVERIFY2(m_modelAccuracy > 0.9, qPrintable(QString::number(m_modelAccuracy)));
    }

    void mnistDigitsDrawnAsStrokesAreRead() {
        ModelLibrary library;
        library.addModel(QStringLiteral("test mlp"), QStringLiteral("trained"), m_model);
        AppContext c;
        c.models = &library;
        DrawPage page{c};
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.selectModel(QStringLiteral("test mlp")));

        const int n = 50;
        int correct = 0, modelCorrectOnOriginals = 0;
        double minCorrelation = 1.0, meanCorrelation = 0.0;
        const int side = static_cast<int>(m_test->rows * m_test->cols);
        for (int i = 0; i < n; ++i) {
            const uint8_t* px = m_test->pixels.data() + static_cast<size_t>(i) * side;
            page.pad()->setStrokes(DrawPage::strokesFromDigit(px, 28, 28, page.pad()->canvasSize()));
            // The 28×28 input the model sees is close to the MNIST original it was drawn from.
            const double r = correlation(page.modelInput(), px, side);
            minCorrelation = std::min(minCorrelation, r);
            meanCorrelation += r / n;
            correct += page.topClass() == m_test->labels[static_cast<size_t>(i)];
            QCOMPARE(page.bars()->topClass(), page.topClass());
            double sum = 0;
            for (double p : page.bars()->probabilities()) sum += p;
            QVERIFY(std::abs(sum - 1.0) < 1e-4);
        }
        bp::train::Evaluation ev = bp::train::evaluate(*m_model->net, *m_test, n);
        for (int i = 0; i < n; ++i) modelCorrectOnOriginals += ev.predictions[i] == m_test->labels[i];
        // Drawn strokes are bolder and lose the grey edges, but keep the shape.
        QVERIFY2(meanCorrelation > 0.75 && minCorrelation > 0.5,
                 qPrintable(QStringLiteral("mean %1, min %2").arg(meanCorrelation).arg(minCorrelation)));
        // Drawn digits are read almost as well as the originals (they lose the grey edges).
        QVERIFY2(correct >= modelCorrectOnOriginals - 4 && correct >= 0.85 * n,
                 qPrintable(QStringLiteral("%1 of %2 drawn, %3 of the originals").arg(correct).arg(n).arg(modelCorrectOnOriginals)));
    }

    // The acceptance figure: with the CNN the app ships, 100 MNIST test digits drawn stroke by stroke on the
    // pad are read correctly at least 95 times.
    void shippedCnnReadsDrawnDigits() {
        ModelLibrary library;
        library.loadShippedModels();
        QString cnn;
        for (const auto& e : library.entries())
            if (e.source == QLatin1String("shipped") && e.model && e.model->name == "cnn") cnn = e.name;
        if (cnn.isEmpty()) QSKIP("no shipped CNN in resources/models (scripts/train_shipped_models.sh makes it)");
        AppContext c;
        c.models = &library;
        DrawPage page{c};
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.selectModel(cnn));
        const int n = 100, side = static_cast<int>(m_test->rows * m_test->cols);
        int correct = 0;
        QStringList wrong;
        for (int i = 0; i < n; ++i) {
            const uint8_t* px = m_test->pixels.data() + static_cast<size_t>(i) * side;
            page.pad()->setStrokes(DrawPage::strokesFromDigit(px, 28, 28, page.pad()->canvasSize()));
            if (page.topClass() == m_test->labels[static_cast<size_t>(i)]) ++correct;
            else wrong << QStringLiteral("#%1: %2 read as %3").arg(i).arg(m_test->labels[static_cast<size_t>(i)]).arg(page.topClass());
        }
        qInfo("shipped CNN: %d of %d drawn digits read correctly", correct, n);
        QVERIFY2(correct >= 95, qPrintable(wrong.join("; ")));
    }

    void mouseStrokeGivesPredictionAndSaliency() {
        ModelLibrary library;
        library.addModel(QStringLiteral("test mlp"), QStringLiteral("trained"), m_model);
        AppContext c;
        c.models = &library;
        DrawPage page{c};
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QCOMPARE(page.topClass(), -1);  // nothing drawn yet

        // A "1": one vertical stroke down the middle of the pad.
        DrawingPad* pad = page.pad();
        const QPoint top = pad->toWidget(QPointF(140, 40)).toPoint(), bottom = pad->toWidget(QPointF(140, 240)).toPoint();
        QSignalSpy predicted(&page, &DrawPage::predicted);
        QTest::mousePress(pad, Qt::LeftButton, {}, top);
        for (int i = 1; i <= 20; ++i) QTest::mouseMove(pad, top + (bottom - top) * i / 20);
        QTest::mouseRelease(pad, Qt::LeftButton, {}, bottom);
        QVERIFY(predicted.count() >= 1);
        QCOMPARE(page.topClass(), 1);
        // The model input is a centred vertical bar: ink in the middle column, none at the sides.
        const std::vector<float>& in = page.modelInput();
        QVERIFY(in[14 * 28 + 14] > 0.5f || in[14 * 28 + 13] > 0.5f);
        QCOMPARE(in[14 * 28 + 3], 0.0f);
        // Saliency: one value per input pixel, not all zero, and shown over the drawing.
        QCOMPARE(page.saliencyMap().size(), size_t(784));
        QVERIFY(*std::max_element(page.saliencyMap().begin(), page.saliencyMap().end()) > 0.0f);
        QVERIFY(pad->hasOverlay());
        page.saliencyCheck()->setChecked(false);
        QVERIFY(!pad->hasOverlay());

        pad->setFocus();
        QTest::keyClick(pad, Qt::Key_Z, Qt::ControlModifier);  // undo the only stroke
        QCOMPARE(pad->strokeCount(), 0);
        QCOMPARE(page.topClass(), -1);
        QVERIFY(page.bars()->probabilities().isEmpty());
    }

    void libraryLoadsModelFilesAndSkipsBadOnes() {
        QTemporaryDir dir;
        bp::io::save_model(dir.filePath("good.safetensors").toStdString(), *m_model);
        QFile bad(dir.filePath("bad.safetensors"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("not a model");
        bad.close();
        ModelLibrary library;
        QSignalSpy changed(&library, &ModelLibrary::modelsChanged);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("bad.safetensors does not load"));
        QCOMPARE(library.loadModelsFrom(dir.path(), QStringLiteral("shipped"), QStringLiteral(" (shipped)")), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(library.entries().first().name, QStringLiteral("good (shipped)"));
        // The loaded copy predicts exactly like the original.
        AppContext c;
        c.models = &library;
        DrawPage page{c};
        QVERIFY(page.selectModel(QStringLiteral("good (shipped)")));
        page.pad()->setStrokes(DrawPage::strokesFromDigit(m_test->pixels.data(), 28, 28, page.pad()->canvasSize()));
        QCOMPARE(page.topClass(), static_cast<int>(m_test->labels[0]));
    }

    void chooserFollowsTheLibrary() {
        ModelLibrary library;
        AppContext c;
        c.models = &library;
        DrawPage page{c};
        const int shipped = page.modelCombo()->count();
        page.pad()->addStroke({{140, 40}, {140, 240}});
        if (shipped == 0) QCOMPARE(page.topClass(), -1);  // no model to read it with
        else QVERIFY(page.topClass() >= 0);                // a shipped model reads it at once
        const QString before = page.modelCombo()->currentText();
        library.addModel(QStringLiteral("trained later"), QStringLiteral("trained"), m_model);
        QCOMPARE(page.modelCombo()->count(), shipped + 1);
        if (shipped == 0) {
            QCOMPARE(page.modelCombo()->currentText(), QStringLiteral("trained later"));  // the only model
        } else {
            QCOMPARE(page.modelCombo()->currentText(), before);  // a new model does not take over the choice
            QVERIFY(page.selectModel(QStringLiteral("trained later")));
        }
        QCOMPARE(page.topClass(), 1);  // the drawing is read by the new model
    }
};

QTEST_MAIN(TestDrawPage)
#include "tst_draw_page.moc"
