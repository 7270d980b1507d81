// clip_search.h — searching with a trained CLIP-mini, shared by `backprop retrieve` and the app's CLIP views: the
// candidate captions a picture is matched against, a drawn or opened 28×28 picture's embedding, and the ranking of
// pictures for a typed caption. Not training or evaluation (clip_trainer.h).
//   std::vector<std::string> c = train::caption_candidates("mnist");           // 270 captions, template 4
//   auto best = train::top_k(train::embed_picture(clip, px01), train::embed_captions(clip, vocab, c), 5);
//   auto pics = train::search_images(clip, vocab, "a thin 4", test_embeddings, 12);
#pragma once

#include <string>
#include <vector>

#include "bp/train/clip_trainer.h"

namespace bp::train {

/// Every caption template `t` (by default the first held-out one, "a picture of a thick large seven leaning right")
/// writes for the classes of `dataset` ("mnist" or "fashion-mnist"): classes × thickness × size × slant
/// (10 × 3 × 3 × 3 = 270), class by class. ConfigError for a template outside [0, data::caption_templates).
std::vector<std::string> caption_candidates(const std::string& dataset, int t = data::caption_train_templates);

/// One picture, 28 × 28 values in [0, 1] (as data::mnist_preprocess gives a drawing), normalised as MNIST and
/// encoded: a unit-length embedding [1, E], no graph. DataError for a picture that is not 784 values.
Tensor embed_picture(models::ClipMini& clip, const std::vector<float>& picture01);

/// The k pictures whose embeddings (rows of `image_embeddings` [N, E], e.g. train::embed_images of a split) best
/// match `caption`, best first; Match::index is the row. DataError naming a character the vocabulary cannot write.
std::vector<Match> search_images(models::ClipMini& clip, const data::BertVocab& vocab, const std::string& caption,
                                 const Tensor& image_embeddings, int k);

}  // namespace bp::train
