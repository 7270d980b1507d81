// lesson_session.cpp — see lesson_session.h.
#include "lessons/lesson_session.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QTimer>
#include <QWidget>
#include <algorithm>
#include <fstream>

#include "bp/errors.h"
#include "bp/io/atomic_file.h"
#include "bp/lesson/catalogue.h"
#include "bp/lesson/lint.h"
#include "core/facts.h"

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QStringList diagnosticLines(const std::vector<bp::lesson::Diagnostic>& diags) {
    QStringList out;
    for (const bp::lesson::Diagnostic& d : diags) out << qs(d.to_string());
    return out;
}

/// A fact's QVariant as the lesson core's value.
std::optional<bp::lesson::Value> toValue(const QVariant& v) {
    if (!v.isValid()) return std::nullopt;
    switch (v.typeId()) {
    case QMetaType::Bool: return bp::lesson::Value{v.toBool()};
    case QMetaType::QString: return bp::lesson::Value{v.toString().toStdString()};
    default: {
        bool ok = false;
        const double d = v.toDouble(&ok);
        if (ok) return bp::lesson::Value{d};
        return bp::lesson::Value{v.toString().toStdString()};
    }
    }
}

}  // namespace

LessonSession::LessonSession(FactRegistry* facts, const QString& lessonsDir, const QString& progressPath, QObject* parent)
    : QObject(parent), m_facts(facts), m_dir(lessonsDir), m_progressPath(progressPath) {
    connect(m_facts, &FactRegistry::factChanged, this, &LessonSession::onFactChanged);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, [this] {
        // Editors save by replacing the file: wait a moment, then re-read it and watch the new one.
        QTimer::singleShot(150, this, &LessonSession::reloadLessonFile);
    });
    if (!m_progressPath.isEmpty() && QFileInfo::exists(m_progressPath)) {
        try {
            m_progress = bp::lesson::load_progress(m_progressPath.toStdString());
        } catch (const std::exception& e) {
            // A damaged progress file is kept aside, never overwritten silently: the learner's record may be in it.
            m_progressError = tr("Your lesson progress could not be read (%1); it was kept as %2.bad and a new record started.")
                                  .arg(QString::fromUtf8(e.what()), m_progressPath);
            QFile::remove(m_progressPath + QStringLiteral(".bad"));
            QFile::rename(m_progressPath, m_progressPath + QStringLiteral(".bad"));
        }
    }
    reloadCourse();
}

LessonSession::~LessonSession() {
    if (isOpen()) {
        accountTime();
        saveProgress();
    }
}

QString LessonSession::defaultLessonsDir() {
    const QString env = qEnvironmentVariable("BP_LESSONS_DIR");
    if (!env.isEmpty()) return env;
#ifdef BP_SOURCE_LESSONS_DIR
    if (QFileInfo::exists(QStringLiteral(BP_SOURCE_LESSONS_DIR) + QStringLiteral("/course.txt")))
        return QStringLiteral(BP_SOURCE_LESSONS_DIR);
#endif
    return QCoreApplication::applicationDirPath() + QStringLiteral("/../share/backprop-studio/lessons");
}

void LessonSession::reloadCourse() {
    const bp::lesson::CourseParse parsed = bp::lesson::parse_course(m_dir.toStdString());
    m_course = parsed.course;
    m_courseErrors = diagnosticLines(parsed.diagnostics);
    emit courseReloaded();
}

const bp::lesson::LessonProgress* LessonSession::progressOf(const QString& lessonId) const {
    auto it = m_progress.lessons.find(lessonId.toStdString());
    return it == m_progress.lessons.end() ? nullptr : &it->second;
}

bp::lesson::LessonProgress& LessonSession::current() { return m_progress.lessons[m_lesson->id]; }

bool LessonSession::open(const QString& id, int step) {
    const QString path = m_dir + QLatin1Char('/') + id + QStringLiteral("/lesson.md");
    if (!QFileInfo::exists(path)) {
        m_lastError = tr("There is no lesson %1 in %2.").arg(id, m_dir);
        return false;
    }
    if (isOpen()) close();
    const bp::lesson::LessonParse parsed = bp::lesson::load_lesson_checked(path.toStdString());
    m_lessonErrors = diagnosticLines(parsed.diagnostics);
    if (parsed.lesson.steps.empty()) {
        m_lastError = m_lessonErrors.isEmpty() ? tr("Lesson %1 has no steps.").arg(id) : m_lessonErrors.join(QLatin1Char('\n'));
        return false;
    }
    m_lesson = parsed.lesson;
    m_watcher.addPath(path);
    const int resume = current().current_step;
    m_step = std::clamp(step >= 0 ? step : resume, 0, stepCount() - 1);
    emit lessonOpened();
    applyStep();
    return true;
}

