// tst_gpt_corpus_slow.cpp — GPT-mini on the real default corpus (Debian's fortunes): a bounded, seeded run of
// TextTrainer must bring the validation loss well below the unigram (character-frequency) baseline, and the
// trained model must write recognisable text. Skipped, with the reason, when the fortunes package is missing.
#include <QtTest>

#include <cctype>

#include "bp/train/text_trainer.h"

using namespace bp;

class TstGptCorpusSlow : public QObject {
    Q_OBJECT
private slots:
    void learnsTheFortunesWellBelowUnigram() {
        std::string why;
        if (!data::default_corpus_available(&why)) QSKIP(why.c_str());
        const data::TextCorpus corpus = data::load_default_corpus();
        models::GptOptions o;
        o.vocab_size = corpus.tokenizer.vocab_size();
        o.context = 64;
        o.layers = 2;
        o.heads = 4;
        o.dim = 64;
        models::GptMini gpt(o);
        train::TextTrainConfig cfg;
        cfg.steps = 600;
        cfg.batch_size = 32;
        cfg.context = 64;
        cfg.lr = 3e-3;
        cfg.warmup_steps = 50;
        cfg.eval_every = 200;
        cfg.eval_batches = 10;
        train::TextTrainer t(gpt, corpus, cfg);
        QElapsedTimer clock;
        clock.start();
        t.run();
        QVERIFY(!t.failed());
        const train::TextEvalEvent last = t.history().back();
        const QString msg = QString("after %1 steps (%2 s): val loss %3, unigram %4")
                                .arg(last.step).arg(clock.elapsed() / 1000.0).arg(last.val_loss).arg(last.unigram_loss);
        qInfo().noquote() << msg;
        QCOMPARE(last.step, 600);
        QVERIFY2(last.unigram_loss > 3.0, qPrintable(msg));          // the baseline is what it should be
        QVERIFY2(last.val_loss < last.unigram_loss - 0.9, qPrintable(msg));
        // Each evaluation is better than the one before.
        for (size_t i = 1; i < t.history().size(); ++i) QVERIFY2(t.history()[i].val_loss < t.history()[i - 1].val_loss, qPrintable(msg));

        // The sample is mostly letters and spaces, as English text is.
        Generator gen(3);
        const auto ids = models::generate(gpt, corpus.tokenizer.encode("The "), {.max_new_tokens = 300}, gen);
        const std::string text = corpus.tokenizer.decode(ids);
        int letters = 0;
        for (char c : text) letters += std::isalpha(static_cast<unsigned char>(c)) || c == ' ';
        qInfo().noquote() << QString::fromStdString(text);
        QVERIFY2(letters > 0.7 * static_cast<double>(text.size()), text.c_str());
    }
};

QTEST_APPLESS_MAIN(TstGptCorpusSlow)
#include "tst_gpt_corpus_slow.moc"
