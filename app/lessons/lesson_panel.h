// lesson_panel.h — the Lessons panel that sits beside every page while a lesson is open: the lesson's title,
// "step n of m", the step's text (Markdown), its question (choices, or a number or a pair to type), the check's
// state in words, hints one at a time, and Back / Do it for me / Check / Hint / Next (→ ← Space, Esc closes).
// A broken lesson file shows its file:line problems here instead of crashing anything.
#pragma once

#include <QWidget>

#include "core/page.h"

class LessonSession;
class QButtonGroup;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTextBrowser;
class QToolButton;
class QVBoxLayout;

class LessonPanel : public QWidget {
    Q_OBJECT
public:
    explicit LessonPanel(LessonSession* session, QWidget* parent = nullptr);

    /// The text the learner gave (the chosen choice, or what is typed).
    QString givenAnswer() const;
    /// Picks a choice or types an answer, as a learner would.
    void setGivenAnswer(const QString& text);
    void submitAnswer();
    void revealAnswer();  ///< for the presenter: shows the expected answer
    void applyAppearance(const Appearance& a);

    QPushButton* doButton() const { return m_do; }
    QPushButton* checkButton() const { return m_check; }
    QPushButton* hintButton() const { return m_hint; }
    QPushButton* nextButton() const { return m_next; }
    QPushButton* backButton() const { return m_back; }
    QPushButton* answerButton() const { return m_answer; }
    QLabel* statusLabel() const { return m_status; }
    QLabel* feedbackLabel() const { return m_feedback; }
    QLabel* problemsLabel() const { return m_problems; }
    QTextBrowser* prose() const { return m_prose; }

signals:
    void closeRequested();

private:
    void refresh();
    void showCheck();
    void rebuildQuestion();

    LessonSession* m_session;
    Appearance m_appearance;
    QLabel* m_title = nullptr;
    QLabel* m_stepLine = nullptr;
    QLabel* m_problems = nullptr;
    QTextBrowser* m_prose = nullptr;
    QGroupBox* m_questionBox = nullptr;
    QLabel* m_questionPrompt = nullptr;
    QWidget* m_choices = nullptr;
    QVBoxLayout* m_choicesLayout = nullptr;
    QButtonGroup* m_choiceGroup = nullptr;
    QLineEdit* m_input = nullptr;
    QPushButton* m_answer = nullptr;
    QLabel* m_feedback = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_hints = nullptr;
    QPushButton* m_back = nullptr;
    QPushButton* m_do = nullptr;
    QPushButton* m_check = nullptr;
    QPushButton* m_hint = nullptr;
    QPushButton* m_next = nullptr;
    QToolButton* m_close = nullptr;
};
