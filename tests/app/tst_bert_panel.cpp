// tst_bert_panel.cpp — the Attention page's BERT-mini tab driven with real events: a short real pre-training on
// the fortunes through the panel's Train button (on its worker thread), then typing a sentence with blanks; the
// table shows exactly what the engine computes for each blank, the predictions change as the text changes, the
// attention is full (a character attends to characters after it, unlike GPT's triangle), and the model saves
// and opens again with the same predictions. Beside it, a GPT-mini trained for a few steps reads the same
// sentence: its map is the engine's triangle of those characters. The fine-tuning comparison (pre-trained vs
// scratch) through its Compare button charts exactly what the engine's fine_tune measures.
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "bp/data/text.h"
#include "bp/data/bert_data.h"
#include "bp/io/bert_file.h"
#include "bp/tensor.h"
#include "bp/train/bert_trainer.h"
#include "controllers/gpt_controller.h"
#include "panels/bert_finetune_panel.h"
#include "qcustomplot.h"
#include "series_plot.h"
#include "panels/bert_fill_panel.h"
#include "token_attention_view.h"

class TestBertPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void trainTypeBlanksAndReadTheEnginesAnswer() {
        std::string why;
        if (!bp::data::default_corpus_available(&why)) QSKIP(why.c_str());
        BertFillPanel panel{AppContext{}};
        panel.resize(1200, 800);
        panel.show();
        panel.stepsSpin()->setValue(30);
        QSignalSpy trained(panel.controller(), &BertController::trained);
        QTest::mouseClick(panel.trainButton(), Qt::LeftButton);
        QVERIFY(trained.wait(240000));
        QVERIFY(panel.hasModel());

        // Typing: every keystroke refills; two blanks give two rows.
        panel.sentenceEdit()->clear();
        QTest::keyClicks(panel.sentenceEdit(), QStringLiteral("th_ cat sat on th_ mat"));
        QCOMPARE(panel.blanksTable()->rowCount(), 2);
        const auto& fill = panel.lastFill();
        QVERIFY(fill.has_value());
        QCOMPARE(static_cast<int>(fill->blanks.size()), 2);
        for (int i = 0; i < 2; ++i) {
            const berttools::Blank& b = fill->blanks[static_cast<size_t>(i)];
            QCOMPARE(static_cast<int>(b.top.size()), 5);
            double previous = 1.0, sum = 0;
            for (const auto& [ch, p] : b.top) {
                QVERIFY(p <= previous + 1e-12);  // most likely first
                QVERIFY(p > 0);
                previous = p;
                sum += p;
            }
            QVERIFY(sum <= 1.0 + 1e-9);
            QCOMPARE(panel.blanksTable()->item(i, 1)->data(Qt::UserRole).toString(), b.top.front().first);
        }
        QCOMPARE(fill->tokens.front(), QStringLiteral("[CLS]"));
        QCOMPARE(fill->tokens.at(fill->blanks[0].position), QStringLiteral("[MASK]"));
        // Bidirectional: the first character attends to the last one (a causal model could not).
        TokenAttentionView* view = panel.attentionView();
        QCOMPARE(view->tokenCount(), fill->attention.tokens);
        const int n = view->tokenCount();
        QVERIFY(view->weight(1, n - 1) > 0.0);
        double row = 0;
        for (int c = 0; c < n; ++c) row += view->weight(1, c);
        QVERIFY(std::abs(row - 1.0) < 1e-4);

