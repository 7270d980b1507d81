// bench_gpu.cpp — `backprop bench gpu`: training throughput of zoo models on the GPU against the CPU (same
// synthetic batches, same seed), fp32 and bf16, and the fused (tiled) attention kernel against the plain one.
// On a machine without a usable GPU it prints the reason and writes {"benchmark": "gpu", "skipped": true,
// "reason": ...}, exiting 0, so scripts and the Benchmarks page can run it everywhere.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "bench_suites.h"
#include "bp/autograd.h"
#include "bp/backend.h"
#include "bp/device.h"
#include "bp/models/gpt.h"
#include "bp/models/zoo.h"
#include "bp/ops.h"
#include "bp/optim/optimizer.h"
#include "bp/precision.h"
#include "bp/train/report.h"
#include "commands.h"

namespace bp::cli {

namespace {
void write_if_asked(const Args& args, const nlohmann::json& j) {
    if (args.has("json") && !args.str("json").empty()) train::write_json(args.str("json"), j);
}

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Samples per second of `steps` Adam steps of `name` on synthetic batches, after `warmup` untimed steps.
// loss.item() each step waits for the device, so the time is the real time of the work.
double train_throughput(const std::string& name, Device device, Precision prec, int64_t batch, int warmup, int steps) {
    set_precision(prec);
    models::Model model = models::create_model(name, nlohmann::json::object(), 1);
    model.net->to(device);
    auto opt = optim::make_optimizer("adam", model.net->parameters(), 1e-3, 0, 0.9);
    Generator gen(7);
    Shape xs = model.input_shape;
    xs.insert(xs.begin(), batch);
    const Tensor x = Tensor::randn(xs, gen).to(device);
    std::vector<double> labels(static_cast<size_t>(batch));
    for (auto& l : labels) l = static_cast<double>(gen.engine()() % static_cast<uint64_t>(model.num_classes));
    const Tensor y = Tensor::from_vector({batch}, labels, DType::i32).to(device);
    double seconds = 0;
    for (int s = 0; s < warmup + steps; ++s) {
        const auto t0 = Clock::now();
        opt->zero_grad();
        Tensor loss = cross_entropy(model.net->forward(x), y);
        loss.backward();
        opt->step();
        (void)loss.item();
        if (s >= warmup) seconds += since(t0);
    }
    set_precision(Precision::fp32);
    return static_cast<double>(batch) * steps / std::max(seconds, 1e-9);
}

// Tokens per second of `steps` AdamW steps of GPT-mini (4 layers, 4 heads, d 128, the given block) on random
// [batch, context] windows of a 96-character vocabulary: the model, batch and context of `bench gpt`.
double gpt_throughput(nn::BlockKind block, Device device, Precision prec, int64_t batch, int64_t context, int warmup,
                      int steps) {
    set_precision(prec);
    models::GptOptions o;
    o.vocab_size = 96;
    o.context = context;
    o.block = block;
    models::GptMini gpt(o);
    Generator gen(7);
    gpt.reset_parameters(gen);
    gpt.to(device);
    auto opt = optim::make_optimizer("adamw", gpt.parameters(), 1e-3, 0.01, 0.9);
    std::vector<double> ids(static_cast<size_t>(batch * context)), next(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
        ids[i] = static_cast<double>(gen.engine()() % 96);
        next[i] = static_cast<double>(gen.engine()() % 96);
    }
    const Tensor x = Tensor::from_vector({batch, context}, ids, DType::i32).to(device);
    const Tensor y = Tensor::from_vector({batch, context}, next, DType::i32).to(device);
    double seconds = 0;
    for (int s = 0; s < warmup + steps; ++s) {
        const auto t0 = Clock::now();
        opt->zero_grad();
        Tensor loss = gpt.loss(x, y);
        loss.backward();
        opt->step();
        (void)loss.item();
        if (s >= warmup) seconds += since(t0);
    }
    set_precision(Precision::fp32);
    return static_cast<double>(batch * context) * steps / std::max(seconds, 1e-9);
}

// Milliseconds per forward + backward of causal attention on [B, H, T, D].
double attention_ms(bool fused, Device device, int64_t B, int64_t H, int64_t T, int64_t D, int reps) {
    Generator gen(3);
    auto make = [&] { return Tensor::randn({B, H, T, D}, gen).to(device).set_requires_grad(); };
    Tensor q = make(), k = make(), v = make();
    double seconds = 0;
    for (int r = 0; r < reps + 1; ++r) {
        q.zero_grad();
        k.zero_grad();
        v.zero_grad();
        const auto t0 = Clock::now();
        Tensor out = fused ? scaled_dot_product_attention_tiled(q, k, v, true) : scaled_dot_product_attention(q, k, v, true);
        Tensor loss = sum(out);
        loss.backward();
        (void)q.grad().at({0, 0, 0, 0});  // waits for the device
        if (r > 0) seconds += since(t0);
    }
    return seconds * 1000.0 / reps;
}
}  // namespace

int bench_gpu(const Args& args) {
    std::string why;
    if (!cuda_available(&why)) {
        std::fprintf(stderr, "bench gpu: skipped: no usable GPU here (%s)\n", why.c_str());
        nlohmann::json j{{"benchmark", "gpu"}, {"skipped", true}, {"reason", why}, {"machine", train::machine_info()}};
        write_if_asked(args, j);
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    const bool quick = args.on("quick");
    const int warmup = quick ? 1 : 3, steps = quick ? 3 : 20;
    nlohmann::json rows = nlohmann::json::array();
    std::printf("%-8s %-6s %-5s %14s %14s %8s\n", "model", "batch", "prec", "cpu samples/s", "cuda samples/s", "speedup");
    for (const std::string name : {"mlp", "cnn", "vit"}) {
        const int64_t batch = name == "mlp" ? 128 : 64;
        nlohmann::json row{{"model", name}, {"batch", batch}};
        try {
            const double cpu = train_throughput(name, Device::cpu, Precision::fp32, batch, warmup, steps);
            const double gpu = train_throughput(name, Device::cuda, Precision::fp32, batch, warmup, steps);
            const double gpu16 = train_throughput(name, Device::cuda, Precision::bf16, batch, warmup, steps);
            row["cpu_samples_per_second"] = cpu;
            row["cuda_samples_per_second"] = gpu;
            row["cuda_bf16_samples_per_second"] = gpu16;
            std::printf("%-8s %-6lld %-5s %14.0f %14.0f %7.1fx\n", name.c_str(), static_cast<long long>(batch), "fp32", cpu,
                        gpu, gpu / cpu);
            std::printf("%-8s %-6lld %-5s %14s %14.0f %7.1fx\n", name.c_str(), static_cast<long long>(batch), "bf16", "",
                        gpu16, gpu16 / cpu);
        } catch (const std::exception& e) {
            row["error"] = e.what();
            std::printf("%-8s failed: %s\n", name.c_str(), e.what());
        }
        rows.push_back(row);
    }
    // GPT-mini: tokens per second, batch 32 x context 64 (the sizes of `bench gpt`), both blocks.
    for (const nn::BlockKind block : {nn::BlockKind::gpt2, nn::BlockKind::modern}) {
        const std::string name = block == nn::BlockKind::gpt2 ? "gpt-gpt2" : "gpt-modern";
        const int64_t batch = 32, context = 64;
        nlohmann::json row{{"model", name}, {"batch", batch}, {"context", context}, {"unit", "tokens/s"}};
        try {
            const double cpu = gpt_throughput(block, Device::cpu, Precision::fp32, batch, context, warmup, steps);
            const double gpu = gpt_throughput(block, Device::cuda, Precision::fp32, batch, context, warmup, steps);
            const double gpu16 = gpt_throughput(block, Device::cuda, Precision::bf16, batch, context, warmup, steps);
            row["cpu_tokens_per_second"] = cpu;
            row["cuda_tokens_per_second"] = gpu;
            row["cuda_bf16_tokens_per_second"] = gpu16;
            std::printf("%-10s %-6s %-5s %14.0f %14.0f %7.1fx   (tokens/s)\n", name.c_str(), "32x64", "fp32", cpu, gpu,
                        gpu / cpu);
            std::printf("%-10s %-6s %-5s %14s %14.0f %7.1fx   (tokens/s)\n", name.c_str(), "32x64", "bf16", "", gpu16,
                        gpu16 / cpu);
        } catch (const std::exception& e) {
            row["error"] = e.what();
            std::printf("%-10s failed: %s\n", name.c_str(), e.what());
        }
        rows.push_back(row);
    }
    nlohmann::json attn = nlohmann::json::array();
    for (int64_t T : {128, 512}) {
        const int64_t B = 4, H = 4, D = 32;
        nlohmann::json row{{"shape", {B, H, T, D}}, {"causal", true}};
        try {
            const double plain = attention_ms(false, Device::cuda, B, H, T, D, quick ? 2 : 10);
            const double fused = attention_ms(true, Device::cuda, B, H, T, D, quick ? 2 : 10);
            row["plain_ms"] = plain;
            row["fused_ms"] = fused;
            std::printf("attention [%lld, %lld, %lld, %lld] fwd+bwd: plain %.3f ms, fused %.3f ms (%.1fx)\n",
                        static_cast<long long>(B), static_cast<long long>(H), static_cast<long long>(T),
                        static_cast<long long>(D), plain, fused, plain / fused);
        } catch (const std::exception& e) {
            row["error"] = e.what();
            std::printf("attention T=%lld failed: %s\n", static_cast<long long>(T), e.what());
        }
        attn.push_back(row);
    }
    nlohmann::json j{{"benchmark", "gpu"}, {"skipped", false}, {"device", cuda_device_summary()},
                     {"machine", train::machine_info()}, {"training", rows}, {"attention", attn}};
    write_if_asked(args, j);
    return 0;
}

}  // namespace bp::cli
