// tst_lessons_play_slow.cpp — every lesson of the course played to its end on the real app with real training on
// the lesson's data limits and seeds: "Do it for me" clicked on the panel, each check waited for on the facts
// the pages publish, each question answered with what the step computes from the learner's own run (which must
// equal the fact it names). A lesson whose threshold no longer holds on the real results fails here.
#include <QStandardPaths>
#include <QtTest>

#include "bp/lesson/lesson.h"
#include "lessons/auto_player.h"
#include "lessons/lesson_session.h"
#include "main_window.h"

class TestLessonsPlay : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void lessonPlaysToTheEnd_data() {
        QTest::addColumn<QString>("id");
        const bp::lesson::CourseParse course = bp::lesson::parse_course(BP_SOURCE_DIR "/lessons");
        QVERIFY(course.ok());
        for (const bp::lesson::Lesson& l : course.course.lessons) QTest::newRow(l.id.c_str()) << QString::fromStdString(l.id);
    }
    void lessonPlaysToTheEnd() {
        QFETCH(QString, id);
        AppContext c;
        c.lessonsDir = QStringLiteral(BP_SOURCE_DIR "/lessons");
        MainWindow w{c};
        w.resize(1400, 900);
        w.show();
        const AutoPlayResult r = autoPlayLesson(w, id, 600000);
        qInfo().noquote() << r.log.join(QLatin1Char('\n'));
        QVERIFY2(r.ok, qPrintable(r.failure));
        QCOMPARE(r.stepsPassed, w.lessons()->stepCount());
    }
};

QTEST_MAIN(TestLessonsPlay)
#include "tst_lessons_play_slow.moc"
