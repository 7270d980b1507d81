// tst_lesson_lint.cpp — `lesson lint` on fixture files: each broken lesson under tests/data/lessons/broken
// gives exactly its one file:line error; course.txt mistakes (missing folder, unknown or later prerequisite,
// duplicate, cycle); the clean fixture course; the catalogue's own consistency and that lessons/README.md
// holds its current table; the `backprop lesson` command; and the repository's real lessons/ when it exists.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <set>

#include "bp/lesson/catalogue.h"
#include "bp/lesson/lint.h"
#include "bp/train/config_keys.h"
#include "engine/cli_test_util.h"

using namespace bp::lesson;

namespace {

const QString kData = QStringLiteral(BP_SOURCE_DIR "/tests/data/lessons");

QString dump(const std::vector<Diagnostic>& ds) {
    QString out;
    for (const auto& d : ds) out += QString::fromStdString(d.to_string()) + "\n";
    return out;
}

bool backprop_built() {
    return QFile::exists(QStringLiteral(BP_BINARY_DIR "/engine/backprop"));
}

}  // namespace

class TestLessonLint : public QObject {
    Q_OBJECT

private slots:
    void brokenLesson_data();
    void brokenLesson();
    void brokenCourse_data();
    void brokenCourse();
    void loadCheckedKeepsTheLesson();
    void goodCourseIsClean();
    void checkSettingsAppliesInOrder();
    void appSettings_data();
    void appSettings();
    void catalogueIsConsistent();
    void closestName_data();
    void closestName();
    void readmeHoldsTheCatalogue();
    void readmeExampleIsClean();
    void truncatedFilesNeverThrow();
    void cli();
    void realLessons();
};

void TestLessonLint::brokenLesson_data() {
    QTest::addColumn<QString>("name");  // folder under broken/
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("message");  // fragment
    // Step-block keys: the fixture's extra lines start at line 19 (make_fixtures.py, TEMPLATE).
    QTest::newRow("unknown key") << "bad-key" << 19
                                 << "unknown step key 'hihglight' (did you mean 'highlight'?)";
    QTest::newRow("unknown fact") << "unknown-fact" << 18
                                  << "unknown fact 'run.test_acuracy' (did you mean 'run.test_accuracy'?)";
    QTest::newRow("check syntax") << "check-syntax" << 18 << "found the end (column 17";
    QTest::newRow("check single =") << "check-equals" << 18 << "use == to compare (column 36";
    QTest::newRow("unknown widget in lock")
        << "unknown-widget" << 19 << "lock: unknown widget id 'train.modle' (did you mean 'train.model'?)";
    QTest::newRow("unknown widget highlighted")
        << "unknown-widget-highlight" << 19 << "highlight: unknown widget id 'train.strat'";
    QTest::newRow("highlight on another page") << "highlight-other-page" << 19
                                               << "backprop.graph is on the backprop page, but this step shows the train page";
    QTest::newRow("unknown action") << "unknown-action" << 19 << "do: unknown action 'train.begin'";
    QTest::newRow("unknown page") << "unknown-page" << 15 << "unknown page 'trian' (did you mean 'train'?)";
    QTest::newRow("unknown tab") << "unknown-tab" << 16
                                 << "unknown tab 'vit' on page 'backprop'; its tabs are stepper, update, flow";
    QTest::newRow("setting out of range") << "bad-setting-range" << 19 << "learning rate = 50";
    QTest::newRow("setting not a number")
        << "bad-setting-text" << 19 << "batch_size = 'many' is not valid; use a whole number";
    QTest::newRow("unknown setting") << "unknown-setting" << 19
                                     << "unknown setting 'learning_rate'; training settings: model";
    QTest::newRow("model not in zoo") << "bad-model" << 19 << "unknown name 'resnet50'; the zoo has: mlp";
    QTest::newRow("app setting choice")
        << "bad-app-setting" << 19 << "backprop.example = lstm is not one of: neuron, xor, mlp";
    QTest::newRow("app setting range")
        << "app-setting-range" << 19 << "draw.digit = 10000 is out of range; use an integer from 0 to 9999";
    QTest::newRow("dataset not in front matter")
        << "dataset-not-listed" << 19 << "does not list fashion-mnist";
    QTest::newRow("choice answer") << "choice-answer" << 23
                                   << "answer: 'tanh' is not one of the choices: relu, sigmoid";
    QTest::newRow("choice feedback") << "choice-feedback" << 24
                                     << "feedback: for 'tanh', which is not one of the choices";
    QTest::newRow("number answer") << "number-answer" << 21 << "'about half' is not a number";
    QTest::newRow("pair answer") << "pair-answer" << 21 << "'4' is not a pair";
    QTest::newRow("answer fact kind")
        << "answer-fact-kind" << 21 << "run.most_confused is a pair, which does not fit a number question";
    QTest::newRow("answer fact unknown")
        << "answer-fact-unknown" << 21
        << "unknown fact 'run.most_confusing' (did you mean 'run.most_confused'?)";
    QTest::newRow("question key alone")
        << "question-key-without-question" << 19 << "prompt: belongs to a question";
    QTest::newRow("question kind") << "question-kind" << 19
                                   << "'essay' is not a question kind; use choice, number or pair";
    QTest::newRow("key twice") << "duplicate-key" << 19
                               << "page: given twice in this step (first on line 15)";
    QTest::newRow("require value") << "require-without-value" << 19 << "the only value is 'require: check'";
    QTest::newRow("tolerance") << "tolerance-not-number" << 22 << "tolerance: 'small' is not a number";
    QTest::newRow("id and folder") << "id-folder" << 2
                                   << "id: 'another-id' must equal the lesson's folder name 'id-folder'";
    QTest::newRow("missing picture") << "missing-image" << 12 << "picture 'curve.png' not found";
    QTest::newRow("no front matter") << "no-front-matter" << 1 << "starts with front matter";
    QTest::newRow("block outside a step") << "block-outside-step" << 10 << "before the first step heading";
    QTest::newRow("two blocks") << "two-blocks" << 21
                                << "a second ```step block in step 'First step' (the first is on line 14)";
    QTest::newRow("unclosed block") << "unclosed-block" << 14 << "never closed";
    QTest::newRow("minutes") << "bad-minutes" << 4 << "minutes: 'ten' is not a whole number";
    QTest::newRow("front-matter key")
        << "bad-front-key" << 6 << "unknown front-matter key 'dataset' (did you mean 'datasets'?)";
    QTest::newRow("dataset name") << "unknown-dataset" << 6 << "unknown dataset 'cifar10'";
}

