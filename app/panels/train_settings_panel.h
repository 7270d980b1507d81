// train_settings_panel.h — the Train page's left column: the model (zoo chooser, description, parameter count,
// layer diagram, "continue from" the current model), the hyperparameters and the device, and a short guide to
// the loss chart. It turns its widgets into a bp::train::TrainConfig and back; it does not run anything.
#pragma once

#include <QWidget>
#include <memory>

#include "bp/train/trainer.h"
#include "core/page.h"

struct TrainSettings;
class LayerDiagram;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;

class TrainSettingsPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainSettingsPanel(QWidget* parent = nullptr);

    /// The configuration the widgets describe (model, optimizer, lr, batch, epochs, seed, image limits, device).
    bp::train::TrainConfig config() const;
    /// Shows `config` in the widgets (values outside a widget's range are clamped); its label smoothing, warm-up
    /// and threads, which have no widget, are kept and returned by config().
    void applyConfig(const bp::train::TrainConfig& config);
    /// Loads a recipe (bp/train/recipe.h), e.g. "speedrun" for the "99% in seconds" button.
    void applyRecipe(const std::string& name);
    void applySettings(const TrainSettings& s);
    TrainSettings settings() const;
    /// Everything but the learning rate is locked while a run goes (the rate can change mid-run).
    void setRunning(bool busy, bool stopping);
    void setImageCounts(qint64 train, qint64 test);
    /// The model that "Continue from …" would start from (null hides the box); `source` names it.
    void setInitialModel(std::shared_ptr<const bp::models::Model> model, const QString& source, bool selectItsArchitecture);
    bool continueChecked() const;
    void applyAppearance(const Appearance& a);

    QComboBox* modelCombo() const { return m_model; }
    QComboBox* scheduleCombo() const { return m_schedule; }
    QComboBox* deviceCombo() const { return m_device; }
    QDoubleSpinBox* learningRateSpin() const { return m_lr; }
    QSpinBox* batchSizeSpin() const { return m_batch; }
    QSpinBox* epochsSpin() const { return m_epochCount; }
    QSpinBox* trainImagesSpin() const { return m_trainImages; }
    QSpinBox* testImagesSpin() const { return m_testImages; }
    QCheckBox* augmentCheck() const { return m_augment; }
    QDoubleSpinBox* weightDecaySpin() const { return m_weightDecay; }
    QCheckBox* continueCheck() const { return m_continue; }
    QPushButton* speedrunButton() const { return m_speedrun; }
    LayerDiagram* layerDiagram() const { return m_diagram; }

signals:
    void learningRateEdited(double lr);
    void deviceChanged(const QString& device);

private:
    void updateModelInfo();
    void applyModelDefaults();

    std::shared_ptr<const bp::models::Model> m_initialModel;
    QComboBox* m_model = nullptr;
    QLabel* m_modelDescription = nullptr;
    QLabel* m_modelParams = nullptr;
    LayerDiagram* m_diagram = nullptr;
    QCheckBox* m_continue = nullptr;
    QComboBox* m_optimizer = nullptr;
    QDoubleSpinBox* m_lr = nullptr;
    QComboBox* m_schedule = nullptr;
    QComboBox* m_device = nullptr;  // devicepicker: CPU / CUDA
    QSpinBox* m_batch = nullptr;
    QSpinBox* m_epochCount = nullptr;
    QSpinBox* m_seed = nullptr;
    QDoubleSpinBox* m_weightDecay = nullptr;
    QSpinBox* m_trainImages = nullptr;
    QSpinBox* m_testImages = nullptr;
    QCheckBox* m_augment = nullptr;
    QLabel* m_guide = nullptr;
    QPushButton* m_speedrun = nullptr;
    // The fields without a widget (label smoothing, warm-up, threads): a recipe sets them, picking a model resets them.
    bp::train::TrainConfig m_hidden;
};
