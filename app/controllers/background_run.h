// background_run.h — the one mechanism behind every controller that runs work on its own thread: BackgroundRun
// (GUI side: owns the QThread and the worker living on it, posts jobs to it, drains the worker's buffer every
// 33 ms while a run goes, numbers runs so stale events are dropped, and stops, quits and waits on destruction),
// and, for the worker side, LockedBuffer (append under a lock, swap out whole) and TrainerRequests (pause /
// resume / step / cancel that reach a running trainer's atomics at once, or wait for the next one to start).
// It knows nothing of what is trained: TrainingController, GptController and the next ones derive from it.
#pragma once

#include <QObject>
#include <QThread>
#include <QTimer>
#include <atomic>
#include <functional>
#include <mutex>
#include <utility>

/// A value guarded by a mutex, filled on the worker thread and swapped out whole by the GUI thread.
/// Thread-safe. Example: buffer.update([&](Drained& d) { d.steps.push_back(e); }); auto d = buffer.take();
template <class T>
class LockedBuffer {
public:
    template <class F>
    void update(F&& f) {
        std::lock_guard<std::mutex> lk(m_mutex);
        f(m_value);
    }
    /// The buffered value; the buffer is empty again afterwards. The lock is held only for the swap.
    T take() {
        T out{};
        std::lock_guard<std::mutex> lk(m_mutex);
        std::swap(out, m_value);
        return out;
    }
    void clear() { take(); }

private:
    std::mutex m_mutex;
    T m_value{};
};

/// Requests from the GUI thread to a trainer that runs on the worker thread (bp::train::Trainer or TextTrainer:
/// anything with request_pause / request_resume / request_step / request_cancel). A request made before the
/// trainer exists is applied when it is attached. Thread-safe.
template <class Trainer>
class TrainerRequests {
public:
    /// Publishes `trainer` for the scope of the returned guard (the GUI never sees a dangling one, even if the
    /// run throws) and applies the requests made before it started.
    class Attached {
    public:
        Attached(TrainerRequests& r, Trainer& t, std::function<void()> onDetach = {}) : m_r(r), m_onDetach(std::move(onDetach)) {
            std::lock_guard<std::mutex> lk(m_r.m_mutex);
            m_r.m_trainer = &t;
            if (m_r.m_pause) t.request_pause();
            if (m_r.m_cancel) t.request_cancel();
        }
        ~Attached() {
            std::lock_guard<std::mutex> lk(m_r.m_mutex);
            m_r.m_trainer = nullptr;
            if (m_onDetach) m_onDetach();
        }
        Attached(const Attached&) = delete;
        Attached& operator=(const Attached&) = delete;

    private:
        TrainerRequests& m_r;
        std::function<void()> m_onDetach;  // runs under the lock: clear what the GUI may read beside the trainer
    };

    void clear() {
        std::lock_guard<std::mutex> lk(m_mutex);
        m_pause = m_cancel = false;
    }
    void pause() { apply(&Trainer::request_pause, [this] { m_pause = true; }); }
    void resume() { apply(&Trainer::request_resume, [this] { m_pause = false; }); }
    void step() { apply(&Trainer::request_step, [this] { m_pause = true; }); }
    void cancel() { apply(&Trainer::request_cancel, [this] { m_cancel = true; }); }
    bool cancelRequested() const { return m_cancel.load(); }
    /// Runs f(trainer) under the lock when a trainer is attached; returns false when none is.
    template <class F>
    bool with(F&& f) const {
        std::lock_guard<std::mutex> lk(m_mutex);
        if (!m_trainer) return false;
        f(*m_trainer);
        return true;
    }

private:
    template <class Flag>
    void apply(void (Trainer::*request)(), Flag flag) {
        std::lock_guard<std::mutex> lk(m_mutex);
        flag();
        if (m_trainer) (m_trainer->*request)();
    }

    mutable std::mutex m_mutex;
    Trainer* m_trainer = nullptr;  // guarded by m_mutex; lives on the worker's stack during a run
    std::atomic<bool> m_pause{false}, m_cancel{false};
};

/// The GUI thread's side. A derived controller creates its worker, hands it over with adoptWorker(), posts jobs
/// with post(), and implements drain(), which the timer calls every drainInterval() ms between startDraining()
/// and stopDraining(). Destruction calls the cancel function given to adoptWorker, quits the thread, waits for
/// it and deletes the worker.
class BackgroundRun : public QObject {
    Q_OBJECT
public:
    ~BackgroundRun() override;
    int drainInterval() const { return m_drainTimer.interval(); }
    int currentRunId() const { return m_runId; }

protected:
    BackgroundRun(const QString& threadName, QObject* parent);
    /// Moves `worker` to the thread and starts it. `cancel` stops whatever the worker runs (called on destruction).
    void adoptWorker(QObject* worker, std::function<void()> cancel);
    /// Runs `job` on the worker thread, after whatever is queued there.
    template <class F>
    void post(F&& job) {
        QMetaObject::invokeMethod(m_worker, std::forward<F>(job), Qt::QueuedConnection);
    }
    void startDraining() { m_drainTimer.start(); }
    /// Drains once more (events buffered before the end arrive in order) and stops the timer.
    void stopDraining();
    virtual void drain() = 0;
    int beginRun() { return ++m_runId; }  ///< a new run id; events of older runs are dropped by isCurrent()
    bool isCurrent(int runId) const { return runId == m_runId; }

private:
    QThread m_thread;
    QObject* m_worker = nullptr;  // lives on m_thread; deleted after the thread has stopped
    std::function<void()> m_cancel;
    QTimer m_drainTimer;
    int m_runId = 0;
};
