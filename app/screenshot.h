// screenshot.h — `backprop-studio --screenshot PAGE --out FILE.png [--demo]`: render one page of the real
// main window to a PNG, optionally after a short real training run (and, for "draw", a real MNIST test
// digit drawn on the pad), so people can look at the GUI without a display (tests, CI, docs).
#pragma once

#include <QSize>
#include <QString>

class AttentionPage;
class ClipPage;
class MainWindow;
class PlaygroundPage;
class TrainPage;

struct ScreenshotRequest {
    QString page;          // a MainWindow::pageIds() entry
    QString outPath;       // PNG file to write
    bool demo = false;     // run a short real training first
    int digit = 0;         // Draw page with demo: the MNIST test image drawn on the pad
    QString tab;           // Train page: the chart tab to show (its index, or the start of its title);
                           // Attention page: vit, gpt or gpt-loss; CLIP page: train, search or zeroshot;
                           // Draw page with demo: clip (a CLIP-mini trained first, its captions for the drawing);
                           // Benchmarks page: the chart to show (its index, or the start of its title; "table")
    QString results;       // Benchmarks page: the results file to show
    QString bertModel;     // Attention page, tab bert-finetune with demo: a saved BERT-mini to compare instead of
                           // pre-training one in the app first (a 10,000-step pre-training takes minutes)
    QString lesson;        // a lesson to open (at `step`, 0-based) over the page, with its panel and spotlight
    int step = 0;
    QSize size{1400, 900};
};

/// Loads the data, and with demo trains an MLP for 1 epoch on 6,000 images (tested on 1,000) through the
/// page's own controller, waiting in a local event loop. Returns an empty string, or what went wrong.
QString runDemoTraining(TrainPage* page, int timeoutMs = 180000);

/// Steps of each GPT-mini run in the attention demo.
inline constexpr int kAttentionDemoSteps = 300;

/// The Attention page's demo, real and short: tab "vit" trains the quick ViT (one epoch on 12,000 images) and
/// shows MNIST test image `digit`; tab "gpt" trains GPT-mini with each block on the default corpus, then generates
/// from "The " and shows the generated text's attention ("gpt-loss": then shows the loss curves instead). Returns an empty string, or what went wrong.
/// Tab "bert-finetune" opens `bertModel` when given instead of pre-training one.
QString runAttentionDemo(AttentionPage* page, const QString& tab, int digit, int timeoutMs = 240000,
                         const QString& bertModel = {});

/// The CLIP page's demo, real and short: CLIP-mini trained for `steps` steps on MNIST through the page's own Train,
/// waiting until the model is in every view (search, zero-shot on the test split). Returns empty or what went wrong.
QString runClipDemo(ClipPage* page, int steps = 400, int timeoutMs = 1200000);

/// The Playground page's demo, real: the spiral (sin features, 3 hidden layers of 8, Adam) trained by the page's
/// own controller until the test accuracy reaches `targetAccuracy` or `timeoutMs` pass, then paused, with one
/// neuron hovered. Returns an empty string, or what went wrong.
QString runPlaygroundDemo(PlaygroundPage* page, double targetAccuracy = 0.95, int timeoutMs = 60000);

/// Renders request.page of `window` to request.outPath. Exit code for main: 0 written, 1 failure,
/// 2 unknown page (the message lists the known ones). Messages go to stderr.
int renderScreenshot(MainWindow& window, const ScreenshotRequest& request);
