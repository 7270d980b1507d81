// tst_clip_positives.cpp — CLIP-mini's contrastive loss with positives beyond the diagonal (same caption; every
// caption that truly describes the other picture), caption_describes, the optional batch norm of the image tower
// (its options key, its running statistics in the model file, old files without the key) and the trainer's
// positives setting.
#include <QtTest>

#include <cmath>

#include "bp/autograd.h"
#include "bp/gradcheck.h"
#include "bp/io/clip_file.h"
#include "bp/models/clip.h"
#include "bp/train/clip_trainer.h"

using namespace bp;
using namespace bp::data;

namespace {

Tensor logits3(DType dt = DType::f64) {
    return Tensor::from_vector({3, 3}, {2.0, 0.5, -1.0, 0.3, 1.5, 0.2, -0.4, 0.9, 1.1}, dt);
}

/// −Σ_j target_j log softmax(row)_j, by hand.
double soft_ce(const std::vector<double>& row, const std::vector<double>& target) {
    double z = 0;
    for (double x : row) z += std::exp(x);
    double l = 0;
    for (size_t j = 0; j < row.size(); ++j) l -= target[j] * (row[j] - std::log(z));
    return l;
}

models::ClipOptions tiny_options() {
    models::ClipOptions o;
    o.vocab_size = caption_vocab().vocab_size();
    o.context = 64;
    o.text_layers = 1, o.text_heads = 2, o.text_dim = 16;
    o.channels1 = 2, o.channels2 = 3, o.image_width = 8, o.embed_dim = 6;
    return o;
}

}  // namespace

class TstClipPositives : public QObject {
    Q_OBJECT
private slots:
    void distinctCaptionsAreClipsLoss() {
        const Tensor l = logits3();
        const double plain = models::clip_contrastive_loss(l).item();
        QCOMPARE(models::clip_contrastive_loss(l, {4, 7, 9}).item(), plain);
        const std::vector<uint8_t> eye{1, 0, 0, 0, 1, 0, 0, 0, 1};
        QVERIFY(std::abs(models::clip_contrastive_loss_positives(l, eye).item() - plain) < 1e-12);
        // By hand: ½ (mean over rows of −log softmax_row(ii) + the same over columns).
        const auto v = l.to_vector();
        double rows = 0, cols = 0;
        for (int i = 0; i < 3; ++i) {
            std::vector<double> r{v[i * 3], v[i * 3 + 1], v[i * 3 + 2]}, c{v[i], v[3 + i], v[6 + i]}, t(3, 0.0);
            t[static_cast<size_t>(i)] = 1;
            rows += soft_ce(r, t), cols += soft_ce(c, t);
        }
        QVERIFY(std::abs(plain - 0.5 * (rows + cols) / 3) < 1e-12);
    }

    void sameCaptionPairsArePositivesOfEachOther() {
        const Tensor l = logits3();
        const auto v = l.to_vector();
        // Pairs 0 and 1 share a caption: rows 0 and 1 (and columns 0 and 1) spread their target over both.
        const double got = models::clip_contrastive_loss(l, {5, 5, 2}).item();
        const std::vector<std::vector<double>> t{{0.5, 0.5, 0}, {0.5, 0.5, 0}, {0, 0, 1}};
        double rows = 0, cols = 0;
        for (int i = 0; i < 3; ++i) {
            rows += soft_ce({v[i * 3], v[i * 3 + 1], v[i * 3 + 2]}, t[static_cast<size_t>(i)]);
            cols += soft_ce({v[i], v[3 + i], v[6 + i]}, t[static_cast<size_t>(i)]);
        }
        QVERIFY2(std::abs(got - 0.5 * (rows + cols) / 3) < 1e-12, qPrintable(QString::number(got)));
        // Pairs 0 and 1 are no longer pushed apart: raising the similarity of picture 0 to caption 1 lowers this loss
        // (CLIP's own loss rises, as caption 1 counts as a negative of picture 0).
        std::vector<double> w = v;
        w[1] += 0.5;
        const Tensor l2 = Tensor::from_vector({3, 3}, w, DType::f64);
        QVERIFY(models::clip_contrastive_loss(l2, {5, 5, 2}).item() < got);
        QVERIFY(models::clip_contrastive_loss(l2).item() > models::clip_contrastive_loss(l).item());
    }

