// tst_metrics.cpp — classification metrics on a 3-class example small enough to check by hand,
// the no-prediction and absent-class conventions, the streaming accumulator, JSON keys and error paths.
#include <QtTest>

#include "bp/errors.h"
#include "bp/train/metrics.h"
#include "engine/data_test_util.h"

using bp::train::ClassificationMetrics;

namespace {

// truth: 0 0 0 1 1 2     pred: 0 0 1 1 1 1     (class 2 is never predicted)
//   confusion [true][pred]    row sums (class_counts)   column sums (predicted)
//   0: [2 1 0]                3                          2
//   1: [0 2 0]                2                          4
//   2: [0 1 0]                1                          0
//   precision = diag / column: 2/2 = 1, 2/4 = 0.5, 0 (no predictions: reported as 0)
//   recall    = diag / row   : 2/3,     2/2 = 1,   0/1 = 0
//   f1 = 2pr/(p+r)           : 0.8,     2/3,       0 (p + r == 0)
//   accuracy = 4/6; macro P = 1.5/3 = 0.5; macro R = (5/3)/3 = 5/9; macro F1 = (22/15)/3 = 22/45
const std::vector<int> y_true = {0, 0, 0, 1, 1, 2};
const std::vector<int> y_pred = {0, 0, 1, 1, 1, 1};

void check_hand_example(const ClassificationMetrics& m) {
    QCOMPARE(m.num_classes, 3);
    QCOMPARE(m.total, 6);
    QCOMPARE(m.accuracy, 4.0 / 6.0);
    const std::vector<std::vector<int64_t>> confusion = {{2, 1, 0}, {0, 2, 0}, {0, 1, 0}};
    QCOMPARE(m.confusion, confusion);
    QCOMPARE(m.class_counts, (std::vector<int64_t>{3, 2, 1}));
    QCOMPARE(m.precision, (std::vector<double>{1.0, 0.5, 0.0}));
    QCOMPARE(m.recall, (std::vector<double>{2.0 / 3.0, 1.0, 0.0}));
    QCOMPARE(m.per_class_accuracy, m.recall);
    QCOMPARE(m.f1[0], 0.8);
    QCOMPARE(m.f1[1], 2.0 / 3.0);
    QCOMPARE(m.f1[2], 0.0);
    QCOMPARE(m.macro_precision, 0.5);
    QCOMPARE(m.macro_recall, 5.0 / 9.0);
    QCOMPARE(m.macro_f1, 22.0 / 45.0);
}

}  // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private slots:
    void handExample();
    void accumulatorMatches();
    void absentClassLeftOutOfMacro();
    void perfectAndEmpty();
    void toJson();
    void errors_data();
    void errors();
};

void TestMetrics::handExample() { check_hand_example(bp::train::compute_metrics(y_true, y_pred, 3)); }

void TestMetrics::accumulatorMatches() {
    bp::train::ConfusionAccumulator acc(3);
    for (size_t i = 0; i < y_true.size(); ++i) acc.add(y_true[i], y_pred[i]);
    check_hand_example(acc.finish());
    acc.add(2, 2);  // keeps accumulating after finish()
    const auto m = acc.finish();
    QCOMPARE(m.total, 7);
    QCOMPARE(m.precision[2], 1.0);
    QCOMPARE(m.recall[2], 0.5);
}

void TestMetrics::absentClassLeftOutOfMacro() {
    // Class 3 appears in neither truth nor prediction: all zeros, and not averaged into the macros.
    const auto m = bp::train::compute_metrics(y_true, y_pred, 4);
    QCOMPARE(m.class_counts[3], 0);
    QCOMPARE(m.precision[3], 0.0);
    QCOMPARE(m.recall[3], 0.0);
    QCOMPARE(m.f1[3], 0.0);
    QCOMPARE(m.macro_precision, 0.5);
    QCOMPARE(m.macro_recall, 5.0 / 9.0);
    QCOMPARE(m.macro_f1, 22.0 / 45.0);
}

void TestMetrics::perfectAndEmpty() {
    const auto p = bp::train::compute_metrics({1, 0, 1}, {1, 0, 1}, 2);
    QCOMPARE(p.accuracy, 1.0);
    QCOMPARE(p.macro_f1, 1.0);
    QCOMPARE(p.confusion, (std::vector<std::vector<int64_t>>{{1, 0}, {0, 2}}));

    const auto e = bp::train::compute_metrics({}, {}, 2);
    QCOMPARE(e.total, 0);
    QCOMPARE(e.accuracy, 0.0);
    QCOMPARE(e.macro_f1, 0.0);
    QCOMPARE(e.confusion, (std::vector<std::vector<int64_t>>{{0, 0}, {0, 0}}));
}

void TestMetrics::toJson() {
    const auto m = bp::train::compute_metrics(y_true, y_pred, 3);
    const auto j = bp::train::to_json(m, {"cat", "dog", "eel"});
    for (const char* key : {"accuracy", "per_class_accuracy", "confusion_matrix", "precision", "recall", "f1",
                            "macro_precision", "macro_recall", "macro_f1", "class_names", "class_counts", "total"})
        QVERIFY2(j.contains(key), key);
    QCOMPARE(j["accuracy"].get<double>(), 4.0 / 6.0);
    QCOMPARE(j["confusion_matrix"][0][1].get<int64_t>(), 1);
    QCOMPARE(j["confusion_matrix"][2][1].get<int64_t>(), 1);
    QCOMPARE(j["precision"][1].get<double>(), 0.5);
    QCOMPARE(j["class_names"][2].get<std::string>(), std::string("eel"));
    QCOMPARE(j["class_counts"][0].get<int64_t>(), 3);
    QCOMPARE(j["total"].get<int64_t>(), 6);
    QVERIFY(!bp::train::to_json(m).contains("class_names"));
}

void TestMetrics::errors_data() {
    QTest::addColumn<QList<int>>("truth");
    QTest::addColumn<QList<int>>("pred");
    QTest::addColumn<int>("classes");
    QTest::addColumn<bool>("config");
    QTest::addColumn<QString>("expected");
    QTest::newRow("length mismatch") << QList<int>{0, 1} << QList<int>{0} << 2 << false
                                     << "differ in length; got 2 and 1";
    QTest::newRow("prediction too big") << QList<int>{0, 1} << QList<int>{0, 2} << 2 << false
                                        << "got truth 1 and prediction 2; both must be in [0, 2)";
    QTest::newRow("negative truth") << QList<int>{-1} << QList<int>{0} << 2 << false << "got truth -1";
    QTest::newRow("no classes") << QList<int>{} << QList<int>{} << 0 << true << "at least 1; got 0";
}

void TestMetrics::errors() {
    QFETCH(QList<int>, truth);
    QFETCH(QList<int>, pred);
    QFETCH(int, classes);
    QFETCH(bool, config);
    QFETCH(QString, expected);
    const std::vector<int> t(truth.begin(), truth.end()), p(pred.begin(), pred.end());
    const auto call = [&] { bp::train::compute_metrics(t, p, classes); };
    const std::string msg = config ? bp_test::message_of<bp::ConfigError>(call) : bp_test::message_of<bp::DataError>(call);
    BP_VERIFY_CONTAINS(msg, expected.toStdString());
}

QTEST_APPLESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
