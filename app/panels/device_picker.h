// device_picker.h — the Train page's "Device" combo: "CPU" and "CUDA: <GPU>"; where no GPU is usable the CUDA
// entry is disabled and the combo says why in its tooltip (the reason from bp::cuda_available). Item data is
// the engine's device name ("cpu" / "cuda"), which goes straight into TrainConfig::device.
#pragma once

#include <QString>

class QComboBox;

namespace devicepicker {

/// A new combo (objectName "deviceCombo") with CPU selected.
QComboBox* create();
/// Whether the CUDA entry can be chosen on this machine.
bool cudaUsable();
/// Selects `device` ("cpu" / "cuda") where it is usable, else the CPU.
void select(QComboBox* combo, const QString& device);
/// Status-bar text for a device: "Device: CPU" or "Device: CUDA (NVIDIA H100 …)".
QString statusText(const QString& device);

}  // namespace devicepicker
