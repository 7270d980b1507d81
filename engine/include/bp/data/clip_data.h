// clip_data.h — captions for CLIP-mini: MNIST / Fashion-MNIST pictures described by their class AND by properties
// measured on the picture itself (ink amount -> thin/thick, slant from the second moments -> leaning left/right or
// upright, the ink box's area -> small/large), written in several templates, some of which are held out of
// training (zero-shot prompts and retrieval captions use only those). Not the model (models/clip.h).
//   data::PropertyThresholds t = data::fit_thresholds(train);     // per-class tertiles of the training split
//   data::PictureWords w = data::describe(data::measure_ink(px, 28, 28), label, t);
//   std::string c = data::make_caption(data::caption_class_names("mnist")[7], w, 0);  // "a thick seven leaning right"
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "bp/data/bert_data.h"
#include "bp/data/dataset.h"

namespace bp::data {

/// What measure_ink finds on one grey picture (0 = background, 255 = ink).
struct InkProperties {
    double ink = 0;    ///< Σ pixel / 255: how much ink (a thick stroke leaves more)
    /// The shear of the ink: −μ11 / μ02 from the central second moments (x right, y down), i.e. how many pixels
    /// the stroke moves right per pixel up. > 0 leans right ("/"), < 0 leans left ("\"), 0 upright.
    double slant = 0;
    int box_width = 0, box_height = 0;  ///< the bounding box of the pixels ≥ 64 (0 × 0 for an empty picture)
    int box_area() const { return box_width * box_height; }
};

/// Measures one rows × cols picture (row-major bytes).
InkProperties measure_ink(const uint8_t* pixels, int64_t rows, int64_t cols);

enum class Thickness { thin, regular, thick };
enum class Slant { left, upright, right };
enum class InkSize { small, regular, large };

/// The words a caption may use for one picture; regular thickness and size are left unsaid.
struct PictureWords {
    Thickness thickness = Thickness::regular;
    Slant slant = Slant::upright;
    InkSize size = InkSize::regular;
    bool operator==(const PictureWords&) const = default;
};

/// Where thin/thick and small/large begin, per class (a 1 has less ink and a narrower box than an 8, so "thick"
/// means thick for its class): the lower and upper tertiles of ink and box area on the training split. The slant
/// is absolute: |slant| ≤ slant_limit is upright.
struct PropertyThresholds {
    std::vector<double> ink_low, ink_high, area_low, area_high;  // [classes] each
    double slant_limit = 0.2;
    nlohmann::json to_json() const;
    static PropertyThresholds from_json(const nlohmann::json& j);  // DataError on a bad table
};

/// Tertiles of the training split, per class. ConfigError for an empty dataset.
PropertyThresholds fit_thresholds(const ImageDataset& train, double slant_limit = 0.2);
PictureWords describe(const InkProperties& p, int label, const PropertyThresholds& t);

/// How captions name one class: word ("seven", "ankle boot"), symbol ("7"; the word for Fashion) and the noun
/// for the kind of picture ("digit", "item").
struct ClassNames {
    std::string word, symbol, noun;
};
/// The ten classes of "mnist" or "fashion-mnist" (a path whose last folder is fashion-mnist counts).
std::vector<ClassNames> caption_class_names(const std::string& dataset);

/// Templates 0 .. caption_train_templates − 1 are used in training; the next caption_held_out_templates never are.
inline constexpr int caption_train_templates = 4;
inline constexpr int caption_held_out_templates = 2;
inline constexpr int caption_templates = caption_train_templates + caption_held_out_templates;

/// The caption of a picture in template `t` (ConfigError outside [0, caption_templates)). Examples, for a thick,
/// large seven leaning right:
///   0 "a thick large seven leaning right"        1 "the digit 7, thick, large, leaning right"
///   2 "a seven that is thick and large and leaning right"   3 "large thick 7 leaning right"
///   4 (held out) "a picture of a thick large seven leaning right"
///   5 (held out) "this digit is a seven: thick, large, leaning right"
/// `omit` leaves properties unsaid (bits caption_omit_thickness, _size, _slant): training drops each now and then,
/// so that a caption naming only the class (as a zero-shot prompt does) is not new to the model.
std::string make_caption(const ClassNames& c, const PictureWords& w, int t, int omit = 0);
inline constexpr int caption_omit_thickness = 1, caption_omit_size = 2, caption_omit_slant = 4;
/// Whether the caption written for a picture of class `caption_label` with words `said` and omissions `omit`
/// (make_caption's) is also a true description of a picture of class `label` with words `w`: the same class, and
/// every property the caption states (thin/thick and small/large when not regular and not omitted, the slant when
/// not omitted) is the picture's. "a seven" describes every seven; "a thick seven" only the thick ones.
bool caption_describes(int caption_label, const PictureWords& said, int omit, int label, const PictureWords& w);
/// The zero-shot prompts of one class: the held-out templates with no property ("a picture of a seven",
/// "this digit is a seven").
std::vector<std::string> zero_shot_prompts(const ClassNames& c);
/// The prompt ensemble of one class (CLIP's prompt ensembling): every caption the held-out templates can write for
/// it, each property said or unsaid — 2 templates × 3 thickness × 3 size × 4 slant = 72 prompts, the
/// zero_shot_prompts among them. A zero-shot classifier averages their embeddings into one per class.
std::vector<std::string> zero_shot_ensemble(const ClassNames& c);

/// The characters every caption of either dataset is written with (lower-case letters, digits, " ,-/:"), with
/// [PAD] / [MASK] / [CLS] after them (BertVocab's layout; CLIP uses [PAD] and [CLS]).
BertVocab caption_vocab();
/// [CLS] + the caption's characters, padded with [PAD] to the longest caption (at most `context`): tokens int32
/// [N, T] and the key padding mask int32 [N, T]. DataError naming a caption with a character outside the vocabulary.
std::pair<Tensor, Tensor> encode_captions(const std::vector<std::string>& captions, const BertVocab& vocab,
                                          int64_t context);

/// A split with the words of every picture: what the trainer and the metrics read.
struct CaptionedImages {
    ImageDataset images;
    std::vector<PictureWords> words;  // [count]
    std::vector<ClassNames> names;    // [classes]
    /// The caption of picture i in template t.
    std::string caption(int64_t i, int t) const;
    /// The caption the evaluation uses for picture i: held-out template 4 + i % 2 (both appear).
    std::string held_out_caption(int64_t i) const;
};
CaptionedImages caption_images(ImageDataset images, const PropertyThresholds& t);

}  // namespace bp::data
