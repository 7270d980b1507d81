// tst_augment.cpp — random affine augmentation (data/augment.h): off means untouched, a seed means the same
// output, a whole-pixel shift moves a pixel exactly, rotation turns the way it says, the mean survives.
#include <QtTest>

#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include "bp/data/augment.h"
#include "bp/data/dataset.h"
#include "bp/errors.h"
#include "engine/data_test_util.h"

namespace {

using bp::data::AffineParams;
using bp::data::AugmentOptions;

const float kBlack = static_cast<float>(-bp::data::mnist_mean / bp::data::mnist_std);
const float kWhite = static_cast<float>((1.0 - bp::data::mnist_mean) / bp::data::mnist_std);

/// n normalised 28×28 images: a bright centred blob (a different size per image) on black.
std::vector<float> blob_batch(int n) {
    std::vector<float> x(static_cast<size_t>(n) * 784, kBlack);
    for (int i = 0; i < n; ++i) {
        const double r = 4.0 + i % 5;
        for (int y = 0; y < 28; ++y)
            for (int k = 0; k < 28; ++k) {
                const double d = std::hypot(y + 0.5 - 14, k + 0.5 - 14);
                if (d < r) x[static_cast<size_t>(i) * 784 + y * 28 + k] = kWhite * static_cast<float>(1.0 - d / (2 * r));
            }
    }
    return x;
}

double mean(const float* p, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += p[i];
    return s / static_cast<double>(n);
}

int argmax(const std::vector<float>& img) {
    return static_cast<int>(std::max_element(img.begin(), img.end()) - img.begin());
}

}  // namespace

class TstAugment : public QObject {
    Q_OBJECT
private slots:
    void disabledLeavesImagesAndRngAlone() {
        std::vector<float> x = blob_batch(4);
        const std::vector<float> before = x;
        std::mt19937_64 rng(7), untouched(7);
        AugmentOptions opts;  // enabled = false by default
        bp::data::augment_batch(x.data(), 4, 28, 28, opts, rng);
        QCOMPARE(x, before);
        QCOMPARE(rng(), untouched());
    }

    void sameSeedSameOutput() {
        AugmentOptions opts;
        opts.enabled = true;
        std::vector<float> a = blob_batch(8), b = a, c = a;
        std::mt19937_64 r1(42), r2(42), r3(43);
        bp::data::augment_batch(a.data(), 8, 28, 28, opts, r1);
        bp::data::augment_batch(b.data(), 8, 28, 28, opts, r2);
        bp::data::augment_batch(c.data(), 8, 28, 28, opts, r3);
        QCOMPARE(a, b);
        QVERIFY(a != c);
        QVERIFY(a != blob_batch(8));
    }

    void wholePixelShiftMovesAPixelExactly_data() {
        QTest::addColumn<double>("dx");
        QTest::addColumn<double>("dy");
        QTest::newRow("right 2") << 2.0 << 0.0;
        QTest::newRow("down 2") << 0.0 << 2.0;
        QTest::newRow("left 3, up 1") << -3.0 << -1.0;
    }
    void wholePixelShiftMovesAPixelExactly() {
        QFETCH(double, dx);
        QFETCH(double, dy);
        std::vector<float> src(784, kBlack), dst(784, 0.0f);
        src[10 * 28 + 12] = kWhite;  // row 10, column 12
        bp::data::apply_affine(src.data(), dst.data(), 28, 28, AffineParams{dx, dy, 0, 1}, kBlack);
        const int r = 10 + static_cast<int>(dy), c = 12 + static_cast<int>(dx);
        QCOMPARE(argmax(dst), r * 28 + c);
        QCOMPARE(dst[static_cast<size_t>(r * 28 + c)], kWhite);
        for (size_t i = 0; i < dst.size(); ++i)
            if (static_cast<int>(i) != r * 28 + c) QCOMPARE(dst[i], kBlack);  // the fill came in at the edge too
    }

