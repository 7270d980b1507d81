// tst_lesson.cpp — the lesson core's language: check expressions (precedence, bare words, facts, three-valued
// evaluation and its reasons, parse errors with columns), grading of each question kind, and the lesson
// parser's real line numbers. Lint of whole files is tst_lesson_lint; progress and settings are
// tst_lesson_progress.
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <map>

#include "bp/lesson/expression.h"
#include "bp/lesson/grade.h"
#include "bp/lesson/lesson.h"

using namespace bp::lesson;

Q_DECLARE_METATYPE(Outcome)

namespace {

// The learner's facts for the evaluation and grading rows. run.gap, vit.trained and run.worst_class have no
// value yet.
const std::map<std::string, Value>& sample_facts() {
    static const std::map<std::string, Value> f = {
        {"run.finished", true},
        {"run.failed", false},
        {"run.test_accuracy", 0.912},
        {"backprop.phase", std::string("backward")},
        {"backprop.selected.op", std::string("sigmoid")},
        {"draw.model", std::string("cnn")},
        {"draw.prediction", 7.0},
        {"gpt.val_loss", 2.0},
        {"gpt.unigram_loss", 3.0},
        {"run.most_confused", std::string("4,9")},
        {"backprop.max_abs_diff", 1e-8},
        {"flow.winner", std::string("relu")},
    };
    return f;
}

std::optional<Value> lookup(const std::string& name) {
    auto it = sample_facts().find(name);
    if (it == sample_facts().end()) return std::nullopt;
    return it->second;
}

std::string read_all(const QString& path) {
    std::ifstream in(path.toStdString(), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

const QString kGood = QStringLiteral(BP_SOURCE_DIR "/tests/data/lessons/good");

}  // namespace

class TestLesson : public QObject {
    Q_OBJECT

private slots:
    void precedence_data();
    void precedence();
    void evaluate_data();
    void evaluate();
    void parseErrors_data();
    void parseErrors();
    void factsRead();
    void catalogueCheckCanBeOff();
    void deepNestingIsAnError();
    void pairs_data();
    void pairs();
    void grading_data();
    void grading();
    void parseLineNumbers();
    void parseCrlfKeepsLines();
    void fencedCodeIsProse();
    void tooLargeAndMissingFiles();
    void stepBlockRoundTrip();
};

void TestLesson::precedence_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("tree");
    QTest::newRow("mul before add") << "1 + 2 * 3 == 7"
                                    << "((1 + (2 * 3)) == 7)";
    QTest::newRow("left assoc minus") << "10 - 4 - 3 > 0"
                                      << "(((10 - 4) - 3) > 0)";
    QTest::newRow("not, and, or") << "not run.failed and run.finished or run.stopped"
                                  << "(((not run.failed) and run.finished) or run.stopped)";
    QTest::newRow("parentheses") << "run.finished and (run.failed or run.stopped)"
                                 << "(run.finished and (run.failed or run.stopped))";
    QTest::newRow("unary minus") << "-2 - -3 < 1"
                                 << "(((-2) - (-3)) < 1)";
    QTest::newRow("bare word") << "backprop.phase == backward"
                               << "(backprop.phase == backward)";
    QTest::newRow("quoted text") << "draw.model == 'c n n'"
                                 << "(draw.model == \"c n n\")";
    QTest::newRow("fact arithmetic") << "gpt.val_loss <= gpt.unigram_loss - 0.5"
                                     << "(gpt.val_loss <= (gpt.unigram_loss - 0.5))";
    QTest::newRow("exponent") << "backprop.max_abs_diff < 1e-6"
                              << "(backprop.max_abs_diff < 1e-06)";
}

void TestLesson::precedence() {
    QFETCH(QString, text);
    QFETCH(QString, tree);
    ExprError err;
    auto e = Expression::parse(text.toStdString(), &err);
    QVERIFY2(e, err.message.c_str());
    QCOMPARE(QString::fromStdString(e->to_string()), tree);
}

void TestLesson::evaluate_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<Outcome>("outcome");
    QTest::addColumn<QString>("reason");  // a fragment of the reason
    QTest::newRow("below threshold") << "run.finished and run.test_accuracy >= 0.95" << Outcome::NotYet
                                     << "run.test_accuracy is 0.912, needs >= 0.95";
    QTest::newRow("above threshold") << "run.finished and run.test_accuracy >= 0.9" << Outcome::Passed
                                     << "run.test_accuracy is 0.912";
    QTest::newRow("bare words") << "backprop.phase == backward and backprop.selected.op == sigmoid"
                                << Outcome::Passed << "sigmoid";
    QTest::newRow("text ignores case") << "backprop.phase == BACKWARD" << Outcome::Passed << "backward";
    QTest::newRow("small number") << "backprop.max_abs_diff < 1e-6" << Outcome::Passed << "1e-08";
    QTest::newRow("number equality") << "draw.model == cnn and draw.prediction == 7" << Outcome::Passed << "";
    QTest::newRow("wrong digit") << "draw.prediction == 3" << Outcome::NotYet
                                 << "draw.prediction is 7, needs == 3";
    QTest::newRow("fact minus number")
        << "gpt.val_loss <= gpt.unigram_loss - 0.5" << Outcome::Passed << "gpt.val_loss is 2";
    QTest::newRow("right side named") << "gpt.val_loss <= gpt.unigram_loss - 1.5" << Outcome::NotYet
                                      << "needs <= gpt.unigram_loss - 1.5 (= 1.5)";
    QTest::newRow("missing fact") << "run.gap < 0.05" << Outcome::NotYet << "run.gap has no value yet";
    QTest::newRow("true or missing") << "run.finished or run.gap < 0.05" << Outcome::Passed
                                     << "run.finished is true";
    QTest::newRow("false and missing")
        << "run.failed and run.gap < 0.05" << Outcome::NotYet << "run.failed is false";
    QTest::newRow("true and missing")
        << "run.finished and run.gap < 0.05" << Outcome::NotYet << "run.gap has no value yet";
    QTest::newRow("bare bool missing") << "vit.trained" << Outcome::NotYet << "vit.trained has no value yet";
    QTest::newRow("bare bool false") << "run.failed" << Outcome::NotYet << "run.failed is false, needs true";
    QTest::newRow("not") << "not run.failed" << Outcome::Passed << "run.failed is false";
    QTest::newRow("bool literal") << "run.finished == true" << Outcome::Passed << "";
    QTest::newRow("pair forms") << "run.most_confused == \"(4, 9)\"" << Outcome::Passed << "";
    QTest::newRow("pair differs") << "run.most_confused == '9,4'" << Outcome::NotYet
                                  << "run.most_confused is 4,9, needs == 9,4";
    QTest::newRow("text arithmetic") << "backprop.phase + 1 > 2" << Outcome::Error
                                     << "'+' needs numbers; backprop.phase is backward";
    QTest::newRow("text vs number") << "backprop.phase < 3" << Outcome::Error << "cannot compare";
    QTest::newRow("division by zero") << "draw.prediction / 0 > 1" << Outcome::Error << "division by zero";
    QTest::newRow("not a condition") << "run.test_accuracy" << Outcome::Error << "must be true or false";
    QTest::newRow("and on a number") << "run.finished and 1" << Outcome::Error << "'and' needs true/false";
}

