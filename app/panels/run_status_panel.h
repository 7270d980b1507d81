// run_status_panel.h — the top of the Train page's run view: a banner for problems (missing MNIST, a failed
// run; its text can be selected and copied), the run's title line, the epoch progress bar and the live figures
// (loss, batch accuracy, images/s, ETA); beside the last test accuracy, a stopwatch that runs from Start to the
// end of the run (the "99% in seconds" preset is timed by it).
#pragma once

#include <QWidget>

#include "bp/train/trainer.h"
#include "core/page.h"

class QLabel;
class QProgressBar;
class StopwatchLabel;

class RunStatusPanel : public QWidget {
    Q_OBJECT
public:
    explicit RunStatusPanel(QWidget* parent = nullptr);

    void showBanner(const QString& html);
    void hideBanner();
    void setTitle(const QString& text);
    QString title() const;
    /// A run starts: `batchesPerEpoch` for the bar, the stats line cleared.
    void runStarted(int epochs, qint64 batchesPerEpoch);
    void batchesArrived(const bp::train::BatchEvent& last, int epochs);
    void epochFinished(const bp::train::EpochEvent& e);
    /// The run finished, failed or was stopped: the stopwatch stops at the time it took.
    void runEnded();
    void setStatsText(const QString& text);
    void fillProgress();
    void applyAppearance(const Appearance& a);

    QLabel* banner() const { return m_banner; }
    QProgressBar* progress() const { return m_progress; }
    StopwatchLabel* stopwatch() const { return m_stopwatch; }
    QLabel* accuracyLabel() const { return m_accuracy; }

private:
    QLabel* m_banner = nullptr;
    QLabel* m_title = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_stats = nullptr;
    QLabel* m_accuracy = nullptr;  // the last evaluated epoch's test accuracy
    StopwatchLabel* m_stopwatch = nullptr;
};
