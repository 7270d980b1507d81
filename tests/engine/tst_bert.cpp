// tst_bert.cpp — BERT-mini (models/bert.h, data/bert_data.h, train/bert_trainer.h, io/bert_file.h): the
// encoder is bidirectional (a later character changes earlier outputs) and blind to [PAD] (a padded token changes
// nothing), the masked-LM corruption has BERT's statistics on a fixed seed, the loss is taken on the chosen
// positions only, save/load round-trips, a tiny pre-training run beats the unigram baseline, fine-tuning learns a
// separable task, and the fortune-source task is balanced with a disjoint split (skipped without `fortunes`).
#include <QtTest>

#include <cmath>
#include <map>
#include <set>

#include "bp/autograd.h"
#include "bp/io/bert_file.h"
#include "bp/io/gpt_file.h"
#include "bp/io/safetensors.h"
#include "bp/models/bert.h"
#include "bp/models/gpt.h"
#include "bp/train/bert_trainer.h"
#include "engine/data_test_util.h"

using namespace bp;
using namespace bp::models;

namespace {

data::BertVocab abc_vocab() { return data::BertVocab(data::CharTokenizer::from_text("abcdefgh .")); }  // 10 chars

BertOptions tiny(const data::BertVocab& v, bool tiled = true, bool tie = true) {
    BertOptions o;
    o.vocab_size = v.vocab_size();
    o.context = 12;
    o.layers = 2;
    o.heads = 2;
    o.dim = 16;
    o.num_classes = 3;
    o.tiled = tiled;
    o.tie_mlm = tie;
    return o;
}

Tensor ids(const std::vector<int32_t>& v, int64_t B, int64_t T) {
    return Tensor::from_vector({B, T}, std::vector<double>(v.begin(), v.end()), DType::i32);
}

double max_diff(const std::vector<double>& a, const std::vector<double>& b, size_t from = 0, size_t to = SIZE_MAX) {
    double m = 0;
    for (size_t i = from; i < std::min({a.size(), b.size(), to}); ++i) m = std::max(m, std::abs(a[i] - b[i]));
    return m;
}

/// Three classes told apart by which of a, b, c a six-character text repeats (the rest random from d..h).
data::TextClassificationTask toy_task() {
    data::TextClassificationTask task;
    task.name = "toy";
    task.classes = {"a-ish", "b-ish", "c-ish"};
    Generator gen(2);
    auto text = [&](char c) {
        std::string s;
        for (int i = 0; i < 6; ++i) s += gen.uniform() < 0.5 ? c : "defgh"[static_cast<int>(gen.uniform() * 5)];
        return s;
    };
    for (int i = 0; i < 60; ++i) task.train.push_back({text("abc"[i % 3]), i % 3});
    for (int i = 0; i < 30; ++i) task.test.push_back({text("abc"[i % 3]), i % 3});
    return task;
}

/// Every tensor of the encoder (all but the classifier), by name.
std::map<std::string, std::vector<double>> encoder_tensors(const BertMini& m) {
    std::map<std::string, std::vector<double>> out;
    for (const auto& [name, p] : m.named_parameters())
        if (name.rfind("classifier.", 0) != 0) out[name] = p.to_vector();
    return out;
}

double max_abs_change(const std::vector<double>& before, const Tensor& after) { return max_diff(before, after.to_vector()); }

data::TextCorpus tiny_corpus() {
    std::string text;
    const char* lines[] = {"the cat sat on the mat.\n", "a dog ran in the fog!\n", "we all like tea.\n"};
    for (int i = 0; i < 150; ++i) text += lines[i % 3];
    return data::make_text_corpus(text, "tiny", 0.1);
}

}  // namespace

