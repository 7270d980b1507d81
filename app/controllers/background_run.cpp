// background_run.cpp — thread ownership and the drain timer shared by every controller (see background_run.h).
#include "controllers/background_run.h"

BackgroundRun::BackgroundRun(const QString& threadName, QObject* parent) : QObject(parent) {
    m_thread.setObjectName(threadName);
    m_drainTimer.setInterval(33);  // ~30 frames a second: smooth to the eye, cheap for the GUI
    connect(&m_drainTimer, &QTimer::timeout, this, [this] { drain(); });
}

BackgroundRun::~BackgroundRun() {
    m_drainTimer.stop();
    if (m_cancel) m_cancel();  // a running or paused job returns at its next check
    m_thread.quit();
    m_thread.wait();
    delete m_worker;  // the thread has finished, so nothing else touches the worker now
}

void BackgroundRun::adoptWorker(QObject* worker, std::function<void()> cancel) {
    m_worker = worker;
    m_cancel = std::move(cancel);
    m_worker->moveToThread(&m_thread);
    m_thread.start();
}

void BackgroundRun::stopDraining() {
    drain();
    m_drainTimer.stop();
}
