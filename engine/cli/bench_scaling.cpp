// bench_scaling.cpp — `backprop bench scaling`: how the MLP's training time grows with the data size, the width
// and the depth (the exponent of a least-squares fit of log t against log n), and with the thread count.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

#include "args.h"
#include "bp/backend.h"
#include "bp/data/dataset.h"
#include "bp/train/report.h"
#include "bp/train/trainer.h"
#include "bench_suites.h"

namespace bp::cli {

namespace {

/// Least-squares fit of log t = k log n + c; returns k (time ∝ n^k).
double fit_exponent(const std::vector<double>& n, const std::vector<double>& t) {
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    const double m = static_cast<double>(n.size());
    for (size_t i = 0; i < n.size(); ++i) {
        const double x = std::log(n[i]), y = std::log(t[i]);
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    const double denom = m * sxx - sx * sx;
    return denom == 0 ? 0 : (m * sxy - sx * sy) / denom;
}

/// One timed training epoch of `model` with `options` on the first `limit` training images.
double time_epoch(const data::ImageDataset& train_set, const std::string& model_name, const nlohmann::json& options,
                  int64_t limit, int batch, int threads, int64_t* params) {
    const train::TrainConfig cfg = timing_config(model_name, 1, batch, threads, limit);
    models::Model model = models::create_model(model_name, options, cfg.seed);
    if (params) *params = model.net->parameter_count();
    train::Trainer trainer(model, train_set, nullptr, cfg);
    trainer.run();
    if (trainer.failed()) throw Error("bench scaling: training failed");
    return trainer.history().at(0).epoch_seconds;
}


struct ScalingPlan {
    std::vector<int64_t> sizes;
    int64_t subset = 10000;
    std::vector<int> widths, depths, threads;
    int thread_batch = 128;
    std::vector<int> thread_hidden{512, 512};
};

ScalingPlan scaling_plan(const Args& args) {
    ScalingPlan p;
    const bool quick = args.on("quick");
    p.sizes = quick ? std::vector<int64_t>{500, 1000, 2000} : std::vector<int64_t>{1000, 2000, 5000, 10000, 20000, 60000};
    p.subset = quick ? 1000 : 10000;
    p.widths = quick ? std::vector<int>{32, 128, 512} : std::vector<int>{32, 64, 128, 256, 512, 1024};
    p.depths = quick ? std::vector<int>{1, 2, 3} : std::vector<int>{1, 2, 3, 4, 5, 6};
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int t = 1; t <= cores; t *= 2) p.threads.push_back(t);
    if (p.threads.back() != cores) p.threads.push_back(cores);
    return p;
}

}  // namespace

int scaling_steps(const Args& args) {
    const ScalingPlan p = scaling_plan(args);
    return static_cast<int>(p.sizes.size() + p.widths.size() + p.depths.size() + p.threads.size());
}

nlohmann::json suite_scaling(const Args& args, Progress& progress) {
    const int threads = args.integer("threads", 0, 1024);
    const int batch = args.has("batch-sizes") ? parse_int_list("batch-sizes", args.str("batch-sizes")).front() : 32;
    const ScalingPlan plan = scaling_plan(args);
    const std::string data_dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
    data::ImageDataset train_set = data::load_image_dataset(data_dir, "mnist", "train");
    set_num_threads(threads);
    std::printf("bench scaling: MLP training time for one epoch, batch %d, %d thread(s)\n", batch, num_threads());
    nlohmann::json out{{"benchmark", "scaling"}, {"quick", args.on("quick")}, {"batch_size", batch}};

    // Data size: the default MLP on 1k ... all images; ideal = linear in the number of images from the first.
    std::vector<double> ns, ts;
    nlohmann::json rows = nlohmann::json::array();
    std::printf("  data size   epoch seconds   samples/s\n");
    for (int64_t n : plan.sizes) {
        n = std::min(n, train_set.count);
        progress.step("scaling", "data size " + std::to_string(n));
        const double t = time_epoch(train_set, "mlp", nlohmann::json::object(), n, batch, threads, nullptr);
        ns.push_back(static_cast<double>(n));
        ts.push_back(t);
        rows.push_back({{"images", n}, {"epoch_seconds", t}, {"ideal_seconds", ts.front() * static_cast<double>(n) / ns.front()}});
        std::printf("  %9lld   %13.4f   %9.0f\n", static_cast<long long>(n), t, static_cast<double>(n) / t);
    }
    const double k_data = fit_exponent(ns, ts);
    std::printf("  fitted: time ∝ n^%.3f (1.0 is linear in the number of images)\n", k_data);
    out["data_size"] = {{"rows", rows}, {"exponent", k_data}};

    // The width and depth sweeps train on a subset of the images.
    const int64_t subset = std::min<int64_t>(plan.subset, train_set.count);
    // One sweep over MLP shapes on the subset: the hidden layers of each value, the epoch time, and the exponent
    // fitted against the parameter count (width) or the value itself (depth).
    auto sweep = [&](const char* key, const std::vector<int>& values, auto hidden_of, bool against_parameters,
                     const char* heading, int column, const char* x_name, const char* exponent_key) {
        std::vector<double> xs, ts_;
        nlohmann::json sweep_rows = nlohmann::json::array();
        std::printf("  %s (%s, %lld images)   parameters   epoch seconds\n", key, heading, static_cast<long long>(subset));
        for (int v : values) {
            progress.step("scaling", std::string(key) + " " + std::to_string(v));
            int64_t params = 0;
            const double t = time_epoch(train_set, "mlp", {{"hidden", hidden_of(v)}}, subset, batch, threads, &params);
            xs.push_back(against_parameters ? static_cast<double>(params) : v);
            ts_.push_back(t);
            sweep_rows.push_back({{key, v}, {"parameters", params}, {"epoch_seconds", t}});
            std::printf("  %*d   %10lld   %13.4f\n", column, v, static_cast<long long>(params), t);
        }
        const double k = fit_exponent(xs, ts_);
        std::printf("  fitted: time ∝ %s^%.3f\n", x_name, k);
        out[key] = {{"rows", sweep_rows}, {"images", subset}, {exponent_key, k}};
    };
    // Width: one hidden layer of w units, against the parameter count. Depth: d hidden layers of 128 units.
    sweep("width", plan.widths, [](int w) { return std::vector<int>{w}; }, true, "one hidden layer", 37, "parameters",
          "exponent_vs_parameters");
    sweep("depth", plan.depths, [](int d) { return std::vector<int>(static_cast<size_t>(d), 128); }, false,
          "hidden layers of 128", 41, "depth", "exponent");

    // Threads: a wider MLP (more work per batch for the threads to share), speed-up over 1 thread; the ideal
    // speed-up equals the thread count.
    rows = nlohmann::json::array();
    const nlohmann::json wide{{"hidden", plan.thread_hidden}};
    std::printf("  threads (MLP 784-512-512-10, batch %d, %lld images)   epoch seconds   speed-up\n", plan.thread_batch,
                static_cast<long long>(subset));
    double t1 = 0;
    for (int t : plan.threads) {
        progress.step("scaling", "threads " + std::to_string(t));
        set_num_threads(t);
        const double secs = time_epoch(train_set, "mlp", wide, subset, plan.thread_batch, t, nullptr);
        if (t1 == 0) t1 = secs;
        rows.push_back({{"threads", t}, {"epoch_seconds", secs}, {"speedup", t1 / secs}, {"ideal_speedup", t}});
        std::printf("  %51d   %13.4f   %8.2fx\n", t, secs, t1 / secs);
    }
    set_num_threads(threads);
    out["threads"] = {{"rows", rows}, {"model", "mlp"}, {"hidden", plan.thread_hidden}, {"batch_size", plan.thread_batch},
                      {"images", subset}};
    out["machine"] = train::machine_info();
    return out;
}

}  // namespace bp::cli
