// stopwatch_label.h — a label that shows the seconds since start(), redrawn ten times a second while it runs and
// frozen at stop(): the Train page's stopwatch beside the accuracy, so that a class sees how long 99% takes.
// Plain Qt; it knows nothing of training.
#pragma once

#include <QElapsedTimer>
#include <QLabel>

class QTimer;

class StopwatchLabel : public QLabel {
    Q_OBJECT
public:
    explicit StopwatchLabel(QWidget* parent = nullptr);

    void start();  // from 0
    void stop();   // keeps the time shown
    void reset();  // back to "0.0 s", stopped
    bool isRunning() const { return m_running; }
    /// Seconds shown: since start() while running, the frozen time after stop().
    double seconds() const;

private:
    void redraw();

    QElapsedTimer m_clock;
    QTimer* m_tick = nullptr;
    bool m_running = false;
    double m_frozen = 0;
};
