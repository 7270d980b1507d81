// confusion_gallery.cpp — see confusion_gallery.h.
#include "panels/confusion_gallery.h"

#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

#include "controllers/training_types.h"
#include "image_grid.h"
#include "tools/run_text.h"

ConfusionGallery::ConfusionGallery(QWidget* parent) : QDialog(parent) {
    setObjectName(QStringLiteral("confusionGallery"));
    resize(760, 560);
    auto* v = new QVBoxLayout(this);
    m_title = new QLabel;
    m_title->setWordWrap(true);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    m_grid = new ImageGrid;
    m_grid->setTileSize(84);
    scroll->setWidget(m_grid);
    v->addWidget(m_title);
    v->addWidget(scroll, 1);
}

void ConfusionGallery::showCell(const EvaluationSnapshot& snap, int trueClass, int predicted) {
    using runtext::className;
    using runtext::percent;
    m_row = trueClass;
    m_col = predicted;
    constexpr int kMaxImages = 200;
    QVector<ImageGrid::Item> items;
    qint64 total = 0;
    for (qint64 i = 0; i < snap.count(); ++i) {
        if (snap.labels[static_cast<size_t>(i)] != trueClass || snap.predictions[static_cast<size_t>(i)] != predicted) continue;
        ++total;
        if (items.size() >= kMaxImages) continue;
        ImageGrid::Item it;
        it.image = runtext::digitImage(*snap.images, i);
        it.wrong = trueClass != predicted;
        it.caption = percent(snap.probability(i, predicted), 0);
        it.toolTip = tr("Test image %1: p(%2) = %3, p(%4) = %5")
                         .arg(i)
                         .arg(className(*snap.images, predicted), percent(snap.probability(i, predicted), 1),
                              className(*snap.images, trueClass), percent(snap.probability(i, trueClass), 1));
        items << it;
    }
    const QString t = className(*snap.images, trueClass), p = className(*snap.images, predicted);
    setWindowTitle(tr("True %1, predicted %2").arg(t, p));
    m_title->setText(
        tr("<b>%1 test image(s)</b> of a <b>%2</b> that the network called <b>%3</b> after epoch %4%5. Under each: the "
           "probability it gave to %3.")
            .arg(total)
            .arg(t, p)
            .arg(snap.epoch + 1)
            .arg(total > kMaxImages ? tr(" (the first %1 shown)").arg(kMaxImages) : QString()));
    m_grid->setEmptyText(tr("No test image of a %1 was called %2.").arg(t, p));
    m_grid->setItems(items);
    show();
    raise();
}
