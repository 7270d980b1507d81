// tst_device.cpp — the host-side logic of the CUDA work, testable on any machine: the caching allocator's size
// classes, reuse and out-of-memory retry (with a fake raw allocator), bf16 rounding (round to nearest even,
// NaN/inf), the CPU's bf16 GEMM emulation and its accuracy cost on a small MLP, --device resolution, Tensor::to
// and Module::to on the CPU, and the CLI's --device / info / bench gpu behaviour where no GPU is usable.
// GPU parity itself is tst_gpu_cuda_parity (label gpu).
#include <QtTest>

#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "bp/backend.h"
#include "bp/caching_allocator.h"
#include "bp/device.h"
#include "bp/models/zoo.h"
#include "bp/nn/module.h"
#include "bp/ops.h"
#include "bp/precision.h"
#include "bp/train/trainer.h"
#include "engine/data_test_util.h"
#include "engine/cli_test_util.h"

using namespace bp;

namespace {

uint32_t bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
float from_bits(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// A raw allocator over the heap that counts calls and can refuse beyond a budget of live bytes.
struct FakeRaw {
    size_t live = 0, budget = SIZE_MAX;
    int allocs = 0, frees = 0;
    std::map<void*, size_t> sizes;
    CachingAllocator make(CachingAllocator::Policy policy = CachingAllocator::Policy()) {
        return CachingAllocator(
            [this](size_t n) -> void* {
                if (live + n > budget) return nullptr;
                void* p = std::malloc(n);
                live += n;
                ++allocs;
                sizes[p] = n;
                return p;
            },
            [this](void* p, size_t n) {
                QCOMPARE(n, sizes[p]);  // the size it was allocated with
                live -= sizes[p];
                sizes.erase(p);
                ++frees;
                std::free(p);
            },
            policy);
    }
};

using Run = bp_test::CliRun;
using bp_test::run_cli;

}  // namespace

class TestDevice : public QObject {
    Q_OBJECT
private slots:
    void cleanup() { set_precision(Precision::fp32); }

    // cuBLAS is opened on demand: a process that never multiplies on the GPU never maps it (~150 MB resident).
    void cublasIsLoadedOnlyWhenAsked() {
        auto mapped = [] {
            QFile maps(QStringLiteral("/proc/self/maps"));
            if (!maps.open(QIODevice::ReadOnly)) return false;
            return maps.readAll().contains("libcublas");
        };
        // Work on the CPU, as every CPU-only run does.
        Tensor a = Tensor::ones({4, 4});
        QCOMPARE(matmul(a, a).at({0, 0}), 4.0);
        QVERIFY2(!mapped(), "libcublas is mapped although nothing ran on the GPU");
        std::string why;
        const bool ok = cublas_loadable(&why);
#if defined(BP_HAVE_CUDA)
        QVERIFY2(ok, why.c_str());  // the toolkit that built this is installed here
        QVERIFY(mapped());
#else
        QVERIFY(!ok);
        QVERIFY2(why.find("no CUDA") != std::string::npos, why.c_str());
#endif
    }

    void size_classes_data() {
        QTest::addColumn<qulonglong>("bytes");
        QTest::addColumn<qulonglong>("cls");
        const qulonglong MiB = 1 << 20;
        QTest::newRow("0 -> 512") << 0ull << 512ull;
        QTest::newRow("1 -> 512") << 1ull << 512ull;
        QTest::newRow("512") << 512ull << 512ull;
        QTest::newRow("513 -> 1024") << 513ull << 1024ull;
        QTest::newRow("4000 -> 4096") << 4000ull << 4096ull;
        QTest::newRow("1 MiB") << MiB << MiB;
        QTest::newRow("1 MiB + 1 -> 2 MiB") << MiB + 1 << 2 * MiB;
        QTest::newRow("64 MiB") << 64 * MiB << 64 * MiB;
        QTest::newRow("64 MiB + 1 -> 80 MiB") << 64 * MiB + 1 << 80 * MiB;
    }
    void size_classes() {
        QFETCH(qulonglong, bytes);
        QFETCH(qulonglong, cls);
        QCOMPARE(static_cast<qulonglong>(CachingAllocator::size_class(bytes)), cls);
    }

