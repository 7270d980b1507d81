// tst_deferred_fill.cpp — the gradient of a full sum or mean is one value everywhere and is left unwritten until
// read (engine/src/deferred_fill.h); relu's backward reads the value instead of the memory. Checks that every
// reader still sees the right numbers: relu and leaky relu through the shortcut, a leaf's .grad read directly,
// an accumulated gradient, a view, and another consumer (sigmoid) that reads the memory.
#include <QtTest>

#include "bp/autograd.h"
#include "bp/ops.h"

using namespace bp;

namespace {
Tensor leaf(const std::vector<double>& v, DType dt = DType::f32) {
    return Tensor::from_vector({static_cast<int64_t>(v.size())}, v, dt).set_requires_grad(true);
}
std::vector<double> grad_of(const Tensor& t) { return t.grad().to_vector(); }
}  // namespace

class TstDeferredFill : public QObject {
    Q_OBJECT
private slots:
    void reluReadsTheValue() {
        for (DType dt : {DType::f32, DType::f64}) {
            Tensor x = leaf({-2, -0.5, 0.5, 3}, dt);
            sum(relu(x)).backward();
            QCOMPARE(grad_of(x), (std::vector<double>{0, 0, 1, 1}));
            Tensor y = leaf({-2, 4}, dt);
            mean(leaky_relu(y, 0.1)).backward();  // mean: 1/2 everywhere; slope 0.1 below zero
            const auto g = grad_of(y);
            QVERIFY(std::abs(g[0] - 0.05) < 1e-7 && g[1] == 0.5);
        }
    }

    void otherReadersSeeTheFilledValues() {
        Tensor x = leaf({1, 2, 3});
        scale(sum(x), 3.0).backward();  // x.grad is the deferred tensor itself: reading it fills it
        QCOMPARE(grad_of(x), (std::vector<double>{3, 3, 3}));
        sum(x).backward();  // accumulates into the earlier gradient: both read
        QCOMPARE(grad_of(x), (std::vector<double>{4, 4, 4}));
        Tensor z = leaf({0.0, 1.0});
        sum(sigmoid(z)).backward();  // sigmoid's backward reads the gradient's memory
        const auto g = grad_of(z);
        QVERIFY(std::abs(g[0] - 0.25) < 1e-7);
        Tensor w = Tensor::from_vector({2, 2}, {1, -1, 2, -2}).set_requires_grad(true);
        sum(relu(reshape(w, {4}))).backward();  // through a view
        QCOMPARE(grad_of(w), (std::vector<double>{1, 0, 1, 0}));
    }
};

QTEST_APPLESS_MAIN(TstDeferredFill)
#include "tst_deferred_fill.moc"
