// bench_clip.cpp — `backprop bench clip`: CLIP-mini contrastive training throughput (the defaults of `train-clip`:
// batch 128 pictures x captions, the CNN image tower with batch norm, the 2-layer character transformer) in
// pictures/s and steps/s, our engine at 1 thread and at every core, beside PyTorch's fastest of three thread
// configurations running the same architecture and training step (tools/pytorch_reference/bench_clip.py).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <thread>

#include "bench_suites.h"
#include "bp/backend.h"
#include "bp/data/clip_data.h"
#include "bp/train/clip_trainer.h"
#include "bp/train/report.h"

namespace bp::cli {

namespace {

struct ClipPlan {
    int batch = 128;
    int warmup = 3, steps = 20;
    std::vector<int> threads;
};

ClipPlan clip_plan(const Args& args) {
    ClipPlan p;
    if (args.on("quick")) {
        p.warmup = 1;
        p.steps = 3;
        p.batch = 64;
    }
    if (args.has("steps")) p.steps = args.integer("steps", 1, 100000);
    p.threads = bench_thread_counts(args);
    return p;
}

/// MNIST's training split, or random 28 x 28 pictures where it is not installed (speed does not depend on them).
data::ImageDataset bench_pictures(const Args& args, int64_t count) {
    try {
        const std::string dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
        return data::load_image_dataset(dir, "mnist", "train");
    } catch (const Error&) {
        data::ImageDataset d;
        d.name = "synthetic", d.split = "train", d.count = count, d.rows = 28, d.cols = 28;
        std::mt19937_64 gen(1);
        d.pixels.resize(static_cast<size_t>(count * 28 * 28));
        for (auto& p : d.pixels) p = static_cast<uint8_t>(gen() % 256);
        d.labels.resize(static_cast<size_t>(count));
        for (int64_t i = 0; i < count; ++i) d.labels[static_cast<size_t>(i)] = static_cast<uint8_t>(i % 10);
        d.class_names = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
        return d;
    }
}

}  // namespace

int clip_steps(const Args& args) { return static_cast<int>(clip_plan(args).threads.size()) + 1; }

nlohmann::json suite_clip(const Args& args, Progress& progress) {
    const ClipPlan plan = clip_plan(args);
    const std::string mode = args.has("pytorch") ? args.str("pytorch") : "auto";
    if (mode != "auto" && mode != "off") throw UsageError("--pytorch expects auto or off; got '" + mode + "'");
    const std::string script = mode == "off" ? "" : find_reference_script("bench_clip.py");
    const int64_t used = static_cast<int64_t>(plan.batch) * (plan.warmup + plan.steps);
    data::ImageDataset pictures = bench_pictures(args, used);
    const std::string source = pictures.name;
    const data::PropertyThresholds thresholds = data::fit_thresholds(pictures);
    const data::CaptionedImages set = data::caption_images(std::move(pictures), thresholds);
    const data::BertVocab vocab = data::caption_vocab();
    models::ClipOptions o;
    o.vocab_size = vocab.vocab_size();
    // The PyTorch script's caption length: the mean over the first batches of [CLS] + the batch's longest caption
    // (each batch is padded to its longest), written in the training templates.
    double text_len = 0;
    const int64_t probe = std::min<int64_t>(used, set.images.count);
    int batches = 0;
    for (int64_t b0 = 0; b0 + plan.batch <= probe; b0 += plan.batch, ++batches) {
        size_t longest = 0;
        for (int64_t i = b0; i < b0 + plan.batch; ++i)
            longest = std::max(longest, set.caption(i, static_cast<int>(i % data::caption_train_templates)).size());
        text_len += 1.0 + static_cast<double>(longest);
    }
    const int T = batches > 0 ? static_cast<int>(text_len / batches + 0.5) : 40;
    std::printf("bench clip: CLIP-mini (%s), batch %d pictures x captions, %s pictures; training pictures/s from the median "
                "of %d steps after %d warm-up steps (AdamW, clip 1.0), %s\n",
                models::ClipMini(o).repr().c_str(), plan.batch, source.c_str(), plan.steps, plan.warmup, cpu_simd().c_str());
    std::fflush(stdout);
    nlohmann::json ours = nlohmann::json::array();
    double best_pps = 0;
    int best_threads = 0;
    int64_t params = 0;
    for (int t : plan.threads) {
        progress.step("clip", "backprop " + std::to_string(t) + " thread(s)");
        models::ClipMini clip(o);
        params = clip.parameter_count();
        train::ClipTrainConfig cfg;
        cfg.steps = plan.warmup + plan.steps;
        cfg.batch_size = plan.batch;
        cfg.warmup_steps = 10;
        cfg.threads = t;
        StepTimes times(plan.warmup);
        train::ClipCallbacks cb;
        cb.on_step = [&](const train::ClipStepEvent& e) {
            times.step(e.step, e.loss);
            return true;
        };
        const train::ClipResult r = train::train_clip(clip, set, nullptr, vocab, cfg, cb);
        if (r.failed) throw Error("bench clip: training failed: " + r.failure);
        const double secs = times.total(), median = times.median();
        const double pps = plan.batch / median;
        ours.push_back({{"threads", t}, {"pictures_per_second", pps}, {"steps_per_second", 1 / median},
                        {"median_step_seconds", median}, {"seconds", secs}, {"last_loss", times.last_loss}});
        std::printf("  backprop  %d thread(s): %7.0f pictures/s  %5.2f steps/s  (median step %.1f ms; %lld parameters)\n", t,
                    pps, 1 / median, median * 1000, static_cast<long long>(params));
        std::fflush(stdout);
        if (pps > best_pps) best_pps = pps, best_threads = t;
    }
    nlohmann::json result{{"parameters", params},
                          {"backprop", {{"pictures_per_second", best_pps}, {"steps_per_second", best_pps / plan.batch},
                                        {"threads", best_threads}, {"runs", ours}}}};
    progress.step("clip", "pytorch");
    if (!script.empty()) {
        std::ostringstream cmd;
        cmd << "/usr/bin/python3 " << shell_quote(script) << " --vocab " << o.vocab_size << " --text-len " << T
            << " --layers " << o.text_layers << " --heads " << o.text_heads << " --dim " << o.text_dim << " --context "
            << o.context << " --channels " << o.channels1 << "," << o.channels2 << " --image-width " << o.image_width
            << " --embed-dim " << o.embed_dim << " --image-norm " << (o.image_batch_norm ? "bn" : "none")
            << " --batch-size " << plan.batch << " --steps " << plan.steps << " --warmup " << plan.warmup;
        const TorchFastest tf = run_pytorch_fastest(cmd.str(), "pictures_per_second");
        result["pytorch"] = tf.to_json();
        if (tf.ok) {
            const double ratio = best_pps / tf.value;
            std::printf("  pytorch   %7.0f pictures/s  %5.2f steps/s  (fastest of 3 thread configs: torch %d, BLAS %d; %s)\n",
                        tf.value, tf.value / plan.batch, tf.torch_threads, tf.blas_threads, tf.blas.c_str());
            std::printf("  ratio     backprop (%d thread(s)) is %.2fx %s than PyTorch's fastest configuration\n", best_threads,
                        ratio >= 1 ? ratio : 1 / ratio, ratio >= 1 ? "faster" : "slower");
            result["speedup_vs_pytorch"] = ratio;
        } else {
            std::printf("  pytorch   %s\n", tf.note.c_str());
        }
    } else {
        std::printf("  pytorch   %s\n", mode == "off" ? "skipped (--pytorch off)" : "reference script not found; no comparison");
        result["pytorch"] = {{"note", mode == "off" ? "skipped" : "reference script not found"}};
    }
    std::fflush(stdout);
    return {{"benchmark", "clip"},
            {"quick", args.on("quick")},
            {"model", o.to_json()},
            {"batch_size", plan.batch},
            {"text_tokens", T},
            {"steps", plan.steps},
            {"warmup_steps", plan.warmup},
            {"pictures", source},
            {"results", nlohmann::json::array({result})},
            {"machine", train::machine_info()}};
}

}  // namespace bp::cli
