// cmd_bert.cpp — BERT-mini on the command line: `backprop train-text --model bert` (masked-LM pre-training on
// the fortunes corpus or a text file, masked-character accuracy against the unigram baseline, optionally GPT-mini
// of the same size beside it) and `backprop fine-tune` (the classifier, mean-pooled or on [CLS], on "which fortunes
// collection is this quotation from", from a pre-trained file or from scratch, accuracy per epoch, a JSON report).
#include <cstdio>
#include <iostream>

#include "args.h"
#include "bp/backend.h"
#include "bp/data/bert_data.h"
#include "bp/io/bert_file.h"
#include "bp/models/gpt.h"
#include "bp/train/bert_trainer.h"
#include "bp/train/metrics.h"
#include "bp/train/report.h"
#include "bp/train/text_trainer.h"
#include "commands.h"
#include "transformer_flags.h"
#include "text_flags.h"

namespace bp::cli {

namespace {

/// A flag's value, or BERT's own default where the user gave none (train-text's defaults are GPT's).
int int_or(const Args& a, const char* name, int bert_default, long lo, long hi) {
    return a.has(name) ? a.integer(name, lo, hi) : bert_default;
}
double real_or(const Args& a, const char* name, double bert_default, double lo, double hi) {
    return a.has(name) ? a.real(name, lo, hi) : bert_default;
}

std::string pct(double x) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f%%", 100 * x);
    return b;
}

}  // namespace

