// auto_player.cpp — see auto_player.h.
#include "lessons/auto_player.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QLabel>
#include <QPushButton>
#include <QTimer>

#include "core/facts.h"
#include "lessons/lesson_panel.h"
#include "lessons/lesson_session.h"
#include "main_window.h"

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

/// True while a page is still working on something a step started (a run, a quick ViT, a GPT run).
bool busy(const FactRegistry& facts) {
    const QString state = facts.value(QStringLiteral("run.state")).toString();
    return state == QLatin1String("running") || state == QLatin1String("paused") || state == QLatin1String("loading") ||
           state == QLatin1String("starting") ||
           facts.value(QStringLiteral("gpt.running")).toBool() || facts.value(QStringLiteral("vit.training")).toBool();
}

/// Runs the event loop until `done()` holds or `timeoutMs` passes, waking on every fact change.
bool waitFor(FactRegistry& facts, const std::function<bool()>& done, int timeoutMs) {
    if (done()) return true;
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    const auto c = QObject::connect(&facts, &FactRegistry::factChanged, &loop, [&] {
        if (done()) loop.quit();
    });
    timeout.start(timeoutMs);
    loop.exec();
    QObject::disconnect(c);
    return done();
}

QString factsText(const FactRegistry& facts, const std::vector<std::string>& names) {
    QStringList parts;
    for (const std::string& n : names) {
        const QString key = qs(n);
        parts << QStringLiteral("%1=%2").arg(key, facts.has(key) ? facts.value(key).toString() : QStringLiteral("(none)"));
    }
    return parts.join(QStringLiteral(" "));
}

}  // namespace

AutoPlayResult autoPlayLesson(MainWindow& window, const QString& id, int stepTimeoutMs) {
    AutoPlayResult result;
    LessonSession* session = window.lessons();
    FactRegistry& facts = *window.facts();
    LessonPanel* panel = window.lessonPanel();
    if (!window.openLesson(id, 0)) {
        result.failure = session->lastError();
        return result;
    }
    if (!session->lessonErrors().isEmpty()) {
        result.failure = session->lessonErrors().join(QLatin1Char('\n'));
        return result;
    }
    for (int i = 0; i < session->stepCount(); ++i) {
        if (session->stepIndex() != i && !session->goTo(i)) break;
        const bp::lesson::Step* s = session->step();
        const QString title = QStringLiteral("step %1/%2 \"%3\"").arg(i + 1).arg(session->stepCount()).arg(qs(s->title));
        if (!session->stepProblems().isEmpty()) {
            result.failure = title + QStringLiteral(": ") + session->stepProblems().join(QStringLiteral("; "));
            return result;
        }
        if (s->question && s->question->predict) {  // a guess before the run: the first choice, or 0
            panel->setGivenAnswer(s->question->choices.empty() ? QStringLiteral("0") : qs(s->question->choices.front().name));
        }
        if (panel->doButton()->isEnabled()) panel->doButton()->click();
        if (!session->stepProblems().isEmpty()) {
            result.failure = title + QStringLiteral(": ") + session->stepProblems().join(QStringLiteral("; "));
            return result;
        }
        // Wait for what the actions started to finish, then for the check. A page may look idle for a moment between
        // loading its data and starting the run it was asked for: idle counts only when it stays idle a while.
        QElapsedTimer waited;
        waited.start();
        for (;;) {
            waitFor(facts, [&] { return !busy(facts); }, stepTimeoutMs);
            QEventLoop settle;
            QTimer::singleShot(300, &settle, &QEventLoop::quit);
            settle.exec();
            if (!busy(facts) || waited.elapsed() > stepTimeoutMs) break;
        }
        QString line = title;
        if (!s->check.empty()) {
            const bool passed = waitFor(facts, [&] { return session->check().outcome == bp::lesson::Outcome::Passed; }, 2000);
            const auto parsed = bp::lesson::Expression::parse(s->check, nullptr);
            line += QStringLiteral(" check %1: %2 [%3]")
                        .arg(passed ? QStringLiteral("passed") : QStringLiteral("FAILED"), qs(session->lastCheck().reason),
                             parsed ? factsText(facts, parsed->facts()) : QString());
            if (!passed) {
                result.log << line;
                result.failure = line;
                return result;
            }
        }
        if (s->question) {
            const QString expected = session->expectedAnswer();
            panel->setGivenAnswer(expected);
            panel->answerButton()->click();
            const bool correct = session->status(i) == bp::lesson::StepStatus::Passed;
            line += QStringLiteral(" question answered %1: %2").arg(expected, correct ? QStringLiteral("right") : QStringLiteral("WRONG"));
            if (!correct) {
                result.log << line;
                result.failure = line + QStringLiteral(" (") + panel->feedbackLabel()->text() + QStringLiteral(")");
                return result;
            }
        }
        ++result.stepsPassed;
        result.log << line;
    }
    result.ok = result.stepsPassed == session->stepCount();
    return result;
}
