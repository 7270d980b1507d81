// clip_data.cpp — CLIP-mini's captions of clip_data.h: properties measured on the picture, per-class tertile
// thresholds, the six templates (four for training, two held out), the caption vocabulary.
#include "bp/data/clip_data.h"

#include <algorithm>
#include <cmath>

#include "bp/errors.h"
#include "bp/tensor.h"

namespace bp::data {

InkProperties measure_ink(const uint8_t* px, int64_t rows, int64_t cols) {
    InkProperties p;
    double m = 0, sx = 0, sy = 0;  // zeroth and first moments
    int x0 = static_cast<int>(cols), x1 = -1, y0 = static_cast<int>(rows), y1 = -1;
    for (int64_t y = 0; y < rows; ++y)
        for (int64_t x = 0; x < cols; ++x) {
            const double v = px[y * cols + x] / 255.0;
            m += v;
            sx += v * static_cast<double>(x);
            sy += v * static_cast<double>(y);
            if (px[y * cols + x] >= 64) {
                x0 = std::min<int>(x0, static_cast<int>(x)), x1 = std::max<int>(x1, static_cast<int>(x));
                y0 = std::min<int>(y0, static_cast<int>(y)), y1 = std::max<int>(y1, static_cast<int>(y));
            }
        }
    p.ink = m;
    if (x1 >= 0) p.box_width = x1 - x0 + 1, p.box_height = y1 - y0 + 1;
    if (m <= 0) return p;
    const double cx = sx / m, cy = sy / m;
    double mu11 = 0, mu02 = 0;  // central second moments: Σ v (x − cx)(y − cy), Σ v (y − cy)²
    for (int64_t y = 0; y < rows; ++y)
        for (int64_t x = 0; x < cols; ++x) {
            const double v = px[y * cols + x] / 255.0;
            mu11 += v * (static_cast<double>(x) - cx) * (static_cast<double>(y) - cy);
            mu02 += v * (static_cast<double>(y) - cy) * (static_cast<double>(y) - cy);
        }
    // y grows downwards: a stroke leaning right ("/") has x falling as y grows, μ11 < 0, so the slant is −μ11/μ02.
    if (mu02 > 1e-9) p.slant = -mu11 / mu02;
    return p;
}

nlohmann::json PropertyThresholds::to_json() const {
    return {{"ink_low", ink_low}, {"ink_high", ink_high}, {"area_low", area_low}, {"area_high", area_high},
            {"slant_limit", slant_limit}};
}

PropertyThresholds PropertyThresholds::from_json(const nlohmann::json& j) {
    PropertyThresholds t;
    try {
        t.ink_low = j.at("ink_low").get<std::vector<double>>();
        t.ink_high = j.at("ink_high").get<std::vector<double>>();
        t.area_low = j.at("area_low").get<std::vector<double>>();
        t.area_high = j.at("area_high").get<std::vector<double>>();
        t.slant_limit = j.at("slant_limit").get<double>();
    } catch (const nlohmann::json::exception& e) {
        throw DataError(std::string("caption thresholds: bad table (") + e.what() + ")");
    }
    const size_t n = t.ink_low.size();
    if (n < 1 || n > 1000 || t.ink_high.size() != n || t.area_low.size() != n || t.area_high.size() != n ||
        !(t.slant_limit >= 0))
        throw DataError("caption thresholds: four tables of the same length (one value per class) and a slant "
                        "limit ≥ 0 expected; got " + j.dump().substr(0, 200));
    return t;
}

PropertyThresholds fit_thresholds(const ImageDataset& train, double slant_limit) {
    if (train.count < 1 || train.num_classes < 1)
        throw ConfigError("fit_thresholds: the dataset '" + train.name + "' has no pictures");
    const size_t C = static_cast<size_t>(train.num_classes);
    std::vector<std::vector<double>> ink(C), area(C);
    const int64_t n = train.rows * train.cols;
    for (int64_t i = 0; i < train.count; ++i) {
        const InkProperties p = measure_ink(train.pixels.data() + i * n, train.rows, train.cols);
        ink[train.labels[static_cast<size_t>(i)]].push_back(p.ink);
        area[train.labels[static_cast<size_t>(i)]].push_back(p.box_area());
    }
    auto quantile = [](std::vector<double>& v, double q) {
        if (v.empty()) return 0.0;
        const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
        return v[k];
    };
    PropertyThresholds t;
    t.slant_limit = slant_limit;
    for (size_t c = 0; c < C; ++c) {
        t.ink_low.push_back(quantile(ink[c], 1.0 / 3));
        t.ink_high.push_back(quantile(ink[c], 2.0 / 3));
        t.area_low.push_back(quantile(area[c], 1.0 / 3));
        t.area_high.push_back(quantile(area[c], 2.0 / 3));
    }
    return t;
}

PictureWords describe(const InkProperties& p, int label, const PropertyThresholds& t) {
    if (label < 0 || static_cast<size_t>(label) >= t.ink_low.size())
        throw ConfigError("describe: label " + std::to_string(label) + " is outside the " +
                          std::to_string(t.ink_low.size()) + " classes of the thresholds");
    const size_t c = static_cast<size_t>(label);
    PictureWords w;
    w.thickness = p.ink < t.ink_low[c] ? Thickness::thin : p.ink > t.ink_high[c] ? Thickness::thick : Thickness::regular;
    w.size = p.box_area() < t.area_low[c] ? InkSize::small : p.box_area() > t.area_high[c] ? InkSize::large : InkSize::regular;
    w.slant = p.slant > t.slant_limit ? Slant::right : p.slant < -t.slant_limit ? Slant::left : Slant::upright;
    return w;
}

std::vector<ClassNames> caption_class_names(const std::string& dataset) {
    const std::vector<std::string> classes = class_names_for(dataset);
    std::vector<ClassNames> out;
    if (classes.size() == 10 && classes[0] == "0") {
        static const char* words[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
        for (int d = 0; d < 10; ++d) out.push_back({words[d], std::to_string(d), "digit"});
        return out;
    }
    for (std::string name : classes) {  // "T-shirt/top" -> "t-shirt/top", "Ankle boot" -> "ankle boot"
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
        out.push_back({name, name, "item"});
    }
    return out;
}

namespace {

const char* thickness_word(Thickness t) { return t == Thickness::thin ? "thin" : t == Thickness::thick ? "thick" : ""; }
const char* size_word(InkSize s) { return s == InkSize::small ? "small" : s == InkSize::large ? "large" : ""; }
const char* slant_words(Slant s) { return s == Slant::left ? "leaning left" : s == Slant::right ? "leaning right" : "upright"; }

/// The non-empty parts joined by `sep`.
std::string join(const std::vector<std::string>& parts, const std::string& sep) {
    std::string out;
    for (const std::string& p : parts) {
        if (p.empty()) continue;
        if (!out.empty()) out += sep;
        out += p;
    }
    return out;
}

/// "a" or "an" before `next` (an eight, an ankle boot, a one: by the first letter, "one" excepted).
std::string article(const std::string& next) {
    if (next.empty() || next.rfind("one", 0) == 0) return "a";
    return std::string("aeiou").find(next[0]) != std::string::npos ? "an" : "a";
}

/// "a" + article-matched phrase: "an eight upright", "a thick seven".
std::string with_article(const std::string& phrase) { return article(phrase) + " " + phrase; }

}  // namespace

std::string make_caption(const ClassNames& c, const PictureWords& w, int t, int omit) {
    const std::string thick = omit & caption_omit_thickness ? "" : thickness_word(w.thickness);
    const std::string size = omit & caption_omit_size ? "" : size_word(w.size);
    const std::string slant = omit & caption_omit_slant ? "" : slant_words(w.slant);
    const std::string props2 = join({thick, size, slant}, " and "), props5 = join({thick, size, slant}, ", ");
    switch (t) {
        case 0: return with_article(join({thick, size, c.word, slant}, " "));
        case 1: return join({"the " + c.noun + " " + c.symbol, thick, size, slant}, ", ");
        case 2: return with_article(c.word) + (props2.empty() ? "" : " that is " + props2);
        case 3: return join({size, thick, c.symbol, slant}, " ");
        case 4: return "a picture of " + with_article(join({thick, size, c.word, slant}, " "));
        case 5: return "this " + c.noun + " is " + with_article(c.word) + (props5.empty() ? "" : ": " + props5);
        default:
            throw ConfigError("make_caption: template " + std::to_string(t) + " is outside [0, " +
                              std::to_string(caption_templates) + ")");
    }
}

bool caption_describes(int caption_label, const PictureWords& said, int omit, int label, const PictureWords& w) {
    if (caption_label != label) return false;
    const bool thick_said = !(omit & caption_omit_thickness) && said.thickness != Thickness::regular;
    const bool size_said = !(omit & caption_omit_size) && said.size != InkSize::regular;
    const bool slant_said = !(omit & caption_omit_slant);
    return (!thick_said || said.thickness == w.thickness) && (!size_said || said.size == w.size) &&
           (!slant_said || said.slant == w.slant);
}

std::vector<std::string> zero_shot_prompts(const ClassNames& c) {
    return {"a picture of " + with_article(c.word), "this " + c.noun + " is " + with_article(c.word)};
}

std::vector<std::string> zero_shot_ensemble(const ClassNames& c) {
    std::vector<std::string> out;
    for (int t = caption_train_templates; t < caption_templates; ++t)
        for (auto th : {Thickness::thin, Thickness::regular, Thickness::thick})
            for (auto sz : {InkSize::small, InkSize::regular, InkSize::large})
                for (int sl = 0; sl < 4; ++sl)  // left, upright, right, unsaid
                    out.push_back(make_caption(c, {th, sl == 3 ? Slant::upright : static_cast<Slant>(sl), sz}, t,
                                               sl == 3 ? caption_omit_slant : 0));
    return out;
}

BertVocab caption_vocab() { return BertVocab(CharTokenizer::from_text("abcdefghijklmnopqrstuvwxyz0123456789 ,-/:")); }

std::pair<Tensor, Tensor> encode_captions(const std::vector<std::string>& captions, const BertVocab& vocab,
                                          int64_t context) {
    if (captions.empty()) throw ConfigError("encode_captions: no captions");
    if (context < 2) throw ConfigError("encode_captions: context must be at least 2; got " + std::to_string(context));
    std::vector<std::vector<int32_t>> ids;
    size_t longest = 0;
    for (const std::string& c : captions) {
        try {
            ids.push_back(vocab.tokenizer().encode(c));
        } catch (const DataError& e) {
            throw DataError("caption \"" + c + "\": " + e.what() + "; captions use lower-case letters, digits and \" ,-/:\"");
        }
        longest = std::max(longest, ids.back().size());
    }
    const int64_t N = static_cast<int64_t>(captions.size());
    const int64_t T = std::min<int64_t>(context, static_cast<int64_t>(longest) + 1);
    Tensor tokens = Tensor::empty({N, T}, DType::i32), mask = Tensor::empty({N, T}, DType::i32);
    int32_t* tp = tokens.data<int32_t>();
    int32_t* mp = mask.data<int32_t>();
    for (int64_t n = 0; n < N; ++n) {
        const auto& row = ids[static_cast<size_t>(n)];
        for (int64_t t = 0; t < T; ++t) {
            const bool real = t == 0 || t - 1 < static_cast<int64_t>(row.size());
            tp[n * T + t] = t == 0 ? vocab.cls_id() : real ? row[static_cast<size_t>(t - 1)] : vocab.pad_id();
            mp[n * T + t] = real ? 1 : 0;
        }
    }
    return {tokens, mask};
}

std::string CaptionedImages::caption(int64_t i, int t) const {
    return make_caption(names.at(images.labels.at(static_cast<size_t>(i))), words.at(static_cast<size_t>(i)), t);
}

std::string CaptionedImages::held_out_caption(int64_t i) const {
    return caption(i, caption_train_templates + static_cast<int>(i % caption_held_out_templates));
}

CaptionedImages caption_images(ImageDataset images, const PropertyThresholds& t) {
    if (t.ink_low.size() != static_cast<size_t>(images.num_classes))
        throw ConfigError("caption_images: the thresholds have " + std::to_string(t.ink_low.size()) +
                          " classes but the dataset '" + images.name + "' " + std::to_string(images.num_classes));
    CaptionedImages out;
    out.names = caption_class_names(images.name);
    const int64_t n = images.rows * images.cols;
    out.words.reserve(static_cast<size_t>(images.count));
    for (int64_t i = 0; i < images.count; ++i)
        out.words.push_back(describe(measure_ink(images.pixels.data() + i * n, images.rows, images.cols),
                                     images.labels[static_cast<size_t>(i)], t));
    out.images = std::move(images);
    return out;
}

}  // namespace bp::data
