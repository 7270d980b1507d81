// gpt_generate_controls.h — the Language tab's "Generate" box: which trained run of the session writes (or one
// opened from a file; Save… keeps the chosen one), the prompt, temperature, top-k and length, and Generate (Stop
// while it writes). A problem (no model yet, a prompt in another alphabet, a bad file) is said under the box.
#pragma once

#include <QWidget>

#include "controllers/gpt_controller.h"
class AppSettings;

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

class GptGenerateControls : public QWidget {
    Q_OBJECT
public:
    /// `settings` (may be null) remembers the folder of the last file opened or saved.
    explicit GptGenerateControls(GptController* gpt, AppSettings* settings = nullptr, QWidget* parent = nullptr);

    /// Checks the prompt and starts generating with the chosen run's model; false (with message()) if it cannot.
    bool generate();
    QString message() const;
    void setMessage(const QString& text);
    /// Opens a saved GPT-mini as a new choice and selects it; false (with message()) if the file cannot be used.
    bool openModel(const QString& path);
    /// Saves the chosen run's model; false (with message()) if there is none or the file cannot be written.
    bool saveModel(const QString& path);
    QComboBox* runCombo() const { return m_runCombo; }

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
    AppSettings* m_settings;
    QComboBox* m_runCombo = nullptr;
    QLineEdit* m_prompt = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QSpinBox* m_topK = nullptr;
    QSpinBox* m_length = nullptr;
    QPushButton* m_generate = nullptr;
    QPushButton* m_open = nullptr;
    QPushButton* m_save = nullptr;
    QLabel* m_message = nullptr;
};
