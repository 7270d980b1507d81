// vit_attention_panel.h — the Attention page's Vision tab: a ViT from the session's models (or "Train a quick
// ViT" on its own training thread, or a .safetensors file) reads an MNIST test image or the Draw page's drawing;
// for every layer and head a 7×7 map of the class token's attention to the patches over the image, the mean of
// the heads, attention rollout across the layers, and the prediction beside them.
#pragma once

#include <QWidget>
#include <functional>
#include <limits>
#include <memory>
#include <vector>

#include "core/page.h"
#include "tools/attention_tools.h"

namespace bp::data {
struct ImageDataset;
}
namespace bp::models {
struct Model;
}
class ModelLibrary;
class PatchAttentionView;
class ProbabilityBars;
class QComboBox;
class QGridLayout;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class TrainingController;

class VitAttentionPanel : public QWidget {
    Q_OBJECT
public:
    explicit VitAttentionPanel(const AppContext& context, QWidget* parent = nullptr);
    ~VitAttentionPanel() override;

    /// Where "Use my drawing" gets the Draw page's 28×28 input (values in [0, 1]).
    void setDrawingSource(std::function<std::vector<float>()> source) { m_drawingSource = std::move(source); }
    bool selectVitModel(const QString& name);  ///< false if there is none of that name
    /// Trains ViT-tiny for one epoch on the first 12,000 MNIST training images on this panel's own training
    /// thread; the model joins the session's models (and this chooser) when it is done.
    void trainQuickVit();
    bool showTestImage(int index);  ///< loads the test set the first time; false with a message if impossible
    bool useDrawing();              ///< false with a message when there is no drawing
    void refreshModels();
    int testImage() const { return m_testIndex; }
    void applyAppearance(const Appearance& a);

    QComboBox* modelCombo() const { return m_vitCombo; }
    TrainingController* trainer() const { return m_vitTrainer; }
    const std::vector<float>& input() const { return m_vitInput; }
    const attentiontools::VitAttention& attention() const { return m_vit; }
    const std::vector<double>& rollout() const { return m_rollout; }
    PatchAttentionView* headView(int layer, int head) const;  ///< head -1: the mean; null when not shown
    PatchAttentionView* rolloutView() const { return m_rolloutView; }
    ProbabilityBars* bars() const { return m_vitBars; }
    QString message() const;
    /// The label of the test image shown, -1 for a drawing or none.
    int shownLabel() const;
    /// The test accuracy of the last quick ViT trained here (on its 1,000 test images), NaN before one.
    double quickAccuracy() const { return m_quickAccuracy; }

signals:
    void shown();  ///< new attention maps are on screen
    void modelTrained(const QString& name);
    void testImageChanged(int index);

private:
    void onVitModelChosen(int index);
    void openVitModel();
    void rebuildVitGrid();
    void runVit();
    void showVitMessage(const QString& text);
    void setVitInfo(const QString& text);  ///< the line under the ViT chooser (progress, problems); hidden when empty
    bool ensureTestSet();

    AppContext m_context;
    ModelLibrary* m_library = nullptr;
    Appearance m_appearance;
    QWidget* m_vitLeft = nullptr;
    std::function<std::vector<float>()> m_drawingSource;
    std::shared_ptr<bp::models::Model> m_vitModel;  // a private copy: capture changes the blocks' state
    std::unique_ptr<bp::data::ImageDataset> m_testSet;
    QString m_testSetError;
    int m_testIndex = 0;
    bool m_fromDrawing = false;
    std::vector<float> m_vitPixels;  // [784] in [0, 1], for display
    std::vector<float> m_vitInput;   // [784] normalised
    attentiontools::VitAttention m_vit;
    std::vector<double> m_rollout;
    TrainingController* m_vitTrainer = nullptr;
    bool m_vitTrainAfterLoad = false;
    double m_quickAccuracy = std::numeric_limits<double>::quiet_NaN();
    QComboBox* m_vitCombo = nullptr;
    QPushButton* m_trainVit = nullptr;
    QPushButton* m_openVit = nullptr;
    QProgressBar* m_vitProgress = nullptr;
    QLabel* m_vitModelInfo = nullptr;
    QSpinBox* m_imageSpin = nullptr;
    QPushButton* m_prevImage = nullptr;
    QPushButton* m_nextImage = nullptr;
    QPushButton* m_randomImage = nullptr;
    QPushButton* m_drawingButton = nullptr;
    QLabel* m_imageInfo = nullptr;
    QLabel* m_vitPrediction = nullptr;
    ProbabilityBars* m_vitBars = nullptr;
    QLabel* m_vitNote = nullptr;
    QWidget* m_vitGridHost = nullptr;
    QGridLayout* m_vitGrid = nullptr;
    std::vector<std::vector<PatchAttentionView*>> m_headViews;  // [layer][head], the last one the mean
    std::vector<QLabel*> m_gridLabels;
    PatchAttentionView* m_rolloutView = nullptr;
    PatchAttentionView* m_previewView = nullptr;  // the image alone, while there is no ViT
    QLabel* m_vitExplain = nullptr;
};
