// tst_gradcheck.cpp — every registered op passes the float64 finite-difference gradient check
// (max error ≤ 1e-6), one data row per op and shape; plus checks that the check itself can fail.
#include <QtTest>

#include <set>

#include "bp/autograd.h"
#include "bp/gradcheck.h"
#include "bp/ops.h"

using namespace bp;

namespace {

// sigmoid with a broken backward: its output used as if it were its derivative. The closure keeps a detached
// handle of the output, not the output itself: the output owns the node that owns the closure, so capturing
// it would be a shared_ptr cycle that LeakSanitizer reports (and the graph would never be freed).
Tensor wrong_sigmoid(const std::vector<Tensor>& in) {
    Tensor y = sigmoid(in[0].detach());
    if (autograd::needs_record({&in[0]}))
        autograd::record("wrong", y, {in[0]}, [yd = y.detach()](const Tensor& g) -> std::vector<Tensor> {
            return {mul(g, yd)};
        });
    return y;
}

}  // namespace

class TstGradcheck : public QObject {
    Q_OBJECT
private slots:
    void everyOpPasses_data() {
        QTest::addColumn<int>("index");
        const auto& cases = gradcheck::registry();
        for (size_t i = 0; i < cases.size(); ++i)
            QTest::newRow((cases[i].op + ": " + cases[i].label).c_str()) << static_cast<int>(i);
    }
    void everyOpPasses() {
        QFETCH(int, index);
        const auto& c = gradcheck::registry()[static_cast<size_t>(index)];
        gradcheck::Result r = gradcheck::run(c);
        QVERIFY(r.checked > 0);
        QVERIFY2(r.passed(1e-6), qPrintable(QString("max error %1 (abs %2)").arg(r.max_error).arg(r.max_abs_error)));
    }

    void everyRequiredOpIsRegistered() {
        std::set<std::string> ops;
        for (const auto& c : gradcheck::registry()) ops.insert(c.op);
        for (const char* op : {"matmul", "linear", "add", "sub", "mul", "div", "sum", "mean", "reshape", "flatten",
                               "relu", "leaky_relu", "sigmoid", "tanh", "gelu", "softmax", "log_softmax",
                               "cross_entropy", "mse_loss", "conv2d", "max_pool2d", "avg_pool2d",
                               "global_avg_pool2d", "batch_norm", "dropout", "concat", "embedding", "layer_norm",
                               "rms_norm", "rope", "silu", "swiglu", "bmm", "transpose", "scaled_dot_product_attention",
                               "scaled_dot_product_attention_tiled", "index_select", "l2_normalize"})
            QVERIFY2(ops.count(op), op);
    }

    // A wrong backward must be caught: sigmoid's output used as if it were its derivative.
    void detectsAWrongGradient() {
        gradcheck::Case wrong{"wrong", "sigmoid with a broken backward", {{3, 3}}, gradcheck::Domain::away_from_zero,
                              wrong_sigmoid};
        gradcheck::Result r = gradcheck::run(wrong);
        QVERIFY(r.max_error > 1e-2);
        QVERIFY(!r.passed());
    }

    // The wrong case's graph is freed once its output is dropped (issue 19: LeakSanitizer found a cycle).
    void theWrongCaseFreesItsGraph() {
        std::weak_ptr<TensorImpl> out;
        std::weak_ptr<Node> node;
        {
            Tensor x = Tensor::ones({3, 3}, DType::f64);
            x.set_requires_grad();
            Tensor y = wrong_sigmoid({x});
            QVERIFY(y.grad_fn() != nullptr);
            out = y.impl_ptr();
            node = y.grad_fn();
        }
        QVERIFY(out.expired());
        QVERIFY(node.expired());
    }
};

QTEST_APPLESS_MAIN(TstGradcheck)
#include "tst_gradcheck.moc"
