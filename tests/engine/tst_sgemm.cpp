// tst_sgemm.cpp — our float32 GEMM (engine/src/cpu/sgemm.cpp) against a double-precision reference loop: the four
// transpose combinations, alpha and beta of 0, 1 and other values, sizes that leave edge tiles in M (14-row
// tiles), N (32-column tiles, 16-wide vectors) and K (blocks of ≤ 384), several M and K blocks, leading dimensions
// larger than the rows (whose padding must stay untouched), and beta == 0 over a C full of NaN. Then the same
// products through the engine's ops (matmul, linear and its backward, bmm), in float32 against float64.
#include <QtTest>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "../../engine/src/cpu/sgemm.h"
#include "bp/autograd.h"
#include "bp/backend.h"
#include "bp/ops.h"
#include "bp/precision.h"
#include "bp/tensor.h"

namespace {

struct Dims {
    int64_t M, N, K;
};

// The largest violation of |c - ref| ≤ bound, as a multiple of the bound (≤ 1 passes); bound per element:
// 2·K·eps·(|alpha|·Σ_k |a_ik b_kj| + |beta·c_ij|) + 1e-30, the classical error bound of a float dot product.
// Also counts changed padding elements of C (columns past N in each row of ldc).
struct Check {
    double worst = 0, sums_worst = 0;
    int padding_changed = 0;
    std::vector<float> c;  // the product
};

using Product = void (*)(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*,
                         int64_t, float, float*, int64_t, const float*, float*);

// with_bias: a random bias of N values is passed too, and the reference adds it to every row; and op(A)'s row
// sums are asked for (added to M values of 0.5), checked in sums_worst against the same kind of bound.
Check run_case(bool ta, bool tb, Dims d, float alpha, float beta, int64_t pad_a, int64_t pad_b, int64_t pad_c,
               unsigned seed, Product product = bp::cpu::sgemm, bool with_bias = false) {
    const int64_t M = d.M, N = d.N, K = d.K;
    const int64_t ar = ta ? K : M, ac = (ta ? M : K), br = tb ? N : K, bc = (tb ? K : N);
    const int64_t lda = ac + pad_a, ldb = bc + pad_b, ldc = N + pad_c;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> a(static_cast<size_t>(ar * lda)), b(static_cast<size_t>(br * ldb)), c(static_cast<size_t>(M * ldc));
    for (float& v : a) v = u(rng);
    for (float& v : b) v = u(rng);
    std::vector<float> bias(static_cast<size_t>(N)), sums(static_cast<size_t>(M), 0.5f);
    for (float& v : bias) v = 4.0f * u(rng);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (float& v : c) v = beta == 0.0f ? nan : u(rng);
    for (int64_t i = 0; i < M; ++i)  // the padding holds a marker that must survive
        for (int64_t j = N; j < ldc; ++j) c[static_cast<size_t>(i * ldc + j)] = 12345.0f;
    const std::vector<float> c0 = c;

    product(ta, tb, M, N, K, alpha, a.data(), lda, b.data(), ldb, beta, c.data(), ldc,
            with_bias ? bias.data() : nullptr, with_bias ? sums.data() : nullptr);

    Check out;
    out.c = c;
    const double eps = std::numeric_limits<float>::epsilon();
    for (int64_t i = 0; i < M && with_bias; ++i) {
        double s = 0.5, sabs = 0.5;
        for (int64_t k = 0; k < K; ++k) {
            const double x = ta ? a[static_cast<size_t>(k * lda + i)] : a[static_cast<size_t>(i * lda + k)];
            s += x;
            sabs += std::abs(x);
        }
        const double bound = 2.0 * static_cast<double>(K + 2) * eps * sabs + 1e-30;
        const double got = sums[static_cast<size_t>(i)];
        out.sums_worst = std::max(out.sums_worst, std::isfinite(got) ? std::abs(got - s) / bound : 1e300);
    }
    for (int64_t i = 0; i < M; ++i) {
        for (int64_t j = 0; j < N; ++j) {
            double s = 0, sabs = 0;
            for (int64_t k = 0; k < K; ++k) {
                const double x = ta ? a[static_cast<size_t>(k * lda + i)] : a[static_cast<size_t>(i * lda + k)];
                const double y = tb ? b[static_cast<size_t>(j * ldb + k)] : b[static_cast<size_t>(k * ldb + j)];
                s += x * y;
                sabs += std::abs(x * y);
            }
            const double old = beta == 0.0f ? 0.0 : static_cast<double>(c0[static_cast<size_t>(i * ldc + j)]);
            const double bj = with_bias ? static_cast<double>(bias[static_cast<size_t>(j)]) : 0.0;
            const double ref = alpha * s + beta * old + bj;
            const double bound = 2.0 * static_cast<double>(K + 3) * eps *
                                     (std::abs(alpha) * sabs + std::abs(beta * old) + std::abs(bj)) +
                                 1e-30;
            const double got = c[static_cast<size_t>(i * ldc + j)];
            const double r = std::isfinite(got) ? std::abs(got - ref) / bound : std::numeric_limits<double>::infinity();
            out.worst = std::max(out.worst, r);
        }
        for (int64_t j = N; j < ldc; ++j) out.padding_changed += c[static_cast<size_t>(i * ldc + j)] != 12345.0f;
    }
    return out;
}

// The largest |x - y| over the largest |y|.
double rel_diff(const bp::Tensor& x, const bp::Tensor& y) {
    const std::vector<double> a = x.to_vector(), b = y.to_vector();
    double d = 0, s = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        d = std::max(d, std::abs(a[i] - b[i]));
        s = std::max(s, std::abs(b[i]));
    }
    return d / std::max(s, 1e-30);
}

}  // namespace

