// tst_conv.cpp — the vision ops and layers: conv2d and pooling on cases small enough to check in your head,
// conv2d against a naive loop on larger shapes (grouped GEMM path, 1×1 path, strides, padding), batch-norm
// training/eval behaviour, dropout masks, concat, the error paths, and the modules (reprs, parameter
// counts, a LeNet-5 and residual blocks end to end). Gradients are covered by tst_gradcheck.cpp.
#include <QtTest>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "bp/backend.h"
#include "bp/errors.h"
#include "bp/nn/layers.h"
#include "bp/ops.h"
#include "bp/tensor.h"
#include "engine/data_test_util.h"
#include "engine/tensor_test_util.h"

using bp::DType;
using bp::Shape;
using bp::Tensor;
using bp_test::expect_values;
using bp_test::message_of;

using Thrower = std::function<std::string()>;
Q_DECLARE_METATYPE(Thrower)

namespace {

Tensor f64(const Shape& s, const std::vector<double>& v) { return Tensor::from_vector(s, v, DType::f64); }

std::vector<double> iota(int64_t n, double start = 1) {
    std::vector<double> v(static_cast<size_t>(n));
    for (size_t i = 0; i < v.size(); ++i) v[i] = start + static_cast<double>(i);
    return v;
}


/// The definition, one output element at a time: out[n,o,oh,ow] = b[o] + Σ x[n,c,oh·s−p+i,ow·s−p+j]·w[o,c,i,j].
std::vector<double> naive_conv2d(const Tensor& x, const Tensor& w, const Tensor& b, int64_t s, int64_t p) {
    const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
    const int64_t O = w.size(0), kh = w.size(2), kw = w.size(3);
    const int64_t OH = (H + 2 * p - kh) / s + 1, OW = (W + 2 * p - kw) / s + 1;
    const std::vector<double> xv = x.to_vector(), wv = w.to_vector();
    const std::vector<double> bv = b.defined() ? b.to_vector() : std::vector<double>(static_cast<size_t>(O), 0.0);
    std::vector<double> out;
    for (int64_t n = 0; n < N; ++n)
        for (int64_t o = 0; o < O; ++o)
            for (int64_t oh = 0; oh < OH; ++oh)
                for (int64_t ow = 0; ow < OW; ++ow) {
                    double acc = bv[static_cast<size_t>(o)];
                    for (int64_t c = 0; c < C; ++c)
                        for (int64_t i = 0; i < kh; ++i)
                            for (int64_t j = 0; j < kw; ++j) {
                                const int64_t ih = oh * s - p + i, iw = ow * s - p + j;
                                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                                acc += xv[static_cast<size_t>(((n * C + c) * H + ih) * W + iw)] *
                                       wv[static_cast<size_t>(((o * C + c) * kh + i) * kw + j)];
                            }
                    out.push_back(acc);
                }
    return out;
}

std::shared_ptr<bp::nn::Sequential> lenet5() {
    using namespace bp::nn;
    auto net = std::make_shared<Sequential>();
    net->push_back(std::make_shared<Conv2d>(Conv2dOptions(1, 6, 5).padding(2)));  // [N, 6, 28, 28]
    net->push_back(std::make_shared<ActivationLayer>(Activation::relu));
    net->push_back(std::make_shared<MaxPool2d>(2));                                // [N, 6, 14, 14]
    net->push_back(std::make_shared<Conv2d>(Conv2dOptions(6, 16, 5)));             // [N, 16, 10, 10]
    net->push_back(std::make_shared<ActivationLayer>(Activation::relu));
    net->push_back(std::make_shared<MaxPool2d>(2));                                // [N, 16, 5, 5]
    net->push_back(std::make_shared<Flatten>());                                   // [N, 400]
    net->push_back(std::make_shared<Linear>(LinearOptions(400, 120)));
    net->push_back(std::make_shared<ActivationLayer>(Activation::relu));
    net->push_back(std::make_shared<Linear>(LinearOptions(120, 84)));
    net->push_back(std::make_shared<ActivationLayer>(Activation::relu));
    net->push_back(std::make_shared<Linear>(LinearOptions(84, 10)));
    return net;
}

}  // namespace

class TestConv : public QObject {
    Q_OBJECT

private slots:
    void conv2dOnesKernel_data();
    void conv2dOnesKernel();
    void conv2dMatchesNaiveLoop_data();
    void conv2dMatchesNaiveLoop();
    void conv2dFloat32MatchesFloat64();
    void conv2dBackwardWithAndWithoutSavedColumns();
    void winogradBackwardCalledDirectly();
    void conv2dFloat32GradientsMatchFloat64_data();
    void conv2dFloat32GradientsMatchFloat64();
    void winogradRoundingErrorIsBounded();
    void maxPoolPicksMaximaAndRoutesGradient();
    void maxPoolFloatMatchesDouble();
    void avgPoolValues();
    void globalAvgPool();
    void batchNormTrainingNormalisesAndUpdatesRunningStats_data();
    void batchNormTrainingNormalisesAndUpdatesRunningStats();
    void batchNormEvalUsesRunningStats();
    void dropoutMasks();
    void concatAlongChannels();
    void errorPaths_data();
    void errorPaths();
    void moduleReprs();
    void parameterCountsAndNames();
    void lenetMapsImagesToLogits();
    void residualBlocks();
    void dropoutModuleIsSeededAndOffInEval();
};

