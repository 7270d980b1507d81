// tst_conv_resnet.cpp — the float kernels behind ResNet-mini outside Winograd, against the definition in double
// loops (the float64 op shares the grouping code, so it is no independent reference): conv2d at stride 2 (cpu/conv_unroll.h's stride-2 im2col and col2im, conv.cpp's products through
// sgemm) forward and both gradients, with and without the forward's saved columns, on the model's own shapes and
// on edge cases (chunks of 15 outputs crossed, odd sizes, even and wide kernels, the masked loads at the ends of
// the buffers, groups of images crossed, two threads); and batch norm forward and backward (cpu/batch_norm.cpp).
#include <QtTest>

#include <cmath>
#include <string>
#include <vector>

#include "bp/autograd.h"
#include "bp/backend.h"
#include "bp/ops.h"
#include "bp/tensor.h"
#include "engine/tensor_test_util.h"

using bp::DType;
using bp::Shape;
using bp::Tensor;
using bp_test::expect_values;

namespace {

struct Reference {
    std::vector<double> y, grad_x, grad_w;
};

// y[n,o,oh,ow] = Σ x[n,c,oh·2−p+i,ow·2−p+j]·w[o,c,i,j], and with r = ∂L/∂y: grad_w = Σ r·x, grad_x = Σ r·w over the
// same index pairs.
Reference naive_stride2(const Tensor& x, const Tensor& w, const Tensor& r, int64_t p) {
    const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3), O = w.size(0), kh = w.size(2),
                  kw = w.size(3);
    const int64_t OH = (H + 2 * p - kh) / 2 + 1, OW = (W + 2 * p - kw) / 2 + 1;
    const std::vector<double> xv = x.to_vector(), wv = w.to_vector(), rv = r.to_vector();
    Reference ref{std::vector<double>(static_cast<size_t>(N * O * OH * OW)), std::vector<double>(xv.size()),
                  std::vector<double>(wv.size())};
    for (int64_t n = 0; n < N; ++n)
        for (int64_t o = 0; o < O; ++o)
            for (int64_t oh = 0; oh < OH; ++oh)
                for (int64_t ow = 0; ow < OW; ++ow) {
                    const size_t yi = static_cast<size_t>(((n * O + o) * OH + oh) * OW + ow);
                    for (int64_t c = 0; c < C; ++c)
                        for (int64_t i = 0; i < kh; ++i)
                            for (int64_t j = 0; j < kw; ++j) {
                                const int64_t ih = oh * 2 - p + i, iw = ow * 2 - p + j;
                                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                                const size_t xi = static_cast<size_t>(((n * C + c) * H + ih) * W + iw);
                                const size_t wi = static_cast<size_t>(((o * C + c) * kh + i) * kw + j);
                                ref.y[yi] += xv[xi] * wv[wi];
                                ref.grad_w[wi] += rv[yi] * xv[xi];
                                ref.grad_x[xi] += rv[yi] * wv[wi];
                            }
                }
    return ref;
}

// Batch norm in training by its definition, per channel over N·S values: y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε)
// (σ² biased), and with r = ∂L/∂y: grad_β = Σr, grad_γ = Σr·x̂, grad_x = γ/√(σ² + ε)·(r − mean r − x̂·mean(r·x̂)).
struct BnReference {
    std::vector<double> y, grad_x, grad_gamma, grad_beta, mean, var;
};

