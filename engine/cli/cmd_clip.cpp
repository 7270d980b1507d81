// cmd_clip.cpp — CLIP-mini on the command line: `backprop train-clip` (contrastive training on MNIST or
// Fashion-MNIST pictures with captions measured on the pictures, zero-shot accuracy and retrieval recall on the
// test split with held-out templates, the model file and a JSON report) and `backprop retrieve` (a saved model:
// the test pictures that best match a caption, or the captions that best match a picture).
#include <algorithm>
#include <atomic>
#include <cstdio>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb/stb_image_write.h>

#include "args.h"
#include "bp/autograd.h"
#include "bp/backend.h"
#include "bp/data/clip_data.h"
#include "bp/data/preprocess.h"
#include "bp/io/atomic_file.h"
#include "bp/io/clip_file.h"
#include "bp/io/image.h"
#include "bp/train/clip_search.h"
#include "bp/train/clip_trainer.h"
#include "bp/train/report.h"
#include "commands.h"
#include "interrupt.h"
#include "output_check.h"
#include "transformer_flags.h"

namespace bp::cli {

namespace {

std::string pct(double x) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f%%", 100 * x);
    return b;
}

/// "mnist" or "fashion" (also "fashion-mnist") -> the dataset folder name.
std::string dataset_folder(const std::string& s) {
    if (s == "mnist") return "mnist";
    if (s == "fashion" || s == "fashion-mnist") return "fashion-mnist";
    throw UsageError("--dataset expects mnist or fashion; got '" + s + "'");
}

void print_retrieval(const train::RetrievalResult& r) {
    std::printf("retrieval on %lld test pictures and their %lld distinct held-out captions:\n",
                static_cast<long long>(r.images), static_cast<long long>(r.captions));
    std::printf("  image -> text (among %lld captions)  R@1 %s  R@5 %s  R@10 %s\n", static_cast<long long>(r.captions),
                pct(r.image_to_text[0]).c_str(), pct(r.image_to_text[1]).c_str(), pct(r.image_to_text[2]).c_str());
    std::printf("  text -> image (among %lld pictures)  R@1 %s  R@5 %s  R@10 %s\n", static_cast<long long>(r.images),
                pct(r.text_to_image[0]).c_str(), pct(r.text_to_image[1]).c_str(), pct(r.text_to_image[2]).c_str());
}

}  // namespace

