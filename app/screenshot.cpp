// screenshot.cpp — offscreen rendering with QWidget::grab, and the --demo run.
#include "screenshot.h"

#include <QApplication>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QPixmap>
#include <QTabWidget>
#include <QComboBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <cstdio>

#include "main_window.h"
#include "lessons/lesson_session.h"
#include "panels/bert_fill_panel.h"
#include "panels/bert_finetune_panel.h"
#include "bp/data/dataset.h"
#include "pages/attention_page.h"
#include "pages/backprop_page.h"
#include "pages/benchmarks_page.h"
#include "pages/clip_page.h"
#include "panels/clip_train_controls.h"
#include "pages/draw_page.h"
#include "pages/features_page.h"
#include "controllers/top_activation_controller.h"
#include "panels/channel_detail_panel.h"
#include "pages/playground_page.h"
#include "panels/playground_controls.h"
#include "network_diagram.h"
#include "pages/train_page.h"
#include "token_attention_view.h"
#include "controllers/training_controller.h"

namespace {

void printErr(const QString& s) { std::fprintf(stderr, "%s\n", qPrintable(s)); }

/// Lets queued replots, layouts and deferred deletes run before grabbing.
void settle(int ms) {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) QApplication::processEvents(QEventLoop::AllEvents, 20);
}

/// Runs `loop` until `done` is true or `ms` pass; false on timeout.
bool waitFor(QEventLoop& loop, const bool& done, int ms) {
    if (done) return true;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    timeout.start(ms);
    while (!done && timeout.isActive()) loop.exec();
    return done;
}

/// Short real GPT-mini runs (kAttentionDemoSteps each) of the given blocks on the default corpus; an error or empty.
QString trainGptDemoRuns(AttentionPage* page, const QStringList& blocks, int timeoutMs) {
    QEventLoop loop;
    GptController* gpt = page->gpt();
    bool ready = gpt->state() != GptController::State::LoadingCorpus && gpt->state() != GptController::State::NoCorpus;
    auto c0 = QObject::connect(gpt, &GptController::stateChanged, &loop, [&](GptController::State s) {
        if (s == GptController::State::Idle || s == GptController::State::NoCorpus) {
            ready = true;
            loop.quit();
        }
    });
    if (gpt->state() == GptController::State::NoCorpus && gpt->corpusError().isEmpty()) gpt->loadCorpus();
    waitFor(loop, ready, 60000);
    QObject::disconnect(c0);
    if (!gpt->hasCorpus()) return gpt->corpusError().isEmpty() ? QStringLiteral("the text corpus did not load") : gpt->corpusError();
    for (const QString& block : blocks) {
        bool done = false;
        QString failure;
        auto c1 = QObject::connect(page, &AttentionPage::gptRunFinished, &loop, [&] { done = true; loop.quit(); });
        auto c2 = QObject::connect(gpt, &GptController::trainingFailed, &loop, [&](const QString& m) {
            failure = m;
            done = true;
            loop.quit();
        });
        page->setGptBlock(block);
        page->setGptSteps(kAttentionDemoSteps);
        page->startGptTraining();
        const bool finished = waitFor(loop, done, timeoutMs);
        QObject::disconnect(c1);
        QObject::disconnect(c2);
        if (!finished) {
            gpt->stop();
            return QStringLiteral("the GPT demo run did not finish within %1 s").arg(timeoutMs / 1000);
        }
        if (!failure.isEmpty()) return failure;
    }
    return {};
}

}  // namespace

