// attention_page.h — AttentionPage: what transformers look at. Two tabs.
//  Vision (ViT): a ViT from the session's models (or "Train a quick ViT" on the page's own training thread, or a
//    .safetensors file) reads an MNIST test image or the Draw page's drawing; for every layer and head a 7×7 map of
//    the class token's attention to the patches over the image, the mean of the heads, attention rollout across the
//    layers, and the prediction beside them.
//  Language (GPT-mini): train a character-level GPT on a text corpus (default: Debian's fortunes) on a worker
//    thread with live training and validation loss against the unigram baseline; runs are kept for the session and
//    compared in one chart; a prompt is continued token by token, and the generated text's attention per layer and
//    head is shown as a token × token map where hovering a token shades what it attends to.
// The engine work lives in attention_tools and GptController; this file is layout and wiring.
#pragma once

#include <QImage>
#include <QString>
#include <QVector>
#include <QWidget>
#include <functional>
#include <memory>
#include <vector>

#include "attention_tools.h"
#include "gpt_controller.h"
#include "page.h"

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
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class SeriesPlot;
class TokenAttentionView;
class TrainingController;

class AttentionPage : public QWidget, public AppearanceAware {
    Q_OBJECT
public:
    explicit AttentionPage(const AppContext& context, QWidget* parent = nullptr);
    ~AttentionPage() override;

    void applyAppearance(const Appearance& appearance) override;
    QTabWidget* tabs() const { return m_tabs; }
    /// "vit" or "gpt"; false for anything else.
    bool showTab(const QString& id);

    // ---- Vision ----
    /// Where "Use my drawing" gets the Draw page's 28×28 input (values in [0, 1]); MainWindow sets it.
    void setDrawingSource(std::function<std::vector<float>()> source) { m_drawingSource = std::move(source); }
    /// Picks the ViT shown as `name` in the chooser; false if there is none.
    bool selectVitModel(const QString& name);
    QComboBox* vitModelCombo() const { return m_vitCombo; }
    /// Trains ViT-tiny for one epoch on the first 12,000 MNIST training images on this page's own training
    /// thread; the model joins the session's models (and this chooser) when it is done.
    void trainQuickVit();
    TrainingController* vitTrainer() const { return m_vitTrainer; }
    /// Shows MNIST test image `index` (loading the test set the first time); false with a message if impossible.
    bool showTestImage(int index);
    /// Uses the Draw page's current drawing; false with a message when there is none.
    bool useDrawing();
    int testImage() const { return m_testIndex; }
    /// The normalised 784 inputs of the image shown, the attention the engine captured for it, and the rollout.
    const std::vector<float>& vitInput() const { return m_vitInput; }
    const attentiontools::VitAttention& vitAttention() const { return m_vit; }
    const std::vector<double>& vitRollout() const { return m_rollout; }
    /// The map of layer `layer` and head `head` (-1: the mean of the heads); null when not shown.
    PatchAttentionView* headView(int layer, int head) const;
    PatchAttentionView* rolloutView() const { return m_rolloutView; }
    ProbabilityBars* vitBars() const { return m_vitBars; }
    QString vitMessage() const;

