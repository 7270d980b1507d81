// cmd_report.cpp — `backprop report`: the digit-recognition benchmark document's report for one model
// file, measured now on this machine: accuracy, per-class accuracy, raw and normalised confusion matrix,
// precision/recall/F1, single-image and batch latency, peak memory for inference (and training when
// asked to train), parameter count, file size, and a PASS/FAIL line per target of the document.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "args.h"
#include "output_check.h"
#include "device_flags.h"
#include "bp/backend.h"
#include "bp/data/dataset.h"
#include "bp/io/model_file.h"
#include "bp/train/inference.h"
#include "bp/train/report.h"
#include "bp/train/trainer.h"
#include "commands.h"
#include "model_flags.h"

namespace bp::cli {

namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
    double median = 0, p95 = 0, min = 0, max = 0, mean = 0;
};

Stats stats_of(std::vector<double> v) {
    Stats s;
    if (v.empty()) return s;
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5))]; };
    s.median = at(0.5);
    s.p95 = at(0.95);
    s.min = v.front();
    s.max = v.back();
    double sum = 0;
    for (double x : v) sum += x;
    s.mean = sum / static_cast<double>(v.size());
    return s;
}

nlohmann::json stats_json(const Stats& s) {
    return {{"median", s.median}, {"p95", s.p95}, {"min", s.min}, {"max", s.max}, {"mean", s.mean}};
}

// Targets of the digit-recognition benchmark document.
constexpr double kTargetAccuracy = 0.97, kMinimumAccuracy = 0.95, kTargetPerClass = 0.95;
constexpr double kTargetLatencyMs = 50.0, kTargetTrainSeconds = 300.0;
constexpr double kTargetTrainMemoryMB = 500.0, kTargetFileMB = 5.0;

}  // namespace