    void allocator_reuses_freed_blocks() {
        FakeRaw raw;
        CachingAllocator a = raw.make();
        void* p = a.allocate(1000);  // class 1024
        QCOMPARE(raw.allocs, 1);
        QCOMPARE(a.stats().in_use, size_t(1024));
        a.deallocate(p, 1000);
        QCOMPARE(a.stats().in_use, size_t(0));
        QCOMPARE(a.stats().cached, size_t(1024));
        void* q = a.allocate(900);  // same class: the cached block, no raw call
        QCOMPARE(q, p);
        QCOMPARE(raw.allocs, 1);
        void* r = a.allocate(2000);  // another class: a raw call
        QCOMPARE(raw.allocs, 2);
        QVERIFY(r != q);
        a.deallocate(q, 900);
        a.deallocate(r, 2000);
        QCOMPARE(a.stats().cached, size_t(1024 + 2048));
        a.empty_cache();
        QCOMPARE(raw.frees, 2);
        QCOMPARE(a.stats().cached, size_t(0));
        QCOMPARE(raw.live, size_t(0));
    }

    void allocator_empties_cache_when_out_of_memory() {
        FakeRaw raw;
        raw.budget = 4096;
        CachingAllocator a = raw.make();
        void* p = a.allocate(3000);  // 3072 live
        a.deallocate(p, 3000);       // cached, still live in the raw allocator
        void* q = a.allocate(2048);  // 3072 + 2048 > budget: the cache is released, then it fits
        QVERIFY(q != nullptr);
        QCOMPARE(raw.frees, 1);
        QCOMPARE(a.stats().cached, size_t(0));
        QCOMPARE(a.allocate(8192), nullptr);  // beyond the budget even when empty: null, no throw
        a.deallocate(q, 2048);
        a.empty_cache();
    }

    // The CPU's policy: exact sizes (64-byte multiples), small and large requests not cached, at most
    // max_cached held, and the block freed last handed out first (the one most likely still in the cache).
    void allocator_cpu_policy() {
        FakeRaw raw;
        CachingAllocator a = raw.make({true, 4096, 16384, 3 * 8192});
        void* s = a.allocate(100);  // below min_bytes: straight through, both ways
        a.deallocate(s, 100);
        void* l = a.allocate(20000);  // above max_bytes: the same
        a.deallocate(l, 20000);
        QCOMPARE(raw.allocs, 2);
        QCOMPARE(raw.frees, 2);
        QCOMPARE(a.stats().cached, size_t(0));
        void* p = a.allocate(8000);  // class 8000 rounded to 64 B: 8000
        void* q = a.allocate(8000);
        void* r = a.allocate(8000);
        void* t = a.allocate(8000);
        QCOMPARE(a.stats().in_use, size_t(4 * 8000));
        a.deallocate(p, 8000);
        a.deallocate(q, 8000);
        a.deallocate(r, 8000);
        QCOMPARE(a.stats().cached, size_t(3 * 8000));
        a.deallocate(t, 8000);  // 4 · 8000 > 3 · 8192: back to the raw allocator
        QCOMPARE(raw.frees, 3);
        QCOMPARE(a.stats().cached, size_t(3 * 8000));
        QCOMPARE(a.stats().in_use, size_t(0));
        QCOMPARE(a.allocate(8000), r);  // last freed, first reused
        QCOMPARE(a.allocate(7990), q);  // 7990 rounds up to 8000: the same class
        void* u = a.allocate(8100);     // 8128: another class, a raw call
        QCOMPARE(raw.allocs, 7);
        a.deallocate(u, 8100);
        a.deallocate(q, 7990);
        a.deallocate(r, 8000);
        a.empty_cache();
        QCOMPARE(raw.live, size_t(0));
    }