    void describingPositivesByHand() {
        // Caption 1 ("a seven") describes pictures 0 and 1; caption 0 ("a thick seven") only picture 0: the
        // matrix is not symmetric, so rows and columns get different targets.
        const Tensor l = logits3();
        const auto v = l.to_vector();
        const std::vector<uint8_t> pos{1, 1, 0,   // picture 0: captions 0 and 1
                                       0, 1, 0,   // picture 1: caption 1
                                       0, 0, 1};  // picture 2: caption 2
        const double got = models::clip_contrastive_loss_positives(l, pos).item();
        const std::vector<std::vector<double>> row_t{{0.5, 0.5, 0}, {0, 1, 0}, {0, 0, 1}};
        const std::vector<std::vector<double>> col_t{{1, 0, 0}, {0.5, 0.5, 0}, {0, 0, 1}};  // column j over pictures
        double rows = 0, cols = 0;
        for (int i = 0; i < 3; ++i) {
            rows += soft_ce({v[i * 3], v[i * 3 + 1], v[i * 3 + 2]}, row_t[static_cast<size_t>(i)]);
            cols += soft_ce({v[i], v[3 + i], v[6 + i]}, col_t[static_cast<size_t>(i)]);
        }
        QVERIFY2(std::abs(got - 0.5 * (rows + cols) / 3) < 1e-12, qPrintable(QString::number(got)));
    }

    void badPositivesAreRefused() {
        const Tensor l = logits3();
        QVERIFY_THROWS_EXCEPTION(ShapeError, models::clip_contrastive_loss_positives(l, {1, 0, 1}));
        QVERIFY_THROWS_EXCEPTION(ConfigError, models::clip_contrastive_loss_positives(l, {1, 0, 0, 0, 0, 0, 0, 0, 1}));
        QVERIFY_THROWS_EXCEPTION(ShapeError, models::clip_contrastive_loss(l, {1, 2}));
        QVERIFY_THROWS_EXCEPTION(ShapeError, models::clip_contrastive_loss(Tensor::zeros({2, 3}, DType::f64)));
    }

    void lossWithPositivesIsGradientChecked() {
        std::vector<uint8_t> p4(16, 0);
        for (int i = 0; i < 4; ++i) p4[static_cast<size_t>(i * 4 + i)] = 1;
        p4[1] = 1, p4[2 * 4 + 0] = 1;  // caption 1 describes picture 0; caption 0 describes picture 2
        gradcheck::Case c{"clip_contrastive_loss_positives", "[4, 4] describing", {{4, 4}}, gradcheck::Domain::away_from_zero,
                          [p4](const std::vector<Tensor>& in) { return models::clip_contrastive_loss_positives(in[0], p4); }};
        const gradcheck::Result r = gradcheck::run(c);
        QVERIFY2(r.passed(1e-6), qPrintable(QString::number(r.max_error)));
        QVERIFY(r.checked == 16);
        gradcheck::Case same{"clip_contrastive_loss", "[4, 4] same caption", {{4, 4}}, gradcheck::Domain::away_from_zero,
                             [](const std::vector<Tensor>& in) { return models::clip_contrastive_loss(in[0], {0, 1, 0, 2}); }};
        QVERIFY(gradcheck::run(same).passed(1e-6));
    }

    void captionDescribes() {
        const PictureWords thick_right{Thickness::thick, Slant::right, InkSize::large};
        const PictureWords thin_right{Thickness::thin, Slant::right, InkSize::large};
        const PictureWords regular{Thickness::regular, Slant::upright, InkSize::regular};
        // Every property said: only the same words describe.
        QVERIFY(caption_describes(7, thick_right, 0, 7, thick_right));
        QVERIFY(!caption_describes(7, thick_right, 0, 7, thin_right));
        QVERIFY(!caption_describes(7, thick_right, 0, 1, thick_right));  // another class never
        // Thickness omitted: "a large seven leaning right" describes the thin one too.
        QVERIFY(caption_describes(7, thick_right, caption_omit_thickness, 7, thin_right));
        // Everything omitted: "a seven" describes every seven.
        const int all = caption_omit_thickness | caption_omit_size | caption_omit_slant;
        QVERIFY(caption_describes(7, thick_right, all, 7, regular));
        // Regular thickness and size are unsaid ("a seven upright"), so they constrain nothing; upright is said.
        QVERIFY(caption_describes(3, regular, 0, 3, {Thickness::thin, Slant::upright, InkSize::small}));
        QVERIFY(!caption_describes(3, regular, 0, 3, {Thickness::thin, Slant::left, InkSize::small}));
        // Consistent with make_caption: the caption of the first picture, read as words, matches.
        const ClassNames seven{"seven", "7", "digit"};
        QCOMPARE(make_caption(seven, thick_right, 0, caption_omit_thickness), std::string("a large seven leaning right"));
    }

    void batchNormOptionAndOldFiles() {
        // Old option objects have no "image_batch_norm": the plain CNN they were trained with.
        nlohmann::json j = tiny_options().to_json();
        QVERIFY(j.contains("image_batch_norm"));
        j.erase("image_batch_norm");
        QCOMPARE(models::ClipOptions::from_json(j).image_batch_norm, false);
        j["image_batch_norm"] = "yes";
        QVERIFY_THROWS_EXCEPTION(ConfigError, models::ClipOptions::from_json(j));
        j["image_batch_norm"] = true;
        QCOMPARE(models::ClipOptions::from_json(j).image_batch_norm, true);
        QCOMPARE(models::ClipOptions().image_batch_norm, false);  // the measured better default
        models::ClipOptions o = tiny_options();
        const int64_t plain_params = models::ClipMini(o).parameter_count();
        o.image_batch_norm = true;
        models::ClipMini bn(o);
        QCOMPARE(bn.parameter_count(), plain_params + 2 * (o.channels1 + o.channels2));  // γ and β per channel
        QCOMPARE(static_cast<int>(bn.named_buffers().size()), 4);                       // running mean and var ×2
    }

