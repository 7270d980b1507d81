// tst_device_picker.cpp — the Train page's device combo: it offers the CPU and the GPU; where CUDA is not
// usable (as on a machine without a GPU) the combo is disabled, the CUDA entry cannot be picked and the
// tooltip gives the engine's reason; the choice is remembered in the settings and reaches the TrainConfig.
#include <QComboBox>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QtTest>

#include "core/app_settings.h"
#include "bp/backend.h"
#include "panels/device_picker.h"
#include "pages/train_page.h"

class TestDevicePicker : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("bp-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_device_picker"));
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.path());
    }

    void comboOnTheTrainPage() {
        TrainPage page{AppContext{}};
        auto* combo = page.findChild<QComboBox*>(QStringLiteral("deviceCombo"));
        QVERIFY(combo);
        QCOMPARE(combo->count(), 2);
        QCOMPARE(combo->itemText(0), QStringLiteral("CPU"));
        QCOMPARE(combo->currentData().toString(), QStringLiteral("cpu"));
        QCOMPARE(page.configFromWidgets().device, std::string("cpu"));
        std::string why;
        if (bp::cuda_available(&why)) {
            QVERIFY(combo->itemText(1).startsWith(QStringLiteral("CUDA: ")));
            QVERIFY(combo->isEnabled());
            combo->setCurrentIndex(1);
            QCOMPARE(page.configFromWidgets().device, std::string("cuda"));
            return;
        }
        QVERIFY(!combo->isEnabled());
        QVERIFY2(combo->toolTip().contains(QString::fromStdString(why)), qPrintable(combo->toolTip()));
        auto* model = qobject_cast<QStandardItemModel*>(combo->model());
        QVERIFY(model);
        QVERIFY(!model->item(1)->isEnabled());
        devicepicker::select(combo, QStringLiteral("cuda"));  // a remembered "cuda" falls back to the CPU here
        QCOMPARE(combo->currentData().toString(), QStringLiteral("cpu"));
        QCOMPARE(devicepicker::statusText(QStringLiteral("cuda")), QStringLiteral("Device: CPU"));
    }

    void rememberedInSettings() {
        AppSettings settings;
        QCOMPARE(settings.trainSettings().device, QStringLiteral("cpu"));  // the default
        TrainSettings s;
        s.device = QStringLiteral("cuda");
        settings.setTrainSettings(s);
        QCOMPARE(AppSettings().trainSettings().device, QStringLiteral("cuda"));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestDevicePicker)
#include "tst_device_picker.moc"