class TstBert : public QObject {
    Q_OBJECT
private slots:
    void vocabularyAddsThreeSpecials() {
        data::BertVocab v = abc_vocab();
        QCOMPARE(v.characters(), 10);
        QCOMPARE(v.vocab_size(), 13);
        QCOMPARE(v.pad_id(), 10);
        QCOMPARE(v.mask_id(), 11);
        QCOMPARE(v.cls_id(), 12);
        QCOMPARE(v.token_text(v.mask_id()), std::string("[MASK]"));
        QCOMPARE(v.decode({v.cls_id(), 2, 3, v.pad_id()}), std::string("[CLS]ab[PAD]"));  // ' ' '.' 'a' 'b' ...
        QVERIFY(v.is_special(v.cls_id()) && !v.is_special(0));
        QVERIFY_THROWS_EXCEPTION(DataError, v.token_text(13));
    }

    void shapesAndParameterCount() {
        data::BertVocab v = abc_vocab();
        BertMini tied(tiny(v)), untied(tiny(v, true, false));
        const int64_t V = 13, d = 16;
        QCOMPARE(untied.parameter_count() - tied.parameter_count(), V * d);  // the decoder matrix
        Tensor x = ids({12, 0, 1, 2, 3, 4, 12, 5, 6, 7, 8, 9}, 2, 6);
        QCOMPARE(tied.encode(x).shape(), (Shape{2, 6, d}));
        QCOMPARE(tied.forward(x).shape(), (Shape{2, 6, V}));
        QCOMPARE(tied.classify(x).shape(), (Shape{2, 3}));
        QVERIFY_THROWS_EXCEPTION(ShapeError, tied.encode(Tensor::zeros({1, 13}, DType::i32)));  // T > context
        QVERIFY(tied.repr().find("BertMini(vocab=13") == 0);
    }

    // Bidirectional: a character late in the sequence changes the outputs at every earlier position (a causal
    // model would leave them alone: checked on GPT-mini of the same size as the contrast).
    void laterCharacterChangesEarlierOutputs_data() {
        QTest::addColumn<bool>("tiled");
        QTest::newRow("tiled attention") << true;
        QTest::newRow("plain attention") << false;
    }
    void laterCharacterChangesEarlierOutputs() {
        QFETCH(bool, tiled);
        autograd::NoGradGuard g;
        data::BertVocab v = abc_vocab();
        BertMini bert(tiny(v, tiled));
        Generator gen(3);
        bert.reset_parameters(gen);
        const std::vector<int32_t> a{12, 2, 3, 4, 5, 6, 7}, b{12, 2, 3, 4, 5, 6, 9};  // only the last differs
        const auto ha = bert.encode(ids(a, 1, 7)).to_vector(), hb = bert.encode(ids(b, 1, 7)).to_vector();
        for (size_t t = 0; t < 6; ++t)
            QVERIFY2(max_diff(ha, hb, t * 16, (t + 1) * 16) > 1e-6, ("position " + std::to_string(t)).c_str());
        GptOptions go;
        go.vocab_size = 13;
        go.context = 12;
        go.layers = 2;
        go.heads = 2;
        go.dim = 16;
        GptMini gpt(go);
        gpt.reset_parameters(gen);
        const auto ga = gpt.forward(ids(a, 1, 7)).to_vector(), gb = gpt.forward(ids(b, 1, 7)).to_vector();
        QCOMPARE(max_diff(ga, gb, 0, 6 * 13), 0.0);  // causal: positions 0..5 cannot see position 6
    }

