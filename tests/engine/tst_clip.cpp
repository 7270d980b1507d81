// tst_clip.cpp — CLIP-mini (ops l2_normalize, data/clip_data.h, models/clip.h, train/clip_trainer.h, io/clip_file.h):
// l2_normalize by hand and in the gradient check; the contrastive loss equal to a hand computation on a tiny batch;
// gradients reach both towers and the temperature, which is clamped as CLIP clamps it; the picture properties
// measured on constructed pictures (a thick bar vs a thin one, slanted lines, a small and a large box); the
// captions of every template; the text tower ignores padding; the model file round-trips and a foreign, truncated
// or inflated file is refused naming the file.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "bp/autograd.h"
#include "bp/gradcheck.h"
#include "bp/io/bert_file.h"
#include "bp/io/clip_file.h"
#include "bp/io/gpt_file.h"
#include "bp/io/model_file.h"
#include "bp/io/safetensors.h"
#include "bp/l2_normalize.h"
#include "bp/train/clip_trainer.h"

using namespace bp;
using namespace bp::data;

namespace {

/// A 28×28 picture with the pixels where ink(x, y) is true set to 255.
template <class F>
std::vector<uint8_t> picture(F ink) {
    std::vector<uint8_t> p(28 * 28, 0);
    for (int y = 0; y < 28; ++y)
        for (int x = 0; x < 28; ++x) p[static_cast<size_t>(y * 28 + x)] = ink(x, y) ? 255 : 0;
    return p;
}

models::ClipOptions tiny_options() {
    models::ClipOptions o;
    o.vocab_size = caption_vocab().vocab_size();
    o.context = 64;
    o.text_layers = 1, o.text_heads = 2, o.text_dim = 16;
    o.channels1 = 2, o.channels2 = 3, o.image_width = 8, o.embed_dim = 6;
    return o;
}

/// n random pictures [n, 1, 28, 28].
Tensor random_images(int64_t n, uint64_t seed) {
    Generator g(seed);
    return Tensor::randn({n, 1, 28, 28}, g);
}

PropertyThresholds one_class_thresholds() {
    PropertyThresholds t;
    t.ink_low = {30}, t.ink_high = {60}, t.area_low = {100}, t.area_high = {300};
    t.slant_limit = 0.2;
    return t;
}

}  // namespace

class TstClip : public QObject {
    Q_OBJECT
private slots:
    void l2NormalizeByHand() {
        Tensor x = Tensor::from_vector({2, 2}, {3, 4, 0, -2}, DType::f64);
        x.set_requires_grad();
        Tensor y = l2_normalize(x);
        const auto v = y.to_vector();
        QVERIFY(std::abs(v[0] - 0.6) < 1e-12 && std::abs(v[1] - 0.8) < 1e-12);
        QVERIFY(std::abs(v[2]) < 1e-12 && std::abs(v[3] + 1.0) < 1e-12);
        // d/dx of Σ w·y with w = (1, 0) on row (3, 4): (g − y (g·y)) / n = ((1, 0) − 0.6 (0.6, 0.8)) / 5
        sum(mul(y, Tensor::from_vector({2, 2}, {1, 0, 0, 0}, DType::f64))).backward();
        const auto g = x.grad().to_vector();
        QVERIFY(std::abs(g[0] - 0.64 / 5) < 1e-12 && std::abs(g[1] + 0.48 / 5) < 1e-12);
        QVERIFY_THROWS_EXCEPTION(ShapeError, l2_normalize(Tensor::zeros({2, 0})));
        QVERIFY_THROWS_EXCEPTION(ConfigError, l2_normalize(Tensor::zeros({2, 2}, DType::i32)));
    }

    void l2NormalizeIsGradientChecked() {
        int cases = 0;
        for (const auto& c : gradcheck::registry()) {
            if (c.op != "l2_normalize") continue;
            ++cases;
            const gradcheck::Result r = gradcheck::run(c);
            QVERIFY2(r.passed(1e-6), qPrintable(QString::fromStdString(c.label) + QString(": %1").arg(r.max_error)));
        }
        QVERIFY(cases >= 2);
    }

