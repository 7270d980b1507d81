// device_picker.cpp — see device_picker.h.
#include "panels/device_picker.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QStandardItemModel>

#include "bp/backend.h"

namespace devicepicker {

static QString tr(const char* s) { return QCoreApplication::translate("DevicePicker", s); }

bool cudaUsable() { return bp::cuda_available(); }

QComboBox* create() {
    auto* combo = new QComboBox;
    combo->setObjectName(QStringLiteral("deviceCombo"));
    combo->addItem(tr("CPU"), QStringLiteral("cpu"));
    std::string why;
    if (bp::cuda_available(&why)) {
        combo->addItem(tr("CUDA: %1").arg(QString::fromStdString(bp::cuda_device_summary())), QStringLiteral("cuda"));
        combo->setToolTip(tr("Where training computes: the processor, or the NVIDIA GPU (much faster for the larger models)."));
        return combo;
    }
    combo->addItem(tr("CUDA: not available"), QStringLiteral("cuda"));
    if (auto* model = qobject_cast<QStandardItemModel*>(combo->model())) model->item(1)->setEnabled(false);
    const QString reason = tr("CUDA is not usable here: %1. Training runs on the CPU.").arg(QString::fromStdString(why));
    combo->setItemData(1, reason, Qt::ToolTipRole);
    combo->setToolTip(reason);
    combo->setEnabled(false);
    return combo;
}

void select(QComboBox* combo, const QString& device) {
    const int i = combo->findData(device);
    combo->setCurrentIndex(i >= 0 && (device != QStringLiteral("cuda") || cudaUsable()) ? i : 0);
}

QString statusText(const QString& device) {
    if (device == QStringLiteral("cuda") && cudaUsable())
        return tr("Device: CUDA (%1)").arg(QString::fromStdString(bp::cuda_device_summary()));
    return tr("Device: CPU");
}

}  // namespace devicepicker
