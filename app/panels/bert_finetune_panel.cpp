// bert_finetune_panel.cpp — see bert_finetune_panel.h.
#include "panels/bert_finetune_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "plot_style.h"
#include "series_plot.h"

BertFineTunePanel::BertFineTunePanel(BertController* bert, QWidget* parent) : QWidget(parent), m_bert(bert) {
    setObjectName(QStringLiteral("attention.bert_finetune"));
    auto* v = new QVBoxLayout(this);
    auto* explain = new QLabel(tr("The classic lesson of pre-training, measured: teach the BERT on the left to tell which fortunes "
                                  "collection a quotation comes from (literature, science, wisdom, people, computers, "
                                  "education), and the same model starting from random weights. Both see the same "
                                  "quotations in the same order; accuracy is measured on quotations neither has seen."));
    explain->setWordWrap(true);
    m_epochs = new QSpinBox;
    m_epochs->setObjectName(QStringLiteral("attention.bert_finetune_epochs"));
    m_epochs->setRange(1, 50);
    m_epochs->setValue(BertController::kFineTuneEpochs);
    m_epochs->setSuffix(tr(" epochs"));
    m_epochs->setToolTip(tr("Passes over the training quotations, for each of the two models."));
    m_compare = new QPushButton(tr("Compare"));
    m_compare->setObjectName(QStringLiteral("attention.bert_finetune_start"));
    m_stop = new QPushButton(tr("Stop"));
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("bertFineTuneStatus"));
    m_status->setWordWrap(true);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Fine-tune for")));
    row->addWidget(m_epochs);
    row->addWidget(m_compare);
    row->addWidget(m_stop);
    row->addStretch(1);
    m_plot = new SeriesPlot(tr("epoch"), tr("accuracy (%)"));
    m_plot->setObjectName(QStringLiteral("bertFineTunePlot"));
    m_plot->setTitle(tr("Held-out accuracy (solid) and training accuracy (dashed)"));
    m_plot->setIntegerX(true);
    m_series[PretrainedTest] = m_plot->addSeries(tr("from pre-training, held-out"), 0, false, true);
    m_series[ScratchTest] = m_plot->addSeries(tr("from scratch, held-out"), 1, false, true);
    m_series[PretrainedTrain] = m_plot->addSeries(tr("from pre-training, training"), 0, false, false, Qt::DashLine);
    m_series[ScratchTrain] = m_plot->addSeries(tr("from scratch, training"), 1, false, false, Qt::DashLine);
    m_series[Chance] = m_plot->addSeries(tr("chance"), 7, false, false, Qt::DotLine);
    v->addWidget(explain);
    v->addLayout(row);
    v->addWidget(m_status);
    v->addWidget(m_plot, 1);

    connect(m_compare, &QPushButton::clicked, this, &BertFineTunePanel::compare);
    connect(m_stop, &QPushButton::clicked, m_bert, &BertController::stop);
    connect(m_bert, &BertController::runningChanged, this, &BertFineTunePanel::onRunning);
    connect(m_bert, &BertController::fineTuneStarted, this, [this](int classes, int train, int test) {
        m_classes = classes;
        m_testTexts = test;
        const double chance = 100.0 / std::max(1, classes);
        m_plot->appendPoints(m_series[Chance], {0.0, static_cast<double>(m_epochs->value())}, {chance, chance});
        m_status->setText(tr("%1 collections, %2 training and %3 held-out quotations; chance %4 %. First from pre-training…")
                              .arg(classes).arg(train).arg(test).arg(chance, 0, 'f', 1));
    });
    connect(m_bert, &BertController::fineTuneArrived, this, [this](const QVector<FineTuneEvent>& epochs) {
        for (const FineTuneEvent& e : epochs) {
            m_history << e;
            const auto x = static_cast<double>(e.epoch.epoch);
            m_plot->appendPoint(m_series[e.arm == 0 ? PretrainedTest : ScratchTest], x, 100 * e.epoch.test_accuracy);
            if (e.epoch.epoch > 0)  // epoch 0 has not trained: its training accuracy is not measured
                m_plot->appendPoint(m_series[e.arm == 0 ? PretrainedTrain : ScratchTrain], x, 100 * e.epoch.train_accuracy);
            m_status->setText(tr("%1: epoch %2 of %3, held-out accuracy %4 %")
                                  .arg(e.arm == 0 ? tr("From pre-training") : tr("From scratch"))
                                  .arg(e.epoch.epoch).arg(m_epochs->value()).arg(100 * e.epoch.test_accuracy, 0, 'f', 1));
        }
    });
    connect(m_bert, &BertController::fineTuneFinished, this, &BertFineTunePanel::onFinished);
    connect(m_bert, &BertController::failed, this, [this](const QString& message) {
        if (m_mine) m_status->setText(tr("Fine-tuning failed: %1").arg(message));
    });
    setModel({});
    onRunning(m_bert->isRunning());
}