    void bf16_rounding_hand_cases() {
        QCOMPARE(bf16_round(1.0f), 1.0f);
        QCOMPARE(bf16_round(-2.5f), -2.5f);
        QCOMPARE(bits(bf16_round(from_bits(0x3F808000u))), 0x3F800000u);  // halfway, ties to even (down)
        QCOMPARE(bits(bf16_round(from_bits(0x3F818000u))), 0x3F820000u);  // halfway, ties to even (up)
        QCOMPARE(bits(bf16_round(from_bits(0x3F808001u))), 0x3F810000u);  // just above halfway: up
        QCOMPARE(bits(bf16_round(from_bits(0x3F807FFFu))), 0x3F800000u);  // just below halfway: down
        QCOMPARE(bf16_round(1.0f + 1.0f / 512), 1.0f);                    // below bf16's resolution at 1
        QCOMPARE(bf16_round(0.1f), 0.10009765625f);                       // 0x3DCD
        QVERIFY(std::isnan(bf16_round(std::nanf(""))));
        QVERIFY(std::isnan(bf16_round(from_bits(0x7F800001u))));  // a NaN whose payload is in the dropped bits
        QCOMPARE(bf16_round(INFINITY), INFINITY);
        QCOMPARE(bf16_round(-INFINITY), -INFINITY);
        QCOMPARE(bf16_round(FLT_MAX), INFINITY);  // past bf16's largest finite value
        QCOMPARE(bits(bf16_round(from_bits(0x00000001u))), 0x00000000u);  // the smallest subnormal rounds to 0
    }

    void precision_names() {
        QCOMPARE(precision_from_string("bf16"), Precision::bf16);
        QCOMPARE(std::string(precision_name(Precision::fp32)), std::string("fp32"));
        const std::string msg = bp_test::message_of<ConfigError>([] { precision_from_string("fp8"); });
        QVERIFY2(bp_test::contains(msg, "fp32 or bf16"), msg.c_str());
    }

    void cpu_gemm_emulates_bf16() {
        const Tensor a = Tensor::from_vector({1, 2}, {1.0 + 1.0 / 512, 3.0});
        const Tensor b = Tensor::from_vector({2, 1}, {1.0, 0.1});
        const double fp32 = matmul(a, b).item();
        set_precision(Precision::bf16);
        const double bf16 = matmul(a, b).item();
        QCOMPARE(fp32, static_cast<double>(1.0f + 1.0f / 512 + 3.0f * 0.1f));
        QCOMPARE(bf16, static_cast<double>(1.0f + 3.0f * 0.10009765625f));  // both inputs rounded first
        set_precision(Precision::fp32);
        const Tensor a64 = a.to(DType::f64), b64 = b.to(DType::f64);
        set_precision(Precision::bf16);
        QCOMPARE(matmul(a64, b64).item(), (1.0 + 1.0 / 512) + 3.0 * static_cast<double>(0.1f));  // f64 untouched
    }

    // The accuracy cost of bf16: the same seeded MLP run in fp32 and in (emulated) bf16 on the CPU.
    void bf16_training_accuracy_cost() {
        const QString dir = QDir::tempPath() + "/bp_tst_device_blocks";
        bp_test::write_blocks_split(dir.toStdString(), "train", 1200, 1, 10);
        bp_test::write_blocks_split(dir.toStdString(), "t10k", 400, 2, 10);
        const auto train_set = data::load_image_dataset("", dir.toStdString(), "train");
        const auto test_set = data::load_image_dataset("", dir.toStdString(), "test");
        double acc[2], last_loss[2];
        for (int i = 0; i < 2; ++i) {
            train::TrainConfig cfg;
            cfg.model = "mlp";
            cfg.epochs = 2;
            cfg.batch_size = 32;
            cfg.precision = i == 0 ? "fp32" : "bf16";
            models::Model m = models::create_model("mlp", nlohmann::json::object(), cfg.seed);
            train::Trainer t(m, train_set, &test_set, cfg);
            t.run();
            QVERIFY(!t.failed());
            acc[i] = t.history().back().test_accuracy;
            last_loss[i] = t.history().back().train_loss;
        }
        set_precision(Precision::fp32);
        qInfo("MLP on 10 synthetic classes, 2 epochs: test accuracy fp32 %.4f, bf16 (emulated) %.4f; train loss %.5f vs %.5f",
              acc[0], acc[1], last_loss[0], last_loss[1]);
        QVERIFY(acc[0] > 0.9);
        QVERIFY(acc[1] > 0.9);
        QVERIFY(std::abs(acc[0] - acc[1]) <= 0.05);
        QVERIFY(last_loss[0] != last_loss[1]);  // the emulation really changed the arithmetic
    }