// x = [[ 1  2  3  4]      a 2×2 kernel of ones sums each 2×2 window (one step right adds 4, one step down 16):
//      [ 5  6  7  8]      stride 1: [[14 18 22] [30 34 38] [46 50 54]]
//      [ 9 10 11 12]      stride 2: [[14 22] [46 54]]
//      [13 14 15 16]]     padding 1 adds a ring of zeros: the corners see one pixel, the edges two.
void TestConv::conv2dOnesKernel_data() {
    QTest::addColumn<int>("stride");
    QTest::addColumn<int>("padding");
    QTest::addColumn<double>("bias");
    QTest::addColumn<QList<qint64>>("shape");
    QTest::addColumn<QList<double>>("values");
    QTest::newRow("stride 1") << 1 << 0 << 0.0 << QList<qint64>{1, 1, 3, 3}
                              << QList<double>{14, 18, 22, 30, 34, 38, 46, 50, 54};
    QTest::newRow("stride 2, bias 0.5") << 2 << 0 << 0.5 << QList<qint64>{1, 1, 2, 2}
                                        << QList<double>{14.5, 22.5, 46.5, 54.5};
    QTest::newRow("padding 1") << 1 << 1 << 0.0 << QList<qint64>{1, 1, 5, 5}
                               << QList<double>{1,  3,  5,  7,  4,  6,  14, 18, 22, 12, 14, 30, 34,
                                                38, 20, 22, 46, 50, 54, 28, 13, 27, 29, 31, 16};
    QTest::newRow("stride 2, padding 1") << 2 << 1 << 0.0 << QList<qint64>{1, 1, 3, 3}
                                         << QList<double>{1, 5, 4, 14, 34, 20, 13, 29, 16};
}

void TestConv::conv2dOnesKernel() {
    QFETCH(int, stride);
    QFETCH(int, padding);
    QFETCH(double, bias);
    QFETCH(QList<qint64>, shape);
    QFETCH(QList<double>, values);
    Tensor x = Tensor::from_vector({1, 1, 4, 4}, iota(16));
    Tensor w = Tensor::ones({1, 1, 2, 2});
    Tensor b = bias != 0.0 ? Tensor::full({1}, bias) : Tensor();
    Tensor y = bp::conv2d(x, w, b, stride, padding);
    QCOMPARE(y.dtype(), DType::f32);
    expect_values(y, Shape(shape.begin(), shape.end()), std::vector<double>(values.begin(), values.end()), 0.0);
}

void TestConv::conv2dMatchesNaiveLoop_data() {
    QTest::addColumn<QList<qint64>>("xs");
    QTest::addColumn<QList<qint64>>("ws");
    QTest::addColumn<int>("stride");
    QTest::addColumn<int>("padding");
    QTest::addColumn<bool>("bias");
    // 9×9 stride 2 padding 1 gives 25 pixels per image: 40 images per GEMM, so 50 images make a full group
    // and a partial one.
    QTest::newRow("groups of images") << QList<qint64>{50, 3, 9, 9} << QList<qint64>{4, 3, 3, 3} << 2 << 1 << true;
    QTest::newRow("stride 1, no padding") << QList<qint64>{5, 3, 8, 8} << QList<qint64>{4, 3, 3, 3} << 1 << 0 << true;
    QTest::newRow("one image, 5×5 pad 2") << QList<qint64>{1, 2, 8, 7} << QList<qint64>{3, 2, 5, 5} << 1 << 2 << true;
    QTest::newRow("non-square kernel, stride 3") << QList<qint64>{3, 2, 10, 9} << QList<qint64>{2, 2, 2, 4} << 3 << 0
                                                 << false;
    QTest::newRow("1×1 pointwise") << QList<qint64>{4, 5, 3, 3} << QList<qint64>{6, 5, 1, 1} << 1 << 0 << true;
    QTest::newRow("1×1 stride 2") << QList<qint64>{2, 3, 5, 5} << QList<qint64>{2, 3, 1, 1} << 2 << 0 << false;
    QTest::newRow("large image, one per GEMM") << QList<qint64>{3, 2, 40, 40} << QList<qint64>{3, 2, 3, 3} << 1 << 1
                                               << true;
}

void TestConv::conv2dMatchesNaiveLoop() {
    QFETCH(QList<qint64>, xs);
    QFETCH(QList<qint64>, ws);
    QFETCH(int, stride);
    QFETCH(int, padding);
    QFETCH(bool, bias);
    bp::Generator gen(3);
    Tensor x = Tensor::randn(Shape(xs.begin(), xs.end()), gen, 0, 1, DType::f64);
    Tensor w = Tensor::randn(Shape(ws.begin(), ws.end()), gen, 0, 1, DType::f64);
    Tensor b = bias ? Tensor::randn({ws[0]}, gen, 0, 1, DType::f64) : Tensor();
    Tensor y = bp::conv2d(x, w, b, stride, padding);
    const int64_t OH = (xs[2] + 2 * padding - ws[2]) / stride + 1, OW = (xs[3] + 2 * padding - ws[3]) / stride + 1;
    expect_values(y, {xs[0], ws[0], OH, OW}, naive_conv2d(x, w, b, stride, padding), 1e-12);
}

void TestConv::conv2dFloat32MatchesFloat64() {
    bp::Generator gen(5);
    Tensor x = Tensor::randn({6, 3, 12, 12}, gen, 0, 1, DType::f64);
    Tensor w = Tensor::randn({8, 3, 3, 3}, gen, 0, 0.3, DType::f64);
    Tensor b = Tensor::randn({8}, gen, 0, 1, DType::f64);
    Tensor y64 = bp::conv2d(x, w, b, 1, 1);
    Tensor y32 = bp::conv2d(x.to(DType::f32), w.to(DType::f32), b.to(DType::f32), 1, 1);
    QCOMPARE(y32.dtype(), DType::f32);
    expect_values(y32, y64.shape(), y64.to_vector(), 1e-5);
}

// Training saves the unrolled input for grad_w; a convolution too large for that budget unrolls it again in
// backward. Both paths must give the same gradients (the gradient checks exercise the saved one).
void TestConv::conv2dBackwardWithAndWithoutSavedColumns() {
    bp::Generator gen(8);
    Tensor x = Tensor::randn({7, 3, 9, 8}, gen, 0, 1, DType::f64).set_requires_grad(true);
    Tensor w = Tensor::randn({4, 3, 3, 3}, gen, 0, 1, DType::f64).set_requires_grad(true);
    Tensor b = Tensor::randn({4}, gen, 0, 1, DType::f64).set_requires_grad(true);
    Tensor y = bp::conv2d(x, w, b, 2, 1);
    Tensor g = Tensor::randn(y.shape(), gen, 0, 1, DType::f64);
    bp::sum(bp::mul(y, g)).backward();
    Tensor gx = Tensor::empty(x.shape(), DType::f64), gw = Tensor::empty(w.shape(), DType::f64);
    Tensor gb = Tensor::empty(b.shape(), DType::f64);
    bp::backend_for(x).conv2d_backward(gx, gw, gb, g, x.detach(), w.detach(), Tensor(), bp::Window2d{3, 3, 2, 2, 1, 1});
    expect_values(gx, x.shape(), x.grad().to_vector(), 1e-12);
    expect_values(gw, w.shape(), w.grad().to_vector(), 1e-12);
    expect_values(gb, b.shape(), b.grad().to_vector(), 1e-12);
}

