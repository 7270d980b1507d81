// text_trainer.cpp — the language-model training loop of text_trainer.h: sample a window batch, forward, check
// the loss is finite, keep the parameters as the last good ones, backward, clip, AdamW step; evaluate now and
// then. Synchronous; the pause / step / cancel requests are atomics checked between steps.
#include "bp/train/text_trainer.h"

#include <chrono>
#include <cmath>
#include <cstring>

#include "bp/autograd.h"
#include "bp/backend.h"
#include "bp/train/schedule.h"

namespace bp::train {

namespace {

template <class T>
void check_range(const char* field, T value, T lo, T hi, const char* hint = "") {
    if (!(value >= lo && value <= hi))
        throw ConfigError(std::string("text training: ") + field + " = " + std::to_string(value) + " is out of range [" +
                          std::to_string(lo) + ", " + std::to_string(hi) + "]" + hint);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

void TextTrainConfig::validate() const {
    check_range("steps", steps, 1, 10'000'000);
    check_range("batch_size", batch_size, 1, 4096);
    check_range("context", context, 1, 4096);
    if (!(lr > 0) || !std::isfinite(lr) || lr > 10)
        throw ConfigError("text training: lr = " + std::to_string(lr) +
                          " is out of range (0, 10]; typical for GPT-mini with AdamW: 1e-3 to 3e-3");
    check_range("weight_decay", weight_decay, 0.0, 1.0);
    check_range("warmup_steps", warmup_steps, 0, 10'000'000);
    check_range("eval_every", eval_every, 1, 10'000'000);
    check_range("eval_batches", eval_batches, 1, 10'000);
    check_range("grad_clip", grad_clip, 0.0, 1e6, " (0 = off)");
    check_range("threads", threads, 0, 1024, " (0 = all cores)");
    nn::checkpoint_from_string(checkpoint);  // ConfigError naming the choices
}

nlohmann::json TextTrainConfig::to_json() const {
    return {{"steps", steps},           {"batch_size", batch_size},   {"context", context},
            {"lr", lr},                 {"weight_decay", weight_decay}, {"warmup_steps", warmup_steps},
            {"eval_every", eval_every}, {"eval_batches", eval_batches}, {"grad_clip", grad_clip},
            {"seed", seed},             {"threads", threads},         {"checkpoint", checkpoint},
            {"optimizer", "adamw"},
            {"schedule", "warmup + cosine to lr/10"}};
}

double text_validation_loss(models::GptMini& model, const std::vector<int32_t>& val, int64_t batch, int64_t context,
                            int batches, uint64_t seed) {
    autograd::NoGradGuard g;
    const bool was_training = model.is_training();
    model.eval();
    Generator gen(seed);
    double sum = 0;
    for (int i = 0; i < batches; ++i) {
        auto [x, y] = data::sample_text_batch(val, batch, context, gen);
        sum += model.loss(x, y).item();
    }
    model.train(was_training);
    return sum / batches;
}

TextTrainer::TextTrainer(models::GptMini& model, const data::TextCorpus& corpus, TextTrainConfig cfg)
    : model_(model), corpus_(corpus), cfg_(cfg) {
    cfg_.validate();
    if (corpus.tokenizer.vocab_size() > model.options().vocab_size)
        throw ConfigError("text training: the corpus has " + std::to_string(corpus.tokenizer.vocab_size()) +
                          " distinct characters but the model's vocabulary holds only " +
                          std::to_string(model.options().vocab_size) + "; build the model with vocab_size >= " +
                          std::to_string(corpus.tokenizer.vocab_size()));
    if (cfg_.context > model.options().context)
        throw ConfigError("text training: context = " + std::to_string(cfg_.context) + " is longer than the model's " +
                          std::to_string(model.options().context));
    if (static_cast<int64_t>(corpus.val.size()) < cfg_.context + 1 ||
        static_cast<int64_t>(corpus.train.size()) < cfg_.context + 1)
        throw ConfigError("text training: the corpus has " + std::to_string(corpus.train.size()) + " training and " +
                          std::to_string(corpus.val.size()) + " validation characters; each needs at least context + 1 = " +
                          std::to_string(cfg_.context + 1));
    nn::set_checkpointing(model_, nn::checkpoint_from_string(cfg_.checkpoint));  // GPT-mini always has blocks
    // AdamW, β = (0.9, 0.99) as is usual for small character models.
    opt_ = std::make_unique<optim::Adam>(model.parameters(),
                                         optim::AdamOptions{cfg_.lr, 0.9, 0.99, 1e-8, cfg_.weight_decay}, true);
    unigram_ = data::unigram_loss(corpus.train, corpus.val, corpus.tokenizer.vocab_size());
}

TextTrainer::~TextTrainer() = default;

void TextTrainer::request_pause() { paused_ = true; }

void TextTrainer::request_resume() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        paused_ = false;
    }
    cv_.notify_all();
}

void TextTrainer::request_step() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        paused_ = true;
        ++step_budget_;
    }
    cv_.notify_all();
}

