// map_image_view.cpp — see map_image_view.h.
#include "map_image_view.h"

#include <QImage>
#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

MapImageView::MapImageView(QWidget* parent) : QWidget(parent) {
    QSizePolicy policy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
    setCursor(Qt::PointingHandCursor);
}

void MapImageView::setMap(int rows, int cols, const QVector<float>& values) {
    if (rows <= 0 || cols <= 0 || values.size() != rows * cols) {
        clear();
        return;
    }
    m_rows = rows;
    m_cols = cols;
    m_values = values;
    updateGeometry();
    update();
}

void MapImageView::clear() {
    m_rows = m_cols = 0;
    m_values.clear();
    update();
}

void MapImageView::setDiverging(bool on) {
    m_diverging = on;
    update();
}

void MapImageView::setRange(double lo, double hi) {
    if (!(lo < hi)) return;
    m_fixedRange = true;
    m_lo = lo;
    m_hi = hi;
    update();
}

void MapImageView::clearRange() {
    m_fixedRange = false;
    update();
}

void MapImageView::setTitle(const QString& title) {
    m_title = title;
    updateGeometry();
    update();
}

void MapImageView::setHighlight(const QRect& cells) {
    m_highlight = cells;
    update();
}

void MapImageView::setMarkedPixel(int row, int col) {
    m_markRow = row;
    m_markCol = col;
    update();
}

void MapImageView::setSelected(bool on) {
    m_selected = on;
    update();
}

void MapImageView::setDark(bool dark) {
    m_dark = dark;
    update();
}

void MapImageView::setMinimumPixelSize(int px) {
    m_minPixel = std::max(1, px);
    updateGeometry();
}

int MapImageView::titleHeight() const { return m_title.isEmpty() ? 0 : fontMetrics().height() + 2; }

QSize MapImageView::minimumSizeHint() const {
    const int side = std::max(16, std::max(m_rows, m_cols) * m_minPixel) + 4;
    return {side, side + titleHeight()};
}

QSize MapImageView::sizeHint() const {
    const int side = std::max(48, std::max(m_rows, m_cols) * std::max(m_minPixel, 4)) + 4;
    return {side, side + titleHeight()};
}

int MapImageView::heightForWidth(int width) const {
    if (m_rows == 0) return width;
    return static_cast<int>((width - 4) * double(m_rows) / m_cols) + 4 + titleHeight();
}

QRect MapImageView::mapRect() const {
    if (m_rows == 0) return {};
    const int availW = width() - 4, availH = height() - 4 - titleHeight();
    const double px = std::max(1.0, std::min(availW / double(m_cols), availH / double(m_rows)));
    const int w = static_cast<int>(px * m_cols), h = static_cast<int>(px * m_rows);
    return {(width() - w) / 2, 2, w, h};  // at the top, the title right under it
}

QRect MapImageView::pixelRect(int row, int col) const {
    const QRect r = mapRect();
    if (r.isEmpty()) return {};
    const double px = r.width() / double(m_cols);
    const int x0 = r.left() + static_cast<int>(std::floor(col * px)), x1 = r.left() + static_cast<int>(std::floor((col + 1) * px));
    const int y0 = r.top() + static_cast<int>(std::floor(row * px)), y1 = r.top() + static_cast<int>(std::floor((row + 1) * px));
    return {x0, y0, std::max(1, x1 - x0), std::max(1, y1 - y0)};
}

void MapImageView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QColor bg = m_dark ? QColor(30, 30, 34) : QColor(255, 255, 255);
    const QColor fg = m_dark ? QColor(220, 220, 220) : QColor(40, 40, 40);
    const QColor accent = m_dark ? QColor(90, 200, 255) : QColor(0, 100, 200);
    p.fillRect(rect(), bg);
    if (m_rows > 0) {
        double lo = m_lo, hi = m_hi;
        if (!m_fixedRange) {
            const auto [mn, mx] = std::minmax_element(m_values.begin(), m_values.end());
            lo = *mn;
            hi = *mx;
        }
        const double span = m_diverging ? std::max(std::abs(lo), std::abs(hi)) : hi - lo;
        QImage img(m_cols, m_rows, QImage::Format_RGB32);
        for (int r = 0; r < m_rows; ++r)
            for (int c = 0; c < m_cols; ++c) {
                const double v = m_values[r * m_cols + c];
                QColor col;
                if (m_diverging) {
                    const double t = span > 0 ? std::clamp(v / span, -1.0, 1.0) : 0.0;  // blue < 0 < red
                    const int fade = static_cast<int>(255 * (1 - std::abs(t)));
                    col = t >= 0 ? QColor(255, fade, fade) : QColor(fade, fade, 255);
                } else {
                    // Viridis (dark purple → blue → green → yellow): perceptually ordered, readable in both themes.
                    static const double stops[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
                    const double t = span > 0 ? std::clamp((v - lo) / span, 0.0, 1.0) : 0.0;
                    const int i = std::min(3, static_cast<int>(t * 4));
                    const double f = t * 4 - i;
                    col = QColor(static_cast<int>(stops[i][0] + f * (stops[i + 1][0] - stops[i][0])),
                                 static_cast<int>(stops[i][1] + f * (stops[i + 1][1] - stops[i][1])),
                                 static_cast<int>(stops[i][2] + f * (stops[i + 1][2] - stops[i][2])));
                }
                img.setPixel(c, r, col.rgb());
            }
        const QRect area = mapRect();
        p.drawImage(area, img);
        if (!m_highlight.isEmpty()) {
            const QRect a = pixelRect(m_highlight.top(), m_highlight.left()), b = pixelRect(m_highlight.bottom(), m_highlight.right());
            p.setPen(QPen(QColor(255, 60, 60), 2));
            p.setBrush(Qt::NoBrush);
            p.drawRect(a.united(b).adjusted(0, 0, -1, -1));
        }
        if (m_markRow >= 0 && m_markRow < m_rows && m_markCol >= 0 && m_markCol < m_cols) {
            p.setPen(QPen(QColor(255, 60, 60), 2));
            p.setBrush(Qt::NoBrush);
            p.drawRect(pixelRect(m_markRow, m_markCol).adjusted(-1, -1, 0, 0));
        }
        if (m_selected) {
            p.setPen(QPen(accent, 3));
            p.drawRect(area.adjusted(-2, -2, 1, 1));
        }
    }
    if (!m_title.isEmpty()) {
        p.setPen(fg);
        const int top = m_rows > 0 ? mapRect().bottom() + 3 : height() - titleHeight();
        p.drawText(QRect(0, top, width(), titleHeight()), Qt::AlignCenter, m_title);
    }
}

void MapImageView::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    emit clicked();
    const QRect area = mapRect();
    if (area.contains(event->position().toPoint())) {
        const double px = area.width() / double(m_cols);
        const int col = std::clamp(static_cast<int>((event->position().x() - area.left()) / px), 0, m_cols - 1);
        const int row = std::clamp(static_cast<int>((event->position().y() - area.top()) / px), 0, m_rows - 1);
        emit pixelClicked(row, col);
    }
}
