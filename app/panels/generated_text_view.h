// generated_text_view.h — the Language tab's "Attention of the generated text": the text as it streams in, a
// layer and head chooser, and the token × token attention of the finished text (hover a character: the others
// are shaded by how much it attends to them).
#pragma once

#include <QWidget>
#include <memory>

#include "controllers/gpt_controller.h"
#include "core/page.h"

class QComboBox;
class QPlainTextEdit;
class TokenAttentionView;

class GeneratedTextView : public QWidget {
    Q_OBJECT
public:
    explicit GeneratedTextView(GptController* gpt, QWidget* parent = nullptr);

    void startStreaming(const QString& promptText);  ///< clears the view and shows the prompt
    QString text() const { return m_streamed; }      ///< the text as it streamed in (prompt + tokens so far)
    std::shared_ptr<const GenerationResult> lastGeneration() const { return m_generation; }
    void showHead(int layer, int head);
    void applyAppearance(const Appearance& a);
    TokenAttentionView* tokenView() const { return m_tokenView; }

signals:
    void generationShown();
    void problem(const QString& message);  ///< the attention could not be shown

private:
    void onFinished(std::shared_ptr<const GenerationResult> result);
    void refresh();

    GptController* m_gpt;
    QPlainTextEdit* m_output = nullptr;
    QComboBox* m_layerCombo = nullptr;
    QComboBox* m_headCombo = nullptr;
    TokenAttentionView* m_tokenView = nullptr;
    std::shared_ptr<const GenerationResult> m_generation;
    QString m_streamed;
};