int train_text_bert(const Args& args) {
    // BERT's default block is modern (RoPE); --block gpt2 for learned positions.
    const auto [block, layers, heads, dim] = transformer_size_flags(args, nn::BlockKind::modern);
    train::MlmTrainConfig cfg;
    cfg.steps = args.integer("steps", 1, 10'000'000);
    cfg.batch_size = int_or(args, "batch-size", 16, 1, 4096);
    cfg.context = int_or(args, "context", 128, 2, 4096);
    cfg.lr = real_or(args, "lr", 2e-3, 1e-8, 10);
    cfg.warmup_steps = args.integer("warmup", 0, 10'000'000);
    cfg.weight_decay = args.real("weight-decay", 0, 1);
    cfg.grad_clip = args.real("grad-clip", 0, 1e6);
    cfg.eval_every = args.integer("eval-every", 1, 10'000'000);
    cfg.eval_batches = args.integer("eval-batches", 1, 10000);
    cfg.seed = static_cast<uint64_t>(args.int64("seed", 0, INT64_MAX));
    cfg.threads = args.integer("threads", 0, 1024);
    if (args.has("sample") && args.integer("sample", 0, 100000) > 0)
        throw UsageError("--sample is for GPT-mini; BERT does not generate text left to right");
    const bool quiet = args.on("quiet");

    if (args.on("exclude-held-out") && args.has("text")) throw UsageError("--exclude-held-out is for the default corpus; drop --text");
    data::TextCorpus corpus =
        args.has("text")               ? load_text_from_args(args)
        : args.on("exclude-held-out") ? data::load_default_corpus_without(data::make_fortune_source_task(0.2, cfg.seed).test)
                                       : data::load_default_corpus();
    data::BertVocab vocab(corpus.tokenizer);
    models::BertOptions o;
    o.vocab_size = vocab.vocab_size();
    o.context = cfg.context;
    o.layers = layers;
    o.heads = heads;
    o.dim = dim;
    o.num_classes = static_cast<int64_t>(data::fortune_source_classes().size());
    o.block = block;
    models::BertMini bert(o);
    {
        Generator init(cfg.seed);
        bert.reset_parameters(init);
    }
    set_num_threads(cfg.threads);
    const std::string checkpointing = checkpoint_from_args(args);
    nn::set_checkpointing(bert, nn::checkpoint_from_string(checkpointing));  // as GPT-mini's --checkpoint
    std::printf("train-text: %s\n  corpus %s: %lld characters (%zu train, %zu validation), vocabulary %d + [PAD] "
                "[MASK] [CLS]\n  %lld parameters, %d step(s) of %d x %d tokens ([CLS] + %d characters), 15%% chosen, "
                "AdamW lr %g, %d thread(s)\n",
                bert.repr().c_str(), corpus.source.c_str(), static_cast<long long>(corpus.characters()),
                corpus.train.size(), corpus.val.size(), vocab.characters(),
                static_cast<long long>(bert.parameter_count()), cfg.steps, cfg.batch_size, cfg.context, cfg.context - 1,
                cfg.lr, num_threads());
    if (checkpointing != "off")
        std::printf("  gradient checkpointing: each block's %s is recomputed in the backward pass\n",
                    checkpointing == "block" ? "whole forward" : "attention core");
    std::fflush(stdout);
    const int every = std::max(1, std::min(cfg.eval_every, 50));
    double tps = 0;
    train::MlmCallbacks cb;
    cb.on_step = [&](const train::MlmStepEvent& e) {
        tps = e.tokens_per_second;
        if (!quiet && (e.step % every == 0 || e.step == e.steps)) {
            std::printf("step %6d/%d  loss %.4f  lr %.2e  %7.0f tokens/s  ETA %.0fs\n", e.step, e.steps, e.loss, e.lr,
                        e.tokens_per_second, e.eta_seconds);
            std::fflush(stdout);
        }
        return true;
    };
    cb.on_eval = [&](const train::MlmEvalEvent& e) {
        if (quiet) return;
        std::printf("eval  step %6d  masked-char accuracy %s  loss %.4f  |  unigram accuracy %s  loss %.4f  %.1fs\n",
                    e.step, pct(e.val_accuracy).c_str(), e.val_loss, pct(e.unigram_accuracy).c_str(), e.unigram_loss,
                    e.seconds);
        std::fflush(stdout);
    };
    train::MlmResult r = train::pretrain_bert(bert, vocab, corpus, cfg, cb);
    if (r.failed) {
        std::fprintf(stderr, "backprop train-text: %s\n", r.failure.c_str());
        return 1;
    }
    const train::MlmEvalEvent last = r.history.back();
    std::printf("done: %d step(s) in %.1f s training time, %.0f tokens/s; masked-character accuracy %s vs unigram %s, "
                "loss %.4f vs %.4f nats/char\n",
                r.steps_completed, r.train_seconds, tps, pct(last.val_accuracy).c_str(),
                pct(last.unigram_accuracy).c_str(), last.val_loss, last.unigram_loss);
    nlohmann::json summary{{"corpus", corpus.source},
                           {"characters", corpus.characters()},
                           {"objective", "masked-lm"},
                           {"steps_completed", r.steps_completed},
                           {"val_masked_accuracy", last.val_accuracy},
                           {"val_masked_loss", last.val_loss},
                           {"unigram_accuracy", last.unigram_accuracy},
                           {"unigram_loss", last.unigram_loss},
                           {"train_seconds", r.train_seconds},
                           {"tokens_per_second", tps},
                           {"checkpoint", checkpointing},
                           {"config", cfg.to_json()}};
    if (args.on("compare-gpt")) {
        // GPT-mini of the same width, depth, steps and windows, scored on the same validation text.
        models::GptOptions go;
        go.vocab_size = std::max(2, corpus.tokenizer.vocab_size());
        go.context = cfg.context;
        go.layers = layers;
        go.heads = heads;
        go.dim = dim;
        go.block = block;
        models::GptMini gpt(go);
        {
            Generator init(cfg.seed);
            gpt.reset_parameters(init);
        }
        train::TextTrainConfig gc;
        gc.steps = cfg.steps;
        gc.batch_size = cfg.batch_size;
        gc.context = cfg.context;
        gc.lr = cfg.lr;
        gc.warmup_steps = cfg.warmup_steps;
        gc.weight_decay = cfg.weight_decay;
        gc.grad_clip = cfg.grad_clip;
        gc.eval_every = cfg.steps;
        gc.eval_batches = cfg.eval_batches;
        gc.seed = cfg.seed;
        gc.threads = cfg.threads;
        std::printf("compare: GPT-mini %s, %lld parameters, the same %d step(s) of %d x %d\n", gpt.repr().c_str(),
                    static_cast<long long>(gpt.parameter_count()), gc.steps, gc.batch_size, gc.context);
        std::fflush(stdout);
        train::TextTrainer t(gpt, corpus, gc);
        t.run();
        if (t.failed()) {
            std::fprintf(stderr, "backprop train-text: the GPT comparison run failed\n");
            return 1;
        }
        const models::CharPredictionStats g =
            models::gpt_next_char_eval(gpt, corpus.val, cfg.batch_size, cfg.context, cfg.eval_batches, cfg.seed * 1000003ULL + 7);
        std::printf("GPT-mini next-character accuracy %s (loss %.4f) in %.1f s; BERT-mini masked-character accuracy %s "
                    "(loss %.4f); unigram %s\n",
                    pct(g.accuracy).c_str(), g.loss, t.history().back().seconds, pct(last.val_accuracy).c_str(),
                    last.val_loss, pct(last.unigram_accuracy).c_str());
        summary["gpt_comparison"] = {{"options", go.to_json()},
                                     {"parameters", gpt.parameter_count()},
                                     {"next_char_accuracy", g.accuracy},
                                     {"next_char_loss", g.loss},
                                     {"predictions_scored", g.count},
                                     {"train_seconds", t.history().back().seconds}};
    }
    if (args.has("out") && !args.str("out").empty()) {
        io::save_bert(args.str("out"), bert, vocab, summary);
        std::printf("saved %s\n", args.str("out").c_str());
    }
    if (args.has("report") && !args.str("report").empty()) {
        nlohmann::json curve = nlohmann::json::array();
        for (const auto& e : r.history)
            curve.push_back({{"step", e.step}, {"val_masked_accuracy", e.val_accuracy}, {"val_masked_loss", e.val_loss},
                             {"seconds", e.seconds}});
        nlohmann::json report = summary;
        report["model"] = {{"name", "bert_mini"}, {"options", o.to_json()}, {"parameters", bert.parameter_count()}};
        report["eval"] = curve;
        report["machine"] = train::machine_info();
        train::write_json(args.str("report"), report);
    }
    return 0;
}