class TstSgemm : public QObject {
    Q_OBJECT
private slots:
    void againstReference_data() {
        QTest::addColumn<bool>("ta");
        QTest::addColumn<bool>("tb");
        QTest::addColumn<int>("M");
        QTest::addColumn<int>("N");
        QTest::addColumn<int>("K");
        // Sizes around the tile edges: 14-row tiles, 16/32-column vectors and tiles, K blocks of ≤ 384 (K = 385,
        // 512, 513, 600, 1000: two or three blocks), 336-row M blocks (M = 350, 700), 4096-column N blocks
        // (N = 4200). Each triple runs with all four transpose combinations.
        const Dims dims[] = {{1, 1, 1},      {1, 7, 13},     {7, 13, 31},    {13, 33, 7},     {31, 63, 65},
                             {33, 65, 100},  {63, 100, 127}, {65, 127, 129}, {100, 129, 257}, {127, 257, 33},
                             {129, 31, 257}, {257, 1, 63},   {14, 32, 256},  {28, 64, 512},   {15, 17, 600},
                             {350, 48, 40},  {700, 40, 300}, {3, 300, 513},  {257, 257, 257}, {20, 50, 385},
                             {45, 90, 1000}, {5, 4200, 20}};
        for (const Dims& d : dims)
            for (int t = 0; t < 4; ++t) {
                const bool ta = t & 1, tb = t & 2;
                const QByteArray name = QByteArray::number(d.M) + "x" + QByteArray::number(d.N) + "x" +
                                        QByteArray::number(d.K) + (ta ? " Aᵀ" : " A") + (tb ? " Bᵀ" : " B");
                QTest::newRow(name.constData()) << ta << tb << int(d.M) << int(d.N) << int(d.K);
            }
    }
    void againstReference() {
        QFETCH(bool, ta);
        QFETCH(bool, tb);
        QFETCH(int, M);
        QFETCH(int, N);
        QFETCH(int, K);
        struct AB {
            float alpha, beta;
        };
        const AB abs[] = {{1.0f, 0.0f}, {1.0f, 1.0f}, {0.5f, -2.0f}, {-1.5f, 1.0f}, {2.0f, 0.0f}, {0.0f, 0.75f}};
        unsigned seed = 1;
        for (const AB& ab : abs) {
            // Packed leading dimensions, then padded ones; without a bias, then with one (added in the
            // store).
            for (int pad = 0; pad < 2; ++pad)
                for (const bool bias : {false, true}) {
                    const Check c = run_case(ta, tb, {M, N, K}, ab.alpha, ab.beta, pad * 3, pad * 5, pad * 7,
                                             seed++, bp::cpu::sgemm, bias);
                    if (c.worst > 1.0 || c.sums_worst > 1.0 || c.padding_changed != 0)
                        qWarning(
                            "alpha %g beta %g pad %d bias %d: error %.3g of the bound (row sums %.3g), %d "
                            "padding elements changed",
                            double(ab.alpha), double(ab.beta), pad, int(bias), c.worst, c.sums_worst,
                            c.padding_changed);
                    QVERIFY(c.worst <= 1.0);
                    QVERIFY(c.sums_worst <= 1.0);
                    QCOMPARE(c.padding_changed, 0);
                }
        }
    }

