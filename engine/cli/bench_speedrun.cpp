// bench_speedrun.cpp — `backprop bench speedrun`: the speedrun recipe (train/recipe.h) over --seeds seeds, each
// as a child process `backprop train --recipe speedrun --out FILE` so that the wall time runs from process start
// to the saved model and the peak memory (the child's maximum RSS from wait4) is the whole run's. Per seed: test
// accuracy, training time, wall time, peak memory; then the mean and worst accuracy, the median times, the achieved
// GFLOP/s against the FMA peak measured in the same run, 1 thread against 2, and the same recipe in PyTorch
// (tools/pytorch_reference/bench_speedrun.py, its fastest thread configuration) with the ratio.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "bench_suites.h"
#include "bp/backend.h"
#include "bp/data/dataset.h"
#include "bp/errors.h"
#include "bp/train/flops.h"
#include "bp/train/recipe.h"
#include "bp/train/report.h"

namespace bp::cli {

namespace {

struct SeedRun {
    int seed = 0, threads = 0;
    double test_accuracy = 0, train_seconds = 0, wall_seconds = 0, peak_mb = 0;
    nlohmann::json to_json() const {
        return {{"seed", seed},          {"threads", threads},           {"test_accuracy", test_accuracy},
                {"train_seconds", train_seconds}, {"wall_seconds", wall_seconds}, {"peak_memory_mb", peak_mb}};
    }
};

std::string self_exe() {
    std::error_code ec;
    std::filesystem::path p = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) throw Error("bench speedrun: cannot find this program's path (/proc/self/exe): " + ec.message());
    return p.string();
}

/// One `backprop train --recipe speedrun` child: wall time from fork to exit, its peak RSS, and what its report says.
SeedRun run_seed(const std::string& exe, const std::string& dir, int seed, int threads, const std::vector<std::string>& extra) {
    const std::string model = dir + "/seed" + std::to_string(seed) + "-t" + std::to_string(threads) + ".safetensors";
    const std::string report = dir + "/seed" + std::to_string(seed) + "-t" + std::to_string(threads) + ".json";
    std::vector<std::string> argv_s{exe, "train", "--recipe", "speedrun", "--seed", std::to_string(seed), "--threads",
                                    std::to_string(threads), "--out", model, "--report", report, "--quiet"};
    argv_s.insert(argv_s.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::fflush(stdout);  // else the child would inherit (and could write out) what is still buffered
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid < 0) throw Error("bench speedrun: fork failed");
    if (pid == 0) {
        const int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, STDOUT_FILENO);
        execv(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    struct rusage ru {};
    if (wait4(pid, &status, 0, &ru) < 0) throw Error("bench speedrun: wait4 failed");
    SeedRun r;
    r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw Error("bench speedrun: 'backprop train --recipe speedrun --seed " + std::to_string(seed) + "' failed (status " +
                    std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
    r.seed = seed;
    r.threads = threads;
    r.peak_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;  // KiB on Linux
    std::ifstream f(report);
    const nlohmann::json j = nlohmann::json::parse(f);
    r.test_accuracy = j.at("test_accuracy").get<double>();
    r.train_seconds = j.at("timings").at("train_seconds").get<double>();
    std::filesystem::remove(model);
    std::filesystem::remove(report);
    return r;
}

int seeds_of(const Args& args) { return args.has("seeds") ? args.integer("seeds", 1, 1000) : args.on("quick") ? 2 : 10; }

double median_of(const std::vector<SeedRun>& runs, double SeedRun::*field) {
    std::vector<double> v;
    for (const SeedRun& r : runs) v.push_back(r.*field);
    return median_seconds(v);
}

}  // namespace

int speedrun_steps(const Args& args) { return 2 + seeds_of(args) + std::min(3, seeds_of(args)); }  // peak, seeds, 1 thread, PyTorch

nlohmann::json suite_speedrun(const Args& args, Progress& progress) {
    const train::Recipe& recipe = train::find_recipe("speedrun");
    const int seeds = seeds_of(args);
    const bool quick = args.on("quick");
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int threads = recipe.config.threads;
    const std::string mode = args.str("pytorch");
    // --quick: one epoch on 4,000 images — the whole path (children, report, JSON) for tests, not the figures.
    const int64_t limit = quick ? 4000 : 0;
    const int epochs = quick ? 1 : recipe.config.epochs;
    std::vector<std::string> extra;
    if (quick) extra = {"--train-limit", std::to_string(limit), "--epochs", std::to_string(epochs)};
    if (args.has("data-dir")) extra.insert(extra.end(), {"--data-dir", args.str("data-dir")});

    const std::string exe = self_exe();
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("bp-speedrun-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);

    models::Model model = models::create_model(recipe.config.model, recipe.model_options, 1);
    // Training FLOPs counted as every suite counts them (bp/train/flops.h: 3 × the forward's matrix products).
    const double flops_per_image =
        train::training_flops_per_sample(*model.net, model.input_shape, recipe.config.batch_size);
    const int64_t images = (limit > 0 ? limit : 60000) * epochs;
    std::printf("bench speedrun: %s — %s\n  %s %s, %d epoch(s), batch %d, Adam lr %g %s (warm-up %.0f%%), label "
                "smoothing %g, %d thread(s); %.2f MFLOP per training image; %d seed(s)%s\n",
                recipe.title.c_str(), recipe.description.c_str(), recipe.config.model.c_str(), recipe.model_options.dump().c_str(),
                epochs, recipe.config.batch_size, recipe.config.lr, recipe.config.schedule.c_str(),
                recipe.config.warmup_fraction * 100, recipe.config.label_smoothing, threads, flops_per_image / 1e6, seeds,
                quick ? " (--quick: 4,000 images, 1 epoch)" : "");

    progress.step("speedrun", "FMA peak");
    set_num_threads(1);
    const double peak1 = fma_peak_gflops();
    set_num_threads(cores);
    const double peak_all = fma_peak_gflops();
    std::printf("  FMA peak (measured now): %.1f GFLOP/s at 1 thread, %.1f at %d\n", peak1, peak_all, cores);

    std::vector<SeedRun> runs;
    std::printf("  %4s %8s %9s %9s %9s\n", "seed", "test %", "train s", "wall s", "peak MB");
    for (int s = 1; s <= seeds; ++s) {
        progress.step("speedrun", "seed " + std::to_string(s));
        runs.push_back(run_seed(exe, dir.string(), s, threads, extra));
        const SeedRun& r = runs.back();
        std::printf("  %4d %8.2f %9.2f %9.2f %9.0f\n", s, r.test_accuracy * 100, r.train_seconds, r.wall_seconds, r.peak_mb);
        std::fflush(stdout);
    }
    double mean = 0, worst = 1;
    int worst_seed = 0;
    for (const SeedRun& r : runs) {
        mean += r.test_accuracy / static_cast<double>(runs.size());
        if (r.test_accuracy < worst) worst = r.test_accuracy, worst_seed = r.seed;
    }
    const double train_med = median_of(runs, &SeedRun::train_seconds), wall_med = median_of(runs, &SeedRun::wall_seconds);
    double peak_mb = 0;
    for (const SeedRun& r : runs) peak_mb = std::max(peak_mb, r.peak_mb);
    const double gflops = flops_per_image * static_cast<double>(images) / train_med / 1e9;
    const double peak_here = threads == 1 ? peak1 : peak_all;
    std::printf("  mean test accuracy %.2f%%, worst %.2f%% (seed %d); median training %.2f s, median wall (process start to "
                "saved model) %.2f s; peak memory %.0f MB\n  %.1f GFLOP/s achieved in training = %.0f%% of the FMA peak "
                "at %d thread(s)\n",
                mean * 100, worst * 100, worst_seed, train_med, wall_med, peak_mb, gflops, 100 * gflops / peak_here, threads);

    // 1 thread against the recipe's threads, on the first seeds.
    std::vector<SeedRun> one;
    const int other = threads == 1 ? cores : 1;
    for (int s = 1; s <= std::min(3, seeds); ++s) {
        progress.step("speedrun", "seed " + std::to_string(s) + " at " + std::to_string(other) + " thread(s)");
        one.push_back(run_seed(exe, dir.string(), s, other, extra));
    }
    std::vector<SeedRun> same(runs.begin(), runs.begin() + static_cast<long>(one.size()));
    const double other_med = median_of(one, &SeedRun::train_seconds), same_med = median_of(same, &SeedRun::train_seconds);
    std::printf("  threads: training %.2f s at %d thread(s), %.2f s at %d (median of seeds 1-%zu): %.2fx\n", same_med, threads,
                other_med, other, one.size(), other_med / same_med);
    std::filesystem::remove_all(dir);

    nlohmann::json j{{"benchmark", "speedrun"},
                     {"recipe", {{"name", recipe.name}, {"model", recipe.config.model}, {"model_options", recipe.model_options},
                                 {"config", recipe.config.to_json()}}},
                     {"quick", quick},
                     {"epochs", epochs},
                     {"train_images", limit > 0 ? limit : 60000},
                     {"runs", nlohmann::json::array()},
                     {"mean_test_accuracy", mean},
                     {"worst_test_accuracy", worst},
                     {"worst_seed", worst_seed},
                     {"median_train_seconds", train_med},
                     {"median_wall_seconds", wall_med},
                     {"peak_memory_mb", peak_mb},
                     {"training_mflop_per_image", flops_per_image / 1e6},
                     {"achieved_gflops", gflops},
                     {"fma_peak_gflops", {{"1", peak1}, {std::to_string(cores), peak_all}}},
                     {"fraction_of_peak", gflops / peak_here},
                     {"threads", {{"recipe_threads", threads}, {"other_threads", other},
                                  {"median_train_seconds_recipe", same_med}, {"median_train_seconds_other", other_med},
                                  {"other_runs", nlohmann::json::array()}}}};
    for (const SeedRun& r : runs) j["runs"].push_back(r.to_json());
    for (const SeedRun& r : one) j["threads"]["other_runs"].push_back(r.to_json());

    progress.step("speedrun", "PyTorch");
    const std::string script = mode == "off" ? "" : find_reference_script("bench_speedrun.py");
    if (script.empty()) {
        std::printf("  pytorch: %s\n", mode == "off" ? "skipped (--pytorch off)" : "reference script not found; no comparison");
        j["pytorch"] = {{"note", mode == "off" ? "skipped" : "reference script not found"}};
    } else {
        const nlohmann::json& o = recipe.model_options;
        std::ostringstream cmd;
        cmd << "/usr/bin/python3 " << shell_quote(script)
            << " --data-dir " << shell_quote(data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : ""))
            << " --kernel " << o.at("kernel").get<int>() << " --channels1 " << o.at("channels1").get<int>() << " --channels2 "
            << o.at("channels2").get<int>() << " --padding2 " << o.at("padding2").get<int>() << " --fc " << o.at("fc").get<int>() << " --epochs " << epochs << " --batch-size "
            << recipe.config.batch_size << " --lr " << recipe.config.lr << " --warmup " << recipe.config.warmup_fraction
            << " --label-smoothing " << recipe.config.label_smoothing << " --train-limit " << limit;
        const TorchFastest t = run_pytorch_fastest(cmd.str(), "samples_per_second");
        j["pytorch"] = t.to_json();
        if (t.ok) {
            double torch_train = 0, torch_acc = 0;
            for (const auto& r : t.runs)
                if (r.value("torch_threads", 0) == t.torch_threads && r.value("blas_threads", 0) == t.blas_threads)
                    torch_train = r.value("train_seconds", 0.0), torch_acc = r.value("test_accuracy", 0.0);
            j["pytorch"]["train_seconds"] = torch_train;
            j["pytorch"]["test_accuracy"] = torch_acc;
            j["speedup_vs_pytorch"] = torch_train / train_med;
            std::printf("  pytorch: training %.2f s, test accuracy %.2f%% (seed 1; fastest of 3 thread configs: torch %d, "
                        "BLAS %d)\n  ratio: backprop trains %.2fx %s than PyTorch\n",
                        torch_train, torch_acc * 100, t.torch_threads, t.blas_threads,
                        torch_train >= train_med ? torch_train / train_med : train_med / torch_train,
                        torch_train >= train_med ? "faster" : "slower");
        } else {
            std::printf("  pytorch: %s\n", t.note.c_str());
        }
    }
    std::fflush(stdout);
    j["machine"] = train::machine_info();
    return j;
}

}  // namespace bp::cli
