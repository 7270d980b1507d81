// bench_bert.cpp — `backprop bench bert`: BERT-mini masked-LM pre-training throughput (the defaults of
// `train-text --model bert`: modern block, 4 layers, 4 heads, dim 128, batch 16 x context 128) in tokens/s and
// steps/s, our engine at 1 thread and at every core, beside PyTorch's fastest of three thread configurations
// running the same architecture and training step (tools/pytorch_reference/bench_bert.py), in this one run.
#include <chrono>
#include <cstdio>
#include <sstream>
#include <thread>

#include "bench_suites.h"
#include "bp/backend.h"
#include "bp/data/bert_data.h"
#include "bp/train/bert_trainer.h"
#include "bp/train/report.h"

namespace bp::cli {

namespace {

struct BertPlan {
    int layers = 4, heads = 4, dim = 128, context = 128, batch = 16;
    int warmup = 3, steps = 20;
    std::vector<int> threads;
};

BertPlan bert_plan(const Args& args) {
    BertPlan p;
    if (args.on("quick")) {
        p.warmup = 1;
        p.steps = 3;
    }
    if (args.has("steps")) p.steps = args.integer("steps", 1, 100000);
    p.threads = bench_thread_counts(args);
    return p;
}

}  // namespace

int bert_steps(const Args& args) { return static_cast<int>(bert_plan(args).threads.size()) + 1; }

nlohmann::json suite_bert(const Args& args, Progress& progress) {
    const BertPlan plan = bert_plan(args);
    const std::string mode = args.has("pytorch") ? args.str("pytorch") : "auto";
    if (mode != "auto" && mode != "off") throw UsageError("--pytorch expects auto or off; got '" + mode + "'");
    const std::string script = mode == "off" ? "" : find_reference_script("bench_bert.py");
    const data::TextCorpus corpus = bench_corpus();
    const data::BertVocab vocab(corpus.tokenizer);
    models::BertOptions o;
    o.vocab_size = vocab.vocab_size();
    o.context = plan.context;
    o.layers = plan.layers;
    o.heads = plan.heads;
    o.dim = plan.dim;
    std::printf("bench bert: BERT-mini (modern block) %d layers, %d heads, dim %d, batch %d x context %d, vocabulary %d; "
                "masked-LM training tokens/s from the median of %d steps after %d warm-up steps (AdamW, clip 1.0), %s\n",
                plan.layers, plan.heads, plan.dim, plan.batch, plan.context, static_cast<int>(o.vocab_size), plan.steps, plan.warmup,
                cpu_simd().c_str());
    std::fflush(stdout);
    nlohmann::json ours = nlohmann::json::array();
    double best_tps = 0;
    int best_threads = 0;
    int64_t params = 0;
    for (int t : plan.threads) {
        progress.step("bert", "backprop " + std::to_string(t) + " thread(s)");
        models::BertMini bert(o);
        params = bert.parameter_count();
        train::MlmTrainConfig cfg;
        cfg.steps = plan.warmup + plan.steps;
        cfg.batch_size = plan.batch;
        cfg.context = plan.context;
        cfg.warmup_steps = 10;
        cfg.eval_every = cfg.steps;
        cfg.eval_batches = 1;
        cfg.threads = t;
        StepTimes times(plan.warmup);
        train::MlmCallbacks cb;
        cb.on_step = [&](const train::MlmStepEvent& e) {
            times.step(e.step, e.loss);
            return true;
        };
        const train::MlmResult r = train::pretrain_bert(bert, vocab, corpus, cfg, cb);
        if (r.failed) throw Error("bench bert: training failed: " + r.failure);
        const double secs = times.total(), median = times.median();
        const double tps = static_cast<double>(plan.batch) * plan.context / median;
        ours.push_back({{"threads", t}, {"tokens_per_second", tps}, {"steps_per_second", 1 / median},
                        {"median_step_seconds", median}, {"seconds", secs}, {"last_loss", times.last_loss}});
        std::printf("  backprop  %d thread(s): %8.0f tokens/s  %5.2f steps/s  (median step %.1f ms; %lld parameters)\n", t,
                    tps, 1 / median, median * 1000, static_cast<long long>(params));
        std::fflush(stdout);
        if (tps > best_tps) best_tps = tps, best_threads = t;
    }
    nlohmann::json result{{"parameters", params},
                          {"backprop", {{"tokens_per_second", best_tps}, {"steps_per_second", best_tps / (plan.batch * plan.context)},
                                        {"threads", best_threads}, {"runs", ours}}}};
    progress.step("bert", "pytorch");
    if (!script.empty()) {
        std::ostringstream cmd;
        cmd << "/usr/bin/python3 " << shell_quote(script) << " --block modern --vocab " << o.vocab_size << " --layers "
            << plan.layers << " --heads " << plan.heads << " --dim " << plan.dim << " --context " << plan.context
            << " --batch-size " << plan.batch << " --steps " << plan.steps << " --warmup " << plan.warmup;
        const TorchFastest tf = run_pytorch_fastest(cmd.str(), "tokens_per_second");
        result["pytorch"] = tf.to_json();
        if (tf.ok) {
            const double ratio = best_tps / tf.value;
            std::printf("  pytorch   %8.0f tokens/s  %5.2f steps/s  (fastest of 3 thread configs: torch %d, BLAS %d; %s)\n",
                        tf.value, tf.value / (plan.batch * plan.context), tf.torch_threads, tf.blas_threads, tf.blas.c_str());
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
    return {{"benchmark", "bert"},
            {"quick", args.on("quick")},
            {"model", {{"block", "modern"}, {"layers", plan.layers}, {"heads", plan.heads}, {"dim", plan.dim},
                       {"context", plan.context}, {"vocab_size", o.vocab_size}, {"objective", "masked-lm, 15% chosen"}}},
            {"batch_size", plan.batch},
            {"steps", plan.steps},
            {"warmup_steps", plan.warmup},
            {"corpus", corpus.source},
            {"results", nlohmann::json::array({result})},
            {"machine", train::machine_info()}};
}

}  // namespace bp::cli
