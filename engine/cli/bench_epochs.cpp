// bench_epochs.cpp — `backprop bench epochs` (and `bench train-resnet`, `bench train-vit`): the training epoch
// of ResNet-mini and ViT-tiny beside PyTorch's fastest of three thread configurations running the same
// architecture, data, batch size and optimiser (tools/pytorch_reference/bench_mlp.py --model resnet|vit), all
// measured in this one run, with the ratio. A full epoch of these models takes minutes, so both sides train on
// the first --images MNIST training images and the epoch is projected from that: 60000 / images × the fastest
// of --epochs passes. Both sides print their parameter count: the architectures must match exactly.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "bench_suites.h"
#include "bp/backend.h"
#include "bp/data/dataset.h"
#include "bp/models/zoo.h"
#include "bp/train/flops.h"
#include "bp/train/report.h"
#include "bp/train/trainer.h"

namespace bp::cli {

namespace {

struct EpochPlan {
    std::vector<std::string> models;
    int64_t images = 3200;
    int epochs = 2;
};

EpochPlan epoch_plan(const Args& args) {
    EpochPlan p;
    const std::string suite = args.positional().empty() ? "" : args.positional()[0];
    if (suite == "train-resnet") p.models = {"resnet"};
    else if (suite == "train-vit") p.models = {"vit"};
    else p.models = {"resnet", "vit"};
    const bool quick = args.on("quick");
    p.images = args.has("images") ? args.int64("images", 64, 60000) : quick ? 128 : 3200;
    p.epochs = args.has("epochs") ? args.integer("epochs", 1, 100) : quick ? 1 : 2;
    return p;
}

}  // namespace

int epochs_steps(const Args& args) { return 1 + 2 * static_cast<int>(epoch_plan(args).models.size()); }

nlohmann::json suite_epochs(const Args& args, Progress& progress) {
    const EpochPlan plan = epoch_plan(args);
    const int threads = args.integer("threads", 0, 1024);
    const std::string mode = args.has("pytorch") ? args.str("pytorch") : "auto";
    if (mode != "auto" && mode != "off") throw UsageError("--pytorch expects auto or off; got '" + mode + "'");
    const std::string data_dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
    data::ImageDataset train_set = data::load_image_dataset(data_dir, "mnist", "train");
    std::string script = mode == "off" ? "" : find_reference_script("bench_mlp.py");
    const int64_t images = std::min(plan.images, train_set.count);
    const double project = static_cast<double>(train_set.count) / static_cast<double>(images);
    set_num_threads(threads);
    progress.step("epochs", "FMA peak");
    const double peak = fma_peak_gflops();
    std::printf("bench epochs: training epoch of %s beside PyTorch; each side trains on the first %lld MNIST images, "
                "fastest of %d pass(es), projected to the %lld-image epoch (x %.2f); backprop %d thread(s), %s, "
                "FMA peak %.1f GFLOP/s\n",
                plan.models.size() == 1 ? models::find_model(plan.models[0]).title.c_str() : "ResNet-mini and ViT-tiny",
                static_cast<long long>(images), plan.epochs, static_cast<long long>(train_set.count), project,
                num_threads(), cpu_simd().c_str(), peak);
    std::fflush(stdout);
    nlohmann::json rows = nlohmann::json::array();
    for (const std::string& name : plan.models) {
        const models::ModelInfo& info = models::find_model(name);
        progress.step("epochs", name + ", backprop");
        train::TrainConfig cfg;
        cfg.model = name;
        cfg.epochs = plan.epochs;
        cfg.batch_size = info.defaults.batch_size;
        cfg.lr = info.defaults.lr;
        cfg.optimizer = info.defaults.optimizer;
        cfg.threads = threads;
        cfg.train_limit = images;
        cfg.evaluate = false;
        models::Model model = models::create_model(name, nlohmann::json::object(), cfg.seed);
        const int64_t params = model.net->parameter_count();
        const double flops = train::training_flops_per_sample(*model.net, model.input_shape, cfg.batch_size);
        train::Trainer trainer(model, train_set, nullptr, cfg);
        trainer.run();
        if (trainer.failed()) throw Error("bench epochs: training " + name + " failed");
        std::vector<double> secs;
        for (const auto& e : trainer.history()) secs.push_back(e.epoch_seconds);
        const double best = *std::min_element(secs.begin(), secs.end());
        const double rate = static_cast<double>(images) / best, gflops = flops * rate / 1e9;
        std::printf("  %-12s backprop: %lld parameters, batch %d, %.2f s for %lld images (%.0f images/s), projected "
                    "epoch %.1f s; %.1f GFLOP/s = %.1f%% of peak\n",
                    info.title.c_str(), static_cast<long long>(params), cfg.batch_size, best,
                    static_cast<long long>(images), rate, best * project, gflops, 100 * gflops / peak);
        std::fflush(stdout);
        nlohmann::json row{{"model", name},
                           {"title", info.title},
                           {"parameters", params},
                           {"batch_size", cfg.batch_size},
                           {"images", images},
                           {"threads", num_threads()},
                           {"epoch_seconds", secs},
                           {"best_epoch_seconds", best},
                           {"samples_per_second", rate},
                           {"projected_epoch_seconds", best * project},
                           {"training_gflops", gflops},
                           {"fraction_of_peak", gflops / peak}};
        progress.step("epochs", name + ", pytorch");
        if (!script.empty()) {
            std::ostringstream cmd;
            cmd << "/usr/bin/python3 " << shell_quote(script) << " --data-dir " << shell_quote(data_dir) << " --model "
                << name << " --lr " << cfg.lr << " --batch-size " << cfg.batch_size << " --epochs " << plan.epochs
                << " --images " << images;
            const TorchFastest t = run_pytorch_fastest(cmd.str(), "best_samples_per_second");
            if (t.ok) {
                const int64_t torch_params = t.runs.empty() ? 0 : t.runs[0].value("parameters", int64_t{0});
                const double torch_epoch = static_cast<double>(train_set.count) / t.value;
                const double ratio = torch_epoch / (best * project);
                std::printf("  %-12s pytorch:  %lld parameters%s, projected epoch %.1f s (%.0f images/s; fastest of 3 "
                            "thread configs: torch %d, BLAS %d)\n",
                            info.title.c_str(), static_cast<long long>(torch_params),
                            torch_params == params ? " (the same)" : " (DIFFERENT: not the same architecture)",
                            torch_epoch, t.value, t.torch_threads, t.blas_threads);
                std::printf("  %-12s ratio:    backprop is %.2fx %s than PyTorch's fastest configuration\n",
                            info.title.c_str(), ratio >= 1 ? ratio : 1 / ratio, ratio >= 1 ? "faster" : "slower");
                nlohmann::json tj = t.to_json();
                tj["projected_epoch_seconds"] = torch_epoch;
                tj["parameters"] = torch_params;
                row["pytorch"] = tj;
                row["parameters_match"] = torch_params == params;
                row["speedup_vs_pytorch"] = ratio;
            } else {
                std::printf("  %-12s pytorch:  %s\n", info.title.c_str(), t.note.c_str());
                row["pytorch"] = {{"note", t.note}};
                if (t.no_pytorch) script.clear();
            }
        } else {
            const char* why = mode == "off" ? "skipped (--pytorch off)" : "reference script not found; no comparison";
            std::printf("  %-12s pytorch:  %s\n", info.title.c_str(), why);
            row["pytorch"] = {{"note", why}};
        }
        std::fflush(stdout);
        rows.push_back(row);
    }
    return {{"benchmark", "epochs"},
            {"quick", args.on("quick")},
            {"images", images},
            {"epochs", plan.epochs},
            {"projection", "epoch seconds = 60000 / images x the fastest pass over the first images, on both sides"},
            {"fma_peak_gflops", peak},
            {"flops_convention", kFlopsConvention},
            {"results", rows},
            {"machine", train::machine_info()}};
}

}  // namespace bp::cli
