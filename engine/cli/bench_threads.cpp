// bench_threads.cpp — `backprop bench threads`: does the second core help? One training epoch of the wide
// MLP, LeNet and the CNN on the first --images MNIST images (ResNet-mini and ViT-tiny on a fifth of them), and
// GPT-mini training steps, at 1 thread and at every core, the speed-up over 1 thread; with --busy, the same
// again while another process keeps one core busy (a spinning child at the same priority), which is when
// fork/join threading used to collapse. The ideal quiet speed-up is the thread count; busy, two threads should
// never be slower than one.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <thread>

#include "bench_suites.h"
#include "bp/backend.h"
#include "bp/data/dataset.h"
#include "bp/models/zoo.h"
#include "bp/train/report.h"
#include "bp/train/text_trainer.h"
#include "bp/train/trainer.h"

namespace bp::cli {

namespace {

struct ThreadModel {
    std::string name, label;
    nlohmann::json options;
    int batch;
    int64_t share = 1;  // image models: trains on images / share (the slow ones stay minutes); 0: GPT-mini steps
};

std::vector<ThreadModel> thread_models() {
    return {{"mlp", "MLP 784-512-512-10", {{"hidden", {512, 512}}}, 128},
            {"lenet", "LeNet-5", nlohmann::json::object(), 64},
            {"cnn", "CNN 32-64", nlohmann::json::object(), 64},
            {"resnet", "ResNet-mini", nlohmann::json::object(), 64, 5},
            {"vit", "ViT-tiny", nlohmann::json::object(), 64, 5},
            {"gpt", "GPT-mini (gpt2 block)", nlohmann::json::object(), 32, 0}};
}

// GPT-mini as `bench gpt` times it: 4 layers, 4 heads, dim 128, context 64, batch 32, AdamW.
constexpr int kGptLayers = 4, kGptHeads = 4, kGptDim = 128, kGptContext = 64, kGptWarmup = 2;

int gpt_steps_of(const Args& args) {
    return args.has("steps") ? args.integer("steps", 1, 100000) : args.on("quick") ? 2 : 20;
}

/// StepTimes fed by the text trainer's observer.
struct GptClock : train::TextTrainerObserver, StepTimes {
    using StepTimes::StepTimes;
    void on_step(const train::TextStepEvent& e) override { step(e.step, e.loss); }
};

/// The median GPT-mini training step at `threads` threads, times `steps`: the time of `steps` steps.
double gpt_seconds(const data::TextCorpus& corpus, int steps, int threads) {
    models::GptOptions o;
    o.vocab_size = corpus.tokenizer.vocab_size();
    o.context = kGptContext;
    o.layers = kGptLayers;
    o.heads = kGptHeads;
    o.dim = kGptDim;
    models::GptMini gpt(o);
    train::TextTrainConfig cfg;
    cfg.steps = kGptWarmup + steps;
    cfg.batch_size = 32;
    cfg.context = kGptContext;
    cfg.warmup_steps = 10;
    cfg.eval_every = cfg.steps;
    cfg.eval_batches = 1;
    cfg.threads = threads;
    train::TextTrainer trainer(gpt, corpus, cfg);
    GptClock clock(kGptWarmup);
    trainer.add_observer(&clock);
    trainer.run();
    if (trainer.failed()) throw Error("bench threads: training GPT-mini failed");
    return clock.median() * steps;
}

std::vector<int> thread_counts() {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::vector<int> t{1};
    if (cores > 1) t.push_back(cores);
    return t;
}

int64_t thread_images(const Args& args) {
    return args.has("images") ? args.int64("images", 64, 60000) : args.on("quick") ? 256 : 3200;
}

/// A process that spins until killed: one core's worth of competing work. Spawned (a shell's empty loop), not
/// forked: a forked copy of this process would share its pages copy-on-write, and the benchmark would then
/// time page-copying faults (the first write to every page after the fork, at one thread as at two) instead
/// of a busy core.
class BusyCore {
public:
    BusyCore() {
        static char sh[] = "sh", dash_c[] = "-c", loop[] = "while :; do :; done";
        char* argv[] = {sh, dash_c, loop, nullptr};
        if (posix_spawn(&pid_, "/bin/sh", nullptr, nullptr, argv, environ) != 0) pid_ = -1;
    }
    ~BusyCore() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    BusyCore(const BusyCore&) = delete;
    BusyCore& operator=(const BusyCore&) = delete;
    bool running() const { return pid_ > 0; }

private:
    pid_t pid_ = -1;
};

/// One epoch (training only) of a model at `threads` threads, in seconds.
double epoch_seconds(const data::ImageDataset& train_set, const ThreadModel& m, int64_t images, int threads) {
    {
        const models::ModelInfo& info = models::find_model(m.name);
        train::TrainConfig cfg;
        cfg.model = m.name;
        cfg.epochs = 1;
        cfg.batch_size = m.batch;
        cfg.lr = info.defaults.lr;
        cfg.optimizer = info.defaults.optimizer;
        cfg.threads = threads;
        cfg.train_limit = images;
        cfg.evaluate = false;
        models::Model model = models::create_model(m.name, m.options, cfg.seed);
        train::Trainer trainer(model, train_set, nullptr, cfg);
        trainer.run();
        if (trainer.failed()) throw Error("bench threads: training " + m.name + " failed");
        return trainer.history().at(0).epoch_seconds;
    }
}

int64_t model_images(const ThreadModel& m, int64_t images) { return std::max<int64_t>(64, images / std::max<int64_t>(1, m.share)); }

}  // namespace

int threads_steps(const Args& args) {
    return static_cast<int>(thread_models().size()) * (args.on("busy") ? 2 : 1);
}

nlohmann::json suite_threads(const Args& args, Progress& progress) {
    const int64_t images = thread_images(args);
    const int repeats = args.has("repeats") ? args.integer("repeats", 1, 100) : args.on("quick") ? 1 : 5;
    const std::string data_dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
    data::ImageDataset train_set = data::load_image_dataset(data_dir, "mnist", "train");
    const std::vector<int> counts = thread_counts();
    const int gpt_steps = gpt_steps_of(args);
    const data::TextCorpus corpus = bench_corpus();
    std::printf(
        "bench threads: one training epoch over the first %lld MNIST images (ResNet-mini, ViT-tiny: the "
        "first %lld), "
        "and the median of %d GPT-mini steps (batch 32 x 64 tokens) x %d, at 1 and %d thread(s) taking "
        "turns, the fastest "
        "of %d rounds each%s\n",
        static_cast<long long>(images), static_cast<long long>(std::max<int64_t>(64, images / 5)), gpt_steps,
        gpt_steps, counts.back(), repeats,
        args.on("busy") ? "; then again with another process spinning on one core" : "");
    std::printf("  %-22s %-6s %8s %14s %10s\n", "model", "load", "threads", "seconds", "speed-up");
    nlohmann::json rows = nlohmann::json::array();
    for (const bool busy : args.on("busy") ? std::vector<bool>{false, true} : std::vector<bool>{false}) {
        for (const ThreadModel& m : thread_models()) {
            // The thread counts take turns, round after round, and each keeps its fastest round: this VM's
            // speed drifts over seconds, and timing every 1-thread run before every 2-thread one put the
            // drift into the speed-up.
            progress.step("threads", m.name + (busy ? " busy" : " quiet"));
            std::vector<double> best(counts.size(), 1e30);
            {
                std::optional<BusyCore> load;
                if (busy) load.emplace();
                for (int r = 0; r < repeats; ++r)
                    for (size_t i = 0; i < counts.size(); ++i)
                        best[i] = std::min(
                            best[i], m.share == 0
                                         ? gpt_seconds(corpus, gpt_steps, counts[i])
                                         : epoch_seconds(train_set, m, model_images(m, images), counts[i]));
            }
            double t1 = 0;
            for (size_t i = 0; i < counts.size(); ++i) {
                const int t = counts[i];
                const double secs = best[i];
                if (t == 1) t1 = secs;
                nlohmann::json row{{"model", m.name}, {"title", m.label}, {"batch_size", m.batch}, {"busy", busy},
                                   {"threads", t},    {"seconds", secs},   {"speedup", t1 / secs}};
                if (m.share == 0) {
                    row["steps"] = gpt_steps;
                    row["work"] = std::to_string(gpt_steps) +
                                  " steps of 32 x 64 tokens (median step x steps, fastest of " +
                                  std::to_string(repeats) + " rounds)";
                } else {
                    row["images"] = model_images(m, images);
                    row["epoch_seconds"] = secs;
                    row["work"] = "one epoch over " + std::to_string(model_images(m, images)) + " images (fastest of " +
                                  std::to_string(repeats) + ")";
                }
                rows.push_back(row);
                std::printf("  %-22s %-6s %8d %14.3f %9.2fx\n", m.label.c_str(), busy ? "busy" : "quiet", t,
                            secs, t1 / secs);
                std::fflush(stdout);
            }
        }
    }
    set_num_threads(args.integer("threads", 0, 1024));
    return {{"benchmark", "threads"},
            {"quick", args.on("quick")},
            {"images", images},
            {"repeats", repeats},
            {"gpt_steps", gpt_steps},
            {"busy_mode", args.on("busy")},
            {"results", rows},
            {"machine", train::machine_info()}};
}

}  // namespace bp::cli