int cmd_train_clip(int argc, char** argv) {
    Args args("train-clip",
              "Train CLIP-mini: a small CNN image encoder and a character transformer text encoder, projected into one\n"
              "space and trained with the symmetric contrastive loss over each batch's picture x caption similarities.\n"
              "Captions name the class and properties measured on the picture (thin/thick ink, leaning left/right or\n"
              "upright, small/large), in four training templates; two more are held out for testing. Reports the\n"
              "zero-shot accuracy (held-out prompts) and retrieval recall@1/5/10 both ways on the test split.",
              {{"dataset", "mnist|fashion", "MNIST digits or Fashion-MNIST clothes", "mnist"},
               data_dir_flag(),
               {"epochs", "N", "passes over the training pictures", "1"},
               {"steps", "N", "exactly N steps instead of --epochs (0 = use --epochs)", "0"},
               {"batch-size", "N", "picture-caption pairs per batch (the negatives of each other)", "128"},
               {"train-limit", "N", "use only the first N training pictures (0 = all)", "0"},
               {"lr", "X", "peak learning rate (AdamW; linear warm-up, cosine decay to lr/10)", "0.002"},
               {"warmup", "N", "warm-up steps", "50"},
               {"weight-decay", "X", "AdamW weight decay", "0.01"},
               {"grad-clip", "X", "clip the gradient's global norm (0 = off)", "1"},
               {"block", "gpt2|modern", "text encoder block: gpt2 (LayerNorm, GELU, learned positions) or modern", "gpt2"},
               {"layers", "N", "text encoder blocks", "2"},
               {"heads", "N", "text encoder attention heads", "4"},
               {"dim", "N", "text encoder width (divisible by heads)", "64"},
               {"channels", "C1,C2", "image encoder conv channels", "16,32"},
               {"image-width", "N", "image encoder fully connected width", "128"},
               {"image-norm", "none|bn", "image encoder: no normalisation, or batch norm after each convolution", "none"},
               {"embed-dim", "N", "shared embedding size", "64"},
               {"omit-property", "P", "probability that a training caption leaves a property unsaid", "0.25"},
               {"positives", "diagonal|same-caption|describing",
                "pairs the loss pulls together: picture i with caption i only (CLIP's loss as published), also pairs with\n"
                "the same caption, or also every caption that truly describes the other picture (\"a seven\" all sevens)",
                "describing"},
               {"shift", "N", "shift each training picture by up to N pixels (0 = no augmentation)", "2"},
               {"eval-every", "N", "steps between zero-shot checks on --eval-images test pictures (0 = none)", "100"},
               {"eval-images", "N", "test pictures for the checks during training", "1000"},
               {"test-images", "N", "test pictures for the final zero-shot accuracy (0 = all)", "0"},
               {"retrieval-images", "N", "test pictures (and their captions) for retrieval recall", "1000"},
               {"seed", "N", "random seed (initialisation, batches, templates)", "1"},
               threads_flag(),
               {"out", "FILE", "save the trained model (safetensors; vocabulary and caption thresholds in the metadata)", ""},
               {"report", "FILE", "write a JSON report (config, loss curve, zero-shot per class, recall, timing)", ""},
               {"quiet", "", "only the summary", ""}});
    if (args.parse_or_help(argc, argv, 2)) return 0;
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");
    check_output_flags(args, {"out", "report"});  // before any work
    const std::string dataset = dataset_folder(args.str("dataset"));
    train::ClipTrainConfig cfg;
    cfg.epochs = args.integer("epochs", 1, 100000);
    cfg.steps = args.integer("steps", 0, 10'000'000);
    cfg.batch_size = args.integer("batch-size", 2, 4096);
    cfg.train_limit = args.int64("train-limit", 0, INT64_MAX);
    cfg.lr = args.real("lr", 1e-8, 10);
    cfg.warmup_steps = args.integer("warmup", 0, 10'000'000);
    cfg.weight_decay = args.real("weight-decay", 0, 1);
    cfg.grad_clip = args.real("grad-clip", 0, 1e6);
    cfg.eval_every = args.integer("eval-every", 0, 10'000'000);
    cfg.eval_images = args.int64("eval-images", 1, INT64_MAX);
    cfg.seed = static_cast<uint64_t>(args.int64("seed", 0, INT64_MAX));
    cfg.threads = args.integer("threads", 0, 1024);
    cfg.omit_property = args.real("omit-property", 0, 1);
    cfg.shift_pixels = args.integer("shift", 0, 8);
    try {
        cfg.positives = train::positives_from_string(args.str("positives"));
    } catch (const ConfigError&) {
        throw UsageError("--positives expects diagonal, same-caption or describing; got '" + args.str("positives") + "'");
    }
    const int64_t test_images = args.int64("test-images", 0, INT64_MAX);
    const int64_t retrieval_images = args.int64("retrieval-images", 1, INT64_MAX);
    const bool quiet = args.on("quiet");
    const TransformerSize size = transformer_size_flags(args, nn::BlockKind::gpt2);
    models::ClipOptions o;
    {
        const std::string ch = args.str("channels");
        int c1 = 0, c2 = 0;
        char extra = 0;
        if (std::sscanf(ch.c_str(), "%d,%d%c", &c1, &c2, &extra) != 2 || c1 < 1 || c2 < 1 || c1 > 512 || c2 > 512)
            throw UsageError("--channels expects two numbers C1,C2 in [1, 512], e.g. 16,32; got '" + ch + "'");
        o.channels1 = c1, o.channels2 = c2;
    }
    const data::BertVocab vocab = data::caption_vocab();
    o.vocab_size = vocab.vocab_size();
    o.text_layers = size.layers, o.text_heads = size.heads, o.text_dim = size.dim, o.text_block = size.block;
    o.image_width = args.integer("image-width", 1, 8192);
    {
        const std::string norm = args.str("image-norm");
        if (norm != "bn" && norm != "none") throw UsageError("--image-norm expects bn or none; got '" + norm + "'");
        o.image_batch_norm = norm == "bn";
    }
    o.embed_dim = args.integer("embed-dim", 1, 4096);

    const std::string data_dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
    data::ImageDataset train_images = data::load_image_dataset(data_dir, dataset, "train");
    const data::PropertyThresholds thresholds = data::fit_thresholds(train_images);
    const data::CaptionedImages train_set = data::caption_images(std::move(train_images), thresholds);
    const data::CaptionedImages test_set = data::caption_images(data::load_image_dataset(data_dir, dataset, "test"), thresholds);
    models::ClipMini clip(o);
    {
        Generator init(cfg.seed);
        clip.reset_parameters(init);
    }
    set_num_threads(cfg.threads);
    const int64_t used = cfg.train_limit > 0 ? std::min(cfg.train_limit, train_set.images.count) : train_set.images.count;
    std::printf("train-clip: %s\n  %s: %lld training pictures (of %lld), %lld test pictures; %lld parameters\n"
                "  captions e.g. \"%s\" / \"%s\" (training), \"%s\" (held out)\n  batch %d, AdamW lr %g, %d thread(s)\n",
                clip.repr().c_str(), dataset.c_str(), static_cast<long long>(used),
                static_cast<long long>(train_set.images.count), static_cast<long long>(test_set.images.count),
                static_cast<long long>(clip.parameter_count()), train_set.caption(0, 0).c_str(),
                train_set.caption(0, 1).c_str(), test_set.held_out_caption(0).c_str(), cfg.batch_size, cfg.lr, num_threads());
    std::fflush(stdout);
    std::atomic<bool> stop{false};
    train::ClipResult r;
    {
        // Ctrl-C / SIGTERM: stop at the next step and keep what was trained (saved below, exit 130 / 143).
        InterruptGuard guard([&stop] { stop = true; });
        train::ClipCallbacks cb;
        cb.on_step = [&](const train::ClipStepEvent& e) {
            if (!quiet && (e.step % 25 == 0 || e.step == e.steps || e.step == 1)) {
                std::printf("step %5d/%d  epoch %d  loss %.4f  τ %.4f  lr %.2e  %6.0f pictures/s  ETA %.0fs\n", e.step,
                            e.steps, e.epoch, e.loss, e.temperature, e.lr, e.images_per_second, e.eta_seconds);
                std::fflush(stdout);
            }
            return !stop.load();
        };
        cb.on_eval = [&](const train::ClipEvalEvent& e) {
            if (quiet) return;
            std::printf("eval  step %5d  zero-shot %s on %lld test pictures (held-out prompts)  %.1fs\n", e.step,
                        pct(e.zero_shot_accuracy).c_str(), static_cast<long long>(std::min(cfg.eval_images, test_set.images.count)),
                        e.seconds);
            std::fflush(stdout);
        };
        r = train::train_clip(clip, train_set, &test_set, vocab, cfg, cb);
    }
    const int sig = InterruptGuard::signal_number();
    if (r.failed) {
        std::fprintf(stderr, "backprop train-clip: %s\n", r.failure.c_str());
        return 1;
    }
    const train::ZeroShotResult z = train::zero_shot(clip, test_set, vocab, test_images);
    const train::ZeroShotResult zp = train::zero_shot(clip, test_set, vocab, test_images, train::ZeroShotPrompts::plain);
    const train::RetrievalResult rr = train::retrieval(clip, test_set, vocab, retrieval_images);
    std::printf("%s: %d step(s) in %.1f s training time; zero-shot accuracy %s on %lld test pictures (unseen templates,\n"
                "  %zu prompts per class; %s with only the 2 property-free prompts)\n",
                sig ? "interrupted" : "done", r.steps_completed, r.train_seconds, pct(z.accuracy).c_str(),
                static_cast<long long>(z.images), z.prompts[0].size(), pct(zp.accuracy).c_str());
    std::printf("  per class:");
    for (size_t c = 0; c < z.per_class_accuracy.size(); ++c)
        std::printf(" %s %s", test_set.names[c].symbol.c_str(), pct(z.per_class_accuracy[c]).c_str());
    std::printf("\n");
    print_retrieval(rr);
    nlohmann::json per_class = nlohmann::json::object();
    for (size_t c = 0; c < z.per_class_accuracy.size(); ++c) per_class[test_set.names[c].word] = z.per_class_accuracy[c];
    const nlohmann::json captions{{"dataset", dataset}, {"thresholds", thresholds.to_json()}};
    nlohmann::json summary{{"dataset", dataset},
                           {"train_pictures", used},
                           {"steps_completed", r.steps_completed},
                           {"train_seconds", r.train_seconds},
                           {"temperature", clip.temperature()},
                           {"zero_shot_accuracy", z.accuracy},
                           {"zero_shot_accuracy_plain_prompts", zp.accuracy},
                           {"zero_shot_images", z.images},
                           {"retrieval", rr.to_json()},
                           {"interrupted", sig != 0},
                           {"config", cfg.to_json()}};
    if (args.has("out")) {
        io::save_clip(args.str("out"), clip, vocab, captions, summary);
        std::printf("saved %s\n", args.str("out").c_str());
    }
    if (args.has("report")) {
        nlohmann::json report = summary;
        report["model"] = {{"name", "clip_mini"}, {"options", o.to_json()}, {"parameters", clip.parameter_count()}};
        report["zero_shot"] = {{"accuracy", z.accuracy}, {"images", z.images}, {"per_class", per_class},
                               {"prompts_per_class", z.prompts[0].size()},
                               {"method", "prompt ensemble: every caption the held-out templates write for the class"},
                               {"plain_prompts", zp.prompts}, {"plain_accuracy", zp.accuracy},
                               {"templates", "held out (never used in training)"}};
        report["captions"] = captions;
        report["loss_curve"] = r.losses;
        nlohmann::json evals = nlohmann::json::array();
        for (const auto& e : r.history)
            evals.push_back({{"step", e.step}, {"zero_shot_accuracy", e.zero_shot_accuracy}, {"seconds", e.seconds}});
        report["eval"] = evals;
        report["machine"] = train::machine_info();
        train::write_json(args.str("report"), report);
        std::printf("wrote report to %s\n", args.str("report").c_str());
    }
    std::fflush(stdout);
    if (sig) {
        std::fprintf(stderr, "backprop train-clip: interrupted by %s at step %d of %d%s\n", InterruptGuard::signal_name(),
                     r.steps_completed, r.steps_planned,
                     args.has("out") ? "; the model trained so far is saved" : "; no --out given, nothing saved");
        return InterruptGuard::exit_code();
    }
    return 0;
}