void LessonSession::close() {
    if (!isOpen()) return;
    accountTime();
    releaseStep();
    saveProgress();
    if (!m_watcher.files().isEmpty()) m_watcher.removePaths(m_watcher.files());
    m_lesson.reset();
    m_check.reset();
    m_checkFacts.clear();
    emit spotlightRequested(nullptr);
    emit lessonClosed();
}

const bp::lesson::Step* LessonSession::step() const {
    if (!m_lesson || m_step < 0 || m_step >= stepCount()) return nullptr;
    return &m_lesson->steps[static_cast<size_t>(m_step)];
}

QWidget* LessonSession::widget(const QString& id) const {
    QWidget* root = m_host.root ? m_host.root() : nullptr;
    if (!root) return nullptr;
    // The visible one first: several pages may hold a widget of the same kind, only one is on screen.
    const QList<QWidget*> all = root->findChildren<QWidget*>(id);
    for (QWidget* w : all)
        if (w->isVisible()) return w;
    return all.isEmpty() ? nullptr : all.first();
}

void LessonSession::applyStep() {
    releaseStep();
    m_stepProblems.clear();
    const bp::lesson::Step* s = step();
    if (!s) return;
    current().current_step = m_step;
    bp::lesson::StepProgress& sp = current().step(static_cast<size_t>(m_step));
    (void)sp;
    if (!s->page.empty() && m_host.showPage && !m_host.showPage(qs(s->page)))
        m_stepProblems << tr("line %1: the page %2 could not be shown").arg(s->page_line).arg(qs(s->page));
    if (!s->tab.empty()) {
        const QString error = m_facts->apply(qs(s->page) + QStringLiteral(".tab"), qs(s->tab));
        if (!error.isEmpty()) m_stepProblems << tr("line %1: tab %2: %3").arg(s->tab_line).arg(qs(s->tab), error);
    }
    for (const bp::lesson::Setting& setting : s->settings) {
        const QString error = m_facts->apply(qs(setting.key), qs(setting.value));
        if (!error.isEmpty()) m_stepProblems << tr("line %1: %2 = %3: %4").arg(setting.line).arg(qs(setting.key), qs(setting.value), error);
    }
    for (const bp::lesson::Item& item : s->hide) {
        if (QWidget* w = widget(qs(item.name))) {
            w->setVisible(false);
            m_hidden << w;
        } else {
            m_stepProblems << tr("line %1: no widget %2 on screen").arg(item.line).arg(qs(item.name));
        }
    }
    for (const bp::lesson::Item& item : s->lock) {
        if (QWidget* w = widget(qs(item.name))) m_locked << w;
        else m_stepProblems << tr("line %1: no widget %2 on screen").arg(item.line).arg(qs(item.name));
    }
    reapplyLocks();
    QWidget* target = s->highlight ? widget(qs(s->highlight->name)) : nullptr;
    if (s->highlight && !target) m_stepProblems << tr("line %1: no widget %2 to point at").arg(s->highlight->line).arg(qs(s->highlight->name));
    emit spotlightRequested(target);

    m_check.reset();
    m_checkFacts.clear();
    m_lastCheck = {};
    if (!s->check.empty()) {
        bp::lesson::ExprError error;
        m_check = bp::lesson::Expression::parse(s->check, &error);
        if (m_check) m_checkFacts = m_check->facts();
        else m_stepProblems << tr("line %1: the check cannot be read: %2").arg(s->check_line).arg(qs(error.message));
    }
    m_stepClock.restart();
    saveProgress();
    emit stepChanged(m_step);
    if (m_check) evaluate(false);  // a check that already holds (the learner did it before) shows at once
}

void LessonSession::releaseStep() {
    for (const QPointer<QWidget>& w : m_hidden)
        if (w) w->setVisible(true);
    for (const QPointer<QWidget>& w : m_locked)
        if (w) w->setEnabled(true);
    m_hidden.clear();
    m_locked.clear();
}