void TextTrainer::request_cancel() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        cancel_ = true;
    }
    cv_.notify_all();
}

bool TextTrainer::wait_while_paused() {
    if (!paused_.load() && !cancel_.load()) return true;
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return cancel_.load() || !paused_.load() || step_budget_.load() > 0; });
    if (cancel_) return false;
    if (paused_ && step_budget_ > 0) --step_budget_;
    return true;
}

void TextTrainer::run() {
    set_num_threads(cfg_.threads);
    Generator gen(cfg_.seed);
    const int64_t B = cfg_.batch_size, T = cfg_.context;
    const uint64_t val_seed = cfg_.seed * 1000003ULL + 7;  // the same validation windows at every evaluation
    std::vector<Tensor> params = model_.parameters();
    last_good_.clear();
    for (const Tensor& p : params) last_good_.push_back(p.clone());
    history_.clear();
    failed_ = cancelled_ = false;
    model_.train();

    double train_seconds = 0;
    const auto run_start = std::chrono::steady_clock::now();
    auto evaluate = [&](int step) {
        TextEvalEvent e;
        e.step = step;
        e.val_loss = text_validation_loss(model_, corpus_.val, B, T, cfg_.eval_batches, val_seed);
        e.unigram_loss = unigram_;
        e.seconds = train_seconds;
        history_.push_back(e);
        for (auto* o : observers_) o->on_eval(e);
    };
    auto restore = [&]() {
        autograd::NoGradGuard g;
        for (size_t i = 0; i < params.size(); ++i) params[i].copy_(last_good_[i]);
    };
    auto fail = [&](const std::string& why, int step) {
        restore();
        failed_ = true;
        const std::string msg = why + " at step " + std::to_string(step) +
                                "; training stopped and the parameters of the last good step were restored. Try a "
                                "smaller learning rate (now " + std::to_string(opt_->lr()) + ")";
        for (auto* o : observers_) o->on_failed(msg, step);
    };

    evaluate(0);
    int done = 0;
    // lr(s): linear warm-up over the first warmup_steps steps, then a cosine from lr down to lr/10 at the end.
    for (int step = 1; step <= cfg_.steps; ++step) {
        if (!wait_while_paused()) break;
        const auto t0 = std::chrono::steady_clock::now();
        const double lr = warmup_cosine_lr(step, cfg_.steps, cfg_.warmup_steps, cfg_.lr);
        opt_->set_lr(lr);

        auto [x, y] = data::sample_text_batch(corpus_.train, B, T, gen);
        Tensor loss = model_.loss(x, y);
        const double l = loss.item();
        if (!std::isfinite(l)) {
            fail("the loss became " + std::string(std::isnan(l) ? "NaN" : "infinite"), step);
            return;
        }
        {  // these parameters gave a finite loss: the last good ones
            autograd::NoGradGuard g;
            for (size_t i = 0; i < params.size(); ++i)
                std::memcpy(last_good_[i].raw_data(), params[i].raw_data(), params[i].nbytes());
        }
        opt_->zero_grad();
        loss.backward();
        const double norm = clip_grad_norm(params, cfg_.grad_clip);  // clips only a finite norm
        if (!std::isfinite(norm)) {
            fail("the gradient became " + std::string(std::isnan(norm) ? "NaN" : "infinite"), step);
            return;
        }
        opt_->step();
        train_seconds += seconds_since(t0);
        done = step;

        TextStepEvent e;
        e.step = step;
        e.steps = cfg_.steps;
        e.loss = l;
        e.lr = lr;
        e.tokens_per_second = static_cast<double>(step) * B * T / std::max(train_seconds, 1e-9);
        e.eta_seconds = train_seconds / step * (cfg_.steps - step);
        for (auto* o : observers_) o->on_step(e);
        if (step % cfg_.eval_every == 0 || step == cfg_.steps) evaluate(step);
    }
    cancelled_ = cancel_.load() && done < cfg_.steps;
    TextFinishedEvent f;
    f.cancelled = cancelled_;
    f.steps_completed = done;
    f.total_seconds = seconds_since(run_start);
    for (auto* o : observers_) o->on_finished(f);
}

}  // namespace bp::train
