// lesson_session.h — LessonSession: the lesson player's logic, without widgets. It loads the course (lessons/
// course.txt and each lesson.md, through bp::lesson), opens a lesson at a step, applies the step to the app
// (shows its page and tab, applies its settings, locks and hides controls, points the spotlight), runs "Do it for
// me" actions, evaluates the step's check whenever a fact it reads changes (never by polling), grades answers,
// hands out hints one at a time, and keeps the learner's progress in the data directory (saved after every
// change; a restart resumes where the learner stopped). It knows pages only through the FactRegistry and the
// widgets' object names; no page knows about it. A lesson file that changes on disk is reloaded at the same step.
#pragma once

#include <QElapsedTimer>
#include <QFileSystemWatcher>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <functional>
#include <optional>

#include "bp/lesson/expression.h"
#include "bp/lesson/grade.h"
#include "bp/lesson/lesson.h"
#include "bp/lesson/progress.h"

class FactRegistry;
class QWidget;

class LessonSession : public QObject {
    Q_OBJECT
public:
    /// What the session needs from the window it plays in.
    struct Host {
        std::function<bool(const QString& pageId)> showPage;  // creates the page if needed
        std::function<QWidget*()> root;                       // where widgets are looked up by object name
    };

    LessonSession(FactRegistry* facts, const QString& lessonsDir, const QString& progressPath, QObject* parent = nullptr);
    ~LessonSession() override;

    /// The folder lessons are read from: $BP_LESSONS_DIR, else the source tree's lessons/, else the installed one.
    static QString defaultLessonsDir();
    void setHost(Host host) { m_host = std::move(host); }

    /// Re-reads course.txt and every lesson; problems (file:line: message) go to courseErrors(), never a crash.
    void reloadCourse();
    const bp::lesson::Course& course() const { return m_course; }
    QStringList courseErrors() const { return m_courseErrors; }
    const bp::lesson::LessonProgress* progressOf(const QString& lessonId) const;
    const bp::lesson::CourseProgress& progress() const { return m_progress; }
    QString progressError() const { return m_progressError; }  ///< a progress file that could not be read
    QString lessonsDir() const { return m_dir; }

    /// Opens lesson `id` at `step` (0-based; -1: where the learner stopped). False with lastError() if unknown.
    bool open(const QString& id, int step = -1);
    void close();
    bool isOpen() const { return m_lesson.has_value(); }
    const bp::lesson::Lesson* lesson() const { return m_lesson ? &*m_lesson : nullptr; }
    QStringList lessonErrors() const { return m_lessonErrors; }  ///< the open lesson's parse and lint problems
    int stepIndex() const { return m_step; }
    int stepCount() const { return m_lesson ? static_cast<int>(m_lesson->steps.size()) : 0; }
    const bp::lesson::Step* step() const;
    QString lastError() const { return m_lastError; }
    /// Problems met while applying the current step (a setting a page refused, a widget not found).
    QStringList stepProblems() const { return m_stepProblems; }

    bool next();  ///< false at the end, or when the step requires its check and it has not passed
    bool back();
    bool goTo(int step);
    bool nextAllowed() const;
    /// Runs the step's `do:` actions in order (records a predict question's guess first, if one was given).
    void doItForMe();
    /// Evaluates the step's check now and counts an attempt. Passed marks the step passed.
    bp::lesson::CheckResult check();
    bp::lesson::CheckResult lastCheck() const { return m_lastCheck; }
    /// The next hint ("" when there are no more); counts it.
    QString nextHint();
    int hintsShown() const;
    /// Records a predict question's guess (graded after the run, by answer()).
    void recordPrediction(const QString& guess);
    /// Grades an answer to the step's question and records it; a correct answer to a question-only step passes it.
    bp::lesson::Grade answer(const QString& given);
    bp::lesson::StepStatus status(int step) const;
    /// The expected answer of the step's question now (a fact's value, or the literal), "" when not known yet.
    QString expectedAnswer() const;
    /// The current page's settings as a ```step block (for a teacher: "Copy current setup as step").
    QString currentSetupAsStep(const QString& pageId) const;
    /// Writes the progress sheet: Markdown for *.md, JSON otherwise. Empty, or the error.
    QString exportProgress(const QString& path) const;
    bp::lesson::FactLookup lookup() const;

signals:
    void courseReloaded();
    void lessonOpened();
    void stepChanged(int index);
    void checkChanged(const bp::lesson::CheckResult& result);
    void progressChanged();
    void lessonClosed();
    void spotlightRequested(QWidget* target);  ///< null: none

private:
    void applyStep();
    void releaseStep();  ///< unlocks and shows what the step locked or hid
    void reapplyLocks();
    void onFactChanged(const QString& name);
    void evaluate(bool countAttempt);
    void saveProgress();
    void accountTime();
    bp::lesson::LessonProgress& current();
    QWidget* widget(const QString& id) const;
    void reloadLessonFile();

    FactRegistry* m_facts;
    QString m_dir, m_progressPath;
    Host m_host;
    bp::lesson::Course m_course;
    QStringList m_courseErrors;
    bp::lesson::CourseProgress m_progress;
    QString m_progressError;
    std::optional<bp::lesson::Lesson> m_lesson;
    QStringList m_lessonErrors;
    int m_step = 0;
    std::optional<bp::lesson::Expression> m_check;
    std::vector<std::string> m_checkFacts;
    bp::lesson::CheckResult m_lastCheck;
    QString m_lastError;
    QStringList m_stepProblems;
    QList<QPointer<QWidget>> m_locked, m_hidden;
    QElapsedTimer m_stepClock;
    QFileSystemWatcher m_watcher;
    bool m_relockQueued = false;
};
