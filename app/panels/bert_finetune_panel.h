// bert_finetune_panel.h — the BERT tab's "does pre-training pay?" view: fine-tune the BERT-mini of the tab (trained
// or opened) on "which fortunes collection is this quotation from?" and the same architecture from scratch, both
// with the same settings and quotations, and draw each one's held-out accuracy per epoch (solid) and training
// accuracy (dashed) against chance, as they come. The run goes on BertController's thread; the panel only draws.
#pragma once

#include <QVector>
#include <QWidget>

#include "controllers/bert_controller.h"
#include "core/page.h"

class QLabel;
class QPushButton;
class QSpinBox;
class SeriesPlot;

class BertFineTunePanel : public QWidget {
    Q_OBJECT
public:
    BertFineTunePanel(BertController* bert, QWidget* parent = nullptr);

    /// The pre-trained model the comparison starts from (none: Compare is disabled and says why).
    void setModel(const BertModel& model);
    /// Starts the comparison with epochsSpin() epochs each; false (with statusLabel() saying why) if it cannot.
    bool compare();
    void applyAppearance(const Appearance& a);

    /// Every epoch drawn so far (epoch 0 = before training), both arms, in arrival order.
    const QVector<FineTuneEvent>& history() const { return m_history; }
    SeriesPlot* plot() const { return m_plot; }
    QSpinBox* epochsSpin() const { return m_epochs; }
    QPushButton* compareButton() const { return m_compare; }
    QLabel* statusLabel() const { return m_status; }
    /// The plot's series: held-out accuracy (0 from pre-training, 1 from scratch), training accuracy, chance.
    enum Series { PretrainedTest, ScratchTest, PretrainedTrain, ScratchTrain, Chance };

signals:
    void finished();  ///< both arms ran (or it was stopped); history() is complete

private:
    void onRunning(bool running);
    void onFinished(bool stopped);

    BertController* m_bert;
    BertModel m_model;
    bool m_mine = false;  // the controller's current run is this panel's comparison
    int m_classes = 0, m_testTexts = 0;
    QVector<FineTuneEvent> m_history;
    QSpinBox* m_epochs = nullptr;
    QPushButton* m_compare = nullptr;
    QPushButton* m_stop = nullptr;
    QLabel* m_status = nullptr;
    SeriesPlot* m_plot = nullptr;
    int m_series[5] = {};
};