void TestLesson::evaluate() {
    QFETCH(QString, text);
    QFETCH(Outcome, outcome);
    QFETCH(QString, reason);
    ExprError err;
    auto e = Expression::parse(text.toStdString(), &err);
    QVERIFY2(e, err.message.c_str());
    CheckResult r = e->evaluate(lookup);
    const QString got = QString::fromStdString(r.reason);
    QVERIFY2(r.outcome == outcome, qPrintable(QString("outcome %1, reason: %2")
                                                  .arg(QString::fromUtf8(outcome_name(r.outcome).data(),
                                                                         int(outcome_name(r.outcome).size())),
                                                       got)));
    QVERIFY2(got.contains(reason), qPrintable("reason: " + got));
}

void TestLesson::parseErrors_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");
    QTest::newRow("dangling and") << "run.finished and" << 17 << "expected a value";
    QTest::newRow("unknown fact") << "run.finished and run.test_acuracy >= 0.9" << 18
                                  << "unknown fact 'run.test_acuracy' (did you mean 'run.test_accuracy'?)";
    QTest::newRow("single equals") << "run.test_accuracy = 0.9" << 19 << "use == to compare";
    QTest::newRow("unclosed paren") << "(run.finished" << 14 << "expected ')' to close the '(' at column 1";
    QTest::newRow("c operators") << "run.finished && run.failed" << 14 << "write and, or, not";
    QTest::newRow("chained comparison") << "1 < 2 < 3" << 7 << "do not chain";
    QTest::newRow("dash in a word") << "run.dataset == fashion-mnist" << 23 << "\"fashion-mnist\"";
    QTest::newRow("unclosed quote") << "draw.model == 'cnn" << 15 << "no closing '";
    QTest::newRow("two facts") << "run.finished run.failed" << 14 << "unexpected 'run.failed'";
    QTest::newRow("empty") << "" << 1 << "found the end";
    QTest::newRow("bad number") << "3abc > 1" << 1 << "is not a number";
    QTest::newRow("trailing dot") << "run. > 1" << 1 << "ends with a dot";
}

