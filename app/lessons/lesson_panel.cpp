// lesson_panel.cpp — see lesson_panel.h.
#include "lessons/lesson_panel.h"

#include <QAction>
#include <QButtonGroup>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/theme.h"
#include "lessons/lesson_session.h"

namespace {
QString qs(const std::string& s) { return QString::fromStdString(s); }
QLabel* wrapLabel(const QString& name) {
    auto* l = new QLabel;
    l->setObjectName(name);
    l->setWordWrap(true);
    l->setTextFormat(Qt::RichText);
    return l;
}
}  // namespace

LessonPanel::LessonPanel(LessonSession* session, QWidget* parent) : QWidget(parent), m_session(session) {
    setObjectName(QStringLiteral("lessonPanel"));
    setMinimumWidth(360);
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(10, 10, 10, 10);
    v->setSpacing(8);

    auto* top = new QHBoxLayout;
    m_title = wrapLabel(QStringLiteral("lesson.title"));
    m_close = new QToolButton;
    m_close->setText(QStringLiteral("✕"));
    m_close->setAutoRaise(true);
    m_close->setObjectName(QStringLiteral("lesson.close"));
    m_close->setToolTip(tr("Close the lesson (Esc); your progress is kept"));
    top->addWidget(m_title, 1);
    top->addWidget(m_close, 0, Qt::AlignTop);
    v->addLayout(top);
    m_stepLine = wrapLabel(QStringLiteral("lesson.step"));
    v->addWidget(m_stepLine);
    m_problems = wrapLabel(QStringLiteral("lesson.problems"));
    m_problems->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problems->hide();
    v->addWidget(m_problems);

    m_prose = new QTextBrowser;
    m_prose->setObjectName(QStringLiteral("lesson.prose"));
    m_prose->setOpenExternalLinks(false);
    v->addWidget(m_prose, 1);

    m_questionBox = new QGroupBox(tr("Question"));
    m_questionBox->setObjectName(QStringLiteral("lesson.question"));
    auto* qv = new QVBoxLayout(m_questionBox);
    m_questionPrompt = wrapLabel(QStringLiteral("lesson.question_prompt"));
    m_choices = new QWidget;
    m_choicesLayout = new QVBoxLayout(m_choices);
    m_choicesLayout->setContentsMargins(0, 0, 0, 0);
    m_choiceGroup = new QButtonGroup(this);
    m_input = new QLineEdit;
    m_input->setObjectName(QStringLiteral("lesson.answer_input"));
    m_answer = new QPushButton(tr("Answer"));
    m_answer->setObjectName(QStringLiteral("lesson.answer"));
    m_feedback = wrapLabel(QStringLiteral("lesson.feedback"));
    auto* answerRow = new QHBoxLayout;
    answerRow->addWidget(m_input, 1);
    answerRow->addWidget(m_answer);
    qv->addWidget(m_questionPrompt);
    qv->addWidget(m_choices);
    qv->addLayout(answerRow);
    qv->addWidget(m_feedback);
    v->addWidget(m_questionBox);

    m_status = wrapLabel(QStringLiteral("lesson.status"));
    m_hints = wrapLabel(QStringLiteral("lesson.hints"));
    v->addWidget(m_status);
    v->addWidget(m_hints);

    auto* buttons = new QGridLayout;
    m_back = new QPushButton(tr("← Back"));
    m_back->setObjectName(QStringLiteral("lesson.back"));
    m_do = new QPushButton(tr("Do it for me"));
    m_do->setObjectName(QStringLiteral("lesson.do"));
    m_do->setToolTip(tr("Let the app do this step's actions (start the training, step the pass, …)"));
    m_check = new QPushButton(tr("Check"));
    m_check->setObjectName(QStringLiteral("lesson.check"));
    m_check->setToolTip(tr("Check your result now (Space)"));
    m_hint = new QPushButton(tr("Hint"));
    m_hint->setObjectName(QStringLiteral("lesson.hint"));
    m_next = new QPushButton(tr("Next →"));
    m_next->setObjectName(QStringLiteral("lesson.next"));
    buttons->addWidget(m_do, 0, 0, 1, 2);
    buttons->addWidget(m_check, 0, 2);
    buttons->addWidget(m_hint, 0, 3);
    buttons->addWidget(m_back, 1, 0, 1, 2);
    buttons->addWidget(m_next, 1, 2, 1, 2);
    for (QPushButton* b : {m_back, m_do, m_check, m_hint, m_next}) b->setMinimumHeight(32);
    v->addLayout(buttons);

    connect(m_close, &QToolButton::clicked, this, &LessonPanel::closeRequested);
    connect(m_back, &QPushButton::clicked, m_session, &LessonSession::back);
    connect(m_next, &QPushButton::clicked, m_session, &LessonSession::next);
    connect(m_do, &QPushButton::clicked, this, [this] {
        // A predict question records the guess before the run it predicts.
        const bp::lesson::Step* s = m_session->step();
        if (s && s->question && s->question->predict && !givenAnswer().isEmpty()) m_session->recordPrediction(givenAnswer());
        m_session->doItForMe();
    });
    connect(m_check, &QPushButton::clicked, this, [this] {
        m_session->check();
        showCheck();
    });
    connect(m_hint, &QPushButton::clicked, this, [this] {
        m_session->nextHint();
        refresh();
    });
    connect(m_answer, &QPushButton::clicked, this, &LessonPanel::submitAnswer);
    connect(m_input, &QLineEdit::returnPressed, this, &LessonPanel::submitAnswer);
    connect(m_session, &LessonSession::stepChanged, this, &LessonPanel::refresh);
    connect(m_session, &LessonSession::lessonOpened, this, &LessonPanel::refresh);
    connect(m_session, &LessonSession::checkChanged, this, &LessonPanel::showCheck);
    connect(m_session, &LessonSession::progressChanged, this, [this] { m_next->setEnabled(m_session->nextAllowed()); });

    // Keys while the panel has focus; PageDown / PageUp (a presenter's clicker) work window-wide (MainWindow).
    const std::pair<QKeySequence, std::function<void()>> keys[] = {
        {QKeySequence(Qt::Key_Right), [this] { m_session->next(); }},
        {QKeySequence(Qt::Key_Left), [this] { m_session->back(); }},
        {QKeySequence(Qt::Key_Space), [this] { m_check->click(); }},
        {QKeySequence(Qt::Key_Escape), [this] { emit closeRequested(); }},
    };
    for (const auto& [key, fn] : keys) {
        auto* a = new QAction(this);
        a->setShortcut(key);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(a, &QAction::triggered, this, fn);
        addAction(a);
    }
    refresh();
}