BnReference naive_batch_norm(const std::vector<double>& x, const std::vector<double>& gamma,
                             const std::vector<double>& beta, const std::vector<double>& r, int64_t N, int64_t C,
                             int64_t S, double eps) {
    BnReference ref{std::vector<double>(x.size()), std::vector<double>(x.size()), {}, {}, {}, {}};
    const double M = static_cast<double>(N * S);
    for (int64_t c = 0; c < C; ++c) {
        auto at = [&](int64_t n, int64_t s) { return static_cast<size_t>((n * C + c) * S + s); };
        double mu = 0, var = 0, sr = 0, srx = 0;
        for (int64_t n = 0; n < N; ++n)
            for (int64_t s = 0; s < S; ++s) mu += x[at(n, s)] / M;
        for (int64_t n = 0; n < N; ++n)
            for (int64_t s = 0; s < S; ++s) var += (x[at(n, s)] - mu) * (x[at(n, s)] - mu) / M;
        const double inv = 1 / std::sqrt(var + eps), g = gamma[static_cast<size_t>(c)];
        for (int64_t n = 0; n < N; ++n)
            for (int64_t s = 0; s < S; ++s) {
                const double xh = (x[at(n, s)] - mu) * inv;
                ref.y[at(n, s)] = g * xh + beta[static_cast<size_t>(c)];
                sr += r[at(n, s)];
                srx += r[at(n, s)] * xh;
            }
        for (int64_t n = 0; n < N; ++n)
            for (int64_t s = 0; s < S; ++s)
                ref.grad_x[at(n, s)] = g * inv * (r[at(n, s)] - sr / M - (x[at(n, s)] - mu) * inv * srx / M);
        ref.grad_beta.push_back(sr);
        ref.grad_gamma.push_back(srx);
        ref.mean.push_back(mu);
        ref.var.push_back(var);
    }
    return ref;
}

}  // namespace

class TestConvResnet : public QObject {
    Q_OBJECT
private slots:
    void cleanup() { bp::set_num_threads(1); }
    void stride2MatchesDefinition_data();
    void stride2MatchesDefinition();
    void stride2WithoutInputGradient();
    void batchNormMatchesDefinition_data();
    void batchNormMatchesDefinition();
    void batchNormStatisticsFarFromTheFirstValue();
};

void TestConvResnet::stride2MatchesDefinition_data() {
    QTest::addColumn<QList<qint64>>("xs");
    QTest::addColumn<QList<qint64>>("ws");
    QTest::addColumn<int>("padding");
    QTest::addColumn<int>("threads");
    QTest::newRow("ResNet block 1 conv1, 16 → 32, 28×28") << QList<qint64>{3, 16, 28, 28} << QList<qint64>{32, 16, 3, 3}
                                                          << 1 << 1;
    QTest::newRow("ResNet block 3 conv1, 32 → 64, 14×14") << QList<qint64>{3, 32, 14, 14} << QList<qint64>{64, 32, 3, 3}
                                                          << 1 << 1;
    QTest::newRow("ResNet shortcut 1×1, 16 → 32") << QList<qint64>{3, 16, 28, 28} << QList<qint64>{32, 16, 1, 1} << 0 << 1;
    QTest::newRow("ResNet shortcut 1×1, 32 → 64") << QList<qint64>{3, 32, 14, 14} << QList<qint64>{64, 32, 1, 1} << 0 << 1;
    QTest::newRow("odd 9×13, 3 → 5") << QList<qint64>{2, 3, 9, 13} << QList<qint64>{5, 3, 3, 3} << 1 << 1;
    QTest::newRow("45 wide: outputs in chunks of 15") << QList<qint64>{2, 2, 5, 45} << QList<qint64>{4, 2, 3, 3} << 1 << 1;
    QTest::newRow("5×5 kernel, padding 2, 40 wide") << QList<qint64>{2, 2, 11, 40} << QList<qint64>{3, 2, 5, 5} << 2 << 1;
    QTest::newRow("2×2 kernel, no padding") << QList<qint64>{2, 3, 8, 9} << QList<qint64>{4, 3, 2, 2} << 0 << 1;
    QTest::newRow("4×4 kernel, padding 1") << QList<qint64>{2, 2, 10, 33} << QList<qint64>{3, 2, 4, 4} << 1 << 1;
    QTest::newRow("3×3, padding 2") << QList<qint64>{2, 3, 7, 8} << QList<qint64>{2, 3, 3, 3} << 2 << 1;
    QTest::newRow("1×1 kernel, padding 2") << QList<qint64>{2, 3, 9, 10} << QList<qint64>{4, 3, 1, 1} << 2 << 1;
    QTest::newRow("3×3 kernel, padding 4: outputs over the padding alone") << QList<qint64>{1, 2, 5, 6}
                                                                         << QList<qint64>{3, 2, 3, 3} << 4 << 1;
    QTest::newRow("8×8 kernel, padding 3, 37 wide") << QList<qint64>{2, 2, 12, 37} << QList<qint64>{3, 2, 8, 8} << 3 << 1;
    QTest::newRow("one 3×3 image, one channel (buffer ends)") << QList<qint64>{1, 1, 3, 3} << QList<qint64>{2, 1, 3, 3}
                                                              << 1 << 1;
    QTest::newRow("1 column wide") << QList<qint64>{2, 2, 6, 1} << QList<qint64>{3, 2, 3, 3} << 1 << 1;
    QTest::newRow("9 wide kernel: the plain loops") << QList<qint64>{1, 2, 12, 30} << QList<qint64>{3, 2, 9, 9} << 4 << 1;
    QTest::newRow("25 images of 7×7 outputs: groups of 20, a short last one") << QList<qint64>{25, 8, 14, 14}
                                                                               << QList<qint64>{16, 8, 3, 3} << 1 << 1;
    QTest::newRow("13 images: groups of 5 crossed, 2 threads") << QList<qint64>{13, 4, 28, 28}
                                                               << QList<qint64>{8, 4, 3, 3} << 1 << 2;
}

