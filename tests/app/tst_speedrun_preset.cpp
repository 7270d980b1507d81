// tst_speedrun_preset.cpp — the Train page's "99% in seconds" preset: a click loads the speedrun recipe into the
// widgets (model, optimizer, rate, one-cycle schedule, batch size, epochs; label smoothing and threads in the config
// the page starts), picking a model by hand drops the recipe's extras, and the stopwatch beside the accuracy runs
// while a (short, where MNIST is installed) run goes and stops with it.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

#include "bp/data/dataset.h"
#include "bp/train/recipe.h"
#include "pages/train_page.h"
#include "panels/train_settings_panel.h"
#include "stopwatch_label.h"

using State = TrainingController::State;

class TestSpeedrunPreset : public QObject {
    Q_OBJECT
private slots:
    void presetLoadsTheRecipe() {
        TrainPage page{AppContext{}};
        TrainSettingsPanel* s = page.settingsPanel();
        const bp::train::Recipe& r = bp::train::find_recipe("speedrun");
        page.modelCombo()->setCurrentIndex(page.modelCombo()->findData(QStringLiteral("mlp")));
        page.trainImagesSpin()->setValue(1000);
        QCOMPARE(s->speedrunButton()->text(), QStringLiteral("99% in seconds"));
        QTest::mouseClick(s->speedrunButton(), Qt::LeftButton);
        QCOMPARE(page.modelCombo()->currentData().toString(), QString::fromStdString(r.config.model));
        QCOMPARE(page.scheduleCombo()->currentData().toString(), QStringLiteral("onecycle"));
        QCOMPARE(page.batchSizeSpin()->value(), r.config.batch_size);
        QCOMPARE(page.epochsSpin()->value(), r.config.epochs);
        QCOMPARE(page.learningRateSpin()->value(), r.config.lr);
        QCOMPARE(page.trainImagesSpin()->value(), 0);  // all 60,000 images
        const bp::train::TrainConfig c = s->config();
        QCOMPARE(c.label_smoothing, r.config.label_smoothing);
        QCOMPARE(c.warmup_fraction, r.config.warmup_fraction);
        QCOMPARE(c.threads, r.config.threads);
        QCOMPARE(c.optimizer, r.config.optimizer);
        // A model picked by hand (a user's choice, "activated") trains without the recipe's extras.
        QComboBox* model = page.modelCombo();
        model->setCurrentIndex(model->findData(QStringLiteral("lenet")));
        emit model->activated(model->currentIndex());
        QCOMPARE(s->config().label_smoothing, 0.0);
        QCOMPARE(s->config().threads, 1);
    }

    void stopwatchRunsWhileTraining() {
        const std::string dir = bp::data::default_data_dir();
        bool have = false;
        for (const bp::data::DatasetInfo& d : bp::data::list_datasets(dir)) have |= d.name == "mnist" && d.complete;
        if (!have) QSKIP(qPrintable(QStringLiteral("MNIST is not in %1; %2").arg(QString::fromStdString(dir), bp::data::data_setup_hint)));
        TrainPage page{AppContext{}};
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY_WITH_TIMEOUT(page.controller()->state() == State::Idle, 30000);
        auto* watch = page.findChild<StopwatchLabel*>(QStringLiteral("train.stopwatch"));
        auto* accuracy = page.findChild<QLabel*>(QStringLiteral("train.test_accuracy"));
        QVERIFY(watch && accuracy);
        QVERIFY(!watch->isRunning());
        QTest::mouseClick(page.settingsPanel()->speedrunButton(), Qt::LeftButton);
        page.trainImagesSpin()->setValue(3000);  // a short run: the recipe on 3,000 images
        page.testImagesSpin()->setValue(1000);
        QSignalSpy finished(page.controller(), &TrainingController::trainingFinished);
        QTest::mouseClick(page.startButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(watch->isRunning(), 5000);
        const double early = watch->seconds();
        QTest::qWait(300);
        if (page.isTraining()) {
            QVERIFY(watch->seconds() > early);  // it ticks
            QVERIFY(watch->text().endsWith(QStringLiteral(" s</b>")));
        }
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
        QVERIFY(!watch->isRunning());
        const double total = watch->seconds();
        QVERIFY(total > 0);
        QTest::qWait(250);
        QCOMPARE(watch->seconds(), total);  // stopped
        QVERIFY(accuracy->text().contains(QStringLiteral("test accuracy")));
        QVERIFY(!page.settingsPanel()->speedrunButton()->isEnabled() == page.isTraining());
    }
};

QTEST_MAIN(TestSpeedrunPreset)
#include "tst_speedrun_preset.moc"