QString runAttentionDemo(AttentionPage* page, const QString& tab, int digit, int timeoutMs, const QString& bertModel) {
    QEventLoop loop;
    if (tab == QLatin1String("bert") || tab == QLatin1String("bert-finetune")) {
        // GPT-mini trained for real (its map goes beside BERT's), then BERT-mini pre-trained for real on the fortunes
        // (300 steps for the maps; bert-finetune: the Steps box's default, as the comparison needs a real pre-training),
        // then the default sentence's blanks filled; bert-finetune then compares fine-tuning it for the Epochs box's
        // default with the same model from scratch.
        const bool fineTune = tab == QLatin1String("bert-finetune");
        if (!fineTune)
            if (const QString failure = trainGptDemoRuns(page, {QStringLiteral("gpt2")}, timeoutMs); !failure.isEmpty()) return failure;
        BertFillPanel* bert = page->bertPanel();
        QString failure;
        if (fineTune && !bertModel.isEmpty())
            if (const QString error = bert->openModel(bertModel); !error.isEmpty()) return error;
        auto c1 = QObject::connect(bert->controller(), &BertController::trained, &loop, [&] { loop.quit(); });
        auto c2 = QObject::connect(bert->controller(), &BertController::failed, &loop, [&](const QString& m) {
            failure = m;
            loop.quit();
        });
        if (!fineTune) bert->stepsSpin()->setValue(300);
        if (!bert->hasModel()) {
            bert->trainButton()->click();
            QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
            loop.exec();
        }
        QObject::disconnect(c1);
        QObject::disconnect(c2);
        if (!failure.isEmpty()) return failure;
        if (!bert->hasModel()) return QStringLiteral("BERT-mini did not finish training in time");
        if (!fineTune) return {};
        bert->views()->setCurrentIndex(1);
        BertFineTunePanel* ft = bert->fineTunePanel();
        bool done = false;
        auto c3 = QObject::connect(ft, &BertFineTunePanel::finished, &loop, [&] { done = true; loop.quit(); });
        auto c4 = QObject::connect(bert->controller(), &BertController::failed, &loop, [&](const QString& m) {
            failure = m;
            done = true;
            loop.quit();
        });
        if (!ft->compare()) return ft->statusLabel()->text();
        waitFor(loop, done, timeoutMs);
        QObject::disconnect(c3);
        QObject::disconnect(c4);
        if (!failure.isEmpty()) return failure;
        return done ? QString() : QStringLiteral("the fine-tuning comparison did not finish in time");
    }
    if (!tab.startsWith(QLatin1String("gpt"))) {
        // A quick ViT trained for real on 12,000 MNIST images, then a test digit through it.
        bool done = false;
        QString failure;
        auto c1 = QObject::connect(page, &AttentionPage::vitModelTrained, &loop, [&] { done = true; loop.quit(); });
        auto c2 = QObject::connect(page->vitTrainer(), &TrainingController::trainingFailed, &loop, [&](const QString& m) {
            failure = m;
            done = true;
            loop.quit();
        });
        auto c3 = QObject::connect(page->vitTrainer(), &TrainingController::dataFailed, &loop, [&](const QString& m) {
            failure = m;
            done = true;
            loop.quit();
        });
        page->trainQuickVit();
        const bool finished = waitFor(loop, done, timeoutMs);
        for (const auto& c : {c1, c2, c3}) QObject::disconnect(c);
        if (!finished) return QStringLiteral("the quick ViT did not finish training within %1 s").arg(timeoutMs / 1000);
        if (!failure.isEmpty()) return failure;
        page->showTestImage(digit);
        return {};
    }
    // GPT-mini: a short run of each block on the default corpus (so the comparison chart has both), then a
    // generation whose attention is shown with one character hovered.
    if (const QString failure = trainGptDemoRuns(page, {QStringLiteral("modern"), QStringLiteral("gpt2")}, timeoutMs); !failure.isEmpty())
        return failure;
    bool generated = false;
    auto c3 = QObject::connect(page, &AttentionPage::generationDone, &loop, [&] { generated = true; loop.quit(); });
    page->promptEdit()->setText(QStringLiteral("The "));
    page->lengthSpin()->setValue(90);
    page->temperatureSpin()->setValue(0.7);
    if (!page->generate()) return page->gptMessage();
    waitFor(loop, generated, timeoutMs);
    QObject::disconnect(c3);
    if (!generated) return QStringLiteral("generation did not finish");
    // Layer 1, head 1, with the last character hovered: the text is shaded by what it attends to.
    page->showTokenHead(0, 0);
    page->tokenView()->setHoveredToken(page->tokenView()->tokenCount() - 1);
    if (tab == QLatin1String("gpt-loss")) page->gptViews()->setCurrentIndex(0);
    return {};
}

QString runClipDemo(ClipPage* page, int steps, int timeoutMs) {
    QEventLoop loop;
    bool done = false;
    QString failure;
    auto c1 = QObject::connect(page, &ClipPage::modelReady, &loop, [&] {
        done = true;
        loop.quit();
    });
    auto c2 = QObject::connect(page->controller(), &ClipController::failed, &loop, [&](const QString& m) {
        failure = m;
        done = true;
        loop.quit();
    });
    page->controls()->stepsSpin()->setValue(steps);
    if (!page->controls()->train()) return QStringLiteral("the CLIP run did not start");
    const bool finished = waitFor(loop, done, timeoutMs);
    QObject::disconnect(c1);
    QObject::disconnect(c2);
    if (!finished) {
        page->controller()->stop();
        return QStringLiteral("CLIP-mini did not finish training within %1 s").arg(timeoutMs / 1000);
    }
    return failure;
}