void TestConvResnet::stride2MatchesDefinition() {
    QFETCH(QList<qint64>, xs);
    QFETCH(QList<qint64>, ws);
    QFETCH(int, padding);
    QFETCH(int, threads);
    bp::set_num_threads(threads);
    bp::Generator gen(5);
    Tensor x64 = Tensor::randn(Shape(xs.begin(), xs.end()), gen, 0, 1, DType::f64);
    Tensor w64 = Tensor::randn(Shape(ws.begin(), ws.end()), gen, 0, 0.5, DType::f64);
    Tensor x = x64.to(DType::f32), w = w64.to(DType::f32);
    const int64_t OH = (xs[2] + 2 * padding - ws[2]) / 2 + 1, OW = (xs[3] + 2 * padding - ws[3]) / 2 + 1;
    const Shape out{xs[0], ws[0], OH, OW};
    Tensor r = Tensor::randn(out, gen, 0, 1, DType::f64);
    const Reference ref = naive_stride2(x.to(DType::f64), w.to(DType::f64), r, padding);
    {  // inference: no saved columns
        bp::autograd::NoGradGuard no_grad;
        expect_values(bp::conv2d(x, w, Tensor(), 2, padding), out, ref.y, 1e-4);
    }
    x.set_requires_grad(true);
    w.set_requires_grad(true);
    Tensor y = bp::conv2d(x, w, Tensor(), 2, padding);  // training: backward reuses the saved columns
    expect_values(y, out, ref.y, 1e-4);
    bp::sum(bp::mul(y, r.to(DType::f32))).backward();
    expect_values(x.grad(), x.shape(), ref.grad_x, 1e-3);
    expect_values(w.grad(), w.shape(), ref.grad_w, 2e-3);
}

// Only grad_w: the backward takes the saved columns and never unrolls grad_col.
void TestConvResnet::stride2WithoutInputGradient() {
    bp::Generator gen(6);
    Tensor x = Tensor::randn({4, 16, 28, 28}, gen);
    Tensor w = Tensor::randn({32, 16, 3, 3}, gen, 0, 0.5).set_requires_grad(true);
    Tensor r = Tensor::randn({4, 32, 14, 14}, gen, 0, 1, DType::f64);
    const Reference ref = naive_stride2(x.to(DType::f64), w.to(DType::f64), r, 1);
    bp::sum(bp::mul(bp::conv2d(x, w, Tensor(), 2, 1), r.to(DType::f32))).backward();
    QVERIFY(!x.grad().defined());
    expect_values(w.grad(), w.shape(), ref.grad_w, 2e-3);
}

