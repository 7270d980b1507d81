// playground_controls.h — PlaygroundControls: the Playground page's settings column. The data (dataset, noise,
// train/test ratio, seed and Regenerate, the class a click adds when drawing your own points), the input
// features, the hidden layers (+/− layer, +/− neurons per layer, activation) and the training settings (optimizer,
// learning rate, batch size, L1, L2). It holds a bp::playground::Config and says configChanged whenever the
// learner changes it; setConfig shows one (after Open…) without echoing it back.
#pragma once

#include <QWidget>

#include "bp/playground/playground.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QPushButton;
class QRadioButton;
class QSlider;
class QSpinBox;
class QVBoxLayout;

class PlaygroundControls : public QWidget {
    Q_OBJECT
public:
    explicit PlaygroundControls(QWidget* parent = nullptr);

    const bp::playground::Config& config() const { return m_config; }
    void setConfig(const bp::playground::Config& config);  ///< no configChanged
    int drawLabel() const;  ///< the class a click on the plane adds (0 orange, 1 blue)

    /// Adds a point of your own (switches the dataset to "your own points" first).
    void addPoint(double x1, double x2, int label);

    QComboBox* datasetCombo() const { return m_dataset; }
    QSlider* noiseSlider() const { return m_noise; }
    QSlider* ratioSlider() const { return m_ratio; }
    QPushButton* regenerateButton() const { return m_regenerate; }
    QPushButton* addLayerButton() const { return m_addLayer; }
    QPushButton* removeLayerButton() const { return m_removeLayer; }
    /// The +/− neuron buttons of hidden layer `layer` (0-based); null past the last layer.
    QPushButton* addNeuronButton(int layer) const;
    QPushButton* removeNeuronButton(int layer) const;
    QCheckBox* featureBox(int bit) const { return m_features[bit]; }
    QComboBox* activationCombo() const { return m_activation; }
    QComboBox* optimizerCombo() const { return m_optimizer; }
    QDoubleSpinBox* lrSpin() const { return m_lr; }
    QSpinBox* batchSpin() const { return m_batch; }
    QPushButton* clearPointsButton() const { return m_clearPoints; }

signals:
    void configChanged(const bp::playground::Config& config);

private:
    void showConfig();
    void rebuildLayerRows();
    void changed();

    bp::playground::Config m_config;
    QComboBox* m_dataset;
    QSlider *m_noise, *m_ratio;
    QLabel *m_noiseValue, *m_ratioValue, *m_layersValue, *m_pointsLabel;
    QSpinBox* m_seed;
    QPushButton *m_regenerate, *m_clearPoints, *m_addLayer, *m_removeLayer;
    QRadioButton *m_drawBlue, *m_drawOrange;
    QWidget* m_drawRow;
    QFormLayout* m_dataForm;
    QCheckBox* m_features[bp::playground::feature_count];
    QVBoxLayout* m_layerRows;
    QVector<QPushButton*> m_addNeuron, m_removeNeuron;
    QComboBox *m_activation, *m_optimizer;
    QDoubleSpinBox *m_lr, *m_l1, *m_l2;
    QSpinBox* m_batch;
};
