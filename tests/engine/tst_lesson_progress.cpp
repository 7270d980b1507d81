// tst_lesson_progress.cpp — learner progress (JSON round trip, atomic save and load, corrupt files give a
// DataError naming what is wrong, the Markdown sheet) and set_config_field, the text-to-TrainConfig setter
// the lessons' `set:` lines go through (every field, and a bad value for each kind of field).
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "bp/errors.h"
#include "bp/lesson/progress.h"
#include "bp/train/config_keys.h"

using namespace bp::lesson;
using bp::train::TrainConfig;

namespace {

CourseProgress sample_progress() {
    CourseProgress p;
    LessonProgress& a = p.lessons["01-first"];
    a.current_step = 1;
    StepProgress& s0 = a.step(0);
    s0.status = StepStatus::Passed;
    s0.attempts = 2;
    s0.hints_used = 1;
    s0.seconds = 65.4;
    StepProgress& s1 = a.step(1);
    s1.status = StepStatus::NotYet;
    s1.attempts = 3;
    s1.answers = {{"9,4", false}, {"4 | 9", true}};
    s1.predicted = "3";
    p.lessons["02-second"].step(1).status = StepStatus::Skipped;  // step 0 stays not attempted
    return p;
}

void compare(const CourseProgress& a, const CourseProgress& b) {
    QCOMPARE(a.lessons.size(), b.lessons.size());
    for (const auto& [id, la] : a.lessons) {
        QVERIFY2(b.lessons.count(id), id.c_str());
        const LessonProgress& lb = b.lessons.at(id);
        QCOMPARE(la.current_step, lb.current_step);
        QCOMPARE(la.steps.size(), lb.steps.size());
        for (size_t i = 0; i < la.steps.size(); ++i) {
            const StepProgress &x = la.steps[i], &y = lb.steps[i];
            QCOMPARE(x.status, y.status);
            QCOMPARE(x.attempts, y.attempts);
            QCOMPARE(x.hints_used, y.hints_used);
            QCOMPARE(x.seconds, y.seconds);
            QCOMPARE(x.predicted, y.predicted);
            QCOMPARE(x.answers.size(), y.answers.size());
            for (size_t k = 0; k < x.answers.size(); ++k) {
                QCOMPARE(x.answers[k].text, y.answers[k].text);
                QCOMPARE(x.answers[k].correct, y.answers[k].correct);
            }
        }
    }
}

}  // namespace

class TestLessonProgress : public QObject {
    Q_OBJECT

private slots:
    void jsonRoundTrip();
    void saveAndLoad();
    void missingFileIsEmpty();
    void corrupt_data();
    void corrupt();
    void corruptFileNamesThePath();
    void markdownSheet();
    void setField_data();
    void setField();
    void badValue_data();
    void badValue();
    void everyConfigFieldHasAKey();
};

void TestLessonProgress::jsonRoundTrip() {
    const CourseProgress p = sample_progress();
    const nlohmann::json j = to_json(p);
    QCOMPARE(j["version"].get<int>(), 1);
    QCOMPARE(j["lessons"]["01-first"]["steps"][0]["status"].get<std::string>(), std::string("passed"));
    QCOMPARE(j["lessons"]["02-second"]["steps"][0]["status"].get<std::string>(),
             std::string("not_attempted"));
    compare(p, progress_from_json(j));
    compare(p, progress_from_text(j.dump()));
    const nlohmann::json adl = p;  // nlohmann's to_json / from_json conventions
    QCOMPARE(adl, j);
    compare(p, adl.get<CourseProgress>());
}

void TestLessonProgress::saveAndLoad() {
    QTemporaryDir tmp;
    const std::string path = (tmp.path() + "/progress.json").toStdString();
    save_progress(path, sample_progress());
    compare(sample_progress(), load_progress(path));
    QCOMPARE(QDir(tmp.path()).entryList(QDir::Files), QStringList{"progress.json"});  // no temp file left
}

void TestLessonProgress::missingFileIsEmpty() {
    QTemporaryDir tmp;
    QVERIFY(load_progress((tmp.path() + "/none.json").toStdString()).lessons.empty());
    QVERIFY_THROWS_EXCEPTION(bp::DataError, load_progress(tmp.path().toStdString()));  // a folder
}

