// bench_ui.cpp — see bench_ui.h. Timings are wall-clock on whatever else the machine is doing: run it on a
// quiet machine when the numbers matter.
#include "bench_ui.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

#include "bp/data/dataset.h"
#include "main_window.h"
#include "pages/draw_page.h"
#include "pages/playground_page.h"
#include "panels/playground_controls.h"
#include "pages/train_page.h"
#include "decision_boundary_view.h"
#include "network_diagram.h"
#include "series_plot.h"

namespace {

struct Stats {
    double mean = 0, p50 = 0, p99 = 0, max = 0;
    size_t n = 0;
};

Stats stats(std::vector<double> v) {
    Stats s;
    s.n = v.size();
    if (v.empty()) return s;
    std::sort(v.begin(), v.end());
    for (double x : v) s.mean += x / static_cast<double>(v.size());
    s.p50 = v[v.size() / 2];
    s.p99 = v[std::min(v.size() - 1, v.size() * 99 / 100)];
    s.max = v.back();
    return s;
}

double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void wait(int ms) {
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

}  // namespace

int runUiBenchmark(MainWindow& window, int trainSeconds) {
    window.resize(1400, 900);
    window.show();
    window.showPage(QStringLiteral("train"));
    TrainPage* train = window.trainPage();
    TrainingController* c = train->controller();
    QElapsedTimer waitData;
    waitData.start();
    while (c->state() == TrainingController::State::LoadingData && waitData.elapsed() < 60000) wait(20);
    if (c->state() != TrainingController::State::Idle) {
        std::fprintf(stderr, "bench-ui: MNIST is not available: %s\n", qPrintable(c->dataError()));
        return 2;
    }

    // 1. Event-loop lateness while training the MLP on all 60,000 images (epochs end with an evaluation,
    //    a confusion matrix and sample predictions: the GUI's heaviest moments).
    bp::train::TrainConfig cfg = train->configFromWidgets();
    cfg.model = "mlp";
    cfg.epochs = 50;  // longer than the measurement: it is stopped after trainSeconds
    cfg.batch_size = 32;
    cfg.train_limit = 0;
    cfg.test_limit = 2000;
    train->applyConfig(cfg);
    std::vector<double> lateMs;
    QElapsedTimer clock;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(5);
    qint64 last = 0;
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        lateMs.push_back(std::max(0.0, (now - last) / 1e6 - 5.0));
        last = now;
    });
    qint64 batches = 0;
    QObject::connect(c, &TrainingController::batchesArrived, [&](const QVector<bp::train::BatchEvent>& b) { batches += b.size(); });
    train->startTraining();
    clock.start();
    last = clock.nsecsElapsed();
    ticker.start();
    while (c->isBusy() && clock.elapsed() < trainSeconds * 1000) wait(50);
    ticker.stop();
    const double trainedFor = clock.elapsed() / 1000.0;
    if (c->isBusy()) c->stop();
    while (c->isBusy()) wait(20);
    const Stats late = stats(lateMs);
    std::printf("event loop while training (%lld batches in %.1f s, 5 ms timer, %zu ticks):\n"
                "  lateness mean %.2f ms, median %.2f ms, p99 %.2f ms, max %.2f ms  (limit 50 ms)\n",
                static_cast<long long>(batches), trainedFor, late.n, late.mean, late.p50, late.p99, late.max);

    // 2. Drawing pad → prediction, with the model just trained.
    window.showPage(QStringLiteral("draw"));
    DrawPage* draw = window.drawPage();
    wait(100);
    if (draw->topClass() == -1 && draw->modelCombo()->count() == 0) {
        std::fprintf(stderr, "bench-ui: no model to draw with\n");
        return 1;
    }
    const bp::data::ImageDataset test =
        bp::data::load_image_dataset(c->dataInfo().dataDir.toStdString(), "mnist", "test");
    std::vector<double> predictMs, frameMs;
    int correct = 0;
    const int n = 200;
    for (int i = 0; i < n; ++i) {
        const auto strokes = DrawPage::strokesFromDigit(test.pixels.data() + i * test.rows * test.cols, 28, 28,
                                                        draw->pad()->canvasSize());
        QElapsedTimer t;
        t.start();
        draw->pad()->setStrokes(strokes);  // → imageChanged → predictNow (synchronously)
        draw->repaint();                   // and the frame that shows it
        frameMs.push_back(t.nsecsElapsed() / 1e6);
        predictMs.push_back(draw->lastLatencyMs());
        correct += draw->topClass() == test.labels[static_cast<size_t>(i)];
    }
    const Stats pred = stats(predictMs), frame = stats(frameMs);
    std::printf("drawing pad (%d MNIST test digits drawn as strokes, %d read correctly):\n"
                "  preprocess + inference + saliency: mean %.2f ms, p99 %.2f ms, max %.2f ms\n"
                "  whole update incl. repaint of the page: mean %.2f ms, p99 %.2f ms, max %.2f ms  (frame 16 ms)\n",
                n, correct, pred.mean, pred.p99, pred.max, frame.mean, frame.p99, frame.max);
    std::fflush(stdout);
    return late.max < 50.0 && pred.mean < 16.0 ? 0 : 1;
}

