// draw_page.h — DrawPage: draw a digit and watch a model read it as it is drawn. Shows the 28×28 input the
// model really sees (bp::data::mnist_preprocess: the ink's box scaled to 20 px, centred by its centre of
// mass), ten probability bars, the top prediction, the time it took, and a saliency map (how much each
// input pixel moves the predicted class's logit) laid over the drawing. Models come from ModelLibrary:
// shipped, trained on the Train page, or opened. Inference runs on the GUI thread: for these models it
// takes well under a frame.
#pragma once

#include <QImage>
#include <QVector>
#include <QWidget>
#include <memory>
#include <vector>

#include "drawing_pad.h"
#include "core/page.h"

namespace bp::models {
struct Model;
}
namespace bp::data {
struct ImageDataset;
}
class ClipDrawPanel;
class ModelLibrary;
class ProbabilityBars;
class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;

class DrawPage : public QWidget, public AppearanceAware {
    Q_OBJECT
public:
    explicit DrawPage(const AppContext& context, QWidget* parent = nullptr);
    ~DrawPage() override;

    /// Strokes that paint an MNIST-style image (rows × cols bytes, ink > threshold) onto a pad of canvasSize
    /// pixels: one horizontal stroke per run of ink in each row. Used by --demo, the tests and --bench-ui.
    static QVector<DrawingPad::Stroke> strokesFromDigit(const uint8_t* pixels, int rows, int cols, int canvasSize,
                                                        int threshold = 64);

    /// Picks the model shown as `name` in the chooser; false if there is none.
    bool selectModel(const QString& name);
    /// Runs the model on the pad's picture now (what imageChanged triggers).
    void predictNow();

    void applyAppearance(const Appearance& appearance) override;

    DrawingPad* pad() const { return m_pad; }
    ProbabilityBars* bars() const { return m_bars; }
    QComboBox* modelCombo() const { return m_modelCombo; }
    QCheckBox* saliencyCheck() const { return m_saliencyBox; }
    /// The class the model predicts for the current drawing, -1 when there is no model or no ink.
    int topClass() const { return m_top; }
    /// The 28×28 input of the last prediction, values in [0, 1] (784 zeros when the pad is empty).
    const std::vector<float>& modelInput() const { return m_input; }
    const std::vector<float>& saliencyMap() const { return m_saliency; }
    double lastLatencyMs() const { return m_latencyMs; }

    /// Draws MNIST test image `index` on the pad as strokes (what a lesson's draw.test_digit does); the error or empty.
    QString drawTestDigit(int index);
    /// Reads a PNG or JPEG (bp::io::load_gray_image: pictures over its pixel limit are refused from the header),
    /// preprocesses it as MNIST and draws it on the pad as strokes, so the model reads it like a drawing. Shows
    /// the outcome (on failure the file's name and the reason) in pictureStatus() and returns the error or empty.
    QString openPicture(const QString& path);
    void openPictureWithDialog();
    QPushButton* openPictureButton() const { return m_openPicture; }
    QLabel* pictureStatus() const { return m_pictureStatus; }
    /// The captions a CLIP-mini (from the CLIP page) finds for the drawing.
    ClipDrawPanel* clipPanel() const { return m_clip; }

signals:
    void predicted(int topClass, double latencyMs);

private:
    void registerLessonHooks();
    void publishPrediction(bool ink, const std::vector<float>& probabilities);
    void refreshModels();
    void onModelChosen(int index);
    void showNoPrediction(const QString& why);

    AppContext m_context;
    ModelLibrary* m_library = nullptr;
    std::shared_ptr<bp::models::Model> m_model;  // a private copy: the saliency pass writes gradients

    DrawingPad* m_pad = nullptr;
    QPushButton* m_clear = nullptr;
    QPushButton* m_undo = nullptr;
    QPushButton* m_openPicture = nullptr;
    QLabel* m_pictureStatus = nullptr;
    QCheckBox* m_saliencyBox = nullptr;
    QComboBox* m_modelCombo = nullptr;
    QLabel* m_inputView = nullptr;
    QLabel* m_seesText = nullptr;  // the caption under the input picture
    QLabel* m_prediction = nullptr;
    QLabel* m_latency = nullptr;
    QLabel* m_hint = nullptr;
    ProbabilityBars* m_bars = nullptr;
    ClipDrawPanel* m_clip = nullptr;

    int m_top = -1;
    int m_lessonDigit = 0;                                  // the test image draw.test_digit draws
    std::unique_ptr<bp::data::ImageDataset> m_testSet;      // loaded the first time a test digit is drawn
    std::vector<float> m_input;
    std::vector<float> m_saliency;
    double m_latencyMs = 0;
    int m_inputZoom = 7;
    Appearance m_appearance;
};