    // [PAD] keys get no weight: changing the token at a padded position changes nothing at the real positions,
    // nor the [CLS] classification.
    void paddedTokenChangesNothing_data() { laterCharacterChangesEarlierOutputs_data(); }
    void paddedTokenChangesNothing() {
        QFETCH(bool, tiled);
        autograd::NoGradGuard g;
        data::BertVocab v = abc_vocab();
        BertMini bert(tiny(v, tiled));
        Generator gen(4);
        bert.reset_parameters(gen);
        auto [x, mask] = data::encode_for_classification({"abc", "hhgg ffe."}, v, 10);
        QCOMPARE(x.shape(), (Shape{2, 10}));
        const auto mk = mask.to_vector();
        QCOMPARE(mk[0] + mk[1] + mk[2] + mk[3] + mk[4], 4.0);  // [CLS] a b c, then [PAD]
        QCOMPARE(x.to_vector()[4], double(v.pad_id()));
        Tensor y = x.clone();
        for (int t = 4; t < 10; ++t) y.data<int32_t>()[t] = 5;  // other tokens under the padding mask
        const auto ha = bert.encode(x, mask).to_vector(), hb = bert.encode(y, mask).to_vector();
        QVERIFY(max_diff(ha, hb, 0, 4 * 16) < 1e-6);       // the real positions of the padded sequence
        QVERIFY(max_diff(ha, hb, 10 * 16, 20 * 16) < 1e-6);  // the other sequence
        QVERIFY(max_diff(ha, hb, 4 * 16, 10 * 16) > 1e-6);   // the padded positions themselves differ
        QVERIFY(max_diff(bert.classify(x, mask).to_vector(), bert.classify(y, mask).to_vector()) < 1e-6);
        // Mean pooling averages the real positions only: padding changes nothing there either, and the pooled
        // vector is the mean of the real positions' hidden states.
        bert.set_pooling(BertOptions::Pooling::mean);
        QVERIFY(max_diff(bert.classify(x, mask).to_vector(), bert.classify(y, mask).to_vector()) < 1e-6);
        {
            std::vector<double> mean_h(16, 0.0);
            for (int t = 0; t < 4; ++t)
                for (int i = 0; i < 16; ++i) mean_h[static_cast<size_t>(i)] += ha[static_cast<size_t>(t * 16 + i)] / 4;
            Tensor expect = bert.classifier->forward(Tensor::from_vector({1, 16}, mean_h));
            const auto got = bert.classify(x, mask).to_vector();
            QVERIFY(max_diff(got, expect.to_vector(), 0, 3) < 1e-5);
        }
        QCOMPARE(BertOptions::from_json(bert.options().to_json()).pooling, BertOptions::Pooling::mean);
        // Without the mask the padding is visible.
        QVERIFY(max_diff(bert.encode(x).to_vector(), bert.encode(y).to_vector(), 0, 4 * 16) > 1e-6);
        // trim pads to the longest row only ([CLS] a b c: 4 tokens), with the same class logits as padding to 10.
        auto [tx, tm] = data::encode_for_classification({"abc", "ab"}, v, 10, true);
        auto [fx, fm] = data::encode_for_classification({"abc", "ab"}, v, 10);
        QCOMPARE(tx.shape(), (Shape{2, 4}));
        const std::vector<double> real = tm.to_vector();  // abc: all 4 real; ab: 3, then one [PAD]
        QCOMPARE(real.size(), size_t{8});
        for (size_t i = 0; i < 8; ++i) QCOMPARE(real[i], i == 7 ? 0.0 : 1.0);
        QVERIFY(max_diff(bert.classify(tx, tm).to_vector(), bert.classify(fx, fm).to_vector()) < 1e-5);
    }

