// clip_page.h — ClipPage: CLIP-mini, pictures and words in one space. Laid out from panels: the controls column
// (panels/clip_train_controls: what CLIP is, dataset, steps, Train / Stop, Open… / Save…) and three views: training
// (panels/clip_similarity_view: loss and the batch's similarity matrix, live), caption search
// (panels/clip_search_panel) and zero-shot accuracy per class (panels/clip_zero_shot_panel). The run lives in
// controllers/clip_controller; the model, once ready, goes to the views and to the ModelLibrary, where the Draw
// page's CLIP box finds it. Its own page rather than a fourth Attention tab: its lesson is contrastive similarity,
// not what a transformer attends to, and its three views need the room.
#pragma once

#include <QWidget>
#include <memory>

#include "controllers/clip_controller.h"
#include "core/page.h"

class ClipSearchPanel;
class ClipSimilarityView;
class ClipTrainControls;
class ClipZeroShotPanel;
class QTabWidget;

class ClipPage : public QWidget, public AppearanceAware {
    Q_OBJECT
public:
    explicit ClipPage(const AppContext& context, QWidget* parent = nullptr);
    void applyAppearance(const Appearance& appearance) override;
    /// "train", "search" or "zeroshot"; false for anything else.
    bool showView(const QString& id);

    ClipController* controller() const { return m_clip; }
    std::shared_ptr<const ClipModel> model() const { return m_model; }
    ClipTrainControls* controls() const { return m_controls; }
    ClipSimilarityView* similarityView() const { return m_similarity; }
    ClipSearchPanel* searchPanel() const { return m_search; }
    ClipZeroShotPanel* zeroShotPanel() const { return m_zeroShot; }
    QTabWidget* views() const { return m_views; }

signals:
    void modelReady();  ///< a trained or opened model is in every view

private:
    void setModel(std::shared_ptr<const ClipModel> model);

    AppContext m_context;
    ClipController* m_clip;
    std::shared_ptr<const ClipModel> m_model;
    QWidget* m_column = nullptr;
    ClipTrainControls* m_controls = nullptr;
    QTabWidget* m_views = nullptr;
    ClipSimilarityView* m_similarity = nullptr;
    ClipSearchPanel* m_search = nullptr;
    ClipZeroShotPanel* m_zeroShot = nullptr;
};
