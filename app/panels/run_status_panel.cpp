// run_status_panel.cpp — see run_status_panel.h.
#include "panels/run_status_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QVBoxLayout>

#include "core/theme.h"
#include "stopwatch_label.h"
#include "tools/run_text.h"

RunStatusPanel::RunStatusPanel(QWidget* parent) : QWidget(parent) {
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(8);

    m_banner = new QLabel;
    m_banner->setObjectName(QStringLiteral("dataBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);  // so the command can be copied
    m_banner->hide();
    v->addWidget(m_banner);

    m_title = new QLabel(tr("Loading MNIST…"));
    m_title->setObjectName(QStringLiteral("train.status"));
    m_title->setWordWrap(true);  // long titles wrap instead of widening the window (presentation mode)
    m_accuracy = new QLabel;
    m_accuracy->setObjectName(QStringLiteral("train.test_accuracy"));
    m_accuracy->setToolTip(tr("Accuracy on the test images after the last epoch: images the network never trained on."));
    m_stopwatch = new StopwatchLabel;
    m_stopwatch->setObjectName(QStringLiteral("train.stopwatch"));
    v->addWidget(m_title);

    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("train.progress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_progress->setFormat(tr("Epoch progress"));
    m_progress->setMinimumHeight(24);
    v->addWidget(m_progress);

    m_stats = new QLabel(QStringLiteral(" "));
    m_stats->setObjectName(QStringLiteral("runStats"));
    m_stats->setTextFormat(Qt::RichText);
    m_stats->setWordWrap(true);
    // The live figures, then the test accuracy and the stopwatch at the right end of the same row.
    auto* figures = new QHBoxLayout;
    figures->setSpacing(16);
    figures->addWidget(m_stats, 1);
    figures->addWidget(m_accuracy);
    figures->addWidget(m_stopwatch);
    v->addLayout(figures);
}

void RunStatusPanel::showBanner(const QString& html) {
    m_banner->setText(html);
    m_banner->show();
}

void RunStatusPanel::hideBanner() { m_banner->hide(); }
void RunStatusPanel::setTitle(const QString& text) { m_title->setText(text); }
QString RunStatusPanel::title() const { return m_title->text(); }
void RunStatusPanel::setStatsText(const QString& text) { m_stats->setText(text); }
void RunStatusPanel::fillProgress() { m_progress->setValue(m_progress->maximum()); }

void RunStatusPanel::runStarted(int epochs, qint64 batchesPerEpoch) {
    m_progress->setRange(0, static_cast<int>(std::max<qint64>(batchesPerEpoch, 1)));
    m_progress->setValue(0);
    m_progress->setFormat(tr("Epoch 1 of %1").arg(epochs));
    m_stats->setText(QStringLiteral(" "));
    m_accuracy->clear();
    m_stopwatch->start();
}

void RunStatusPanel::runEnded() { m_stopwatch->stop(); }

void RunStatusPanel::batchesArrived(const bp::train::BatchEvent& last, int epochs) {
    m_progress->setRange(0, static_cast<int>(last.batches_per_epoch));
    m_progress->setValue(static_cast<int>(last.batch + 1));
    m_progress->setFormat(tr("Epoch %1 of %2 · batch %3 of %4")
                              .arg(last.epoch + 1)
                              .arg(epochs)
                              .arg(last.batch + 1)
                              .arg(last.batches_per_epoch));
    // Each figure stays on one line when the label wraps (presentation mode on a small screen).
    m_stats->setText(tr("<span style='white-space:nowrap'>loss <b>%1</b></span> &nbsp;·&nbsp; "
                        "<span style='white-space:nowrap'>batch accuracy <b>%2</b></span> &nbsp;·&nbsp; "
                        "<span style='white-space:nowrap'><b>%3</b>&nbsp;images\u2060/\u2060s</span> &nbsp;·&nbsp; "
                        "<span style='white-space:nowrap'>ETA <b>%4</b></span>")
                         .arg(last.loss, 0, 'f', 4)
                         .arg(runtext::percent(last.accuracy, 1))
                         .arg(QLocale().toString(qRound64(last.samples_per_second)))
                         .arg(runtext::duration(last.eta_seconds)));
}

void RunStatusPanel::epochFinished(const bp::train::EpochEvent& e) {
    if (e.epoch + 1 < e.epochs) m_progress->setFormat(tr("Epoch %1 of %2").arg(e.epoch + 2).arg(e.epochs));
    if (e.evaluated) m_accuracy->setText(tr("test accuracy <b>%1</b>").arg(runtext::percent(e.test_accuracy, 2)));
}

void RunStatusPanel::applyAppearance(const Appearance& a) {
    const QFont base = theme::baseFont();
    const double scale = theme::fontScale(a);
    QFont title = base;
    title.setPointSizeF(base.pointSizeF() * 1.3 * scale);
    title.setBold(true);
    m_title->setFont(title);
    QFont stats = base;
    stats.setPointSizeF(base.pointSizeF() * 1.15 * scale);
    m_stats->setFont(stats);
    m_accuracy->setFont(stats);
    m_stopwatch->setFont(stats);
}