    void shiftOnlyOptionsMoveByAtMostMaxShift() {
        AugmentOptions opts;
        opts.enabled = true;
        opts.max_rotation_deg = 0;
        opts.min_scale = opts.max_scale = 1;
        opts.max_shift = 2;
        std::mt19937_64 rng(5);
        for (int t = 0; t < 20; ++t) {
            const AffineParams p = bp::data::random_affine(opts, rng);
            QCOMPARE(p.rotation_deg, 0.0);
            QCOMPARE(p.scale, 1.0);
            QVERIFY(std::abs(p.shift_x) <= 2 && std::abs(p.shift_y) <= 2);
        }
    }

    // Hand-checkable: a quarter turn counter-clockwise about the centre (14, 14) takes the pixel right of the
    // centre, at column 20 of row 13, to above it, at row 7 of column 13.
    void quarterTurnIsCounterClockwise() {
        std::vector<float> src(784, 0.0f), dst(784, 0.0f);
        src[13 * 28 + 20] = 1.0f;  // centre (20.5, 13.5): 6.5 right of the centre, 0.5 up
        bp::data::apply_affine(src.data(), dst.data(), 28, 28, AffineParams{0, 0, 90, 1}, 0.0f);
        // (6.5, −0.5) from the centre turns to (−0.5, −6.5): centre (13.5, 7.5), i.e. row 7, column 13.
        QCOMPARE(argmax(dst), 7 * 28 + 13);
        QVERIFY(std::abs(dst[7 * 28 + 13] - 1.0f) < 1e-5f);
    }

    void meanIntensityIsRoughlyPreserved() {
        AugmentOptions opts;
        opts.enabled = true;
        const int n = 64;
        std::vector<float> x = blob_batch(n);
        const double before = mean(x.data(), x.size());
        std::mt19937_64 rng(1);
        bp::data::augment_batch(x.data(), n, 28, 28, opts, rng);
        const double after = mean(x.data(), x.size());
        // Scale 0.9–1.1 changes a blob's area by up to ±21 %, averaging out over the batch.
        const double ink_before = before - kBlack, ink_after = after - kBlack;
        QVERIFY2(std::abs(ink_after / ink_before - 1.0) < 0.05, qPrintable(QString("%1 vs %2").arg(before).arg(after)));
        for (float v : x) QVERIFY(v >= kBlack - 1e-5f && v <= kWhite + 1e-5f);
    }

    void badOptionsAreConfigErrors_data() {
        QTest::addColumn<double>("shift");
        QTest::addColumn<double>("minScale");
        QTest::addColumn<double>("maxScale");
        QTest::addColumn<QString>("field");
        QTest::newRow("negative shift") << -1.0 << 0.9 << 1.1 << "max_shift";
        QTest::newRow("zero scale") << 2.0 << 0.0 << 1.1 << "min_scale";
        QTest::newRow("min above max") << 2.0 << 1.2 << 1.1 << "max_scale";
    }
    void badOptionsAreConfigErrors() {
        QFETCH(double, shift);
        QFETCH(double, minScale);
        QFETCH(double, maxScale);
        QFETCH(QString, field);
        AugmentOptions opts;
        opts.enabled = true;
        opts.max_shift = shift, opts.min_scale = minScale, opts.max_scale = maxScale;
        std::vector<float> x(784, kBlack);
        std::mt19937_64 rng(1);
        const std::string msg = bp_test::message_of<bp::ConfigError>([&] { bp::data::augment_batch(x.data(), 1, 28, 28, opts, rng); });
        BP_VERIFY_CONTAINS(msg, field.toStdString());
    }

    // Not a benchmark: a generous bound that catches an accidental per-pixel allocation or a quadratic loop.
    void fastEnough() {
        AugmentOptions opts;
        opts.enabled = true;
        const int n = 2000;
        std::vector<float> x = blob_batch(n);
        std::mt19937_64 rng(3);
        const auto t0 = std::chrono::steady_clock::now();
        bp::data::augment_batch(x.data(), n, 28, 28, opts, rng);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double ns_per_pixel = s * 1e9 / (n * 784.0);
        qInfo("augment_batch: %.1f ns per pixel", ns_per_pixel);
        QVERIFY2(ns_per_pixel < 500, qPrintable(QString::number(ns_per_pixel)));
    }
};

QTEST_APPLESS_MAIN(TstAugment)
#include "tst_augment.moc"