void TestLesson::parseErrors() {
    QFETCH(QString, text);
    QFETCH(int, column);
    QFETCH(QString, message);
    ExprError err;
    QVERIFY(!Expression::parse(text.toStdString(), &err));
    QVERIFY2(QString::fromStdString(err.message).contains(message), err.message.c_str());
    QCOMPARE(err.column, column);
}

void TestLesson::factsRead() {
    auto e = Expression::parse(
        "run.finished and run.test_accuracy >= run.best_test_accuracy - 0.01 and run.finished");
    QVERIFY(e);
    QCOMPARE(e->facts(),
             (std::vector<std::string>{"run.finished", "run.test_accuracy", "run.best_test_accuracy"}));
    auto words = Expression::parse("backprop.phase == backward");
    QCOMPARE(words->facts(), std::vector<std::string>{"backprop.phase"});  // a bare word is not a fact
}

void TestLesson::catalogueCheckCanBeOff() {
    QVERIFY(!Expression::parse("page.custom > 1"));
    auto e = Expression::parse("page.custom > 1", nullptr, /*check_catalogue=*/false);
    QVERIFY(e);
    auto r = e->evaluate([](const std::string& n) -> std::optional<Value> {
        return n == "page.custom" ? std::optional<Value>(2.0) : std::nullopt;
    });
    QCOMPARE(r.outcome, Outcome::Passed);
}

void TestLesson::deepNestingIsAnError() {
    const std::string text = std::string(5000, '(') + "1" + std::string(5000, ')');
    ExprError err;
    QVERIFY(!Expression::parse(text, &err));
    QVERIFY2(QString::fromStdString(err.message).contains("nests too deeply"), err.message.c_str());
}

void TestLesson::pairs_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("a");  // -1: not a pair
    QTest::addColumn<int>("b");
    QTest::newRow("space") << "4 9" << 4 << 9;
    QTest::newRow("comma") << "4,9" << 4 << 9;
    QTest::newRow("parens") << "(4, 9)" << 4 << 9;
    QTest::newRow("arrow") << "4->9" << 4 << 9;
    QTest::newRow("arrow spaced") << " 4 -> 9 " << 4 << 9;
    QTest::newRow("one number") << "49" << -1 << -1;
    QTest::newRow("three numbers") << "4,9,1" << -1 << -1;
    QTest::newRow("words") << "four nine" << -1 << -1;
    QTest::newRow("empty") << "" << -1 << -1;
}

