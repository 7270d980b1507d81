// tst_flops.cpp — the FLOP count of a recorded graph (bp/train/flops.h), which the benchmarks divide by time
// for a model's achieved GFLOP/s: each counted op against its formula, whole zoo models against counts a reader
// can redo by hand, and what is deliberately not counted.
#include <QtTest>

#include "bp/autograd.h"
#include "bp/models/gpt.h"
#include "bp/models/zoo.h"
#include "bp/ops.h"
#include "bp/train/flops.h"

using namespace bp;

namespace {
Tensor param(const Shape& s) { return Tensor::ones(s).set_requires_grad(true); }
}  // namespace

class TstFlops : public QObject {
    Q_OBJECT
private slots:
    void eachCountedOp() {
        // linear x [32, 784] · w [128, 784]ᵀ: 32·784·128 multiply-adds, 2 FLOPs each.
        QCOMPARE(train::graph_matmul_flops(linear(Tensor::ones({32, 784}), param({128, 784}), param({128}))),
                 2.0 * 32 * 784 * 128);
        QCOMPARE(train::graph_matmul_flops(matmul(param({3, 4}), param({4, 5}))), 2.0 * 3 * 4 * 5);
        // bmm with a transposed operand: [2, 3, 4] · [2, 5, 4]ᵀ -> [2, 3, 5], 4 multiply-adds per output.
        QCOMPARE(train::graph_matmul_flops(bmm(param({2, 3, 4}), param({2, 5, 4}), false, true)), 2.0 * 2 * 3 * 5 * 4);
        // conv2d 3×3 padding 1: out [2, 8, 6, 6], each output 4·3·3 multiply-adds.
        QCOMPARE(train::graph_matmul_flops(conv2d(Tensor::ones({2, 4, 6, 6}), param({8, 4, 3, 3}), Tensor(), 1, 1)),
                 2.0 * (2 * 8 * 6 * 6) * (4 * 3 * 3));
        // fused attention q [1, 2, 3, 4], k v [1, 2, 5, 4]: q kᵀ and P v, 3·5·4 multiply-adds each per head.
        QCOMPARE(train::graph_matmul_flops(scaled_dot_product_attention_tiled(param({1, 2, 3, 4}), param({1, 2, 5, 4}),
                                                                              param({1, 2, 5, 4}))),
                 4.0 * 2 * 3 * 5 * 4);
        // The plain attention is recorded as its bmm nodes: the same count.
        QCOMPARE(train::graph_matmul_flops(scaled_dot_product_attention(param({1, 2, 3, 4}), param({1, 2, 5, 4}),
                                                                        param({1, 2, 5, 4}))),
                 4.0 * 2 * 3 * 5 * 4);
    }

    void notCountedAndNoGraph() {
        Tensor x = param({4, 5});
        QCOMPARE(train::graph_matmul_flops(sum(relu(x))), 0.0);  // elementwise and reductions are left out
        {
            autograd::NoGradGuard g;  // nothing recorded: nothing to count
            QCOMPARE(train::graph_matmul_flops(matmul(x, param({5, 2}))), 0.0);
        }
        QCOMPARE(train::graph_matmul_flops(Tensor()), 0.0);
        // Products reached twice through the graph are counted once each: y = x w used by two consumers.
        Tensor y = matmul(x, param({5, 3}));
        QCOMPARE(train::graph_matmul_flops(add(relu(y), y)), 2.0 * 4 * 5 * 3);
    }

    void zooModelsByHand() {
        // MLP 784-128-64-10: 2 · (784·128 + 128·64 + 64·10) per image.
        models::Model mlp = models::create_model("mlp");
        QCOMPARE(train::forward_flops(*mlp.net, Tensor::zeros({3, 1, 28, 28})), 3 * 2.0 * (784 * 128 + 128 * 64 + 64 * 10));
        // LeNet-5: conv1 [6, 28, 28] × 1·5·5, conv2 [16, 10, 10] × 6·5·5, then 400-120-84-10.
        models::Model lenet = models::create_model("lenet");
        const double lenet_image = 2.0 * (6 * 28 * 28 * 25 + 16 * 10 * 10 * 150 + 400 * 120 + 120 * 84 + 84 * 10);
        QCOMPARE(lenet_image, 833040.0);
        QCOMPARE(train::forward_flops(*lenet.net, Tensor::zeros({2, 1, 28, 28})), 2 * lenet_image);
        // ViT-tiny (dim 64, 2 blocks, 50 tokens): patch embedding 49·16·64, per block q/k/v/out 4·50·64·64, attention
        // 2·4 heads·50·50·16, MLP 2·50·64·256; the class token's head 64·10 (multiply-adds, ×2 for FLOPs).
        models::Model vit = models::create_model("vit");
        const double block = 4.0 * 50 * 64 * 64 + 2.0 * 4 * 50 * 50 * 16 + 2.0 * 50 * 64 * 256;
        QCOMPARE(train::forward_flops(*vit.net, Tensor::zeros({1, 1, 28, 28})), 2 * (49.0 * 16 * 64 + 2 * block + 64 * 10));
        // Training: 3 × forward per sample, counted in eval mode and the module's mode restored.
        QVERIFY(lenet.net->is_training());
        QCOMPARE(train::training_flops_per_sample(*lenet.net, lenet.input_shape, 4), 3 * lenet_image);
        QVERIFY(lenet.net->is_training());
    }
};

QTEST_APPLESS_MAIN(TstFlops)
#include "tst_flops.moc"