    // The error bound is tight enough to catch a wrong element: a product with one element of B changed is
    // flagged.
    void checkCatchesAnError() {
        const int64_t M = 20, N = 40, K = 50;
        std::vector<float> a(M * K, 0.5f), b(K * N, 0.25f), c(M * N, 0.0f);
        bp::cpu::sgemm(false, false, M, N, K, 1.0f, a.data(), K, b.data(), N, 0.0f, c.data(), N);
        for (float v : c) QCOMPARE(v, 0.5f * 0.25f * K);
        b[7 * N + 33] = 1.0f;
        bp::cpu::sgemm(false, false, M, N, K, 1.0f, a.data(), K, b.data(), N, 0.0f, c.data(), N);
        QCOMPARE(c[5 * N + 33], 0.5f * (0.25f * (K - 1) + 1.0f));
        QCOMPARE(c[5 * N + 32], 0.5f * 0.25f * K);
    }

    // sgemm_split_k (the product over the pool's threads by parts of K) against the float64 reference bound,
    // at 2 and 3 threads, with every transpose, padded leading dimensions, beta 0 (C only written: NaNs there
    // must not leak) and beta ≠ 0; the same result on every run at a fixed thread count.
    void splitKAgainstReference() {
        const Dims dims[] = {{64, 256, 1088}, {45, 90, 1000}, {3, 33, 513}, {128, 128, 2048}};
        unsigned seed = 11;
        for (int threads : {2, 3})
            for (const Dims& d : dims)
                for (int t = 0; t < 4; ++t)
                    for (const float beta : {0.0f, -0.5f}) {
                        bp::set_num_threads(threads);
                        const bool bias = t & 1;  // added once, in the sum of the parts
                        const Check c = run_case(t & 1, t & 2, d, 0.75f, beta, 3, 1, 2, seed,
                                                 bp::cpu::sgemm_split_k, bias);
                        const Check again = run_case(t & 1, t & 2, d, 0.75f, beta, 3, 1, 2, seed++,
                                                     bp::cpu::sgemm_split_k, bias);
                        bp::set_num_threads(1);
                        QVERIFY2(c.worst <= 1.0,
                                 qPrintable(QString("%1x%2x%3 t %4 beta %5, %6 threads: %7 of the bound")
                                                .arg(d.M)
                                                .arg(d.N)
                                                .arg(d.K)
                                                .arg(t)
                                                .arg(beta)
                                                .arg(threads)
                                                .arg(c.worst)));
                        QVERIFY(c.sums_worst <= 1.0);
                        QCOMPARE(c.padding_changed, 0);
                        QCOMPARE(again.c, c.c);
                    }
    }

    // The engine's float products (CpuBackend::gemm, which hands float shapes to sgemm) agree with the same
    // products in float64 (Eigen), forward and backward.
    void throughTheOps() {
        bp::set_num_threads(1);
        bp::Generator gen(3);
        const bp::Tensor x = bp::Tensor::randn({37, 129}, gen), w = bp::Tensor::randn({65, 129}, gen),
                         bias = bp::Tensor::randn({65}, gen), r = bp::Tensor::randn({37, 65}, gen);
        auto grads = [&](bp::DType dt) {
            bp::Tensor xd = x.to(dt).set_requires_grad(true), wd = w.to(dt).set_requires_grad(true);
            bp::Tensor y = bp::linear(xd, wd, bias.to(dt));
            bp::sum(y * r.to(dt)).backward();
            return std::vector<bp::Tensor>{y, xd.grad(), wd.grad()};
        };
        const std::vector<bp::Tensor> f = grads(bp::DType::f32), d = grads(bp::DType::f64);
        for (size_t i = 0; i < f.size(); ++i) QVERIFY2(rel_diff(f[i], d[i]) < 1e-5, qPrintable(QString::number(i)));

        const bp::Tensor a = bp::Tensor::randn({300, 270}, gen), b = bp::Tensor::randn({270, 100}, gen);
        QVERIFY(rel_diff(bp::matmul(a, b), bp::matmul(a.to(bp::DType::f64), b.to(bp::DType::f64))) < 1e-5);
        const bp::Tensor p = bp::Tensor::randn({3, 40, 33}, gen), q = bp::Tensor::randn({3, 50, 40}, gen);
        QVERIFY(rel_diff(bp::bmm(p, q, true, true),
                         bp::bmm(p.to(bp::DType::f64), q.to(bp::DType::f64), true, true)) < 1e-5);
    }