void LessonSession::reapplyLocks() {
    m_relockQueued = false;
    for (const QPointer<QWidget>& w : m_locked)
        if (w) w->setEnabled(false);
}

void LessonSession::onFactChanged(const QString& name) {
    if (!isOpen()) return;
    // Pages enable and disable their controls as runs start and stop: keep what the step locked locked.
    if (!m_locked.isEmpty() && !m_relockQueued) {
        m_relockQueued = true;
        QTimer::singleShot(0, this, &LessonSession::reapplyLocks);
    }
    if (!m_check) return;
    const std::string n = name.toStdString();
    const bool relevant = std::any_of(m_checkFacts.begin(), m_checkFacts.end(), [&](const std::string& f) {
        return f == n || f.rfind(n, 0) == 0;  // the fact itself, or a prefix that was cleared
    });
    if (relevant) evaluate(false);
}

bp::lesson::FactLookup LessonSession::lookup() const {
    return [this](const std::string& name) -> std::optional<bp::lesson::Value> {
        const QString key = qs(name);
        if (!m_facts->has(key)) return std::nullopt;
        return toValue(m_facts->value(key));
    };
}

void LessonSession::evaluate(bool countAttempt) {
    if (!m_check || !isOpen()) return;
    m_lastCheck = m_check->evaluate(lookup());
    bp::lesson::StepProgress& sp = current().step(static_cast<size_t>(m_step));
    if (countAttempt) ++sp.attempts;
    if (m_lastCheck.outcome == bp::lesson::Outcome::Passed) {
        if (sp.status != bp::lesson::StepStatus::Passed && !step()->question) sp.status = bp::lesson::StepStatus::Passed;
    } else if (countAttempt && sp.status != bp::lesson::StepStatus::Passed) {
        sp.status = bp::lesson::StepStatus::NotYet;
    }
    // A step with a question passes when both its check (if any) and its question are done.
    if (step()->question && m_lastCheck.outcome == bp::lesson::Outcome::Passed) {
        const bool answered = std::any_of(sp.answers.begin(), sp.answers.end(), [](const auto& a) { return a.correct; });
        if (answered) sp.status = bp::lesson::StepStatus::Passed;
    }
    saveProgress();
    emit checkChanged(m_lastCheck);
    emit progressChanged();
}

bp::lesson::CheckResult LessonSession::check() {
    if (!m_check) {
        bp::lesson::CheckResult r;
        r.outcome = bp::lesson::Outcome::Passed;
        r.reason = tr("This step has nothing to check.").toStdString();
        return r;
    }
    evaluate(true);
    return m_lastCheck;
}

bool LessonSession::nextAllowed() const {
    const bp::lesson::Step* s = step();
    if (!s) return false;
    if (m_step + 1 >= stepCount()) return false;
    if (!s->require_check) return true;
    return status(m_step) == bp::lesson::StepStatus::Passed;
}

bool LessonSession::next() {
    if (!nextAllowed()) return false;
    accountTime();
    bp::lesson::StepProgress& sp = current().step(static_cast<size_t>(m_step));
    if (sp.status == bp::lesson::StepStatus::NotAttempted && (step()->check.size() || step()->question))
        sp.status = bp::lesson::StepStatus::Skipped;  // moving on without trying is recorded as such
    ++m_step;
    applyStep();
    return true;
}

bool LessonSession::back() {
    if (!isOpen() || m_step == 0) return false;
    accountTime();
    --m_step;
    applyStep();
    return true;
}

bool LessonSession::goTo(int s) {
    if (!isOpen() || s < 0 || s >= stepCount()) return false;
    accountTime();
    m_step = s;
    applyStep();
    return true;
}

void LessonSession::doItForMe() {
    const bp::lesson::Step* s = step();
    if (!s) return;
    for (const bp::lesson::Item& action : s->actions)
        if (!m_facts->run(qs(action.name)))
            m_stepProblems << tr("line %1: no page offers the action %2 yet").arg(action.line).arg(qs(action.name));
    emit stepChanged(m_step);  // the panel shows any problem
}

QString LessonSession::nextHint() {
    const bp::lesson::Step* s = step();
    if (!s) return {};
    bp::lesson::StepProgress& sp = current().step(static_cast<size_t>(m_step));
    if (sp.hints_used >= static_cast<int>(s->hints.size())) return {};
    const QString hint = qs(s->hints[static_cast<size_t>(sp.hints_used)]);
    ++sp.hints_used;
    saveProgress();
    emit progressChanged();
    return hint;
}