void TestLessonProgress::corrupt_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("truncated") << R"({"version": 1, "lessons": {"a": {"current_)"
                               << "not valid JSON";
    QTest::newRow("empty") << ""
                           << "not valid JSON";
    QTest::newRow("array") << "[]"
                           << "is not a JSON object";
    QTest::newRow("newer version") << R"({"version": 2})"
                                   << "version is not 1";
    QTest::newRow("lessons a number") << R"({"lessons": 3})"
                                      << "lessons is not an object";
    QTest::newRow("lesson a string") << R"({"lessons": {"a": "x"}})"
                                     << "lessons.a is not an object";
    QTest::newRow("bad status")
        << R"({"lessons": {"a": {"steps": [{"status": "done"}]}}})"
        << "lessons.a.steps[0].status 'done' is not not_attempted, not_yet, passed or skipped";
    QTest::newRow("negative step") << R"({"lessons": {"a": {"current_step": -1}}})"
                                   << "lessons.a.current_step is not a whole number";
    QTest::newRow("attempts as text") << R"({"lessons": {"a": {"steps": [{"attempts": "3"}]}}})"
                                      << "steps[0].attempts";
    QTest::newRow("answers not a list") << R"({"lessons": {"a": {"steps": [{"answers": {}}]}}})"
                                        << "steps[0].answers is not a list";
    QTest::newRow("answer text a number") << R"({"lessons": {"a": {"steps": [{"answers": [{"text": 4}]}]}}})"
                                          << "answers[0].text is not text";
    QTest::newRow("seconds NaN-like") << R"({"lessons": {"a": {"steps": [{"seconds": -5}]}}})"
                                      << "seconds is not a number >= 0";
}

void TestLessonProgress::corrupt() {
    QFETCH(QString, text);
    QFETCH(QString, message);
    try {
        progress_from_text(text.toStdString());
        QFAIL("no error for corrupt progress");
    } catch (const bp::DataError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
    }
}

void TestLessonProgress::corruptFileNamesThePath() {
    QTemporaryDir tmp;
    const std::string path = (tmp.path() + "/progress.json").toStdString();
    std::ofstream(path) << "{\"lessons\": {\"a\": {\"steps\": [";
    try {
        load_progress(path);
        QFAIL("no error for a corrupt file");
    } catch (const bp::DataError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).startsWith(QString::fromStdString(path) + ": "), e.what());
    }
}

void TestLessonProgress::markdownSheet() {
    Course c;
    c.title = "A first course";
    Lesson a;
    a.id = "01-first";
    a.title = "A first lesson";
    a.steps.resize(2);
    a.steps[0].title = "Open the page";
    a.steps[1].title = "Which pair?";
    Lesson b;
    b.id = "03-third";
    b.title = "Not begun";
    b.steps.resize(1);
    c.lessons = {a, b};
    const QString md = QString::fromStdString(export_markdown(c, sample_progress()));
    QVERIFY2(md.startsWith("# A first course — my progress\n"), qPrintable(md));
    QVERIFY2(md.contains("## A first lesson (01-first)"), qPrintable(md));
    QVERIFY2(md.contains("| 1 | Open the page | passed | 2 | 1 | 1 min 5 s |  |"), qPrintable(md));
    QVERIFY2(md.contains(
                 "| 2 | Which pair? | not yet | 3 | 0 | 0 s | predicted: 3; 9,4 (wrong); 4 \\| 9 (right) |"),
             qPrintable(md));
    QVERIFY2(md.contains("## Not begun (03-third)\n\nNot started."), qPrintable(md));
    QVERIFY2(md.contains("**Total:** 1 of 3 steps passed, 1 min 5 s spent."), qPrintable(md));
}

