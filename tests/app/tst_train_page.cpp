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

#include "bp/data/dataset.h"
#include "bp/models/zoo.h"
#include "loss_plot.h"
#include "pages/train_page.h"

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
};

QTEST_MAIN(TestTrainPage)
#include "tst_train_page.moc"
