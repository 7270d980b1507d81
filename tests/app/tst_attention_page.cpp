// tst_attention_page.cpp — the Attention page against the engine, driven through its widgets.
//  ViT (a ViT-tiny trained here for a few seconds on MNIST): the heatmaps of every layer and head are the engine's
//    captured attention (class token → patches) for the chosen test image, the mean column is their mean, the
//    rollout's rows sum to 1 and its picture is the class token's rollout row, and the bars are classify_image's
//    probabilities; the drawing from the Draw page is read through the same path.
//  GPT-mini (on Debian's fortunes; skipped with the reason when it is missing): a short run started with the Start
//    button puts into the chart exactly the losses of an independent TextTrainer with the same seed, validation
//    losses and the unigram baseline; Stop keeps a stopped run; Generate produces text in the vocabulary whose
//    token heatmap has the token count's dimensions, causal zeros above the diagonal, rows summing to 1 and the
//    engine's own attention; hovering a token shades by its row; bad prompts give messages, not crashes.
#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QtTest>
#include <cmath>
#include <cstring>

#include "bp/autograd.h"
#include "bp/data/dataset.h"
#include "bp/data/preprocess.h"
#include "bp/data/text.h"
#include "bp/train/inference.h"
#include "bp/train/text_trainer.h"
#include "bp/train/trainer.h"
#include "core/app_settings.h"
#include "drawing_pad.h"
#include "main_window.h"
#include "pages/draw_page.h"
#include "tools/model_library.h"
#include "tools/model_tools.h"
#include "pages/attention_page.h"
#include "panels/gpt_generate_controls.h"
#include "patch_attention_view.h"
#include "probability_bars.h"
#include "qcustomplot.h"
#include "series_plot.h"
#include "token_attention_view.h"

namespace {

/// Collects a TextTrainer's events, as the page's worker does.
struct Recorder : bp::train::TextTrainerObserver {
    std::vector<bp::train::TextStepEvent> steps;
    std::vector<bp::train::TextEvalEvent> evals;
    void on_step(const bp::train::TextStepEvent& e) override { steps.push_back(e); }
    void on_eval(const bp::train::TextEvalEvent& e) override { evals.push_back(e); }
};

/// An Attention page reading `library`, 1400 × 900, on `tab` (none: the remembered one), shown; null if it never
/// became exposed.
std::unique_ptr<AttentionPage> shownPage(ModelLibrary* library, const QString& tab = QString()) {
    AppContext ctx;
    ctx.models = library;
    auto page = std::make_unique<AttentionPage>(ctx);
    page->resize(1400, 900);
    if (!tab.isEmpty()) page->showTab(tab);
    page->show();
    if (!QTest::qWaitForWindowExposed(page.get())) return nullptr;
    return page;
}

std::vector<double> graphValues(QCPGraph* g, std::vector<double>* keys = nullptr) {
    std::vector<double> v;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
        v.push_back(it->value);
        if (keys) keys->push_back(it->key);
    }
    return v;
}

}  // namespace

