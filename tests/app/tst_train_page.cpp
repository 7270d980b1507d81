// tst_train_page.cpp — the Train page driven like a user drives it: the model picker lists the zoo, a
// missing dataset gives a banner and a disabled Start, and (where MNIST is installed) a real short run
// started with a mouse click fills the loss plot and the epoch table; Pause really stops the batches.
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <qcustomplot.h>

#include <QCheckBox>
#include <QDialog>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QTabWidget>
#include <nlohmann/json.hpp>

#include "bp/data/dataset.h"
#include "bp/io/model_file.h"
#include "bp/models/zoo.h"
#include "heatmap_view.h"
#include "image_grid.h"
#include "layer_diagram.h"
#include "loss_plot.h"
#include "pages/train_page.h"
#include "series_plot.h"
#include "controllers/training_worker.h"

using State = TrainingController::State;

class TestTrainPage : public QObject {
    Q_OBJECT
private:
    QByteArray m_savedDataDir;
    bool m_hadDataDir = false;

    void restoreDataDir() {
        if (m_hadDataDir) qputenv("BP_DATA_DIR", m_savedDataDir);
        else qunsetenv("BP_DATA_DIR");
    }
    /// Skips the current test unless MNIST is complete in the default data directory.
    bool mnistAvailable(QString* why) {
        const std::string dir = bp::data::default_data_dir();
        for (const bp::data::DatasetInfo& d : bp::data::list_datasets(dir))
            if (d.name == "mnist" && d.complete) return true;
        *why = QStringLiteral("MNIST is not in %1; %2").arg(QString::fromStdString(dir), bp::data::data_setup_hint);
        return false;
    }
    void waitForData(TrainPage& page) {
        QTRY_VERIFY_WITH_TIMEOUT(page.controller()->state() != State::LoadingData, 30000);
        QCOMPARE(page.controller()->state(), State::Idle);
    }
    void setRun(TrainPage& page, int trainImages, int testImages, int batch, int epochs = 1) {
        page.modelCombo()->setCurrentIndex(page.modelCombo()->findData(QStringLiteral("mlp")));
        page.trainImagesSpin()->setValue(trainImages);
        page.testImagesSpin()->setValue(testImages);
        page.batchSizeSpin()->setValue(batch);
        page.epochsSpin()->setValue(epochs);
    }

private slots:
    void initTestCase() {
        m_hadDataDir = qEnvironmentVariableIsSet("BP_DATA_DIR");
        m_savedDataDir = qgetenv("BP_DATA_DIR");
    }

    void modelPickerListsTheZoo() {
        TrainPage page{AppContext{}};
        const auto& zoo = bp::models::zoo();
        QCOMPARE(page.modelCombo()->count(), static_cast<int>(zoo.size()));
        for (const bp::models::ModelInfo& m : zoo) {
            const int i = page.modelCombo()->findData(QString::fromStdString(m.name));
            QVERIFY2(i >= 0, m.name.c_str());
            QCOMPARE(page.modelCombo()->itemText(i), QString::fromStdString(m.title));
        }
        // The description and parameter count of the selected model are on screen.
        page.modelCombo()->setCurrentIndex(page.modelCombo()->findData(QStringLiteral("mlp")));
        const QString params = QLocale().toString(static_cast<qlonglong>(bp::models::parameter_count("mlp")));
        bool foundParams = false;
        for (QLabel* l : page.findChildren<QLabel*>()) foundParams |= l->text().contains(params);
        QVERIFY2(foundParams, qPrintable(params));
    }

    void layerDiagramShowsTheModel() {
        TrainPage page{AppContext{}};
        page.modelCombo()->setCurrentIndex(page.modelCombo()->findData(QStringLiteral("mlp")));
        const bp::models::Model m = bp::models::create_model("mlp");
        const auto rows = bp::models::describe_layers(m);
        QCOMPARE(page.layerDiagram()->layers().size(), static_cast<qsizetype>(rows.size()));
        qint64 params = 0;
        for (const LayerDiagram::Layer& l : page.layerDiagram()->layers()) params += l.params;
        QCOMPARE(params, static_cast<qint64>(bp::models::parameter_count("mlp")));
        QCOMPARE(page.layerDiagram()->layers().back().outputShape, QStringLiteral("[10]"));
        // The augmentation checkbox is the config's flag.
        QVERIFY(page.augmentCheck()->isEnabled());
        page.augmentCheck()->setChecked(true);
        QVERIFY(page.configFromWidgets().augment.enabled);
        page.augmentCheck()->setChecked(false);
        QVERIFY(!page.configFromWidgets().augment.enabled);
    }

