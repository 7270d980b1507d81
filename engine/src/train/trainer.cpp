// trainer.cpp — the training loop: batches from a seeded sampler, forward, fused cross-entropy, backward,
// optimizer step; observers hear about every batch and epoch. Parameters are snapshotted every few hundred
// steps so that a NaN/inf loss can restore the last good ones.
#include "bp/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "bp/autograd.h"
#include "bp/backend.h"
#include "bp/device.h"
#include "bp/precision.h"
#include "bp/ops.h"
#include "bp/nn/transformer.h"

namespace bp::train {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

constexpr int64_t kSnapshotEvery = 200;  // steps between parameter snapshots (a copy costs ~one batch)

// Fill x [B, 1, H, W] and y [B] from the dataset rows in idx.
void load_batch(const data::ImageDataset& ds, const std::vector<int64_t>& idx, Tensor& x, Tensor& y) {
    const int64_t n = static_cast<int64_t>(idx.size());
    if (!x.defined() || x.size(0) != n) {
        x = Tensor::empty({n, 1, ds.rows, ds.cols});
        y = Tensor::empty({n}, DType::i32);
    }
    data::normalize_images(ds, idx.data(), n, x.data<float>());
    int32_t* yp = y.data<int32_t>();
    for (int64_t i = 0; i < n; ++i) yp[i] = ds.labels[static_cast<size_t>(idx[static_cast<size_t>(i)])];
}

int64_t count_correct(const Tensor& logits_any, const Tensor& y) {
    const Tensor logits = logits_any.to(Device::cpu);  // from the GPU when the model runs there
    const int64_t n = logits.size(0), c = logits.size(1);
    const float* z = logits.data<float>();
    const int32_t* t = y.data<int32_t>();
    int64_t correct = 0;
    for (int64_t i = 0; i < n; ++i, z += c)
        correct += (std::max_element(z, z + c) - z) == t[i];
    return correct;
}
}  // namespace

void TrainConfig::validate() const {
    auto bad = [](const std::string& field, const std::string& value, const std::string& allowed) {
        throw ConfigError(field + " = " + value + " is out of range; " + allowed);
    };
    if (epochs < 1 || epochs > 10000) bad("epochs", std::to_string(epochs), "use 1 to 10000");
    if (batch_size < 1 || batch_size > 65536) bad("batch size", std::to_string(batch_size), "use 1 to 65536 (typical: 32–256)");
    if (!(lr > 0) || !std::isfinite(lr) || lr > 10) bad("learning rate", std::to_string(lr), "use a positive value ≤ 10 (typical: 1e-3 for Adam)");
    if (weight_decay < 0 || !std::isfinite(weight_decay)) bad("weight decay", std::to_string(weight_decay), "use 0 or a small positive value");
    if (momentum < 0 || momentum >= 1) bad("momentum", std::to_string(momentum), "use a value in [0, 1)");
    if (threads < 0 || threads > 1024) bad("threads", std::to_string(threads), "use 0 (all cores) or a positive count");
    if (train_limit < 0 || test_limit < 0) bad("limit", std::to_string(std::min(train_limit, test_limit)), "use 0 (all) or a positive count");
    if (step_epochs < 1) bad("step epochs", std::to_string(step_epochs), "use 1 or more");
    if (!(gamma > 0) || gamma > 1) bad("gamma", std::to_string(gamma), "use a factor in (0, 1]");
    if (!(warmup_fraction >= 0) || warmup_fraction > 1) bad("warmup fraction", std::to_string(warmup_fraction), "use a share in [0, 1]");
    if (!(label_smoothing >= 0) || label_smoothing >= 1) bad("label smoothing", std::to_string(label_smoothing), "use a value in [0, 1), e.g. 0.1");
    optim::LrSchedule::validate(schedule);
    augment.validate();
    models::find_model(model);
    resolve_device(device);            // ConfigError with the reason when cuda is asked for and unusable
    precision_from_string(precision);  // ConfigError naming the choices
    nn::checkpoint_from_string(checkpoint);  // ConfigError naming the choices
    optim::make_optimizer(optimizer, {}, lr, weight_decay, momentum);  // validates the name and options
}

nlohmann::json TrainConfig::to_json() const {
    return {{"model", model},         {"dataset", dataset},     {"epochs", epochs},       {"batch_size", batch_size},
            {"lr", lr},               {"optimizer", optimizer}, {"weight_decay", weight_decay}, {"momentum", momentum},
            {"schedule", schedule},   {"step_epochs", step_epochs}, {"gamma", gamma},     {"seed", seed},
            {"threads", threads},     {"train_limit", train_limit}, {"test_limit", test_limit},
            {"augment", augment.enabled}, {"device", device}, {"precision", precision},
            {"warmup_fraction", warmup_fraction}, {"label_smoothing", label_smoothing}, {"checkpoint", checkpoint}};
}

Tensor predict_proba(nn::Module& net, const Tensor& images) {
    autograd::NoGradGuard g;
    return softmax(net.forward(images.to(net.device()))).to(Device::cpu);
}