QString runPlaygroundDemo(PlaygroundPage* page, double targetAccuracy, int timeoutMs) {
    namespace pg = bp::playground;
    pg::Config c = page->controls()->config();
    c.data.kind = pg::DatasetKind::spiral;
    c.data.noise = 0;
    c.data.train_ratio = 0.5;
    c.data.user_points.clear();
    c.features = pg::x1 | pg::x2 | pg::sin_x1 | pg::sin_x2;
    c.hidden = {8, 8, 8};
    c.activation = bp::nn::Activation::tanh;
    c.optimizer = "adam";
    c.lr = 0.01;
    c.batch_size = 10;
    c.l1 = c.l2 = 0;
    page->controls()->setConfig(c);
    emit page->controls()->configChanged(c);
    page->controller()->reset();
    page->controller()->play();
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs && !(page->lastFrame().steps > 0 && page->lastFrame().metrics.test_accuracy >= targetAccuracy))
        settle(50);
    page->controller()->pause();
    settle(200);
    page->diagram()->setHovered(2, 3);  // one neuron of the second hidden layer, shown large
    if (page->lastFrame().metrics.test_accuracy < targetAccuracy)
        return QStringLiteral("the spiral reached %1 % test accuracy in %2 s (wanted %3 %)")
            .arg(page->lastFrame().metrics.test_accuracy * 100, 0, 'f', 1)
            .arg(timeoutMs / 1000)
            .arg(targetAccuracy * 100, 0, 'f', 0);
    return {};
}

QString runDemoTraining(TrainPage* page, int timeoutMs) {
    TrainingController* c = page->controller();
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    timeout.start(timeoutMs);

    // Wait for the data, which the page started loading on the training thread.
    if (c->state() == TrainingController::State::LoadingData) {
        QObject::connect(c, &TrainingController::stateChanged, &loop, &QEventLoop::quit);
        loop.exec();
        QObject::disconnect(c, &TrainingController::stateChanged, &loop, &QEventLoop::quit);
    }
    if (c->state() != TrainingController::State::Idle)
        return c->dataError().isEmpty() ? QStringLiteral("the training data did not load in time") : c->dataError();

    bp::train::TrainConfig cfg = page->configFromWidgets();
    cfg.model = "mlp";
    cfg.optimizer = "adam";
    cfg.lr = 1e-3;
    cfg.batch_size = 32;
    cfg.epochs = 1;
    cfg.train_limit = 6000;
    cfg.test_limit = 1000;
    page->applyConfig(cfg);

    QString failure;
    bool done = false;
    QObject::connect(c, &TrainingController::trainingFinished, &loop, [&] { done = true; loop.quit(); });
    QObject::connect(c, &TrainingController::trainingFailed, &loop, [&](const QString& m) {
        failure = m;
        done = true;
        loop.quit();
    });
    page->startTraining();
    if (c->state() != TrainingController::State::Running) return QStringLiteral("the demo run did not start");
    loop.exec();
    if (!done) {
        c->stop();
        return QStringLiteral("the demo run did not finish within %1 s").arg(timeoutMs / 1000);
    }
    return failure;
}

