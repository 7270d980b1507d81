// tst_clip_page.cpp — the CLIP page and the Draw page's CLIP box driven with real events, on a tiny real run (30
// steps on 2,000 MNIST training pictures, 500 test pictures) through the page's Train button on its worker thread:
// the similarity heatmap holds the engine's matrix of the batch's pictures and captions (recomputed here from the
// trained model), the loss chart every step; typing a caption (QTest::keyClicks, debounced) shows exactly the
// engine's ranking of the test pictures; the zero-shot bars are the engine's per-class evaluation; the model saves
// and opens again with the same ranking; a stroke drawn on the Draw page's pad lists the engine's best captions.
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <numeric>

#include "bp/data/dataset.h"
#include "bp/train/clip_search.h"
#include "heatmap_view.h"
#include "image_grid.h"
#include "pages/clip_page.h"
#include "pages/draw_page.h"
#include "panels/clip_draw_panel.h"
#include "panels/clip_search_panel.h"
#include "panels/clip_similarity_view.h"
#include "panels/clip_train_controls.h"
#include "panels/clip_zero_shot_panel.h"
#include "qcustomplot.h"
#include "series_plot.h"
#include "tools/model_library.h"

namespace {
constexpr int kSteps = 80;  // past the 50 warm-up steps, so that it has learned something
constexpr int64_t kTrainPictures = 2000, kTestPictures = 500;

/// The engine's ranking of the first kTestPictures MNIST test pictures for `caption`, computed apart from the app.
std::vector<bp::train::Match> engineRanking(const ClipModel& m, const std::string& caption, int k) {
    const bp::data::ImageDataset test = bp::data::load_image_dataset(bp::data::resolve_data_dir(""), m.dataset, "test");
    std::vector<int64_t> idx(static_cast<size_t>(kTestPictures));
    std::iota(idx.begin(), idx.end(), int64_t{0});
    return bp::train::search_images(*m.model, m.vocab, caption, bp::train::embed_images(*m.model, test, idx), k);
}

void compareRankings(const std::vector<bp::train::Match>& shown, const std::vector<bp::train::Match>& engine) {
    QCOMPARE(shown.size(), engine.size());
    for (size_t i = 0; i < shown.size(); ++i) {
        QCOMPARE(shown[i].index, engine[i].index);
        QVERIFY(std::abs(shown[i].score - engine[i].score) < 1e-5);
    }
}
}  // namespace