    void missingDataShowsBannerAndDisablesStart() {
        QTemporaryDir empty;
        QVERIFY(empty.isValid());
        qputenv("BP_DATA_DIR", empty.path().toLocal8Bit());
        {
            TrainPage page{AppContext{}};
            page.show();
            QVERIFY(QTest::qWaitForWindowExposed(&page));
            QVERIFY(!page.startButton()->isEnabled());  // not before the data is known either
            QTRY_VERIFY_WITH_TIMEOUT(page.controller()->state() == State::NoData, 30000);
            QVERIFY(page.banner()->isVisible());
            QVERIFY2(page.banner()->text().contains(QStringLiteral("setup"), Qt::CaseInsensitive), qPrintable(page.banner()->text()));
            QVERIFY(!page.startButton()->isEnabled());
            QVERIFY(!page.pauseButton()->isEnabled());
            QVERIFY(!page.stopButton()->isEnabled());
            QTest::mouseClick(page.startButton(), Qt::LeftButton);  // a click on a disabled Start does nothing
            QCOMPARE(page.controller()->state(), State::NoData);
        }
        restoreDataDir();
    }

    void shortRealRunFillsPlotAndTable() {
        restoreDataDir();
        QString why;
        if (!mnistAvailable(&why)) QSKIP(qPrintable(why));
        TrainPage page{AppContext{}};
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        waitForData(page);
        QVERIFY(page.banner()->isHidden());
        QVERIFY(page.startButton()->isEnabled());

        const int batch = 32;
        setRun(page, 2000, 500, batch);
        QSignalSpy finished(page.controller(), &TrainingController::trainingFinished);
        QSignalSpy failed(page.controller(), &TrainingController::trainingFailed);
        QTest::mouseClick(page.startButton(), Qt::LeftButton);
        QVERIFY(!page.startButton()->isEnabled());
        QVERIFY(page.stopButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() == 1, 60000);
        QCOMPARE(failed.count(), 0);

        const int expected = (2000 + batch - 1) / batch;  // 63: the last batch is partial
        QCOMPARE(page.lossPlot()->rawGraph()->dataCount(), expected);
        QCOMPARE(page.lossPlot()->smoothedGraph()->dataCount(), expected);
        QCOMPARE(page.lossPlot()->testGraph()->dataCount(), 1);
        QCOMPARE(page.epochTable()->rowCount(), 1);
        const double accuracy = page.epochTable()->item(0, 4)->data(Qt::UserRole).toDouble();
        QVERIFY2(accuracy > 0.0 && accuracy <= 1.0, qPrintable(QString::number(accuracy)));
        QVERIFY(page.startButton()->isEnabled());
        QVERIFY(!page.pauseButton()->isEnabled());
    }

