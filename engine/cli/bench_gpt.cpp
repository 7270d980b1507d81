// bench_gpt.cpp — `backprop bench gpt`: GPT-mini (4 layers, 4 heads, dim 128, context 64, batch 32) training
// throughput in tokens/s for both blocks, our engine at 1 thread and at every core, beside PyTorch's fastest of
// three thread configurations running the same architecture and training step
// (tools/pytorch_reference/bench_gpt.py), all measured in this one run, with the ratio.
#include <algorithm>
#include <chrono>
#include <map>
#include <cstdio>
#include <sstream>
#include <thread>

#include "args.h"
#include "bench_suites.h"
#include "bp/backend.h"
#include "bp/data/text.h"
#include "bp/train/flops.h"
#include "bp/train/report.h"
#include "bp/train/text_trainer.h"

namespace bp::cli {

namespace {

struct GptPlan {
    int layers = 4, heads = 4, dim = 128, context = 64, batch = 32;
    int warmup = 3, steps = 40;
    std::vector<int> threads;
};

GptPlan gpt_plan(const Args& args) {
    GptPlan p;
    if (args.on("quick")) {
        p.warmup = 1;
        p.steps = 4;
    }
    if (args.has("steps")) p.steps = args.integer("steps", 1, 100000);
    p.threads = bench_thread_counts(args);
    return p;
}

/// StepTimes fed by the text trainer's observer.
struct StepClock : train::TextTrainerObserver, StepTimes {
    using StepTimes::StepTimes;
    void on_step(const train::TextStepEvent& e) override { step(e.step, e.loss); }
};

/// PyTorch's fastest thread configuration on the same model and step (tools/pytorch_reference/bench_gpt.py).
TorchFastest run_pytorch_gpt(const std::string& script, const GptPlan& p, const std::string& block, int vocab) {
    std::ostringstream cmd;
    cmd << "/usr/bin/python3 " << shell_quote(script) << " --block " << block << " --vocab " << vocab
        << " --layers " << p.layers << " --heads " << p.heads << " --dim " << p.dim << " --context " << p.context
        << " --batch-size " << p.batch << " --steps " << p.steps << " --warmup " << p.warmup;
    return run_pytorch_fastest(cmd.str(), "tokens_per_second");
}

}  // namespace

int gpt_steps(const Args& args) { return 2 * static_cast<int>(gpt_plan(args).threads.size()) + 2; }

nlohmann::json suite_gpt(const Args& args, Progress& progress) {
    const GptPlan plan = gpt_plan(args);
    const std::string mode = args.has("pytorch") ? args.str("pytorch") : "auto";
    if (mode != "auto" && mode != "off") throw UsageError("--pytorch expects auto or off; got '" + mode + "'");
    std::string script = mode == "off" ? "" : find_reference_script("bench_gpt.py");
    const data::TextCorpus corpus = bench_corpus();
    const int vocab = corpus.tokenizer.vocab_size();
    std::printf("bench gpt: GPT-mini %d layers, %d heads, dim %d, context %d, batch %d, vocabulary %d; training "
                "tokens/s from the median of %d steps after %d warm-up steps (AdamW, clip 1.0), %s\n",
                plan.layers, plan.heads, plan.dim, plan.context, plan.batch, vocab, plan.steps, plan.warmup,
                cpu_simd().c_str());
    std::fflush(stdout);
    // Achieved GFLOP/s as a share of the FMA peak measured in this run, at each thread count.
    std::map<int, double> peaks;
    for (int t : plan.threads) {
        set_num_threads(t);
        peaks[t] = fma_peak_gflops();
    }
    nlohmann::json rows = nlohmann::json::array();
    for (const char* block : {"gpt2", "modern"}) {
        models::GptOptions o;
        o.vocab_size = vocab;
        o.context = plan.context;
        o.layers = plan.layers;
        o.heads = plan.heads;
        o.dim = plan.dim;
        o.block = std::string(block) == "modern" ? nn::BlockKind::modern : nn::BlockKind::gpt2;
        nlohmann::json ours = nlohmann::json::array();
        double best_tps = 0;
        int best_threads = 0;
        int64_t params = 0;
        double flops_per_token = 0;  // training: 3 x the forward pass's matrix products (bp/train/flops.h)
        {
            models::GptMini probe(o);
            Tensor ids = Tensor::zeros({plan.batch, plan.context}, DType::i32);
            flops_per_token = 3 * train::graph_matmul_flops(probe.forward(ids)) / (plan.batch * plan.context);
        }
        for (int t : plan.threads) {
            progress.step("gpt", std::string(block) + ", backprop " + std::to_string(t) + " thread(s)");
            models::GptMini gpt(o);
            params = gpt.parameter_count();
            train::TextTrainConfig cfg;
            cfg.steps = plan.warmup + plan.steps;
            cfg.batch_size = plan.batch;
            cfg.context = plan.context;
            cfg.warmup_steps = 10;
            cfg.eval_every = cfg.steps;
            cfg.eval_batches = 1;
            cfg.threads = t;
            train::TextTrainer trainer(gpt, corpus, cfg);
            StepClock clock(plan.warmup);
            trainer.add_observer(&clock);
            trainer.run();
            if (trainer.failed()) throw Error(std::string("bench gpt: training the ") + block + " model failed");
            const double secs = clock.total(), median = clock.median();
            const double tps = static_cast<double>(plan.batch) * plan.context / median;
            const double gflops = flops_per_token * tps / 1e9;
            ours.push_back({{"threads", t}, {"tokens_per_second", tps}, {"median_step_seconds", median},
                            {"seconds", secs}, {"mean_tokens_per_second", plan.steps * plan.batch * plan.context / secs},
                            {"last_loss", clock.last_loss}, {"training_gflops", gflops},
                            {"fma_peak_gflops", peaks[t]}, {"fraction_of_peak", gflops / peaks[t]}});
            std::printf("  %-6s backprop  %d thread(s): %8.0f tokens/s  (median step %.1f ms; %lld parameters, %.2f s for %d steps; "
                        "%.1f GFLOP/s = %.1f%% of peak)\n",
                        block, t, tps, median * 1000, static_cast<long long>(params), secs, plan.steps, gflops,
                        100 * gflops / peaks[t]);
            std::fflush(stdout);
            if (tps > best_tps) {
                best_tps = tps;
                best_threads = t;
            }
        }
        nlohmann::json row{{"block", block},
                           {"parameters", params},
                           {"training_gflop_per_token", flops_per_token / 1e9},
                           {"backprop", {{"tokens_per_second", best_tps}, {"threads", best_threads}, {"runs", ours}}}};
        progress.step("gpt", std::string(block) + ", pytorch");
        if (!script.empty()) {
            TorchFastest tg = run_pytorch_gpt(script, plan, block, vocab);
            if (tg.ok) {
                const double ratio = best_tps / tg.value;
                std::printf("  %-6s pytorch   %8.0f tokens/s  (fastest of 3 thread configs: torch %d, BLAS %d; %s)\n",
                            block, tg.value, tg.torch_threads, tg.blas_threads, tg.blas.c_str());
                std::printf("  %-6s ratio     backprop (%d thread(s)) is %.2fx %s than PyTorch's fastest configuration\n",
                            block, best_threads, ratio >= 1 ? ratio : 1 / ratio, ratio >= 1 ? "faster" : "slower");
                row["pytorch"] = tg.to_json();
                row["speedup_vs_pytorch"] = ratio;
            } else {
                std::printf("  %-6s pytorch   %s\n", block, tg.note.c_str());
                row["pytorch"] = {{"note", tg.note}};
                if (tg.no_pytorch) script.clear();
            }
        } else {
            std::printf("  %-6s pytorch   %s\n", block,
                        mode == "off" ? "skipped (--pytorch off)" : "reference script not found; no comparison");
            row["pytorch"] = {{"note", mode == "off" ? "skipped" : "reference script not found"}};
        }
        std::fflush(stdout);
        rows.push_back(row);
    }
    return {{"benchmark", "gpt"},
            {"quick", args.on("quick")},
            {"model", {{"layers", plan.layers}, {"heads", plan.heads}, {"dim", plan.dim}, {"context", plan.context},
                       {"vocab_size", vocab}}},
            {"batch_size", plan.batch},
            {"steps", plan.steps},
            {"warmup_steps", plan.warmup},
            {"corpus", corpus.source},
            {"flops_convention", kFlopsConvention},
            {"results", rows},
            {"machine", train::machine_info()}};
}

}  // namespace bp::cli
