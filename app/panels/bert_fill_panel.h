// bert_fill_panel.h — the Attention page's BERT tab: pre-train a classroom BERT-mini (masked characters) on the
// default text on its own thread, or open one saved by `backprop train-text --model bert`, save it; then type a
// sentence with blanks (`The qu_ck brown f_x`) and see the most likely characters for every blank with their
// probabilities, updated as you type, and the full attention of each layer and head: unlike GPT-mini's triangle,
// every character looks both ways.
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
class TokenAttentionView;

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
    QWidget* m_column = nullptr;  // the controls column (wider in presentation mode)
};
