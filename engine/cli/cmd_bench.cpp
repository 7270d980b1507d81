// cmd_bench.cpp — `backprop bench train-mlp`: epoch time, samples/s and test accuracy of the
// 784-128-64-10 MLP (Adam), and, when Debian's python3-torch is installed, the same model, batch size and
// data in PyTorch (tools/pytorch_reference/bench_mlp.py) in its fastest thread configuration, with the
// ratio — all measured in this one run.
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "args.h"
#include "bp/backend.h"
#include "bp/data/dataset.h"
#include "bp/train/inference.h"
#include "bp/train/report.h"
#include "bp/train/trainer.h"
#include "bench_suites.h"
#include "commands.h"

namespace bp::cli {

namespace {

std::vector<int> parse_int_list(const std::string& flag, const std::string& s) {
    std::vector<int> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        try {
            size_t pos = 0;
            int v = std::stoi(item, &pos);
            if (pos != item.size() || v < 1 || v > 65536) throw std::invalid_argument(item);
            out.push_back(v);
        } catch (...) {
            throw UsageError("--" + flag + " expects comma-separated whole numbers from 1 to 65536; got '" + s + "'");
        }
    }
    if (out.empty()) throw UsageError("--" + flag + " is empty");
    return out;
}

struct TorchRun {
    bool ok = false;
    std::string note;
    double epoch_seconds = 0;
    int torch_threads = 0, blas_threads = 0;
    std::string blas;
    nlohmann::json all = nlohmann::json::array();
};

TorchRun run_pytorch(const std::string& script, const std::string& data_dir, const std::string& model, int batch,
                     int epochs, double lr, bool eval) {
    TorchRun best;
    const std::pair<int, int> configs[] = {{1, 1}, {1, 2}, {2, 1}};  // (torch threads, BLAS threads)
    for (auto [tt, bt] : configs) {
        std::ostringstream cmd;
        cmd << "/usr/bin/python3 " << shell_quote(script) << " --data-dir " << shell_quote(data_dir)
            << " --model " << model << " --lr " << lr << " --batch-size " << batch << " --epochs " << epochs << " --torch-threads " << tt << " --blas-threads "
            << bt << (eval ? " --eval" : "") << " 2>/dev/null";
        int status = 0;
        std::string out = run_capture(cmd.str(), &status);
        if (status == 3) {
            best.note = "PyTorch is not installed (Debian package python3-torch); no comparison";
            return best;
        }
        if (status != 0) {
            best.note = "the PyTorch reference script failed (exit " + std::to_string(status) + ")";
            continue;
        }
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(out.substr(out.find('{')));
        } catch (...) {
            best.note = "could not read the PyTorch script's output";
            continue;
        }
        auto secs = j.at("epoch_seconds").get<std::vector<double>>();
        double s = *std::min_element(secs.begin(), secs.end());
        best.all.push_back(j);
        if (!best.ok || s < best.epoch_seconds) {
            best.ok = true;
            best.epoch_seconds = s;
            best.torch_threads = tt;
            best.blas_threads = bt;
            best.blas = j.value("blas", "");
        }
    }
    return best;
}

/// A timing run's configuration: the model's zoo defaults for rate and optimizer, no evaluation.
train::TrainConfig timing_config(const std::string& model, int epochs, int batch, int threads, int64_t limit = 0) {
    const models::ModelInfo& info = models::find_model(model);
    train::TrainConfig cfg;
    cfg.model = model;
    cfg.epochs = epochs;
    cfg.batch_size = batch;
    cfg.lr = info.defaults.lr;
    cfg.optimizer = info.defaults.optimizer;
    cfg.threads = threads;
    cfg.train_limit = limit;
    cfg.evaluate = false;
    return cfg;
}