// The Winograd kernels keep nothing from forward (grad_w transforms x again): the backward pass called directly,
// without the op's saved-columns tensor, gives the autograd node's gradients.
void TestConv::winogradBackwardCalledDirectly() {
    bp::Generator gen(9);
    Tensor x = Tensor::randn({3, 24, 9, 10}, gen).set_requires_grad(true);  // F(4×4): 9×10 needs fewer products
    Tensor w = Tensor::randn({40, 24, 3, 3}, gen, 0, 0.3).set_requires_grad(true);
    Tensor b = Tensor::randn({40}, gen).set_requires_grad(true);
    Tensor y = bp::conv2d(x, w, b, 1, 1);
    Tensor g = Tensor::randn(y.shape(), gen);
    bp::sum(bp::mul(y, g)).backward();
    Tensor gx = Tensor::empty(x.shape()), gw = Tensor::empty(w.shape()), gb = Tensor::empty(b.shape());
    bp::backend_for(x).conv2d_backward(gx, gw, gb, g, x.detach(), w.detach(), Tensor(), bp::Window2d{3, 3, 1, 1, 1, 1});
    expect_values(gx, x.shape(), x.grad().to_vector(), 1e-5);
    expect_values(gw, w.shape(), w.grad().to_vector(), 1e-4);
    expect_values(gb, b.shape(), b.grad().to_vector(), 1e-4);
    // grad_w alone (x needs no gradient): grad_out is then packed for grad_w only, without grad_x's padding.
    Tensor gw_only = Tensor::empty(w.shape());
    Tensor none;
    bp::backend_for(x).conv2d_backward(none, gw_only, none, g, x.detach(), w.detach(), Tensor(),
                                       bp::Window2d{3, 3, 1, 1, 1, 1});
    expect_values(gw_only, w.shape(), w.grad().to_vector(), 1e-4);
}

// float32 takes other kernels than the float64 of the gradient checks (a direct convolution for small
// layers where AVX-512 exists, im2col + GEMM otherwise): its forward and gradients must agree with float64.
void TestConv::conv2dFloat32GradientsMatchFloat64_data() {
    QTest::addColumn<QList<qint64>>("xs");
    QTest::addColumn<QList<qint64>>("ws");
    QTest::addColumn<int>("stride");
    QTest::addColumn<int>("padding");
    QTest::newRow("LeNet conv1") << QList<qint64>{3, 1, 28, 28} << QList<qint64>{6, 1, 5, 5} << 1 << 2;
    QTest::newRow("LeNet conv2") << QList<qint64>{3, 6, 14, 14} << QList<qint64>{16, 6, 5, 5} << 1 << 0;
    QTest::newRow("wide rows, 7 channels out") << QList<qint64>{2, 2, 5, 37} << QList<qint64>{7, 2, 3, 2} << 1 << 1;
    QTest::newRow("16 → 16 channels, padding 1, 15 wide") << QList<qint64>{2, 16, 7, 15} << QList<qint64>{16, 16, 3, 3}
                                                       << 1 << 1;
    QTest::newRow("3 → 32 channels, 2×3 kernel") << QList<qint64>{2, 3, 6, 20} << QList<qint64>{32, 3, 2, 3} << 1 << 1;
    // The direct kernels' paths (cpu/conv_direct.cpp): forward blocks of two 16-column runs (OW 17..32) or one,
    // output channels in blocks of 6 or 8 plus a remainder; grad_x as wᵀ·grad_out + col2im where C is not a
    // multiple of 16 (K and P not multiples of the 4-row / 16-pixel register block; kw 5, 3 and other).
    QTest::newRow("direct, batch 1, C_in 1, 9×13, pad 2") << QList<qint64>{1, 1, 9, 13} << QList<qint64>{5, 1, 5, 5} << 1
                                                         << 2;
    QTest::newRow("direct, 11×19 odd, 3 → 10, pad 0") << QList<qint64>{2, 3, 11, 19} << QList<qint64>{10, 3, 5, 5} << 1
                                                     << 0;
    QTest::newRow("direct, 21 wide (two runs), 2 → 9, pad 2") << QList<qint64>{2, 2, 7, 21} << QList<qint64>{9, 2, 5, 5}
                                                             << 1 << 2;
    QTest::newRow("direct, 7×7 kernel, pad 3, 2 → 4") << QList<qint64>{2, 2, 10, 10} << QList<qint64>{4, 2, 7, 7} << 1
                                                     << 3;
    QTest::newRow("direct, speedrun conv1, batch 5") << QList<qint64>{5, 1, 28, 28} << QList<qint64>{6, 1, 5, 5} << 1 << 2;
    // 3×3 stride 1 with many weights: Winograd F(2×2, 3×3) (cpu/winograd.cpp) where AVX-512 is compiled in.
    // Odd output sizes (partial tiles), batch 1, channel counts that are not multiples of 16, padding 0 and 2,
    // more tiles than one block (O·C·9 > 4096 in each, else the direct kernel takes the layer) so that blocks, image
    // groups and threads are crossed.
    QTest::newRow("3×3, 32 → 64 (Winograd)") << QList<qint64>{2, 32, 6, 6} << QList<qint64>{64, 32, 3, 3} << 1 << 1;
    QTest::newRow("Winograd, batch 1, 7×11, 24 → 21") << QList<qint64>{1, 24, 7, 11} << QList<qint64>{21, 24, 3, 3} << 1
                                                    << 1;
    QTest::newRow("Winograd, padding 0, 9×6") << QList<qint64>{3, 12, 9, 6} << QList<qint64>{40, 12, 3, 3} << 1 << 0;
    QTest::newRow("Winograd, padding 2, 5×5") << QList<qint64>{2, 8, 5, 5} << QList<qint64>{60, 8, 3, 3} << 1 << 2;
    QTest::newRow("Winograd, 37 wide (rows of 19 tiles)") << QList<qint64>{2, 16, 5, 37} << QList<qint64>{40, 16, 3, 3}
                                                          << 1 << 1;
    QTest::newRow("Winograd, 3×3 image, padding 0 (one output)") << QList<qint64>{2, 24, 3, 3}
                                                                << QList<qint64>{24, 24, 3, 3} << 1 << 0;
    QTest::newRow("Winograd, 1×2 image, padding 1") << QList<qint64>{3, 24, 1, 2} << QList<qint64>{24, 24, 3, 3} << 1
                                                    << 1;
    QTest::newRow("Winograd, 175 tiles") << QList<qint64>{5, 20, 13, 10} << QList<qint64>{33, 20, 3, 3} << 1 << 1;
    // Channel-blocked layout (16 channels a vector): more input than output channels with grad_x's tile grid
    // larger or smaller than forward's (padding 0 and 2), images in groups of 3 and 2 (7×7, 64 → 64, ResNet-mini's
    // last blocks), and one image spread over several blocks of tiles (40×40: 400 tiles, blocks of 70).
    QTest::newRow("Winograd, 56 → 10, padding 0, 12×12") << QList<qint64>{2, 56, 12, 12} << QList<qint64>{10, 56, 3, 3}
                                                        << 1 << 0;
    QTest::newRow("Winograd, 36 → 20, padding 2, 6×5") << QList<qint64>{2, 36, 6, 5} << QList<qint64>{20, 36, 3, 3} << 1
                                                      << 2;
    QTest::newRow("Winograd, 7×7, 64 → 64, batch 5") << QList<qint64>{5, 64, 7, 7} << QList<qint64>{64, 64, 3, 3} << 1
                                                    << 1;
    QTest::newRow("Winograd, 40×40, 64 → 48, batch 1") << QList<qint64>{1, 64, 40, 40} << QList<qint64>{48, 64, 3, 3}
                                                      << 1 << 1;
    QTest::newRow("3×3 stride 2, 32 → 64 (GEMM)") << QList<qint64>{2, 32, 7, 7} << QList<qint64>{64, 32, 3, 3} << 2
                                                  << 1;
    QTest::newRow("stride 2") << QList<qint64>{2, 3, 9, 9} << QList<qint64>{4, 3, 3, 3} << 2 << 1;
}

