// bench_ui.h — `backprop-studio --bench-ui`: measures what a user feels. (1) Event-loop latency while a
// real training run goes on: a 5 ms QTimer measures how late each of its ticks fires (the GUI must stay
// under 50 ms late, i.e. never visibly freeze). (2) Drawing-pad latency: MNIST test digits drawn on the
// Draw page; time from the new picture to the shown prediction (preprocess, inference, saliency, bars).
#pragma once

#include <QString>

class MainWindow;

/// Runs both measurements in `window` and prints them to stdout. Returns 0 when the event loop was never
/// 50 ms late and the mean prediction took under 16 ms, 1 otherwise (2 when MNIST is missing).
int runUiBenchmark(MainWindow& window, int trainSeconds = 6);

/// `backprop-studio --bench-playground`: frames per second on the Playground page while it trains for real, for a
/// small network (circle, 4-2) and a big one (spiral, 8 hidden layers of 32), each for `seconds`: frames the page
/// showed per second, the time to paint one frame, training steps per second, and the event loop's lateness.
/// Prints them; returns 0 when every run showed at least 20 frames a second, 1 otherwise. With `picturePrefix`, the
/// page at the end of run N is also written to PREFIX-N.png (to look at what was measured).
int runPlaygroundBenchmark(MainWindow& window, int seconds = 5, const QString& picturePrefix = QString());