    void confusionMatrixHoldsTheRealCounts() {
        restoreDataDir();
        QString why;
        if (!mnistAvailable(&why)) QSKIP(qPrintable(why));
        TrainPage page{AppContext{}};
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        waitForData(page);
        const int testImages = 500;
        setRun(page, 2000, testImages, 32);
        QSignalSpy finished(page.controller(), &TrainingController::trainingFinished);
        QSignalSpy epochs(page.controller(), &TrainingController::epochFinished);
        QTest::mouseClick(page.startButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);

        // Row sums are the class counts of exactly the evaluated test images.
        const bp::data::ImageDataset test = bp::data::load_image_dataset(bp::data::default_data_dir(), "mnist", "test");
        std::vector<int> counts(10, 0);
        for (int i = 0; i < testImages; ++i) ++counts[test.labels[static_cast<size_t>(i)]];
        HeatmapView* cm = page.confusionView();
        QCOMPARE(cm->rows(), 10);
        QCOMPARE(cm->cols(), 10);
        double total = 0, diagonal = 0;
        for (int r = 0; r < 10; ++r) {
            double rowSum = 0;
            for (int c = 0; c < 10; ++c) rowSum += cm->value(r, c);
            QCOMPARE(rowSum, static_cast<double>(counts[r]));
            total += rowSum;
            diagonal += cm->value(r, r);
        }
        QCOMPARE(total, static_cast<double>(testImages));
        // The diagonal is the accuracy the epoch table reports, and it is the engine's own matrix.
        const auto e = epochs.at(0).at(0).value<bp::train::EpochEvent>();
        QCOMPARE(diagonal / total, page.epochTable()->item(0, 4)->data(Qt::UserRole).toDouble());
        for (int r = 0; r < 10; ++r)
            for (int c = 0; c < 10; ++c) QCOMPARE(cm->value(r, c), static_cast<double>(e.test_metrics.confusion[r][c]));

        // The worker's per-image snapshot agrees with the matrix.
        auto snap = page.controller()->latestEvaluation();
        QVERIFY(snap);
        QCOMPARE(snap->count(), static_cast<qint64>(testImages));
        std::vector<std::vector<int>> fromSnap(10, std::vector<int>(10, 0));
        for (qint64 i = 0; i < snap->count(); ++i) ++fromSnap[snap->labels[i]][snap->predictions[i]];
        for (int r = 0; r < 10; ++r)
            for (int c = 0; c < 10; ++c) QCOMPARE(static_cast<double>(fromSnap[r][c]), cm->value(r, c));

        // Clicking a cell opens the gallery of exactly those test images; mistakes are marked.
        page.chartTabs()->setCurrentWidget(cm->parentWidget());
        QTRY_VERIFY(cm->isVisible());
        int row = 0, col = 1;
        for (int r = 0; r < 10; ++r)
            for (int c = 0; c < 10; ++c)
                if (r != c && cm->value(r, c) > cm->value(row, col)) row = r, col = c;
        QVERIFY2(cm->value(row, col) > 0, "a 2,000-image model makes some mistakes");
        QTest::mouseClick(cm, Qt::LeftButton, {}, cm->cellRect(row, col).center());
        QVERIFY(page.gallery());
        QVERIFY(page.gallery()->isVisible());
        QCOMPARE(page.galleryGrid()->items().size(), static_cast<qsizetype>(cm->value(row, col)));
        for (const ImageGrid::Item& it : page.galleryGrid()->items()) {
            QVERIFY(it.wrong);
            QCOMPARE(it.image.size(), QSize(28, 28));
        }
        // The diagonal cell: right answers, not marked.
        QTest::mouseClick(cm, Qt::LeftButton, {}, cm->cellRect(3, 3).center());
        QCOMPARE(page.galleryGrid()->items().size(), static_cast<qsizetype>(cm->value(3, 3)));
        QVERIFY(!page.galleryGrid()->items().first().wrong);

        // The sample predictions: 16 images, the wrong ones exactly where prediction != label.
        QCOMPARE(page.samplesGrid()->items().size(), 16);
        for (int i = 0; i < 16; ++i)
            QCOMPARE(page.samplesGrid()->items()[i].wrong, snap->predictions[i] != snap->labels[i]);

        // Per-epoch and gradient-flow charts got the run.
        QCOMPARE(page.epochPlot()->graph(1)->dataCount(), 1);  // test loss
        QCOMPARE(page.weightNormPlot()->seriesCount(), 3);      // three Linear layers
        QVERIFY(page.gradNormPlot()->graph(0)->dataCount() >= 63 / TrainingWorker::kNormsEvery);
        QCOMPARE(page.lrPlot()->graph(0)->dataCount(), 63);
    }