namespace {

/// One fine-tuning run, printed per epoch; returns its report section.
nlohmann::json run_fine_tune(const char* label, models::BertMini& bert, const data::BertVocab& vocab,
                             const data::TextClassificationTask& task, const train::FineTuneConfig& cfg, bool quiet) {
    std::printf("%s: %s, %lld parameters\n", label, bert.repr().c_str(), static_cast<long long>(bert.parameter_count()));
    std::fflush(stdout);
    train::FineTuneResult r = train::fine_tune(bert, vocab, task, cfg, [&](const train::FineTuneEpoch& e) {
        if (!quiet) {
            std::printf("  %-12s epoch %3d/%d  train loss %.4f  train acc %6s  test loss %.4f  test acc %6s  %.1fs\n",
                        label, e.epoch, cfg.epochs, e.train_loss, pct(e.train_accuracy).c_str(), e.test_loss,
                        pct(e.test_accuracy).c_str(), e.seconds);
            std::fflush(stdout);
        }
        return true;
    });
    if (r.failed) throw std::runtime_error(std::string(label) + ": " + r.failure);
    std::vector<int> truth;
    for (const auto& t : task.test) truth.push_back(t.label);
    nlohmann::json curve = nlohmann::json::array();
    for (const auto& e : r.epochs)
        curve.push_back({{"epoch", e.epoch}, {"train_loss", e.train_loss}, {"train_accuracy", e.train_accuracy},
                         {"test_loss", e.test_loss}, {"test_accuracy", e.test_accuracy}, {"seconds", e.seconds}});
    const train::ClassificationMetrics m =
        train::compute_metrics(truth, r.test_predictions, static_cast<int>(task.classes.size()));
    std::printf("%s: test accuracy %s after %d epoch(s) (best %s), %.1f s\n", label, pct(r.epochs.back().test_accuracy).c_str(),
                r.epochs.back().epoch,
                pct(std::max_element(r.epochs.begin(), r.epochs.end(), [](const auto& a, const auto& b) {
                        return a.test_accuracy < b.test_accuracy;
                    })->test_accuracy)
                    .c_str(),
                r.epochs.back().seconds);
    std::fflush(stdout);
    return {{"epochs", curve}, {"test_accuracy", r.epochs.back().test_accuracy}, {"test_metrics", train::to_json(m, task.classes)}};
}

}  // namespace

