// cmd_text.cpp — `backprop train-text` (GPT-mini on the default fortunes corpus or any UTF-8 file: progress,
// validation loss against the unigram baseline, the model file and a JSON report; `--model bert` hands the
// parsed flags to BERT-mini's masked-LM pre-training in cmd_bert.cpp) and `backprop generate` (text from a
// saved GPT model file).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "args.h"
#include "bp/backend.h"
#include "bp/data/text.h"
#include "bp/io/gpt_file.h"
#include "bp/train/report.h"
#include "bp/train/text_trainer.h"
#include "commands.h"
#include "text_flags.h"
#include "interrupt.h"
#include "output_check.h"
#include "transformer_flags.h"

namespace bp::cli {

namespace {

class TextPrinter : public train::TextTrainerObserver {
public:
    TextPrinter(int every, bool quiet) : every_(every), quiet_(quiet) {}
    void on_step(const train::TextStepEvent& e) override {
        last_ = e;
        if (quiet_ || (e.step % every_ != 0 && e.step != e.steps)) return;
        std::printf("step %6d/%d  loss %.4f  lr %.2e  %7.0f tokens/s  ETA %.0fs\n", e.step, e.steps, e.loss, e.lr,
                    e.tokens_per_second, e.eta_seconds);
        std::fflush(stdout);
    }
    void on_eval(const train::TextEvalEvent& e) override {
        if (quiet_) return;
        std::printf("eval  step %6d  val loss %.4f  unigram %.4f  (%.2f nats/char below)  %.1fs\n", e.step, e.val_loss,
                    e.unigram_loss, e.unigram_loss - e.val_loss, e.seconds);
        std::fflush(stdout);
    }
    void on_failed(const std::string& message, int) override { failure_ = message; }
    const std::string& failure() const { return failure_; }
    const train::TextStepEvent& last() const { return last_; }

private:
    int every_;
    bool quiet_;
    std::string failure_;
    train::TextStepEvent last_;
};

}  // namespace

int cmd_train_text(int argc, char** argv) {
    Args args("train-text",
              "Train GPT-mini, a character-level transformer language model, on the default corpus (a classroom\n"
              "selection of Debian's 'fortunes': literature, science, wisdom, people, computers, education, fortunes)\n"
              "or on any UTF-8 text file; prints the validation loss against the unigram (character-frequency)\n"
              "baseline, saves the model (with its vocabulary) for 'backprop generate'.\n"
              "With --model bert: pre-train BERT-mini, a bidirectional encoder, with the masked-LM objective (15% of\n"
              "the characters chosen; 80% become [MASK], 10% a random character, 10% stay) and report the masked-\n"
              "character accuracy and loss against the unigram baseline; the file feeds 'backprop fine-tune'.\n"
              "BERT's defaults differ: --block modern, --batch-size 16, --context 128, --lr 0.002, --sample 0.",
              {{"model", "gpt|bert", "gpt: GPT-mini (next character); bert: BERT-mini (masked characters)", "gpt"},
               {"compare-gpt", "", "bert: also train GPT-mini of the same size and report its next-character accuracy", ""},
               {"exclude-held-out", "", "bert: leave out of the corpus the quotations 'fine-tune' tests on (same --seed)", ""},
               {"text", "FILE", "a UTF-8 text file (at least 1,000 characters) instead of the default corpus", ""},
               max_text_flag(),
               {"block", "gpt2|modern", "gpt2: LayerNorm, GELU, learned positions; modern: RMSNorm, SwiGLU, RoPE", "gpt2"},
               {"layers", "N", "transformer blocks", "4"},
               {"heads", "N", "attention heads per block", "4"},
               {"dim", "N", "model width (divisible by heads)", "128"},
               {"steps", "N", "training steps (one batch each)", "2000"},
               {"batch-size", "N", "sequences per batch", "32"},
               {"context", "N", "characters per training window (the model's context)", "64"},
               {"lr", "X", "peak learning rate (AdamW; linear warm-up, cosine decay to lr/10)", "0.003"},
               {"warmup", "N", "warm-up steps", "100"},
               {"weight-decay", "X", "AdamW weight decay", "0.01"},
               {"grad-clip", "X", "clip the gradient's global norm (0 = off)", "1"},
               {"eval-every", "N", "steps between validation losses", "100"},
               {"eval-batches", "N", "validation batches per evaluation", "20"},
               {"seed", "N", "random seed (initialisation and batches)", "1"},
               threads_flag(),
               {"out", "FILE", "save the trained model (safetensors, vocabulary in the metadata)", ""},
               {"report", "FILE", "write a JSON report (config, loss curve, val loss vs unigram, timing)", ""},
               {"sample", "N", "print N generated characters after training (0 = none)", "200"},
               checkpoint_flag(),
               {"quiet", "", "only the summary", ""}});
    if (args.parse_or_help(argc, argv, 2)) return 0;
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");
    check_output_flags(args, {"out", "report"});  // before any work, not after the last step
    const std::string model = args.str("model");
    if (model == "bert") return train_text_bert(args);
    if (model != "gpt") throw UsageError("--model expects gpt or bert; got '" + model + "'");
    if (args.on("compare-gpt") || args.on("exclude-held-out"))
        throw UsageError(std::string(args.on("compare-gpt") ? "--compare-gpt" : "--exclude-held-out") + " goes with --model bert");

    train::TextTrainConfig cfg;
    cfg.steps = args.integer("steps", 1, 10'000'000);
    cfg.batch_size = args.integer("batch-size", 1, 4096);
    cfg.context = args.integer("context", 1, 4096);
    cfg.lr = args.real("lr", 1e-8, 10);
    cfg.warmup_steps = args.integer("warmup", 0, 10'000'000);
    cfg.weight_decay = args.real("weight-decay", 0, 1);
    cfg.grad_clip = args.real("grad-clip", 0, 1e6);
    cfg.eval_every = args.integer("eval-every", 1, 10'000'000);
    cfg.eval_batches = args.integer("eval-batches", 1, 10000);
    cfg.seed = static_cast<uint64_t>(args.int64("seed", 0, INT64_MAX));
    cfg.threads = args.integer("threads", 0, 1024);
    cfg.checkpoint = checkpoint_from_args(args);
    const auto [block, layers, heads, dim] = transformer_size_flags(args, nn::BlockKind::gpt2);
    const int sample = args.integer("sample", 0, 100000);
    const bool quiet = args.on("quiet");

    data::TextCorpus corpus = args.has("text") ? load_text_from_args(args) : data::load_default_corpus();
    models::GptOptions o;
    o.vocab_size = corpus.tokenizer.vocab_size();  // >= 2 (load_text_corpus), and every id has a character
    o.context = cfg.context;
    o.layers = layers;
    o.heads = heads;
    o.dim = dim;
    o.block = block;
    models::GptMini gpt(o);
    {
        Generator init(cfg.seed);
        gpt.reset_parameters(init);
    }
    train::TextTrainer trainer(gpt, corpus, cfg);
    set_num_threads(cfg.threads);
    std::printf("train-text: %s\n  corpus %s: %lld characters (%zu train, %zu validation), vocabulary %d\n"
                "  %lld parameters, %d step(s) of %d x %d characters, AdamW lr %g, %d thread(s)\n",
                gpt.repr().c_str(), corpus.source.c_str(), static_cast<long long>(corpus.characters()),
                corpus.train.size(), corpus.val.size(), corpus.tokenizer.vocab_size(),
                static_cast<long long>(gpt.parameter_count()), cfg.steps, cfg.batch_size, cfg.context, cfg.lr,
                num_threads());
    if (cfg.checkpoint != "off")
        std::printf("  gradient checkpointing: each block's %s is recomputed in the backward pass\n",
                    cfg.checkpoint == "block" ? "whole forward" : "attention core");
    std::fflush(stdout);
    TextPrinter printer(std::max(1, std::min(cfg.eval_every, 50)), quiet);
    trainer.add_observer(&printer);
    {
        // Ctrl-C / SIGTERM: stop at the next step and keep what was trained (saved below, exit 130 / 143).
        InterruptGuard guard([&trainer] { trainer.request_cancel(); });
        trainer.run();
    }
    const int sig = InterruptGuard::signal_number();
    if (trainer.failed()) {
        std::fprintf(stderr, "backprop train-text: %s\n", printer.failure().c_str());
        return 1;
    }
    const auto& hist = trainer.history();
    const train::TextEvalEvent last = hist.empty() ? train::TextEvalEvent{} : hist.back();
    const double tps = printer.last().tokens_per_second;
    if (!hist.empty())
        std::printf("%s: %d step(s) in %.1f s training time, %.0f tokens/s; val loss %.4f vs unigram %.4f "
                    "(%.2f nats/char better)\n",
                    sig ? "interrupted" : "done", printer.last().step, last.seconds, tps, last.val_loss,
                    last.unigram_loss, last.unigram_loss - last.val_loss);
    nlohmann::json summary{{"corpus", corpus.source},
                           {"characters", corpus.characters()},
                           {"steps_completed", printer.last().step},
                           {"val_loss", last.val_loss},
                           {"unigram_loss", last.unigram_loss},
                           {"train_seconds", last.seconds},
                           {"tokens_per_second", tps},
                           {"interrupted", sig != 0},
                           {"config", cfg.to_json()}};
    // The model and the report first: nothing optional (the sample below) may lose a finished training.
    if (args.has("out")) {
        io::save_gpt(args.str("out"), gpt, corpus.tokenizer, summary);
        std::printf("saved %s\n", args.str("out").c_str());
    }
    if (args.has("report")) {
        nlohmann::json curve = nlohmann::json::array();
        for (const auto& e : hist)
            curve.push_back({{"step", e.step}, {"val_loss", e.val_loss}, {"seconds", e.seconds}});
        nlohmann::json report = summary;
        report["model"] = {{"name", "gpt_mini"}, {"options", o.to_json()}, {"parameters", gpt.parameter_count()}};
        report["eval"] = curve;
        report["machine"] = train::machine_info();
        train::write_json(args.str("report"), report);
        std::printf("wrote report to %s\n", args.str("report").c_str());
    }
    std::fflush(stdout);
    if (sig) {
        std::fprintf(stderr, "backprop train-text: interrupted by %s at step %d of %d%s\n", InterruptGuard::signal_name(),
                     printer.last().step, cfg.steps,
                     args.has("out") ? "; the model trained so far is saved" : "; no --out given, nothing saved");
        return InterruptGuard::exit_code();
    }
    if (sample > 0) {
        Generator gen(cfg.seed);
        const std::vector<int32_t> prompt = corpus.tokenizer.encode_lossy("\n");
        std::vector<int32_t> start = prompt.empty() ? std::vector<int32_t>{corpus.val.front()} : prompt;
        auto ids = models::generate(gpt, start, {.max_new_tokens = sample, .temperature = 0.8, .top_k = 0}, gen);
        std::printf("sample (temperature 0.8):\n%s\n", corpus.tokenizer.decode(ids).c_str());
    }
    return InterruptGuard::signal_number() ? InterruptGuard::exit_code() : 0;  // a signal after the last step
}

int cmd_generate(int argc, char** argv) {
    Args args("generate", "Generate text with a GPT model saved by 'backprop train-text --out'.",
              {{"model-file", "FILE", "the saved model (.safetensors)", ""},
               {"prompt", "TEXT", "the text to continue (characters the model never saw are dropped, with a note)", "\\n"},
               {"tokens", "N", "characters to generate", "200"},
               {"temperature", "T", "sampling temperature > 0 (lower = more conservative)", "0.8"},
               {"top-k", "K", "sample only among the K most likely characters (0 = all)", "0"},
               {"seed", "N", "random seed", "1"},
               threads_flag()});
    if (args.parse_or_help(argc, argv, 2)) return 0;
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");
    if (!args.has("model-file") || args.str("model-file").empty())
        throw UsageError("--model-file is required: a model saved by 'backprop train-text --out FILE'");
    const int tokens = args.integer("tokens", 0, 100000);
    const double temperature = args.real("temperature", 1e-6, 100);
    const int top_k = args.integer("top-k", 0, 65536);
    const uint64_t seed = static_cast<uint64_t>(args.int64("seed", 0, INT64_MAX));
    set_num_threads(args.integer("threads", 0, 1024));
    io::LoadedGpt g = io::load_gpt(args.str("model-file"));
    if (top_k > g.model->options().vocab_size)
        throw UsageError("--top-k " + std::to_string(top_k) + " is larger than the vocabulary (" +
                         std::to_string(g.model->options().vocab_size) + ")");
    const std::string prompt = args.has("prompt") ? args.str("prompt") : "\n";
    std::string unknown;
    std::vector<int32_t> ids = g.tokenizer.encode_lossy(prompt, &unknown);
    if (!unknown.empty()) std::fprintf(stderr, "note: dropped characters the model never saw: %s\n", unknown.c_str());
    if (ids.empty())
        throw UsageError("the prompt has no character the model knows; its vocabulary has " +
                         std::to_string(g.tokenizer.vocab_size()) + " characters");
    Generator gen(seed);
    std::printf("%s", g.tokenizer.decode(ids).c_str());
    std::fflush(stdout);
    models::generate(*g.model, ids, {.max_new_tokens = tokens, .temperature = temperature, .top_k = top_k}, gen,
                     [&](int32_t id) {
                         std::printf("%s", g.tokenizer.token_text(id).c_str());
                         std::fflush(stdout);
                         return true;
                     });
    std::printf("\n");
    return 0;
}

}  // namespace bp::cli
