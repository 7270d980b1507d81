// clip_tools.h — what the app holds of a CLIP-mini (trained here or opened): the model with its vocabulary and the
// caption thresholds, the test split described with those thresholds, its pictures' embeddings (for caption
// search), the zero-shot evaluation and the embeddings of the captions a drawing is matched against. Built once,
// on a worker thread, by prepareClip(); read-only afterwards (the model is read on the GUI thread only).
#pragma once

#include <QImage>
#include <QString>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bp/data/clip_data.h"
#include "bp/models/clip.h"
#include "bp/train/clip_trainer.h"

struct ClipModel {
    std::shared_ptr<bp::models::ClipMini> model;
    bp::data::BertVocab vocab;
    std::string dataset;  // "mnist" or "fashion-mnist"
    bp::data::PropertyThresholds thresholds;
    nlohmann::json summary;  // what train-clip (or this app) saved with it
    // The test split's first testCount pictures, captioned with `thresholds`, and their embeddings [testCount, E].
    std::shared_ptr<const bp::data::CaptionedImages> test;
    int64_t testCount = 0;
    bp::Tensor testEmbeddings;
    bp::train::ZeroShotResult zeroShot;  // the prompt ensemble of the held-out templates, on those pictures
    // Every caption the held-out template 4 writes (train::caption_candidates) and their embeddings [270, E].
    std::vector<std::string> candidates;
    bp::Tensor candidateEmbeddings;
};

namespace cliptools {

/// The test split of `dataset` in `dataDir`, its first `limit` pictures (0 = all), captioned with `t`.
std::shared_ptr<const bp::data::CaptionedImages> loadTestSplit(const std::string& dataDir, const std::string& dataset,
                                                               const bp::data::PropertyThresholds& t, int64_t limit);
/// Fills `m`'s test embeddings, zero-shot result and caption candidates (m.model, vocab, dataset and test set).
/// Slow (seconds): call it on a worker thread.
void prepare(ClipModel& m);
/// A caption as typed, made writable by the caption vocabulary: lower-cased; characters it cannot write are
/// dropped and returned in `dropped`.
std::string normalizeCaption(const ClipModel& m, const QString& typed, QString* dropped = nullptr);
/// Picture `index` of `images` as a grey QImage (white ink on black, as MNIST stores it).
QImage pictureImage(const bp::data::ImageDataset& images, int64_t index);
/// The dataset's name for people: "MNIST digits" or "Fashion-MNIST clothes".
QString datasetTitle(const std::string& dataset);

}  // namespace cliptools