    void lossEqualsTheHandComputation() {
        models::ClipMini clip(tiny_options());
        Generator gen(3);
        clip.reset_parameters(gen);
        const BertVocab v = caption_vocab();
        auto [tokens, mask] = encode_captions({"a thick seven", "the digit 1, thin", "a small 3 upright"}, v, 64);
        Tensor images = random_images(3, 5);
        Tensor loss = clip.loss(images, tokens, mask);
        std::vector<double> I, T;
        {
            autograd::NoGradGuard g;
            I = clip.encode_images(images).to_vector();       // [3, 6]
            T = clip.encode_texts(tokens, mask).to_vector();  // [3, 6]
        }
        const int B = 3, E = 6;
        for (int b = 0; b < B; ++b) {  // unit length
            double ni = 0, nt = 0;
            for (int e = 0; e < E; ++e) ni += I[b * E + e] * I[b * E + e], nt += T[b * E + e] * T[b * E + e];
            QVERIFY(std::abs(ni - 1) < 1e-5 && std::abs(nt - 1) < 1e-5);
        }
        const double s = 1 / 0.07;  // exp(logit_scale) at initialisation
        double L[3][3];
        for (int i = 0; i < B; ++i)
            for (int j = 0; j < B; ++j) {
                double d = 0;
                for (int e = 0; e < E; ++e) d += I[i * E + e] * T[j * E + e];
                L[i][j] = s * d;
            }
        double rows = 0, cols = 0;  // −log softmax of the diagonal, along rows (image -> text) and columns
        for (int i = 0; i < B; ++i) {
            double zr = 0, zc = 0;
            for (int j = 0; j < B; ++j) zr += std::exp(L[i][j]), zc += std::exp(L[j][i]);
            rows += std::log(zr) - L[i][i];
            cols += std::log(zc) - L[i][i];
        }
        const double expected = 0.5 * (rows / B + cols / B);
        QVERIFY2(std::abs(loss.item() - expected) < 1e-4 * std::max(1.0, expected),
                 qPrintable(QString("%1 vs %2").arg(loss.item()).arg(expected)));
        // The gradient reaches both towers and the temperature.
        loss.backward();
        QVERIFY(clip.logit_scale.grad().defined());
        QVERIFY(clip.text_encoder->tok_embed->weight.grad().defined());
        QVERIFY(clip.image_proj->weight.grad().defined());
        double g2 = 0;
        for (double x : clip.image_proj->weight.grad().to_vector()) g2 += x * x;
        QVERIFY(g2 > 0);
    }

    void temperatureIsClamped() {
        models::ClipMini clip(tiny_options());
        QVERIFY(std::abs(clip.temperature() - 0.07) < 1e-6);
        clip.logit_scale.fill_(9.0);
        clip.clamp_logit_scale();
        QVERIFY(std::abs(clip.logit_scale.item() - std::log(100.0)) < 1e-6);  // τ ≥ 0.01
        clip.logit_scale.fill_(-1.0);
        clip.clamp_logit_scale();
        QCOMPARE(clip.logit_scale.item(), 0.0);  // τ ≤ 1
    }

