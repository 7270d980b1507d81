// clip_page.cpp — the CLIP page's layout and wiring (see clip_page.h).
#include "pages/clip_page.h"

#include <QHBoxLayout>
#include <QTabWidget>
#include <QVBoxLayout>

#include "core/facts.h"
#include "panels/clip_search_panel.h"
#include "panels/clip_similarity_view.h"
#include "panels/clip_train_controls.h"
#include "panels/clip_zero_shot_panel.h"
#include "panels/scroll_column.h"
#include "tools/model_library.h"

ClipPage::ClipPage(const AppContext& context, QWidget* parent)
    : QWidget(parent), m_context(context), m_clip(new ClipController(this)) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(12);
    m_controls = new ClipTrainControls(m_clip, context.dataDirOverride);
    auto* left = new QVBoxLayout;
    left->addWidget(m_controls);
    left->addStretch(1);
    m_column = scrollColumn(left);
    layout->addWidget(m_column);

    m_views = new QTabWidget;
    m_views->setObjectName(QStringLiteral("clip.views"));
    m_similarity = new ClipSimilarityView(m_clip);
    m_search = new ClipSearchPanel;
    m_zeroShot = new ClipZeroShotPanel;
    m_views->addTab(m_similarity, tr("Similarity matrix"));
    m_views->addTab(m_search, tr("Caption search"));
    m_views->addTab(m_zeroShot, tr("Zero-shot per class"));
    layout->addWidget(m_views, 1);

    connect(m_clip, &ClipController::ready, this, [this](std::shared_ptr<const ClipModel> m) { setModel(std::move(m)); });
    connect(m_clip, &ClipController::runningChanged, this, [this](bool running) {
        if (m_context.facts) m_context.facts->set(QStringLiteral("clip.running"), running);
    });
    if (m_context.models && m_context.models->clipModel()) setModel(m_context.models->clipModel());
    applyAppearance(m_context.appearance);
}

void ClipPage::setModel(std::shared_ptr<const ClipModel> model) {
    m_model = std::move(model);
    m_controls->setModel(m_model);
    m_search->setModel(m_model);
    m_zeroShot->setModel(m_model);
    if (m_context.models && m_context.models->clipModel() != m_model) m_context.models->setClipModel(m_model);
    if (m_context.facts && m_model) m_context.facts->set(QStringLiteral("clip.zero_shot_accuracy"), m_model->zeroShot.accuracy);
    emit modelReady();
}

bool ClipPage::showView(const QString& id) {
    if (id == QLatin1String("train")) m_views->setCurrentIndex(0);
    else if (id == QLatin1String("search")) m_views->setCurrentIndex(1);
    else if (id == QLatin1String("zeroshot") || id == QLatin1String("zero-shot")) m_views->setCurrentIndex(2);
    else return false;
    return true;
}

void ClipPage::applyAppearance(const Appearance& a) {
    m_similarity->applyAppearance(a);
    m_search->applyAppearance(a);
    m_zeroShot->applyAppearance(a);
    m_column->setFixedWidth(a.presentation ? 540 : 400);
}
