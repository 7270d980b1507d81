// gpt_loss_charts.h — the Language tab's "Loss curves": the run training now (training and validation loss
// against the unigram baseline) above every run of the session on the same text (GPT-2 block dash-dot, modern
// solid), redrawn from the GptController's run record as it drains.
#pragma once

#include <QWidget>

#include "controllers/gpt_controller.h"
#include "core/page.h"

class SeriesPlot;

class GptLossCharts : public QWidget {
    Q_OBJECT
public:
    explicit GptLossCharts(GptController* gpt, QWidget* parent = nullptr);
    void applyAppearance(const Appearance& a);
    SeriesPlot* lossPlot() const { return m_lossPlot; }
    SeriesPlot* comparePlot() const { return m_comparePlot; }

private:
    void onRunStarted(const GptRunConfig& config);
    void rebuildComparison();

    GptController* m_gpt;
    SeriesPlot* m_lossPlot = nullptr;
    SeriesPlot* m_comparePlot = nullptr;
    int m_trainSeries = -1, m_valSeries = -1, m_unigramSeries = -1;
};