void TestLesson::pairs() {
    QFETCH(QString, text);
    QFETCH(int, a);
    QFETCH(int, b);
    auto p = parse_pair(text.toStdString());
    if (a < 0) {
        QVERIFY2(!p, "parsed as a pair");
        return;
    }
    QVERIFY(p);
    QCOMPARE(p->first, a);
    QCOMPARE(p->second, b);
}

void TestLesson::grading_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("answer");  // literal, or "fact NAME"
    QTest::addColumn<double>("tolerance");
    QTest::addColumn<QString>("given");
    QTest::addColumn<bool>("gradable");
    QTest::addColumn<bool>("correct");
    QTest::addColumn<QString>("feedback");  // fragment
    QTest::addColumn<QString>("expected");
    QTest::newRow("choice trimmed, any case") << "choice"
                                              << "relu" << 0.0 << " ReLU " << true << true << "Correct"
                                              << "relu";
    QTest::newRow("choice wrong, its feedback") << "choice"
                                                << "relu" << 0.0 << "sigmoid" << true << false << "squashes"
                                                << "relu";
    QTest::newRow("choice from a fact") << "choice"
                                        << "fact flow.winner" << 0.0 << "relu" << true << true << ""
                                        << "relu";
    QTest::newRow("number within tolerance") << "number"
                                             << "0.25" << 0.01 << "0.255" << true << true << ""
                                             << "0.25";
    QTest::newRow("number at the tolerance edge") << "number"
                                                  << "1" << 0.5 << "1.5" << true << true << ""
                                                  << "1";
    QTest::newRow("number outside tolerance") << "number"
                                              << "0.25" << 0.01 << "0.27" << true << false << "Not quite"
                                              << "0.25";
    QTest::newRow("number exact by default") << "number"
                                             << "0.25" << 1e-9 << "0.2500001" << true << false << ""
                                             << "0.25";
    QTest::newRow("number feedback") << "number"
                                     << "0.25" << 1e-9 << "0.5" << true << false << "the sigmoid's value"
                                     << "0.25";
    QTest::newRow("not a number") << "number"
                                  << "0.25" << 0.01 << "a quarter" << true << false << "is not a number"
                                  << "0.25";
    QTest::newRow("number from a fact") << "number"
                                        << "fact gpt.val_loss" << 0.05 << "2.04" << true << true << ""
                                        << "2";
    QTest::newRow("pair with spaces") << "pair"
                                      << "4,9" << 0.0 << "4 9" << true << true << ""
                                      << "4,9";
    QTest::newRow("pair in parens") << "pair"
                                    << "4,9" << 0.0 << "(4, 9)" << true << true << ""
                                    << "4,9";
    QTest::newRow("pair arrow") << "pair"
                                << "4,9" << 0.0 << "4->9" << true << true << ""
                                << "4,9";
    QTest::newRow("pair reversed") << "pair"
                                   << "4,9" << 0.0 << "9,4" << true << false << ""
                                   << "4,9";
    QTest::newRow("not a pair") << "pair"
                                << "4,9" << 0.0 << "49" << true << false << "is not a pair"
                                << "4,9";
    QTest::newRow("pair from a fact") << "pair"
                                      << "fact run.most_confused" << 0.0 << "(4,9)" << true << true << ""
                                      << "4,9";
    QTest::newRow("fact not there yet")
        << "number"
        << "fact run.worst_class" << 0.0 << "3" << false << false << "run the step first"
        << "";
}

