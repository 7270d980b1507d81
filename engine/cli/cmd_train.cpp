// cmd_train.cpp — `backprop train` and `backprop eval`: a text progress bar per epoch, a summary, the model
// file and the JSON report.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "args.h"
#include "device_flags.h"
#include "bp/backend.h"
#include "bp/data/dataset.h"
#include "bp/io/model_file.h"
#include "bp/train/recipe.h"
#include "bp/train/report.h"
#include "bp/train/trainer.h"
#include "commands.h"
#include "model_flags.h"
#include "interrupt.h"
#include "output_check.h"
#include "transformer_flags.h"

namespace bp::cli {

namespace {

std::string fmt_seconds(double s) {
    char buf[32];
    if (!std::isfinite(s) || s < 0) return "--";
    if (s < 60) std::snprintf(buf, sizeof buf, "%.0fs", s);
    else std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
    return buf;
}

/// Prints a progress bar on a terminal (redrawn ≤ 10×/s) and one line per epoch everywhere.
class ProgressPrinter : public train::TrainerObserver {
public:
    explicit ProgressPrinter(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO)) {}

    void on_batch(const train::BatchEvent& b) override {
        last_epoch_ = b.epoch;
        last_batch_ = b.batch;
        if (quiet_ || !tty_) return;
        auto now = std::chrono::steady_clock::now();
        bool last = b.batch + 1 == b.batches_per_epoch;
        if (!last && now - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = now;
        const int width = 30;
        double frac = static_cast<double>(b.batch + 1) / static_cast<double>(b.batches_per_epoch);
        int filled = static_cast<int>(frac * width);
        std::string bar(static_cast<size_t>(filled), '#');
        bar += std::string(static_cast<size_t>(width - filled), '.');
        std::fprintf(stderr, "\repoch %d [%s] %3.0f%%  loss %.4f  acc %5.1f%%  %7.0f samples/s  ETA %s   ",
                     b.epoch + 1, bar.c_str(), frac * 100, b.loss, b.accuracy * 100, b.samples_per_second,
                     fmt_seconds(b.eta_seconds).c_str());
        std::fflush(stderr);
    }

    void on_epoch(const train::EpochEvent& e) override {
        if (quiet_) return;
        if (tty_) std::fprintf(stderr, "\r%120s\r", "");
        std::fprintf(stderr, "epoch %d/%d  train loss %.4f  train acc %.2f%%", e.epoch + 1, e.epochs, e.train_loss,
                     e.train_accuracy * 100);
        if (e.evaluated) std::fprintf(stderr, "  test loss %.4f  test acc %.2f%%", e.test_loss, e.test_accuracy * 100);
        std::fprintf(stderr, "  %.2fs (%.0f samples/s)\n", e.epoch_seconds, e.samples_per_second);
    }

    void on_failed(const train::FailedEvent& f) override {
        if (tty_ && !quiet_) std::fprintf(stderr, "\n");
        failure_ = f.message;
    }

    const std::string& failure() const { return failure_; }
    /// Where training got to: the last batch done (epoch and batch 0-based), or -1 before the first.
    int last_epoch() const { return last_epoch_; }
    int64_t last_batch() const { return last_batch_; }

private:
    int last_epoch_ = -1;
    int64_t last_batch_ = -1;
    bool quiet_, tty_;
    std::chrono::steady_clock::time_point last_draw_{};
    std::string failure_;
};

}  // namespace

int cmd_train(int argc, char** argv) {
    Args args("train", "Train a model from the zoo on a dataset of 28x28 images (MNIST by default).",
              {{"recipe", "NAME", "a fixed recipe: its model, schedule, label smoothing, batch size, epochs and threads "
                                  "(speedrun: 99% on MNIST in seconds); flags given explicitly override it", ""},
               {"model", "NAME", "model from the zoo", "mlp"},
               {"model-options", "JSON", "options of the zoo model, merged over its defaults, e.g. '{\"channels1\": 16}'", ""},
               {"dataset", "NAME|DIR", "mnist, fashion-mnist, or a folder of IDX files", "mnist"},
               {"epochs", "N", "passes over the training set", "the model's default: 3 for mlp"},
               {"batch-size", "N", "images per optimizer step", "the model's default: 32 for mlp"},
               {"lr", "RATE", "learning rate", "the model's default: 1e-3 for mlp"},
               {"optimizer", "NAME", "sgd, momentum, nesterov, adam or adamw", "the model's default: adam"},
               {"weight-decay", "W", "L2 (adam, sgd) or decoupled (adamw) weight decay", "0"},
               {"momentum", "M", "momentum for the momentum/nesterov optimizers", "0.9"},
               {"schedule", "KIND", "learning-rate schedule: none, step, cosine or onecycle", "cosine"},
               {"warmup", "FRACTION", "onecycle: the share of the steps spent warming up to --lr", "0.2"},
               {"label-smoothing", "EPS", "cross-entropy against (1 - EPS) one-hot + EPS / classes", "0"},
               {"seed", "N", "random seed for initialisation and shuffling", "1"},
               threads_flag(),
               {"train-limit", "N", "train on the first N images only (0 = all)", "0"},
               {"test-limit", "N", "evaluate on the first N test images only (0 = all)", "0"},
               {"validation", "N", "hold out the last N training images, train on the rest and report accuracy on "
                                   "them instead of the test set (for tuning a recipe without looking at the test set)", "0"},
               {"out", "FILE", "save the trained model (safetensors)", ""},
               {"report", "FILE", "write the JSON report", ""},
               data_dir_flag(),
               {"augment", "", "random shifts (±2 px), rotations (±10°) and scaling (0.9–1.1) of training images", ""},
               device_flag(),
               precision_flag(),
               checkpoint_flag(),
               {"quiet", "", "no progress output", ""}});
    if (args.parse_or_help(argc, argv, 2)) return 0;
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");
    check_output_flags(args, {"out", "report"});  // before any work, not after the last epoch

    // A recipe fixes everything but the seed and the data; flags given explicitly override it. Without one,
    // hyperparameters not given on the command line come from the model's entry in the zoo.
    const train::Recipe* recipe = args.has("recipe") ? &train::find_recipe(args.str("recipe")) : nullptr;
    train::TrainConfig cfg;
    nlohmann::json model_options = nlohmann::json::object();
    if (recipe) {
        cfg = recipe->config;
        model_options = recipe->model_options;
    }
    if (!recipe || args.has("model")) {
        cfg.model = args.str("model");
        if (recipe && cfg.model != recipe->config.model) model_options = nlohmann::json::object();  // not the recipe's
    }
    if (args.has("model-options")) {
        nlohmann::json given = nlohmann::json::parse(args.str("model-options"), nullptr, false);
        if (!given.is_object()) throw UsageError("--model-options expects a JSON object; got '" + args.str("model-options") + "'");
        model_options.merge_patch(given);
    }
    cfg.dataset = args.str("dataset");
    const models::TrainDefaults& defaults = models::find_model(cfg.model).defaults;
    if (args.has("epochs") || !recipe) cfg.epochs = args.has("epochs") ? args.integer("epochs", 1, 10000) : defaults.epochs;
    if (args.has("batch-size") || !recipe)
        cfg.batch_size = args.has("batch-size") ? args.integer("batch-size", 1, 65536) : defaults.batch_size;
    if (args.has("lr") || !recipe) cfg.lr = args.has("lr") ? args.real("lr", 1e-8, 10) : defaults.lr;
    if (args.has("optimizer") || !recipe) cfg.optimizer = args.has("optimizer") ? args.str("optimizer") : defaults.optimizer;
    if (args.has("weight-decay") || !recipe) cfg.weight_decay = args.real("weight-decay", 0, 1);
    if (args.has("momentum") || !recipe) cfg.momentum = args.real("momentum", 0, 0.999);
    if (args.has("schedule") || !recipe) cfg.schedule = args.str("schedule");
    if (args.has("warmup") || !recipe) cfg.warmup_fraction = args.real("warmup", 0, 1);
    if (args.has("label-smoothing") || !recipe) cfg.label_smoothing = args.real("label-smoothing", 0, 0.999);
    cfg.seed = static_cast<uint64_t>(args.int64("seed", 0, INT64_MAX));
    if (args.has("threads") || !recipe) cfg.threads = args.integer("threads", 0, 1024);
    cfg.train_limit = args.int64("train-limit", 0, INT64_MAX);
    cfg.test_limit = args.int64("test-limit", 0, INT64_MAX);
    if (args.has("augment") || !recipe) cfg.augment.enabled = args.on("augment");
    Device device = Device::cpu;
    if (!device_from_args(args, "train", &device)) return 1;
    cfg.device = device_name(device);
    cfg.precision = precision_name(precision_from_args(args));
    cfg.checkpoint = checkpoint_from_args(args);
    cfg.validate();  // ConfigError -> exit 2

    const std::string data_dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
    data::ImageDataset train_set = data::load_image_dataset(data_dir, cfg.dataset, "train");
    data::ImageDataset test_set;
    if (const int64_t hold = args.int64("validation", 0, INT64_MAX); hold > 0) {
        // Tuning: the last `hold` training images stand in for the test set, which is not even loaded.
        if (hold >= train_set.count)
            throw ConfigError("validation = " + std::to_string(hold) + " leaves no training images; use fewer than " +
                              std::to_string(train_set.count));
        test_set = train::slice_dataset(train_set, train_set.count - hold, hold, "validation");
        train_set = train::slice_dataset(train_set, 0, train_set.count - hold, "train");
    } else {
        test_set = data::load_image_dataset(data_dir, cfg.dataset, "test");
    }

    models::Model model = models::create_model(cfg.model, model_options, cfg.seed);
    const bool quiet = args.on("quiet");
    if (!quiet)
        std::fprintf(stderr, "training %s (%lld parameters) on %s: %lld images, %d epochs, batch %d, %s lr %g\n",
                     models::find_model(cfg.model).title.c_str(), static_cast<long long>(model.net->parameter_count()),
                     train_set.name.c_str(),
                     static_cast<long long>(cfg.train_limit ? std::min(cfg.train_limit, train_set.count) : train_set.count),
                     cfg.epochs, cfg.batch_size, cfg.optimizer.c_str(), cfg.lr);
    if (!quiet && recipe)
        std::fprintf(stderr, "recipe %s: %s schedule, warm-up %.0f%%, label smoothing %g, %d thread(s); the %s set is "
                             "evaluated once, after training\n",
                     recipe->name.c_str(), cfg.schedule.c_str(), cfg.warmup_fraction * 100, cfg.label_smoothing,
                     cfg.threads, test_set.split.c_str());
    if (!quiet && (device != Device::cpu || cfg.precision != "fp32"))
        std::fprintf(stderr, "device %s, precision %s\n", device_label(device).c_str(), cfg.precision.c_str());
    if (!quiet && cfg.checkpoint != "off")
        std::fprintf(stderr, "gradient checkpointing: each transformer block's %s is recomputed in the backward pass\n",
                     cfg.checkpoint == "block" ? "whole forward" : "attention core");

    train::Trainer trainer(model, train_set, &test_set, cfg);
    ProgressPrinter printer(quiet);
    trainer.add_observer(&printer);
    {
        // Ctrl-C / SIGTERM: stop at the next batch and keep what was trained (saved below, exit 130 / 143).
        InterruptGuard guard([&trainer] { trainer.request_cancel(); });
        trainer.run();
    }
    const int sig = InterruptGuard::signal_number();

    const bool failed = trainer.failed();
    train::ClassificationMetrics final_metrics;
    if (!trainer.history().empty() && trainer.history().back().evaluated)
        final_metrics = trainer.history().back().test_metrics;
    else
        final_metrics = train::evaluate(*model.net, test_set, cfg.test_limit).metrics;

    const std::string status = failed ? "failed" : sig ? "interrupted" : "completed";
    nlohmann::json report = train::training_report(cfg, model, trainer.history(), final_metrics, test_set.class_names,
                                                   trainer.total_seconds(), status);
    if (failed) report["error"] = printer.failure();
    report["interrupted"] = sig != 0;
    if (sig) {
        report["signal"] = InterruptGuard::signal_name();
        report["reached"] = {{"epochs_completed", trainer.history().size()},
                             {"epoch", printer.last_epoch() + 1},
                             {"batch", printer.last_batch() + 1}};
    }
    // The model first: nothing optional (the report) may lose a finished training.
    if (args.has("out")) {
        io::save_model(args.str("out"), model,
                       {{"config", cfg.to_json()}, {"test_accuracy", final_metrics.accuracy},
                        {"epochs_completed", trainer.history().size()}, {"status", status},
                        {"dataset", cfg.dataset}, {"train_seconds", report["timings"]["train_seconds"]}});
        if (!quiet || sig) std::fprintf(stderr, "saved model to %s\n", args.str("out").c_str());
    }
    if (args.has("report")) {
        train::write_json(args.str("report"), report);
        if (!quiet || sig) std::fprintf(stderr, "wrote report to %s\n", args.str("report").c_str());
    }
    if (failed) {
        std::fprintf(stderr, "backprop train: %s\n", printer.failure().c_str());
        return 1;
    }
    if (sig) {
        std::fprintf(stderr, "backprop train: interrupted by %s during epoch %d (batch %lld) after %zu complete epoch(s)%s\n",
                     InterruptGuard::signal_name(), printer.last_epoch() + 1,
                     static_cast<long long>(printer.last_batch() + 1), trainer.history().size(),
                     args.has("out") ? "; the model trained so far is saved" : "; no --out given, nothing saved");
        return InterruptGuard::exit_code();
    }
    std::printf("%s accuracy %.2f%%  (macro F1 %.4f)  training %.1fs over %zu epochs, %.2fs per epoch\n",
                test_set.split.c_str(), final_metrics.accuracy * 100, final_metrics.macro_f1,
                report["timings"]["train_seconds"].get<double>(), trainer.history().size(),
                report["timings"]["mean_epoch_seconds"].get<double>());
    // A signal after the last batch (during the evaluation or the save): everything is saved, but the exit
    // code still says the run was interrupted.
    return InterruptGuard::signal_number() ? InterruptGuard::exit_code() : 0;
}

int cmd_eval(int argc, char** argv) {
    Args args("eval", "Evaluate a saved model on a dataset's test split.",
              {{"model-file", "FILE", "model saved by 'backprop train --out' or the app", ""},
               architecture_flag(),
               {"dataset", "NAME|DIR", "mnist, fashion-mnist, or a folder of IDX files", "mnist"},
               {"report", "FILE", "write the JSON report", ""},
               {"limit", "N", "evaluate on the first N test images only (0 = all)", "0"},
               threads_flag(),
               device_flag(),
               data_dir_flag()});
    if (args.parse_or_help(argc, argv, 2)) return 0;
    if (!args.has("model-file")) throw UsageError("--model-file FILE is required");
    check_output_flags(args, {"report"});
    Device device = Device::cpu;
    if (!device_from_args(args, "eval", &device)) return 1;
    set_num_threads(args.integer("threads", 0, 1024));
    const int64_t limit = args.int64("limit", 0, INT64_MAX);
    io::LoadedModel loaded = load_model_from_args(args);
    loaded.model.net->to(device);
    const std::string data_dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
    data::ImageDataset test_set = data::load_image_dataset(data_dir, args.str("dataset"), "test");
    Shape sample{1, test_set.rows, test_set.cols};
    if (sample != loaded.model.input_shape)
        throw DataError("model '" + loaded.model.name + "' expects images " + shape_str(loaded.model.input_shape) +
                        " but dataset " + test_set.name + " has " + shape_str(sample));
    auto t0 = std::chrono::steady_clock::now();
    train::Evaluation ev = train::evaluate(*loaded.model.net, test_set, limit);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%s on %s test (%lld images): accuracy %.2f%%  loss %.4f  macro F1 %.4f  (%.2fs)\n",
                loaded.model.name.c_str(), test_set.name.c_str(), static_cast<long long>(ev.metrics.total),
                ev.metrics.accuracy * 100, ev.loss, ev.metrics.macro_f1, secs);
    for (int c = 0; c < ev.metrics.num_classes; ++c)
        std::printf("  %-12s accuracy %6.2f%%  precision %.4f  recall %.4f  F1 %.4f\n",
                    test_set.class_names[static_cast<size_t>(c)].c_str(), ev.metrics.per_class_accuracy[static_cast<size_t>(c)] * 100,
                    ev.metrics.precision[static_cast<size_t>(c)], ev.metrics.recall[static_cast<size_t>(c)], ev.metrics.f1[static_cast<size_t>(c)]);
    if (args.has("report"))
        train::write_json(args.str("report"), train::evaluation_report(args.str("model-file"), loaded.model, test_set.name,
                                                                      ev, test_set.class_names, secs));
    return 0;
}

}  // namespace bp::cli
