// gpt_train_controls.h — the Language tab's "Text" and "Train GPT-mini" boxes: which corpus is loaded (open
// another text file), the block (GPT-2 or modern) and the number of steps, Start / Pause / Stop, the progress
// and a status line with the loss, tokens/s and the time left. It drives the GptController it is given.
#pragma once

#include <QWidget>

#include "controllers/gpt_controller.h"

class AppSettings;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

class GptTrainControls : public QWidget {
    Q_OBJECT
public:
    GptTrainControls(GptController* gpt, AppSettings* settings, QWidget* parent = nullptr);

    GptRunConfig config() const;  ///< the run the widgets describe
    void setBlock(const QString& block);  ///< "gpt2" or "modern"
    QString block() const;
    void setSteps(int steps);
    int steps() const;
    void start();  ///< Start (or Resume when paused); a problem is said in the status line
    void togglePause();
    QString corpusText() const;
    QString statusText() const;

    QComboBox* blockCombo() const { return m_blockCombo; }
    QSpinBox* stepsSpin() const { return m_stepsSpin; }
    QPushButton* startButton() const { return m_start; }

signals:
    void settingsEdited();  ///< block or steps changed by the user
    void runStarted();

private:
    void onState();
    void onCorpusLoaded(const CorpusInfo& info);
    void onCorpusFailed(const QString& message);
    void onSteps(const QVector<bp::train::TextStepEvent>& steps);
    void onFinished(int runIndex);

    GptController* m_gpt;
    AppSettings* m_settings;
    QString m_corpusDescription;
    bool m_lastCancelled = false;  // of the run that ended last
    QLabel* m_corpusInfo = nullptr;
    QPushButton* m_openCorpus = nullptr;
    QComboBox* m_blockCombo = nullptr;
    QSpinBox* m_stepsSpin = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_pause = nullptr;
    QPushButton* m_stop = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
};