namespace {

/// The pictures `indices` of `images` side by side (up to 10 a row) as an 8-bit grey PNG, written atomically.
void save_grid(const std::string& path, const data::ImageDataset& images, const std::vector<int64_t>& indices) {
    const int per_row = static_cast<int>(std::min<size_t>(10, std::max<size_t>(1, indices.size())));
    const int rows = static_cast<int>((indices.size() + per_row - 1) / per_row);
    const int side = static_cast<int>(images.rows), gap = 2;
    const int W = per_row * (side + gap) + gap, H = std::max(rows, 1) * (side + gap) + gap;
    std::vector<unsigned char> px(static_cast<size_t>(W * H), 64);
    for (size_t k = 0; k < indices.size(); ++k) {
        const int gx = gap + static_cast<int>(k % per_row) * (side + gap), gy = gap + static_cast<int>(k / per_row) * (side + gap);
        const uint8_t* src = images.pixels.data() + indices[k] * images.rows * images.cols;
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x) px[static_cast<size_t>((gy + y) * W + gx + x)] = src[y * images.cols + x];
    }
    std::string bytes;
    stbi_write_png_to_func([](void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<char*>(data), size); },
                           &bytes, W, H, 1, px.data(), W);
    if (bytes.empty()) throw DataError(path + ": could not encode the PNG");
    io::write_file_atomic(path, bytes);
}

}  // namespace