void BertFineTunePanel::setModel(const BertModel& model) {
    m_model = model;
    m_compare->setEnabled(m_model.model && !m_bert->isRunning());
    if (!m_model.model) m_status->setText(tr("Train or open a BERT-mini first (on the left): its pre-training is what is compared."));
    else if (m_history.isEmpty()) m_status->setText(tr("Ready: Compare fine-tunes this BERT and one from scratch, one after the other."));
}

bool BertFineTunePanel::compare() {
    if (!m_model.model) {
        m_status->setText(tr("Train or open a BERT-mini first (on the left): its pre-training is what is compared."));
        return false;
    }
    if (m_bert->isRunning()) {
        m_status->setText(tr("Wait for the run in progress to finish (or stop it) first."));
        return false;
    }
    m_history.clear();
    m_plot->clearData();
    m_plot->setMinimumXRange(m_epochs->value());
    if (!m_bert->startFineTuneComparison(m_model, m_epochs->value())) return false;
    m_mine = true;
    m_status->setText(tr("Reading the fortunes collections…"));
    return true;
}

void BertFineTunePanel::onRunning(bool running) {
    m_compare->setEnabled(!running && m_model.model);
    m_stop->setEnabled(running && m_mine);
    if (!running) m_mine = false;
}

void BertFineTunePanel::onFinished(bool stopped) {
    double last[2] = {-1, -1};
    int epochs[2] = {0, 0};
    for (const FineTuneEvent& e : m_history) {
        last[e.arm] = e.epoch.test_accuracy;
        epochs[e.arm] = e.epoch.epoch;
    }
    for (const FineTuneEvent& e : m_history)  // compared at the same epoch, even when the scratch run was stopped early
        if (e.arm == 0 && e.epoch.epoch == epochs[1]) last[0] = e.epoch.test_accuracy;
    if (last[1] < 0) {
        m_status->setText(tr("Stopped during the pre-trained run (epoch %1): start again to compare.").arg(epochs[0]));
    } else {
        const double diff = 100 * (last[0] - last[1]);
        const double onePoint = m_testTexts > 0 ? 100.0 / m_testTexts : 0;
        QString verdict = std::abs(diff) < 3 * onePoint
                              ? tr("about the same: the difference is a few quotations")
                              : diff > 0 ? tr("pre-training helped by %1 points").arg(diff, 0, 'f', 1)
                                         : tr("from scratch did better by %1 points").arg(-diff, 0, 'f', 1);
        m_status->setText(tr("%1After %2 epochs: from pre-training %3 %, from scratch %4 % held-out (%5; one quotation = %6 "
                             "points).")
                              .arg(stopped ? tr("Stopped. ") : QString())
                              .arg(epochs[1]).arg(100 * last[0], 0, 'f', 1).arg(100 * last[1], 0, 'f', 1)
                              .arg(verdict).arg(onePoint, 0, 'f', 2));
    }
    emit finished();
}

void BertFineTunePanel::applyAppearance(const Appearance& a) { m_plot->setPlotStyle(PlotStyle::make(a.dark, a.presentation)); }