void TestLessonLint::brokenLesson() {
    QFETCH(QString, name);
    QFETCH(int, line);
    QFETCH(QString, message);
    const QString path = kData + "/broken/" + name + "/lesson.md";
    QVERIFY2(QFile::exists(path), qPrintable(path + " missing: run tests/data/lessons/make_fixtures.py"));
    const auto ds = lint_lesson_file(path.toStdString());
    QVERIFY2(ds.size() == 1, qPrintable("expected exactly one problem, got:\n" + dump(ds)));
    QCOMPARE(QString::fromStdString(ds[0].file), path);
    QCOMPARE(ds[0].line, line);
    QVERIFY2(QString::fromStdString(ds[0].message).contains(message), qPrintable(dump(ds)));
    // The printed form is file:line: message.
    QVERIFY(QString::fromStdString(ds[0].to_string()).startsWith(path + ":" + QString::number(line) + ": "));
}

void TestLessonLint::brokenCourse_data() {
    QTest::addColumn<QString>("dir");
    QTest::addColumn<int>("index");  // which diagnostic (they come sorted by file, then line)
    QTest::addColumn<int>("count");  // how many diagnostics the course gives in all
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("message");
    QTest::newRow("missing folder") << "course-missing" << 0 << 3 << 4
                                    << "lesson folder 'not-there' not found";
    QTest::newRow("unknown prerequisite")
        << "course-missing" << 1 << 3 << 5 << "requires: unknown lesson 'c'";
    QTest::newRow("listed twice") << "course-missing" << 2 << 3 << 6
                                  << "lesson 'a' is listed twice (first on line 3)";
    QTest::newRow("later prerequisite") << "course-cycle" << 0 << 2 << 2 << "'b' comes later in the course";
    QTest::newRow("cycle") << "course-cycle" << 1 << 2 << 2 << "a cycle: a -> b -> a";
}