int runPlaygroundBenchmark(MainWindow& window, int seconds, const QString& picturePrefix) {
    namespace pg = bp::playground;
    window.resize(1920, 1080);
    window.show();
    if (!window.showPage(QStringLiteral("playground"))) return 1;
    auto* page = qobject_cast<PlaygroundPage*>(window.page(QStringLiteral("playground")));
    if (!page) return 1;
    struct Run {
        const char* name;
        pg::DatasetKind kind;
        std::vector<int> hidden;
    };
    const Run runs[] = {{"circle, hidden 4-2 (the default)", pg::DatasetKind::circle, {4, 2}},
                        {"spiral, 8 hidden layers of 32, all 7 features", pg::DatasetKind::spiral, std::vector<int>(8, 32)}};
    bool allFast = true;
    for (const Run& r : runs) {
        pg::Config c = page->controls()->config();
        c.data.kind = r.kind;
        c.hidden = r.hidden;
        c.features = r.hidden.size() > 2 ? 127u : (pg::x1 | pg::x2);
        c.optimizer = "adam";
        c.lr = 0.003;
        page->controls()->setConfig(c);
        emit page->controls()->configChanged(c);
        page->controller()->reset();
        wait(300);
        std::vector<double> paintMs, lateMs, diagramMs, boundaryMs, plotsMs;
        int frames = 0;
        qint64 steps0 = -1;
        auto conn = QObject::connect(page, &PlaygroundPage::frameShown, [&] {
            if (steps0 < 0) steps0 = page->lastFrame().steps;
            QElapsedTimer t;
            t.start();
            page->repaint();  // the frame as the user sees it: boundary, diagram, plots
            paintMs.push_back(t.nsecsElapsed() / 1e6);
            // and where that time goes: each view repainted on its own, in the GUI thread's CPU time (not disturbed by
            // other processes on a busy machine)
            double c0 = threadCpuMs();
            page->diagram()->repaint();
            double c1 = threadCpuMs();
            diagramMs.push_back(c1 - c0);
            page->boundaryView()->repaint();
            c0 = threadCpuMs();
            boundaryMs.push_back(c0 - c1);
            page->lossPlot()->repaint();
            page->accuracyPlot()->repaint();
            plotsMs.push_back(threadCpuMs() - c0);
            ++frames;
        });
        QElapsedTimer clock;
        QTimer ticker;
        ticker.setTimerType(Qt::PreciseTimer);
        ticker.setInterval(5);
        qint64 last = 0;
        QObject::connect(&ticker, &QTimer::timeout, [&] {
            const qint64 now = clock.nsecsElapsed();
            lateMs.push_back(std::max(0.0, (now - last) / 1e6 - 5.0));
            last = now;
        });
        page->controller()->play();
        const double guiCpu0 = threadCpuMs();
        clock.start();
        ticker.start();
        wait(seconds * 1000);
        const double secs = clock.elapsed() / 1000.0;
        const double guiCpuPerFrame = frames ? (threadCpuMs() - guiCpu0) / frames : 0;
        ticker.stop();
        page->controller()->pause();
        QObject::disconnect(conn);
        const double fps = frames / secs;
        const qint64 steps = steps0 < 0 ? 0 : page->lastFrame().steps - steps0;
        const Stats paint = stats(paintMs), late = stats(lateMs);
        std::printf("playground, %s: %.1f frames/s shown (%d in %.1f s), %.0f training steps/s, test accuracy %.1f %%\n"
                    "  paint per frame: mean %.2f ms, p99 %.2f ms (alone, CPU time: network %.2f ms, plane %.2f ms, curves %.2f ms);"
                    " event loop lateness: mean %.2f ms, max %.2f ms\n"
                    "  GUI thread CPU time per frame, all included (the measuring repaints too): %.2f ms\n",
                    r.name, fps, frames, secs, steps / secs, page->lastFrame().metrics.test_accuracy * 100, paint.mean,
                    paint.p99, stats(diagramMs).mean, stats(boundaryMs).mean, stats(plotsMs).mean, late.mean, late.max,
                    guiCpuPerFrame);
        allFast = allFast && fps >= 20.0;
        wait(200);
        if (!picturePrefix.isEmpty()) page->grab().save(QStringLiteral("%1-%2.png").arg(picturePrefix).arg(&r - runs + 1));
    }
    std::fflush(stdout);
    return allFast ? 0 : 1;
}