    void learningRateChangeMidRunIsAppliedAndMarked() {
        restoreDataDir();
        QString why;
        if (!mnistAvailable(&why)) QSKIP(qPrintable(why));
        TrainPage page{AppContext{}};
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        waitForData(page);
        setRun(page, 0, 200, 32, 3);
        page.scheduleCombo()->setCurrentIndex(page.scheduleCombo()->findData(QStringLiteral("none")));
        page.learningRateSpin()->setValue(0.001);
        QSignalSpy finished(page.controller(), &TrainingController::trainingFinished);
        QSignalSpy batches(page.controller(), &TrainingController::batchesArrived);
        QTest::mouseClick(page.startButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(page.lossPlot()->rawGraph()->dataCount() > 20, 30000);
        QVERIFY(page.learningRateSpin()->isEnabled());  // editable while training
        QCOMPARE(page.lossPlot()->markerCount(), 0);
        page.learningRateSpin()->setValue(0.0002);
        QCOMPARE(page.lossPlot()->markerCount(), 1);
        // Batches after the change carry the new rate.
        QCPGraph* lr = page.lrPlot()->graph(0);
        QTRY_VERIFY_WITH_TIMEOUT(lr->dataCount() > 0 && qFuzzyCompare((lr->data()->constEnd() - 1)->value, 0.0002), 10000);
        QTest::mouseClick(page.stopButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        bool foundLabel = false;
        for (int i = 0; i < page.lossPlot()->plot()->itemCount(); ++i)
            if (auto* t = qobject_cast<QCPItemText*>(page.lossPlot()->plot()->item(i))) foundLabel |= t->text().contains("0.0002");
        QVERIFY(foundLabel);
    }

    void redrawsAreThrottledToTheDrainTimer() {
        // However fast the batches come, the page hears about them at most once per 33 ms tick (plus the
        // drains at epoch end and finish).
        restoreDataDir();
        QString why;
        if (!mnistAvailable(&why)) QSKIP(qPrintable(why));
        TrainPage page{AppContext{}};
        waitForData(page);
        QCOMPARE(page.controller()->drainInterval(), 33);
        setRun(page, 20000, 200, 16, 1);
        QSignalSpy finished(page.controller(), &TrainingController::trainingFinished);
        QSignalSpy batches(page.controller(), &TrainingController::batchesArrived);
        // A count, not a time bound (issue 19: "<= ms / 33 + 3" failed under load): a second 33 ms timer on the
        // same event loop ticks as often as the drain timer can, however loaded the machine is, so the page may
        // hear at most one signal per tick of it, plus the drains at epoch end and finish (and one tick of phase).
        QTimer ticker;
        ticker.setInterval(page.controller()->drainInterval());
        int ticks = 0;
        connect(&ticker, &QTimer::timeout, [&ticks] { ++ticks; });
        ticker.start();
        page.startTraining();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        ticker.stop();
        QCOMPARE(page.lossPlot()->rawGraph()->dataCount(), 1250);
        qsizetype delivered = 0;
        for (const QList<QVariant>& args : batches) delivered += args[0].value<QVector<bp::train::BatchEvent>>().size();
        QCOMPARE(delivered, qsizetype(1250));
        QVERIFY2(batches.count() <= ticks + 4, qPrintable(QStringLiteral("%1 signals in %2 ticks").arg(batches.count()).arg(ticks)));
        QVERIFY2(batches.count() < 1250 / 4, qPrintable(QString::number(batches.count())));
    }

    void saveOpenContinueAndExport() {
        restoreDataDir();
        QString why;
        if (!mnistAvailable(&why)) QSKIP(qPrintable(why));
        QTemporaryDir dir;
        TrainPage page{AppContext{}};
        waitForData(page);
        QVERIFY(!page.saveModel(dir.filePath("none.safetensors")).isEmpty());  // nothing trained yet
        QVERIFY(!page.exportReport(dir.filePath("none.json")).isEmpty());
        setRun(page, 2000, 500, 32);
        QSignalSpy finished(page.controller(), &TrainingController::trainingFinished);
        page.startTraining();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        const double accuracy = page.epochTable()->item(0, 4)->data(Qt::UserRole).toDouble();

        const QString modelPath = dir.filePath("mlp.safetensors");
        QCOMPARE(page.saveModel(modelPath), QString());
        const bp::io::LoadedModel loaded = bp::io::load_model(modelPath.toStdString());
        QCOMPARE(loaded.model.name, std::string("mlp"));

        const QString reportPath = dir.filePath("report.json");
        QCOMPARE(page.exportReport(reportPath), QString());
        QFile f(reportPath);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const nlohmann::json report = nlohmann::json::parse(f.readAll().toStdString());
        QVERIFY2(report.dump().find("completed") != std::string::npos, report.dump().substr(0, 300).c_str());
        QVERIFY(report.contains("epochs"));
        QCOMPARE(report["epochs"].size(), size_t(1));

        // A corrupt file and a model for 32×32 inputs: clear errors, nothing changes, the page keeps working.
        const QString corrupt = dir.filePath("corrupt.safetensors");
        {
            QFile c(corrupt);
            QVERIFY(c.open(QIODevice::WriteOnly));
            c.write("this is not a safetensors file at all");
        }
        const auto before = page.currentModel();
        QString error = page.openModel(corrupt);
        QVERIFY2(error.contains("corrupt.safetensors"), qPrintable(error));
        QCOMPARE(page.currentModel(), before);
        bp::models::Model other = bp::models::create_model("mlp");
        other.input_shape = {1, 32, 32};
        const QString otherPath = dir.filePath("other.safetensors");
        bp::io::save_model(otherPath.toStdString(), other);
        error = page.openModel(otherPath);
        QVERIFY2(error.contains("[1, 32, 32]") && error.contains("[1, 28, 28]"), qPrintable(error));
        QCOMPARE(page.currentModel(), before);

        // Open the saved model and continue training it: the first epoch starts from its accuracy.
        QCOMPARE(page.openModel(modelPath), QString());
        QVERIFY(page.continueCheck()->isChecked());
        QVERIFY(page.continueCheck()->isVisibleTo(&page));
        QSignalSpy epochs(page.controller(), &TrainingController::epochFinished);
        page.startTraining();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
        const auto e = epochs.at(0).at(0).value<bp::train::EpochEvent>();
        QVERIFY2(e.train_accuracy > 0.8, qPrintable(QString::number(e.train_accuracy)));  // fresh weights: ~0.6
        QVERIFY2(e.test_accuracy >= accuracy - 0.02, qPrintable(QStringLiteral("%1 vs %2").arg(e.test_accuracy).arg(accuracy)));
    }

    void stepScheduleMarksTheLearningRateChange() {
        restoreDataDir();
        QString why;
        if (!mnistAvailable(&why)) QSKIP(qPrintable(why));
        TrainPage page{AppContext{}};
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        waitForData(page);
        setRun(page, 1000, 200, 50, 2);
        page.scheduleCombo()->setCurrentIndex(page.scheduleCombo()->findData(QStringLiteral("step")));
        QSignalSpy finished(page.controller(), &TrainingController::trainingFinished);
        QTest::mouseClick(page.startButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(page.epochTable()->rowCount(), 2);
        QCOMPARE(page.lossPlot()->rawGraph()->dataCount(), 40);
        QCOMPARE(page.lossPlot()->markerCount(), 1);  // the rate halves once, when epoch 2 starts
    }

    void pauseStopsBatchesAndResumeContinues() {
        restoreDataDir();
        QString why;
        if (!mnistAvailable(&why)) QSKIP(qPrintable(why));
        TrainPage page{AppContext{}};
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        waitForData(page);
        setRun(page, 0, 500, 32, 10);  // 10 epochs of 60,000 images: long enough to pause in the middle
        QCPGraph* raw = page.lossPlot()->rawGraph();
        QSignalSpy finished(page.controller(), &TrainingController::trainingFinished);

        QTest::mouseClick(page.startButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(raw->dataCount() > 0, 30000);
        QTest::mouseClick(page.pauseButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(page.controller()->trainerPaused(), 5000);
        QVERIFY(page.resumeButton()->isEnabled());
        QVERIFY(page.stepButton()->isEnabled());
        QVERIFY(!page.pauseButton()->isEnabled());

        QTest::qWait(100);  // the batch in flight when Pause was clicked may still be drained
        const int paused = raw->dataCount();
        QTest::qWait(300);
        QCOMPARE(raw->dataCount(), paused);
        QVERIFY(finished.isEmpty());

        QTest::mouseClick(page.stepButton(), Qt::LeftButton);  // exactly one more batch
        QTRY_COMPARE_WITH_TIMEOUT(raw->dataCount(), paused + 1, 5000);
        QTest::qWait(150);
        QCOMPARE(raw->dataCount(), paused + 1);

        QTest::mouseClick(page.resumeButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(raw->dataCount() > paused + 5, 10000);
        QVERIFY(page.pauseButton()->isEnabled());

        QTest::mouseClick(page.stopButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QVERIFY(finished.at(0).at(0).value<bp::train::FinishedEvent>().cancelled);
        QVERIFY(page.startButton()->isEnabled());
    }

    void closingDuringARunReturnsPromptly() {
        // The controller's destructor cancels, quits and waits: a paused or running trainer must not
        // keep the window from closing.
        restoreDataDir();
        QString why;
        if (!mnistAvailable(&why)) QSKIP(qPrintable(why));
        for (bool pauseFirst : {true, false}) {
            auto* page = new TrainPage{AppContext{}};
            page->show();
            QVERIFY(QTest::qWaitForWindowExposed(page));
            waitForData(*page);
            setRun(*page, 0, 500, 32, 10);
            QTest::mouseClick(page->startButton(), Qt::LeftButton);
            QTRY_VERIFY_WITH_TIMEOUT(page->lossPlot()->rawGraph()->dataCount() > 0, 30000);
            if (pauseFirst) {
                QTest::mouseClick(page->pauseButton(), Qt::LeftButton);
                QTRY_VERIFY(page->controller()->trainerPaused());
            }
            QElapsedTimer t;
            t.start();
            delete page;
            QVERIFY2(t.elapsed() < 5000, qPrintable(QString::number(t.elapsed())));
        }
    }

    void aRunKeepsItsLastEpochForRecoveryUntilItEnds() {
        QString why;
        if (!mnistAvailable(&why)) QSKIP(qPrintable(why));
        QTemporaryDir dir;
        AppContext c;
        c.recoveryPath = dir.path() + QStringLiteral("/recovery/interrupted-run.safetensors");
        {
            TrainPage page{c};
            waitForData(page);
            QVERIFY(page.recoveredModel().isEmpty());
            setRun(page, 1000, 200, 50, 30);
            page.startTraining();
            // After the first epoch the model is on disk, loadable, saying how far the run got.
            QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(c.recoveryPath), 60000);
            const bp::io::LoadedModel kept = bp::io::load_model(c.recoveryPath.toStdString());
            QVERIFY(kept.summary.value("epochs", 0) >= 1);
            QVERIFY(kept.summary.value("interrupted", false));
            // The page goes away mid-run, as in a crash or a quit during training: the file stays.
        }
        QVERIFY(QFile::exists(c.recoveryPath));
        TrainPage next{c};
        QCOMPARE(next.recoveredModel(), c.recoveryPath);
        QVERIFY(next.banner()->isVisibleTo(&next));
        QVERIFY(next.banner()->text().contains(QStringLiteral("interrupted")));
        emit next.banner()->linkActivated(QStringLiteral("recover"));
        QVERIFY(next.currentModel());
        QVERIFY(next.continueCheck()->isChecked());
        QVERIFY(!QFile::exists(c.recoveryPath));  // taken up: not offered again
        // A run that ends normally leaves nothing to recover.
        waitForData(next);
        setRun(next, 500, 100, 50, 1);
        next.startTraining();
        QTRY_VERIFY_WITH_TIMEOUT(next.controller()->state() == State::Idle, 60000);
        QVERIFY(!QFile::exists(c.recoveryPath));
    }

    void aDamagedRecoveryFileIsReportedNotLoaded() {
        QTemporaryDir dir;
        AppContext c;
        c.recoveryPath = dir.path() + QStringLiteral("/interrupted-run.safetensors");
        QFile f(c.recoveryPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a model");
        f.close();
        TrainPage page{c};
        QVERIFY(page.recoveredModel().isEmpty());
        QVERIFY(page.banner()->text().contains(QStringLiteral("could not be read")));
        QVERIFY(!QFile::exists(c.recoveryPath));
    }
};

QTEST_MAIN(TestTrainPage)
#include "tst_train_page.moc"
