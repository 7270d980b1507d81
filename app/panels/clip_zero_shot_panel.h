// clip_zero_shot_panel.h — the CLIP page's zero-shot view: CLIP-mini classifying test pictures it was never taught
// classes for. Each class is described by captions in the two held-out templates ("a picture of a seven", ...;
// never seen in training), their embeddings averaged into one per class; a picture goes to the most similar class.
// Shows the accuracy per class as bars (train::zero_shot on the model's test pictures), the overall figure, and
// the confusion matrix of its answers (which class a picture was taken for).
#pragma once

#include <QWidget>
#include <memory>

#include "core/page.h"
#include "tools/clip_tools.h"

class HeatmapView;
class QLabel;
class QTableWidget;

class ClipZeroShotPanel : public QWidget {
    Q_OBJECT
public:
    explicit ClipZeroShotPanel(QWidget* parent = nullptr);
    void setModel(std::shared_ptr<const ClipModel> model);
    void applyAppearance(const Appearance& a);

    QTableWidget* table() const { return m_table; }
    /// Which class each test picture was taken for: rows the true class, columns the zero-shot answer (counts).
    HeatmapView* confusion() const { return m_confusion; }
    QLabel* summary() const { return m_summary; }
    /// The accuracy shown in row `c` (0..1), as the bar holds it; NaN when there is none.
    double shownAccuracy(int c) const;

private:
    QLabel* m_summary = nullptr;
    QTableWidget* m_table = nullptr;
    HeatmapView* m_confusion = nullptr;
};