/// Epoch time of a zoo model at each batch size, beside PyTorch's fastest configuration on the same data.
int bench_train(const Args& args, const std::string& model_name, const std::string& default_batches) {
    const std::vector<int> batches =
        parse_int_list("batch-sizes", args.has("batch-sizes") ? args.str("batch-sizes") : default_batches);
    const models::ModelInfo& info = models::find_model(model_name);
    const int epochs = args.integer("epochs", 1, 100);
    const int threads = args.integer("threads", 0, 1024);
    const std::string mode = args.str("pytorch");
    if (mode != "auto" && mode != "off") throw UsageError("--pytorch expects auto or off; got '" + mode + "'");
    const std::string data_dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
    data::ImageDataset train_set = data::load_image_dataset(data_dir, "mnist", "train");
    data::ImageDataset test_set = data::load_image_dataset(data_dir, "mnist", "test");
    std::string script = mode == "off"                     ? ""
                         : args.has("pytorch-script") ? args.str("pytorch-script")
                                                      : find_reference_script("bench_mlp.py");

    set_num_threads(threads);
    const double lr = info.defaults.lr;
    std::printf("bench train-%s: %s, Adam lr %g, MNIST %lld training images, %d epoch(s), %d thread(s), %s\n",
                model_name.c_str(), info.title.c_str(), lr, static_cast<long long>(train_set.count), epochs,
                num_threads(), cpu_simd().c_str());
    nlohmann::json results = nlohmann::json::array();
    for (int batch : batches) {
        const train::TrainConfig cfg = timing_config(model_name, epochs, batch, threads);
        models::Model model = models::create_model(model_name, nlohmann::json::object(), cfg.seed);
        train::Trainer trainer(model, train_set, nullptr, cfg);
        trainer.run();
        if (trainer.failed()) throw Error("bench: training failed at batch size " + std::to_string(batch));
        double best = 1e30;
        std::vector<double> secs;
        for (const auto& e : trainer.history()) {
            secs.push_back(e.epoch_seconds);
            best = std::min(best, e.epoch_seconds);
        }
        double acc = train::evaluate(*model.net, test_set).metrics.accuracy;
        nlohmann::json r{{"batch_size", batch},
                         {"epoch_seconds", secs},
                         {"best_epoch_seconds", best},
                         {"samples_per_second", static_cast<double>(train_set.count) / best},
                         {"test_accuracy", acc}};
        std::printf("  batch %4d  backprop: epoch %.3f s  %9.0f samples/s  test accuracy %.2f%%\n", batch, best,
                    static_cast<double>(train_set.count) / best, acc * 100);
        std::fflush(stdout);
        if (!script.empty()) {
            TorchRun t = run_pytorch(script, data_dir, model_name, batch, epochs, lr, false);
            if (t.ok) {
                double ratio = t.epoch_seconds / best;
                std::printf("              pytorch:  epoch %.3f s  %9.0f samples/s  (fastest of 3 thread configs: torch %d, BLAS %d; %s)\n",
                            t.epoch_seconds, static_cast<double>(train_set.count) / t.epoch_seconds, t.torch_threads,
                            t.blas_threads, t.blas.c_str());
                std::printf("              ratio:    backprop is %.2fx %s than PyTorch's fastest configuration\n",
                            ratio >= 1 ? ratio : 1 / ratio, ratio >= 1 ? "faster" : "slower");
                r["pytorch"] = {{"best_epoch_seconds", t.epoch_seconds}, {"torch_threads", t.torch_threads},
                                {"blas_threads", t.blas_threads}, {"blas", t.blas}, {"runs", t.all}};
                r["speedup_vs_pytorch"] = ratio;
            } else {
                std::printf("              pytorch:  %s\n", t.note.c_str());
                r["pytorch"] = {{"note", t.note}};
                if (t.note.find("not installed") != std::string::npos) script.clear();
            }
        } else {
            std::printf("              pytorch:  %s\n", mode == "off" ? "skipped (--pytorch off)"
                                                                        : "reference script not found; no comparison");
        }
        std::fflush(stdout);
        results.push_back(r);
    }
    if (args.has("json") && !args.str("json").empty())
        train::write_json(args.str("json"), {{"benchmark", "train-" + model_name}, {"epochs", epochs}, {"results", results},
                                             {"machine", train::machine_info()}});
    return 0;
}

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

