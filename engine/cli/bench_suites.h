// bench_suites.h — the `backprop bench` suites and the helpers they share. Each suite is a function that
// measures and returns its results as JSON (the per-suite commands write it with --json, `bench all` puts
// every suite's object under "suites"); each announces its steps to a Progress first.
#pragma once

#include <chrono>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "args.h"
#include "bp/data/text.h"
#include "bp/train/trainer.h"

namespace bp::cli {

/// Machine-readable progress on stderr, one line per step: "progress 3/17 ops: conv2d 64x32x14x14->64 k3 p1"
/// (3 = the step now starting; the last line is "progress 17/17 done"). Printed only when stderr is not a
/// terminal (a GUI reading the pipe) or with --progress, so it does not clutter the tables in a terminal.
class Progress {
public:
    explicit Progress(bool enabled) : enabled_(enabled) {}
    void add(int steps) { total_ += steps; }
    void step(const std::string& suite, const std::string& what);
    void done();

private:
    bool enabled_;
    int done_ = 0, total_ = 0;
};
Progress progress_for(const Args& args);

/// Timing settings: the full ones, or --quick's (few repeats, for tests and a first look).
struct TimingPlan {
    int warmup = 3, least = 10, most = 200;
    double budget_ms = 400;
    static TimingPlan of(const Args& args) {
        return args.on("quick") ? TimingPlan{1, 3, 20, 50} : TimingPlan{};
    }
};

/// This machine's FMA peak in GFLOP/s at the current thread count: every thread running independent fused
/// multiply-adds on the widest vectors it has. Measured on first use and kept for the process: the denominator of
/// every "fraction of peak" in one run (bench_peak.cpp).
double fma_peak_gflops();
/// Our best GEMM rate in GFLOP/s at the current thread count (the best square float32 matmul of 256³, 512³,
/// 1024³), measured on first use and kept for the process; printed beside the FMA peak (bench_ops.cpp).
double peak_gemm_gflops(const Args& args);

// Each pair: the number of progress steps, then the suite itself (results as JSON, printing a table).
int ops_steps(const Args& args);
nlohmann::json suite_ops(const Args& args, Progress& progress);            // bench_ops.cpp
int accuracy_steps(const Args& args);
nlohmann::json suite_accuracy(const Args& args, Progress& progress);       // bench_accuracy.cpp
int models_steps(const Args& args);
nlohmann::json suite_models(const Args& args, Progress& progress);         // cmd_bench.cpp
int scaling_steps(const Args& args);
nlohmann::json suite_scaling(const Args& args, Progress& progress);        // bench_scaling.cpp
/// `backprop bench gpu` (bench_gpu.cpp): prints its table, writes --json; exits 0 (skipped) without a GPU.
int bench_gpu(const Args& args);
int gpt_steps(const Args& args);
nlohmann::json suite_gpt(const Args& args, Progress& progress);            // bench_gpt.cpp
int threads_steps(const Args& args);
nlohmann::json suite_threads(const Args& args, Progress& progress);        // bench_threads.cpp
int bert_steps(const Args& args);
nlohmann::json suite_bert(const Args& args, Progress& progress);           // bench_bert.cpp
int clip_steps(const Args& args);
nlohmann::json suite_clip(const Args& args, Progress& progress);           // bench_clip.cpp
int speedrun_steps(const Args& args);
nlohmann::json suite_speedrun(const Args& args, Progress& progress);       // bench_speedrun.cpp
int epochs_steps(const Args& args);
nlohmann::json suite_epochs(const Args& args, Progress& progress);         // bench_epochs.cpp
int architectures_steps(const Args& args);
nlohmann::json suite_architectures(const Args& args, Progress& progress);  // bench_architectures.cpp
int checkpoint_steps(const Args& args);
nlohmann::json suite_checkpoint(const Args& args, Progress& progress);     // bench_checkpoint.cpp

/// How the suites count training FLOPs (bp/train/flops.h), for their JSON.
inline constexpr const char* kFlopsConvention =
    "training FLOPs = 3 x the forward pass's matrix products (matmul, linear, conv2d, attention; 2 per multiply-add), "
    "counted from the recorded graph";

/// Runs a command and returns its stdout; its exit status in *status (-1 when it could not run).
std::string run_capture(const std::string& cmd, int* status);

/// Runs one PyTorch reference script command line (tools/pytorch_reference/*.py) and parses the JSON object it
/// prints into *out. no_pytorch: the script said torch cannot be imported (exit 3), so no other configuration
/// will work either; failed: it failed or printed no JSON. *note says why, in words for the report.
enum class ReferenceRun { ok, failed, no_pytorch };
ReferenceRun run_reference(const std::string& cmd, nlohmann::json* out, std::string* note);
std::string shell_quote(const std::string& s);
/// tools/pytorch_reference/<name> beside the sources or the build; empty when not found.
std::string find_reference_script(const std::string& name);

// ---- shared by the training suites (cmd_bench.cpp) ----
/// Comma-separated whole numbers from 1 to 65536 (e.g. --batch-sizes 32,128); UsageError naming --flag.
std::vector<int> parse_int_list(const std::string& flag, const std::string& s);
/// A timing run's configuration: the model's zoo defaults for rate and optimizer, no evaluation, on the
/// device `bench --device` chose.
train::TrainConfig timing_config(const std::string& model, int epochs, int batch, int threads, int64_t limit = 0);

// ---- shared by the model-throughput suites gpt, bert and clip (bench_pytorch.cpp) ----
/// The median of step times (0 for none): on a shared machine a few steps stall behind other processes, and
/// the median ignores them (the PyTorch scripts report the same statistic).
double median_seconds(std::vector<double> seconds);
/// Times each training step after `warmup` (from one step's end to the next: a whole step, evaluations apart).
/// The median is the figure: on a shared machine a few steps stall behind other processes, and the median ignores
/// them (the PyTorch scripts report the same statistic). Call step() at the end of every step.
struct StepTimes {
    explicit StepTimes(int warmup) : warmup(warmup) {}
    void step(int step, double loss) {
        const auto now = std::chrono::steady_clock::now();
        if (step > warmup) seconds.push_back(std::chrono::duration<double>(now - last).count());
        last = now;
        last_loss = loss;
    }
    double median() const { return median_seconds(seconds); }
    double total() const {
        double t = 0;
        for (double x : seconds) t += x;
        return t;
    }
    int warmup;
    double last_loss = 0;
    std::vector<double> seconds;
    std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
};
/// The thread counts a suite measures: --threads N (N > 0) alone, else 1 and every core (just 1 on one core).
std::vector<int> bench_thread_counts(const Args& args);
/// The default text corpus, or pseudo-random printable text where it is not installed (speed does not depend
/// on the text).
data::TextCorpus bench_corpus();
/// PyTorch's fastest of three thread configurations, (torch, BLAS) threads = (1, 1), (1, 2), (2, 1).
struct TorchFastest {
    bool ok = false;
    bool no_pytorch = false;  // torch cannot be imported: no comparison is possible
    std::string note;         // why not, when !ok
    std::string metric;       // the JSON field maximised, e.g. "tokens_per_second"
    double value = 0;
    int torch_threads = 0, blas_threads = 0;
    std::string blas;
    nlohmann::json runs = nlohmann::json::array();
    nlohmann::json to_json() const;  // {metric: value, threads, blas, runs} or {"note": ...}
};
/// Runs `cmd` (a reference script's command line without the thread flags) in each configuration and keeps the
/// one with the largest `metric`.
TorchFastest run_pytorch_fastest(const std::string& cmd, const std::string& metric);

}  // namespace bp::cli