class TestClipPage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        try {
            bp::data::load_image_dataset(bp::data::resolve_data_dir(""), "mnist", "test");
        } catch (const std::exception& e) {
            QSKIP(qPrintable(QStringLiteral("MNIST is not available (%1); run scripts/setup.sh").arg(e.what())));
        }
        m_context.models = &m_library;
        m_page = std::make_unique<ClipPage>(m_context);
        m_page->resize(1400, 900);
        m_page->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
        m_page->controls()->setLimits(kTrainPictures, kTestPictures);
        m_page->controls()->stepsSpin()->setValue(kSteps);
        QSignalSpy ready(m_page.get(), &ClipPage::modelReady);
        QSignalSpy steps(m_page->controller(), &ClipController::stepsArrived);
        QTest::mouseClick(m_page->controls()->trainButton(), Qt::LeftButton);
        QVERIFY(m_page->controller()->isRunning());
        QVERIFY(!m_page->controls()->trainButton()->isEnabled());
        QVERIFY(ready.wait(300000));
        QVERIFY(m_page->model());
        QVERIFY(steps.count() >= 1);
        QVERIFY(m_page->controls()->trainButton()->isEnabled());
        QCOMPARE(m_library.clipModel(), m_page->model());  // shared with the Draw page
    }

    // The heatmap is the batch's similarity matrix at the last step, which the engine computes from the trained
    // model: recomputed here from the same pictures and captions, cell by cell. Every step is on the loss chart.
    void heatmapHoldsTheEnginesSimilarityMatrix() {
        const ClipModel& m = *m_page->model();
        ClipSimilarityView* view = m_page->similarityView();
        const bp::train::ClipStepEvent& e = view->shownStep();
        QCOMPARE(e.step, kSteps);
        const int n = e.similarity_size;
        QCOMPARE(n, 16);
        QCOMPARE(static_cast<int>(e.similarity_images.size()), n);
        HeatmapView* h = view->heatmap();
        QCOMPARE(h->rows(), n);
        QCOMPARE(h->cols(), n);
        bp::data::ImageDataset train = bp::data::load_image_dataset(bp::data::resolve_data_dir(""), "mnist", "train");
        const std::vector<double> engine = bp::train::cosine_matrix(
            bp::train::embed_images(*m.model, train, e.similarity_images),
            bp::train::embed_captions(*m.model, m.vocab, e.similarity_captions));
        // The right pairs against the surely wrong ones (a caption about another digit): the loss also pulls together a
        // picture and another picture's caption that describes it too ("a seven" for every seven), so pairs of the
        // same digit are not counted as wrong.
        double diag = 0, wrong = 0;
        int wrongCount = 0;
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                QVERIFY(std::abs(h->value(i, j) - engine[static_cast<size_t>(i * n + j)]) < 1e-4);
                if (i == j) diag += h->value(i, j);
                else if (train.labels[static_cast<size_t>(e.similarity_images[static_cast<size_t>(i)])] !=
                         train.labels[static_cast<size_t>(e.similarity_images[static_cast<size_t>(j)])])
                    wrong += h->value(i, j), ++wrongCount;
            }
        QVERIFY(wrongCount > 0);
        qInfo("similarity: right pairs %.3f, captions of another digit %.3f", diag / n, wrong / wrongCount);
        QVERIFY2(diag / n > wrong / wrongCount, qPrintable(QStringLiteral("after training, the right pairs are more similar "
                                                                       "than captions of another digit: %1 vs %2")
                                                               .arg(diag / n).arg(wrong / wrongCount)));
        // The pairs beside it: picture i's thumbnail with caption i.
        QCOMPARE(view->pairList()->count(), n);
        for (int i = 0; i < n; ++i) {
            QVERIFY(view->pairList()->item(i)->text().endsWith(QString::fromStdString(e.similarity_captions[static_cast<size_t>(i)])));
            QVERIFY(!view->pairList()->item(i)->icon().isNull());
        }
        QCOMPARE(view->lossPlot()->graph(0)->dataCount(), kSteps);
    }

    // Typing a caption: nothing changes until the typing pauses (debounce), then the grid shows exactly the engine's
    // ranking of the test pictures, best first, with their scores. Capitals are read as lower case.
    void typedCaptionShowsTheEnginesRanking() {
        m_page->showView(QStringLiteral("search"));
        ClipSearchPanel* s = m_page->searchPanel();
        s->captionEdit()->clear();
        QTest::qWait(s->debounceMs() + 100);
        QTest::keyClicks(s->captionEdit(), QStringLiteral("a thin 4"));
        QVERIFY(s->searchedCaption() != "a thin 4");  // not yet: one search per pause, not one per key
        QTRY_COMPARE(s->searchedCaption(), std::string("a thin 4"));
        const ClipModel& m = *m_page->model();
        const int k = s->countSpin()->value();
        compareRankings(s->results(), engineRanking(m, "a thin 4", k));
        QCOMPARE(static_cast<int>(s->grid()->items().size()), k);
        for (int i = 0; i < k; ++i)
            QVERIFY(s->grid()->items()[i].caption.startsWith(QString::number(s->results()[static_cast<size_t>(i)].score, 'f', 2)));

        s->captionEdit()->clear();
        QTest::keyClicks(s->captionEdit(), QStringLiteral("A Thick 0 leaning LEFT!"));
        QTRY_COMPARE(s->searchedCaption(), std::string("a thick 0 leaning left"));
        compareRankings(s->results(), engineRanking(m, "a thick 0 leaning left", k));
        QVERIFY(s->note()->text().contains(QLatin1Char('!')));  // said to be left out
    }

    // The zero-shot bars are the engine's per-class evaluation of the same test pictures.
    void zeroShotBarsAreTheEnginesEvaluation() {
        m_page->showView(QStringLiteral("zeroshot"));
        const ClipModel& m = *m_page->model();
        const bp::train::ZeroShotResult z = bp::train::zero_shot(*m.model, *m.test, m.vocab);
        QCOMPARE(z.images, kTestPictures);
        ClipZeroShotPanel* p = m_page->zeroShotPanel();
        QCOMPARE(p->table()->rowCount(), 10);
        for (int c = 0; c < 10; ++c) QVERIFY(std::abs(p->shownAccuracy(c) - z.per_class_accuracy[static_cast<size_t>(c)]) < 1e-12);
        QVERIFY(p->summary()->text().contains(QString::number(z.accuracy * 100, 'f', 1)));
        // The confusion matrix counts the engine's answers: row = true class, column = the class it was taken for.
        HeatmapView* h = p->confusion();
        QCOMPARE(h->rows(), 10);
        std::vector<double> counts(100, 0.0);
        for (size_t i = 0; i < z.labels.size(); ++i) counts[static_cast<size_t>(z.labels[i] * 10 + z.predictions[i])] += 1;
        double total = 0;
        for (int r = 0; r < 10; ++r)
            for (int c = 0; c < 10; ++c) {
                QCOMPARE(h->value(r, c), counts[static_cast<size_t>(r * 10 + c)]);
                total += h->value(r, c);
            }
        QCOMPARE(total, static_cast<double>(kTestPictures));
    }

    // Saved and opened again on a fresh page: the same ranking for the same caption; a bad file names itself.
    void saveAndOpenKeepTheModel() {
        QTemporaryDir dir;
        const QString path = dir.path() + QStringLiteral("/clip.safetensors");
        QCOMPARE(m_page->controls()->saveModel(path), QString());
        ModelLibrary library;
        AppContext c;
        c.models = &library;
        ClipPage again{c};
        again.controls()->setLimits(kTrainPictures, kTestPictures);
        QSignalSpy ready(&again, &ClipPage::modelReady);
        QCOMPARE(again.controls()->openModel(path), QString());
        QVERIFY(ready.wait(120000));
        again.searchPanel()->captionEdit()->setText(QStringLiteral("a thin 4"));
        again.searchPanel()->searchNow();
        compareRankings(again.searchPanel()->results(), engineRanking(*m_page->model(), "a thin 4", again.searchPanel()->countSpin()->value()));

        QFile bad(dir.path() + QStringLiteral("/bad.safetensors"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("not a model");
        bad.close();
        QSignalSpy failed(again.controller(), &ClipController::failed);
        QCOMPARE(again.controls()->openModel(bad.fileName()), QString());
        QVERIFY(failed.wait(30000));
        QVERIFY(again.controls()->statusLabel()->text().contains(QStringLiteral("bad.safetensors")));
        QCOMPARE(again.model(), library.clipModel());  // the good model stays
    }

    // The Draw page: a stroke drawn with the mouse lists the 5 captions the engine ranks best for the drawing.
    void drawnStrokeListsTheEnginesBestCaptions() {
        DrawPage page{m_context};
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        ClipDrawPanel* clip = page.clipPanel();
        QCOMPARE(clip->model(), m_page->model());
        QVERIFY(clip->matches().empty());  // nothing drawn yet
        DrawingPad* pad = page.pad();
        const QPoint top = pad->toWidget(QPointF(150, 40)).toPoint(), bottom = pad->toWidget(QPointF(120, 240)).toPoint();
        QTest::mousePress(pad, Qt::LeftButton, {}, top);
        for (int i = 1; i <= 20; ++i) QTest::mouseMove(pad, top + (bottom - top) * i / 20);
        QTest::mouseRelease(pad, Qt::LeftButton, {}, bottom);
        const ClipModel& m = *m_page->model();
        const auto engine = bp::train::top_k(bp::train::embed_picture(*m.model, page.modelInput()),
                                             bp::train::embed_captions(*m.model, m.vocab, bp::train::caption_candidates("mnist")), 5);
        compareRankings(clip->matches(), engine);
        QCOMPARE(clip->table()->rowCount(), 5);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(clip->table()->item(i, 0)->text(),
                     QString::fromStdString(m.candidates[static_cast<size_t>(engine[static_cast<size_t>(i)].index)]));
        QTest::mouseClick(page.findChild<QPushButton*>(QStringLiteral("draw.clear")), Qt::LeftButton);
        QVERIFY(clip->matches().empty());
    }

    void cleanupTestCase() { m_page.reset(); }

private:
    ModelLibrary m_library;
    AppContext m_context;
    std::unique_ptr<ClipPage> m_page;
};

QTEST_MAIN(TestClipPage)
#include "tst_clip_page.moc"