void TestLesson::grading() {
    QFETCH(QString, kind);
    QFETCH(QString, answer);
    QFETCH(double, tolerance);
    QFETCH(QString, given);
    QFETCH(bool, gradable);
    QFETCH(bool, correct);
    QFETCH(QString, feedback);
    QFETCH(QString, expected);
    Question q;
    q.kind = kind == "choice"   ? QuestionKind::Choice
             : kind == "number" ? QuestionKind::Number
                                : QuestionKind::Pair;
    if (answer.startsWith("fact "))
        q.answer_fact = answer.mid(5).toStdString();
    else
        q.answer = answer.toStdString();
    q.tolerance = tolerance;
    q.choices = {{"relu", 1}, {"sigmoid", 2}};
    q.feedback = {{"sigmoid", "It squashes every gradient below 0.25.", 3},
                  {"0.5", "That is the sigmoid's value, not its slope.", 4}};
    Grade g = grade(q, given.toStdString(), lookup);
    QCOMPARE(g.gradable, gradable);
    QCOMPARE(g.correct, correct);
    QVERIFY2(QString::fromStdString(g.feedback).contains(feedback), g.feedback.c_str());
    QCOMPARE(QString::fromStdString(g.expected), expected);
}

void TestLesson::parseLineNumbers() {
    LessonParse r = parse_lesson_file((kGood + "/01-first/lesson.md").toStdString());
    for (const auto& d : r.diagnostics) qWarning("%s", d.to_string().c_str());
    QVERIFY(r.ok());
    const Lesson& L = r.lesson;
    QCOMPARE(L.id, std::string("01-first"));
    QCOMPARE(L.id_line, 2);
    QCOMPARE(L.minutes, 10);
    QCOMPARE(L.objectives.size(), size_t(2));
    QCOMPARE(L.datasets, (std::vector<std::string>{"mnist", "fashion-mnist"}));
    QVERIFY(QString::fromStdString(L.intro).startsWith("Train your first model"));
    QCOMPARE(L.images.size(), size_t(1));
    QCOMPARE(L.images[0].name, std::string("picture.png"));
    QCOMPARE(L.images[0].line, 11);
    QCOMPARE(L.steps.size(), size_t(3));

    const Step& s = L.steps[0];
    QCOMPARE(s.title, std::string("Open the training page"));
    QCOMPARE(s.line, 13);
    QCOMPARE(s.markdown, std::string("Look at the page."));
    QCOMPARE(s.block_line, 16);
    QCOMPARE(s.page, std::string("train"));
    QCOMPARE(s.page_line, 17);
    QCOMPARE(s.settings.size(), size_t(4));
    QCOMPARE(s.settings[0].key, std::string("model"));
    QCOMPARE(s.settings[0].value, std::string("mlp"));
    QCOMPARE(s.settings[0].line, 18);
    QCOMPARE(s.settings[3].line, 21);
    QCOMPARE(s.lock.size(), size_t(2));
    QCOMPARE(s.lock[1].name, std::string("train.optimizer"));
    QCOMPARE(s.lock[1].line, 22);
    QCOMPARE(s.hide[0].line, 23);
    QVERIFY(s.highlight);
    QCOMPARE(s.highlight->line, 24);
    QCOMPARE(s.actions[0].name, std::string("train.start"));
    QCOMPARE(s.check, std::string("run.finished and run.test_accuracy >= 0.8"));
    QCOMPARE(s.check_line, 26);
    QVERIFY(s.require_check);
    QCOMPARE(s.hints, (std::vector<std::string>{"press Start", "wait for the curve to reach the end"}));
    QCOMPARE(s.notes, std::string("a presenter note\na second note"));
    QVERIFY(!s.question);

    const Step& q = L.steps[1];
    QCOMPARE(q.line, 35);
    QVERIFY(q.question);
    QCOMPARE(q.question->kind, QuestionKind::Pair);
    QCOMPARE(q.question->line, 39);
    QCOMPARE(q.question->prompt_line, 40);
    QCOMPARE(q.question->answer_fact, std::string("run.most_confused"));
    QCOMPARE(q.question->answer_line, 41);
    QCOMPARE(q.question->feedback.size(), size_t(1));
    QCOMPARE(q.question->feedback[0].answer, std::string("4,9"));
    QCOMPARE(q.question->feedback[0].line, 42);

    const Step& prose = L.steps[2];
    QCOMPARE(prose.line, 45);
    QCOMPARE(prose.block_line, 0);
    QCOMPARE(prose.markdown, std::string("Nothing to do here."));
}

