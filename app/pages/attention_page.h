// attention_page.h — AttentionPage: what transformers look at. Two tabs, laid out from panels:
//  Vision (panels/vit_attention_panel): a ViT reads an MNIST test image or the Draw page's drawing; every head's
//    attention to the patches, the mean of the heads, attention rollout, and the prediction.
//  Language: train GPT-mini on a text (panels/gpt_train_controls: corpus, block, steps, Start / Pause / Stop;
//    panels/gpt_loss_charts: this run and all runs against the unigram baseline), then continue a prompt
//    (panels/gpt_generate_controls) and see the generated text's attention (panels/generated_text_view).
// The runs and their record live in controllers/gpt_controller; this file is layout, wiring and settings.
#pragma once

#include <QString>
#include <QVector>
#include <QWidget>
#include <functional>
#include <memory>
#include <vector>

#include "controllers/gpt_controller.h"
#include "core/page.h"
#include "tools/attention_tools.h"

class BertFillPanel;
class GeneratedTextView;
class GptGenerateControls;
class GptLossCharts;
class GptTrainControls;
class PatchAttentionView;
class ProbabilityBars;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTabWidget;
class SeriesPlot;
class TokenAttentionView;
class TrainingController;
class VitAttentionPanel;

class AttentionPage : public QWidget, public AppearanceAware {
    Q_OBJECT
public:
    explicit AttentionPage(const AppContext& context, QWidget* parent = nullptr);
    ~AttentionPage() override;

    void applyAppearance(const Appearance& appearance) override;
    QTabWidget* tabs() const { return m_tabs; }
    /// "vit", "gpt" or "bert"; false for anything else.
    bool showTab(const QString& id);
    VitAttentionPanel* vitPanel() const { return m_vit; }
    GptTrainControls* gptTrainControls() const { return m_gptTrain; }
    GptGenerateControls* gptGenerateControls() const { return m_gptGenerate; }
    GeneratedTextView* generatedTextView() const { return m_generated; }
    BertFillPanel* bertPanel() const { return m_bert; }

    // ---- Vision (forwarded to the panel) ----
    void setDrawingSource(std::function<std::vector<float>()> source);
    bool selectVitModel(const QString& name);
    QComboBox* vitModelCombo() const;
    void trainQuickVit();
    TrainingController* vitTrainer() const;
    bool showTestImage(int index);
    bool useDrawing();
    int testImage() const;
    const std::vector<float>& vitInput() const;
    const attentiontools::VitAttention& vitAttention() const;
    const std::vector<double>& vitRollout() const;
    PatchAttentionView* headView(int layer, int head) const;
    PatchAttentionView* rolloutView() const;
    ProbabilityBars* vitBars() const;
    QString vitMessage() const;

    // ---- Language ----
    GptController* gpt() const { return m_gpt; }
    GptRunConfig gptConfigFromWidgets() const;
    void setGptBlock(const QString& block);  ///< "gpt2" or "modern"
    void setGptSteps(int steps);
    void startGptTraining();
    void pauseGptTraining();
    void stopGptTraining();
    using GptRun = ::GptRun;
    const QVector<GptRun>& gptRuns() const { return m_gpt->runs(); }
    SeriesPlot* lossPlot() const;
    SeriesPlot* comparePlot() const;
    /// The right-hand views of the language tab: 0 the loss curves, 1 the attention of the generated text.
    QTabWidget* gptViews() const { return m_gptViews; }
    QLineEdit* promptEdit() const;
    QSpinBox* lengthSpin() const;
    QDoubleSpinBox* temperatureSpin() const;
    QSpinBox* topKSpin() const;
    QPushButton* generateButton() const;
    bool generate();  ///< false (with gptMessage()) if it cannot start
    QString gptMessage() const;
    QString corpusText() const;
    QString generatedText() const;
    std::shared_ptr<const GenerationResult> lastGeneration() const;
    TokenAttentionView* tokenView() const;
    void showTokenHead(int layer, int head);

signals:
    void vitShown();
    void vitModelTrained(const QString& name);
    void gptRunFinished(int runIndex);
    void generationDone();

private:
    QWidget* buildGptTab();
    void registerLessonHooks();  ///< actions, settings and facts (vit.*, gpt.*) by name, in the FactRegistry
    void saveSettings();

    AppContext m_context;
    bool m_restoring = true;  // the constructor is restoring the settings
    QTabWidget* m_tabs = nullptr;
    VitAttentionPanel* m_vit = nullptr;
    GptController* m_gpt = nullptr;
    QWidget* m_gptLeft = nullptr;
    GptTrainControls* m_gptTrain = nullptr;
    GptGenerateControls* m_gptGenerate = nullptr;
    QTabWidget* m_gptViews = nullptr;  // "Loss curves" | "Attention of the generated text"
    GptLossCharts* m_lossCharts = nullptr;
    GeneratedTextView* m_generated = nullptr;
    BertFillPanel* m_bert = nullptr;
};