void TestConv::conv2dFloat32GradientsMatchFloat64() {
    QFETCH(QList<qint64>, xs);
    QFETCH(QList<qint64>, ws);
    QFETCH(int, stride);
    QFETCH(int, padding);
    bp::Generator gen(12);
    Tensor x64 = Tensor::randn(Shape(xs.begin(), xs.end()), gen, 0, 1, DType::f64);
    Tensor w64 = Tensor::randn(Shape(ws.begin(), ws.end()), gen, 0, 0.5, DType::f64);
    Tensor b64 = Tensor::randn({ws[0]}, gen, 0, 1, DType::f64);
    Tensor x32 = x64.to(DType::f32), w32 = w64.to(DType::f32), b32 = b64.to(DType::f32);
    for (Tensor* t : {&x64, &w64, &b64, &x32, &w32, &b32}) t->set_requires_grad(true);
    Tensor y64 = bp::conv2d(x64, w64, b64, stride, padding);
    Tensor y32 = bp::conv2d(x32, w32, b32, stride, padding);
    // float32 rounding grows with the outputs' size: 1e-4, or 2e-5 of the largest |y| (F(4×4) Winograd's error is
    // about 6e-6 of it, see winogradRoundingErrorIsBounded).
    double ymax = 0;
    for (double v : y64.to_vector()) ymax = std::max(ymax, std::abs(v));
    expect_values(y32, y64.shape(), y64.to_vector(), std::max(1e-4, 2e-5 * ymax));
    Tensor r = Tensor::randn(y64.shape(), gen, 0, 1, DType::f64);
    bp::sum(bp::mul(y64, r)).backward();
    bp::sum(bp::mul(y32, r.to(DType::f32))).backward();
    expect_values(x32.grad(), x64.shape(), x64.grad().to_vector(), 1e-3);
    expect_values(w32.grad(), w64.shape(), w64.grad().to_vector(), 2e-3);
    expect_values(b32.grad(), b64.shape(), b64.grad().to_vector(), 2e-3);
}

// Winograd's float32 rounding error against float64, relative to the largest value: F(4×4, 3×3) (ResNet-mini's
// 7×7 and 14×14 layers) measured 4.9-6.4e-6 on y and grad_x and 2.8-4.8e-6 on grad_w, F(2×2, 3×3) (a 5×5 image,
// where F(4×4) saves no products) 2.5-3.0e-7; a plain float32 sum of the 9·C products has about 6e-7. The bounds
// leave a factor of 2.3.
void TestConv::winogradRoundingErrorIsBounded() {
    struct Case {
        qint64 n, c, hw, o;
        double bound;  // of max |y32 − y64| / max |y64|
    };
    for (const Case& k : {Case{8, 64, 7, 64, 1.5e-5}, Case{8, 32, 14, 64, 1.5e-5}, Case{8, 32, 5, 64, 1e-6}}) {
        bp::Generator gen(12);
        Tensor x64 = Tensor::randn({k.n, k.c, k.hw, k.hw}, gen, 0, 1, DType::f64);
        Tensor w64 = Tensor::randn({k.o, k.c, 3, 3}, gen, 0, 0.5, DType::f64);
        Tensor x32 = x64.to(DType::f32).set_requires_grad(true), w32 = w64.to(DType::f32).set_requires_grad(true);
        x64.set_requires_grad(true), w64.set_requires_grad(true);
        Tensor y64 = bp::conv2d(x64, w64, Tensor(), 1, 1), y32 = bp::conv2d(x32, w32, Tensor(), 1, 1);
        Tensor r = Tensor::randn(y64.shape(), gen, 0, 1, DType::f64);
        bp::sum(bp::mul(y64, r)).backward();
        bp::sum(bp::mul(y32, r.to(DType::f32))).backward();
        auto relative_error = [](const Tensor& got, const Tensor& want) {
            const std::vector<double> g = got.to_vector(), w = want.to_vector();
            double err = 0, top = 0;
            for (size_t i = 0; i < w.size(); ++i) err = std::max(err, std::abs(g[i] - w[i])), top = std::max(top, std::abs(w[i]));
            return err / top;
        };
        const double ey = relative_error(y32, y64), ex = relative_error(x32.grad(), x64.grad());
        const double ew = relative_error(w32.grad(), w64.grad());
        QVERIFY2(ey <= k.bound && ex <= k.bound && ew <= k.bound,
                 qPrintable(QString("%1×%2×%3 → %4: relative error y %5, grad_x %6, grad_w %7, bound %8")
                                .arg(k.n).arg(k.c).arg(k.hw).arg(k.o).arg(ey).arg(ex).arg(ew).arg(k.bound)));
        QVERIFY(ey > 0);  // float32 differs from float64 somewhere: the comparison is not vacuous
    }
}