Evaluation evaluate(nn::Module& net, const data::ImageDataset& ds, int64_t limit, int64_t batch_size) {
    autograd::NoGradGuard g;
    const bool was_training = net.is_training();
    net.eval();
    const int64_t n = limit > 0 ? std::min(limit, ds.count) : ds.count;
    Evaluation ev;
    ev.predictions.resize(static_cast<size_t>(n));
    ConfusionAccumulator acc(ds.num_classes);
    double loss_sum = 0;
    Tensor x, y;
    std::vector<int64_t> idx;
    for (int64_t start = 0; start < n; start += batch_size) {
        const int64_t b = std::min(batch_size, n - start);
        idx.resize(static_cast<size_t>(b));
        for (int64_t i = 0; i < b; ++i) idx[static_cast<size_t>(i)] = start + i;
        load_batch(ds, idx, x, y);
        Tensor logits = net.forward(x.to(net.device()));
        loss_sum += cross_entropy(logits, y.to(logits.device())).item() * static_cast<double>(b);
        logits = logits.to(Device::cpu);
        const int64_t c = logits.size(1);
        const float* z = logits.data<float>();
        for (int64_t i = 0; i < b; ++i, z += c) {
            int pred = static_cast<int>(std::max_element(z, z + c) - z);
            ev.predictions[static_cast<size_t>(start + i)] = pred;
            acc.add(ds.labels[static_cast<size_t>(start + i)], pred);
        }
    }
    ev.loss = n ? loss_sum / static_cast<double>(n) : 0.0;
    ev.metrics = acc.finish();
    net.train(was_training);
    return ev;
}

Trainer::Trainer(models::Model& model, const data::ImageDataset& train, const data::ImageDataset* test, TrainConfig cfg)
    : model_(model), train_(train), test_(test), cfg_(std::move(cfg)) {
    cfg_.validate();
    if (train_.count == 0) throw DataError("training set '" + train_.name + "' is empty");
    Shape sample{1, train_.rows, train_.cols};
    if (sample != model_.input_shape)
        throw ShapeError("trainer: the dataset's images " + shape_str(sample) + " do not fit model '" + model_.name +
                         "', which expects " + shape_str(model_.input_shape));
    set_precision(precision_from_string(cfg_.precision));
    const nn::Checkpoint checkpoint = nn::checkpoint_from_string(cfg_.checkpoint);
    if (nn::set_checkpointing(*model_.net, checkpoint) == 0 && checkpoint != nn::Checkpoint::off)
        throw ConfigError("checkpoint: model '" + model_.name +
                          "' has no transformer blocks to checkpoint; it applies to transformer models such as vit");
    model_.net->to(resolve_device(cfg_.device));  // before the optimizer, whose state follows the parameters
    opt_ = optim::make_optimizer(cfg_.optimizer, model_.net->parameters(), cfg_.lr, cfg_.weight_decay, cfg_.momentum);
    schedule_.kind = cfg_.schedule;
    schedule_.base_lr = cfg_.lr;
    schedule_.gamma = cfg_.gamma;
    schedule_.step_epochs = cfg_.step_epochs;
    schedule_.warmup_fraction = cfg_.warmup_fraction;
    augment_rng_.seed(cfg_.seed * 7919 + 17);  // its own stream: augmentation does not shift the shuffling
}

Trainer::~Trainer() = default;

void Trainer::request_pause() { paused_ = true; }

void Trainer::request_resume() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        paused_ = false;
    }
    cv_.notify_all();
}

void Trainer::request_step() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        paused_ = true;
        ++steps_allowed_;
    }
    cv_.notify_all();
}

void Trainer::request_cancel() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        cancel_ = true;
    }
    cv_.notify_all();
}

void Trainer::set_learning_rate(double lr) {
    if (!(lr > 0) || !std::isfinite(lr) || lr > 10)
        throw ConfigError("learning rate " + std::to_string(lr) + " is out of range; use a positive value ≤ 10");
    pending_lr_ = lr;
}

bool Trainer::wait_while_paused() {
    if (!paused_.load() && !cancel_.load()) return true;
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return cancel_.load() || !paused_.load() || steps_allowed_.load() > 0; });
    if (cancel_) return false;
    if (paused_ && steps_allowed_ > 0) --steps_allowed_;
    return true;
}

void Trainer::snapshot_parameters() {
    auto params = model_.net->parameters();
    if (last_good_.size() != params.size()) {
        last_good_.clear();
        for (const Tensor& p : params) last_good_.push_back(p.clone());
        return;
    }
    for (size_t i = 0; i < params.size(); ++i) last_good_[i].copy_(params[i]);
}

void Trainer::restore_parameters() {
    auto params = model_.net->parameters();
    for (size_t i = 0; i < params.size() && i < last_good_.size(); ++i) params[i].copy_(last_good_[i]);
}

