// features_page.h — FeaturesPage ("Inside"): what every layer of a convolutional network sees. For the model chosen
// (the shipped CNN, or one trained or opened since the app started) and the input (the Draw page's drawing, updated
// as it is drawn, or an MNIST test image): the flow input → conv → ReLU → pool → … → logits with each stage's
// shape; the chosen layer's channels as a grid of maps; one channel large with its kernels; click a pixel to
// outline its receptive field on the input and see its arithmetic with the real numbers; "Top 9" finds the test
// images that excite the channel most. Everything comes from the engine's forward pass (bp/models/inspect.h).
#pragma once

#include <QWidget>
#include <functional>
#include <memory>
#include <vector>

#include "bp/models/inspect.h"
#include "core/page.h"

class ChannelDetailPanel;
class ChannelGridPanel;
class MapImageView;
class ModelLibrary;
class QComboBox;
class QLabel;
class QListWidget;
class QRadioButton;
class QSpinBox;
class TopActivationController;

class FeaturesPage : public QWidget, public AppearanceAware {
    Q_OBJECT
public:
    explicit FeaturesPage(const AppContext& context, QWidget* parent = nullptr);
    ~FeaturesPage() override;

    /// Where the drawing comes from (MainWindow: the Draw page's current model input, 784 values in [0, 1]).
    void setDrawingSource(std::function<std::vector<float>()> source);
    /// The drawing changed (MainWindow connects the Draw page's predictions): recomputed when it is the input.
    void drawingChanged();

    bool selectModel(const QString& name);  ///< false if the chooser has no such model
    bool useTestImage(int index);           ///< false (with message()) if the test set is missing or index is out of range
    bool useDrawing();                      ///< false (with message()) when there is no drawing yet
    void selectStage(int stage);            ///< index into stages()
    void selectChannel(int channel);
    /// What clicking pixel (row, col) of the large channel map does: outline, arithmetic.
    void clickPixel(int row, int col);
    void applyAppearance(const Appearance& appearance) override;

    const std::vector<bp::models::Stage>& stages() const { return m_stages; }
    int currentStage() const { return m_stage; }
    int currentChannel() const { return m_channel; }
    /// The normalised input the stages were computed from ([1, 1, 28, 28]); undefined before a model and an input.
    const bp::Tensor& input() const { return m_x; }
    std::shared_ptr<bp::models::Model> model() const { return m_model; }
    QString message() const;

    QComboBox* modelCombo() const { return m_modelCombo; }
    QListWidget* flowList() const { return m_flow; }
    MapImageView* inputView() const { return m_inputView; }
    ChannelGridPanel* grid() const { return m_grid; }
    ChannelDetailPanel* detail() const { return m_detail; }
    TopActivationController* topController() const { return m_topRun; }
    QSpinBox* testIndexSpin() const { return m_testIndex; }

signals:
    void computed();  ///< the stages were recomputed (a new model or input)

private:
    void refreshModels();
    void onModelChosen(int index);
    void recompute();
    void showStage();
    void showChannel();
    bool ensureTestSet();
    void startTop();
    void showMessage(const QString& text);

    AppContext m_context;
    ModelLibrary* m_library = nullptr;
    std::shared_ptr<bp::models::Model> m_model;
    std::function<std::vector<float>()> m_drawingSource;
    std::shared_ptr<bp::data::ImageDataset> m_testSet;
    std::vector<float> m_pixels;  // the input as shown, [0, 1]
    bp::Tensor m_x;
    std::vector<bp::models::Stage> m_stages;
    int m_stage = -1, m_channel = 0;

    QWidget* m_column = nullptr;  // the controls column (wider in presentation mode)
    QComboBox* m_modelCombo = nullptr;
    QRadioButton* m_fromDrawing = nullptr;
    QRadioButton* m_fromTest = nullptr;
    QSpinBox* m_testIndex = nullptr;
    MapImageView* m_inputView = nullptr;
    QLabel* m_prediction = nullptr;
    QLabel* m_message = nullptr;
    QListWidget* m_flow = nullptr;
    ChannelGridPanel* m_grid = nullptr;
    ChannelDetailPanel* m_detail = nullptr;
    TopActivationController* m_topRun = nullptr;
};
