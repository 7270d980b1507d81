// clip_trainer.h — CLIP-mini's training loop and its measurements. Training: shuffled batches of training
// pictures, each with a caption in a random TRAINING template, the symmetric contrastive loss, AdamW with warm-up
// and cosine decay, gradient clipping, logit_scale clamped after every step. Measurements on a held-out split,
// with the held-out templates only: zero-shot classification (each picture against one prompt embedding per
// class, the mean of the held-out prompts) and retrieval recall@K both ways. Synchronous; a callback returning
// false stops the run between steps (the app's cancel, the CLI's Ctrl-C).
//   train::ClipResult r = train::train_clip(clip, train_set, &test_set, vocab, cfg, {.on_step = print});
//   train::ZeroShotResult z = train::zero_shot(clip, test_set, vocab);
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bp/data/clip_data.h"
#include "bp/models/clip.h"

namespace bp::train {

struct ClipTrainConfig {
    int epochs = 1;              // one epoch: measured better than two with describing positives and shifts
    int steps = 0;               // > 0: exactly this many steps instead of epochs × batches per epoch
    int batch_size = 128;
    double lr = 2e-3;
    double weight_decay = 0.01;
    int warmup_steps = 50;
    double grad_clip = 1.0;
    int64_t train_limit = 0;     // > 0: only the first N training pictures (a quick run)
    int eval_every = 0;          // > 0: zero-shot accuracy on eval_images held-out pictures every N steps
    int64_t eval_images = 1000;
    int similarity_every = 0;    // > 0: every N steps the step event carries the batch's similarity matrix
    int similarity_size = 16;    // ... of its first N pictures × their captions
    double omit_property = 0.25; // each property of a training caption is left unsaid with this probability
    /// Which pairs of a batch the loss pulls together (models::clip_contrastive_loss_positives):
    ///   diagonal      CLIP's loss as published: picture i with caption i only, every other pair a negative
    ///   same_caption  also pairs whose captions are identical (otherwise pushed apart as if they differed)
    ///   describing    also every caption that is a true description of the other picture
    ///                 (data::caption_describes: "a seven" describes every seven of the batch)
    enum class Positives { diagonal, same_caption, describing } positives = Positives::describing;
    /// Each training picture shifted by up to this many pixels in x and y (data::augment_batch, shift only: a
    /// rotation or zoom would change the slant and size its caption states); 0 = none.
    int shift_pixels = 2;
    uint64_t seed = 1;
    int threads = 1;
    void validate() const;       // ConfigError naming the field
    nlohmann::json to_json() const;
};

/// "diagonal", "same-caption", "describing"; from_string throws ConfigError for another word.
std::string positives_name(ClipTrainConfig::Positives p);
ClipTrainConfig::Positives positives_from_string(const std::string& s);

struct ClipStepEvent {
    int step = 0, steps = 0, epoch = 0;
    double loss = 0, lr = 0, temperature = 0, images_per_second = 0, eta_seconds = 0;
    /// When similarity_every says so (else empty): cosine similarities [n, n] row-major, row = picture, column =
    /// caption, of the batch's first n pairs (the diagonal is what training pulls up).
    std::vector<double> similarity;
    std::vector<std::string> similarity_captions;  // the n captions of its columns
    std::vector<int64_t> similarity_images;        // the n pictures of its rows: indices into the training split
    int similarity_size = 0;
};

struct ClipEvalEvent {
    int step = 0;
    double zero_shot_accuracy = 0;  // on the first eval_images held-out pictures, held-out prompts
    double seconds = 0;             // training time so far (evaluations excluded)
};

struct ClipCallbacks {
    std::function<bool(const ClipStepEvent&)> on_step;  // false = stop after this step
    std::function<void(const ClipEvalEvent&)> on_eval;
};

struct ClipResult {
    std::vector<double> losses;          // one per step
    std::vector<ClipEvalEvent> history;  // the evaluations, in order
    int steps_completed = 0, steps_planned = 0;
    double train_seconds = 0;
    bool stopped = false;                // a callback asked to stop
    bool failed = false;                 // a NaN/inf loss or gradient: the last good parameters were restored
    std::string failure;
};

/// Trains `clip` on `train`; `eval` (may be null) is used for the periodic zero-shot accuracy only. ConfigError
/// for a vocabulary that does not fit the model or a bad config.
ClipResult train_clip(models::ClipMini& clip, const data::CaptionedImages& train, const data::CaptionedImages* eval,
                      const data::BertVocab& vocab, const ClipTrainConfig& cfg, const ClipCallbacks& callbacks = {});

/// Pictures `indices` of `images` as the model's input: [N, 1, 28, 28] float32, normalised as MNIST.
Tensor image_batch(const data::ImageDataset& images, const std::vector<int64_t>& indices);
/// Unit-length embeddings (no graph) of pictures [N, E], in chunks of 500.
Tensor embed_images(models::ClipMini& clip, const data::ImageDataset& images, const std::vector<int64_t>& indices);
/// Unit-length embeddings (no graph) of captions [N, E]. DataError naming a caption the vocabulary cannot write.
Tensor embed_captions(models::ClipMini& clip, const data::BertVocab& vocab, const std::vector<std::string>& captions);
/// Cosine similarities a · bᵀ of unit-length embeddings [N, E] × [M, E] -> N × M row-major.
std::vector<double> cosine_matrix(const Tensor& a, const Tensor& b);

struct ZeroShotResult {
    int64_t images = 0;
    double accuracy = 0;
    std::vector<double> per_class_accuracy;               // [classes]
    std::vector<int> predictions, labels;                 // [images]
    std::vector<std::vector<std::string>> prompts;        // [classes][held-out templates]
};
/// plain: the two held-out templates with no property ("a picture of a seven", data::zero_shot_prompts);
/// ensemble: every caption the held-out templates can write for the class (data::zero_shot_ensemble, 72).
enum class ZeroShotPrompts { plain, ensemble };
/// Each of the first `limit` pictures (0 = all) of `test` classified by its most similar class embedding, the
/// normalised mean of that class's prompt embeddings. Only held-out templates: none was seen in training.
ZeroShotResult zero_shot(models::ClipMini& clip, const data::CaptionedImages& test, const data::BertVocab& vocab,
                         int64_t limit = 0, ZeroShotPrompts prompts = ZeroShotPrompts::ensemble);

struct RetrievalResult {
    int64_t images = 0;    // candidate pictures (text -> image)
    int64_t captions = 0;  // candidate captions (image -> text): the distinct held-out captions of those pictures
    std::vector<int> ks{1, 5, 10};
    std::vector<double> image_to_text, text_to_image;  // recall at each k
    nlohmann::json to_json() const;
};
/// Retrieval among the first `n` test pictures and their held-out captions (CaptionedImages::held_out_caption).
/// image -> text: the picture's caption ranks among the top k of the distinct captions. text -> image: for each
/// distinct caption, a picture that caption describes (same class and same words) is among the top k pictures;
/// both averaged over their queries.
RetrievalResult retrieval(models::ClipMini& clip, const data::CaptionedImages& test, const data::BertVocab& vocab,
                          int64_t n = 1000);

struct Match {
    int64_t index = 0;  // a picture's index in its split, or a caption's index in the list given
    double score = 0;   // cosine similarity
};
/// The k best of `candidates` [N, E] for one query embedding [1, E] or [E], best first.
std::vector<Match> top_k(const Tensor& query, const Tensor& candidates, int k);

}  // namespace bp::train