void LessonPanel::refresh() {
    const bp::lesson::Lesson* lesson = m_session->lesson();
    const bp::lesson::Step* s = m_session->step();
    QStringList problems = m_session->lessonErrors();
    problems << m_session->stepProblems();
    for (QString& p : problems) p = p.toHtmlEscaped();
    m_problems->setVisible(!problems.isEmpty());
    m_problems->setText(QStringLiteral("<span style='color:#d1242f'><b>%1</b><br>%2</span>")
                            .arg(tr("This lesson has problems:"), problems.join(QStringLiteral("<br>"))));
    if (!lesson || !s) {
        m_title->setText(tr("<b>No lesson open</b>"));
        m_stepLine->clear();
        m_prose->clear();
        m_questionBox->hide();
        for (QPushButton* b : {m_back, m_do, m_check, m_hint, m_next}) b->setEnabled(false);
        return;
    }
    const double scale = theme::fontScale(m_appearance);
    const double pt = theme::baseFont().pointSizeF() * scale;
    m_title->setText(QStringLiteral("<span style='font-size:%1pt'><b>%2</b></span>").arg(pt * 1.35, 0, 'f', 1).arg(qs(lesson->title).toHtmlEscaped()));
    m_stepLine->setText(tr("Step %1 of %2 — <b>%3</b>").arg(m_session->stepIndex() + 1).arg(m_session->stepCount()).arg(qs(s->title).toHtmlEscaped()));
    m_prose->setSearchPaths({QFileInfo(qs(lesson->path)).absolutePath()});
    QFont f = theme::baseFont();
    f.setPointSizeF(pt * 1.1);
    m_prose->document()->setDefaultFont(f);
    m_prose->setMarkdown(qs(s->markdown));
    rebuildQuestion();
    const int shown = m_session->hintsShown();
    QStringList hints;
    for (int i = 0; i < shown && i < static_cast<int>(s->hints.size()); ++i)
        hints << tr("💡 Hint %1: %2").arg(i + 1).arg(qs(s->hints[static_cast<size_t>(i)]).toHtmlEscaped());
    m_hints->setText(hints.join(QStringLiteral("<br>")));
    m_hint->setEnabled(shown < static_cast<int>(s->hints.size()));
    m_hint->setText(s->hints.empty() ? tr("Hint") : tr("Hint (%1 left)").arg(static_cast<int>(s->hints.size()) - shown));
    m_do->setEnabled(!s->actions.empty());
    m_check->setEnabled(!s->check.empty());
    m_back->setEnabled(m_session->stepIndex() > 0);
    m_next->setEnabled(m_session->nextAllowed());
    m_next->setText(m_session->stepIndex() + 1 >= m_session->stepCount() ? tr("Last step") : tr("Next →"));
    showCheck();
}