void TestConvResnet::batchNormMatchesDefinition_data() {
    QTest::addColumn<QList<qint64>>("xs");
    QTest::addColumn<double>("offset");
    QTest::addColumn<double>("scale");
    QTest::newRow("ResNet stem, 16 × 28×28") << QList<qint64>{4, 16, 28, 28} << 0.0 << 1.0;
    QTest::newRow("7×7 planes (rows of 49: a scalar tail)") << QList<qint64>{5, 8, 7, 7} << 0.5 << 2.0;
    QTest::newRow("odd 3×11 planes") << QList<qint64>{3, 5, 3, 11} << -1.0 << 0.3;
    QTest::newRow("[N, C] input") << QList<qint64>{40, 6} << 0.0 << 1.0;
    QTest::newRow("mean 1000, spread 1") << QList<qint64>{4, 3, 10, 10} << 1000.0 << 1.0;
    QTest::newRow("mean 10, spread 0.01") << QList<qint64>{4, 3, 9, 9} << 10.0 << 0.01;
}

void TestConvResnet::batchNormMatchesDefinition() {
    QFETCH(QList<qint64>, xs);
    QFETCH(double, offset);
    QFETCH(double, scale);
    const Shape shape(xs.begin(), xs.end());
    const int64_t N = xs[0], C = xs[1], S = xs.size() == 4 ? xs[2] * xs[3] : 1;
    bp::Generator gen(8);
    std::vector<double> xv = Tensor::randn(shape, gen).to_vector();
    for (double& e : xv) e = static_cast<double>(static_cast<float>(offset + scale * e));  // exact in float
    Tensor x = Tensor::from_vector(shape, xv);
    Tensor gamma = Tensor::randn({C}, gen, 1, 0.3), beta = Tensor::randn({C}, gen);
    Tensor rm = Tensor::zeros({C}), rv = Tensor::ones({C});
    Tensor r = Tensor::randn(shape, gen);
    const BnReference ref = naive_batch_norm(xv, gamma.to_vector(), beta.to_vector(), r.to_vector(), N, C,
                                             S, 1e-5);
    for (Tensor* t : {&x, &gamma, &beta}) t->set_requires_grad(true);
    Tensor y = bp::batch_norm(x, gamma, beta, rm, rv, true, 1.0);  // momentum 1: the running stats are the batch's
    expect_values(y, shape, ref.y, 1e-4);
    std::vector<double> unbiased = ref.var;
    for (double& v : unbiased) v *= static_cast<double>(N * S) / static_cast<double>(N * S - 1);
    const double tol_mean = 1e-6 * std::max(1.0, std::abs(offset));
    expect_values(rm, {C}, ref.mean, tol_mean);
    expect_values(rv, {C}, unbiased, 1e-4 * scale * scale);
    bp::sum(bp::mul(y, r)).backward();
    const double tol = 2e-4 * static_cast<double>(N * S);  // sums over N·S float terms
    expect_values(gamma.grad(), {C}, ref.grad_gamma, tol);
    expect_values(beta.grad(), {C}, ref.grad_beta, tol);
    expect_values(x.grad(), shape, ref.grad_x, 1e-3 / scale);
}

// A channel whose first value is far from the rest: the one-pass shifted sums would cancel, so the statistics
// take the two exact passes there, and the variance stays right.
void TestConvResnet::batchNormStatisticsFarFromTheFirstValue() {
    bp::Generator gen(9);
    std::vector<double> v = Tensor::randn({2, 1, 32, 32}, gen).to_vector();
    v[0] = 1000;  // the first value of the channel: the shifted sums' Σd² − M·(Σd/M)² would lose three digits
    for (double& e : v) e = static_cast<double>(static_cast<float>(e));
    Tensor x = Tensor::from_vector({2, 1, 32, 32}, v);
    Tensor rm = Tensor::zeros({1}), rv = Tensor::ones({1});
    bp::batch_norm(x, Tensor(), Tensor(), rm, rv, true, 1.0);
    const double M = static_cast<double>(v.size());
    double mu = 0, var = 0;
    for (double e : v) mu += e / M;
    for (double e : v) var += (e - mu) * (e - mu) / (M - 1);
    QVERIFY(std::abs(rm.to_vector()[0] - mu) < 1e-5);
    QVERIFY2(std::abs(rv.to_vector()[0] / var - 1) < 1e-5, std::to_string(rv.to_vector()[0] / var - 1).c_str());
}

QTEST_APPLESS_MAIN(TestConvResnet)
#include "tst_conv_resnet.moc"