void TestLesson::parseCrlfKeepsLines() {
    std::string text = read_all(kGood + "/01-first/lesson.md");
    QVERIFY(!text.empty());
    std::string crlf;
    for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    LessonParse r = parse_lesson_text(crlf, "x/01-first/lesson.md");
    QVERIFY(r.ok());
    QCOMPARE(r.lesson.steps[0].settings[0].value, std::string("mlp"));  // no '\r' left in values
    QCOMPARE(r.lesson.steps[0].check_line, 26);
    QCOMPARE(r.lesson.steps[1].question->answer_line, 41);
}

void TestLesson::fencedCodeIsProse() {
    const std::string text =
        "---\nid: x\ntitle: T\nminutes: 5\n---\n## Real step\n```python\n## not a step\n```\nafter\n";
    LessonParse r = parse_lesson_text(text, "x/lesson.md");
    QVERIFY(r.ok());
    QCOMPARE(r.lesson.steps.size(), size_t(1));
    QVERIFY(QString::fromStdString(r.lesson.steps[0].markdown).contains("## not a step"));
}

void TestLesson::tooLargeAndMissingFiles() {
    QTemporaryDir tmp;
    const std::string big = (tmp.path() + "/lesson.md").toStdString();
    {
        std::ofstream out(big, std::ios::binary);
        out << "---\nid: x\n---\n" << std::string(kMaxLessonFileBytes, 'a');
    }
    LessonParse r = parse_lesson_file(big);
    QCOMPARE(r.diagnostics.size(), size_t(1));
    QCOMPARE(r.diagnostics[0].file, big);
    QVERIFY2(QString::fromStdString(r.diagnostics[0].message).contains("at most 1048576 bytes"),
             r.diagnostics[0].message.c_str());

    LessonParse missing = parse_lesson_file((tmp.path() + "/nope/lesson.md").toStdString());
    QCOMPARE(missing.diagnostics.size(), size_t(1));
    QVERIFY(QString::fromStdString(missing.diagnostics[0].message).contains("not found"));
}

void TestLesson::stepBlockRoundTrip() {
    // Every step of the fixture course, written back as a block and read again, is the same step.
    for (const char* file : {"/01-first/lesson.md", "/02-second/lesson.md"}) {
        const LessonParse r = parse_lesson_file((kGood + file).toStdString());
        QVERIFY(r.ok());
        for (const Step& s : r.lesson.steps) {
            if (!s.block_line) continue;
            const std::string block = step_block_text(s);
            const LessonParse back = parse_lesson_text(
                "---\nid: x\ntitle: T\nminutes: 5\n---\n## " + s.title + "\n" + block, "x/lesson.md");
            QVERIFY2(back.ok(), block.c_str());
            const Step& t = back.lesson.steps.at(0);
            QCOMPARE(step_block_text(t), block);
            QCOMPARE(t.settings.size(), s.settings.size());
            QCOMPARE(t.check, s.check);
            QCOMPARE(t.hints, s.hints);
            QCOMPARE(t.notes, s.notes);
            QCOMPARE(t.require_check, s.require_check);
            QCOMPARE(bool(t.question), bool(s.question));
            if (s.question) {
                QCOMPARE(t.question->answer, s.question->answer);
                QCOMPARE(t.question->answer_fact, s.question->answer_fact);
                QCOMPARE(t.question->tolerance, s.question->tolerance);
                QCOMPARE(t.question->predict, s.question->predict);
                QCOMPARE(t.question->feedback.size(), s.question->feedback.size());
            }
        }
    }
    Step s;
    s.page = "train";
    s.settings = {{"lr", "0.01", 0}};
    s.lock = {{"train.model", 0}, {"train.lr", 0}};
    QCOMPARE(step_block_text(s),
             std::string("```step\npage: train\nset: lr = 0.01\nlock: train.model, train.lr\n```\n"));
}

QTEST_APPLESS_MAIN(TestLesson)
#include "tst_lesson.moc"
