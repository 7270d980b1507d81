// image_grid.cpp — wrapping layout and painting of ImageGrid.
#include "image_grid.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QResizeEvent>
#include <QToolTip>
#include <algorithm>

namespace {
constexpr int kGap = 10;
const QColor kWrong(220, 40, 40);
}  // namespace

ImageGrid::ImageGrid(QWidget* parent) : QWidget(parent) {
    QSizePolicy sp(QSizePolicy::Expanding, QSizePolicy::Preferred);
    sp.setHeightForWidth(true);
    setSizePolicy(sp);
}

void ImageGrid::setItems(const QVector<Item>& items) {
    m_items = items;
    fitTiles();
    updateGeometry();
    update();
}

void ImageGrid::setTileSize(int pixels) {
    m_tile = std::clamp(pixels, 28, 400);
    updateGeometry();
    update();
}

void ImageGrid::setFitToSize(bool on, int maxTile) {
    m_fit = on;
    m_maxTile = std::max(28, maxTile);
    QSizePolicy sp(QSizePolicy::Expanding, on ? QSizePolicy::Expanding : QSizePolicy::Preferred);
    sp.setHeightForWidth(!on);
    setSizePolicy(sp);
    fitTiles();
}

void ImageGrid::fitTiles() {
    if (!m_fit || m_items.isEmpty() || width() <= 0 || height() <= 0) return;
    const int n = static_cast<int>(m_items.size());
    int tile = m_maxTile;
    for (; tile > 28; tile -= 2) {
        const int cols = std::max(1, (width() - kGap) / (tile + kGap));
        const int rows = (n + cols - 1) / cols;
        if (kGap + rows * (tile + captionHeight() + kGap) <= height()) break;
    }
    if (tile != m_tile) {
        m_tile = tile;
        update();
    }
}

void ImageGrid::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    fitTiles();
}

void ImageGrid::setEmptyText(const QString& text) {
    m_emptyText = text;
    update();
}

int ImageGrid::captionHeight() const { return QFontMetrics(font()).height() + 6; }

int ImageGrid::columnsFor(int width) const { return std::max(1, (width - kGap) / (m_tile + kGap)); }

QRect ImageGrid::itemRect(int index) const {
    const int cols = columnsFor(width());
    const int row = index / cols, col = index % cols;
    return QRect(kGap + col * (m_tile + kGap), kGap + row * (m_tile + captionHeight() + kGap), m_tile,
                 m_tile + captionHeight());
}

int ImageGrid::heightForWidth(int width) const {
    if (m_fit) return -1;
    if (m_items.isEmpty()) return 3 * QFontMetrics(font()).height();
    const int cols = columnsFor(width);
    const int rows = (static_cast<int>(m_items.size()) + cols - 1) / cols;
    return kGap + rows * (m_tile + captionHeight() + kGap);
}

QSize ImageGrid::sizeHint() const {
    const int w = kGap + 8 * (m_tile + kGap);
    return {w, heightForWidth(w)};
}

void ImageGrid::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QColor fg = palette().color(QPalette::WindowText);
    if (m_items.isEmpty()) {
        p.setPen(fg);
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_emptyText);
        return;
    }
    for (int i = 0; i < m_items.size(); ++i) {
        const Item& it = m_items[i];
        const QRect r = itemRect(i);
        const QRect img(r.topLeft(), QSize(m_tile, m_tile));
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);
        p.drawImage(img, it.image);
        p.setPen(QPen(it.wrong ? kWrong : palette().color(QPalette::Mid), it.wrong ? 3 : 1));
        p.setBrush(Qt::NoBrush);
        p.drawRect(img.adjusted(0, 0, -1, -1));
        QFont f = font();
        f.setBold(it.wrong);
        p.setFont(f);
        p.setPen(it.wrong ? kWrong : fg);
        const QRect captionRect(r.left() - kGap / 2, img.bottom() + 2, r.width() + kGap, captionHeight());
        p.drawText(captionRect, Qt::AlignCenter, QFontMetrics(f).elidedText(it.caption, Qt::ElideRight, captionRect.width()));
    }
}

void ImageGrid::mouseReleaseEvent(QMouseEvent* event) {
    for (int i = 0; i < m_items.size(); ++i)
        if (itemRect(i).contains(event->position().toPoint())) emit itemClicked(i);
    QWidget::mouseReleaseEvent(event);
}

bool ImageGrid::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        for (int i = 0; i < m_items.size(); ++i)
            if (itemRect(i).contains(help->pos()) && !m_items[i].toolTip.isEmpty()) {
                QToolTip::showText(help->globalPos(), m_items[i].toolTip, this, itemRect(i));
                return true;
            }
        QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}