    void maskingStatistics() {
        data::BertVocab v = abc_vocab();
        Generator gen(11);
        std::vector<int32_t> chars(5000);
        for (size_t i = 0; i < chars.size(); ++i) chars[i] = static_cast<int32_t>((i * 7 + i / 3) % 10);
        Tensor x = data::sample_mlm_windows(chars, v, 128, 100, gen);  // [128, 100]
        const auto xv = x.to_vector();
        for (int b = 0; b < 128; ++b) QCOMPARE(xv[b * 100], double(v.cls_id()));
        data::MlmBatch m = data::mask_for_mlm(x, v, gen);
        QCOMPARE(m.eligible, int64_t{128 * 99});  // [CLS] is never chosen
        const double chosen = double(m.chosen) / m.eligible;
        QVERIFY2(std::abs(chosen - 0.15) < 0.015, std::to_string(chosen).c_str());
        const double fm = double(m.masked) / m.chosen, fr = double(m.randomised) / m.chosen, fk = double(m.kept) / m.chosen;
        QVERIFY2(std::abs(fm - 0.8) < 0.03, std::to_string(fm).c_str());
        QVERIFY2(std::abs(fr - 0.1) < 0.025, std::to_string(fr).c_str());
        QVERIFY2(std::abs(fk - 0.1) < 0.025, std::to_string(fk).c_str());
        QCOMPARE(m.masked + m.randomised + m.kept, m.chosen);
        // Targets are the original characters; unchosen positions are untouched; chosen ones are [MASK], a
        // character (random or kept), never another special.
        const auto in = m.inputs.to_vector(), pos = m.positions.to_vector(), tgt = m.targets.to_vector();
        std::set<int64_t> chosen_set;
        for (size_t i = 0; i < pos.size(); ++i) {
            const auto p = static_cast<int64_t>(pos[i]);
            chosen_set.insert(p);
            QCOMPARE(tgt[i], xv[p]);
            QVERIFY(in[p] == v.mask_id() || !v.is_special(static_cast<int32_t>(in[p])));
        }
        QCOMPARE(chosen_set.size(), pos.size());
        int64_t masks = 0;
        for (size_t p = 0; p < in.size(); ++p) {
            if (!chosen_set.count(static_cast<int64_t>(p))) QCOMPARE(in[p], xv[p]);
            masks += in[p] == v.mask_id();
        }
        QCOMPARE(masks, m.masked);
        // Same seed, same corruption.
        Generator g1(5), g2(5);
        QCOMPARE(data::mask_for_mlm(x, v, g1).positions.to_vector(), data::mask_for_mlm(x, v, g2).positions.to_vector());
        // Padding is never chosen; a batch of specials only is an error.
        auto [px, pm] = data::encode_for_classification({"ab"}, v, 12);
        Generator g3(1);
        for (int i = 0; i < 20; ++i) {
            data::MlmBatch pb = data::mask_for_mlm(px, v, g3);
            for (double p : pb.positions.to_vector()) QVERIFY(p == 1 || p == 2);
        }
        QVERIFY_THROWS_EXCEPTION(ConfigError, data::mask_for_mlm(ids({12, 10, 10}, 1, 3), v, g3));
        QVERIFY_THROWS_EXCEPTION(ConfigError, data::mask_for_mlm(x, v, g3, {.select = 0.15, .use_mask = 0.95, .use_random = 0.1}));
    }

    // The loss is the mean cross-entropy over the chosen positions only: it equals the loss computed by hand from
    // the full [B, T, V] logits at those positions, and the targets of the other positions do not enter it.
    void lossOnlyOnChosenPositions() {
        data::BertVocab v = abc_vocab();
        BertMini bert(tiny(v, false));
        Generator gen(8);
        bert.reset_parameters(gen);
        std::vector<int32_t> chars(400);
        for (size_t i = 0; i < chars.size(); ++i) chars[i] = static_cast<int32_t>((i * i + 3) % 10);
        data::MlmBatch m = data::mask_for_mlm(data::sample_mlm_windows(chars, v, 3, 12, gen), v, gen);
        const double loss = bert.mlm_loss(m).item();
        const auto logits = bert.forward(m.inputs).to_vector();  // [3, 12, 13]
        const auto pos = m.positions.to_vector(), tgt = m.targets.to_vector();
        double by_hand = 0;
        for (size_t i = 0; i < pos.size(); ++i) {
            const double* z = logits.data() + static_cast<size_t>(pos[i]) * 13;
            double mx = *std::max_element(z, z + 13), s = 0;
            for (int c = 0; c < 13; ++c) s += std::exp(z[c] - mx);
            by_hand += mx + std::log(s) - z[static_cast<int>(tgt[i])];
        }
        by_hand /= static_cast<double>(pos.size());
        QVERIFY2(std::abs(loss - by_hand) < 1e-5, (std::to_string(loss) + " vs " + std::to_string(by_hand)).c_str());
        // Gradients reach the parameters through the chosen positions' logits (index_select's backward).
        Tensor l = bert.mlm_loss(m);
        l.backward();
        QVERIFY(bert.tok_embed->weight.grad().defined());
    }