        // Saved and opened again: the same predictions for the same sentence.
        QTemporaryDir dir;
        const QString path = dir.path() + QStringLiteral("/bert.safetensors");
        QCOMPARE(panel.saveModel(path), QString());
        BertFillPanel again{AppContext{}};
        QCOMPARE(again.openModel(path), QString());
        again.sentenceEdit()->setText(panel.sentenceEdit()->text());
        QVERIFY(again.lastFill().has_value());
        QCOMPARE(again.lastFill()->blanks[0].top.front().first, fill->blanks[0].top.front().first);
        QVERIFY(std::abs(again.lastFill()->blanks[0].top.front().second - fill->blanks[0].top.front().second) < 1e-5);
        QVERIFY(!again.openModel(dir.path() + QStringLiteral("/missing.safetensors")).isEmpty());
        QVERIFY(QFile::copy(path, m_dir.filePath(QStringLiteral("bert.safetensors"))));
    }

    // GPT-mini beside BERT: the Language tab's latest model reads the same sentence, blanks filled with BERT's best
    // guess, and its map is the engine's causal attention of exactly those characters.
    void gptBesideBertOnTheSameSentence() {
        const QString bertFile = m_dir.filePath(QStringLiteral("bert.safetensors"));
        if (!QFile::exists(bertFile)) QSKIP("needs the BERT trained by the test before");
        BertFillPanel panel{AppContext{}};
        panel.resize(1400, 800);
        panel.show();
        GptController gpt;
        panel.setGpt(&gpt);
        QCOMPARE(panel.openModel(bertFile), QString());
        panel.sentenceEdit()->setText(QStringLiteral("th_ cat sat on th_ mat"));
        QVERIFY(panel.gptNote()->isVisibleTo(&panel));  // no GPT yet: it says how to get one
        QVERIFY(panel.gptNote()->text().contains(QStringLiteral("Language tab")));
        QCOMPARE(panel.gptAttentionView()->tokenCount(), 0);

        gpt.loadCorpus();
        QTRY_VERIFY_WITH_TIMEOUT(gpt.hasCorpus(), 30000);
        QSignalSpy finished(&gpt, &GptController::runFinished);
        QVERIFY(gpt.start(GptController::classroomConfig(QStringLiteral("gpt2"), 8, 3)) != 0);
        QVERIFY(finished.wait(60000));
        QTRY_VERIFY(!panel.gptNote()->isVisibleTo(&panel));

        const auto& fill = *panel.lastFill();
        QString expected = QStringLiteral("th_ cat sat on th_ mat");
        expected.replace(2, 1, fill.blanks[0].top.front().first);
        expected.replace(17, 1, fill.blanks[1].top.front().first);
        QCOMPARE(panel.gptText(), expected);
        const GptRun& run = gpt.runs().back();
        const std::vector<int32_t> ids = run.corpus->tokenizer.encode_lossy(expected.toStdString());
        QCOMPARE(panel.gptAttention().ids, ids);
        const attentiontools::TokenAttention engine = attentiontools::runGpt(*run.model, ids);
        TokenAttentionView* view = panel.gptAttentionView();
        const int n = static_cast<int>(ids.size());
        QCOMPARE(view->tokenCount(), n);
        const std::vector<double> head = engine.head(0, 0);  // layer 1, head 1 are shown
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                if (j > i) QCOMPARE(view->weight(i, j), 0.0);  // the triangle: nothing after a character
                QVERIFY(std::abs(view->weight(i, j) - head[static_cast<size_t>(i * n + j)]) < 1e-6);
            }
        // BERT's own map on the same screen has no triangle.
        QVERIFY(panel.attentionView()->weight(1, panel.attentionView()->tokenCount() - 1) > 0.0);
    }

    // Fine-tuning, pre-trained vs from scratch, through the Compare button: the chart holds exactly what the engine's
    // fine_tune measures for both arms with the same settings, and the verdict names both figures.
    void fineTuningComparesPretrainedWithScratch() {
        const QString bertFile = m_dir.filePath(QStringLiteral("bert.safetensors"));
        if (!QFile::exists(bertFile)) QSKIP("needs the BERT trained by the first test");
        BertFillPanel panel{AppContext{}};
        panel.resize(1400, 800);
        panel.show();
        BertFineTunePanel* ft = panel.fineTunePanel();
        QVERIFY(!ft->compareButton()->isEnabled());  // no model yet
        QVERIFY(!ft->compare());
        QVERIFY(ft->statusLabel()->text().contains(QStringLiteral("first")));
        QCOMPARE(panel.openModel(bertFile), QString());
        panel.views()->setCurrentIndex(1);
        QVERIFY(ft->compareButton()->isEnabled());
        ft->epochsSpin()->setValue(2);
        QSignalSpy done(ft, &BertFineTunePanel::finished);
        QTest::mouseClick(ft->compareButton(), Qt::LeftButton);
        QVERIFY(!panel.trainButton()->isEnabled());  // one run at a time
        QVERIFY(done.wait(900000));  // two arms of 2 epochs over 256-token quotations: minutes on a busy machine
        QVERIFY(panel.trainButton()->isEnabled());
        QCOMPARE(ft->history().size(), 6);  // epochs 0, 1, 2 of each arm

        // The same two runs, directly in the engine.
        const bp::io::LoadedBert loaded = bp::io::load_bert(bertFile.toStdString());
        const bp::data::TextClassificationTask task = bp::data::make_fortune_source_task();
        const BertModel pretrained{loaded.model, loaded.vocab};
        for (int arm = 0; arm < 2; ++arm) {
            const std::shared_ptr<bp::models::BertMini> bert = BertController::fineTuneModel(pretrained, arm == 0);
            QCOMPARE(bert->options().context, int64_t{BertController::kFineTuneContext});
            QCOMPARE(bert->options().pooling, bp::models::BertOptions::Pooling::mean);
            const bp::train::FineTuneResult r = bp::train::fine_tune(*bert, loaded.vocab, task, BertController::fineTuneConfig(2));
            QCOMPARE(r.epochs.size(), size_t(3));
            std::vector<double> test, train;
            for (const FineTuneEvent& e : ft->history())
                if (e.arm == arm) test.push_back(e.epoch.test_accuracy), train.push_back(e.epoch.train_accuracy);
            for (size_t i = 0; i < 3; ++i) {
                QCOMPARE(test[i], r.epochs[i].test_accuracy);
                QCOMPARE(train[i], r.epochs[i].train_accuracy);
            }
            // The chart: held-out accuracy in percent per epoch, training accuracy from epoch 1.
            const QCPGraph* g = ft->plot()->graph(arm == 0 ? BertFineTunePanel::PretrainedTest : BertFineTunePanel::ScratchTest);
            QCOMPARE(g->dataCount(), 3);
            for (int i = 0; i < 3; ++i) {
                QCOMPARE(g->data()->at(i)->key, static_cast<double>(i));
                QVERIFY(std::abs(g->data()->at(i)->value - 100 * r.epochs[static_cast<size_t>(i)].test_accuracy) < 1e-9);
            }
            QCOMPARE(ft->plot()->graph(arm == 0 ? BertFineTunePanel::PretrainedTrain : BertFineTunePanel::ScratchTrain)->dataCount(), 2);
        }
        const QCPGraph* chance = ft->plot()->graph(BertFineTunePanel::Chance);
        QVERIFY(std::abs(chance->data()->at(0)->value - 100.0 / static_cast<double>(task.classes.size())) < 1e-9);
        const QString verdict = ft->statusLabel()->text();
        QVERIFY2(verdict.contains(QStringLiteral("from pre-training")) && verdict.contains(QStringLiteral("from scratch")),
                 qPrintable(verdict));
        QVERIFY2(verdict.contains(QString::number(100 * ft->history()[2].epoch.test_accuracy, 'f', 1)), qPrintable(verdict));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestBertPanel)
#include "tst_bert_panel.moc"