int renderScreenshot(MainWindow& window, const ScreenshotRequest& request) {
    if (!window.showPage(request.page)) {
        printErr(QStringLiteral("backprop-studio: unknown page '%1'; pages: %2")
                     .arg(request.page, MainWindow::pageIds().join(QStringLiteral(", "))));
        return 2;
    }
    window.resize(request.size);
    window.show();
    settle(150);

    int code = 0;
    if (request.demo) {
        if (TrainPage* page = qobject_cast<TrainPage*>(window.page(request.page));
            page || request.page == "train" || request.page == "draw") {
            const QString error = runDemoTraining(page ? page : window.trainPage());
            if (!error.isEmpty()) {
                printErr(QStringLiteral("backprop-studio: demo training failed: %1").arg(error));
                code = 1;  // the picture is still written: it shows what the user would see
            }
            window.showPage(request.page);
        }
        if (auto* bpPage = qobject_cast<BackpropPage*>(window.page(request.page))) {
            if (request.tab.startsWith(QLatin1String("grad"))) {  // --tab gradient: the sigmoid vs ReLU experiment
                bpPage->tabs()->setCurrentIndex(2);
                bpPage->runGradientFlow();
            } else if (request.tab == QLatin1String("playground")) {  // the Playground's spiral net, via its button
                window.showPage(QStringLiteral("playground"));
                auto* playground = qobject_cast<PlaygroundPage*>(window.page(QStringLiteral("playground")));
                const QString error = playground ? runPlaygroundDemo(playground) : QStringLiteral("no playground page");
                if (!error.isEmpty()) {
                    printErr(QStringLiteral("backprop-studio: playground demo: %1").arg(error));
                    code = 1;
                }
                if (playground) playground->backpropButton()->click();  // → the Backprop page, this network
                bpPage->runToEnd();
                for (int i = 0; i < 3; ++i) bpPage->stepBackward();
            } else if (request.tab == QLatin1String("mnist")) {  // the MLP's first layer, its weight gradient as images
                bpPage->setExample(QStringLiteral("mnist-mlp"));
                bpPage->runToEnd();
                bpPage->runToEnd();
            } else {
                // XOR halfway through the backward pass: the output sigmoid has just sent its gradient back.
                bpPage->setExample(QStringLiteral("xor"));
                bpPage->runToEnd();
                bpPage->stepBackward();
                bpPage->stepBackward();
            }
        }
        if (request.page == QLatin1String("draw") && request.tab == QLatin1String("clip") && window.showPage(QStringLiteral("clip"))) {
            // --tab clip: a CLIP-mini trained for real on the CLIP page first, so the Draw page's CLIP box has captions.
            const QString error = runClipDemo(qobject_cast<ClipPage*>(window.page(QStringLiteral("clip"))));
            if (!error.isEmpty()) {
                printErr(QStringLiteral("backprop-studio: CLIP demo failed: %1").arg(error));
                code = 1;
            }
            window.showPage(request.page);
        }
        if (DrawPage* draw = qobject_cast<DrawPage*>(window.page(request.page)); draw && code == 0) {
            // Draw a real MNIST test digit (test image 0, a 7) on the pad, stroke by stroke.
            try {
                const QString dir = window.trainPage()->controller()->dataInfo().dataDir;
                const bp::data::ImageDataset test = bp::data::load_image_dataset(dir.toStdString(), "mnist", "test");
                draw->pad()->setStrokes(DrawPage::strokesFromDigit(test.pixels.data() + request.digit * test.rows * test.cols,
                                                                   static_cast<int>(test.rows), static_cast<int>(test.cols),
                                                                   draw->pad()->canvasSize()));
            } catch (const std::exception& e) {
                printErr(QStringLiteral("backprop-studio: could not draw a test digit: %1").arg(QString::fromUtf8(e.what())));
                code = 1;
            }
        }
        settle(200);
    }

    if (auto* attention = qobject_cast<AttentionPage*>(window.page(request.page))) {
        const QString tab = request.tab.isEmpty() ? QStringLiteral("vit") : request.tab.toLower();
        const QString shown = tab == QLatin1String("gpt-loss") ? QStringLiteral("gpt") : tab == QLatin1String("bert-finetune") ? QStringLiteral("bert") : tab;
        if (!attention->showTab(shown)) {
            printErr(QStringLiteral("backprop-studio: no attention tab '%1'; tabs: vit, gpt, gpt-loss, bert, bert-finetune").arg(request.tab));
            return 2;
        }
        settle(100);
        if (request.demo) {
            const QString error = tab == QLatin1String("bert-finetune")
                                      ? runAttentionDemo(attention, tab, request.digit, 1800000, request.bertModel)
                                      : runAttentionDemo(attention, tab, request.digit);
            if (!error.isEmpty()) {
                printErr(QStringLiteral("backprop-studio: attention demo failed: %1").arg(error));
                code = 1;
            }
        }
        settle(300);
    }

    if (auto* clip = qobject_cast<ClipPage*>(window.page(request.page))) {
        const QString view = request.tab.isEmpty() ? QStringLiteral("train") : request.tab.toLower();
        if (!clip->showView(view)) {
            printErr(QStringLiteral("backprop-studio: no CLIP view '%1'; views: train, search, zeroshot").arg(request.tab));
            return 2;
        }
        if (request.demo) {
            const QString error = runClipDemo(clip);
            if (!error.isEmpty()) {
                printErr(QStringLiteral("backprop-studio: CLIP demo failed: %1").arg(error));
                code = 1;
            }
        }
        settle(300);
    }

    if (auto* features = qobject_cast<FeaturesPage*>(window.page(request.page)); features && request.demo) {
        // Test image --digit N (default 0) through the chosen model; conv1's channel 6 with one pixel's arithmetic
        // clicked, and its top 9 test images ranked for real. --tab NAME picks the model whose name starts with NAME.
        if (!request.tab.isEmpty()) {
            bool found = false;
            for (int i = 0; i < features->modelCombo()->count() && !found; ++i)
                if (features->modelCombo()->itemText(i).startsWith(request.tab, Qt::CaseInsensitive))
                    found = features->selectModel(features->modelCombo()->itemText(i));
            if (!found) {
                printErr(QStringLiteral("backprop-studio: no model '%1' on the Inside page").arg(request.tab));
                return 2;
            }
        }
        features->useTestImage(request.digit);
        features->selectChannel(5);
        features->clickPixel(10, 14);
        QEventLoop loop;
        bool done = false;
        auto c = QObject::connect(features->topController(), &TopActivationController::finished, &loop, [&] {
            done = true;
            loop.quit();
        });
        QMetaObject::invokeMethod(features->detail(), "topRequested");
        waitFor(loop, done, 240000);
        QObject::disconnect(c);
        if (!done) {
            printErr(QStringLiteral("backprop-studio: the top-9 ranking did not finish in time"));
            code = 1;
        }
        settle(300);
    }

    if (auto* playground = qobject_cast<PlaygroundPage*>(window.page(request.page)); playground && request.demo) {
        const QString error = runPlaygroundDemo(playground);
        if (!error.isEmpty()) {
            printErr(QStringLiteral("backprop-studio: playground demo: %1").arg(error));
            code = 1;
        }
        settle(200);
    }

    if (auto* bench = qobject_cast<BenchmarksPage*>(window.page(request.page))) {
        if (!request.results.isEmpty()) {
            QString error;
            if (!bench->loadResults(request.results, &error)) {
                printErr(QStringLiteral("backprop-studio: %1").arg(error));
                code = 1;
            }
        }
        int index = bench->charts().isEmpty() ? -1 : 0;  // the first chart unless --tab says otherwise
        if (!request.tab.isEmpty()) {
            bool isIndex = false;
            index = request.tab.toInt(&isIndex);
            if (!isIndex) {
                index = -2;
                if (request.tab.compare(QLatin1String("table"), Qt::CaseInsensitive) == 0) index = -1;
                for (int i = 0; i < bench->charts().size() && index == -2; ++i)
                    if (bench->charts()[i].id.startsWith(request.tab, Qt::CaseInsensitive) ||
                        bench->charts()[i].title.startsWith(request.tab, Qt::CaseInsensitive))
                        index = i;
            }
            if (index < -1 || index >= bench->charts().size()) {
                printErr(QStringLiteral("backprop-studio: no benchmark chart '%1'").arg(request.tab));
                return 2;
            }
        }
        bench->showChart(index);
        settle(200);
    }

    if (!request.tab.isEmpty() && request.page != QLatin1String("backprop") && request.page != QLatin1String("features")) {
        if (auto* train = qobject_cast<TrainPage*>(window.page(request.page))) {
            QTabWidget* tabs = train->chartTabs();
            bool isIndex = false;
            int index = request.tab.toInt(&isIndex);
            if (!isIndex) {
                index = -1;
                for (int i = 0; i < tabs->count(); ++i)
                    if (tabs->tabText(i).remove(QLatin1Char('&')).startsWith(request.tab, Qt::CaseInsensitive)) index = i;
            }
            if (index < 0 || index >= tabs->count()) {
                printErr(QStringLiteral("backprop-studio: no chart tab '%1'").arg(request.tab));
                return 2;
            }
            tabs->setCurrentIndex(index);
            settle(150);
        }
    }

    if (!request.lesson.isEmpty()) {
        if (!window.openLesson(request.lesson, request.step)) {
            printErr(QStringLiteral("backprop-studio: %1").arg(window.lessons()->lastError()));
            return 2;
        }
        settle(400);
    }

    const QPixmap pixmap = window.grab();
    if (!pixmap.save(request.outPath, "PNG")) {
        printErr(QStringLiteral("backprop-studio: could not write %1").arg(request.outPath));
        return 1;
    }
    return code;
}