    void batchNormStatisticsTravelInTheFile() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/clip-bn.safetensors").toStdString();
        models::ClipOptions o = tiny_options();
        o.image_batch_norm = true;
        models::ClipMini clip(o);
        Generator gen(4);
        clip.reset_parameters(gen);
        Generator g2(9);
        const Tensor x = Tensor::randn({6, 1, 28, 28}, g2, 0.3, 1.5);
        {
            autograd::NoGradGuard g;
            clip.train();
            clip.encode_images(x);  // moves the running statistics away from 0 and 1
            clip.eval();
        }
        const BertVocab v = caption_vocab();
        PropertyThresholds t;
        t.ink_low = {30}, t.ink_high = {60}, t.area_low = {100}, t.area_high = {300};
        io::save_clip(path, clip, v, {{"dataset", "mnist"}, {"thresholds", t.to_json()}}, nlohmann::json::object());
        io::LoadedClip c = io::load_clip(path);
        QCOMPARE(c.model->options().image_batch_norm, true);
        c.model->eval();
        autograd::NoGradGuard g;
        const auto a = clip.encode_images(x).to_vector(), b = c.model->encode_images(x).to_vector();
        QCOMPARE(a, b);  // eval mode uses the running statistics: equal only if they were saved and loaded
        bool moved = false;
        for (const auto& [name, buf] : c.model->named_buffers())
            for (double e : buf.to_vector()) moved |= name.find("running_mean") != std::string::npos && e != 0;
        QVERIFY(moved);
    }

    void trainerPositivesSetting() {
        QCOMPARE(train::positives_name(train::ClipTrainConfig{}.positives), std::string("describing"));
        for (auto p : {train::ClipTrainConfig::Positives::diagonal, train::ClipTrainConfig::Positives::same_caption,
                       train::ClipTrainConfig::Positives::describing})
            QVERIFY(train::positives_from_string(train::positives_name(p)) == p);
        QVERIFY_THROWS_EXCEPTION(ConfigError, train::positives_from_string("all"));
        train::ClipTrainConfig cfg;
        QCOMPARE(cfg.to_json().at("positives").get<std::string>(), std::string("describing"));
        cfg.shift_pixels = 9;
        QVERIFY_THROWS_EXCEPTION(ConfigError, cfg.validate());
    }

    void trainsWithEachPositivesSetting() {
        // A few steps on constructed pictures of two classes: every setting runs and lowers the loss.
        ImageDataset d;
        d.name = "mnist", d.split = "train", d.rows = 28, d.cols = 28, d.count = 64, d.num_classes = 2;
        d.class_names = {"0", "1"};
        for (int64_t i = 0; i < d.count; ++i) {
            const int label = static_cast<int>(i % 2);
            d.labels.push_back(static_cast<uint8_t>(label));
            for (int y = 0; y < 28; ++y)
                for (int x = 0; x < 28; ++x) {
                    const bool ink = label == 0 ? (std::abs(x - 14) < 2 + i % 3 && y > 4 && y < 24)
                                                : (std::abs(y - 14) < 2 + i % 3 && x > 4 && x < 24);
                    d.pixels.push_back(ink ? 255 : 0);
                }
        }
        PropertyThresholds t = fit_thresholds(d);
        const CaptionedImages set = caption_images(d, t);
        for (auto p : {train::ClipTrainConfig::Positives::diagonal, train::ClipTrainConfig::Positives::same_caption,
                       train::ClipTrainConfig::Positives::describing}) {
            models::ClipMini clip(tiny_options());
            train::ClipTrainConfig cfg;
            cfg.steps = 30, cfg.batch_size = 16, cfg.warmup_steps = 3, cfg.lr = 5e-3, cfg.positives = p, cfg.shift_pixels = 1;
            const train::ClipResult r = train::train_clip(clip, set, nullptr, caption_vocab(), cfg);
            QVERIFY(!r.failed);
            QCOMPARE(r.steps_completed, 30);
            const double first = (r.losses[0] + r.losses[1] + r.losses[2]) / 3;
            const double last = (r.losses[27] + r.losses[28] + r.losses[29]) / 3;
            QVERIFY2(last < first, qPrintable(QString::fromStdString(train::positives_name(p)) +
                                              QString(": %1 -> %2").arg(first).arg(last)));
        }
    }
};

QTEST_APPLESS_MAIN(TstClipPositives)
#include "tst_clip_positives.moc"