// x = [[1 9 2 3]    2×2 windows: {1 9 4 5} → 9 at (0,1);  {2 3 8 7} → 8 at (1,2)
//      [4 5 8 7]                 {6 0 3 2} → 6 at (2,0);  {1 2 4 9} → 9 at (3,3)
//      [6 0 1 2]    backward sends each output's gradient to its window's maximum only.
//      [3 2 4 9]]
void TestConv::maxPoolPicksMaximaAndRoutesGradient() {
    Tensor x = f64({1, 1, 4, 4}, {1, 9, 2, 3, 4, 5, 8, 7, 6, 0, 1, 2, 3, 2, 4, 9}).set_requires_grad(true);
    Tensor y = bp::max_pool2d(x, 2);
    expect_values(y, {1, 1, 2, 2}, {9, 8, 6, 9}, 0.0);
    bp::sum(bp::mul(y, f64({1, 1, 2, 2}, {1, 2, 3, 4}))).backward();
    expect_values(x.grad(), {1, 1, 4, 4}, {0, 1, 0, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0, 0, 0, 4}, 0.0);

    // Overlapping 3×3 windows, stride 1: the 9 at (0,1) wins the two windows that contain it, and so on.
    Tensor x2 = f64({1, 1, 4, 4}, {1, 9, 2, 3, 4, 5, 8, 7, 6, 0, 1, 2, 3, 2, 4, 9}).set_requires_grad(true);
    Tensor y2 = bp::max_pool2d(x2, 3, 1);
    expect_values(y2, {1, 1, 2, 2}, {9, 9, 8, 9}, 0.0);
    bp::sum(y2).backward();
    expect_values(x2.grad(), {1, 1, 4, 4}, {0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 0.0);
}

// The float 2×2 kernel (AVX-512 where built with it) against the double one on the same values: rows of
// odd width (the last column unused) and wider than 16 outputs, many ties (values in steps of 0.5; the
// first maximum wins) and a NaN (it propagates), compared value for value and through the gradient's routing.
void TestConv::maxPoolFloatMatchesDouble() {
    bp::Generator gen(3);
    std::vector<double> v = Tensor::randn({3, 5, 13, 37}, gen, 0, 2, DType::f64).to_vector();
    for (double& e : v) e = std::round(e * 2) / 2;
    v[7 * 37 + 11] = std::nan("");
    Tensor xd = f64({3, 5, 13, 37}, v).set_requires_grad(true);
    Tensor xf = Tensor::from_vector({3, 5, 13, 37}, v, DType::f32).set_requires_grad(true);
    Tensor yd = bp::max_pool2d(xd, 2), yf = bp::max_pool2d(xf, 2);
    const std::vector<double> a = yd.to_vector(), b = yf.to_vector();
    QCOMPARE(yf.shape(), (Shape{3, 5, 6, 18}));
    for (size_t i = 0; i < a.size(); ++i)
        QVERIFY2(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])), qPrintable(QString("output %1").arg(i)));
    std::vector<double> r(a.size());
    for (size_t i = 0; i < r.size(); ++i) r[i] = static_cast<double>(i % 7) + 1;
    bp::sum(bp::mul(yd, f64(yd.shape(), r))).backward();
    bp::sum(bp::mul(yf, Tensor::from_vector(yf.shape(), r, DType::f32))).backward();
    QCOMPARE(xf.grad().to_vector(), xd.grad().to_vector());
}

// x = 1..16 as above. kernel 2: window means. kernel 2 stride 2 padding 1: zero padding counts in the
// divisor (4), so the corner window holds x[0][0] / 4 = 0.25.
void TestConv::avgPoolValues() {
    Tensor x = Tensor::from_vector({1, 1, 4, 4}, iota(16), DType::f64);
    expect_values(bp::avg_pool2d(x, 2), {1, 1, 2, 2}, {3.5, 5.5, 11.5, 13.5}, 1e-15);
    expect_values(bp::avg_pool2d(x, 2, 2, 1), {1, 1, 3, 3}, {0.25, 1.25, 1, 3.5, 8.5, 5, 3.25, 7.25, 4}, 1e-15);
    // Each input of a 2×2 window gets a quarter of its gradient.
    Tensor xg = x.clone().set_requires_grad(true);
    bp::sum(bp::avg_pool2d(xg, 2)).backward();
    expect_values(xg.grad(), {1, 1, 4, 4}, std::vector<double>(16, 0.25), 0.0);
}

void TestConv::globalAvgPool() {
    Tensor x = Tensor::from_vector({2, 2, 2, 2}, iota(16), DType::f64);  // planes 1..4, 5..8, 9..12, 13..16
    expect_values(bp::global_avg_pool2d(x), {2, 2}, {2.5, 6.5, 10.5, 14.5}, 1e-15);
}

void TestConv::batchNormTrainingNormalisesAndUpdatesRunningStats_data() {
    QTest::addColumn<QList<qint64>>("shape");
    QTest::newRow("[N, C]") << QList<qint64>{16, 3};
    QTest::newRow("[N, C, H, W]") << QList<qint64>{4, 3, 5, 5};
}

