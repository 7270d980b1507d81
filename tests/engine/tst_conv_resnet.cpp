// tst_conv_resnet.cpp — the float kernels behind ResNet-mini outside Winograd, against the definition in double
// loops (the float64 op shares the grouping code, so it is no independent reference): conv2d at stride 2 (cpu/conv_unroll.h's stride-2 im2col and col2im, conv.cpp's products through
// sgemm) forward and both gradients, with and without the forward's saved columns, on the model's own shapes and
// on edge cases (chunks of 15 outputs crossed, odd sizes, even and wide kernels, the masked loads at the ends of
// the buffers, groups of images crossed, two threads); and batch norm forward and backward (cpu/batch_norm.cpp).
#include <QtTest>

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

}  // namespace

class TestConvResnet : public QObject {
    Q_OBJECT
private slots:
    void cleanup() { bp::set_num_threads(1); }
    void stride2MatchesDefinition_data();
    void stride2MatchesDefinition();
    void stride2WithoutInputGradient();
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

QTEST_APPLESS_MAIN(TestConvResnet)
#include "tst_conv_resnet.moc"