int LessonSession::hintsShown() const {
    const bp::lesson::LessonProgress* p = m_lesson ? progressOf(qs(m_lesson->id)) : nullptr;
    if (!p || m_step >= static_cast<int>(p->steps.size())) return 0;
    return p->steps[static_cast<size_t>(m_step)].hints_used;
}

void LessonSession::recordPrediction(const QString& guess) {
    if (!step() || !step()->question) return;
    current().step(static_cast<size_t>(m_step)).predicted = guess.toStdString();
    saveProgress();
    emit progressChanged();
}

bp::lesson::Grade LessonSession::answer(const QString& given) {
    bp::lesson::Grade g;
    const bp::lesson::Step* s = step();
    if (!s || !s->question) {
        g.gradable = false;
        g.feedback = tr("This step asks no question.").toStdString();
        return g;
    }
    g = bp::lesson::grade(*s->question, given.toStdString(), lookup());
    if (!g.gradable) return g;
    bp::lesson::StepProgress& sp = current().step(static_cast<size_t>(m_step));
    ++sp.attempts;
    sp.answers.push_back({given.toStdString(), g.correct});
    const bool checkDone = !m_check || m_lastCheck.outcome == bp::lesson::Outcome::Passed;
    if (g.correct && checkDone) sp.status = bp::lesson::StepStatus::Passed;
    else if (sp.status != bp::lesson::StepStatus::Passed) sp.status = bp::lesson::StepStatus::NotYet;
    saveProgress();
    emit progressChanged();
    return g;
}

QString LessonSession::expectedAnswer() const {
    const bp::lesson::Step* s = step();
    if (!s || !s->question) return {};
    if (s->question->answer_fact.empty()) return qs(s->question->answer);
    const auto v = lookup()(s->question->answer_fact);
    return v ? qs(bp::lesson::value_text(*v)) : QString();
}

bp::lesson::StepStatus LessonSession::status(int s) const {
    const bp::lesson::LessonProgress* p = m_lesson ? progressOf(qs(m_lesson->id)) : nullptr;
    if (!p || s < 0 || s >= static_cast<int>(p->steps.size())) return bp::lesson::StepStatus::NotAttempted;
    return p->steps[static_cast<size_t>(s)].status;
}

void LessonSession::accountTime() {
    if (!isOpen() || !m_stepClock.isValid()) return;
    current().step(static_cast<size_t>(m_step)).seconds += m_stepClock.restart() / 1000.0;
}

void LessonSession::saveProgress() {
    if (m_progressPath.isEmpty()) return;
    try {
        QDir().mkpath(QFileInfo(m_progressPath).absolutePath());
        bp::lesson::save_progress(m_progressPath.toStdString(), m_progress);
    } catch (const std::exception& e) {
        m_progressError = tr("Your lesson progress could not be saved: %1").arg(QString::fromUtf8(e.what()));
    }
}

QString LessonSession::exportProgress(const QString& path) const {
    try {
        const std::string text = path.endsWith(QStringLiteral(".md"), Qt::CaseInsensitive)
                                     ? bp::lesson::export_markdown(m_course, m_progress)
                                     : bp::lesson::to_json(m_progress).dump(2) + "\n";
        bp::io::write_file_atomic(path.toStdString(), text);
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

QString LessonSession::currentSetupAsStep(const QString& pageId) const {
    bp::lesson::Step s;
    s.page = pageId.toStdString();
    for (const auto& [key, value] : m_facts->snapshot(pageId)) s.settings.push_back({key.toStdString(), value.toStdString(), 0});
    return qs(bp::lesson::step_block_text(s));
}

void LessonSession::reloadLessonFile() {
    if (!isOpen()) return;
    const QString path = qs(m_lesson->path);
    if (!m_watcher.files().contains(path) && QFileInfo::exists(path)) m_watcher.addPath(path);
    const bp::lesson::LessonParse parsed = bp::lesson::load_lesson_checked(path.toStdString());
    m_lessonErrors = diagnosticLines(parsed.diagnostics);
    if (!parsed.lesson.steps.empty()) {
        m_lesson = parsed.lesson;
        m_step = std::min(m_step, stepCount() - 1);
    }
    emit lessonOpened();
    applyStep();
}