int cmd_fine_tune(int argc, char** argv) {
    Args args("fine-tune",
              "Fine-tune BERT-mini's classifier (and its whole encoder) on a text classification task, from a\n"
              "model pre-trained by 'backprop train-text --model bert --out FILE' or from scratch, and print the\n"
              "held-out accuracy per epoch. Task fortune-source: which fortunes collection (literature, science,\n"
              "wisdom, people, computers, education) a quotation comes from; classes balanced, quotations held out.",
              {{"model-file", "FILE", "a pre-trained BERT-mini (.safetensors)", ""},
               {"from-scratch", "", "a randomly initialised BERT-mini of the sizes below instead of --model-file", ""},
               {"compare-scratch", "", "with --model-file: then the same model from scratch, and both curves", ""},
               {"task", "NAME", "the task (fortune-source)", "fortune-source"},
               {"layers", "N", "from scratch: transformer blocks", "4"},
               {"heads", "N", "from scratch: attention heads per block", "4"},
               {"dim", "N", "from scratch: model width", "128"},
               {"context", "N", "tokens per quotation ([CLS] + characters; longer ones are cut), also for a model "
                                "pre-trained on shorter windows (the modern block's RoPE is relative; a gpt2-block "
                                "file keeps its own unless given)", "256"},
               {"block", "modern|gpt2", "from scratch: the block (as train-text --model bert)", "modern"},
               {"pooling", "cls|mean", "what the classifier reads: the [CLS] position, or the mean of the real positions", "mean"},
               {"freeze-encoder", "", "train the classifier only, on the encoder's features (a linear probe)", ""},
               {"epochs", "N", "passes over the training quotations", "10"},
               {"batch-size", "N", "quotations per batch", "32"},
               {"lr", "X", "the encoder's peak learning rate (AdamW; warm-up over 10% of the steps, cosine decay to lr/10)", "0.0003"},
               {"head-lr-scale", "X", "the classifier's learning rate is lr times this (the new head learns faster)", "10"},
               {"weight-decay", "X", "AdamW weight decay", "0.01"},
               {"test-fraction", "X", "quotations of each class held out for testing", "0.2"},
               {"per-class", "N", "quotations per class (0 = as many as the smallest collection has)", "0"},
               {"seed", "N", "random seed (the split, the order, the classifier's initialisation)", "1"},
               threads_flag(),
               {"out", "FILE", "save the fine-tuned model (safetensors)", ""},
               {"report", "FILE", "write a JSON report (task, config, accuracy curves, confusion matrix)", ""},
               {"quiet", "", "only the summaries", ""}});
    if (args.parse_or_help(argc, argv, 2)) return 0;
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");
    const bool from_file = args.has("model-file") && !args.str("model-file").empty();
    if (from_file == args.on("from-scratch"))
        throw UsageError("give exactly one of --model-file FILE (pre-trained by 'backprop train-text --model bert') "
                         "and --from-scratch");
    if (args.on("compare-scratch") && !from_file) throw UsageError("--compare-scratch goes with --model-file");
    if (args.str("task") != "fortune-source")
        throw UsageError("--task: the only task is fortune-source; got '" + args.str("task") + "'");
    train::FineTuneConfig cfg;
    cfg.epochs = args.integer("epochs", 1, 100000);
    cfg.batch_size = args.integer("batch-size", 1, 4096);
    cfg.lr = args.real("lr", 1e-8, 10);
    cfg.head_lr_scale = args.real("head-lr-scale", 1e-3, 1e3);
    cfg.weight_decay = args.real("weight-decay", 0, 1);
    cfg.seed = static_cast<uint64_t>(args.int64("seed", 0, INT64_MAX));
    cfg.threads = args.integer("threads", 0, 1024);
    cfg.freeze_encoder = args.on("freeze-encoder");
    const double test_fraction = args.real("test-fraction", 0.01, 0.9);
    const int per_class = args.integer("per-class", 0, 1'000'000);
    const bool quiet = args.on("quiet");
    set_num_threads(cfg.threads);
    models::BertOptions::Pooling pooling = models::BertOptions::Pooling::cls;
    if (args.str("pooling") == "mean") pooling = models::BertOptions::Pooling::mean;
    else if (args.str("pooling") != "cls") throw UsageError("--pooling expects cls or mean; got '" + args.str("pooling") + "'");

    const data::TextClassificationTask task = data::make_fortune_source_task(test_fraction, cfg.seed, per_class);
    std::printf("fine-tune: task %s, %zu classes, %zu training and %zu held-out quotations (%zu and %zu per class)\n",
                task.name.c_str(), task.classes.size(), task.train.size(), task.test.size(),
                task.train.size() / task.classes.size(), task.test.size() / task.classes.size());
    std::fflush(stdout);
    nlohmann::json report{{"task", {{"name", task.name}, {"classes", task.classes}, {"train", task.train.size()},
                                    {"test", task.test.size()}, {"test_fraction", test_fraction}}},
                          {"config", cfg.to_json()}};

    auto scratch_model = [&](const models::BertOptions& like) {
        auto m = std::make_shared<models::BertMini>(like);
        Generator init(cfg.seed);
        m->reset_parameters(init);
        return m;
    };
    if (from_file) {
        io::LoadedBert loaded = io::load_bert(args.str("model-file"));
        const int64_t classes = static_cast<int64_t>(task.classes.size());
        const int64_t context = args.has("context") || loaded.model->options().block == nn::BlockKind::modern
                                    ? args.integer("context", 2, 4096)
                                    : 0;  // 0: the gpt2 file's own
        auto bert = train::model_for_fine_tuning(*loaded.model, true, classes, pooling, context, cfg.seed);
        const models::BertOptions& o = bert->options();
        report["model"] = {{"name", "bert_mini"}, {"options", o.to_json()}, {"parameters", bert->parameter_count()},
                           {"pretrained_from", args.str("model-file")}, {"pretraining", loaded.summary}};
        report["pretrained"] = run_fine_tune("pre-trained", *bert, loaded.vocab, task, cfg, quiet);
        if (args.has("out") && !args.str("out").empty()) io::save_bert(args.str("out"), *bert, loaded.vocab);
        if (args.on("compare-scratch")) {
            auto scratch = train::model_for_fine_tuning(*loaded.model, false, classes, pooling, context, cfg.seed);
            report["from_scratch"] = run_fine_tune("from scratch", *scratch, loaded.vocab, task, cfg, quiet);
            std::printf("pre-trained %s vs from scratch %s on %zu held-out quotations\n",
                        pct(report["pretrained"]["test_accuracy"].get<double>()).c_str(),
                        pct(report["from_scratch"]["test_accuracy"].get<double>()).c_str(), task.test.size());
        }
    } else {
        // The vocabulary pre-training would have used: the default corpus's characters.
        data::BertVocab vocab(data::load_default_corpus().tokenizer);
        models::BertOptions o;
        o.vocab_size = vocab.vocab_size();
        o.context = args.integer("context", 2, 4096);
        const TransformerSize size = transformer_size_flags(args, nn::BlockKind::modern);
        o.layers = size.layers;
        o.heads = size.heads;
        o.dim = size.dim;
        o.block = size.block;
        o.num_classes = static_cast<int64_t>(task.classes.size());
        o.pooling = pooling;
        auto bert = scratch_model(o);
        report["model"] = {{"name", "bert_mini"}, {"options", o.to_json()}, {"parameters", bert->parameter_count()},
                           {"pretrained_from", nullptr}};
        report["from_scratch"] = run_fine_tune("from scratch", *bert, vocab, task, cfg, quiet);
        if (args.has("out") && !args.str("out").empty()) io::save_bert(args.str("out"), *bert, vocab);
    }
    if (args.has("report") && !args.str("report").empty()) {
        report["machine"] = train::machine_info();
        train::write_json(args.str("report"), report);
    }
    return 0;
}

}  // namespace bp::cli
