// tst_adam_replay.cpp — ten Adam steps on float32 parameters replayed against stored reference numbers
// (tests/data/adam_replay.json, made by tools/pytorch_reference/adam_replay.py from PyTorch 1.13's update).
// Issue 19: 1 - beta was computed in float32 (1 - 0.999f = 0.00099998713), so the second moment was 1.3e-5
// too small at every step and the parameters drifted from PyTorch's by ~6e-6 relative.
#include <QtTest>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "bp/optim/optimizer.h"
#include "bp/tensor.h"

using namespace bp;

class TstAdamReplay : public QObject {
    Q_OBJECT
private slots:
    void tenStepsMatchTheReference() {
        std::ifstream in(BP_SOURCE_DIR "/tests/data/adam_replay.json");
        QVERIFY(in.good());
        const nlohmann::json ref = nlohmann::json::parse(in);
        const std::vector<double> w0 = ref["w0"].get<std::vector<double>>();
        const int64_t n = static_cast<int64_t>(w0.size());
        Tensor p = Tensor::from_vector({n}, w0);  // float32
        p.set_requires_grad();
        optim::AdamOptions o;
        o.lr = ref["lr"].get<double>();
        o.beta1 = ref["beta1"].get<double>();
        o.beta2 = ref["beta2"].get<double>();
        o.eps = ref["eps"].get<double>();
        optim::Adam adam({p}, o);
        const auto& grads = ref["gradients"];
        const auto& expected = ref["params_after_step"];
        double worst = 0;
        for (size_t t = 0; t < grads.size(); ++t) {
            const std::vector<double> g = grads[t].get<std::vector<double>>();
            p.set_grad(Tensor::from_vector({n}, g));
            adam.step();
            const std::vector<double> got = p.to_vector();
            for (int64_t i = 0; i < n; ++i) {
                const double want = expected[t][static_cast<size_t>(i)].get<double>();
                // 1e-6 relative, or 1e-9 absolute (8 float32 ulps at the size of one step, lr = 1e-3) for the
                // parameters that start at 0 and may pass near it: there the update itself is what is compared.
                const double diff = std::abs(got[static_cast<size_t>(i)] - want);
                const double rel = diff / std::max(std::abs(want), 1e-3);
                worst = std::max(worst, rel);
                QVERIFY2(diff <= 1e-6 * std::abs(want) + 1e-9, qPrintable(QString("step %1, parameter %2: got %3, reference %4 (relative %5)")
                                                     .arg(t + 1).arg(i).arg(got[static_cast<size_t>(i)], 0, 'g', 9)
                                                     .arg(want, 0, 'g', 9).arg(rel)));
            }
        }
        qInfo("largest relative difference from the reference over %zu steps: %.3g", grads.size(), worst);
    }
};

QTEST_APPLESS_MAIN(TstAdamReplay)
#include "tst_adam_replay.moc"
