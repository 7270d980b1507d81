// cmd_predict.cpp — `backprop predict`: classifies picture files (PNG/JPEG of one digit or garment) with a
// saved model. Each picture is decoded, MNIST-preprocessed and normalised as in training, then all of them go
// through one forward pass. A bad file is reported and skipped; the others are still classified.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <numeric>

#include "args.h"
#include "bp/backend.h"
#include "bp/data/dataset.h"
#include "bp/data/preprocess.h"
#include "bp/errors.h"
#include "bp/io/image.h"
#include "bp/io/model_file.h"
#include "bp/train/trainer.h"
#include "commands.h"
#include "model_flags.h"

namespace bp::cli {

namespace {

/// The dataset a model was trained on, from the summary `backprop train --out` writes ("" when unknown).
std::string trained_dataset(const nlohmann::json& summary) {
    if (summary.is_object() && summary.contains("config") && summary["config"].is_object()) {
        const auto& cfg = summary["config"];
        if (cfg.contains("dataset") && cfg["dataset"].is_string()) return cfg["dataset"].get<std::string>();
    }
    if (summary.is_object() && summary.contains("dataset") && summary["dataset"].is_string())
        return summary["dataset"].get<std::string>();
    return "";
}

struct Prepared {
    std::string file;
    std::string error;              // empty when the picture was read
    std::vector<float> input;       // [28, 28] normalised
    data::PreprocessInfo info;
};

}  // namespace

int cmd_predict(int argc, char** argv) {
    Args args("predict",
              "Classify pictures (PNG or JPEG, any size, dark ink on light paper or the reverse) with a saved model:\n"
              "  backprop predict --model-file FILE IMAGE...\n"
              "Each picture is turned into a 28x28 MNIST-style input (ink box scaled to 20 px, centred by its centre\n"
              "of mass). Exit code 1 if any picture could not be read; the others are still classified.",
              {{"model-file", "FILE", "model saved by 'backprop train --out' or the app", ""},
               architecture_flag(),
               {"top", "K", "how many classes to show per picture", "3"},
               {"max-picture-mpixel", "N",
                "the largest picture decoded, in Mpixel (1 to 256; a decoded picture takes 4 bytes per pixel)",
                std::to_string(io::max_image_pixels >> 20)},
               {"json", "", "print one JSON document instead of text", ""},
               threads_flag()});
    if (args.parse_or_help(argc, argv, 2)) return 0;
    if (!args.has("model-file")) throw UsageError("--model-file FILE is required");
    if (args.positional().empty()) throw UsageError("no IMAGE given; pass one or more PNG or JPEG files");
    const int top_k_wanted = args.integer("top", 1, 1000);
    const bool json_out = args.on("json");
    const long long max_pixels = static_cast<long long>(args.integer("max-picture-mpixel", 1, 256)) << 20;
    set_num_threads(args.integer("threads", 0, 1024));

    io::LoadedModel loaded = load_model_from_args(args);
    const Shape expected{1, data::mnist_side, data::mnist_side};
    if (loaded.model.input_shape != expected)
        throw DataError("predict: model '" + loaded.model.name + "' in '" + args.str("model-file") + "' expects inputs " +
                        shape_str(loaded.model.input_shape) + "; predict feeds 28x28 grey pictures " +
                        shape_str(expected));
    const int num_classes = loaded.model.num_classes;
    const std::string dataset = trained_dataset(loaded.summary);
    std::vector<std::string> names = data::class_names_for(dataset);
    if (static_cast<int>(names.size()) != num_classes) {
        names.clear();
        for (int c = 0; c < num_classes; ++c) names.push_back(std::to_string(c));
    }
    const int top_k = std::min(top_k_wanted, num_classes);

    // Decode and preprocess every file; a failure is kept with its file and reported in order below.
    std::vector<Prepared> items;
    int64_t good = 0;
    for (const std::string& file : args.positional()) {
        Prepared p;
        p.file = file;
        try {
            p.input = data::normalize_mnist(data::mnist_preprocess(io::load_gray_image(file, max_pixels), &p.info));
            ++good;
        } catch (const Error& e) {
            p.error = e.what();
            if (p.error.find(" Mpixel; scale the picture down") != std::string::npos)
                p.error += ", or raise the limit with --max-picture-mpixel";
        }
        items.push_back(std::move(p));
    }

    // One forward pass for all readable pictures: x [good, 1, 28, 28] -> probabilities [good, classes].
    std::vector<float> probs;
    if (good > 0) {
        Tensor x = Tensor::empty({good, 1, data::mnist_side, data::mnist_side});
        float* xp = x.data<float>();
        for (const Prepared& p : items)
            if (p.error.empty()) xp = std::copy(p.input.begin(), p.input.end(), xp);
        loaded.model.net->eval();
        Tensor prob = train::predict_proba(*loaded.model.net, x);
        BP_CHECK(prob.size(0) == good && prob.size(1) == num_classes, "predict: unexpected output shape");
        probs.assign(prob.data<float>(), prob.data<float>() + good * num_classes);
    }

    nlohmann::json results = nlohmann::json::array();
    int failed = 0;
    int64_t row = 0;
    for (const Prepared& p : items) {
        if (!p.error.empty()) {
            ++failed;
            std::fprintf(stderr, "backprop predict: %s\n", p.error.c_str());
            results.push_back({{"file", p.file}, {"error", p.error}});
            continue;
        }
        const float* pr = probs.data() + row * num_classes;
        ++row;
        std::vector<int> order(static_cast<size_t>(num_classes));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [pr](int a, int b) { return pr[a] > pr[b]; });
        if (json_out) {
            nlohmann::json top = nlohmann::json::array();
            for (int k = 0; k < top_k; ++k) {
                const int c = order[static_cast<size_t>(k)];
                top.push_back({{"class", c}, {"name", names[static_cast<size_t>(c)]}, {"probability", pr[c]}});
            }
            const auto& in = p.info;
            results.push_back({{"file", p.file},
                               {"prediction", order[0]},
                               {"name", names[static_cast<size_t>(order[0])]},
                               {"top", top},
                               {"probabilities", std::vector<float>(pr, pr + num_classes)},
                               {"preprocess",
                                {{"inverted", in.inverted},
                                 {"empty", in.empty},
                                 {"bbox", {in.bbox_x, in.bbox_y, in.bbox_width, in.bbox_height}},
                                 {"scale", in.scale},
                                 {"com_shift", {in.com_shift_x, in.com_shift_y}}}}});
        } else {
            std::printf("%s%s\n", p.file.c_str(), p.info.empty ? "  (no ink found: the picture looks blank)" : "");
            for (int k = 0; k < top_k; ++k) {
                const int c = order[static_cast<size_t>(k)];
                std::printf("  %d. %-12s %6.2f%%\n", k + 1, names[static_cast<size_t>(c)].c_str(), pr[c] * 100.0);
            }
        }
    }
    if (json_out) {
        nlohmann::json doc{{"model_file", args.str("model-file")},
                           {"model", loaded.model.name},
                           {"dataset", dataset},
                           {"class_names", names},
                           {"images", results},
                           {"failed", failed}};
        std::printf("%s\n", doc.dump(2).c_str());
    }
    return failed > 0 ? 1 : 0;
}

}  // namespace bp::cli