    void saveLoadRoundTrip() {
        data::BertVocab v = abc_vocab();
        BertMini bert(tiny(v, true, false));
        Generator gen(9);
        bert.reset_parameters(gen);
        const QString path = QDir::temp().filePath("tst_bert_roundtrip.safetensors");
        io::save_bert(path.toStdString(), bert, v, {{"note", "test"}});
        io::LoadedBert b = io::load_bert(path.toStdString());
        QCOMPARE(b.vocab.vocab_size(), v.vocab_size());
        QCOMPARE(b.summary.value("note", std::string()), std::string("test"));
        QCOMPARE(b.model->options().to_json(), bert.options().to_json());
        Tensor x = ids({12, 1, 2, 3, 4, 5}, 1, 6);
        autograd::NoGradGuard g;
        QCOMPARE(b.model->forward(x).to_vector(), bert.forward(x).to_vector());
        QVERIFY_THROWS_EXCEPTION(DataError, io::load_gpt(path.toStdString()));  // a BERT file is not a GPT file
        GptOptions go;
        go.vocab_size = 10;
        GptMini gpt(go);
        const QString gpath = QDir::temp().filePath("tst_bert_gpt.safetensors");
        io::save_gpt(gpath.toStdString(), gpt, v.tokenizer());
        QVERIFY_THROWS_EXCEPTION(DataError, io::load_bert(gpath.toStdString()));
        // The encoder goes to a model with another classifier; the classifier does not.
        BertOptions o6 = bert.options();
        o6.num_classes = 6;
        BertMini six(o6);
        six.load_encoder_from(bert);
        QCOMPARE(six.encode(x).to_vector(), bert.encode(x).to_vector());
        BertOptions wider = bert.options();
        wider.dim = 32;
        BertMini w(wider);
        QVERIFY_THROWS_EXCEPTION(ConfigError, w.load_encoder_from(bert));
        QFile::remove(path);
        QFile::remove(gpath);
    }