    // The linear layer's bias, added inside the product's store (float32) or after it (float64), over two
    // threads: split by rows of the output (x [300, 100] @ [64, 100]ᵀ), by its columns (x [20, 300] @
    // [1000, 300]ᵀ: each part adds its own columns' biases) and by parts of K (x [24, 2000] @ [30, 2000]ᵀ).
    // Float32 against float64, and against the product plus the bias added on its own.
    void linearBiasOverThreads() {
        bp::set_num_threads(2);
        bp::Generator gen(5);
        const Dims shapes[] = {{300, 64, 100}, {20, 1000, 300}, {24, 30, 2000}};
        for (const Dims& d : shapes) {
            const bp::Tensor x = bp::Tensor::randn({d.M, d.K}, gen), w = bp::Tensor::randn({d.N, d.K}, gen);
            const bp::Tensor b = bp::scale(bp::Tensor::randn({d.N}, gen), 10.0);
            const bp::Tensor y = bp::linear(x, w, b);
            const bp::Tensor y64 =
                bp::linear(x.to(bp::DType::f64), w.to(bp::DType::f64), b.to(bp::DType::f64));
            const bp::Tensor plain = bp::linear(x, w, bp::Tensor()) + b;
            QVERIFY2(rel_diff(y, y64) < 1e-5, qPrintable(QString("%1x%2x%3").arg(d.M).arg(d.N).arg(d.K)));
            QVERIFY2(rel_diff(y, plain) < 1e-6, qPrintable(QString("%1x%2x%3").arg(d.M).arg(d.N).arg(d.K)));
            QVERIFY(rel_diff(y, bp::linear(x, w, bp::Tensor())) > 0.1);  // the bias is there at all
            // Backward: the bias gradient is summed while the weight gradient's product packs gᵀ.
            const bp::Tensor r = bp::Tensor::randn({d.M, d.N}, gen);
            auto grads = [&](bp::DType dt) {
                bp::Tensor xd = x.to(dt).set_requires_grad(true), wd = w.to(dt).set_requires_grad(true),
                           bd = b.to(dt).set_requires_grad(true);
                bp::sum(bp::linear(xd, wd, bd) * r.to(dt)).backward();
                return std::vector<bp::Tensor>{xd.grad(), wd.grad(), bd.grad()};
            };
            const std::vector<bp::Tensor> f = grads(bp::DType::f32), g64 = grads(bp::DType::f64);
            for (size_t i = 0; i < f.size(); ++i)
                QVERIFY2(rel_diff(f[i], g64[i]) < 1e-5,
                         qPrintable(QString("%1x%2x%3 gradient %4").arg(d.M).arg(d.N).arg(d.K).arg(i)));
            // the bias gradient is the column sums of the upstream gradient
            QVERIFY(rel_diff(f[2], bp::sum(r.to(bp::DType::f64), 0)) < 1e-5);
        }
        bp::set_num_threads(1);
    }

    // Under emulated bf16 the weight gradient's product rounds its inputs, but the bias gradient summed
    // beside it is of the gradient as given: it matches float64 column sums to float32 accuracy, far closer
    // than the rounded weight gradient does.
    void biasGradientUnderBf16() {
        bp::set_num_threads(1);
        bp::Generator gen(7);
        const bp::Tensor x = bp::Tensor::randn({40, 50}, gen);
        bp::Tensor wd = bp::Tensor::randn({30, 50}, gen), bd = bp::Tensor::randn({30}, gen);
        const bp::Tensor r = bp::Tensor::randn({40, 30}, gen);
        wd.set_requires_grad(true);
        bd.set_requires_grad(true);
        bp::set_precision(bp::Precision::bf16);
        bp::sum(bp::linear(x, wd, bd) * r).backward();
        bp::set_precision(bp::Precision::fp32);
        const bp::Tensor gw64 = bp::matmul(bp::transpose(r.to(bp::DType::f64), 0, 1), x.to(bp::DType::f64));
        QVERIFY(rel_diff(bd.grad(), bp::sum(r.to(bp::DType::f64), 0)) < 1e-6);
        QVERIFY(rel_diff(wd.grad(), gw64) > 1e-4);  // the product did round (else this test checks nothing)
    }
};

QTEST_APPLESS_MAIN(TstSgemm)
#include "tst_sgemm.moc"
