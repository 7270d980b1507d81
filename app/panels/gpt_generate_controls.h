// gpt_generate_controls.h — the Language tab's "Generate" box: which trained run of the session writes, the
// prompt, temperature, top-k and length, and Generate (Stop while it writes). A problem (no model yet, a prompt
// in another alphabet) is said under the box instead of starting.
#pragma once

#include <QWidget>

#include "controllers/gpt_controller.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

class GptGenerateControls : public QWidget {
    Q_OBJECT
public:
    explicit GptGenerateControls(GptController* gpt, QWidget* parent = nullptr);

    /// Checks the prompt and starts generating with the chosen run's model; false (with message()) if it cannot.
    bool generate();
    QString message() const;
    void setMessage(const QString& text);

    QLineEdit* promptEdit() const { return m_prompt; }
    QSpinBox* lengthSpin() const { return m_length; }
    QDoubleSpinBox* temperatureSpin() const { return m_temperature; }
    QSpinBox* topKSpin() const { return m_topK; }
    QPushButton* generateButton() const { return m_generate; }

signals:
    /// Generation started from `promptText` (the prompt as the model reads it).
    void generationStarted(const QString& promptText);
    void settingsEdited();

private:
    void onState();
    void refreshRuns();

    GptController* m_gpt;
    QComboBox* m_runCombo = nullptr;
    QLineEdit* m_prompt = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QSpinBox* m_topK = nullptr;
    QSpinBox* m_length = nullptr;
    QPushButton* m_generate = nullptr;
    QLabel* m_message = nullptr;
};
