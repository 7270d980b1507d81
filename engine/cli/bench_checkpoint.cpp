// bench_checkpoint.cpp — `backprop bench checkpoint`: gradient checkpointing (bp/checkpoint.h) on ViT-tiny (the
// zoo's, on MNIST, at its default batch) and GPT-mini (`bench gpt`'s: 4 layers, 4 heads, dim 128, context 64,
// batch 32, GPT-2 block), each trained with and without it in this one run: the peak tensor memory of the run
// (bp/tensor_memory.h: parameters, optimizer state, activations and gradients — exact), the process's peak resident
// memory (VmHWM, which also holds the data set and the allocator's slack), and the median step time. The original
// framework reports −26% peak memory for −12% speed; the figures here are this engine's, measured.
#include <cstdio>
#include <functional>

#include "args.h"
#include "bench_suites.h"
#include "bp/backend.h"
#include "bp/data/dataset.h"
#include "bp/tensor_memory.h"
#include "bp/train/inference.h"
#include "bp/train/report.h"
#include "bp/train/text_trainer.h"
#include "bp/train/trainer.h"

namespace bp::cli {

namespace {

struct CheckpointPlan {
    int warmup = 3, steps = 30;
    int threads = 1;
};

CheckpointPlan checkpoint_plan(const Args& args) {
    CheckpointPlan p;
    if (args.on("quick")) {
        p.warmup = 1;
        p.steps = 4;
    }
    if (args.has("steps")) p.steps = args.integer("steps", 1, 100000);
    p.threads = args.integer("threads", 0, 1024);
    return p;
}

/// One training run's figures.
struct RunFigures {
    double median_step_seconds = 0, peak_tensor_mb = 0, peak_rss_mb = 0, last_loss = 0;
    nlohmann::json to_json() const {
        return {{"median_step_seconds", median_step_seconds}, {"peak_tensor_memory_mb", peak_tensor_mb},
                {"peak_rss_mb", peak_rss_mb}, {"last_loss", last_loss}};
    }
};

struct ImageClock : train::TrainerObserver, StepTimes {
    using StepTimes::StepTimes;
    void on_batch(const train::BatchEvent& e) override { step(static_cast<int>(e.global_step), e.loss); }
};

struct TextClock : train::TextTrainerObserver, StepTimes {
    using StepTimes::StepTimes;
    void on_step(const train::TextStepEvent& e) override { step(e.step, e.loss); }
};

constexpr double kMiB = 1048576.0;

/// Starts both peaks from now, runs `train` (which fills `clock`), and reads them back.
template <class Train>
RunFigures measure(const StepTimes& clock, Train train) {
    train::reset_peak_rss();
    reset_tensor_memory_peak();
    train();
    RunFigures f;
    f.median_step_seconds = clock.median();
    f.last_loss = clock.last_loss;
    f.peak_tensor_mb = static_cast<double>(tensor_memory().peak_bytes) / kMiB;
    f.peak_rss_mb = static_cast<double>(train::peak_rss_bytes()) / kMiB;
    return f;
}

RunFigures run_vit(const data::ImageDataset& train_set, const CheckpointPlan& p, bool checkpoint) {
    const models::ModelInfo& info = models::find_model("vit");
    train::TrainConfig cfg;
    cfg.model = "vit";
    cfg.epochs = 1;
    cfg.batch_size = info.defaults.batch_size;
    cfg.lr = info.defaults.lr;
    cfg.optimizer = info.defaults.optimizer;
    cfg.threads = p.threads;
    cfg.train_limit = static_cast<int64_t>(p.warmup + p.steps) * cfg.batch_size;
    cfg.evaluate = false;
    cfg.checkpoint = checkpoint;
    ImageClock clock(p.warmup);
    return measure(clock, [&] {
        models::Model model = models::create_model("vit", nlohmann::json::object(), cfg.seed);
        train::Trainer trainer(model, train_set, nullptr, cfg);
        trainer.add_observer(&clock);
        trainer.run();
        if (trainer.failed()) throw Error("bench checkpoint: training ViT-tiny failed");
    });
}

RunFigures run_gpt(const data::TextCorpus& corpus, const CheckpointPlan& p, bool checkpoint) {
    models::GptOptions o;  // `bench gpt`'s GPT-mini
    o.vocab_size = corpus.tokenizer.vocab_size();
    o.context = 64;
    o.layers = 4;
    o.heads = 4;
    o.dim = 128;
    train::TextTrainConfig cfg;
    cfg.steps = p.warmup + p.steps;
    cfg.batch_size = 32;
    cfg.context = 64;
    cfg.warmup_steps = 10;
    cfg.eval_every = cfg.steps;
    cfg.eval_batches = 1;
    cfg.threads = p.threads;
    cfg.checkpoint = checkpoint;
    TextClock clock(p.warmup);
    return measure(clock, [&] {
        models::GptMini gpt(o);
        train::TextTrainer trainer(gpt, corpus, cfg);
        trainer.add_observer(&clock);
        trainer.run();
        if (trainer.failed()) throw Error("bench checkpoint: training GPT-mini failed");
    });
}

}  // namespace

int checkpoint_steps(const Args&) { return 4; }

nlohmann::json suite_checkpoint(const Args& args, Progress& progress) {
    const CheckpointPlan plan = checkpoint_plan(args);
    const std::string data_dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
    const data::ImageDataset train_set = data::load_image_dataset(data_dir, "mnist", "train");
    const data::TextCorpus corpus = bench_corpus();
    set_num_threads(plan.threads);
    std::printf("bench checkpoint: gradient checkpointing of every transformer block, %d thread(s); median of %d "
                "steps after %d warm-up steps; peak tensor memory of the run (exact) and peak RSS of the process\n"
                "  (the original framework reports -26%% peak memory for -12%% speed)\n",
                num_threads(), plan.steps, plan.warmup);
    std::printf("  %-9s %-14s %12s %16s %12s %12s\n", "model", "checkpointing", "step ms", "peak tensor MB",
                "peak RSS MB", "last loss");
    std::fflush(stdout);
    nlohmann::json rows = nlohmann::json::array();
    struct Model {
        const char* name;
        const char* title;
        std::string setup;
        std::function<RunFigures(bool)> run;
    };
    const Model models[] = {
        {"vit", "ViT-tiny",
         "zoo defaults (dim 64, 4 heads, 2 blocks), MNIST, batch " +
             std::to_string(models::find_model("vit").defaults.batch_size) + ", Adam",
         [&](bool on) { return run_vit(train_set, plan, on); }},
        {"gpt", "GPT-mini",
         "4 blocks, 4 heads, dim 128, context 64, batch 32, GPT-2 block, tiled attention, AdamW; corpus " + corpus.source,
         [&](bool on) { return run_gpt(corpus, plan, on); }},
    };
    for (const Model& m : models) {
        RunFigures f[2];
        for (int on = 0; on < 2; ++on) {
            progress.step("checkpoint", std::string(m.title) + (on ? ", checkpointing" : ", plain"));
            f[on] = m.run(on != 0);
            std::printf("  %-9s %-14s %12.1f %16.2f %12.1f %12.4f\n", m.title, on ? "on" : "off",
                        f[on].median_step_seconds * 1000, f[on].peak_tensor_mb, f[on].peak_rss_mb, f[on].last_loss);
            std::fflush(stdout);
        }
        const double memory_change = f[1].peak_tensor_mb / f[0].peak_tensor_mb - 1;
        const double time_change = f[1].median_step_seconds / f[0].median_step_seconds - 1;
        std::printf("  %-9s checkpointing: peak tensor memory %+.0f%%, step time %+.0f%% (%s)\n", m.title,
                    100 * memory_change, 100 * time_change, m.setup.c_str());
        std::fflush(stdout);
        rows.push_back({{"model", m.name},
                        {"title", m.title},
                        {"setup", m.setup},
                        {"plain", f[0].to_json()},
                        {"checkpoint", f[1].to_json()},
                        {"peak_tensor_memory_change", memory_change},
                        {"step_time_change", time_change}});
    }
    return {{"benchmark", "checkpoint"},
            {"quick", args.on("quick")},
            {"threads", num_threads()},
            {"steps", plan.steps},
            {"warmup_steps", plan.warmup},
            {"reference_claim", {{"peak_memory_change", -0.26}, {"speed_change", -0.12}}},
            {"results", rows},
            {"machine", train::machine_info()}};
}

}  // namespace bp::cli