void TestConv::batchNormTrainingNormalisesAndUpdatesRunningStats() {
    QFETCH(QList<qint64>, shape);
    const Shape s(shape.begin(), shape.end());
    bp::Generator gen(11);
    Tensor x = Tensor::randn(s, gen, 3.0, 2.0, DType::f64);
    const int64_t C = s[1], S = s.size() == 4 ? s[2] * s[3] : 1, M = s[0] * S;
    Tensor rm = Tensor::zeros({C}, DType::f64), rv = Tensor::ones({C}, DType::f64);
    Tensor y = bp::batch_norm(x, Tensor(), Tensor(), rm, rv, true, 0.1, 1e-5);
    const std::vector<double> xv = x.to_vector(), yv = y.to_vector();
    for (int64_t c = 0; c < C; ++c) {
        double xm = 0, ym = 0;
        for (int64_t n = 0; n < s[0]; ++n)
            for (int64_t k = 0; k < S; ++k) {
                xm += xv[static_cast<size_t>((n * C + c) * S + k)];
                ym += yv[static_cast<size_t>((n * C + c) * S + k)];
            }
        xm /= M, ym /= M;
        double xvar = 0, yvar = 0;
        for (int64_t n = 0; n < s[0]; ++n)
            for (int64_t k = 0; k < S; ++k) {
                const size_t i = static_cast<size_t>((n * C + c) * S + k);
                xvar += (xv[i] - xm) * (xv[i] - xm);
                yvar += (yv[i] - ym) * (yv[i] - ym);
            }
        // Batch statistics: mean 0, biased variance 1 (up to eps).
        QVERIFY2(std::abs(ym) < 1e-12, qPrintable(QString("channel %1 mean %2").arg(c).arg(ym)));
        QVERIFY2(std::abs(yvar / M - 1.0) < 1e-5, qPrintable(QString("channel %1 var %2").arg(c).arg(yvar / M)));
        // Momentum rule from (0, 1): r = 0.9·r + 0.1·batch, with the unbiased variance.
        QVERIFY(std::abs(rm.at({c}) - 0.1 * xm) < 1e-12);
        QVERIFY(std::abs(rv.at({c}) - (0.9 + 0.1 * xvar / (M - 1))) < 1e-12);
    }
}

void TestConv::batchNormEvalUsesRunningStats() {
    // Channel 0: running mean 1, var 4 → (x − 1) / 2 · γ + β with γ = 3, β = 0.5; channel 1: mean 0, var 1.
    Tensor x = f64({2, 2}, {3, 2, 5, -1});
    Tensor gamma = f64({2}, {3, 1}), beta = f64({2}, {0.5, 0});
    Tensor rm = f64({2}, {1, 0}), rv = f64({2}, {4 - 1e-5, 1 - 1e-5});  // var + eps = 4 and 1 exactly
    Tensor y_eval = bp::batch_norm(x, gamma, beta, rm, rv, false, 0.1, 1e-5);
    expect_values(y_eval, {2, 2}, {3.5, 2, 6.5, -1}, 1e-12);
    expect_values(rm, {2}, {1, 0}, 0.0);  // eval leaves the running statistics alone
    Tensor y_train = bp::batch_norm(x, gamma, beta, rm, rv, true, 0.1, 1e-5);
    QVERIFY(std::abs(y_train.at({0, 0}) - y_eval.at({0, 0})) > 0.5);
    QVERIFY(std::abs(rm.at({0}) - (0.9 * 1 + 0.1 * 4)) < 1e-12);  // batch mean of channel 0 is 4

    // The module: train() and eval() pick the mode; running statistics are buffers.
    bp::nn::BatchNorm2d bn(3);
    bp::Generator gen(2);
    Tensor img = Tensor::randn({4, 3, 3, 3}, gen, 1.0, 2.0);
    Tensor a = bn(img);
    QVERIFY(std::abs(bn.running_mean.at({0})) > 1e-3);
    bn.eval();
    Tensor rm_before = bn.running_mean.clone();
    Tensor b = bn(img);
    expect_values(bn.running_mean, {3}, rm_before.to_vector(), 0.0);
    QVERIFY(std::abs(a.at({0, 0, 0, 0}) - b.at({0, 0, 0, 0})) > 1e-3);
}

void TestConv::dropoutMasks() {
    Tensor x = Tensor::ones({100, 100});
    bp::Generator g0(1);
    QVERIFY(bp::dropout(x, 0.3, false, g0).same(x));  // eval: the identity, the very same tensor

    bp::Generator g1(42), g2(42), g3(43);
    Tensor a = bp::dropout(x, 0.3, true, g1);
    Tensor b = bp::dropout(x, 0.3, true, g2);
    Tensor c = bp::dropout(x, 0.3, true, g3);
    const std::vector<double> av = a.to_vector();
    int64_t zeros = 0;
    for (double v : av) {
        if (v == 0.0) ++zeros;
        else QVERIFY2(std::abs(v - 1.0 / 0.7) < 1e-6, qPrintable(QString("kept element %1").arg(v)));
    }
    QVERIFY2(zeros > 2700 && zeros < 3300, qPrintable(QString("%1 of 10000 dropped").arg(zeros)));
    QVERIFY(av == b.to_vector());  // same seed, same mask
    QVERIFY(av != c.to_vector());

    // The gradient uses the saved mask: zero where dropped, 1/(1 − p) where kept.
    Tensor xg = Tensor::ones({10, 10}).set_requires_grad(true);
    bp::Generator g4(9);
    Tensor y = bp::dropout(xg, 0.5, true, g4);
    bp::sum(y).backward();
    expect_values(xg.grad(), {10, 10}, y.to_vector(), 0.0);

    bp::Generator g5(1);
    expect_values(bp::dropout(x, 1.0, true, g5), {100, 100}, std::vector<double>(10000, 0.0), 0.0);
}

