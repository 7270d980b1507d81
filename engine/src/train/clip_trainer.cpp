// clip_trainer.cpp — the training loop and the measurements of clip_trainer.h.
#include "bp/train/clip_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <tuple>

#include "bp/autograd.h"
#include "bp/backend.h"
#include "bp/data/augment.h"
#include "bp/optim/optimizer.h"
#include "bp/train/schedule.h"

namespace bp::train {

namespace {

template <class T>
void check_range(const char* field, T value, T lo, T hi) {
    if (!(value >= lo && value <= hi))
        throw ConfigError(std::string("clip training: ") + field + " = " + std::to_string(value) +
                          " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/// Restores training mode on scope exit (the evaluations switch to eval mode).
struct EvalMode {
    nn::Module& m;
    bool was;
    explicit EvalMode(nn::Module& mod) : m(mod), was(mod.is_training()) { m.eval(); }
    ~EvalMode() { m.train(was); }
};

std::vector<int64_t> first_n(int64_t n) {
    std::vector<int64_t> v(static_cast<size_t>(n));
    std::iota(v.begin(), v.end(), 0);
    return v;
}

}  // namespace

void ClipTrainConfig::validate() const {
    check_range("epochs", epochs, 1, 100000);
    check_range("steps", steps, 0, 10'000'000);
    check_range("batch_size", batch_size, 2, 4096);  // a contrastive batch needs negatives
    check_range("lr", lr, 1e-8, 10.0);
    check_range("weight_decay", weight_decay, 0.0, 1.0);
    check_range("warmup_steps", warmup_steps, 0, 10'000'000);
    check_range("grad_clip", grad_clip, 0.0, 1e6);
    check_range("train_limit", train_limit, int64_t{0}, int64_t{1} << 40);
    check_range("eval_every", eval_every, 0, 10'000'000);
    check_range("eval_images", eval_images, int64_t{1}, int64_t{1} << 40);
    check_range("similarity_every", similarity_every, 0, 10'000'000);
    check_range("similarity_size", similarity_size, 1, 64);
    check_range("threads", threads, 0, 1024);
    check_range("omit_property", omit_property, 0.0, 1.0);
    check_range("shift_pixels", shift_pixels, 0, 8);
}

std::string positives_name(ClipTrainConfig::Positives p) {
    switch (p) {
        case ClipTrainConfig::Positives::diagonal: return "diagonal";
        case ClipTrainConfig::Positives::same_caption: return "same-caption";
        case ClipTrainConfig::Positives::describing: return "describing";
    }
    return "?";
}

ClipTrainConfig::Positives positives_from_string(const std::string& s) {
    if (s == "diagonal") return ClipTrainConfig::Positives::diagonal;
    if (s == "same-caption") return ClipTrainConfig::Positives::same_caption;
    if (s == "describing") return ClipTrainConfig::Positives::describing;
    throw ConfigError("clip training: positives must be diagonal, same-caption or describing; got '" + s + "'");
}

nlohmann::json ClipTrainConfig::to_json() const {
    return {{"epochs", epochs},           {"steps", steps},
            {"batch_size", batch_size},   {"lr", lr},
            {"weight_decay", weight_decay}, {"warmup_steps", warmup_steps},
            {"grad_clip", grad_clip},     {"train_limit", train_limit},
            {"eval_every", eval_every},   {"eval_images", eval_images},
            {"seed", seed},               {"threads", threads},
            {"omit_property", omit_property},
            {"positives", positives_name(positives)},
            {"shift_pixels", shift_pixels},
            {"optimizer", "adamw"},       {"schedule", "linear warm-up, cosine to lr/10"}};
}

Tensor image_batch(const data::ImageDataset& images, const std::vector<int64_t>& indices) {
    const int64_t n = static_cast<int64_t>(indices.size());
    Tensor x = Tensor::empty({n, 1, images.rows, images.cols}, DType::f32);  // [N, 1, 28, 28]
    data::normalize_images(images, indices.data(), n, x.data<float>());
    return x;
}

Tensor embed_images(models::ClipMini& clip, const data::ImageDataset& images, const std::vector<int64_t>& indices) {
    autograd::NoGradGuard g;
    EvalMode mode(clip);
    std::vector<Tensor> parts;
    for (size_t i = 0; i < indices.size(); i += 500) {
        std::vector<int64_t> chunk(indices.begin() + static_cast<std::ptrdiff_t>(i),
                                   indices.begin() + static_cast<std::ptrdiff_t>(std::min(indices.size(), i + 500)));
        parts.push_back(clip.encode_images(image_batch(images, chunk)));  // [n, E]
    }
    if (parts.empty()) throw ConfigError("embed_images: no pictures");
    return parts.size() == 1 ? parts[0] : concat(parts, 0);  // [N, E]
}

Tensor embed_captions(models::ClipMini& clip, const data::BertVocab& vocab, const std::vector<std::string>& captions) {
    autograd::NoGradGuard g;
    EvalMode mode(clip);
    std::vector<Tensor> parts;
    for (size_t i = 0; i < captions.size(); i += 500) {
        std::vector<std::string> chunk(captions.begin() + static_cast<std::ptrdiff_t>(i),
                                       captions.begin() + static_cast<std::ptrdiff_t>(std::min(captions.size(), i + 500)));
        auto [tokens, mask] = data::encode_captions(chunk, vocab, clip.options().context);
        parts.push_back(clip.encode_texts(tokens, mask));  // [n, E]
    }
    if (parts.empty()) throw ConfigError("embed_captions: no captions");
    return parts.size() == 1 ? parts[0] : concat(parts, 0);  // [N, E]
}

std::vector<double> cosine_matrix(const Tensor& a, const Tensor& b) {
    autograd::NoGradGuard g;
    return linear(a, b, Tensor()).to_vector();  // [N, M]
}

std::vector<Match> top_k(const Tensor& query, const Tensor& candidates, int k) {
    const int64_t E = candidates.size(1);
    if (query.numel() != E)
        throw ShapeError("top_k", query.shape(), candidates.shape(), "a query of E values and candidates [N, E]");
    const std::vector<double> s = cosine_matrix(query.view({1, E}), candidates);  // [N]
    std::vector<Match> all;
    for (size_t i = 0; i < s.size(); ++i) all.push_back({static_cast<int64_t>(i), s[i]});
    const size_t n = std::min(all.size(), static_cast<size_t>(std::max(k, 0)));
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(), [](const Match& x, const Match& y) {
        return x.score > y.score || (x.score == y.score && x.index < y.index);
    });
    all.resize(n);
    return all;
}

ZeroShotResult zero_shot(models::ClipMini& clip, const data::CaptionedImages& test, const data::BertVocab& vocab,
                         int64_t limit, ZeroShotPrompts which) {
    const int64_t n = limit > 0 ? std::min(limit, test.images.count) : test.images.count;
    const int C = static_cast<int>(test.names.size());
    ZeroShotResult r;
    r.images = n;
    std::vector<std::string> all;
    for (const auto& c : test.names) {
        r.prompts.push_back(which == ZeroShotPrompts::plain ? data::zero_shot_prompts(c) : data::zero_shot_ensemble(c));
        all.insert(all.end(), r.prompts.back().begin(), r.prompts.back().end());
    }
    const int P = static_cast<int>(r.prompts[0].size());
    const std::vector<double> t = embed_captions(clip, vocab, all).to_vector();  // [C·P, E]
    const int64_t E = clip.options().embed_dim;
    std::vector<double> cls(static_cast<size_t>(C * E), 0.0);  // class c: the normalised mean of its prompts
    for (int c = 0; c < C; ++c) {
        double norm = 0;
        for (int64_t e = 0; e < E; ++e) {
            double v = 0;
            for (int p = 0; p < P; ++p) v += t[static_cast<size_t>((c * P + p) * E + e)];
            cls[static_cast<size_t>(c * E + e)] = v;
            norm += v * v;
        }
        for (int64_t e = 0; e < E; ++e) cls[static_cast<size_t>(c * E + e)] /= std::sqrt(std::max(norm, 1e-24));
    }
    const Tensor class_emb = Tensor::from_vector({C, E}, cls);
    const std::vector<double> s = cosine_matrix(embed_images(clip, test.images, first_n(n)), class_emb);  // [n, C]
    std::vector<double> right(static_cast<size_t>(C), 0.0), count(static_cast<size_t>(C), 0.0);
    int64_t correct = 0;
    for (int64_t i = 0; i < n; ++i) {
        const double* row = s.data() + i * C;
        const int pred = static_cast<int>(std::max_element(row, row + C) - row);
        const int label = test.images.labels[static_cast<size_t>(i)];
        r.predictions.push_back(pred);
        r.labels.push_back(label);
        count[static_cast<size_t>(label)] += 1;
        if (pred == label) ++correct, right[static_cast<size_t>(label)] += 1;
    }
    r.accuracy = n > 0 ? static_cast<double>(correct) / static_cast<double>(n) : 0.0;
    for (int c = 0; c < C; ++c)
        r.per_class_accuracy.push_back(count[static_cast<size_t>(c)] > 0 ? right[static_cast<size_t>(c)] / count[static_cast<size_t>(c)] : 0.0);
    return r;
}

nlohmann::json RetrievalResult::to_json() const {
    nlohmann::json i2t, t2i;
    for (size_t j = 0; j < ks.size(); ++j) {
        i2t["recall@" + std::to_string(ks[j])] = image_to_text[j];
        t2i["recall@" + std::to_string(ks[j])] = text_to_image[j];
    }
    return {{"candidate_images", images}, {"candidate_captions", captions}, {"image_to_text", i2t}, {"text_to_image", t2i}};
}

RetrievalResult retrieval(models::ClipMini& clip, const data::CaptionedImages& test, const data::BertVocab& vocab,
                          int64_t n) {
    n = std::min(n, test.images.count);
    if (n < 1) throw ConfigError("retrieval: no test pictures");
    RetrievalResult r;
    r.images = n;
    // Distinct captions; a picture's caption id; a caption's relevant pictures are those with the same class and
    // words (whatever held-out template wrote them).
    std::map<std::string, int> id_of;
    std::vector<std::string> captions;
    std::vector<int> caption_of(static_cast<size_t>(n));
    std::map<std::tuple<int, int, int, int>, std::vector<int64_t>> same;  // (label, words) -> pictures
    auto key = [&](int64_t i) {
        const auto& w = test.words[static_cast<size_t>(i)];
        return std::make_tuple(int(test.images.labels[static_cast<size_t>(i)]), int(w.thickness), int(w.slant), int(w.size));
    };
    std::vector<int64_t> query_picture;  // for each distinct caption, one picture it was written for
    for (int64_t i = 0; i < n; ++i) {
        const std::string c = test.held_out_caption(i);
        auto [it, added] = id_of.emplace(c, static_cast<int>(captions.size()));
        if (added) captions.push_back(c), query_picture.push_back(i);
        caption_of[static_cast<size_t>(i)] = it->second;
        same[key(i)].push_back(i);
    }
    r.captions = static_cast<int64_t>(captions.size());
    const std::vector<double> s = cosine_matrix(embed_images(clip, test.images, first_n(n)),
                                                embed_captions(clip, vocab, captions));  // [n, M]
    const int64_t M = r.captions;
    r.image_to_text.assign(r.ks.size(), 0.0);
    r.text_to_image.assign(r.ks.size(), 0.0);
    for (int64_t i = 0; i < n; ++i) {  // image -> text: the rank of the picture's own caption among the M
        const double own = s[static_cast<size_t>(i * M + caption_of[static_cast<size_t>(i)])];
        int64_t better = 0;
        for (int64_t m = 0; m < M; ++m) better += s[static_cast<size_t>(i * M + m)] > own;
        for (size_t j = 0; j < r.ks.size(); ++j) r.image_to_text[j] += better < r.ks[j];
    }
    for (int64_t m = 0; m < M; ++m) {  // text -> image: the best-ranked relevant picture among the n
        const auto& relevant = same[key(query_picture[static_cast<size_t>(m)])];
        double best = -INFINITY;
        for (int64_t i : relevant) best = std::max(best, s[static_cast<size_t>(i * M + m)]);
        int64_t better = 0;
        for (int64_t i = 0; i < n; ++i) better += s[static_cast<size_t>(i * M + m)] > best;
        for (size_t j = 0; j < r.ks.size(); ++j) r.text_to_image[j] += better < r.ks[j];
    }
    for (size_t j = 0; j < r.ks.size(); ++j) {
        r.image_to_text[j] /= static_cast<double>(n);
        r.text_to_image[j] /= static_cast<double>(M);
    }
    return r;
}

ClipResult train_clip(models::ClipMini& clip, const data::CaptionedImages& train, const data::CaptionedImages* eval,
                      const data::BertVocab& vocab, const ClipTrainConfig& cfg, const ClipCallbacks& callbacks) {
    cfg.validate();
    if (vocab.vocab_size() != clip.options().vocab_size)
        throw ConfigError("clip training: the caption vocabulary has " + std::to_string(vocab.vocab_size()) +
                          " ids but the model " + std::to_string(clip.options().vocab_size));
    const int64_t count = cfg.train_limit > 0 ? std::min(cfg.train_limit, train.images.count) : train.images.count;
    if (count < 2) throw ConfigError("clip training: needs at least 2 training pictures; got " + std::to_string(count));
    set_num_threads(cfg.threads);
    data::BatchSampler sampler(count, std::min<int64_t>(cfg.batch_size, count), true, cfg.seed);
    const int per_epoch = static_cast<int>(sampler.batches_per_epoch());
    ClipResult r;
    r.steps_planned = cfg.steps > 0 ? cfg.steps : cfg.epochs * per_epoch;
    const int steps = r.steps_planned;
    std::vector<Tensor> params = clip.parameters();
    optim::Adam opt(params, {.lr = cfg.lr, .weight_decay = cfg.weight_decay}, /*decoupled=*/true);
    LastGood last_good(params);
    std::mt19937_64 pick(cfg.seed * 7919 + 17);  // the training template of each caption
    std::uniform_int_distribution<int> template_of(0, data::caption_train_templates - 1);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    clip.train();
    std::vector<int64_t> idx;
    auto evaluate = [&](int step) {
        if (!eval) return;
        ClipEvalEvent e{step, zero_shot(clip, *eval, vocab, cfg.eval_images).accuracy, r.train_seconds};
        r.history.push_back(e);
        if (callbacks.on_eval) callbacks.on_eval(e);
    };
    if (cfg.eval_every > 0) evaluate(0);
    for (int step = 1; step <= steps; ++step) {
        const auto t0 = std::chrono::steady_clock::now();
        if (!sampler.next(idx)) {
            sampler.start_epoch();
            sampler.next(idx);
        }
        std::vector<std::string> captions;
        std::vector<int> omits;
        for (int64_t i : idx) {  // a training template; each property left unsaid with probability omit_property
            int omit = 0;
            for (int bit : {data::caption_omit_thickness, data::caption_omit_size, data::caption_omit_slant})
                if (unit(pick) < cfg.omit_property) omit |= bit;
            const int64_t label = train.images.labels[static_cast<size_t>(i)];
            captions.push_back(data::make_caption(train.names[static_cast<size_t>(label)], train.words[static_cast<size_t>(i)],
                                                  template_of(pick), omit));
            omits.push_back(omit);
        }
        Tensor images = image_batch(train.images, idx);                             // [B, 1, 28, 28]
        if (cfg.shift_pixels > 0) {  // a shift only: rotating or scaling would change the slant and size the caption says
            const data::AugmentOptions shift{.enabled = true, .max_shift = double(cfg.shift_pixels), .max_rotation_deg = 0,
                                             .min_scale = 1, .max_scale = 1};
            data::augment_batch(images.data<float>(), images.size(0), int(images.size(2)), int(images.size(3)), shift, pick);
        }
        auto [tokens, mask] = data::encode_captions(captions, vocab, clip.options().context);  // [B, T]
        const double lr = warmup_cosine_lr(step, steps, cfg.warmup_steps, cfg.lr);
        opt.set_lr(lr);
        Tensor loss;
        if (cfg.positives == ClipTrainConfig::Positives::describing) {
            const size_t B = idx.size();
            std::vector<uint8_t> pos(B * B);  // caption j describes picture i
            for (size_t a = 0; a < B; ++a)
                for (size_t b = 0; b < B; ++b)
                    pos[a * B + b] = a == b || data::caption_describes(train.images.labels[static_cast<size_t>(idx[b])],
                                                                       train.words[static_cast<size_t>(idx[b])], omits[b],
                                                                       train.images.labels[static_cast<size_t>(idx[a])],
                                                                       train.words[static_cast<size_t>(idx[a])]);
            loss = clip.loss_with_positives(images, tokens, mask, pos);
        } else {
            std::vector<int64_t> ids;  // the caption of each pair: equal captions are positives of each other
            if (cfg.positives == ClipTrainConfig::Positives::same_caption) {
                std::map<std::string, int64_t> id_of;
                for (const auto& c : captions) ids.push_back(id_of.emplace(c, static_cast<int64_t>(id_of.size())).first->second);
            }
            loss = clip.loss(images, tokens, mask, ids);
        }
        const GuardedBackward gb = backward_and_clip(loss, opt, cfg.grad_clip);
        const double l = gb.loss;
        if (!gb.ok()) {
            last_good.restore();
            r.failed = true;
            r.failure = gb.what() + " at step " + std::to_string(step) +
                        "; the parameters of the step before were kept (try a lower --lr)";
            break;
        }
        last_good.keep();
        opt.step();
        clip.clamp_logit_scale();
        const double dt = seconds_since(t0);
        r.train_seconds += dt;
        r.losses.push_back(l);
        r.steps_completed = step;
        ClipStepEvent e;
        e.step = step, e.steps = steps, e.epoch = static_cast<int>(sampler.epoch()) + 1;
        e.loss = l, e.lr = lr, e.temperature = clip.temperature();
        e.images_per_second = static_cast<double>(step) * cfg.batch_size / std::max(r.train_seconds, 1e-9);
        e.eta_seconds = r.train_seconds / step * (steps - step);
        if (cfg.similarity_every > 0 && (step % cfg.similarity_every == 0 || step == steps)) {
            const int64_t n = std::min<int64_t>(cfg.similarity_size, static_cast<int64_t>(idx.size()));
            std::vector<int64_t> first(idx.begin(), idx.begin() + n);
            e.similarity_captions.assign(captions.begin(), captions.begin() + n);
            e.similarity = cosine_matrix(embed_images(clip, train.images, first),
                                         embed_captions(clip, vocab, e.similarity_captions));
            e.similarity_size = static_cast<int>(n);
            e.similarity_images = std::move(first);
        }
        const bool go_on = !callbacks.on_step || callbacks.on_step(e);
        if (cfg.eval_every > 0 && (step % cfg.eval_every == 0 || step == steps || !go_on)) evaluate(step);
        if (!go_on) {
            r.stopped = true;
            break;
        }
    }
    clip.eval();
    return r;
}

}  // namespace bp::train