void LessonPanel::showCheck() {
    const bp::lesson::Step* s = m_session->step();
    if (!s || s->check.empty()) {
        m_status->setText(s && !s->check.empty() ? QString() : QString());
        m_next->setEnabled(m_session->nextAllowed());
        return;
    }
    const bp::lesson::CheckResult r = m_session->lastCheck();
    const bool dark = m_appearance.dark;
    switch (r.outcome) {
    case bp::lesson::Outcome::Passed:
        m_status->setText(QStringLiteral("<span style='color:%1'><b>✓ %2</b></span> %3")
                              .arg(dark ? "#7ee08a" : "#1a7f37", tr("Done."), qs(r.reason).toHtmlEscaped()));
        break;
    case bp::lesson::Outcome::NotYet:
        m_status->setText(QStringLiteral("<b>%1</b> %2").arg(tr("Not yet:"), qs(r.reason).toHtmlEscaped()));
        break;
    case bp::lesson::Outcome::Error:
        m_status->setText(QStringLiteral("<span style='color:#d1242f'><b>%1</b> %2</span>").arg(tr("The check failed:"), qs(r.reason).toHtmlEscaped()));
        break;
    }
    m_next->setEnabled(m_session->nextAllowed());
}

void LessonPanel::rebuildQuestion() {
    const bp::lesson::Step* s = m_session->step();
    for (QAbstractButton* b : m_choiceGroup->buttons()) {
        m_choiceGroup->removeButton(b);
        delete b;
    }
    m_feedback->clear();
    m_input->clear();
    if (!s || !s->question) {
        m_questionBox->hide();
        return;
    }
    const bp::lesson::Question& q = *s->question;
    m_questionBox->show();
    m_questionBox->setTitle(q.predict ? tr("Predict first") : tr("Question"));
    m_questionPrompt->setText(qs(q.prompt).toHtmlEscaped() +
                              (q.predict ? tr("<br><i>Give your guess before you run it: it is kept and graded after the run.</i>") : QString()));
    const bool choice = q.kind == bp::lesson::QuestionKind::Choice;
    m_choices->setVisible(choice);
    m_input->setVisible(!choice);
    m_input->setPlaceholderText(q.kind == bp::lesson::QuestionKind::Pair ? tr("two numbers, e.g. 4 9") : tr("a number"));
    int id = 0;
    for (const bp::lesson::Item& c : q.choices) {
        auto* b = new QRadioButton(qs(c.name));
        b->setObjectName(QStringLiteral("lesson.choice_%1").arg(id));
        m_choiceGroup->addButton(b, id++);
        m_choicesLayout->addWidget(b);
    }
    m_answer->setText(q.predict ? tr("Answer (after the run)") : tr("Answer"));
}

QString LessonPanel::givenAnswer() const {
    const bp::lesson::Step* s = m_session->step();
    if (!s || !s->question) return {};
    if (s->question->kind == bp::lesson::QuestionKind::Choice) {
        QAbstractButton* b = m_choiceGroup->checkedButton();
        return b ? b->text() : QString();
    }
    return m_input->text().trimmed();
}

void LessonPanel::setGivenAnswer(const QString& text) {
    for (QAbstractButton* b : m_choiceGroup->buttons())
        if (b->text().compare(text, Qt::CaseInsensitive) == 0) b->setChecked(true);
    m_input->setText(text);
}

void LessonPanel::submitAnswer() {
    const QString given = givenAnswer();
    if (given.isEmpty()) {
        m_feedback->setText(tr("Choose or type an answer first."));
        return;
    }
    const bp::lesson::Grade g = m_session->answer(given);
    const bool dark = m_appearance.dark;
    if (!g.gradable) m_feedback->setText(qs(g.feedback).toHtmlEscaped());
    else if (g.correct)
        m_feedback->setText(QStringLiteral("<span style='color:%1'><b>✓ %2</b></span> %3")
                                .arg(dark ? "#7ee08a" : "#1a7f37", tr("Right."), qs(g.feedback).toHtmlEscaped()));
    else
        m_feedback->setText(QStringLiteral("<b>%1</b> %2").arg(tr("Not quite."), qs(g.feedback).toHtmlEscaped()));
    m_next->setEnabled(m_session->nextAllowed());
}

void LessonPanel::revealAnswer() {
    const QString expected = m_session->expectedAnswer();
    m_feedback->setText(expected.isEmpty() ? tr("The answer is known once the step has run.")
                                           : tr("The answer: <b>%1</b>").arg(expected.toHtmlEscaped()));
}

void LessonPanel::applyAppearance(const Appearance& a) {
    m_appearance = a;
    setMinimumWidth(a.presentation ? 460 : 360);
    QFont f = theme::baseFont();
    f.setPointSizeF(f.pointSizeF() * theme::fontScale(a));
    setFont(f);  // the question, the buttons and the status read from the back of the room too
    refresh();
}
