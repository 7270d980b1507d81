// bert_trainer.cpp — the pre-training and fine-tuning loops of bert_trainer.h. Each step: a batch, forward, a
// finite-loss check (else restore the last good parameters and stop), backward, clip, AdamW step.
#include "bp/train/bert_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <tuple>

#include "bp/autograd.h"
#include "bp/backend.h"
#include "bp/optim/optimizer.h"
#include "bp/train/schedule.h"

namespace bp::train {

namespace {

template <class T>
void check_range(const char* what, const char* field, T value, T lo, T hi) {
    if (!(value >= lo && value <= hi))
        throw ConfigError(std::string(what) + ": " + field + " = " + std::to_string(value) + " is out of range [" +
                          std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}


}  // namespace

void MlmTrainConfig::validate() const {
    const char* w = "bert pre-training";
    check_range(w, "steps", steps, 1, 10'000'000);
    check_range(w, "batch_size", batch_size, 1, 4096);
    check_range(w, "context", context, 2, 4096);
    check_range(w, "lr", lr, 1e-8, 10.0);
    check_range(w, "weight_decay", weight_decay, 0.0, 1.0);
    check_range(w, "warmup_steps", warmup_steps, 0, 10'000'000);
    check_range(w, "eval_every", eval_every, 1, 10'000'000);
    check_range(w, "eval_batches", eval_batches, 1, 10'000);
    check_range(w, "grad_clip", grad_clip, 0.0, 1e6);
    check_range(w, "threads", threads, 0, 1024);
    check_range(w, "mask select", mask.select, 1e-6, 1.0);
}

nlohmann::json MlmTrainConfig::to_json() const {
    return {{"steps", steps},
            {"batch_size", batch_size},
            {"context", context},
            {"lr", lr},
            {"weight_decay", weight_decay},
            {"warmup_steps", warmup_steps},
            {"eval_every", eval_every},
            {"eval_batches", eval_batches},
            {"grad_clip", grad_clip},
            {"seed", seed},
            {"threads", threads},
            {"mask", {{"select", mask.select}, {"use_mask", mask.use_mask}, {"use_random", mask.use_random}}},
            {"optimizer", "adamw"},
            {"schedule", "warmup + cosine to lr/10"}};
}

MlmResult pretrain_bert(models::BertMini& bert, const data::BertVocab& vocab, const data::TextCorpus& corpus,
                        const MlmTrainConfig& cfg, const MlmCallbacks& cb) {
    cfg.validate();
    if (vocab.vocab_size() != bert.options().vocab_size)
        throw ConfigError("bert pre-training: the vocabulary has " + std::to_string(vocab.vocab_size()) +
                          " ids (characters + 3 specials) but the model " + std::to_string(bert.options().vocab_size));
    if (cfg.context > bert.options().context)
        throw ConfigError("bert pre-training: context = " + std::to_string(cfg.context) + " is longer than the model's " +
                          std::to_string(bert.options().context));
    if (static_cast<int64_t>(corpus.val.size()) < cfg.context || static_cast<int64_t>(corpus.train.size()) < cfg.context)
        throw ConfigError("bert pre-training: the corpus has " + std::to_string(corpus.train.size()) + " training and " +
                          std::to_string(corpus.val.size()) + " validation characters; each needs at least context = " +
                          std::to_string(cfg.context));
    set_num_threads(cfg.threads);
    std::vector<Tensor> params = bert.parameters();
    optim::Adam opt(params, optim::AdamOptions{cfg.lr, 0.9, 0.99, 1e-8, cfg.weight_decay}, true);
    LastGood last_good(params);
    const models::CharPredictionStats unigram =
        models::unigram_baseline(corpus.train, corpus.val, vocab.characters());
    const uint64_t val_seed = cfg.seed * 1000003ULL + 7;
    Generator gen(cfg.seed);
    const int64_t B = cfg.batch_size, T = cfg.context;
    MlmResult r;
    bert.train();
    auto evaluate = [&](int step) {
        const models::CharPredictionStats s =
            models::bert_mlm_eval(bert, vocab, corpus.val, B, T, cfg.eval_batches, val_seed);
        MlmEvalEvent e{step, s.loss, s.accuracy, unigram.loss, unigram.accuracy, r.train_seconds};
        r.history.push_back(e);
        if (cb.on_eval) cb.on_eval(e);
    };
    evaluate(0);
    for (int step = 1; step <= cfg.steps; ++step) {
        const auto t0 = std::chrono::steady_clock::now();
        const double lr = warmup_cosine_lr(step, cfg.steps, cfg.warmup_steps, cfg.lr);
        opt.set_lr(lr);
        data::MlmBatch batch = data::mask_for_mlm(data::sample_mlm_windows(corpus.train, vocab, B, T, gen), vocab, gen, cfg.mask);
        Tensor loss = bert.mlm_loss(batch);
        const GuardedBackward gb = backward_and_clip(loss, opt, cfg.grad_clip);
        const double l = gb.loss;
        if (!gb.ok()) {
            last_good.restore();
            r.failed = true;
            r.failure = gb.what() + " at step " + std::to_string(step) + "; the parameters of the last good step were restored. "
                        "Try a smaller learning rate (now " + std::to_string(lr) + ")";
            return r;
        }
        last_good.keep();  // before the update: these parameters gave a finite loss and gradient
        opt.step();
        r.train_seconds += seconds_since(t0);
        r.steps_completed = step;
        MlmStepEvent e{step, cfg.steps, l, lr, static_cast<double>(step) * B * T / std::max(r.train_seconds, 1e-9),
                       r.train_seconds / step * (cfg.steps - step)};
        const bool go_on = !cb.on_step || cb.on_step(e);
        if (step % cfg.eval_every == 0 || step == cfg.steps || !go_on) evaluate(step);
        if (!go_on) break;
    }
    return r;
}

void FineTuneConfig::validate() const {
    const char* w = "fine-tuning";
    check_range(w, "epochs", epochs, 1, 100'000);
    check_range(w, "batch_size", batch_size, 1, 4096);
    check_range(w, "lr", lr, 1e-8, 10.0);
    check_range(w, "head_lr_scale", head_lr_scale, 1e-3, 1e3);
    check_range(w, "weight_decay", weight_decay, 0.0, 1.0);
    check_range(w, "warmup_fraction", warmup_fraction, 0.0, 1.0);
    check_range(w, "grad_clip", grad_clip, 0.0, 1e6);
    check_range(w, "threads", threads, 0, 1024);
}

nlohmann::json FineTuneConfig::to_json() const {
    return {{"epochs", epochs},       {"batch_size", batch_size}, {"lr", lr}, {"head_lr_scale", head_lr_scale},
            {"weight_decay", weight_decay}, {"warmup_fraction", warmup_fraction}, {"grad_clip", grad_clip},
            {"seed", seed},           {"threads", threads},       {"optimizer", "adamw"},
            {"schedule", "warmup + cosine to lr/10"}, {"freeze_encoder", freeze_encoder}};
}

namespace {
std::vector<std::string> texts_of(const std::vector<data::LabelledText>& v, size_t from, size_t to) {
    std::vector<std::string> out;
    for (size_t i = from; i < to; ++i) out.push_back(v[i].text);
    return out;
}
}  // namespace

std::shared_ptr<models::BertMini> model_for_fine_tuning(const models::BertMini& like, bool from_pretrained,
                                                        int64_t num_classes, models::BertOptions::Pooling pooling,
                                                        int64_t context, uint64_t seed) {
    models::BertOptions o = like.options();
    o.num_classes = num_classes;
    o.pooling = pooling;
    if (context > 0) {
        if (o.block == nn::BlockKind::gpt2 && context > o.context)
            throw ConfigError("fine-tuning: context = " + std::to_string(context) + " is longer than the " +
                              std::to_string(o.context) + " positions this gpt2-block model learned; only a "
                              "modern-block model (RoPE, relative positions) reads texts longer than its pre-training");
        o.context = context;
    }
    auto m = std::make_shared<models::BertMini>(o);
    Generator init(seed);
    m->reset_parameters(init);
    if (from_pretrained) m->load_encoder_from(like);
    return m;
}

std::pair<double, double> classification_accuracy_loss(models::BertMini& bert, const data::BertVocab& vocab,
                                                       const std::vector<data::LabelledText>& texts,
                                                       std::vector<int>* predictions) {
    if (texts.empty()) throw ConfigError("classification accuracy: no texts");
    autograd::NoGradGuard g;
    const bool was_training = bert.is_training();
    bert.eval();
    models::CharPredictionStats s;
    if (predictions) predictions->clear();
    for (size_t i = 0; i < texts.size(); i += 64) {
        const size_t j = std::min(texts.size(), i + 64);
        auto [x, mask] = data::encode_for_classification(texts_of(texts, i, j), vocab, bert.options().context, true);
        std::vector<double> y;
        for (size_t k = i; k < j; ++k) y.push_back(texts[k].label);
        Tensor logits = bert.classify(x, mask);  // [n, classes]
        s.add(logits, Tensor::from_vector({static_cast<int64_t>(j - i)}, y, DType::i32));
        if (predictions) {
            const std::vector<double> z = logits.to_vector();
            const int64_t C = logits.size(1);
            for (size_t k = 0; k < j - i; ++k)
                predictions->push_back(static_cast<int>(std::max_element(z.begin() + k * C, z.begin() + (k + 1) * C) -
                                                        (z.begin() + k * C)));
        }
    }
    bert.train(was_training);
    return {s.accuracy, s.loss};
}

FineTuneResult fine_tune(models::BertMini& bert, const data::BertVocab& vocab, const data::TextClassificationTask& task,
                         const FineTuneConfig& cfg, const std::function<bool(const FineTuneEpoch&)>& on_epoch) {
    cfg.validate();
    if (static_cast<int64_t>(task.classes.size()) != bert.options().num_classes)
        throw ConfigError("fine-tuning: the task has " + std::to_string(task.classes.size()) + " classes but the model's "
                          "classifier " + std::to_string(bert.options().num_classes));
    if (vocab.vocab_size() != bert.options().vocab_size)
        throw ConfigError("fine-tuning: the vocabulary does not fit the model (" + std::to_string(vocab.vocab_size()) +
                          " vs " + std::to_string(bert.options().vocab_size) + " ids)");
    if (task.train.empty() || task.test.empty()) throw ConfigError("fine-tuning: the task has no training or no test texts");
    set_num_threads(cfg.threads);
    Generator gen(cfg.seed);
    bert.reset_classifier(gen);
    // Two optimizers, so that the new head and the encoder each have their own learning rate; with freeze_encoder
    // the encoder's holds no parameter and its parameters stop requiring gradients for the run.
    std::vector<Tensor> head = bert.classifier->parameters(), encoder;
    struct Unfreeze {  // the encoder requires gradients again however the run ends
        std::vector<Tensor> frozen;
        ~Unfreeze() {
            for (Tensor& p : frozen) p.set_requires_grad(true);
        }
    } unfreeze;
    for (auto& [name, p] : bert.named_parameters()) {
        if (name.rfind("classifier.", 0) == 0) continue;
        if (!cfg.freeze_encoder) encoder.push_back(p);
        else if (p.requires_grad()) {
            p.set_requires_grad(false);
            unfreeze.frozen.push_back(p);
        }
    }
    const optim::AdamOptions adam{cfg.lr, 0.9, 0.999, 1e-8, cfg.weight_decay};
    optim::Adam opt_head(head, adam, true), opt_encoder(encoder, adam, true);
    std::vector<optim::Optimizer*> opts{&opt_head};
    if (!encoder.empty()) opts.push_back(&opt_encoder);
    std::vector<Tensor> params = head;
    params.insert(params.end(), encoder.begin(), encoder.end());
    LastGood last_good(params);
    const int64_t N = static_cast<int64_t>(task.train.size()), B = cfg.batch_size;
    const int per_epoch = static_cast<int>((N + B - 1) / B), total = per_epoch * cfg.epochs;
    const int warmup = static_cast<int>(cfg.warmup_fraction * total);
    FineTuneResult r;
    double seconds = 0;
    auto report = [&](int epoch, double train_loss) {
        FineTuneEpoch e;
        e.epoch = epoch;
        e.train_loss = train_loss;
        std::tie(e.test_accuracy, e.test_loss) = classification_accuracy_loss(bert, vocab, task.test, &r.test_predictions);
        e.train_accuracy = classification_accuracy_loss(bert, vocab, task.train).first;
        e.seconds = seconds;
        r.epochs.push_back(e);
        return !on_epoch || on_epoch(e);
    };
    if (!report(0, 0)) return r;
    std::vector<size_t> order(static_cast<size_t>(N));
    std::iota(order.begin(), order.end(), 0);
    bert.train();
    int step = 0;
    for (int epoch = 1; epoch <= cfg.epochs; ++epoch) {
        const auto t0 = std::chrono::steady_clock::now();
        std::shuffle(order.begin(), order.end(), gen.engine());
        double loss_sum = 0;
        for (int64_t i = 0; i < N; i += B) {
            ++step;
            const double lr = warmup_cosine_lr(step, total, warmup, cfg.lr);
            opt_encoder.set_lr(lr);
            opt_head.set_lr(lr * cfg.head_lr_scale);
            std::vector<std::string> texts;
            std::vector<double> labels;
            for (int64_t k = i; k < std::min(N, i + B); ++k) {
                texts.push_back(task.train[order[static_cast<size_t>(k)]].text);
                labels.push_back(task.train[order[static_cast<size_t>(k)]].label);
            }
            auto [x, mask] = data::encode_for_classification(texts, vocab, bert.options().context, true);
            Tensor y = Tensor::from_vector({static_cast<int64_t>(labels.size())}, labels, DType::i32);
            Tensor loss = cross_entropy(bert.classify(x, mask), y);
            const GuardedBackward gb = backward_and_clip(loss, opts, cfg.grad_clip);
            const double l = gb.loss;
            if (!gb.ok()) {
                last_good.restore();
                r.failed = true;
                r.failure = gb.what() + " in epoch " + std::to_string(epoch) +
                            "; the parameters of the last good step were restored. Try a smaller learning rate";
                return r;
            }
            last_good.keep();
            for (optim::Optimizer* o : opts) o->step();
            loss_sum += l * static_cast<double>(labels.size());
        }
        seconds += seconds_since(t0);
        if (!report(epoch, loss_sum / static_cast<double>(N))) break;
    }
    return r;
}

}  // namespace bp::train