int cmd_report(int argc, char** argv) {
    Args args("report",
              "Measure a saved model against the digit-recognition benchmark document: accuracy, per-class\n"
              "metrics, confusion matrix, latency, memory, size, and a PASS/FAIL line per target.",
              {{"model-file", "FILE", "model saved by 'backprop train --out' or the app", ""},
               architecture_flag(),
               {"dataset", "NAME|DIR", "mnist, fashion-mnist, or a folder of IDX files", "mnist"},
               {"out", "FILE", "write the JSON report", ""},
               {"latency-calls", "N", "single-image inference calls to time (at least 1000 for the report)", "1000"},
               {"train-epochs", "N", "also train a fresh model of the same architecture for N epochs and report its time and memory (0 = no)", "0"},
               {"batch-size", "N", "batch size for --train-epochs", "32"},
               threads_flag(),
               device_flag(),
               data_dir_flag()});
    if (args.parse_or_help(argc, argv, 2)) return 0;
    if (!args.has("model-file")) throw UsageError("--model-file FILE is required");
    check_output_flags(args, {"out"});  // before the measurements
    const int calls = args.integer("latency-calls", 10, 1000000);
    const int train_epochs = args.integer("train-epochs", 0, 1000);
    const int train_batch = args.integer("batch-size", 1, 65536);
    const int threads = args.integer("threads", 0, 1024);
    set_num_threads(threads);
    Device device = Device::cpu;
    if (!device_from_args(args, "report", &device)) return 1;

    const std::string file = args.str("model-file");
    io::LoadedModel loaded = load_model_from_args(args);
    models::Model& model = loaded.model;
    model.net->to(device);
    const std::string data_dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
    data::ImageDataset test = data::load_image_dataset(data_dir, args.str("dataset"), "test");
    Shape sample{1, test.rows, test.cols};
    if (sample != model.input_shape)
        throw DataError("model '" + model.name + "' expects images " + shape_str(model.input_shape) + " but dataset " +
                        test.name + " has " + shape_str(sample));

    nlohmann::json j;
    j["kind"] = "report";
    j["model_file"] = file;
    j["model"] = {{"name", model.name}, {"config", model.config()}, {"parameters", model.net->parameter_count()},
                  {"file_bytes", static_cast<int64_t>(std::filesystem::file_size(file))}, {"summary", loaded.summary}};
    j["dataset"] = test.name;

    // Accuracy and per-class metrics on the whole test split, with inference memory.
    train::reset_peak_rss();
    const int64_t rss_before = train::current_rss_bytes();
    auto t0 = Clock::now();
    train::Evaluation ev = train::evaluate(*model.net, test);
    const double eval_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    train::add_test_metrics(j, ev.metrics, test.class_names);
    std::vector<std::vector<double>> normalised;
    for (size_t r = 0; r < ev.metrics.confusion.size(); ++r) {
        std::vector<double> row;
        const double n = static_cast<double>(std::max<int64_t>(1, ev.metrics.class_counts[r]));
        for (int64_t v : ev.metrics.confusion[r]) row.push_back(static_cast<double>(v) / n);
        normalised.push_back(row);
    }
    j["confusion_matrix_normalized"] = normalised;
    j["test_loss"] = ev.loss;

    // Single-image latency: calls over different test images, after a warm-up.
    const int64_t px = test.rows * test.cols;
    std::vector<float> image(static_cast<size_t>(px));
    std::vector<double> single_ms;
    for (int i = -20; i < calls; ++i) {
        const int64_t idx = (i < 0 ? -i : i) % test.count;
        data::normalize_images(test, &idx, 1, image.data());
        auto s0 = Clock::now();
        std::vector<float> p = train::classify_image(*model.net, image.data(), model.input_shape);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - s0).count();
        if (i >= 0) single_ms.push_back(ms);
        if (p.empty()) throw Error("report: the model returned no probabilities");
    }
    const Stats single = stats_of(single_ms);
    j["latency_single_ms"] = stats_json(single);
    j["latency_single_ms"]["calls"] = calls;

    // Batch latency at the document's batch sizes.
    nlohmann::json batches = nlohmann::json::array();
    for (int b : {1, 8, 16, 32, 64, 128}) {
        std::vector<int64_t> idx(static_cast<size_t>(b));
        for (int i = 0; i < b; ++i) idx[static_cast<size_t>(i)] = i % test.count;
        Shape shape = model.input_shape;
        shape.insert(shape.begin(), b);
        Tensor x = Tensor::empty(shape);
        data::normalize_images(test, idx.data(), b, x.data<float>());
        std::vector<double> ms;
        const int reps = std::max(5, 2000 / b);
        for (int r = -3; r < reps; ++r) {
            auto s0 = Clock::now();
            Tensor p = train::predict_proba(*model.net, x);
            if (r >= 0) ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s0).count());
        }
        const Stats s = stats_of(ms);
        batches.push_back({{"batch_size", b}, {"total_ms", stats_json(s)}, {"per_image_ms", s.median / b}});
    }
    j["latency_batch"] = batches;
    const double inference_peak_mb = static_cast<double>(train::peak_rss_bytes()) / 1048576.0;
    j["memory"] = {{"inference_peak_mb", inference_peak_mb},
                   {"rss_before_inference_mb", static_cast<double>(rss_before) / 1048576.0},
                   {"note", "peak resident memory of the whole process (data included) while evaluating and timing"}};

    // Optional: training time and memory for the same architecture.
    double train_seconds = -1, train_peak_mb = -1;
    if (train_epochs > 0) {
        data::ImageDataset train_set = data::load_image_dataset(data_dir, args.str("dataset"), "train");
        train::TrainConfig cfg;
        if (loaded.summary.contains("config")) {
            const auto& c = loaded.summary["config"];
            cfg.optimizer = c.value("optimizer", cfg.optimizer);
            cfg.lr = c.value("lr", cfg.lr);
            cfg.weight_decay = c.value("weight_decay", cfg.weight_decay);
            cfg.schedule = c.value("schedule", cfg.schedule);
        }
        cfg.model = model.name;
        cfg.epochs = train_epochs;
        cfg.batch_size = train_batch;
        cfg.threads = threads;
        cfg.evaluate = false;
        cfg.device = device_name(device);
        models::Model fresh = models::create_model_from_config(model.config(), cfg.seed);
        train::reset_peak_rss();
        train::Trainer trainer(fresh, train_set, nullptr, cfg);
        trainer.run();
        if (trainer.failed()) throw Error("report: the training run failed");
        nlohmann::json epochs = nlohmann::json::array();
        train_seconds = 0;
        for (const auto& e : trainer.history()) {
            epochs.push_back(e.epoch_seconds);
            train_seconds += e.epoch_seconds;
        }
        train_peak_mb = static_cast<double>(train::peak_rss_bytes()) / 1048576.0;
        j["training"] = {{"epochs", train_epochs}, {"batch_size", train_batch}, {"epoch_seconds", epochs},
                         {"total_seconds", train_seconds}, {"peak_memory_mb", train_peak_mb},
                         {"test_accuracy", train::evaluate(*fresh.net, test).metrics.accuracy}};
    } else if (loaded.summary.contains("train_seconds")) {
        train_seconds = loaded.summary["train_seconds"].get<double>();
    }

    // PASS/FAIL against each target.
    double worst_class = 1.0;
    for (size_t c = 0; c < normalised.size(); ++c) worst_class = std::min(worst_class, normalised[c][c]);
    const double file_mb = static_cast<double>(j["model"]["file_bytes"].get<int64_t>()) / 1048576.0;
    nlohmann::json targets = nlohmann::json::array();
    auto target = [&](const std::string& name, const std::string& goal, double value, const std::string& unit,
                      int pass) {  // pass: 1 pass, 0 fail, -1 not measured
        targets.push_back({{"target", name}, {"goal", goal}, {"value", value}, {"unit", unit},
                           {"result", pass < 0 ? "NOT MEASURED" : pass ? "PASS" : "FAIL"}});
    };
    target("test accuracy", ">= 97% (minimum 95%)", ev.metrics.accuracy * 100, "%",
           ev.metrics.accuracy >= kTargetAccuracy ? 1 : 0);
    target("minimum accuracy", ">= 95%", ev.metrics.accuracy * 100, "%", ev.metrics.accuracy >= kMinimumAccuracy);
    target("every class on the normalised diagonal", ">= 95%", worst_class * 100, "% (worst class)",
           worst_class >= kTargetPerClass);
    target("single-image inference", "< 50 ms (median)", single.median, "ms", single.median < kTargetLatencyMs);
    const std::string training_name =
        train_epochs > 0 ? "training (" + std::to_string(train_epochs) + " epochs, measured now)" : "training (from the model file)";
    target(training_name, "< 5 min", train_seconds, "s", train_seconds < 0 ? -1 : train_seconds < kTargetTrainSeconds);
    target("training memory (peak RSS)", "< 500 MB", train_peak_mb, "MB", train_peak_mb < 0 ? -1 : train_peak_mb < kTargetTrainMemoryMB);
    target("model file", "< 5 MB", file_mb, "MB", file_mb < kTargetFileMB);
    j["targets"] = targets;
    j["timings"] = {{"eval_seconds", eval_seconds}};
    j["machine"] = train::machine_info();

    // The readable summary.
    std::printf("report: %s (%s, %lld parameters, %.2f MB file) on %s test (%lld images)\n", file.c_str(),
                model.name.c_str(), static_cast<long long>(model.net->parameter_count()), file_mb, test.name.c_str(),
                static_cast<long long>(ev.metrics.total));
    std::printf("accuracy %.2f%%   macro precision %.4f   macro recall %.4f   macro F1 %.4f\n", ev.metrics.accuracy * 100,
                ev.metrics.macro_precision, ev.metrics.macro_recall, ev.metrics.macro_f1);
    std::printf("%-14s %9s %10s %8s %8s\n", "class", "accuracy", "precision", "recall", "F1");
    for (size_t c = 0; c < test.class_names.size(); ++c)
        std::printf("%-14s %8.2f%% %10.4f %8.4f %8.4f\n", test.class_names[c].c_str(), ev.metrics.per_class_accuracy[c] * 100,
                    ev.metrics.precision[c], ev.metrics.recall[c], ev.metrics.f1[c]);
    std::printf("confusion matrix (rows: true, columns: predicted)\n      ");
    for (size_t c = 0; c < ev.metrics.confusion.size(); ++c) std::printf("%6zu", c);
    std::printf("\n");
    for (size_t r = 0; r < ev.metrics.confusion.size(); ++r) {
        std::printf("%6zu", r);
        for (int64_t v : ev.metrics.confusion[r]) std::printf("%6lld", static_cast<long long>(v));
        std::printf("\n");
    }
    std::printf("single-image latency over %d calls: median %.3f ms, p95 %.3f ms, min %.3f ms, max %.3f ms\n", calls,
                single.median, single.p95, single.min, single.max);
    std::printf("batch latency (median total / per image):");
    for (const auto& b : batches)
        std::printf("  %d: %.3f / %.4f ms", b["batch_size"].get<int>(), b["total_ms"]["median"].get<double>(),
                    b["per_image_ms"].get<double>());
    std::printf("\npeak memory: inference %.1f MB", inference_peak_mb);
    if (train_peak_mb >= 0) std::printf(", training %.1f MB (%d epochs in %.1f s)", train_peak_mb, train_epochs, train_seconds);
    std::printf("\n");
    bool all_pass = true;
    for (const auto& t : targets) {
        std::printf("%-13s %-40s goal %-22s measured %.3f %s\n", t["result"].get<std::string>().c_str(),
                    t["target"].get<std::string>().c_str(), t["goal"].get<std::string>().c_str(), t["value"].get<double>(),
                    t["unit"].get<std::string>().c_str());
        all_pass = all_pass && t["result"] != "FAIL";
    }
    if (args.has("out") && !args.str("out").empty()) train::write_json(args.str("out"), j);
    return 0;
}

}  // namespace bp::cli