void Trainer::run() {
    set_num_threads(cfg_.threads);
    const auto run_t0 = Clock::now();
    const int64_t n_train = cfg_.train_limit > 0 ? std::min(cfg_.train_limit, train_.count) : train_.count;
    data::BatchSampler sampler(n_train, cfg_.batch_size, true, cfg_.seed);
    const int64_t per_epoch = sampler.batches_per_epoch();
    schedule_.total_steps = per_epoch * cfg_.epochs;
    model_.net->train();
    snapshot_parameters();

    Tensor x, y;
    std::vector<int64_t> idx;
    int64_t global_step = 0;
    double seconds_per_batch = 0;  // running estimate for the ETA
    int epoch = 0;
    int64_t batch = 0;
    try {
        for (epoch = 0; epoch < cfg_.epochs; ++epoch) {
            sampler.start_epoch();
            double loss_sum = 0;
            int64_t correct = 0, seen = 0;
            double train_seconds = 0;
            batch = 0;
            while (sampler.next(idx)) {
                if (!wait_while_paused()) break;
                const auto t0 = Clock::now();
                if (double lr = pending_lr_.exchange(0.0); lr > 0) {
                    schedule_.base_lr = lr;
                    schedule_.kind = "none";  // a hand-set rate replaces the schedule
                }
                opt_->set_lr(schedule_.lr_at(epoch, global_step));

                load_batch(train_, idx, x, y);
                if (cfg_.augment.enabled)
                    data::augment_batch(x.data<float>(), x.size(0), static_cast<int>(train_.rows),
                                        static_cast<int>(train_.cols), cfg_.augment, augment_rng_);
                opt_->zero_grad();
                const Device dev = model_.net->device();
                Tensor logits = model_.net->forward(x.to(dev));
                Tensor loss = cfg_.label_smoothing > 0 ? cross_entropy(logits, y.to(dev), cfg_.label_smoothing)
                                                       : cross_entropy(logits, y.to(dev));
                const double loss_value = loss.item();
                if (!std::isfinite(loss_value)) {
                    restore_parameters();
                    failed_ = true;
                    FailedEvent ev{"the loss became " + std::string(std::isnan(loss_value) ? "NaN" : "infinite") +
                                       " at epoch " + std::to_string(epoch + 1) + ", batch " + std::to_string(batch + 1) +
                                       "; training stopped and the last good parameters were restored. "
                                       "Try a smaller learning rate.",
                                   epoch, batch};
                    for (auto* o : observers_) o->on_failed(ev);
                    total_seconds_ = seconds_since(run_t0);
                    return;
                }
                loss.backward();
                opt_->step();
                ++global_step;
                const int64_t b = static_cast<int64_t>(idx.size());
                const int64_t c = count_correct(logits, y);
                train_seconds += seconds_since(t0);
                loss_sum += loss_value * static_cast<double>(b);
                correct += c;
                seen += b;
                if (global_step % kSnapshotEvery == 0) snapshot_parameters();

                seconds_per_batch = train_seconds / static_cast<double>(batch + 1);
                BatchEvent be;
                be.epoch = epoch;
                be.batch = batch;
                be.batches_per_epoch = per_epoch;
                be.global_step = global_step;
                be.loss = loss_value;
                be.accuracy = static_cast<double>(c) / static_cast<double>(b);
                be.samples_per_second = static_cast<double>(seen) / std::max(train_seconds, 1e-9);
                be.lr = opt_->lr();
                be.eta_seconds = seconds_per_batch * static_cast<double>(per_epoch * cfg_.epochs - global_step);
                for (auto* o : observers_) o->on_batch(be);
                ++batch;
            }
            if (cancel_) break;
            snapshot_parameters();

            EpochEvent ev;
            ev.epoch = epoch;
            ev.epochs = cfg_.epochs;
            ev.train_loss = seen ? loss_sum / static_cast<double>(seen) : 0;
            ev.train_accuracy = seen ? static_cast<double>(correct) / static_cast<double>(seen) : 0;
            ev.epoch_seconds = train_seconds;
            ev.samples_per_second = static_cast<double>(seen) / std::max(train_seconds, 1e-9);
            ev.test_loss = ev.test_accuracy = std::nan("");
            if (cfg_.evaluate && test_) {
                const auto e0 = Clock::now();
                Evaluation e = evaluate(*model_.net, *test_, cfg_.test_limit);
                ev.eval_seconds = seconds_since(e0);
                ev.test_loss = e.loss;
                ev.test_accuracy = e.metrics.accuracy;
                ev.test_metrics = std::move(e.metrics);
                ev.evaluated = true;
            }
            history_.push_back(ev);
            for (auto* o : observers_) o->on_epoch(ev);
        }
    } catch (const std::exception& e) {
        restore_parameters();
        failed_ = true;
        FailedEvent ev{std::string(e.what()) + " (the last good parameters were restored)", epoch, batch};
        for (auto* o : observers_) o->on_failed(ev);
        total_seconds_ = seconds_since(run_t0);
        return;
    }
    cancelled_ = cancel_.load();
    total_seconds_ = seconds_since(run_t0);
    FinishedEvent fe{cancelled_, static_cast<int>(history_.size()), total_seconds_};
    for (auto* o : observers_) o->on_finished(fe);
}

}  // namespace bp::train