void TestLessonLint::brokenCourse() {
    QFETCH(QString, dir);
    QFETCH(int, index);
    QFETCH(int, count);
    QFETCH(int, line);
    QFETCH(QString, message);
    const auto ds = lint_course((kData + "/" + dir).toStdString());
    QVERIFY2(int(ds.size()) == count, qPrintable(dump(ds)));
    const Diagnostic& d = ds[size_t(index)];
    QCOMPARE(QString::fromStdString(d.file), kData + "/" + dir + "/course.txt");
    QCOMPARE(d.line, line);
    QVERIFY2(QString::fromStdString(d.message).contains(message), qPrintable(dump(ds)));
}

void TestLessonLint::loadCheckedKeepsTheLesson() {
    // The player gets the lesson and its problems together: a broken step still loads the others.
    const LessonParse r = load_lesson_checked((kData + "/broken/unknown-widget/lesson.md").toStdString());
    QCOMPARE(r.diagnostics.size(), size_t(1));
    QCOMPARE(r.diagnostics[0].line, 19);
    QCOMPARE(r.lesson.steps.size(), size_t(1));
    QCOMPARE(r.lesson.steps[0].check, std::string("run.finished and run.test_accuracy >= 0.9"));
}

void TestLessonLint::goodCourseIsClean() {
    const auto ds = lint_course((kData + "/good").toStdString());
    QVERIFY2(ds.empty(), qPrintable(dump(ds)));
    CourseParse cp = parse_course((kData + "/good").toStdString());
    QCOMPARE(cp.course.title, std::string("Fixture course"));
    QCOMPARE(cp.course.lessons.size(), size_t(2));
    QCOMPARE(cp.course.entries[1].prerequisites, std::vector<std::string>{"01-first"});
}

void TestLessonLint::checkSettingsAppliesInOrder() {
    Step s;
    s.settings = {{"optimizer", "sgd", 3}, {"momentum", "1.5", 4}, {"momentum", "0.5", 5},
                  {"schedule", "step", 6}, {"gamma", "0", 7},      {"device", "cuda", 8},
                  {"gpt.steps", "5", 9}};
    const auto ds = check_settings(s, "f.md");
    QVERIFY2(ds.size() == 4, qPrintable(dump(ds)));
    QCOMPARE(ds[0].line, 4);  // momentum out of range: the engine's validation, at the setting's line
    QVERIFY(QString::fromStdString(ds[0].message).contains("momentum"));
    QCOMPARE(ds[1].line, 5);  // the same key twice
    QVERIFY(QString::fromStdString(ds[1].message).contains("set twice"));
    QCOMPARE(ds[2].line, 7);
    QVERIFY(QString::fromStdString(ds[2].message).contains("gamma"));
    QCOMPARE(ds[3].line, 9);  // device = cuda is a valid name even without a GPU
    QVERIFY(QString::fromStdString(ds[3].message)
                .contains("gpt.steps = 5 is out of range; use an integer from 10 to 20000"));
}

void TestLessonLint::appSettings_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("message");  // empty = accepted
    QTest::newRow("choice") << "gpt.block" << "modern" << "";
    QTest::newRow("not a choice") << "gpt.block" << "gpt3" << "gpt.block = gpt3 is not one of: gpt2, modern";
    QTest::newRow("range low end") << "gpt.steps" << "10" << "";
    QTest::newRow("below range") << "gpt.steps" << "9" << "out of range; use an integer from 10 to 20000";
    QTest::newRow("not whole") << "attention.image" << "3.5" << "attention.image = 3.5 is not a whole number";
    QTest::newRow("text") << "gpt.prompt" << "Once upon a time" << "";
    QTest::newRow("text too long") << "gpt.prompt" << QString(201, 'a') << "gpt.prompt is 201 characters long";
}

void TestLessonLint::appSettings() {
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, message);
    const AppSettingInfo* s = find_app_setting(key.toStdString());
    QVERIFY(s);
    const QString got = QString::fromStdString(check_app_setting(*s, value.toStdString()));
    if (message.isEmpty()) QVERIFY2(got.isEmpty(), qPrintable(got));
    else QVERIFY2(got.contains(message), qPrintable(got));
}