int cmd_retrieve(int argc, char** argv) {
    Args args("retrieve",
              "Search with a CLIP-mini model saved by 'backprop train-clip --out': --text CAPTION lists the test pictures\n"
              "that match it best (index, label, the picture's own caption, cosine score); --image PNG lists the captions\n"
              "that match a picture best, among every caption the held-out template 'a picture of ...' can write.",
              {{"model-file", "FILE", "the saved CLIP model (.safetensors)", ""},
               {"text", "CAPTION", "a caption, e.g. \"a thin 4\" (lower-case letters, digits and ,-/:)", ""},
               {"image", "PNG", "a picture (PNG or JPEG; preprocessed as 'backprop predict' does)", ""},
               {"evaluate", "", "instead: zero-shot accuracy and retrieval recall on the test split (held-out templates)", ""},
               {"top", "K", "how many results", "10"},
               {"images", "N", "with --text / --evaluate: the first N test pictures (0 = all)", "0"},
               {"save-grid", "PNG", "with --text: also save the top pictures side by side as a PNG", ""},
               data_dir_flag(),
               {"json", "FILE", "also write the results as JSON", ""},
               threads_flag()});
    if (args.parse_or_help(argc, argv, 2)) return 0;
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");
    if (!args.has("model-file") || args.str("model-file").empty())
        throw UsageError("--model-file is required: a model saved by 'backprop train-clip --out FILE'");
    if (int(args.has("text")) + int(args.has("image")) + int(args.on("evaluate")) != 1)
        throw UsageError("give exactly one of --text CAPTION, --image PNG and --evaluate");
    if (args.has("save-grid") && !args.has("text")) throw UsageError("--save-grid goes with --text");
    check_output_flags(args, {"save-grid", "json"});
    const int k = args.integer("top", 1, 1000);
    const int64_t limit = args.int64("images", 0, INT64_MAX);
    set_num_threads(args.integer("threads", 0, 1024));
    io::LoadedClip c = io::load_clip(args.str("model-file"));
    nlohmann::json results = nlohmann::json::array();
    if (args.on("evaluate")) {
        const std::string data_dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
        const data::CaptionedImages test =
            data::caption_images(data::load_image_dataset(data_dir, c.dataset, "test"), c.thresholds);
        const int64_t n = limit > 0 ? std::min(limit, test.images.count) : test.images.count;
        const train::ZeroShotResult z = train::zero_shot(*c.model, test, c.vocab, n);
        const train::ZeroShotResult zp = train::zero_shot(*c.model, test, c.vocab, n, train::ZeroShotPrompts::plain);
        const train::RetrievalResult rr = train::retrieval(*c.model, test, c.vocab, std::min<int64_t>(n, 1000));
        std::printf("zero-shot accuracy on %lld %s test pictures (held-out templates): %s with %zu prompts per class, "
                    "%s with the 2 property-free ones\n",
                    static_cast<long long>(n), c.dataset.c_str(), pct(z.accuracy).c_str(), z.prompts[0].size(),
                    pct(zp.accuracy).c_str());
        print_retrieval(rr);
        results = {{"zero_shot_accuracy", z.accuracy}, {"zero_shot_accuracy_plain_prompts", zp.accuracy},
                   {"images", n}, {"retrieval", rr.to_json()}};
    } else if (args.has("text")) {
        const std::string text = args.str("text");
        if (text.empty()) throw UsageError("--text needs a caption; got ''");
        for (char ch : text)
            if (!c.vocab.tokenizer().contains(static_cast<unsigned char>(ch)))
                throw UsageError("--text: the character '" + std::string(1, ch) +
                                 "' is not in the caption vocabulary (lower-case letters, digits, space and ,-/:)");
        const std::string data_dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
        const data::CaptionedImages test =
            data::caption_images(data::load_image_dataset(data_dir, c.dataset, "test"), c.thresholds);
        const int64_t n = limit > 0 ? std::min(limit, test.images.count) : test.images.count;
        std::vector<int64_t> idx(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = i;
        const auto best = train::search_images(*c.model, c.vocab, text, train::embed_images(*c.model, test.images, idx), k);
        std::printf("\"%s\": the %zu best of %lld %s test pictures\n", text.c_str(), best.size(),
                    static_cast<long long>(n), c.dataset.c_str());
        std::printf("%6s  %-5s  %-7s  %s\n", "index", "label", "score", "the picture's caption (held-out template 4)");
        std::vector<int64_t> shown;
        for (const auto& m : best) {
            const std::string label = test.names[test.images.labels[static_cast<size_t>(m.index)]].symbol;
            const std::string own = test.caption(m.index, data::caption_train_templates);
            std::printf("%6lld  %-5s  %.4f  %s\n", static_cast<long long>(m.index), label.c_str(), m.score, own.c_str());
            results.push_back({{"index", m.index}, {"label", label}, {"score", m.score}, {"caption", own}});
            shown.push_back(m.index);
        }
        if (args.has("save-grid")) {
            save_grid(args.str("save-grid"), test.images, shown);
            std::printf("saved %s\n", args.str("save-grid").c_str());
        }
    } else {
        const io::GrayImage img = io::load_gray_image(args.str("image"));
        const Tensor emb = train::embed_picture(*c.model, data::mnist_preprocess(img));
        // Every caption the held-out template 4 can write: classes × thickness × size × slant.
        const std::vector<std::string> captions = train::caption_candidates(c.dataset);
        const auto best = train::top_k(emb, train::embed_captions(*c.model, c.vocab, captions), k);
        std::printf("%s: the %zu best of %zu captions\n", args.str("image").c_str(), best.size(), captions.size());
        for (const auto& m : best) {
            std::printf("  %.4f  %s\n", m.score, captions[static_cast<size_t>(m.index)].c_str());
            results.push_back({{"caption", captions[static_cast<size_t>(m.index)]}, {"score", m.score}});
        }
    }
    if (args.has("json")) train::write_json(args.str("json"), {{"model_file", args.str("model-file")}, {"results", results}});
    return 0;
}

}  // namespace bp::cli
