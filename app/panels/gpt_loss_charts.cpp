// gpt_loss_charts.cpp — see gpt_loss_charts.h.
#include "panels/gpt_loss_charts.h"

#include <QVBoxLayout>

#include "plot_style.h"
#include "series_plot.h"

GptLossCharts::GptLossCharts(GptController* gpt, QWidget* parent) : QWidget(parent), m_gpt(gpt) {
    setObjectName(QStringLiteral("attention.gpt_loss"));
    auto* ch = new QVBoxLayout(this);
    m_lossPlot = new SeriesPlot(tr("step"), tr("loss (nats per character)"));
    m_lossPlot->setObjectName(QStringLiteral("gptLossPlot"));
    m_lossPlot->setTitle(tr("This run"));
    m_trainSeries = m_lossPlot->addSeries(tr("training loss"), 0);
    m_valSeries = m_lossPlot->addSeries(tr("validation loss"), 1, false, true);
    m_unigramSeries = m_lossPlot->addSeries(tr("unigram baseline"), 7, false, false, Qt::DashLine);
    m_comparePlot = new SeriesPlot(tr("step"), tr("validation loss (nats per character)"));
    m_comparePlot->setObjectName(QStringLiteral("gptComparePlot"));
    m_comparePlot->setTitle(tr("All runs of this session, same text: GPT-2 block dash-dot, modern block solid"));
    ch->addWidget(m_lossPlot, 1);
    ch->addWidget(m_comparePlot, 1);

    connect(m_gpt, &GptController::runStarted, this, [this](const GptRunConfig& c, int) { onRunStarted(c); });
    connect(m_gpt, &GptController::stepsArrived, this, [this](const QVector<bp::train::TextStepEvent>& steps) {
        QVector<double> xs, ys;
        for (const bp::train::TextStepEvent& e : steps) {
            xs << e.step;
            ys << e.loss;
        }
        m_lossPlot->appendPoints(m_trainSeries, xs, ys);
    });
    connect(m_gpt, &GptController::evalsArrived, this, [this](const QVector<bp::train::TextEvalEvent>& evals) {
        QVector<double> xs, ys;
        for (const bp::train::TextEvalEvent& e : evals) {
            xs << e.step;
            ys << e.val_loss;
        }
        m_lossPlot->appendPoints(m_valSeries, xs, ys);
        rebuildComparison();
    });
    connect(m_gpt, &GptController::runFinished, this, &GptLossCharts::rebuildComparison);
    connect(m_gpt, &GptController::corpusLoaded, this, &GptLossCharts::rebuildComparison);  // it holds runs on this text
}

void GptLossCharts::onRunStarted(const GptRunConfig& c) {
    const double unigram = m_gpt->corpus().unigramLoss;
    m_lossPlot->clearData();
    m_lossPlot->setTitle(tr("This run: %1").arg(m_gpt->runs().back().label));
    m_lossPlot->setMinimumXRange(c.train.steps);
    m_lossPlot->appendPoints(m_unigramSeries, {0.0, static_cast<double>(c.train.steps)}, {unigram, unigram});
    rebuildComparison();
}

void GptLossCharts::rebuildComparison() {
    m_comparePlot->removeAllSeries();
    double maxStep = 0;
    const QVector<GptRun>& runs = m_gpt->runs();
    for (int i = 0; i < runs.size(); ++i) {
        const GptRun& r = runs[i];
        if (r.evalSteps.isEmpty() || r.corpus != m_gpt->corpus().corpus) continue;  // losses compare on the same text only
        const int s = m_comparePlot->addSeries(r.label, i % 7, false, true,
                                               r.block == QLatin1String("modern") ? Qt::SolidLine : Qt::DashDotLine);
        m_comparePlot->appendPoints(s, r.evalSteps, r.valLosses);
        maxStep = std::max(maxStep, r.evalSteps.back());
    }
    const double unigram = m_gpt->corpus().unigramLoss;
    if (maxStep > 0 && unigram > 0) {
        const int s = m_comparePlot->addSeries(tr("unigram baseline"), 7, false, false, Qt::DashLine);
        m_comparePlot->appendPoints(s, {0.0, maxStep}, {unigram, unigram});
    }
}

void GptLossCharts::applyAppearance(const Appearance& a) {
    const PlotStyle style = PlotStyle::make(a.dark, a.presentation);
    m_lossPlot->setPlotStyle(style);
    m_comparePlot->setPlotStyle(style);
}