/// Every zoo model: training throughput on the first --images training images (one epoch at the model's
/// default batch size and rate), the full-epoch time that rate implies, and the peak resident memory.
int bench_models(const Args& args) {
    const int threads = args.integer("threads", 0, 1024);
    const int64_t images = args.has("images") ? args.int64("images", 64, 60000) : 6400;
    const std::string data_dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
    data::ImageDataset train_set = data::load_image_dataset(data_dir, "mnist", "train");
    set_num_threads(threads);
    std::printf("bench models: one epoch over the first %lld MNIST training images per model, %d thread(s)\n",
                static_cast<long long>(images), num_threads());
    std::printf("  %-8s %-28s %10s %9s %12s %14s %10s\n", "model", "title", "params", "batch", "samples/s",
                "epoch (60k) s", "peak MB");
    nlohmann::json rows = nlohmann::json::array();
    for (const models::ModelInfo& info : models::zoo()) {
        if (info.dataset_kind != "image28") continue;
        const train::TrainConfig cfg = timing_config(info.name, 1, info.defaults.batch_size, threads, images);
        models::Model model = models::create_model(info.name, nlohmann::json::object(), cfg.seed);
        train::reset_peak_rss();
        train::Trainer trainer(model, train_set, nullptr, cfg);
        trainer.run();
        if (trainer.failed()) throw Error("bench models: training " + info.name + " failed");
        const double secs = trainer.history().at(0).epoch_seconds;
        const double rate = static_cast<double>(std::min(images, train_set.count)) / secs;
        const double peak_mb = static_cast<double>(train::peak_rss_bytes()) / 1048576.0;
        std::printf("  %-8s %-28s %10lld %9d %12.0f %14.1f %10.1f\n", info.name.c_str(), info.title.c_str(),
                    static_cast<long long>(model.net->parameter_count()), cfg.batch_size, rate,
                    static_cast<double>(train_set.count) / rate, peak_mb);
        std::fflush(stdout);
        rows.push_back({{"model", info.name}, {"title", info.title}, {"parameters", model.net->parameter_count()},
                        {"batch_size", cfg.batch_size}, {"images", images}, {"seconds", secs},
                        {"samples_per_second", rate}, {"projected_epoch_seconds", static_cast<double>(train_set.count) / rate},
                        {"peak_memory_mb", peak_mb}});
    }
    if (args.has("json") && !args.str("json").empty())
        train::write_json(args.str("json"), {{"benchmark", "models"}, {"results", rows}, {"machine", train::machine_info()}});
    return 0;
}

int bench_scaling(const Args& args) {
    const int threads = args.integer("threads", 0, 1024);
    const int batch = args.has("batch-sizes") ? parse_int_list("batch-sizes", args.str("batch-sizes")).front() : 32;
    const std::string data_dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
    data::ImageDataset train_set = data::load_image_dataset(data_dir, "mnist", "train");
    set_num_threads(threads);
    std::printf("bench scaling: MLP training time for one epoch, batch %d, %d thread(s)\n", batch, num_threads());
    nlohmann::json out{{"benchmark", "scaling"}, {"batch_size", batch}};

    // Data size: the default MLP on 1k ... all images.
    std::vector<double> ns, ts;
    nlohmann::json rows = nlohmann::json::array();
    std::printf("  data size   epoch seconds   samples/s\n");
    for (int64_t n : {1000, 2000, 5000, 10000, 20000, 60000}) {
        n = std::min(n, train_set.count);
        const double t = time_epoch(train_set, "mlp", nlohmann::json::object(), n, batch, threads, nullptr);
        ns.push_back(static_cast<double>(n));
        ts.push_back(t);
        rows.push_back({{"images", n}, {"epoch_seconds", t}});
        std::printf("  %9lld   %13.4f   %9.0f\n", static_cast<long long>(n), t, static_cast<double>(n) / t);
    }
    const double k_data = fit_exponent(ns, ts);
    std::printf("  fitted: time ∝ n^%.3f (1.0 is linear in the number of images)\n", k_data);
    out["data_size"] = {{"rows", rows}, {"exponent", k_data}};

    // Width: one hidden layer of w units on 10k images, against the parameter count.
    const int64_t subset = std::min<int64_t>(10000, train_set.count);
    std::vector<double> ps, tw;
    rows = nlohmann::json::array();
    std::printf("  width (one hidden layer, %lld images)   parameters   epoch seconds\n", static_cast<long long>(subset));
    for (int w : {32, 64, 128, 256, 512, 1024}) {
        int64_t params = 0;
        const double t = time_epoch(train_set, "mlp", {{"hidden", {w}}}, subset, batch, threads, &params);
        ps.push_back(static_cast<double>(params));
        tw.push_back(t);
        rows.push_back({{"width", w}, {"parameters", params}, {"epoch_seconds", t}});
        std::printf("  %37d   %10lld   %13.4f\n", w, static_cast<long long>(params), t);
    }
    const double k_width = fit_exponent(ps, tw);
    std::printf("  fitted: time ∝ parameters^%.3f\n", k_width);
    out["width"] = {{"rows", rows}, {"exponent_vs_parameters", k_width}};

    // Depth: d hidden layers of 128 units.
    std::vector<double> ds, td;
    rows = nlohmann::json::array();
    std::printf("  depth (hidden layers of 128, %lld images)   parameters   epoch seconds\n", static_cast<long long>(subset));
    for (int d = 1; d <= 6; ++d) {
        int64_t params = 0;
        const double t = time_epoch(train_set, "mlp", {{"hidden", std::vector<int>(static_cast<size_t>(d), 128)}}, subset,
                                    batch, threads, &params);
        ds.push_back(d);
        td.push_back(t);
        rows.push_back({{"depth", d}, {"parameters", params}, {"epoch_seconds", t}});
        std::printf("  %41d   %10lld   %13.4f\n", d, static_cast<long long>(params), t);
    }
    const double k_depth = fit_exponent(ds, td);
    std::printf("  fitted: time ∝ depth^%.3f\n", k_depth);
    out["depth"] = {{"rows", rows}, {"exponent", k_depth}};
    out["machine"] = train::machine_info();
    if (args.has("json") && !args.str("json").empty()) train::write_json(args.str("json"), out);
    return 0;
}

}  // namespace

