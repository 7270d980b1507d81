// cmd_bench.cpp — `backprop bench train-mlp`: epoch time, samples/s and test accuracy of the
// 784-128-64-10 MLP (Adam), and, when Debian's python3-torch is installed, the same model, batch size and
// data in PyTorch (tools/pytorch_reference/bench_mlp.py) in its fastest thread configuration, with the
// ratio — all measured in this one run. Also the models suite, and `bench all` (every suite,
// one JSON for the Benchmarks page and `backprop export-charts`).
#include <sys/wait.h>
#include <unistd.h>

#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>

#include "args.h"
#include "output_check.h"
#include "device_flags.h"
#include "bp/backend.h"
#include "bp/data/dataset.h"
#include "bp/train/flops.h"
#include "bp/train/inference.h"
#include "bp/train/report.h"
#include "bp/train/trainer.h"
#include "bench_suites.h"
#include "commands.h"

namespace bp::cli {

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

std::string g_bench_device = "cpu";  // --device: where the training suites (train-*, scaling, models) run

/// A timing run's configuration: the model's zoo defaults for rate and optimizer, no evaluation.
train::TrainConfig timing_config(const std::string& model, int epochs, int batch, int threads, int64_t limit) {
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
    cfg.device = g_bench_device;
    return cfg;
}

namespace {


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
        nlohmann::json j;
        const ReferenceRun r = run_reference(cmd.str(), &j, &best.note);
        if (r == ReferenceRun::no_pytorch) return best;
        if (r == ReferenceRun::failed) continue;
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


/// Records the training loss of a run: the mean over each window of `every` batches, against the number of
/// training images seen at the window's end.
struct LossCurve : train::TrainerObserver {
    explicit LossCurve(int64_t every_batches, int64_t batch_size) : every(every_batches), batch(batch_size) {}
    void on_batch(const train::BatchEvent& e) override {
        sum += e.loss;
        if (++in_window == every || e.batch + 1 == e.batches_per_epoch) {
            images.push_back(static_cast<double>((e.batch + 1) * batch));
            loss.push_back(sum / static_cast<double>(in_window));
            sum = 0;
            in_window = 0;
        }
    }
    int64_t every, batch;
    int64_t in_window = 0;
    double sum = 0;
    std::vector<double> images, loss;
};

std::vector<const models::ModelInfo*> image_models() {
    std::vector<const models::ModelInfo*> out;
    for (const models::ModelInfo& info : models::zoo())
        if (info.dataset_kind == "image28") out.push_back(&info);
    return out;
}

int64_t models_images(const Args& args) {
    return args.has("images") ? args.int64("images", 64, 60000) : args.on("quick") ? 512 : 6400;
}

}  // namespace

int models_steps(const Args&) { return 1 + static_cast<int>(image_models().size()); }

/// Every zoo model: training throughput on the first --images training images (one epoch at the model's
/// default batch size and rate), the full-epoch time that rate implies, the peak resident memory, and the
/// training loss curve of that epoch.
nlohmann::json suite_models(const Args& args, Progress& progress) {
    const int threads = args.integer("threads", 0, 1024);
    const int64_t images = models_images(args);
    const std::string data_dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
    data::ImageDataset train_set = data::load_image_dataset(data_dir, "mnist", "train");
    set_num_threads(threads);
    const bool on_cpu = g_bench_device == "cpu";
    progress.step("models", "FMA peak");
    const double peak = on_cpu ? fma_peak_gflops() : 0;
    std::printf("bench models: one epoch over the first %lld MNIST training images per model, %d thread(s)\n",
                static_cast<long long>(images), num_threads());
    if (on_cpu)
        std::printf("  GFLOP/s: training FLOPs = 3 x the forward pass's matrix products (matmul, linear, conv, attention),\n"
                    "  as a share of the FMA peak measured in this run, %.1f GFLOP/s\n", peak);
    std::printf("  %-8s %-28s %10s %9s %12s %14s %10s %10s %8s %7s\n", "model", "title", "params", "batch", "samples/s",
                "epoch (60k) s", "peak MB", "last loss", "GFLOP/s", "% peak");
    nlohmann::json rows = nlohmann::json::array();
    for (const models::ModelInfo* m : image_models()) {
        const models::ModelInfo& info = *m;
        progress.step("models", info.name);
        const train::TrainConfig cfg = timing_config(info.name, 1, info.defaults.batch_size, threads, images);
        models::Model model = models::create_model(info.name, nlohmann::json::object(), cfg.seed);
        const double forward_flops = train::training_flops_per_sample(*model.net, model.input_shape, cfg.batch_size) / 3;
        const int64_t batches = (std::min(images, train_set.count) + cfg.batch_size - 1) / cfg.batch_size;
        LossCurve curve(std::max<int64_t>(1, batches / 40), cfg.batch_size);
        train::reset_peak_rss();
        train::Trainer trainer(model, train_set, nullptr, cfg);
        trainer.add_observer(&curve);
        trainer.run();
        if (trainer.failed()) throw Error("bench models: training " + info.name + " failed");
        const double secs = trainer.history().at(0).epoch_seconds;
        const double rate = static_cast<double>(std::min(images, train_set.count)) / secs;
        const double peak_mb = static_cast<double>(train::peak_rss_bytes()) / 1048576.0;
        const double gflops = 3 * forward_flops * rate / 1e9;
        std::printf("  %-8s %-28s %10lld %9d %12.0f %14.1f %10.1f %10.4f %8.1f %6.1f%%\n", info.name.c_str(),
                    info.title.c_str(), static_cast<long long>(model.net->parameter_count()), cfg.batch_size, rate,
                    static_cast<double>(train_set.count) / rate, peak_mb, curve.loss.empty() ? 0.0 : curve.loss.back(),
                    gflops, on_cpu ? 100 * gflops / peak : 0.0);
        std::fflush(stdout);
        nlohmann::json row{{"model", info.name}, {"title", info.title}, {"parameters", model.net->parameter_count()},
                           {"batch_size", cfg.batch_size}, {"images", images}, {"seconds", secs},
                           {"samples_per_second", rate}, {"projected_epoch_seconds", static_cast<double>(train_set.count) / rate},
                           {"peak_memory_mb", peak_mb},
                           {"forward_gflop_per_image", forward_flops / 1e9},
                           {"training_gflops", gflops},
                           {"loss_curve", {{"every_batches", curve.every}, {"images", curve.images}, {"loss", curve.loss}}}};
        if (on_cpu) row["fraction_of_peak"] = gflops / peak;
        rows.push_back(row);
    }
    nlohmann::json out{{"benchmark", "models"}, {"quick", args.on("quick")}, {"images", images}, {"results", rows},
                       {"threads", num_threads()}, {"flops_convention", kFlopsConvention},
                       {"machine", train::machine_info()}};
    if (on_cpu) out["fma_peak_gflops"] = peak;
    return out;
}


namespace {

void write_if_asked(const Args& args, const nlohmann::json& j) {
    if (args.has("json") && !args.str("json").empty()) train::write_json(args.str("json"), j);
}

/// One suite on its own: `backprop bench ops|models|accuracy|scaling`.
int run_one(const Args& args, int (*steps)(const Args&), nlohmann::json (*suite)(const Args&, Progress&)) {
    Progress progress = progress_for(args);
    progress.add(steps(args));
    nlohmann::json j = suite(args, progress);
    progress.done();
    write_if_asked(args, j);
    return 0;
}

std::string pytorch_version() {
    int status = 0;
    std::string v = run_capture("OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -c 'import torch; print(torch.__version__)' 2>/dev/null",
                                &status);
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
    return status == 0 ? v : std::string();
}

/// `backprop bench all`: every suite in one process, one JSON: {"benchmark": "all", "machine": {...},
/// "suites": {"ops": {...}, "models": {...}, "accuracy": {...}, "scaling": {...}, "threads": {...}, "gpt": {...},
/// "bert": {...}, "clip": {...}, "epochs": {...}}} — each suite's object is
/// exactly what its own command writes.
int bench_all(const Args& args) {
    Progress progress = progress_for(args);
    progress.add(ops_steps(args) + models_steps(args) + accuracy_steps(args) + scaling_steps(args) + threads_steps(args) +
                 gpt_steps(args) + bert_steps(args) + clip_steps(args) + epochs_steps(args) + speedrun_steps(args) +
                 checkpoint_steps(args));
    nlohmann::json machine = train::machine_info();
    machine["eigen_version"] = std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                               std::to_string(EIGEN_MINOR_VERSION);
    machine["nlohmann_json_version"] = std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                                       std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                                       std::to_string(NLOHMANN_JSON_VERSION_PATCH);
    const std::string torch = args.str("pytorch") == "off" ? "" : pytorch_version();
    if (!torch.empty()) machine["pytorch_version"] = torch;
    const auto started = std::chrono::steady_clock::now();
    nlohmann::json suites = nlohmann::json::object();
    suites["ops"] = suite_ops(args, progress);
    std::printf("\n");
    suites["models"] = suite_models(args, progress);
    std::printf("\n");
    suites["accuracy"] = suite_accuracy(args, progress);
    std::printf("\n");
    suites["scaling"] = suite_scaling(args, progress);
    std::printf("\n");
    suites["threads"] = suite_threads(args, progress);
    std::printf("\n");
    suites["gpt"] = suite_gpt(args, progress);
    std::printf("\n");
    suites["bert"] = suite_bert(args, progress);
    std::printf("\n");
    suites["clip"] = suite_clip(args, progress);
    std::printf("\n");
    suites["epochs"] = suite_epochs(args, progress);
    std::printf("\n");
    suites["speedrun"] = suite_speedrun(args, progress);
    std::printf("\n");
    suites["checkpoint"] = suite_checkpoint(args, progress);
    progress.done();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("\nbench all: %.1f s\n", seconds);
    write_if_asked(args, {{"benchmark", "all"}, {"format_version", 1}, {"quick", args.on("quick")},
                          {"seconds", seconds}, {"machine", machine}, {"suites", suites}});
    return 0;
}

}  // namespace

void Progress::step(const std::string& suite, const std::string& what) {
    ++done_;
    if (!enabled_) return;
    std::fprintf(stderr, "progress %d/%d %s: %s\n", done_, std::max(total_, done_), suite.c_str(), what.c_str());
    std::fflush(stderr);
}

void Progress::done() {
    if (!enabled_) return;
    std::fprintf(stderr, "progress %d/%d done\n", std::max(total_, done_), std::max(total_, done_));
    std::fflush(stderr);
}

Progress progress_for(const Args& args) { return Progress(args.on("progress") || !isatty(STDERR_FILENO)); }

ReferenceRun run_reference(const std::string& cmd, nlohmann::json* out, std::string* note) {
    int status = 0;
    const std::string text = run_capture(cmd, &status);
    if (status == 3) {
        *note = "PyTorch is not installed (Debian package python3-torch); no comparison";
        return ReferenceRun::no_pytorch;
    }
    if (status != 0) {
        *note = "the PyTorch reference script failed (exit " + std::to_string(status) + ")";
        return ReferenceRun::failed;
    }
    try {
        *out = nlohmann::json::parse(text.substr(text.find('{')));
    } catch (...) {
        *note = "could not read the PyTorch script's output";
        return ReferenceRun::failed;
    }
    return ReferenceRun::ok;
}

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
              "throughput, projected epoch time, peak memory and loss curve of every zoo model), all (every suite\n"
              "in one run, one JSON with the machine's details: what the Benchmarks page and export-charts read),\n"
              "threads (1 thread vs every core on the MLP, LeNet, CNN, ResNet-mini, ViT-tiny and GPT-mini; --busy adds\n"
              "a run beside a busy core),\n"
              "gpu (training throughput CUDA vs CPU, fp32 and bf16, and fused vs plain attention; skipped without a GPU),\n"
              "gpt, bert, clip (GPT-, BERT- and CLIP-mini training steps/s beside PyTorch's on the same model),\n"
              "architectures (the original framework's six architectures, each trained briefly here: our measured\n"
              "figure beside its claim, one row each), epochs, train-resnet, train-vit (ResNet-mini and ViT-tiny\n"
              "epoch, projected from the first --images images on both sides, beside PyTorch), speedrun (the\n"
              "99%-in-seconds recipe over --seeds seeds: accuracy, training and wall time, peak memory, fraction of\n"
              "the peak, 1 vs 2 threads, beside PyTorch), checkpoint (ViT-tiny and GPT-mini with and without\n"
              "gradient checkpointing: peak memory and step time).",
              {{"batch-sizes", "LIST", "comma-separated batch sizes", "32,128 for mlp, 64 for lenet and cnn"},
               {"epochs", "N", "epochs per measurement (the fastest epoch is reported)", "2"},
               threads_flag(),
               {"pytorch", "auto|off", "also run the PyTorch reference when python3-torch is installed", "auto"},
               {"pytorch-script", "FILE", "path of tools/pytorch_reference/bench_mlp.py", ""},
               {"points", "N", "grid points per function for the accuracy suite", "200001"},
               {"images", "N", "training images per model for the models suite (threads and epochs suites: 3200, --quick 256 and 128)", "6400 (--quick: 512)"},
               {"steps", "N", "timed training steps per measurement (gpt, bert, clip, checkpoint suites; threads: GPT-mini; architectures: training steps)",
                "gpt 40, bert and clip 20, checkpoint 30, threads 20 (--quick: 4, 3, 4, 2)"},
               {"seeds", "N", "speedrun suite: seeds to run the recipe with", "10 (--quick: 2)"},
               {"busy", "", "threads suite: also measure with another process spinning on one core", ""},
               {"repeats", "N", "threads suite: rounds in which 1 and every thread take turns; ops suite: rounds in which "
                "PyTorch and ours take turns (each keeps its fastest)",
                "threads 5, ops 3 (--quick: 1)"},
               {"quick", "", "small sizes and few repeats: a first look in seconds (used by the tests)", ""},
               {"progress", "", "print 'progress K/N suite: step' lines on stderr even on a terminal", ""},
               {"json", "FILE", "write the results as JSON", ""},
               device_flag(),
               data_dir_flag()});
    if (args.parse_or_help(argc, argv, 2)) return 0;
    if (args.positional().empty()) throw UsageError("name a suite: backprop bench train-mlp");
    check_output_flags(args, {"json"});  // before any suite runs
    Device device = Device::cpu;
    if (args.positional()[0] != "gpu" && !device_from_args(args, "bench", &device)) return 1;
    g_bench_device = device_name(device);
    const std::string suite = args.positional()[0];
    if (suite == "train-mlp") return bench_train(args, "mlp", "32,128");
    if (suite == "train-lenet") return bench_train(args, "lenet", "64");
    if (suite == "train-cnn") return bench_train(args, "cnn", "64");
    if (suite == "scaling") return run_one(args, scaling_steps, suite_scaling);
    if (suite == "ops") return run_one(args, ops_steps, suite_ops);
    if (suite == "models") return run_one(args, models_steps, suite_models);
    if (suite == "accuracy") return run_one(args, accuracy_steps, suite_accuracy);
    if (suite == "gpt") return run_one(args, gpt_steps, suite_gpt);
    if (suite == "threads") return run_one(args, threads_steps, suite_threads);
    if (suite == "bert") return run_one(args, bert_steps, suite_bert);                    // bench_bert.cpp
    if (suite == "clip") return run_one(args, clip_steps, suite_clip);                    // bench_clip.cpp
    if (suite == "architectures") return run_one(args, architectures_steps, suite_architectures);  // bench_architectures.cpp
    if (suite == "speedrun") return run_one(args, speedrun_steps, suite_speedrun);        // bench_speedrun.cpp
    if (suite == "checkpoint") return run_one(args, checkpoint_steps, suite_checkpoint);  // bench_checkpoint.cpp
    if (suite == "epochs" || suite == "train-resnet" || suite == "train-vit") return run_one(args, epochs_steps, suite_epochs);
    if (suite == "all") return bench_all(args);
    if (suite == "gpu") return bench_gpu(args);  // bench_gpu.cpp
    throw UsageError("unknown suite '" + suite +
                     "'; available: all, ops, models, accuracy, scaling, threads, gpt, bert, clip, architectures, epochs, "
                     "speedrun, checkpoint, train-mlp, train-lenet, train-cnn, train-resnet, train-vit, gpu");
}

}  // namespace bp::cli