void TestConv::concatAlongChannels() {
    Tensor a = Tensor::from_vector({2, 1, 2}, {1, 2, 3, 4}, DType::f64).set_requires_grad(true);
    Tensor b = Tensor::from_vector({2, 2, 2}, {5, 6, 7, 8, 9, 10, 11, 12}, DType::f64).set_requires_grad(true);
    Tensor y = bp::concat({a, b}, 1);
    expect_values(y, {2, 3, 2}, {1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12}, 0.0);
    bp::sum(bp::mul(y, Tensor::from_vector({2, 3, 2}, iota(12), DType::f64))).backward();
    expect_values(a.grad(), {2, 1, 2}, {1, 2, 7, 8}, 0.0);
    expect_values(b.grad(), {2, 2, 2}, {3, 4, 5, 6, 9, 10, 11, 12}, 0.0);
}

void TestConv::errorPaths_data() {
    using bp::ShapeError;
    QTest::addColumn<Thrower>("call");
    QTest::addColumn<QStringList>("needles");
    QTest::newRow("conv2d channel mismatch") << Thrower([] {
        return message_of<ShapeError>(
            [] { bp::conv2d(Tensor::zeros({2, 3, 8, 8}), Tensor::zeros({4, 1, 3, 3}), Tensor(), 1, 0); });
    }) << QStringList{"conv2d", "[2, 3, 8, 8]", "[4, 1, 3, 3]", "3 channels", "expects 1"};
    QTest::newRow("conv2d kernel larger than padded input") << Thrower([] {
        return message_of<ShapeError>(
            [] { bp::conv2d(Tensor::zeros({1, 1, 3, 3}), Tensor::zeros({1, 1, 5, 5}), Tensor(), 1, 0); });
    }) << QStringList{"conv2d", "[1, 1, 3, 3]", "[1, 1, 5, 5]", "larger than the padded input 3×3"};
    QTest::newRow("conv2d 3-D input") << Thrower([] {
        return message_of<ShapeError>(
            [] { bp::conv2d(Tensor::zeros({1, 28, 28}), Tensor::zeros({6, 1, 5, 5}), Tensor(), 1, 0); });
    }) << QStringList{"conv2d", "[1, 28, 28]", "[6, 1, 5, 5]", "batch dimension"};
    QTest::newRow("conv2d bias size") << Thrower([] {
        return message_of<ShapeError>(
            [] { bp::conv2d(Tensor::zeros({1, 1, 4, 4}), Tensor::zeros({2, 1, 3, 3}), Tensor::zeros({3}), 1, 0); });
    }) << QStringList{"conv2d", "[2, 1, 3, 3]", "[3]", "[out_channels] = [2]"};
    QTest::newRow("conv2d stride 0") << Thrower([] {
        return message_of<bp::ConfigError>(
            [] { bp::conv2d(Tensor::zeros({1, 1, 4, 4}), Tensor::zeros({1, 1, 3, 3}), Tensor(), 0, 0); });
    }) << QStringList{"conv2d", "stride"};
    QTest::newRow("Conv2d module on [N, 3, H, W]") << Thrower([] {
        return message_of<ShapeError>([] {
            bp::nn::Conv2d conv(bp::nn::Conv2dOptions(1, 6, 5).padding(2));
            conv(Tensor::zeros({2, 3, 28, 28}));
        });
    }) << QStringList{"conv2d", "[2, 3, 28, 28]", "Conv2d(1, 6", "[N, 1, H, W]"};
    QTest::newRow("max_pool2d window larger than input") << Thrower([] {
        return message_of<ShapeError>([] { bp::max_pool2d(Tensor::zeros({1, 1, 2, 2}), 3); });
    }) << QStringList{"max_pool2d", "[1, 1, 2, 2]", "3×3"};
    QTest::newRow("avg_pool2d on [N, C]") << Thrower([] {
        return message_of<ShapeError>([] { bp::avg_pool2d(Tensor::zeros({4, 8}), 2); });
    }) << QStringList{"avg_pool2d", "[4, 8]", "[N, C, H, W]"};
    QTest::newRow("batch_norm gamma size") << Thrower([] {
        return message_of<ShapeError>([] {
            bp::batch_norm(Tensor::zeros({4, 3}), Tensor::ones({2}), Tensor(), Tensor(), Tensor(), true);
        });
    }) << QStringList{"batch_norm", "[4, 3]", "[2]", "[3]"};
    QTest::newRow("batch_norm one value per channel") << Thrower([] {
        return message_of<ShapeError>([] {
            bp::batch_norm(Tensor::zeros({1, 3}), Tensor(), Tensor(), Tensor::zeros({3}), Tensor::ones({3}), true);
        });
    }) << QStringList{"batch_norm", "[1, 3]", "more than one value"};
    QTest::newRow("BatchNorm2d on [N, C]") << Thrower([] {
        return message_of<ShapeError>([] {
            bp::nn::BatchNorm2d bn(4);
            bn(Tensor::zeros({8, 4}));
        });
    }) << QStringList{"batch_norm", "[8, 4]", "BatchNorm2d(4", "[N, 4, H, W]"};
    QTest::newRow("dropout p 1.5") << Thrower([] {
        return message_of<bp::ConfigError>([] {
            bp::Generator g(0);
            bp::dropout(Tensor::zeros({2}), 1.5, true, g);
        });
    }) << QStringList{"dropout", "1.5"};
    QTest::newRow("concat mismatch") << Thrower([] {
        return message_of<ShapeError>(
            [] { bp::concat({Tensor::zeros({2, 3, 4, 4}), Tensor::zeros({2, 5, 4, 3})}, 1); });
    }) << QStringList{"concat", "[2, 3, 4, 4]", "[2, 5, 4, 3]", "dimension 1"};
}

void TestConv::errorPaths() {
    QFETCH(Thrower, call);
    QFETCH(QStringList, needles);
    const std::string msg = call();
    QVERIFY2(msg.rfind("WRONG:", 0) != 0, msg.c_str());
    for (const QString& n : needles) BP_VERIFY_CONTAINS(msg, n.toStdString());
}

