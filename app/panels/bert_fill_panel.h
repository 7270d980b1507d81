// bert_fill_panel.h — the Attention page's BERT tab: pre-train a classroom BERT-mini (masked characters) on the
// default text on its own thread, or open one saved by `backprop train-text --model bert`, save it; then type a
// sentence with blanks (`The qu_ck brown f_x`) and see the most likely characters for every blank with their
// probabilities, updated as you type, and the full attention of each layer and head: unlike GPT-mini's triangle,
// every character looks both ways. Beside it, GPT-mini's map of the same sentence (the blanks filled with BERT's
// best guess), from the Language tab's latest model: a triangle, because it only reads to the left. A second view
// fine-tunes the model and one from scratch on a classification task (BertFineTunePanel).
#pragma once

#include <QWidget>
#include <optional>

#include "controllers/bert_controller.h"
#include "core/page.h"
#include "tools/bert_tools.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTabWidget;
class TokenAttentionView;
class BertFineTunePanel;

class GptController;

class BertFillPanel : public QWidget {
    Q_OBJECT
public:
    explicit BertFillPanel(const AppContext& context, QWidget* parent = nullptr);

    BertController* controller() const { return m_bert; }
    /// Uses `model` (trained here or opened) for the blanks; it becomes the one Save writes.
    void setModel(const BertModel& model);
    bool hasModel() const { return static_cast<bool>(m_model.model); }
    QString openModel(const QString& path);  ///< empty, or the error
    QString saveModel(const QString& path);  ///< empty, or the error
    /// The last fill-in, as the engine computed it (nullopt before a model and a sentence).
    const std::optional<berttools::FillResult>& lastFill() const { return m_fill; }
    void applyAppearance(const Appearance& a);
    /// The Language tab's runs: the latest model (trained or opened) is shown beside BERT on the same sentence.
    void setGpt(GptController* gpt);

    TokenAttentionView* gptAttentionView() const { return m_gptView; }
    BertFineTunePanel* fineTunePanel() const { return m_fineTune; }
    /// The right-hand views: 0 the attention maps, 1 the fine-tuning comparison.
    QTabWidget* views() const { return m_views; }
    QLabel* gptNote() const { return m_gptNote; }
    /// The GPT-mini map on screen: its tokens and the shown head's [T, T] weights (empty when none is shown).
    const attentiontools::TokenAttention& gptAttention() const { return m_gptAttention; }
    /// The sentence GPT-mini read: the typed one with every blank filled with BERT's most likely character.
    QString gptText() const { return m_gptText; }

    QLineEdit* sentenceEdit() const { return m_sentence; }
    QTableWidget* blanksTable() const { return m_blanks; }
    TokenAttentionView* attentionView() const { return m_view; }
    QSpinBox* stepsSpin() const { return m_steps; }
    QPushButton* trainButton() const { return m_train; }
    QLabel* statusLabel() const { return m_status; }

signals:
    void filled();  ///< new predictions are on screen

private:
    void refill();
    void showHead();
    void showGpt();  ///< recomputes GPT-mini's attention when the sentence or the model changed, shows the head

    AppContext m_context;
    BertController* m_bert;
    BertModel m_model;
    std::optional<berttools::FillResult> m_fill;
    QSpinBox* m_steps = nullptr;
    QPushButton* m_train = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_open = nullptr;
    QPushButton* m_save = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QLineEdit* m_sentence = nullptr;
    QTableWidget* m_blanks = nullptr;
    QLabel* m_note = nullptr;
    QComboBox* m_layer = nullptr;
    QComboBox* m_head = nullptr;
    TokenAttentionView* m_view = nullptr;
    QTabWidget* m_views = nullptr;
    BertFineTunePanel* m_fineTune = nullptr;
    GptController* m_gptRuns = nullptr;
    TokenAttentionView* m_gptView = nullptr;
    QLabel* m_gptNote = nullptr;
    attentiontools::TokenAttention m_gptAttention;
    QStringList m_gptTokens;
    QString m_gptText;
    const void* m_gptModel = nullptr;  // the model m_gptAttention was computed with
    QWidget* m_column = nullptr;  // the controls column (wider in presentation mode)
};
