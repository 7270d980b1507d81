// tst_lessons.cpp — the lesson player on the real app: every widget id the lesson catalogue names exists as an
// object name on its page (renaming one fails here), every action and setting the catalogue offers is
// registered by its page, broken lesson files show their file:line problems in the panel without crashing,
// progress survives a restart, a deep link opens the right step on the right page with its spotlight, answers are
// graded against the learner's own facts, the presenter notes follow the step, the current setup copies as a
// step block that lints, and the first lessons (stepping, no training) play to their end with real events.
#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QtTest>

#include "bp/lesson/catalogue.h"
#include "bp/lesson/lesson.h"
#include "bp/lesson/lint.h"
#include "core/facts.h"
#include "lessons/auto_player.h"
#include "lessons/lesson_panel.h"
#include "lessons/lesson_session.h"
#include "lessons/spotlight.h"
#include "main_window.h"
#include "pages/lessons_page.h"
#include "screenshot.h"

namespace {
const QString kLessons = QStringLiteral(BP_SOURCE_DIR "/lessons");

AppContext lessonContext(const QString& progressPath = QString(), const QString& lessonsDir = kLessons) {
    AppContext c;
    c.lessonsDir = lessonsDir;
    c.progressPath = progressPath;
    return c;
}

void copyLesson(const QString& from, const QString& toDir, const QString& id) {
    QDir().mkpath(toDir + QLatin1Char('/') + id);
    QFile::copy(from + QLatin1Char('/') + id + QStringLiteral("/lesson.md"), toDir + QLatin1Char('/') + id + QStringLiteral("/lesson.md"));
}
}  // namespace

