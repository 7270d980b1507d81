// tst_deferred_fill.cpp — the gradient of a full sum or mean is one value everywhere and is left unwritten until
// read (engine/src/deferred_fill.h); relu's backward reads the value instead of the memory. Checks that every
// reader still sees the right numbers: relu and leaky relu through the shortcut, a leaf's .grad read directly,
// an accumulated gradient, a view, and another consumer (sigmoid) that reads the memory.
#include <QtTest>

#include "bp/autograd.h"
#include "bp/ops.h"
#include "bp/tensor_memory.h"

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

    // A deferred fill that only relu reads is never allocated: relu's forward and backward of a 4 MB input
    // peak at its output, its bit mask and the input's gradient (8.1 MB), not 12 MB with the upstream gradient.
    void anUnreadFillTakesNoMemory() {
        Tensor x = Tensor::full({1 << 20}, -1.0).set_requires_grad(true);
        const int64_t before = tensor_memory(Device::cpu).live_bytes;
        reset_tensor_memory_peak(Device::cpu);
        sum(relu(x)).backward();
        const int64_t peak = tensor_memory(Device::cpu).peak_bytes - before, mib = 1 << 20;
        QVERIFY2(peak >= 8 * mib && peak < 9 * mib, std::to_string(peak).c_str());
        QCOMPARE(x.grad().to_vector()[0], 0.0);
        Tensor y = Tensor::full({1 << 20}, 2.0).set_requires_grad(true);
        scale(sum(y), 3.0).backward();  // y.grad is the deferred tensor: reading it allocates and fills it
        const int64_t live = tensor_memory(Device::cpu).live_bytes;
        QCOMPARE(grad_of(y)[12345], 3.0);
        QCOMPARE(tensor_memory(Device::cpu).live_bytes - live, 4 * mib);
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
