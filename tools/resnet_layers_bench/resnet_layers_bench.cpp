// resnet_layers_bench.cpp — ResNet-mini's layers outside Winograd, one at a time, at batch 64 on the model's own
// shapes: the stem conv (direct kernel), the two 3×3 stride-2 convs and the two 1×1 stride-2 shortcuts (im2col +
// sgemm, engine/src/cpu/conv.cpp and conv_unroll.h), and batch norm at the three sizes the model has (alone, and
// followed by ReLU). Forward (no autograd) and forward + backward (through autograd, sum of the output as the loss);
// each figure is the best of 60 repetitions in process CPU time, so that other processes on a busy machine
// inflate it less than wall time. Build against a built engine and run (from the repository root):
//   c++ -O3 -DNDEBUG -DEIGEN_NO_DEBUG -march=native -fopenmp -std=c++20 -I engine/include -I build/engine/generated \
//       -isystem /usr/include/eigen3 tools/resnet_layers_bench/resnet_layers_bench.cpp build/engine/libbp_engine.a \
//       -lz -lpthread -o /tmp/resnet_layers_bench && /tmp/resnet_layers_bench [threads] [layer [f]]
// With a layer index (0-4, the conv rows in order) it only runs that conv 300 times (forward only with "f"):
// a steady loop for perf record.
#include <bp/autograd.h>
#include <bp/backend.h>
#include <bp/ops.h>
#include <bp/tensor.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <vector>

using namespace bp;

namespace {

double best_ms(const std::function<void()>& f, int reps = 60) {
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
        timespec a{}, b{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
        f();
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
        best = std::min(best, (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) * 1e-6);
    }
    return best;
}

struct ConvCase {
    int64_t n, c, hw, o, k, stride, pad;
    const char* name;
};

}  // namespace

int main(int argc, char** argv) {
    set_num_threads(argc > 1 ? std::atoi(argv[1]) : 1);
    Generator gen(1);
    const std::vector<ConvCase> convs = {{64, 1, 28, 16, 3, 1, 1, "stem 1->16 k3 (direct)"},
                                         {64, 16, 28, 32, 3, 2, 1, "16->32 k3 s2"},
                                         {64, 32, 14, 64, 3, 2, 1, "32->64 k3 s2"},
                                         {64, 16, 28, 32, 1, 2, 0, "16->32 k1 s2 (shortcut)"},
                                         {64, 32, 14, 64, 1, 2, 0, "32->64 k1 s2 (shortcut)"}};
    auto step = [](Tensor& x, Tensor& w, const ConvCase& c) {
        x.zero_grad();
        w.zero_grad();
        sum(conv2d(x, w, Tensor(), c.stride, c.pad)).backward();
    };
    if (argc > 2) {  // one layer in a loop, for a profiler
        const ConvCase& c = convs.at(static_cast<size_t>(std::atoi(argv[2])));
        const bool forward_only = argc > 3 && argv[3][0] == 'f';
        Tensor x = Tensor::randn({c.n, c.c, c.hw, c.hw}, gen).set_requires_grad(true);
        Tensor w = Tensor::randn({c.o, c.c, c.k, c.k}, gen).set_requires_grad(true);
        for (int r = 0; r < 300; ++r) {
            if (!forward_only) {
                step(x, w, c);
                continue;
            }
            autograd::NoGradGuard no_grad;
            conv2d(x, w, Tensor(), c.stride, c.pad);
        }
        return 0;
    }
    std::printf("batch 64, %d thread(s), best of 60 in process CPU time (ms)\n", num_threads());
    double total = 0;
    for (const ConvCase& c : convs) {
        Tensor x = Tensor::randn({c.n, c.c, c.hw, c.hw}, gen).set_requires_grad(true);
        Tensor w = Tensor::randn({c.o, c.c, c.k, c.k}, gen).set_requires_grad(true);
        double f = 0;
        {
            autograd::NoGradGuard no_grad;
            f = best_ms([&] { conv2d(x, w, Tensor(), c.stride, c.pad); });
        }
        const double fb = best_ms([&] { step(x, w, c); });
        std::printf("conv %-26s forward %7.3f  forward+backward %7.3f\n", c.name, f, fb);
        total += fb;
    }
    std::printf("conv rows above, forward+backward summed: %.3f\n", total);
    for (int64_t ch : {16, 32, 64}) {
        const int64_t hw = 28 * 16 / ch;  // 16 × 28², 32 × 14², 64 × 7²
        Tensor x = Tensor::randn({64, ch, hw, hw}, gen).set_requires_grad(true);
        Tensor gamma = Tensor::ones({ch}).set_requires_grad(true), beta = Tensor::zeros({ch}).set_requires_grad(true);
        auto bn = [&] { return batch_norm(x, gamma, beta, Tensor(), Tensor(), true); };
        double f = 0;
        {
            autograd::NoGradGuard no_grad;
            f = best_ms([&] { bn(); });
        }
        const double fb = best_ms([&] {
            x.zero_grad();
            sum(bn()).backward();
        });
        const double fbr = best_ms([&] {
            x.zero_grad();
            sum(relu(bn())).backward();
        });
        std::printf("batch_norm 64x%lldx%lldx%lld        forward %7.3f  forward+backward %7.3f  with relu %7.3f\n",
                    static_cast<long long>(ch), static_cast<long long>(hw), static_cast<long long>(hw), f, fb, fbr);
    }
}