class TestLessons : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(QFile::exists(kLessons + QStringLiteral("/course.txt")), "the course is missing");
    }

    void everyCatalogueWidgetExistsOnItsPage() {
        MainWindow w{lessonContext()};
        w.resize(1400, 900);
        w.show();
        QStringList missing;
        for (const bp::lesson::WidgetInfo& info : bp::lesson::widgets()) {
            const QString page = QString::fromUtf8(info.page.data(), static_cast<int>(info.page.size()));
            QVERIFY2(w.showPage(page), qPrintable(page));
            const QString name = QString::fromUtf8(info.name.data(), static_cast<int>(info.name.size()));
            if (!w.page(page)->findChild<QWidget*>(name)) missing << name + QStringLiteral(" (page ") + page + QLatin1Char(')');
        }
        QVERIFY2(missing.isEmpty(), qPrintable(QStringLiteral("no widget with these object names: ") + missing.join(QStringLiteral(", "))));
    }

    void everyCatalogueActionAndSettingIsOffered() {
        MainWindow w{lessonContext()};
        for (const QString& page : MainWindow::pageIds()) w.showPage(page);
        QStringList missing;
        for (const bp::lesson::ActionInfo& a : bp::lesson::actions()) {
            const QString name = QString::fromUtf8(a.name.data(), static_cast<int>(a.name.size()));
            if (!w.facts()->hasAction(name)) missing << name;
        }
        for (const bp::lesson::AppSettingInfo& s : bp::lesson::app_settings()) {
            const QString name = QString::fromUtf8(s.name.data(), static_cast<int>(s.name.size()));
            if (!w.facts()->hasSetter(name)) missing << name;
        }
        for (const std::string& key : {std::string("model"), std::string("lr"), std::string("weight_decay")})
            if (!w.facts()->hasSetter(QString::fromStdString(key))) missing << QString::fromStdString(key);
        QVERIFY2(missing.isEmpty(), qPrintable(QStringLiteral("not offered by any page: ") + missing.join(QStringLiteral(", "))));
    }

    void theCourseIsListedWithProgress() {
        MainWindow w{lessonContext()};
        QVERIFY(w.showPage(QStringLiteral("lessons")));
        auto* page = qobject_cast<LessonsPage*>(w.page(QStringLiteral("lessons")));
        QVERIFY(page);
        QVERIFY(page->courseList()->topLevelItemCount() >= 10);
        QCOMPARE(page->courseList()->topLevelItem(0)->data(0, Qt::UserRole).toString(), QStringLiteral("01-neuron"));
        QVERIFY(w.lessons()->courseErrors().isEmpty());
        // Start opens the selected lesson in the dock beside its page.
        page->findChild<QPushButton*>(QStringLiteral("lessons.start"))->click();
        QVERIFY(w.lessons()->isOpen());
        QCOMPARE(QString::fromStdString(w.lessons()->lesson()->id), QStringLiteral("01-neuron"));
        QVERIFY(w.findChild<QDockWidget*>(QStringLiteral("lessonDock"))->isVisibleTo(&w));
    }

    void brokenLessonFilesShowTheirLineInThePanel_data() {
        QTest::addColumn<QString>("replace");
        QTest::addColumn<QString>("with");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("bad key") << "page: backprop" << "page: backprop\nsparkle: yes" << "sparkle";
        QTest::newRow("unknown fact") << "check: " << "check: run.no_such_fact > 1 and " << "run.no_such_fact";
        QTest::newRow("unknown widget") << "page: backprop" << "page: backprop\nhighlight: backprop.no_such_button" << "backprop.no_such_button";
        QTest::newRow("bad setting") << "page: backprop" << "page: backprop\nset: epochs = -3" << "epochs";
    }
    void brokenLessonFilesShowTheirLineInThePanel() {
        QFETCH(QString, replace);
        QFETCH(QString, with);
        QFETCH(QString, fragment);
        QTemporaryDir dir;
        QFile::copy(kLessons + QStringLiteral("/course.txt"), dir.path() + QStringLiteral("/course.txt"));
        for (const QString& id : QDir(kLessons).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) copyLesson(kLessons, dir.path(), id);
        const QString path = dir.path() + QStringLiteral("/01-neuron/lesson.md");
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QString text = QString::fromUtf8(f.readAll());
        f.close();
        const int at = text.indexOf(replace);
        QVERIFY(at >= 0);
        const int line = text.left(at).count(QLatin1Char('\n')) + 1 + (with.startsWith(replace + QLatin1Char('\n')) ? 1 : 0);
        text.replace(at, replace.size(), with);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text.toUtf8());
        f.close();

        MainWindow w{lessonContext(QString(), dir.path())};
        w.show();
        QVERIFY(w.openLesson(QStringLiteral("01-neuron"), 0));  // a broken lesson still opens: the panel says what is wrong
        const QString problems = w.lessons()->lessonErrors().join(QLatin1Char('\n'));
        QVERIFY2(problems.contains(QStringLiteral("lesson.md:%1:").arg(line)), qPrintable(problems));
        QVERIFY2(problems.contains(fragment), qPrintable(problems));
        QLabel* shown = w.lessonPanel()->problemsLabel();
        QVERIFY(shown->isVisibleTo(w.lessonPanel()));
        QVERIFY(shown->text().contains(fragment));
    }

    void progressSurvivesARestart() {
        QTemporaryDir dir;
        const QString progress = dir.path() + QStringLiteral("/lesson-progress.json");
        {
            MainWindow w{lessonContext(progress)};
            w.show();
            QVERIFY(w.openLesson(QStringLiteral("01-neuron"), 0));
            LessonPanel* panel = w.lessonPanel();
            // Step 1 asks a question: a wrong answer, then the right one, both recorded.
            panel->setGivenAnswer(QStringLiteral("999"));
            panel->answerButton()->click();
            QVERIFY(panel->feedbackLabel()->text().contains(QStringLiteral("Not quite")));
            panel->setGivenAnswer(w.lessons()->expectedAnswer());
            panel->answerButton()->click();
            QCOMPARE(w.lessons()->status(0), bp::lesson::StepStatus::Passed);
            panel->hintButton()->click();
            // The clicker's key, PageDown, is the Lessons menu's Next step.
            QAction* next = nullptr;
            for (QAction* a : w.findChildren<QAction*>())
                if (a->shortcut() == QKeySequence(Qt::Key_PageDown)) next = a;
            QVERIFY(next);
            next->trigger();
            next->trigger();
            QCOMPARE(w.lessons()->stepIndex(), 2);
        }
        MainWindow again{lessonContext(progress)};
        const bp::lesson::LessonProgress* p = again.lessons()->progressOf(QStringLiteral("01-neuron"));
        QVERIFY(p);
        QCOMPARE(p->current_step, 2);
        QCOMPARE(p->steps[0].status, bp::lesson::StepStatus::Passed);
        QCOMPARE(p->steps[0].attempts, 2);
        QCOMPARE(p->steps[0].hints_used, 1);
        QCOMPARE(static_cast<int>(p->steps[0].answers.size()), 2);
        QVERIFY(again.openLesson(QStringLiteral("01-neuron")));  // no step: resumes where the learner stopped
        QCOMPARE(again.lessons()->stepIndex(), 2);
        // Export my progress: a sheet that names the lesson and the answers.
        const QString sheet = dir.path() + QStringLiteral("/sheet.md");
        QCOMPARE(again.lessons()->exportProgress(sheet), QString());
        QFile f(sheet);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        QVERIFY(text.contains(QStringLiteral("What a neuron computes")));
        QVERIFY(text.contains(QStringLiteral("999")));
    }

    void aCorruptProgressFileIsKeptAsideNotLost() {
        QTemporaryDir dir;
        const QString progress = dir.path() + QStringLiteral("/lesson-progress.json");
        QFile f(progress);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"lessons\": [1, 2");
        f.close();
        MainWindow w{lessonContext(progress)};
        QVERIFY(!w.lessons()->progressError().isEmpty());
        QVERIFY(QFile::exists(progress + QStringLiteral(".bad")));
    }

    void deepLinkOpensTheStepOnItsPageWithTheSpotlight() {
        MainWindow w{lessonContext()};
        w.resize(1400, 900);
        w.show();
        const bp::lesson::LessonParse lesson = bp::lesson::parse_lesson_file((kLessons + QStringLiteral("/02-xor-by-hand/lesson.md")).toStdString());
        int step = -1;
        for (size_t i = 0; i < lesson.lesson.steps.size() && step < 0; ++i)
            if (lesson.lesson.steps[i].highlight && !lesson.lesson.steps[i].page.empty()) step = static_cast<int>(i);
        QVERIFY(step >= 0);
        const bp::lesson::Step& s = lesson.lesson.steps[static_cast<size_t>(step)];
        QVERIFY(w.openLesson(QStringLiteral("02-xor-by-hand"), step));
        QCOMPARE(w.lessons()->stepIndex(), step);
        QCOMPARE(w.currentPageId(), QString::fromStdString(s.page));
        QCOMPARE(w.facts()->value(QStringLiteral("app.page")).toString(), QString::fromStdString(s.page));
        QVERIFY(w.spotlight()->isVisible());
        QCOMPARE(w.spotlight()->target()->objectName(), QString::fromStdString(s.highlight->name));
        QVERIFY(!w.spotlight()->targetRect().isEmpty());
        // Closing the lesson removes the spotlight and the dock.
        w.lessons()->close();
        QVERIFY(!w.spotlight()->isVisible());
    }

    void presenterNotesFollowTheStep() {
        MainWindow w{lessonContext()};
        w.show();
        QVERIFY(w.openLesson(QStringLiteral("01-neuron"), 1));
        w.showPresenterNotes();
        auto* notes = qobject_cast<QTextBrowser*>(w.presenterNotes());
        QVERIFY(notes && notes->isVisible());
        QVERIFY(notes->toPlainText().contains(QString::fromStdString(w.lessons()->step()->title)));
        w.lessons()->next();
        QVERIFY(notes->toPlainText().contains(QString::fromStdString(w.lessons()->step()->title)));
    }

    void currentSetupCopiesAsAStepThatLints() {
        MainWindow w{lessonContext()};
        w.showPage(QStringLiteral("train"));
        QVERIFY(w.facts()->apply(QStringLiteral("lr"), QStringLiteral("0.05")).isEmpty());
        QVERIFY(!w.facts()->apply(QStringLiteral("epochs"), QStringLiteral("zero")).isEmpty());  // the engine's validation says no
        const QString block = w.lessons()->currentSetupAsStep(QStringLiteral("train"));
        QVERIFY(block.contains(QStringLiteral("page: train")));
        QVERIFY(block.contains(QStringLiteral("set: lr = 0.05")));
        const std::string lesson = "---\nid: x\ntitle: X\nminutes: 5\n---\n\n## A step\nText.\n\n" + block.toStdString() + "\n";
        const bp::lesson::LessonParse parsed = bp::lesson::parse_lesson_text(lesson, "x/lesson.md");
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.diagnostics.front().to_string().c_str());
        QVERIFY(bp::lesson::check_settings(parsed.lesson.steps.front(), "x/lesson.md").empty());
    }

    void questionAnswersComeFromTheLearnersOwnFacts() {
        MainWindow w{lessonContext()};
        w.show();
        // Every question whose answer is a fact: the expected answer is that fact's current value, and the panel
        // grades the learner's input against it.
        int checked = 0;
        for (const bp::lesson::Lesson& l : w.lessons()->course().lessons) {
            for (size_t i = 0; i < l.steps.size(); ++i) {
                const bp::lesson::Step& s = l.steps[i];
                if (!s.question || s.question->answer_fact.empty()) continue;
                QVERIFY(w.openLesson(QString::fromStdString(l.id), static_cast<int>(i)));
                const QString fact = QString::fromStdString(s.question->answer_fact);
                const bool pair = s.question->kind == bp::lesson::QuestionKind::Pair;
                const bool text = s.question->kind == bp::lesson::QuestionKind::Choice;
                const QVariant value = pair ? QVariant(QStringLiteral("4,9")) : text ? QVariant(QString::fromStdString(s.question->choices.front().name))
                                                                                    : QVariant(0.5);
                w.facts()->set(fact, value);
                const QString expected = w.lessons()->expectedAnswer();
                QCOMPARE(expected, pair ? QStringLiteral("4,9") : value.toString());
                w.lessonPanel()->setGivenAnswer(pair ? QStringLiteral("4 -> 9") : expected);
                w.lessonPanel()->answerButton()->click();
                QVERIFY2(w.lessonPanel()->feedbackLabel()->text().contains(QStringLiteral("Right")),
                         qPrintable(QStringLiteral("%1 step %2").arg(QString::fromStdString(l.id)).arg(i + 1)));
                ++checked;
            }
        }
        QVERIFY2(checked >= 3, "the course should ask at least three questions about the learner's own run");
    }

    void lessonsPageRendersOffscreen() {
        QTemporaryDir dir;
        MainWindow w{lessonContext()};
        ScreenshotRequest r;
        r.page = QStringLiteral("lessons");
        r.outPath = dir.path() + QStringLiteral("/lessons.png");
        r.size = QSize(1280, 800);
        QCOMPARE(renderScreenshot(w, r), 0);
        QImage img(r.outPath);
        QCOMPARE(img.size(), QSize(1280, 800));
    }

    void steppingLessonsPlayToTheEnd_data() {
        QTest::addColumn<QString>("id");
        QTest::newRow("01") << "01-neuron";
        QTest::newRow("02") << "02-xor-by-hand";
    }
    void steppingLessonsPlayToTheEnd() {
        QFETCH(QString, id);
        MainWindow w{lessonContext()};
        w.resize(1400, 900);
        w.show();
        const AutoPlayResult r = autoPlayLesson(w, id, 120000);
        QVERIFY2(r.ok, qPrintable(r.failure + QLatin1Char('\n') + r.log.join(QLatin1Char('\n'))));
        QCOMPARE(r.stepsPassed, w.lessons()->stepCount());
    }
};

QTEST_MAIN(TestLessons)
#include "tst_lessons.moc"
