// clip_similarity_view.h — the CLIP page's training view: the contrastive loss per step (with the zero-shot
// accuracy checks on the right axis) and the latest batch's similarity matrix, live: row i is picture i of the
// batch, column j is caption j, a cell is their cosine similarity; picture i and caption i belong together, so a
// model that learns lights up the diagonal. Beside the matrix, the batch's pictures and captions, numbered as its
// rows and columns.
#pragma once

#include <QWidget>
#include <memory>

#include "controllers/clip_controller.h"
#include "core/page.h"

class HeatmapView;
class QLabel;
class QListWidget;
class SeriesPlot;

class ClipSimilarityView : public QWidget {
    Q_OBJECT
public:
    explicit ClipSimilarityView(ClipController* controller, QWidget* parent = nullptr);
    void applyAppearance(const Appearance& a);

    HeatmapView* heatmap() const { return m_heatmap; }
    SeriesPlot* lossPlot() const { return m_loss; }
    QListWidget* pairList() const { return m_pairs; }
    /// The step whose matrix is shown (similarity empty before the first).
    const bp::train::ClipStepEvent& shownStep() const { return m_shown; }

private:
    void clear();
    void showMatrix(const bp::train::ClipStepEvent& e);

    std::shared_ptr<const bp::data::CaptionedImages> m_train;
    bp::train::ClipStepEvent m_shown;
    SeriesPlot* m_loss = nullptr;
    int m_lossSeries = -1, m_accSeries = -1;
    HeatmapView* m_heatmap = nullptr;
    QLabel* m_matrixNote = nullptr;
    QListWidget* m_pairs = nullptr;
};