void TestConv::moduleReprs() {
    using namespace bp::nn;
    QCOMPARE(Conv2d(Conv2dOptions(1, 6, 5).padding(2)).repr(),
             std::string("Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))"));
    QCOMPARE(Conv2d(Conv2dOptions(6, 16, 5)).repr(), std::string("Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))"));
    QCOMPARE(Conv2d(Conv2dOptions(16, 32, 1).stride(2).bias(false)).repr(),
             std::string("Conv2d(16, 32, kernel_size=(1, 1), stride=(2, 2), bias=false)"));
    QCOMPARE(MaxPool2d(2).repr(), std::string("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=false)"));
    QCOMPARE(AvgPool2d(3, 1, 1).repr(), std::string("AvgPool2d(kernel_size=3, stride=1, padding=1)"));
    QCOMPARE(GlobalAvgPool().repr(), std::string("GlobalAvgPool()"));
    QCOMPARE(BatchNorm2d(16).repr(),
             std::string("BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)"));
    QCOMPARE(BatchNorm1d(120).repr(),
             std::string("BatchNorm1d(120, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)"));
    QCOMPARE(Dropout(0.25).repr(), std::string("Dropout(p=0.25)"));
    QCOMPARE(ResidualBlock(16, 32, 2).repr(), std::string("ResidualBlock(16, 32, stride=2, shortcut=conv1x1)"));
    QCOMPARE(ResidualBlock(16, 16).repr(), std::string("ResidualBlock(16, 16, stride=1, shortcut=identity)"));
    QCOMPARE(Conv2d(Conv2dOptions(1, 6, 5)).type_name(), std::string("Conv2d"));
    QCOMPARE(BatchNorm2d(4).type_name(), std::string("BatchNorm2d"));
    QCOMPARE(BatchNorm1d(4).type_name(), std::string("BatchNorm1d"));
}

void TestConv::parameterCountsAndNames() {
    using namespace bp::nn;
    Conv2d conv(Conv2dOptions(3, 8, 3));
    QCOMPARE(conv.parameter_count(), int64_t(8 * 3 * 9 + 8));
    // torch's init: U(±1/√fan_in) with fan_in = 3·3·3 = 27.
    const double bound = 1.0 / std::sqrt(27.0);
    for (double v : conv.weight.to_vector()) QVERIFY(std::abs(v) <= bound);
    QCOMPARE(Conv2d(Conv2dOptions(3, 8, 3).bias(false)).parameter_count(), int64_t(8 * 3 * 9));

    BatchNorm2d bn(16);
    QCOMPARE(bn.parameter_count(), int64_t(32));
    expect_values(bn.weight, {16}, std::vector<double>(16, 1.0), 0.0);
    expect_values(bn.running_var, {16}, std::vector<double>(16, 1.0), 0.0);
    auto buffers = bn.named_buffers();
    QCOMPARE(buffers.size(), size_t(2));
    QCOMPARE(buffers[0].first, std::string("running_mean"));
    QCOMPARE(buffers[1].first, std::string("running_var"));

    // Basic blocks as torchvision counts them: 2 convs without bias + 2 batch norms (+ the 1×1 shortcut).
    QCOMPARE(ResidualBlock(16, 16).parameter_count(), int64_t(2 * 16 * 16 * 9 + 2 * 32));
    ResidualBlock down(16, 32, 2);
    QCOMPARE(down.parameter_count(), int64_t(32 * 16 * 9 + 32 * 32 * 9 + 16 * 32 + 3 * 64));
    std::vector<std::string> names;
    for (auto& [n, t] : down.named_parameters()) names.push_back(n);
    QCOMPARE(names, (std::vector<std::string>{"conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight",
                                              "bn2.bias", "downsample.0.weight", "downsample.1.weight",
                                              "downsample.1.bias"}));
    QCOMPARE(down.named_buffers().size(), size_t(6));
}

void TestConv::lenetMapsImagesToLogits() {
    auto net = lenet5();
    QCOMPARE(net->parameter_count(), int64_t(61706));  // LeNet-5's classic count
    bp::Generator gen(1);
    net->reset_parameters(gen);
    Tensor x = Tensor::randn({2, 1, 28, 28}, gen);
    Tensor logits = net->forward(x);
    QCOMPARE(logits.shape(), (Shape{2, 10}));
    Tensor loss = bp::cross_entropy(logits, Tensor::from_vector({2}, {3, 7}, DType::i32));
    loss.backward();
    for (auto& [name, p] : net->named_parameters())
        QVERIFY2(p.grad().defined() && p.grad().shape() == p.shape(), name.c_str());
}

void TestConv::residualBlocks() {
    using namespace bp::nn;
    bp::Generator gen(4);
    auto net = std::make_shared<Sequential>();
    net->push_back(std::make_shared<Conv2d>(Conv2dOptions(1, 8, 3).padding(1).bias(false)));  // [N, 8, 12, 12]
    net->push_back(std::make_shared<BatchNorm2d>(8));
    net->push_back(std::make_shared<ActivationLayer>(Activation::relu));
    net->push_back(std::make_shared<ResidualBlock>(8, 8));      // [N, 8, 12, 12]
    net->push_back(std::make_shared<ResidualBlock>(8, 16, 2));  // [N, 16, 6, 6]
    net->push_back(std::make_shared<GlobalAvgPool>());          // [N, 16]
    net->push_back(std::make_shared<Dropout>(0.2));
    net->push_back(std::make_shared<Linear>(LinearOptions(16, 10)));
    net->reset_parameters(gen);
    Tensor x = Tensor::randn({3, 1, 12, 12}, gen);
    Tensor y = net->forward(x);
    QCOMPARE(y.shape(), (Shape{3, 10}));
    bp::cross_entropy(y, Tensor::from_vector({3}, {1, 2, 3}, DType::i32)).backward();
    for (auto& [name, p] : net->named_parameters()) QVERIFY2(p.grad().defined(), name.c_str());
    net->eval();
    QCOMPARE(net->forward(Tensor::randn({1, 1, 12, 12}, gen)).shape(), (Shape{1, 10}));  // eval: batch of one is fine
}

void TestConv::dropoutModuleIsSeededAndOffInEval() {
    bp::nn::Dropout a(0.5), b(0.5);
    bp::Generator ga(7), gb(7);
    a.reset_parameters(ga);
    b.reset_parameters(gb);
    Tensor x = Tensor::ones({8, 8});
    QVERIFY(a(x).to_vector() == b(x).to_vector());
    a.eval();
    QVERIFY(a(x).same(x));
}

QTEST_APPLESS_MAIN(TestConv)
#include "tst_conv.moc"