    void paddingChangesNothing() {
        models::ClipMini clip(tiny_options());
        Generator gen(4);
        clip.reset_parameters(gen);
        const BertVocab v = caption_vocab();
        autograd::NoGradGuard g;
        auto [t1, m1] = encode_captions({"a 7"}, v, 64);                                           // [1, 4]
        auto [t2, m2] = encode_captions({"a 7", "a much longer caption that pads the first"}, v, 64);  // [2, 43]
        QCOMPARE(t1.size(1), int64_t{4});
        QCOMPARE(t1.data<int32_t>()[0], v.cls_id());
        QCOMPARE(t2.data<int32_t>()[5], v.pad_id());
        QCOMPARE(m2.data<int32_t>()[5], 0);
        const auto a = clip.encode_texts(t1, m1).to_vector(), b = clip.encode_texts(t2, m2).to_vector();
        for (int e = 0; e < 6; ++e) QVERIFY(std::abs(a[e] - b[e]) < 1e-5);
        // A later character changes the pooled embedding (bidirectional; mean-pooled anyway) ...
        auto [t3, m3] = encode_captions({"a 8"}, v, 64);
        const auto c = clip.encode_texts(t3, m3).to_vector();
        double diff = 0;
        for (int e = 0; e < 6; ++e) diff += std::abs(a[e] - c[e]);
        QVERIFY(diff > 1e-4);
        // ... and a character outside the vocabulary is refused naming the caption.
        try {
            encode_captions({"A Seven"}, v, 64);
            QFAIL("no error");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains("A Seven"), e.what());
        }
    }

    void propertiesOfConstructedPictures() {
        const auto thick = picture([](int x, int y) { return x >= 11 && x < 17 && y >= 4 && y < 24; });  // 6 wide
        const auto thin = picture([](int x, int y) { return x >= 13 && x < 15 && y >= 4 && y < 24; });   // 2 wide
        const InkProperties pk = measure_ink(thick.data(), 28, 28), pn = measure_ink(thin.data(), 28, 28);
        QCOMPARE(pk.ink, 120.0);
        QCOMPARE(pn.ink, 40.0);
        QCOMPARE(pk.box_width, 6);
        QCOMPARE(pk.box_height, 20);
        QVERIFY(std::abs(pk.slant) < 1e-9 && std::abs(pn.slant) < 1e-9);  // vertical bars are upright
        // "/": x = 20 − (y − 4) / 2, leaning right by half a pixel per pixel up; "\" the mirror image.
        const auto right = picture([](int x, int y) { return y >= 4 && y < 24 && std::abs(x - (20 - (y - 4) / 2)) <= 1; });
        const auto left = picture([](int x, int y) { return y >= 4 && y < 24 && std::abs(x - (10 + (y - 4) / 2)) <= 1; });
        const InkProperties pr = measure_ink(right.data(), 28, 28), pl = measure_ink(left.data(), 28, 28);
        QVERIFY2(std::abs(pr.slant - 0.5) < 0.05, qPrintable(QString::number(pr.slant)));
        QVERIFY2(std::abs(pl.slant + 0.5) < 0.05, qPrintable(QString::number(pl.slant)));
        const auto small = picture([](int x, int y) { return x >= 12 && x < 16 && y >= 12 && y < 16; });
        QCOMPARE(measure_ink(small.data(), 28, 28).box_area(), 16);
        const InkProperties empty = measure_ink(std::vector<uint8_t>(784, 0).data(), 28, 28);
        QCOMPARE(empty.ink, 0.0);
        QCOMPARE(empty.box_area(), 0);

        const PropertyThresholds t = one_class_thresholds();
        QCOMPARE(describe(pk, 0, t), (PictureWords{Thickness::thick, Slant::upright, InkSize::regular}));
        QCOMPARE(describe(pn, 0, t), (PictureWords{Thickness::regular, Slant::upright, InkSize::small}));  // box 2 × 20
        QCOMPARE(describe(pr, 0, t).slant, Slant::right);
        QCOMPARE(describe(pl, 0, t).slant, Slant::left);
        QCOMPARE(describe(measure_ink(small.data(), 28, 28), 0, t), (PictureWords{Thickness::thin, Slant::upright, InkSize::small}));
        QVERIFY_THROWS_EXCEPTION(ConfigError, describe(pk, 1, t));  // a class the table does not have
    }

    void thresholdsAreTertilesPerClass() {
        ImageDataset ds;
        ds.name = "mnist", ds.rows = 28, ds.cols = 28, ds.num_classes = 2, ds.count = 6;
        for (int i = 0; i < 6; ++i) {  // class 0: bars 1..3 pixels wide; class 1: 4..6
            const int w = i + 1;
            const auto p = picture([w](int x, int y) { return x >= 10 && x < 10 + w && y >= 4 && y < 24; });
            ds.pixels.insert(ds.pixels.end(), p.begin(), p.end());
            ds.labels.push_back(i < 3 ? 0 : 1);
        }
        const PropertyThresholds t = fit_thresholds(ds);
        QCOMPARE(t.ink_low, (std::vector<double>{40, 100}));   // the 1st of 3 sorted values: 20·2, 20·5
        QCOMPARE(t.ink_high, (std::vector<double>{60, 120}));  // the 2nd: 20·3, 20·6
        QCOMPARE(PropertyThresholds::from_json(t.to_json()).to_json(), t.to_json());
        QVERIFY_THROWS_EXCEPTION(DataError, PropertyThresholds::from_json({{"ink_low", {1}}}));
        const CaptionedImages c = caption_images(ds, t);
        QCOMPARE(c.words[0].thickness, Thickness::thin);     // 20 < 40
        QCOMPARE(c.words[2].thickness, Thickness::regular);  // 60 is not above 60
        QCOMPARE(c.words[5].thickness, Thickness::regular);
        QCOMPARE(c.words[3].thickness, Thickness::thin);     // 80 < 100: thin for a 1-class picture
    }

    void captionsInEveryTemplate() {
        const auto digits = caption_class_names("mnist");
        const PictureWords w{Thickness::thick, Slant::right, InkSize::large};
        QCOMPARE(make_caption(digits[7], w, 0), std::string("a thick large seven leaning right"));
        QCOMPARE(make_caption(digits[7], w, 1), std::string("the digit 7, thick, large, leaning right"));
        QCOMPARE(make_caption(digits[7], w, 2), std::string("a seven that is thick and large and leaning right"));
        QCOMPARE(make_caption(digits[7], w, 3), std::string("large thick 7 leaning right"));
        QCOMPARE(make_caption(digits[7], w, 4), std::string("a picture of a thick large seven leaning right"));
        QCOMPARE(make_caption(digits[7], w, 5), std::string("this digit is a seven: thick, large, leaning right"));
        const PictureWords plain{Thickness::regular, Slant::upright, InkSize::regular};
        QCOMPARE(make_caption(digits[8], plain, 0), std::string("an eight upright"));
        QCOMPARE(make_caption(digits[8], plain, 1), std::string("the digit 8, upright"));
        QCOMPARE(zero_shot_prompts(digits[8]), (std::vector<std::string>{"a picture of an eight", "this digit is an eight"}));
        QCOMPARE(zero_shot_prompts(digits[1])[0], std::string("a picture of a one"));
        // The ensemble: every held-out caption of the class, each distinct, the plain prompts among them, no
        // training template's wording.
        const auto ens = zero_shot_ensemble(digits[7]);
        QCOMPARE(ens.size(), size_t{72});
        QCOMPARE(std::set<std::string>(ens.begin(), ens.end()).size(), size_t{72});
        for (const auto& p : zero_shot_prompts(digits[7])) QVERIFY(std::find(ens.begin(), ens.end(), p) != ens.end());
        QVERIFY(std::find(ens.begin(), ens.end(), "a picture of a thick large seven leaning right") != ens.end());
        for (const auto& p : ens) QVERIFY(p.rfind("a picture of", 0) == 0 || p.rfind("this digit is", 0) == 0);
        QVERIFY_THROWS_EXCEPTION(ConfigError, make_caption(digits[0], w, caption_templates));
        // Properties left unsaid (training does this now and then): all of them gives the zero-shot prompts.
        const int all = caption_omit_thickness | caption_omit_size | caption_omit_slant;
        QCOMPARE(make_caption(digits[7], w, 1, caption_omit_size), std::string("the digit 7, thick, leaning right"));
        QCOMPARE(make_caption(digits[7], w, 2, all), std::string("a seven"));
        QCOMPARE(make_caption(digits[7], w, 4, all), zero_shot_prompts(digits[7])[0]);
        QCOMPARE(make_caption(digits[7], w, 5, all), zero_shot_prompts(digits[7])[1]);
        const auto clothes = caption_class_names("fashion-mnist");
        QCOMPARE(make_caption(clothes[9], plain, 4), std::string("a picture of an ankle boot upright"));
        QCOMPARE(make_caption(clothes[0], w, 1), std::string("the item t-shirt/top, thick, large, leaning right"));
        // Every caption either dataset can write is in the caption vocabulary.
        const BertVocab v = caption_vocab();
        for (const auto& names : {digits, clothes})
            for (const auto& c : names)
                for (int t = 0; t < caption_templates; ++t) v.tokenizer().encode(make_caption(c, w, t));
    }

    void topKAndCosines() {
        Tensor cands = Tensor::from_vector({3, 2}, {1, 0, 0, 1, 0.6, 0.8});
        const auto best = train::top_k(Tensor::from_vector({2}, {0, 1}), cands, 2);
        QCOMPARE(best.size(), size_t{2});
        QCOMPARE(best[0].index, int64_t{1});
        QCOMPARE(best[1].index, int64_t{2});
        QVERIFY(std::abs(best[1].score - 0.8) < 1e-6);
    }

    void modelFileRoundTripAndRefusals() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/clip.safetensors").toStdString();
        models::ClipMini clip(tiny_options());
        Generator gen(8);
        clip.reset_parameters(gen);
        clip.logit_scale.fill_(3.0);
        const BertVocab v = caption_vocab();
        const PropertyThresholds t = one_class_thresholds();
        io::save_clip(path, clip, v, {{"dataset", "mnist"}, {"thresholds", t.to_json()}}, {{"note", "test"}});
        io::LoadedClip c = io::load_clip(path);
        QCOMPARE(c.dataset, std::string("mnist"));
        QCOMPARE(c.thresholds.to_json(), t.to_json());
        QCOMPARE(c.summary.value("note", std::string()), std::string("test"));
        QCOMPARE(c.model->options().to_json(), clip.options().to_json());
        QCOMPARE(c.model->logit_scale.item(), 3.0);
        {
            autograd::NoGradGuard g;
            clip.eval();
            Tensor x = random_images(2, 1);
            QCOMPARE(c.model->encode_images(x).to_vector(), clip.encode_images(x).to_vector());
            auto [tok, mask] = encode_captions({"a thin 4", "the digit 2"}, v, 64);
            QCOMPARE(c.model->encode_texts(tok, mask).to_vector(), clip.encode_texts(tok, mask).to_vector());
        }
        // Other models' loaders refuse it, and the CLIP loader refuses theirs, saying what the file holds.
        QVERIFY_THROWS_EXCEPTION(DataError, io::load_gpt(path));
        QVERIFY_THROWS_EXCEPTION(DataError, io::load_bert(path));
        const std::string gpath = (dir.path() + "/gpt.safetensors").toStdString();
        models::GptOptions go;
        go.vocab_size = 10, go.layers = 1, go.dim = 8, go.heads = 2, go.context = 8;
        models::GptMini gpt(go);
        io::save_gpt(gpath, gpt, CharTokenizer::from_text("abcdefghij"));
        try {
            io::load_clip(gpath);
            QFAIL("a GPT file was loaded as CLIP");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains("gpt_mini") && QString(e.what()).contains(QString::fromStdString(gpath)), e.what());
        }
        // Truncated: every prefix length class (header cut, data cut) is refused naming the file.
        std::ifstream in(path, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (size_t keep : {size_t{4}, bytes.size() / 3, bytes.size() - 7}) {
            const std::string cut = (dir.path() + "/cut.safetensors").toStdString();
            std::ofstream(cut, std::ios::binary) << bytes.substr(0, keep);
            try {
                io::load_clip(cut);
                QFAIL("a truncated file was loaded");
            } catch (const DataError& e) {
                QVERIFY2(QString(e.what()).contains("cut.safetensors"), e.what());
            }
        }
        // Inflated options with one tiny tensor: refused from the header, before anything is allocated.
        models::ClipOptions huge = tiny_options();
        huge.text_layers = 48, huge.text_dim = 4096, huge.text_heads = 64;
        const nlohmann::json config{{"model", "clip_mini"}, {"options", huge.to_json()}};
        const std::string hpath = (dir.path() + "/huge.safetensors").toStdString();
        io::save_safetensors(hpath, {io::tensor_to_buffer("logit_scale", Tensor::zeros({1}))},
                             {{"bp.config", config.dump()}, {"bp.tokenizer", v.tokenizer().to_json().dump()}});
        try {
            io::load_clip(hpath);
            QFAIL("inflated options were accepted");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains("parameters") && QString(e.what()).contains("huge.safetensors"), e.what());
        }
        // A wrong shape is named with both shapes.
        models::ClipOptions wider = tiny_options();
        wider.embed_dim = 7;
        models::ClipMini other(wider);
        const std::string wpath = (dir.path() + "/wide.safetensors").toStdString();
        io::save_clip(wpath, other, v, {{"dataset", "mnist"}, {"thresholds", t.to_json()}});
        std::ifstream win(wpath, std::ios::binary);
        std::string wb((std::istreambuf_iterator<char>(win)), std::istreambuf_iterator<char>());
        // In the header the options are a JSON string inside JSON ({\"embed_dim\":7,...}): change the 7 after the name.
        const size_t at = wb.find("embed_dim"), seven = wb.find('7', at);
        QVERIFY(at != std::string::npos && seven != std::string::npos && seven - at < 14);
        wb[seven] = '6';  // the options now disagree with the tensors
        std::ofstream(wpath, std::ios::binary | std::ios::trunc) << wb;
        try {
            io::load_clip(wpath);
            QFAIL("mismatched tensors were accepted");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains("has shape") && QString(e.what()).contains("image_proj"), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TstClip)
#include "tst_clip.moc"