    void resolve_device_here() {
        QCOMPARE(resolve_device("cpu"), Device::cpu);
        std::string why;
        const bool gpu = cuda_available(&why);
        QCOMPARE(resolve_device("auto"), gpu ? Device::cuda : Device::cpu);
        const std::string bad = bp_test::message_of<ConfigError>([] { resolve_device("tpu"); });
        QVERIFY2(bp_test::contains(bad, "cpu, cuda or auto"), bad.c_str());
        if (gpu) {
            QCOMPARE(resolve_device("cuda"), Device::cuda);
            return;
        }
        QVERIFY(!why.empty());
        const std::string msg = bp_test::message_of<ConfigError>([] { resolve_device("cuda"); });
        QVERIFY2(bp_test::contains(msg, why) && bp_test::contains(msg, "use --device cpu"), msg.c_str());
        const std::string alloc = bp_test::message_of<ConfigError>([] { Tensor::empty({2}, DType::f32, Device::cuda); });
        QVERIFY2(bp_test::contains(alloc, "use --device cpu"), alloc.c_str());
    }

    void to_cpu_is_identity() {
        const Tensor x = Tensor::from_vector({2, 2}, {1, 2, 3, 4});
        const Tensor y = x.to(Device::cpu);
        QCOMPARE(y.raw_data(), x.raw_data());  // same storage, no copy
        QVERIFY(!y.requires_grad());
        auto net = models::create_model("mlp").net;
        std::vector<const void*> ptrs;
        std::vector<std::vector<double>> values;
        for (const auto& [n, t] : net->named_parameters()) {
            ptrs.push_back(t.raw_data());
            values.push_back(t.to_vector());
        }
        QVERIFY(ptrs.size() >= 6);
        net->to(Device::cpu);
        QCOMPARE(net->device(), Device::cpu);
        size_t i = 0;
        for (const auto& [n, t] : net->named_parameters()) {
            QCOMPARE(t.raw_data(), ptrs[i]);
            QCOMPARE(t.to_vector(), values[i]);
            ++i;
        }
    }

    void cli_device_flags() {
        if (cuda_available()) QSKIP("a GPU is usable here: the no-GPU paths of the CLI do not apply");
        Run r = run_cli({"train", "--device", "cuda", "--quiet"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("use --device cpu") && r.err.contains("not usable"), qPrintable(r.err));
        r = run_cli({"train", "--device", "gpu"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("cpu, cuda or auto"), qPrintable(r.err));
        r = run_cli({"train", "--precision", "fp16"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("fp32 or bf16"), qPrintable(r.err));
        r = run_cli({"eval", "--model-file", "x.safetensors", "--device", "cuda"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("use --device cpu"), qPrintable(r.err));

        // auto falls back to the CPU and trains
        const QString dir = QDir::tempPath() + "/bp_tst_device_cli";
        bp_test::write_blocks_split(dir.toStdString(), "train", 300, 1, 4);
        bp_test::write_blocks_split(dir.toStdString(), "t10k", 100, 2, 4);
        r = run_cli({"train", "--dataset", dir, "--device", "auto", "--precision", "bf16", "--epochs", "1", "--quiet"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("test accuracy"), qPrintable(r.out + r.err));
    }

    void cli_info_names_the_reason() {
        std::string why;
        const bool gpu = cuda_available(&why);
        Run r = run_cli({"info"});
        QCOMPARE(r.code, 0);
        const QString line = r.out.split('\n').filter(QRegularExpression("^cuda ")).value(0);
        QVERIFY2(!line.isEmpty(), qPrintable(r.out));
        if (gpu) QVERIFY2(line.contains("sm_"), qPrintable(line));
        else QVERIFY2(line.contains(QString::fromStdString(why)), qPrintable(line));
    }

    void cli_bench_gpu_skips_without_gpu() {
        if (cuda_available()) QSKIP("a GPU is usable here: bench gpu measures instead of skipping");
        const QString json = QDir::tempPath() + "/bp_tst_device_bench_gpu.json";
        QFile::remove(json);
        Run r = run_cli({"bench", "gpu", "--quick", "--json", json});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.contains("skipped"), qPrintable(r.err));
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        QCOMPARE(j["benchmark"].get<std::string>(), std::string("gpu"));
        QCOMPARE(j["skipped"].get<bool>(), true);
        std::string why;
        cuda_available(&why);
        QCOMPARE(j["reason"].get<std::string>(), why);
    }
};

QTEST_GUILESS_MAIN(TestDevice)
#include "tst_device.moc"
