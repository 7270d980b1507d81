// decision_boundary_view.cpp — see decision_boundary_view.h.
#include "decision_boundary_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>

#include "plane_colors.h"

DecisionBoundaryView::DecisionBoundaryView(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setMouseTracking(false);
}

void DecisionBoundaryView::setExtent(double extent) {
    m_extent = extent > 0 ? extent : 6.0;
    m_pointsLayer = QImage();
    update();
}

void DecisionBoundaryView::setGrid(int res, const QVector<float>& values) {
    if (res <= 0 || values.size() != res * res) {
        m_res = 0;
        m_values.clear();
    } else {
        m_res = res;
        m_values = values;
    }
    rebuildImage();
    update();
}

void DecisionBoundaryView::setPoints(const QVector<PlanePoint>& points) {
    if (points == m_points) return;  // every frame of a training run brings the same points
    m_points = points;
    m_pointsLayer = QImage();
    update();
}

void DecisionBoundaryView::setShowTestPoints(bool on) {
    m_showTest = on;
    m_pointsLayer = QImage();
    update();
}

void DecisionBoundaryView::setDrawMode(bool on) {
    m_drawMode = on;
    setCursor(on ? Qt::CrossCursor : Qt::ArrowCursor);
    update();
}

void DecisionBoundaryView::setDrawLabel(int label) { m_drawLabel = label ? 1 : 0; }

void DecisionBoundaryView::setDark(bool dark) {
    m_dark = dark;
    rebuildImage();
    update();
}

void DecisionBoundaryView::rebuildImage() {
    if (m_res == 0) {
        m_image = QImage();
        return;
    }
    const QColor mid = m_dark ? QColor(0x30, 0x30, 0x34) : QColor(0xf4, 0xf4, 0xf4);
    m_image = QImage(m_res, m_res, QImage::Format_RGB32);
    for (int r = 0; r < m_res; ++r) {
        auto* line = reinterpret_cast<QRgb*>(m_image.scanLine(r));
        for (int c = 0; c < m_res; ++c) line[c] = planecolors::diverging((m_values[r * m_res + c] - 0.5) * 1.6, mid);
    }
}

QRectF DecisionBoundaryView::plotRect() const {
    const double margin = fontMetrics().height() * 1.6;
    const double side = std::max(10.0, std::min(width(), height()) - 2 * margin);
    return {(width() - side) / 2, (height() - side) / 2, side, side};
}

QPointF DecisionBoundaryView::toWidget(double x1, double x2) const {
    const QRectF r = plotRect();
    return {r.left() + (x1 + m_extent) / (2 * m_extent) * r.width(), r.top() + (m_extent - x2) / (2 * m_extent) * r.height()};
}

QPointF DecisionBoundaryView::toPlane(const QPointF& p) const {
    const QRectF r = plotRect();
    return {(p.x() - r.left()) / r.width() * 2 * m_extent - m_extent, m_extent - (p.y() - r.top()) / r.height() * 2 * m_extent};
}

void DecisionBoundaryView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r = plotRect();
    if (!m_image.isNull()) {
        p.setRenderHint(QPainter::SmoothPixmapTransform);
        p.drawImage(r, m_image);
    } else {
        p.fillRect(r, m_dark ? QColor(0x30, 0x30, 0x34) : QColor(0xf4, 0xf4, 0xf4));
    }
    const QColor ink = palette().color(QPalette::WindowText);
    p.setPen(QPen(ink, 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(r);
    // ticks every 2 units, labelled
    const int step = m_extent > 8 ? 4 : 2;
    const QFontMetrics fm = fontMetrics();
    for (int v = -static_cast<int>(m_extent); v <= static_cast<int>(m_extent); v += step) {
        const QPointF bx = toWidget(v, -m_extent), ly = toWidget(-m_extent, v);
        p.drawLine(bx, bx + QPointF(0, 4));
        p.drawLine(ly, ly - QPointF(4, 0));
        const QString t = QString::number(v);
        p.drawText(QRectF(bx.x() - 20, bx.y() + 4, 40, fm.height()), Qt::AlignHCenter | Qt::AlignTop, t);
        p.drawText(QRectF(ly.x() - 46, ly.y() - fm.height() / 2.0, 40, fm.height()), Qt::AlignRight | Qt::AlignVCenter, t);
    }
    p.drawText(QRectF(r.right() + 6, r.bottom() - fm.height(), 40, fm.height()), Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("x₁"));
    p.drawText(QRectF(r.left() - 46, r.top() - fm.height() - 2, 40, fm.height()), Qt::AlignRight, QStringLiteral("x₂"));
    // points: drawn once into a layer, which each frame of a training run then only copies
    const qreal dpr = devicePixelRatioF();
    const QSize layerSize = size() * dpr;
    if (m_pointsLayer.size() != layerSize || m_layerRect != r) {  // r moves with the font too (presentation mode)
        m_layerRect = r;
        m_pointsLayer = QImage(layerSize, QImage::Format_ARGB32_Premultiplied);
        m_pointsLayer.setDevicePixelRatio(dpr);
        m_pointsLayer.fill(Qt::transparent);
        QPainter layer(&m_pointsLayer);
        layer.setRenderHint(QPainter::Antialiasing);
        drawPoints(layer);
    }
    p.drawImage(QPointF(0, 0), m_pointsLayer);
    if (m_drawMode) {
        p.setPen(ink);
        p.drawText(QRectF(r.left(), r.top() - fm.height() - 2, r.width(), fm.height()), Qt::AlignHCenter,
                   tr("Click: add a %1 point · right click: %2").arg(m_drawLabel ? tr("blue") : tr("orange"),
                                                                      m_drawLabel ? tr("orange") : tr("blue")));
    }
}

void DecisionBoundaryView::drawPoints(QPainter& p) const {
    // train with a white rim, test with a dark one
    const QRectF r = plotRect();
    const double radius = std::clamp(r.width() / 110.0, 2.5, 7.0);
    p.setClipRect(r.adjusted(-radius, -radius, radius, radius));
    for (const PlanePoint& pt : m_points) {
        if (pt.test && !m_showTest) continue;
        p.setBrush(pt.label ? planecolors::class1() : planecolors::class0());
        p.setPen(QPen(pt.test ? QColor(0x20, 0x20, 0x20) : QColor(Qt::white), pt.test ? 1.5 : 1.0));
        p.drawEllipse(toWidget(pt.x1, pt.x2), radius, radius);
    }
}

void DecisionBoundaryView::mousePressEvent(QMouseEvent* event) {
    if (!m_drawMode || !plotRect().contains(event->position())) return QWidget::mousePressEvent(event);
    const QPointF q = toPlane(event->position());
    const int label = event->button() == Qt::RightButton ? 1 - m_drawLabel : m_drawLabel;
    emit pointClicked(std::clamp(q.x(), -m_extent, m_extent), std::clamp(q.y(), -m_extent, m_extent), label);
}