    // Issue 19 for BERT files (found by tools/fuzz/fuzz_gpt.cpp): load_bert reads its metadata as strictly as
    // load_gpt, so every bad file is a DataError naming it: a config that is an array (was a raw type_error), a
    // repeated key, options that are not whole numbers (were cast from double) and options far larger than the
    // tensors (were allocated first: 12.8 GB for this one).
    void hostileBertFilesAreDataErrors_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("config array") << "bp.config" << "[1, 2]" << "is a JSON array; expected a JSON object";
        QTest::newRow("model a number") << "bp.config" << R"({"model": 7})" << "holds model '?'";
        QTest::newRow("no options") << "bp.config" << R"({"model": "bert_mini"})" << "there are none";
        QTest::newRow("repeated key") << "bp.config" << R"({"model": "bert_mini", "model": "bert_mini"})" << "repeats the key";
        QTest::newRow("dim 1e30") << "bp.config" << R"({"model": "bert_mini", "options": {"dim": 1e30}})"
                                  << "bert: dim must be a whole number";
        QTest::newRow("huge options") << "bp.config"
                                      << R"({"model": "bert_mini", "options": {"layers": 48, "dim": 4096, "heads": 4}})"
                                      << "parameters; the limit is";
        QTest::newRow("tokenizer array") << "bp.tokenizer" << "[]" << "is a JSON array";
        QTest::newRow("summary 1e400") << "bp.summary" << R"({"x": 1e400})" << "bp.summary";
    }
    void hostileBertFilesAreDataErrors() {
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        data::BertVocab v = abc_vocab();
        BertMini bert(tiny(v));
        const std::string good = QDir::temp().filePath("tst_bert_hostile_good.safetensors").toStdString();
        const std::string bad = QDir::temp().filePath("tst_bert_hostile.safetensors").toStdString();
        io::save_bert(good, bert, v);
        io::SafetensorsFile f = io::load_safetensors(good);
        f.metadata[key.toStdString()] = value.toStdString();
        io::save_safetensors(bad, f.tensors, f.metadata);
        const std::string msg = bp_test::message_of<DataError>([&] { io::load_bert(bad); });
        QVERIFY2(bp_test::contains(msg, bad) && bp_test::contains(msg, expected.toStdString()), msg.c_str());
        QFile::remove(QString::fromStdString(good));
        QFile::remove(QString::fromStdString(bad));
    }

    void tinyPretrainingBeatsUnigram() {
        data::TextCorpus c = tiny_corpus();
        data::BertVocab v(c.tokenizer);
        BertOptions o;
        o.vocab_size = v.vocab_size();
        o.context = 16;
        o.layers = 1;
        o.heads = 2;
        o.dim = 32;
        BertMini bert(o);
        train::MlmTrainConfig cfg;
        cfg.steps = 300;
        cfg.batch_size = 32;
        cfg.context = 16;
        cfg.lr = 1e-2;
        cfg.warmup_steps = 10;
        cfg.eval_every = 50;
        cfg.eval_batches = 8;
        int step_events = 0;
        train::MlmCallbacks count;
        count.on_step = [&](const train::MlmStepEvent&) {
            ++step_events;
            return true;
        };
        train::MlmResult r = train::pretrain_bert(bert, v, c, cfg, count);
        QVERIFY(!r.failed);
        QCOMPARE(step_events, 300);
        QCOMPARE(r.history.size(), size_t{7});  // steps 0, 50, ..., 300
        const auto& first = r.history.front();
        const auto& last = r.history.back();
        QVERIFY2(last.val_loss < first.val_loss - 1.0, (std::to_string(first.val_loss) + " -> " + std::to_string(last.val_loss)).c_str());
        QVERIFY2(last.val_loss < last.unigram_loss, (std::to_string(last.val_loss) + " vs unigram " + std::to_string(last.unigram_loss)).c_str());
        QVERIFY2(last.val_accuracy > last.unigram_accuracy + 0.2,
                 (std::to_string(last.val_accuracy) + " vs unigram " + std::to_string(last.unigram_accuracy)).c_str());
        // A callback returning false stops the run (the app's cancel).
        train::MlmCallbacks stop;
        stop.on_step = [](const train::MlmStepEvent& e) { return e.step < 3; };
        train::MlmResult s = train::pretrain_bert(bert, v, c, cfg, stop);
        QCOMPARE(s.steps_completed, 3);
        cfg.context = 17;
        QVERIFY_THROWS_EXCEPTION(ConfigError, train::pretrain_bert(bert, v, c, cfg));  // longer than the model's
    }

    void fineTuningLearnsASeparableTask() {
        data::BertVocab v = abc_vocab();
        data::TextClassificationTask task = toy_task();
        BertMini bert(tiny(v));
        train::FineTuneConfig cfg;
        cfg.epochs = 12;
        cfg.batch_size = 10;
        cfg.lr = 3e-3;
        train::FineTuneResult r = train::fine_tune(bert, v, task, cfg);
        QVERIFY(!r.failed);
        QCOMPARE(r.epochs.size(), size_t{13});
        QVERIFY2(r.epochs.back().test_accuracy >= 0.9, std::to_string(r.epochs.back().test_accuracy).c_str());
        QCOMPARE(r.test_predictions.size(), task.test.size());
        QCOMPARE(std::set<int>(r.test_predictions.begin(), r.test_predictions.end()).size(), size_t{3});  // not one class
        // A linear probe moves the classifier only, and the encoder is trainable again afterwards.
        const auto before = bert.encode(ids({12, 2, 3}, 1, 3)).to_vector();
        cfg.freeze_encoder = true;
        cfg.epochs = 2;
        train::FineTuneResult probe = train::fine_tune(bert, v, task, cfg);
        QVERIFY(!probe.failed);
        QCOMPARE(bert.encode(ids({12, 2, 3}, 1, 3)).to_vector(), before);
        for (auto& [name, p] : bert.named_parameters()) QVERIFY2(p.requires_grad(), name.c_str());
        cfg.freeze_encoder = false;
        task.classes.push_back("d-ish");
        QVERIFY_THROWS_EXCEPTION(ConfigError, train::fine_tune(bert, v, task, cfg));  // 4 classes vs 3 outputs
    }

    // The pre-training lesson's mechanism (train::model_for_fine_tuning, used by `backprop fine-tune` and the app):
    // the pre-trained arm starts from every tensor of the pre-trained encoder and the scratch arm from none of its
    // matrices; the encoder changes the classifier's starting loss; a longer context than pre-training works for the
    // modern block (RoPE) only; and on the first step the new head moves head_lr_scale times as far as the encoder.
    void fineTuningStartsFromThePretrainedEncoder() {
        data::BertVocab v = abc_vocab();
        BertMini pre(tiny(v));  // context 12
        Generator g(5);
        pre.reset_parameters(g);
        const auto mean = BertOptions::Pooling::mean;
        auto from_pre = train::model_for_fine_tuning(pre, true, 3, mean, 24);
        auto scratch = train::model_for_fine_tuning(pre, false, 3, mean, 24);
        QCOMPARE(from_pre->options().context, int64_t{24});
        QCOMPARE(from_pre->options().pooling, mean);
        const auto pre_tensors = encoder_tensors(pre), copied = encoder_tensors(*from_pre), fresh = encoder_tensors(*scratch);
        QVERIFY(copied == pre_tensors);
        QVERIFY(fresh.at("tok_embed.weight") != pre_tensors.at("tok_embed.weight"));
        QCOMPARE(encoder_tensors(*train::model_for_fine_tuning(pre, false, 3, mean, 24)), fresh);  // seeded
        std::vector<int32_t> long_text{12};
        for (int i = 0; i < 20; ++i) long_text.push_back(i % 10);
        QCOMPARE(from_pre->classify(ids(long_text, 1, 21)).shape(), (Shape{1, 3}));  // 21 tokens > pre-training's 12
        BertOptions learned = tiny(v);
        learned.block = nn::BlockKind::gpt2;
        BertMini gpt2_block(learned);
        const std::string msg = bp_test::message_of<ConfigError>([&] { train::model_for_fine_tuning(gpt2_block, true, 3, mean, 24); });
        QVERIFY2(bp_test::contains(msg, "gpt2") && bp_test::contains(msg, "24"), msg.c_str());
        QCOMPARE(train::model_for_fine_tuning(gpt2_block, true, 3, mean)->options().context, int64_t{12});

        // One step over all 60 texts, no warm-up: the cosine schedule's last step is lr/10, and Adam's first step
        // moves every weight by lr/10 times the sign of its gradient. So the head moves lr/10 · head_lr_scale, the
        // encoder lr/10, whatever the scale.
        const data::TextClassificationTask task = toy_task();
        train::FineTuneConfig cfg;
        cfg.epochs = 1;
        cfg.batch_size = 60;
        cfg.lr = 1e-3;
        cfg.warmup_fraction = 0;
        cfg.weight_decay = 0;
        double start_loss[2] = {0, 0};
        for (const double scale : {1.0, 10.0}) {
            cfg.head_lr_scale = scale;
            for (int arm = 0; arm < 2; ++arm) {
                auto m = train::model_for_fine_tuning(pre, arm == 0, 3, mean);
                Generator same(cfg.seed);  // the classifier fine_tune will start from
                m->reset_classifier(same);
                const std::vector<double> head = m->classifier->weight.to_vector(), embed = m->tok_embed->weight.to_vector();
                const train::FineTuneResult r = train::fine_tune(*m, v, task, cfg);
                QVERIFY(!r.failed);
                start_loss[arm] = r.epochs.front().test_loss;
                if (arm == 1) continue;
                const double dh = max_abs_change(head, m->classifier->weight), de = max_abs_change(embed, m->tok_embed->weight);
                QVERIFY2(std::abs(dh - 1e-4 * scale) < 1e-6 * scale, std::to_string(dh).c_str());
                QVERIFY2(std::abs(de - 1e-4) < 1e-6, std::to_string(de).c_str());
            }
            QVERIFY2(std::abs(start_loss[0] - start_loss[1]) > 1e-6,  // the same head on another encoder
                     (std::to_string(start_loss[0]) + " vs " + std::to_string(start_loss[1])).c_str());
        }
    }

    void fortuneSourceTaskIsBalancedAndDisjoint() {
        std::string why;
        if (!data::default_corpus_available(&why)) QSKIP(why.c_str());
        data::TextClassificationTask t = data::make_fortune_source_task(0.2, 1);
        QCOMPARE(t.classes, data::fortune_source_classes());
        std::vector<int> tr(6, 0), te(6, 0);
        for (const auto& q : t.train) ++tr[static_cast<size_t>(q.label)];
        for (const auto& q : t.test) ++te[static_cast<size_t>(q.label)];
        for (int c = 0; c < 6; ++c) {
            QCOMPARE(tr[static_cast<size_t>(c)], tr[0]);
            QCOMPARE(te[static_cast<size_t>(c)], te[0]);
        }
        QVERIFY(te[0] > 20 && tr[0] > 4 * te[0] - 6);
        std::set<std::string> train_texts;
        for (const auto& q : t.train) train_texts.insert(q.text);
        QCOMPARE(train_texts.size(), t.train.size());  // no duplicates
        for (const auto& q : t.test) QVERIFY2(!train_texts.count(q.text), q.text.c_str());
        // Deterministic for a seed, different for another.
        data::TextClassificationTask again = data::make_fortune_source_task(0.2, 1), other = data::make_fortune_source_task(0.2, 2);
        QCOMPARE(again.test.front().text, t.test.front().text);
        QVERIFY(other.test.front().text != t.test.front().text || other.test.back().text != t.test.back().text);
        data::TextClassificationTask small = data::make_fortune_source_task(0.2, 1, 50);
        QCOMPARE(small.train.size() + small.test.size(), size_t{300});
    }

    void charPredictionStatsAndUnigram() {
        CharPredictionStats s;
        // Row 0 predicts class 1 (right), row 1 predicts class 0 (wrong).
        s.add(Tensor::from_vector({2, 3}, {0, 5, 0, 2, 1, 0}), Tensor::from_vector({2}, {1, 2}, DType::i32));
        QCOMPARE(s.count, int64_t{2});
        QCOMPARE(s.accuracy, 0.5);
        const double l0 = -std::log(std::exp(5.0) / (2 + std::exp(5.0))), l1 = -std::log(1 / (std::exp(2.0) + std::exp(1.0) + 1));
        QVERIFY(std::abs(s.loss - (l0 + l1) / 2) < 1e-9);
        CharPredictionStats u = unigram_baseline({0, 0, 0, 1, 2}, {0, 1, 0, 0}, 3);
        QCOMPARE(u.accuracy, 0.75);  // always '0'
    }
};

QTEST_APPLESS_MAIN(TstBert)
#include "tst_bert.moc"
