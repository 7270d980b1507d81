// stopwatch_label.cpp — see stopwatch_label.h.
#include "stopwatch_label.h"

#include <QTimer>

StopwatchLabel::StopwatchLabel(QWidget* parent) : QLabel(parent) {
    m_tick = new QTimer(this);
    m_tick->setInterval(100);
    connect(m_tick, &QTimer::timeout, this, &StopwatchLabel::redraw);
    setToolTip(tr("Time since Start was pressed: the whole run, from the first batch to the last evaluation."));
    redraw();
}

void StopwatchLabel::start() {
    m_clock.start();
    m_running = true;
    m_frozen = 0;
    m_tick->start();
    redraw();
}

void StopwatchLabel::stop() {
    if (!m_running) return;
    m_frozen = static_cast<double>(m_clock.nsecsElapsed()) * 1e-9;
    m_running = false;
    m_tick->stop();
    redraw();
}

void StopwatchLabel::reset() {
    m_running = false;
    m_frozen = 0;
    m_tick->stop();
    redraw();
}

double StopwatchLabel::seconds() const {
    return m_running ? static_cast<double>(m_clock.nsecsElapsed()) * 1e-9 : m_frozen;
}

void StopwatchLabel::redraw() {
    // One decimal, so the digits tick visibly but stay readable on a projector. Words, not a stopwatch glyph: the
    // default fonts here have none.
    setText(tr("time <b>%1 s</b>").arg(seconds(), 0, 'f', 1));
}
