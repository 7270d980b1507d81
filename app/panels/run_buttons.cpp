// run_buttons.cpp — see run_buttons.h.
#include "panels/run_buttons.h"

#include <QGridLayout>
#include <QPushButton>

RunButtons::RunButtons(QWidget* parent) : QGroupBox(tr("Run"), parent) {
    auto* grid = new QGridLayout(this);
    m_start = new QPushButton(tr("Start"));
    m_start->setObjectName(QStringLiteral("train.start"));
    m_start->setToolTip(tr("Build the model with fresh weights and train it with these settings."));
    m_pause = new QPushButton(tr("Pause"));
    m_pause->setObjectName(QStringLiteral("train.pause"));
    m_pause->setToolTip(tr("Stop after the current batch, keeping everything as it is."));
    m_resume = new QPushButton(tr("Resume"));
    m_resume->setObjectName(QStringLiteral("train.resume"));
    m_resume->setToolTip(tr("Continue a paused run."));
    m_step = new QPushButton(tr("Step"));
    m_step->setObjectName(QStringLiteral("train.step"));
    m_step->setToolTip(tr("While paused: train exactly one more batch, then pause again."));
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setObjectName(QStringLiteral("train.stop"));
    m_stop->setToolTip(tr("End the run after the current batch; the curves stay on screen."));
    m_start->setDefault(true);
    grid->addWidget(m_start, 0, 0, 1, 2);
    grid->addWidget(m_stop, 0, 2);
    grid->addWidget(m_pause, 1, 0);
    grid->addWidget(m_resume, 1, 1);
    grid->addWidget(m_step, 1, 2);
    for (QPushButton* b : {m_start, m_pause, m_resume, m_step, m_stop}) b->setMinimumHeight(32);
}

void RunButtons::setState(TrainingController::State s) {
    using S = TrainingController::State;
    m_start->setEnabled(s == S::Idle);
    m_pause->setEnabled(s == S::Running);
    m_resume->setEnabled(s == S::Paused);
    m_step->setEnabled(s == S::Paused);
    m_stop->setEnabled(s == S::Running || s == S::Paused);
}