void TestLessonLint::catalogueIsConsistent() {
    std::set<std::string> page_set;
    for (const auto& p : pages()) page_set.insert(std::string(p.name));
    auto check_unique = [](const std::vector<std::string>& names, const char* table) {
        std::set<std::string> seen;
        for (const auto& n : names)
            QVERIFY2(seen.insert(n).second, qPrintable(QString("%1: '%2' twice").arg(table, n.c_str())));
    };
    check_unique(page_names(), "pages");
    check_unique(fact_names(), "facts");
    check_unique(widget_names(), "widgets");
    check_unique(action_names(), "actions");
    check_unique(app_setting_names(), "app settings");
    for (const auto& f : facts()) {
        QVERIFY2(f.page == "app" || page_set.count(std::string(f.page)), f.name.data());
        QVERIFY2(std::string(f.name).find('.') != std::string::npos,
                 "a fact name needs a dot to be read as a fact");
        QVERIFY(!f.description.empty());
    }
    for (const auto& w : widgets()) QVERIFY2(page_set.count(std::string(w.page)), w.name.data());
    for (const auto& a : actions()) QVERIFY2(page_set.count(std::string(a.page)), a.name.data());
    const auto train_keys = bp::train::config_field_names();
    for (const auto& s : app_settings()) {
        QVERIFY2(std::find(train_keys.begin(), train_keys.end(), std::string(s.name)) == train_keys.end(),
                 s.name.data());
        QVERIFY2(!s.choices.empty() || s.min <= s.max, s.name.data());
    }
    QVERIFY(find_fact("run.test_accuracy") && find_fact("run.test_accuracy")->kind == FactKind::Number);
    QVERIFY(find_fact("run.most_confused")->kind == FactKind::Pair);
    QVERIFY(!find_fact("run.nothing"));
    QVERIFY(find_page("backprop")->tabs.size() == 3);
}

void TestLessonLint::closestName_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("suggestion");  // empty = none
    QTest::newRow("typo") << "run.test_acuracy"
                          << "run.test_accuracy";
    QTest::newRow("swapped letters") << "run.finsihed"
                                     << "run.finished";
    QTest::newRow("wrong prefix") << "train.test_accuracy"
                                  << "run.test_accuracy";
    QTest::newRow("unrelated") << "completely.different.thing"
                               << "";
}

void TestLessonLint::closestName() {
    QFETCH(QString, name);
    QFETCH(QString, suggestion);
    auto c = closest(name.toStdString(), fact_names());
    QCOMPARE(c ? QString::fromStdString(*c) : QString(), suggestion);
}

void TestLessonLint::readmeHoldsTheCatalogue() {
    QFile f(QStringLiteral(BP_SOURCE_DIR "/lessons/README.md"));
    QVERIFY2(f.open(QIODevice::ReadOnly), "lessons/README.md is missing");
    const QString readme = QString::fromUtf8(f.readAll());
    QVERIFY2(readme.contains(QString::fromStdString(catalogue_markdown())),
             "lessons/README.md does not hold the current catalogue: paste the output of "
             "'backprop lesson catalogue --markdown' into it");
}