class TestAttentionPage : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<bp::data::ImageDataset> m_test;
    std::shared_ptr<bp::models::Model> m_vit;
    QString m_dataSkip;
    ModelLibrary m_library;

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("BackpropStudioTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_attention_page"));
        const std::string dir = bp::data::default_data_dir();
        bool have = false;
        for (const bp::data::DatasetInfo& d : bp::data::list_datasets(dir)) have |= d.name == "mnist" && d.complete;
        if (!have) {
            m_dataSkip = QStringLiteral("MNIST is not in %1; %2").arg(QString::fromStdString(dir), bp::data::data_setup_hint);
            return;
        }
        const bp::data::ImageDataset train = bp::data::load_image_dataset(dir, "mnist", "train");
        m_test = std::make_unique<bp::data::ImageDataset>(bp::data::load_image_dataset(dir, "mnist", "test"));
        bp::train::TrainConfig cfg;
        cfg.model = "vit";
        cfg.epochs = 1;
        cfg.train_limit = 1500;
        cfg.evaluate = false;
        m_vit = std::make_shared<bp::models::Model>(bp::models::create_model("vit", nlohmann::json::object(), 1));
        bp::train::Trainer trainer(*m_vit, train, nullptr, cfg);
        trainer.run();
        m_library.addModel(QStringLiteral("test ViT"), QStringLiteral("trained"), m_vit);
        // An MLP in the library is no ViT: the page must not offer it.
        m_library.addModel(QStringLiteral("test MLP"), QStringLiteral("trained"),
                           std::make_shared<bp::models::Model>(bp::models::create_model("mlp")));
    }

    // ------------------------------------------------------------------------------------------------ ViT

    void vitHeatmapsAreTheCapturedAttention() {
        if (!m_dataSkip.isEmpty()) QSKIP(qPrintable(m_dataSkip));
        const std::unique_ptr<AttentionPage> owner = shownPage(&m_library);
        QVERIFY(owner);
        AttentionPage& page = *owner;
        QCOMPARE(page.vitModelCombo()->count(), 1);  // the ViT only, not the MLP
        QVERIFY(page.selectVitModel(QStringLiteral("test ViT")));

        // Pick test image 5 with the spin box's keyboard, then one more with the "next" button: image 6.
        QSpinBox* spin = page.findChild<QSpinBox*>(QStringLiteral("attention.image"));
        QVERIFY(spin);
        spin->setFocus();
        spin->selectAll();
        QTest::keyClicks(spin, QStringLiteral("5"));
        QTRY_COMPARE(page.testImage(), 5);
        QPushButton* next = nullptr;
        for (QPushButton* b : page.findChildren<QPushButton*>())
            if (b->text() == QStringLiteral("▶")) next = b;
        QVERIFY(next);
        QSignalSpy shown(&page, &AttentionPage::vitShown);
        QTest::mouseClick(next, Qt::LeftButton);
        QCOMPARE(page.testImage(), 6);
        QCOMPARE(shown.count(), 1);

        // The engine, independently: normalise image 6, capture attention on a copy of the model.
        const int64_t index = 6;
        std::vector<float> x(784);
        bp::data::normalize_images(*m_test, &index, 1, x.data());
        QCOMPARE(page.vitInput().size(), x.size());
        for (size_t i = 0; i < x.size(); ++i) QCOMPARE(page.vitInput()[i], x[i]);
        std::shared_ptr<bp::models::Model> copy = modeltools::cloneModel(*m_vit);
        auto vit = std::dynamic_pointer_cast<bp::models::VisionTransformer>(copy->net);
        QVERIFY(vit);
        copy->net->eval();
        for (auto& b : vit->blocks) b->attn->capture_attention(true);
        bp::Tensor input = bp::Tensor::empty({1, 1, 28, 28});
        std::memcpy(input.data<float>(), x.data(), sizeof(float) * 784);
        {
            bp::autograd::NoGradGuard g;
            vit->forward(input);
        }
        const int layers = static_cast<int>(vit->blocks.size()), heads = static_cast<int>(vit->options().heads);
        QCOMPARE(layers, 2);
        QCOMPARE(heads, 4);
        std::vector<std::vector<float>> maps;
        for (int l = 0; l < layers; ++l) {
            const bp::Tensor& w = vit->blocks[static_cast<size_t>(l)]->attn->last_attention();  // [1, H, 50, 50]
            QCOMPARE(w.shape(), (bp::Shape{1, heads, 50, 50}));
            maps.push_back(w.to_float_vector());
        }
        for (int l = 0; l < layers; ++l) {
            std::vector<double> mean(49, 0.0);
            for (int h = 0; h < heads; ++h) {
                PatchAttentionView* view = page.headView(l, h);
                QVERIFY(view);
                QCOMPARE(view->gridRows(), 7);
                QCOMPARE(view->weights().size(), 49);
                for (int k = 0; k < 49; ++k) {
                    const double engine = maps[static_cast<size_t>(l)][static_cast<size_t>(h * 2500 + 0 * 50 + (k + 1))];
                    QVERIFY2(std::abs(view->weights()[k] - engine) < 1e-7,
                             qPrintable(QStringLiteral("layer %1 head %2 patch %3: %4 vs %5").arg(l).arg(h).arg(k)
                                            .arg(view->weights()[k]).arg(engine)));
                    mean[static_cast<size_t>(k)] += engine / heads;
                }
            }
            PatchAttentionView* meanView = page.headView(l, -1);
            for (int k = 0; k < 49; ++k) QVERIFY(std::abs(meanView->weights()[k] - mean[static_cast<size_t>(k)]) < 1e-7);
        }
        // The maps are not all alike (a trained model's heads differ), so the comparison above had something to compare.
        QVERIFY(page.headView(0, 0)->weights() != page.headView(0, 1)->weights());

        // Rollout: rows sum to 1; by hand for two layers: R = A2 · A1 with A = ½·mean_h W + ½·I.
        const std::vector<double>& r = page.vitRollout();
        QCOMPARE(r.size(), size_t(2500));
        for (int i = 0; i < 50; ++i) {
            double s = 0;
            for (int j = 0; j < 50; ++j) s += r[static_cast<size_t>(i * 50 + j)];
            QVERIFY2(std::abs(s - 1.0) < 1e-9, qPrintable(QStringLiteral("row %1 sums to %2").arg(i).arg(s, 0, 'g', 12)));
        }
        auto a = [&](int l, int i, int j) {
            double m = 0;
            for (int h = 0; h < heads; ++h) m += maps[static_cast<size_t>(l)][static_cast<size_t>(h * 2500 + i * 50 + j)];
            return 0.5 * m / heads + (i == j ? 0.5 : 0.0);
        };
        for (int j = 1; j < 50; ++j) {
            double expected = 0;
            for (int k = 0; k < 50; ++k) expected += a(1, 0, k) * a(0, k, j);
            QVERIFY(std::abs(r[static_cast<size_t>(j)] - expected) < 1e-6);
            QVERIFY(std::abs(page.rolloutView()->weights()[j - 1] - expected) < 1e-6);
        }

        // The prediction is the engine's classify.
        const std::vector<float> p = bp::train::classify_image(*m_vit->net, x.data(), {1, 28, 28});
        QCOMPARE(page.vitBars()->probabilities().size(), 10);
        for (int c = 0; c < 10; ++c) QVERIFY(std::abs(page.vitBars()->probabilities()[c] - p[static_cast<size_t>(c)]) < 1e-6);
        QCOMPARE(page.vitAttention().top, static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin()));
    }

    void vitReadsTheDrawing() {
        if (!m_dataSkip.isEmpty()) QSKIP(qPrintable(m_dataSkip));
        const std::unique_ptr<AttentionPage> owner = shownPage(&m_library);
        QVERIFY(owner);
        AttentionPage& page = *owner;
        QPushButton* use = page.findChild<QPushButton*>(QStringLiteral("useDrawing"));
        QVERIFY(use);
        // No Draw page yet: a message, and the test image stays.
        QTest::mouseClick(use, Qt::LeftButton);
        QVERIFY2(page.findChild<QLabel*>(QStringLiteral("imageInfo"))->text().contains(QStringLiteral("Draw page")),
                 qPrintable(page.findChild<QLabel*>(QStringLiteral("imageInfo"))->text()));
        // A "drawing": test image 11 in [0, 1].
        std::vector<float> drawing(784);
        for (int i = 0; i < 784; ++i) drawing[static_cast<size_t>(i)] = m_test->pixels[static_cast<size_t>(11 * 784 + i)] / 255.0f;
        page.setDrawingSource([&] { return drawing; });
        QTest::mouseClick(use, Qt::LeftButton);
        const std::vector<float> expected = bp::data::normalize_mnist(drawing);
        QCOMPARE(page.vitInput(), expected);
        const std::vector<float> p = bp::train::classify_image(*m_vit->net, expected.data(), {1, 28, 28});
        for (int c = 0; c < 10; ++c) QVERIFY(std::abs(page.vitBars()->probabilities()[c] - p[static_cast<size_t>(c)]) < 1e-6);
    }

    void mainWindowGluesTheDrawPage() {
        if (!m_dataSkip.isEmpty()) QSKIP(qPrintable(m_dataSkip));
        MainWindow window{AppContext{}};
        QVERIFY(MainWindow::pageIds().contains(QStringLiteral("attention")));
        window.modelLibrary()->addModel(QStringLiteral("test ViT"), QStringLiteral("trained"), m_vit);
        // Draw test image 21 on the Draw page as strokes.
        DrawPage* draw = window.drawPage();
        draw->pad()->setStrokes(DrawPage::strokesFromDigit(m_test->pixels.data() + 21 * 784, 28, 28, draw->pad()->canvasSize()));
        QVERIFY(draw->topClass() >= 0);
        // Ctrl+4 (the View menu's fourth page) opens the Attention page.
        QAction* fourth = nullptr;
        for (QAction* a : window.findChildren<QAction*>())
            if (a->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_4)) fourth = a;
        QVERIFY(fourth);
        QCOMPARE(fourth->text(), QStringLiteral("Attention"));
        fourth->trigger();
        QCOMPARE(window.currentPageId(), QStringLiteral("attention"));
        auto* page = qobject_cast<AttentionPage*>(window.page(QStringLiteral("attention")));
        QVERIFY(page);
        QVERIFY(page->selectVitModel(QStringLiteral("test ViT")));
        QTest::mouseClick(page->findChild<QPushButton*>(QStringLiteral("useDrawing")), Qt::LeftButton);
        QCOMPARE(page->vitInput(), bp::data::normalize_mnist(draw->modelInput()));
        QVERIFY(page->headView(1, 2) && page->headView(1, 2)->weights().size() == 49);
    }

    void noVitSaysWhatToDo() {
        ModelLibrary empty;
        AppContext ctx;
        ctx.models = &empty;
        AttentionPage page(ctx);
        QCOMPARE(page.vitModelCombo()->count(), 0);
        QVERIFY2(page.vitMessage().contains(QStringLiteral("train a ViT"), Qt::CaseInsensitive), qPrintable(page.vitMessage()));
        QVERIFY(page.vitRollout().empty());
    }

    void settingsAreRemembered() {
        AppSettings settings;
        settings.setAttentionSettings(AttentionSettings{});
        ModelLibrary empty;
        AppContext ctx;
        ctx.models = &empty;
        ctx.settings = &settings;
        {
            AttentionPage page(ctx);
            page.showTab(QStringLiteral("gpt"));
            page.setGptBlock(QStringLiteral("modern"));
            page.setGptSteps(777);
            page.promptEdit()->clear();
            page.promptEdit()->setFocus();
            QTest::keyClicks(page.promptEdit(), QStringLiteral("Once"));
            QTest::keyClick(page.promptEdit(), Qt::Key_Tab);  // editingFinished
            page.temperatureSpin()->setValue(1.25);
            page.topKSpin()->setValue(5);
            page.lengthSpin()->setValue(33);
            if (m_dataSkip.isEmpty()) QVERIFY(page.showTestImage(42));
        }
        const AttentionSettings s = settings.attentionSettings();
        QCOMPARE(s.tab, QStringLiteral("gpt"));
        QCOMPARE(s.block, QStringLiteral("modern"));
        QCOMPARE(s.steps, 777);
        QCOMPARE(s.prompt, QStringLiteral("Once"));
        QCOMPARE(s.temperature, 1.25);
        QCOMPARE(s.topK, 5);
        QCOMPARE(s.length, 33);
        AttentionPage again(ctx);  // restores them without overwriting any on the way
        QCOMPARE(again.tabs()->currentIndex(), 1);
        QCOMPARE(again.gptConfigFromWidgets().train.steps, 777);
        QVERIFY(again.gptConfigFromWidgets().model.block == bp::nn::BlockKind::modern);
        QCOMPARE(again.promptEdit()->text(), QStringLiteral("Once"));
        QCOMPARE(again.lengthSpin()->value(), 33);
        if (m_dataSkip.isEmpty()) QCOMPARE(again.testImage(), 42);
        QCOMPARE(settings.attentionSettings().steps, 777);
        settings.setAttentionSettings(AttentionSettings{});
    }

    // ------------------------------------------------------------------------------------------------ GPT

    void gptTrainsGeneratesAndShowsAttention() {
        std::string why;
        if (!bp::data::default_corpus_available(&why)) QSKIP(qPrintable(QString::fromStdString(why)));
        ModelLibrary empty;
        const std::unique_ptr<AttentionPage> owner = shownPage(&empty, QStringLiteral("gpt"));
        QVERIFY(owner);
        AttentionPage& page = *owner;
        QTRY_VERIFY_WITH_TIMEOUT(page.gpt()->hasCorpus(), 30000);
        const bp::data::TextCorpus& corpus = *page.gpt()->corpus().corpus;

        // Generate before any training: a message.
        QVERIFY(!page.generateButton()->isEnabled());
        QVERIFY(!page.generate());
        QVERIFY2(page.gptMessage().contains(QStringLiteral("Train a model first")), qPrintable(page.gptMessage()));

        // A 24-step run of the GPT-2 block, started with the Start button.
        page.setGptBlock(QStringLiteral("gpt2"));
        page.setGptSteps(24);
        const GptRunConfig cfg = page.gptConfigFromWidgets();
        QSignalSpy finished(&page, &AttentionPage::gptRunFinished);
        QTest::mouseClick(page.findChild<QPushButton*>(QStringLiteral("attention.gpt_start")), Qt::LeftButton);
        QVERIFY(finished.wait(60000));
        QCOMPARE(page.gptRuns().size(), 1);
        const std::shared_ptr<bp::models::GptMini> firstModel = page.gptRuns()[0].model;  // (the run list grows below)
        QVERIFY(firstModel);

        // The same run, independently: the same seed gives the same losses, which the chart must show.
        bp::models::GptOptions o = cfg.model;
        o.vocab_size = corpus.tokenizer.vocab_size();
        bp::models::GptMini model(o);
        bp::Generator gen(cfg.train.seed);
        model.reset_parameters(gen);
        bp::train::TextTrainer trainer(model, corpus, cfg.train);
        Recorder rec;
        trainer.add_observer(&rec);
        trainer.run();
        QCOMPARE(rec.steps.size(), size_t(24));
        std::vector<double> keys;
        const std::vector<double> chart = graphValues(page.lossPlot()->graph(0), &keys);
        QCOMPARE(chart.size(), rec.steps.size());
        for (size_t i = 0; i < chart.size(); ++i) {
            QCOMPARE(keys[i], static_cast<double>(rec.steps[i].step));
            QVERIFY2(std::abs(chart[i] - rec.steps[i].loss) < 1e-6 * std::max(1.0, rec.steps[i].loss),
                     qPrintable(QStringLiteral("step %1: chart %2, trainer %3").arg(i + 1).arg(chart[i]).arg(rec.steps[i].loss)));
        }
        QVERIFY(chart.back() < chart.front());  // it learns
        const std::vector<double> val = graphValues(page.lossPlot()->graph(1));
        QCOMPARE(val.size(), rec.evals.size());
        QVERIFY(!val.empty());
        for (size_t i = 0; i < val.size(); ++i) QVERIFY(std::abs(val[i] - rec.evals[i].val_loss) < 1e-6);
        const double unigram = bp::data::unigram_loss(corpus.train, corpus.val, corpus.tokenizer.vocab_size());
        for (double u : graphValues(page.lossPlot()->graph(2))) QVERIFY(std::abs(u - unigram) < 1e-9);
        QVERIFY(std::abs(rec.evals.back().unigram_loss - unigram) < 1e-9);

        // A modern-block run, stopped early with the Stop button: kept, and both runs share the comparison chart.
        page.setGptBlock(QStringLiteral("modern"));
        page.setGptSteps(5000);
        QTest::mouseClick(page.findChild<QPushButton*>(QStringLiteral("attention.gpt_start")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(page.gptRuns().size() == 2 && page.gptRuns()[1].steps.size() >= 3, 30000);
        QPushButton* stop = page.findChild<QPushButton*>(QStringLiteral("attention.gpt_stop"));
        QVERIFY(stop && stop->isEnabled());
        QTest::mouseClick(stop, Qt::LeftButton);
        QVERIFY(finished.wait(30000));
        QCOMPARE(page.gptRuns().size(), 2);
        QVERIFY(page.gptRuns()[1].model);
        QVERIFY(page.gptRuns()[1].steps.size() < 5000);
        QCOMPARE(page.gptRuns()[1].block, QStringLiteral("modern"));
        QCOMPARE(page.gptRuns()[0].block, QStringLiteral("gpt2"));
        int compared = 0;
        for (int s = 0; s < page.comparePlot()->seriesCount(); ++s) compared += page.comparePlot()->graph(s)->dataCount() > 0;
        QVERIFY2(compared >= 2, qPrintable(QString::number(compared)));  // the gpt2 run's validation and the baseline at least

        // Generate from the first run with the Generate button: typed prompt, 40 characters.
        QComboBox* runs = page.findChild<QComboBox*>(QStringLiteral("gptRun"));
        runs->setCurrentIndex(0);
        page.promptEdit()->clear();
        QTest::keyClicks(page.promptEdit(), QStringLiteral("The "));
        page.lengthSpin()->setValue(40);
        QSignalSpy done(&page, &AttentionPage::generationDone);
        QTest::mouseClick(page.generateButton(), Qt::LeftButton);
        QVERIFY(done.wait(30000));
        std::shared_ptr<const GenerationResult> g = page.lastGeneration();
        QVERIFY(g);
        QCOMPARE(g->ids.size(), size_t(4 + 40));
        QCOMPARE(page.generatedText(), g->text);
        QVERIFY(g->text.startsWith(QStringLiteral("The ")));
        for (const char32_t c : g->text.toStdU32String()) QVERIFY2(corpus.tokenizer.contains(c), "a character outside the vocabulary");
        QCOMPARE(corpus.tokenizer.encode(g->text.toStdString()), g->ids);

        // The heatmap: token count × token count, causal, rows of 1, and the engine's attention of that text.
        TokenAttentionView* view = page.tokenView();
        QCOMPARE(view->tokenCount(), 44);
        QCOMPARE(view->tokens().size(), 44);
        const auto& m = firstModel;
        m->capture_attention(true);
        {
            bp::autograd::NoGradGuard ng;
            std::vector<double> ids(g->ids.begin(), g->ids.end());
            m->forward(bp::Tensor::from_vector({1, 44}, ids, bp::DType::i32));
        }
        const std::vector<bp::Tensor> maps = m->attention_maps();
        m->capture_attention(false);
        QCOMPARE(static_cast<int>(maps.size()), cfg.model.layers);
        for (int layer : {0, 1})
            for (int head : {0, 3}) {
                page.showTokenHead(layer, head);
                const std::vector<float> engine = maps[static_cast<size_t>(layer)].to_float_vector();  // [1, H, T, T]
                for (int i = 0; i < 44; ++i) {
                    double sum = 0;
                    for (int j = 0; j < 44; ++j) {
                        const double w = view->weight(i, j);
                        sum += w;
                        if (j > i) QCOMPARE(w, 0.0);
                        QVERIFY(std::abs(w - engine[static_cast<size_t>((head * 44 + i) * 44 + j)]) < 1e-5);
                    }
                    QVERIFY2(std::abs(sum - 1.0) < 1e-4, qPrintable(QString::number(sum)));
                }
            }

        // Hover a token of the text with the mouse: it attends to the earlier ones by its row.
        page.gptViews()->setCurrentIndex(1);
        QTRY_VERIFY(view->isVisible());
        const QRect box = view->tokenRect(20);
        QVERIFY(!box.isEmpty());
        QTest::mouseMove(view, box.center());
        QTRY_COMPARE(view->hoveredToken(), 20);
        const QVector<double> row = view->rowWeights(20);
        const double rowMax = *std::max_element(row.begin(), row.end());
        for (int j = 0; j < 44; ++j) QCOMPARE(view->shadeOf(j), row[j] / rowMax);
    }

    void gptSavesAndOpensAgain() {
        std::string why;
        if (!bp::data::default_corpus_available(&why)) QSKIP(qPrintable(QString::fromStdString(why)));
        QTemporaryDir dir;
        ModelLibrary empty;
        const std::unique_ptr<AttentionPage> owner = shownPage(&empty, QStringLiteral("gpt"));
        QVERIFY(owner);
        AttentionPage& page = *owner;
        QTRY_VERIFY_WITH_TIMEOUT(page.gpt()->hasCorpus(), 30000);
        GptGenerateControls* controls = page.gptGenerateControls();
        QPushButton* save = page.findChild<QPushButton*>(QStringLiteral("gptSave"));
        QVERIFY(save);
        QVERIFY(!save->isEnabled());  // nothing to save before a run
        QVERIFY(!controls->saveModel(dir.filePath(QStringLiteral("none.safetensors"))));
        QVERIFY2(controls->message().contains(QStringLiteral("train one first")), qPrintable(controls->message()));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("none.safetensors"))));

        page.setGptBlock(QStringLiteral("modern"));
        page.setGptSteps(12);
        QSignalSpy finished(&page, &AttentionPage::gptRunFinished);
        QTest::mouseClick(page.findChild<QPushButton*>(QStringLiteral("attention.gpt_start")), Qt::LeftButton);
        QVERIFY(finished.wait(60000));
        QVERIFY(save->isEnabled());
        const std::shared_ptr<bp::models::GptMini> trained = page.gptRuns()[0].model;
        const QString path = dir.filePath(QStringLiteral("tiny gpt.safetensors"));
        QVERIFY2(controls->saveModel(path), qPrintable(controls->message()));
        QVERIFY(controls->message().contains(QStringLiteral("tiny gpt.safetensors")));
        QVERIFY(QFile::exists(path));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);  // no temporary file left beside it

        // A file that is not a GPT-mini: a message naming it, and the page keeps its runs.
        const QString bad = dir.filePath(QStringLiteral("broken.safetensors"));
        {
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":1}   garbage");
        }
        QVERIFY(!controls->openModel(bad));
        QVERIFY2(controls->message().contains(QStringLiteral("broken.safetensors")), qPrintable(controls->message()));
        QCOMPARE(page.gptRuns().size(), 1);

        // Open it again: a second choice, selected, with the same parameters and alphabet as the trained one.
        QVERIFY2(controls->openModel(path), qPrintable(controls->message()));
        QCOMPARE(page.gptRuns().size(), 2);
        const GptRun& opened = page.gptRuns()[1];
        QCOMPARE(opened.label, QStringLiteral("opened: tiny gpt.safetensors"));
        QCOMPARE(opened.block, QStringLiteral("modern"));
        QCOMPARE(controls->runCombo()->currentData().toInt(), 1);
        QCOMPARE(opened.corpus->tokenizer.to_json().dump(), page.gptRuns()[0].corpus->tokenizer.to_json().dump());
        const auto a = trained->named_parameters(), b = opened.model->named_parameters();
        QCOMPARE(a.size(), b.size());
        for (size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].first, b[i].first);
            QVERIFY(a[i].second.to_float_vector() == b[i].second.to_float_vector());
        }

        // The opened model writes with the Generate button, and with a fixed seed exactly as the trained one does.
        page.promptEdit()->clear();
        QTest::keyClicks(page.promptEdit(), QStringLiteral("The "));
        page.lengthSpin()->setValue(20);
        QSignalSpy done(&page, &AttentionPage::generationDone);
        QTest::mouseClick(page.generateButton(), Qt::LeftButton);
        QVERIFY(done.wait(30000));
        QVERIFY(page.generatedText().startsWith(QStringLiteral("The ")));
        QCOMPARE(page.lastGeneration()->ids.size(), size_t(24));
        bp::models::SampleOptions o;
        o.max_new_tokens = 20;
        const std::vector<int32_t> prompt = opened.corpus->tokenizer.encode("The ");
        std::vector<std::vector<int32_t>> outputs;
        for (const auto& model : {opened.model, trained}) {
            QVERIFY(page.gpt()->generate(model, opened.corpus, prompt, o, 7) != 0);
            QVERIFY(done.wait(30000));
            outputs.push_back(page.lastGeneration()->ids);
        }
        QCOMPARE(outputs[0], outputs[1]);
    }

    void pauseHoldsAndStopKeeps() {
        std::string why;
        if (!bp::data::default_corpus_available(&why)) QSKIP(qPrintable(QString::fromStdString(why)));
        ModelLibrary empty;
        AppContext ctx;
        ctx.models = &empty;
        AttentionPage page(ctx);
        page.showTab(QStringLiteral("gpt"));
        QTRY_VERIFY_WITH_TIMEOUT(page.gpt()->hasCorpus(), 30000);
        page.setGptSteps(5000);
        page.startGptTraining();
        QTRY_VERIFY_WITH_TIMEOUT(!page.gptRuns().isEmpty() && page.gptRuns()[0].steps.size() >= 2, 30000);
        QLabel* status = page.findChild<QLabel*>(QStringLiteral("gptStatus"));
        QVERIFY2(status->text().contains(QStringLiteral("tokens/s")) && status->text().contains(QStringLiteral("s left")),
                 qPrintable(status->text()));
        QTest::mouseClick(page.findChild<QPushButton*>(QStringLiteral("attention.gpt_pause")), Qt::LeftButton);
        QCOMPARE(page.gpt()->state(), GptController::State::Paused);
        QTest::qWait(400);  // the step under way finishes and is drained
        const qsizetype held = page.gptRuns()[0].steps.size();
        QTest::qWait(600);
        QCOMPARE(page.gptRuns()[0].steps.size(), held);
        QTest::mouseClick(page.findChild<QPushButton*>(QStringLiteral("attention.gpt_pause")), Qt::LeftButton);  // "Resume"
        QCOMPARE(page.gpt()->state(), GptController::State::Training);
        QTRY_VERIFY_WITH_TIMEOUT(page.gptRuns()[0].steps.size() > held, 10000);
        QSignalSpy finished(&page, &AttentionPage::gptRunFinished);
        QTest::mouseClick(page.findChild<QPushButton*>(QStringLiteral("attention.gpt_stop")), Qt::LeftButton);
        QVERIFY(finished.wait(20000));
        QVERIFY(page.gptRuns()[0].model);
        QVERIFY(page.generateButton()->isEnabled());
    }

    void badPromptsGiveMessages() {
        std::string why;
        if (!bp::data::default_corpus_available(&why)) QSKIP(qPrintable(QString::fromStdString(why)));
        ModelLibrary empty;
        AppContext ctx;
        ctx.models = &empty;
        AttentionPage page(ctx);
        page.showTab(QStringLiteral("gpt"));
        QTRY_VERIFY_WITH_TIMEOUT(page.gpt()->hasCorpus(), 30000);
        page.setGptSteps(10);
        QSignalSpy finished(&page, &AttentionPage::gptRunFinished);
        page.startGptTraining();
        QVERIFY(finished.wait(60000));

        page.promptEdit()->clear();
        QVERIFY(!page.generate());
        QVERIFY2(page.gptMessage().contains(QStringLiteral("Type a prompt")), qPrintable(page.gptMessage()));

        const bp::data::CharTokenizer& tok = page.gpt()->corpus().corpus->tokenizer;
        QVERIFY(!tok.contains(U'☃'));
        page.promptEdit()->setText(QStringLiteral("☃☃"));
        QVERIFY(!page.generate());
        QVERIFY2(page.gptMessage().contains(QStringLiteral("None of the prompt's characters")), qPrintable(page.gptMessage()));

        // Some characters unknown: they are named and left out, and the rest is continued.
        page.promptEdit()->setText(QStringLiteral("Snow☃man"));
        page.lengthSpin()->setValue(5);
        QSignalSpy done(&page, &AttentionPage::generationDone);
        QVERIFY(page.generate());
        QVERIFY2(page.gptMessage().contains(QStringLiteral("left out")) && page.gptMessage().contains(QStringLiteral("☃")),
                 qPrintable(page.gptMessage()));
        QVERIFY(done.wait(30000));
        QVERIFY(page.lastGeneration()->text.startsWith(QStringLiteral("Snowman")));
        QCOMPARE(page.tokenView()->tokenCount(), 7 + 5);

        // A text file that is not there: the engine's message on the page, and the loaded corpus stays.
        QSignalSpy failed(page.gpt(), &GptController::corpusFailed);
        page.gpt()->loadCorpus(QStringLiteral("/no/such/file.txt"));
        QVERIFY(failed.wait(10000));
        QVERIFY2(page.corpusText().contains(QStringLiteral("/no/such/file.txt")), qPrintable(page.corpusText()));
        QVERIFY(page.gpt()->hasCorpus());

        // Another text (only the letters a and b): the earlier run still reads and writes with its own tokenizer,
        // and the comparison chart leaves it out (its losses were on another text).
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ab.txt"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            for (int i = 0; i < 1500; ++i) f.write(i % 3 ? "a" : "b");
        }
        QSignalSpy loaded(page.gpt(), &GptController::corpusLoaded);
        page.gpt()->loadCorpus(path);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(page.gpt()->corpus().corpus->tokenizer.vocab_size(), 2);
        for (int s = 0; s < page.comparePlot()->seriesCount(); ++s) QCOMPARE(page.comparePlot()->graph(s)->dataCount(), 0);
        page.promptEdit()->setText(QStringLiteral("The "));
        QVERIFY2(page.generate(), qPrintable(page.gptMessage()));
        QVERIFY(done.wait(30000));
        QVERIFY(page.lastGeneration()->text.startsWith(QStringLiteral("The ")));
        QCOMPARE(tok.encode(page.lastGeneration()->text.toStdString()), page.lastGeneration()->ids);
    }
};

QTEST_MAIN(TestAttentionPage)
#include "tst_attention_page.moc"
