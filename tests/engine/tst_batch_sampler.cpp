// tst_batch_sampler.cpp — BatchSampler deals every index exactly once per epoch, keeps the last partial
// batch, is reproducible from its seed, reshuffles per epoch, and rejects a non-positive batch size.
#include <QtTest>

#include <algorithm>
#include <numeric>

#include "bp/data/dataset.h"
#include "bp/errors.h"
#include "engine/data_test_util.h"

using bp::data::BatchSampler;

namespace {

std::vector<std::vector<int64_t>> one_epoch(BatchSampler& s) {
    s.start_epoch();
    std::vector<std::vector<int64_t>> batches;
    std::vector<int64_t> idx;
    while (s.next(idx)) batches.push_back(idx);
    return batches;
}

std::vector<int64_t> flatten(const std::vector<std::vector<int64_t>>& batches) {
    std::vector<int64_t> all;
    for (const auto& b : batches) all.insert(all.end(), b.begin(), b.end());
    return all;
}

}  // namespace

class TestBatchSampler : public QObject {
    Q_OBJECT

private slots:
    void everyIndexOncePerEpoch_data();
    void everyIndexOncePerEpoch();
    void unshuffledIsInOrder();
    void sameSeedSameOrder();
    void differentEpochDifferentOrder();
    void epochCounterAndAutoStart();
    void rejectsBadBatchSize_data();
    void rejectsBadBatchSize();
};

void TestBatchSampler::everyIndexOncePerEpoch_data() {
    QTest::addColumn<qint64>("count");
    QTest::addColumn<qint64>("batch");
    QTest::addColumn<bool>("shuffle");
    QTest::addColumn<qint64>("batches");
    QTest::addColumn<qint64>("last");
    QTest::newRow("10 by 3, shuffled") << qint64(10) << qint64(3) << true << qint64(4) << qint64(1);
    QTest::newRow("10 by 5, exact") << qint64(10) << qint64(5) << true << qint64(2) << qint64(5);
    QTest::newRow("7 by 100, one batch") << qint64(7) << qint64(100) << false << qint64(1) << qint64(7);
    QTest::newRow("60000 by 64") << qint64(60000) << qint64(64) << true << qint64(938) << qint64(32);
    QTest::newRow("1 by 1") << qint64(1) << qint64(1) << true << qint64(1) << qint64(1);
}

void TestBatchSampler::everyIndexOncePerEpoch() {
    QFETCH(qint64, count);
    QFETCH(qint64, batch);
    QFETCH(bool, shuffle);
    QFETCH(qint64, batches);
    QFETCH(qint64, last);
    BatchSampler s(count, batch, shuffle, 7);
    QCOMPARE(s.batches_per_epoch(), batches);
    for (int epoch = 0; epoch < 3; ++epoch) {
        const auto b = one_epoch(s);
        QCOMPARE(static_cast<qint64>(b.size()), batches);
        for (size_t i = 0; i + 1 < b.size(); ++i) QCOMPARE(static_cast<qint64>(b[i].size()), batch);
        QCOMPARE(static_cast<qint64>(b.back().size()), last);
        auto all = flatten(b);
        std::sort(all.begin(), all.end());
        std::vector<int64_t> expected(static_cast<size_t>(count));
        std::iota(expected.begin(), expected.end(), int64_t{0});
        QCOMPARE(all, expected);
    }
}

void TestBatchSampler::unshuffledIsInOrder() {
    BatchSampler s(5, 2, false, 1);
    const auto b = one_epoch(s);
    QCOMPARE(b, (std::vector<std::vector<int64_t>>{{0, 1}, {2, 3}, {4}}));
    QCOMPARE(one_epoch(s), b);
}

void TestBatchSampler::sameSeedSameOrder() {
    BatchSampler a(1000, 32, true, 42), b(1000, 32, true, 42), c(1000, 32, true, 43);
    const auto a0 = flatten(one_epoch(a)), b0 = flatten(one_epoch(b)), c0 = flatten(one_epoch(c));
    QCOMPARE(a0, b0);
    QVERIFY(a0 != c0);
    std::vector<int64_t> identity(1000);
    std::iota(identity.begin(), identity.end(), int64_t{0});
    QVERIFY(a0 != identity);
    QCOMPARE(flatten(one_epoch(a)), flatten(one_epoch(b)));  // epoch 1 agrees too
}

void TestBatchSampler::differentEpochDifferentOrder() {
    BatchSampler s(1000, 100, true, 5);
    const auto e0 = flatten(one_epoch(s));
    const auto e1 = flatten(one_epoch(s));
    QVERIFY(e0 != e1);
    // Epoch e is seeded with seed + e, so epoch 1 of seed 5 is epoch 0 of seed 6.
    BatchSampler t(1000, 100, true, 6);
    QCOMPARE(flatten(one_epoch(t)), e1);
}

void TestBatchSampler::epochCounterAndAutoStart() {
    BatchSampler s(3, 2, false, 0);
    QCOMPARE(s.epoch(), -1);
    std::vector<int64_t> idx{99};
    QVERIFY(s.next(idx));  // starts epoch 0 by itself
    QCOMPARE(s.epoch(), 0);
    QCOMPARE(idx, (std::vector<int64_t>{0, 1}));
    QVERIFY(s.next(idx));
    QCOMPARE(idx, (std::vector<int64_t>{2}));
    QVERIFY(!s.next(idx));
    QVERIFY(idx.empty());
    QVERIFY(!s.next(idx));  // stays finished until the next epoch starts
    s.start_epoch();
    QCOMPARE(s.epoch(), 1);
    QVERIFY(s.next(idx));

    BatchSampler empty(0, 4, true, 0);
    QCOMPARE(empty.batches_per_epoch(), 0);
    QVERIFY(!empty.next(idx));
}

void TestBatchSampler::rejectsBadBatchSize_data() {
    QTest::addColumn<qint64>("batch");
    QTest::newRow("zero") << qint64(0);
    QTest::newRow("negative") << qint64(-8);
}

void TestBatchSampler::rejectsBadBatchSize() {
    QFETCH(qint64, batch);
    const std::string msg = bp_test::message_of<bp::ConfigError>([&] { BatchSampler s(10, batch, true, 0); });
    BP_VERIFY_CONTAINS(msg, "BatchSampler: batch size must be positive; got " + std::to_string(batch));
}

QTEST_APPLESS_MAIN(TestBatchSampler)
#include "tst_batch_sampler.moc"