std::string run_capture(const std::string& cmd, int* status) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) {
        *status = -1;
        return out;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int rc = pclose(p);
    *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return out;
}

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string find_reference_script(const std::string& name) {
    namespace fs = std::filesystem;
    std::vector<fs::path> candidates{fs::path(BP_SOURCE_DIR) / "tools/pytorch_reference" / name};
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.push_back(exe.parent_path().parent_path().parent_path() / "tools/pytorch_reference" / name);
    for (const auto& c : candidates)
        if (fs::exists(c)) return c.string();
    return {};
}

int cmd_bench(int argc, char** argv) {
    Args args("bench",
              "Benchmarks. Suites: train-mlp, train-lenet, train-cnn (epoch time of that zoo model vs PyTorch),\n"
              "scaling (training time against data size, width and depth, with the fitted exponent), ops (each op's\n"
              "forward and forward+backward time, GFLOP/s, fraction of peak, vs PyTorch), accuracy (activation\n"
              "errors against high-precision references and every op's gradient-check error), models (training\n"
              "throughput, projected epoch time and peak memory of every zoo model).",
              {{"batch-sizes", "LIST", "comma-separated batch sizes", "32,128 for mlp, 64 for lenet and cnn"},
               {"epochs", "N", "epochs per measurement (the fastest epoch is reported)", "2"},
               threads_flag(),
               {"pytorch", "auto|off", "also run the PyTorch reference when python3-torch is installed", "auto"},
               {"pytorch-script", "FILE", "path of tools/pytorch_reference/bench_mlp.py", ""},
               {"points", "N", "grid points per function for the accuracy suite", "200001"},
               {"images", "N", "training images per model for the models suite", "6400"},
               {"json", "FILE", "write the results as JSON", ""},
               data_dir_flag()});
    if (args.parse_or_help(argc, argv, 2)) return 0;
    if (args.positional().empty()) throw UsageError("name a suite: backprop bench train-mlp");
    const std::string suite = args.positional()[0];
    if (suite == "train-mlp") return bench_train(args, "mlp", "32,128");
    if (suite == "train-lenet") return bench_train(args, "lenet", "64");
    if (suite == "train-cnn") return bench_train(args, "cnn", "64");
    if (suite == "scaling") return bench_scaling(args);
    if (suite == "ops") return bench_ops(args);
    if (suite == "models") return bench_models(args);
    if (suite == "accuracy") return bench_accuracy(args);
    throw UsageError("unknown suite '" + suite + "'; available: train-mlp, train-lenet, train-cnn, scaling, ops, accuracy, models");
}

}  // namespace bp::cli