    // ---- Language ----
    GptController* gpt() const { return m_gpt; }
    /// The run settings the widgets describe (block, steps; the model's size is fixed for the page).
    GptRunConfig gptConfigFromWidgets() const;
    void setGptBlock(const QString& block);  ///< "gpt2" or "modern"
    void setGptSteps(int steps);
    void startGptTraining();
    void pauseGptTraining();
    void stopGptTraining();
    /// One finished (or stopped) training run, kept for the session.
    struct GptRun {
        QString label;  // "gpt2 #1"
        QString block;
        QVector<double> steps, losses;           // training loss per step
        QVector<double> evalSteps, valLosses;    // validation loss
        double unigram = 0;
        std::shared_ptr<const bp::data::TextCorpus> corpus;  // what it was trained on (its tokenizer reads prompts)
        std::shared_ptr<bp::models::GptMini> model;  // null until the run ends
    };
    const QVector<GptRun>& gptRuns() const { return m_runs; }
    SeriesPlot* lossPlot() const { return m_lossPlot; }
    SeriesPlot* comparePlot() const { return m_comparePlot; }
    /// The right-hand views of the language tab: 0 the loss curves, 1 the attention of the generated text.
    QTabWidget* gptViews() const { return m_gptViews; }
    QLineEdit* promptEdit() const { return m_prompt; }
    QSpinBox* lengthSpin() const { return m_length; }
    QDoubleSpinBox* temperatureSpin() const { return m_temperature; }
    QSpinBox* topKSpin() const { return m_topK; }
    QPushButton* generateButton() const { return m_generate; }
    /// Checks the prompt and starts generating with the chosen run's model; false (with gptMessage()) if it cannot.
    bool generate();
    QString gptMessage() const;
    QString corpusText() const;
    /// The text as it streamed in (prompt + tokens so far).
    QString generatedText() const;
    std::shared_ptr<const GenerationResult> lastGeneration() const { return m_generation; }
    TokenAttentionView* tokenView() const { return m_tokenView; }
    /// Shows layer `layer`, head `head` of the last generation in the token view.
    void showTokenHead(int layer, int head);

signals:
    void vitShown();                 ///< new attention maps are on screen
    void vitModelTrained(const QString& name);
    void gptRunFinished(int runIndex);
    void generationDone();

private:
    QWidget* buildVitTab();
    QWidget* buildGptTab();
    void refreshVitModels();
    void onVitModelChosen(int index);
    void openVitModel();
    void rebuildVitGrid();
    void runVit();
    void showVitMessage(const QString& text);
    void setVitInfo(const QString& text);  ///< the line under the ViT chooser (progress, problems); hidden when empty
    bool ensureTestSet();
    void onGptState();
    void onCorpusLoaded(const CorpusInfo& info);
    void onCorpusFailed(const QString& message);
    void onSteps(const QVector<bp::train::TextStepEvent>& steps);
    void onEvals(const QVector<bp::train::TextEvalEvent>& evals);
    void onGptFinished(const bp::train::TextFinishedEvent& e, std::shared_ptr<bp::models::GptMini> model);
    void refreshRunCombo();
    void rebuildComparison();
    void onGenerationFinished(std::shared_ptr<const GenerationResult> result);
    void refreshTokenHead();
    void saveSettings();
    void applyFonts();

    AppContext m_context;
    ModelLibrary* m_library = nullptr;
    Appearance m_appearance;
    bool m_restoring = true;  // the constructor is restoring the settings
    QTabWidget* m_tabs = nullptr;
    QWidget* m_vitLeft = nullptr;  // the controls columns of the two tabs
    QWidget* m_gptLeft = nullptr;

    // Vision
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

    // Language
    GptController* m_gpt = nullptr;
    QVector<GptRun> m_runs;
    int m_activeRun = -1;  // index into m_runs of the run training now
    double m_unigram = 0;
    QString m_corpusDescription;  // what the loaded corpus is, for the Text box
    QLabel* m_corpusInfo = nullptr;
    QPushButton* m_openCorpus = nullptr;
    QComboBox* m_blockCombo = nullptr;
    QSpinBox* m_stepsSpin = nullptr;
    QPushButton* m_startGpt = nullptr;
    QPushButton* m_pauseGpt = nullptr;
    QPushButton* m_stopGpt = nullptr;
    QProgressBar* m_gptProgress = nullptr;
    QLabel* m_gptStatus = nullptr;
    QComboBox* m_runCombo = nullptr;
    QLineEdit* m_prompt = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QSpinBox* m_topK = nullptr;
    QSpinBox* m_length = nullptr;
    QPushButton* m_generate = nullptr;
    QLabel* m_gptMessage = nullptr;
    QTabWidget* m_gptViews = nullptr;  // "Loss curves" | "Attention of the generated text"
    SeriesPlot* m_lossPlot = nullptr;
    SeriesPlot* m_comparePlot = nullptr;
    int m_trainSeries = -1, m_valSeries = -1, m_unigramSeries = -1;
    QPlainTextEdit* m_output = nullptr;
    QComboBox* m_layerCombo = nullptr;
    QComboBox* m_headCombo = nullptr;
    TokenAttentionView* m_tokenView = nullptr;
    std::shared_ptr<const GenerationResult> m_generation;
    QString m_streamed;
};