void TestLessonProgress::setField_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("json");  // the field in TrainConfig::to_json() afterwards
    QTest::newRow("model") << "model"
                           << "cnn"
                           << "\"cnn\"";
    QTest::newRow("dataset") << "dataset"
                             << "fashion-mnist"
                             << "\"fashion-mnist\"";
    QTest::newRow("epochs") << "epochs"
                            << "7"
                            << "7";
    QTest::newRow("batch_size") << "batch_size"
                                << "128"
                                << "128";
    QTest::newRow("lr") << "lr"
                        << "1e-2"
                        << "0.01";
    QTest::newRow("optimizer") << "optimizer"
                               << "sgd"
                               << "\"sgd\"";
    QTest::newRow("weight_decay") << "weight_decay"
                                  << "0.0005"
                                  << "0.0005";
    QTest::newRow("momentum") << "momentum"
                              << "0.5"
                              << "0.5";
    QTest::newRow("schedule") << "schedule"
                              << "step"
                              << "\"step\"";
    QTest::newRow("step_epochs") << "step_epochs"
                                 << "2"
                                 << "2";
    QTest::newRow("gamma") << "gamma"
                           << "0.25"
                           << "0.25";
    QTest::newRow("seed") << "seed"
                          << "42"
                          << "42";
    QTest::newRow("threads") << "threads"
                             << "0"
                             << "0";
    QTest::newRow("train_limit") << "train_limit"
                                 << "2000"
                                 << "2000";
    QTest::newRow("test_limit") << "test_limit"
                                << "500"
                                << "500";
    QTest::newRow("augment on") << "augment"
                                << "true"
                                << "true";
    QTest::newRow("device") << "device"
                            << "auto"
                            << "\"auto\"";
    QTest::newRow("precision") << "precision"
                               << "bf16"
                               << "\"bf16\"";
    QTest::newRow("checkpoint") << "checkpoint"
                                << "attention"
                                << "\"attention\"";
}

void TestLessonProgress::setField() {
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, json);
    TrainConfig cfg;
    const nlohmann::json before = cfg.to_json();
    bp::train::set_config_field(cfg, key.toStdString(), value.toStdString());
    const nlohmann::json after = cfg.to_json();
    QCOMPARE(QString::fromStdString(after[key.toStdString()].dump()), json);
    for (auto it = before.begin(); it != before.end(); ++it)  // nothing else changed
        if (it.key() != key.toStdString()) QVERIFY2(after[it.key()] == it.value(), it.key().c_str());
}

void TestLessonProgress::badValue_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("message");
    QTest::newRow("int with junk") << "epochs"
                                   << "3x"
                                   << "epochs = '3x' is not valid; use a whole number";
    QTest::newRow("int with fraction") << "batch_size"
                                       << "1.5"
                                       << "batch_size = '1.5' is not valid; use a whole number";
    QTest::newRow("negative seed") << "seed"
                                   << "-1"
                                   << "seed = '-1' is not valid; use a whole number from 0";
    QTest::newRow("real") << "lr"
                          << "fast"
                          << "lr = 'fast' is not valid; use a number";
    QTest::newRow("bool") << "augment"
                          << "maybe"
                          << "augment = 'maybe' is not valid; use true or false";
    QTest::newRow("evaluate") << "evaluate"
                              << "yes"
                              << "use true or false";
    QTest::newRow("schedule") << "schedule"
                              << "linear"
                              << "use one of: none, step, cosine";
    QTest::newRow("device") << "device"
                            << "tpu"
                            << "use one of: cpu, cuda, auto";
    QTest::newRow("precision") << "precision"
                               << "fp16"
                               << "use one of: fp32, bf16";
    QTest::newRow("empty model") << "model"
                                 << ""
                                 << "name a zoo model";
    QTest::newRow("unknown key")
        << "learning_rate"
        << "0.1"
        << "unknown training setting 'learning_rate'; the settings are: model, dataset, epochs";
}

void TestLessonProgress::badValue() {
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, message);
    TrainConfig cfg;
    try {
        bp::train::set_config_field(cfg, key.toStdString(), value.toStdString());
        QFAIL("no ConfigError");
    } catch (const bp::ConfigError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
    }
}

void TestLessonProgress::everyConfigFieldHasAKey() {
    // A field added to TrainConfig (and to its to_json) without a set_config_field row fails here.
    const auto names = bp::train::config_field_names();
    const nlohmann::json j = TrainConfig().to_json();
    for (auto it = j.begin(); it != j.end(); ++it)
        QVERIFY2(std::find(names.begin(), names.end(), it.key()) != names.end(), it.key().c_str());
    TrainConfig cfg;
    bp::train::set_config_field(cfg, "evaluate", "false");  // not in to_json
    QVERIFY(!cfg.evaluate);
    bp::train::set_config_field(cfg, "augment", "on");
    QVERIFY(cfg.augment.enabled);
    QCOMPARE(cfg.augment.max_shift, bp::data::AugmentOptions{}.max_shift);  // the default augmentation
}

QTEST_APPLESS_MAIN(TestLessonProgress)
#include "tst_lesson_progress.moc"