void TestLessonLint::readmeExampleIsClean() {
    QFile f(QStringLiteral(BP_SOURCE_DIR "/lessons/README.md"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString readme = QString::fromUtf8(f.readAll());
    const qsizetype begin = readme.indexOf("<!-- example:begin -->\n````markdown\n");
    const qsizetype end = readme.indexOf("````\n<!-- example:end -->");
    QVERIFY2(begin >= 0 && end > begin, "lessons/README.md has no example between its example markers");
    const qsizetype from = readme.indexOf("```markdown\n", begin) + qsizetype(strlen("```markdown\n"));
    const QString lesson = readme.mid(from, end - from);
    QTemporaryDir tmp;
    QVERIFY(QDir(tmp.path()).mkdir("04-first-mnist"));
    const QString path = tmp.path() + "/04-first-mnist/lesson.md";
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(lesson.toUtf8());
    out.close();
    const auto ds = lint_lesson_file(path.toStdString());
    QVERIFY2(ds.empty(), qPrintable("the README's example lesson does not lint clean:\n" + dump(ds)));
    const LessonParse p = parse_lesson_file(path.toStdString());
    QCOMPARE(p.lesson.steps.size(), size_t(4));  // the example really was extracted
}

void TestLessonLint::truncatedFilesNeverThrow() {
    // A file being saved by an editor is read half-written: every prefix of a real lesson parses and lints
    // without throwing, and every prefix that cuts a step block open is reported.
    QFile f(kData + "/good/01-first/lesson.md");
    QVERIFY(f.open(QIODevice::ReadOnly));
    const std::string text = f.readAll().toStdString();
    const std::string path = (kData + "/good/01-first/lesson.md").toStdString();
    int reported = 0;
    for (size_t n = 0; n <= text.size(); ++n) {
        try {
            const LessonParse p = parse_lesson_text(std::string_view(text).substr(0, n), path);
            const auto ds = lint_lesson(p.lesson);
            const std::string prefix = text.substr(0, n);
            const size_t open = prefix.rfind("```step\n");
            const bool cut_open =
                open != std::string::npos && prefix.find("\n```", open + 7) == std::string::npos;
            if (cut_open) {
                QVERIFY2(!p.ok(),
                         qPrintable(QString("prefix of %1 bytes: an open block was not reported").arg(n)));
                ++reported;
            }
            (void)ds;
        } catch (const std::exception& e) {
            QFAIL(qPrintable(QString("prefix of %1 bytes threw: %2").arg(n).arg(e.what())));
        }
    }
    QVERIFY(reported > 100);
}

void TestLessonLint::cli() {
    if (!backprop_built()) QSKIP("the backprop CLI is not built (build the 'backprop' target)");
    auto good = bp_test::run_cli({"lesson", "lint", kData + "/good"});
    QCOMPARE(good.code, 0);
    QVERIFY2(good.out.contains("no problems found"), qPrintable(good.out));

    auto bad = bp_test::run_cli({"lesson", "lint", kData + "/broken/bad-key"});
    QCOMPARE(bad.code, 1);
    QVERIFY2(bad.out.contains(kData + "/broken/bad-key/lesson.md:19: unknown step key 'hihglight'"),
             qPrintable(bad.out));
    QVERIFY2(bad.out.contains("1 problem in 1 file"), qPrintable(bad.out));

    auto course = bp_test::run_cli({"lesson", "lint", kData + "/course-cycle"});
    QCOMPARE(course.code, 1);
    QVERIFY2(course.out.contains("course.txt:2: requires: a cycle"), qPrintable(course.out));

    auto list = bp_test::run_cli({"lesson", "list", kData + "/good"});
    QCOMPARE(list.code, 0);
    QVERIFY2(
        list.out.contains("Fixture course") && list.out.contains("02-second") && list.out.contains("2 steps"),
        qPrintable(list.out));

    auto md = bp_test::run_cli({"lesson", "catalogue", "--markdown"});
    QCOMPARE(md.code, 0);
    QCOMPARE(md.out, QString::fromStdString(catalogue_markdown()));

    auto usage = bp_test::run_cli({"lesson", "frobnicate"});
    QCOMPARE(usage.code, 2);
    QVERIFY2(usage.err.contains("unknown subcommand 'frobnicate'"), qPrintable(usage.err));
    auto missing = bp_test::run_cli({"lesson", "lint", kData + "/no-such-folder"});
    QCOMPARE(missing.code, 1);
    QVERIFY2(missing.err.contains("not found"), qPrintable(missing.err));
}

void TestLessonLint::realLessons() {
    const QString dir = QStringLiteral(BP_SOURCE_DIR "/lessons");
    if (!QFile::exists(dir + "/course.txt"))
        QSKIP("lessons/course.txt does not exist yet (the course is written separately); nothing to lint");
    const auto ds = lint_course(dir.toStdString());
    QVERIFY2(ds.empty(), qPrintable("backprop lesson lint lessons/ reports:\n" + dump(ds)));
}

QTEST_APPLESS_MAIN(TestLessonLint)
#include "tst_lesson_lint.moc"
