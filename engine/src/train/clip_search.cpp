// clip_search.cpp — see clip_search.h.
#include "bp/train/clip_search.h"

#include <algorithm>

#include "bp/autograd.h"
#include "bp/data/preprocess.h"
#include "bp/errors.h"

namespace bp::train {

std::vector<std::string> caption_candidates(const std::string& dataset, int t) {
    std::vector<std::string> captions;
    for (const auto& name : data::caption_class_names(dataset))
        for (auto thick : {data::Thickness::thin, data::Thickness::regular, data::Thickness::thick})
            for (auto size : {data::InkSize::small, data::InkSize::regular, data::InkSize::large})
                for (auto slant : {data::Slant::left, data::Slant::upright, data::Slant::right})
                    captions.push_back(data::make_caption(name, {thick, slant, size}, t));
    return captions;
}

Tensor embed_picture(models::ClipMini& clip, const std::vector<float>& picture01) {
    constexpr size_t side = data::mnist_side;
    if (picture01.size() != side * side)
        throw DataError("embed_picture: a picture of " + std::to_string(picture01.size()) +
                        " values; CLIP-mini reads 28 x 28 = 784 (data::mnist_preprocess gives them)");
    const std::vector<float> x = data::normalize_mnist(picture01);
    Tensor pic = Tensor::empty({1, 1, 28, 28}, DType::f32);  // [1, 1, 28, 28]
    std::copy(x.begin(), x.end(), pic.data<float>());
    autograd::NoGradGuard no_grad;
    return clip.encode_images(pic);  // [1, E]
}

std::vector<Match> search_images(models::ClipMini& clip, const data::BertVocab& vocab, const std::string& caption,
                                 const Tensor& image_embeddings, int k) {
    return top_k(embed_captions(clip, vocab, {caption}), image_embeddings, k);
}

}  // namespace bp::train
