// network_diagram.cpp — see network_diagram.h.
#include "network_diagram.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "plane_colors.h"

NetworkDiagram::NetworkDiagram(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setFocusPolicy(Qt::ClickFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void NetworkDiagram::setNetwork(const QVector<int>& sizes, const QStringList& inputNames) {
    if (sizes != m_sizes) {
        m_grids.clear();
        m_images.clear();
        m_weights.clear();
        m_hoverCol = m_hoverIdx = -1;
    }
    m_sizes = sizes;
    m_inputNames = inputNames;
    update();
}

void NetworkDiagram::setNodeGrids(int res, const QVector<QVector<float>>& grids) {
    m_res = res;
    m_grids = grids.size() == nodeCount() ? grids : QVector<QVector<float>>();
    rebuildImages();
    update();
}

void NetworkDiagram::rebuildImages() {
    // Once per frame, not per paint: hovering repaints often, and a deep network has hundreds of nodes.
    m_images.clear();
    const int n = static_cast<int>(m_grids.size());
    const int outputStart = n - (m_sizes.isEmpty() ? 0 : m_sizes.back());
    for (int i = 0; i < n; ++i) m_images.push_back(nodeImage(i, i >= outputStart));
}

void NetworkDiagram::setWeights(const QVector<QVector<float>>& weights) {
    m_weights = weights.size() == std::max<qsizetype>(0, m_sizes.size() - 1) ? weights : QVector<QVector<float>>();
    update();
}

void NetworkDiagram::setDark(bool dark) {
    m_dark = dark;
    rebuildImages();
    update();
}

int NetworkDiagram::nodeCount() const {
    int n = 0;
    for (int s : m_sizes) n += s;
    return n;
}

int NetworkDiagram::flatIndex(int column, int index) const {
    int n = 0;
    for (int c = 0; c < column; ++c) n += m_sizes[c];
    return n + index;
}

void NetworkDiagram::setHovered(int column, int index) {
    if (column < 0 || column >= m_sizes.size() || index < 0 || index >= m_sizes[column]) column = index = -1;
    if (column == m_hoverCol && index == m_hoverIdx) return;
    m_hoverCol = column;
    m_hoverIdx = index;
    emit nodeHovered(column, index);
    update();
}

QRectF NetworkDiagram::nodeRect(int column, int index) const {
    const int cols = static_cast<int>(m_sizes.size());
    if (cols == 0 || column < 0 || column >= cols) return {};
    const double top = fontMetrics().height() * 2.2, bottom = 8;
    double labelWidth = 0;
    for (const QString& n : m_inputNames) labelWidth = std::max<double>(labelWidth, fontMetrics().horizontalAdvance(n));
    const double left = labelWidth + 16 + 26, right = std::max(fontMetrics().horizontalAdvance(tr("Output")) / 2.0, 26.0) + 8;
    const double colGap = cols > 1 ? (width() - left - right) / (cols - 1) : 0;
    int maxNodes = 1;
    for (int s : m_sizes) maxNodes = std::max(maxNodes, s);
    const double avail = height() - top - bottom;
    const double side = std::clamp(std::min(avail / maxNodes * 0.8, colGap * 0.45), 6.0, 48.0);
    const double pitch = std::min(avail / std::max(1, m_sizes[column]), side * 1.35);
    const double colTop = top + (avail - pitch * m_sizes[column]) / 2;
    const double cx = cols > 1 ? left + column * colGap : width() / 2.0;
    const double cy = colTop + pitch * (index + 0.5);
    return {cx - side / 2, cy - side / 2, side, side};
}

QImage NetworkDiagram::nodeImage(int flat, bool probability) const {
    if (m_res <= 0 || flat >= m_grids.size()) return {};
    const QVector<float>& g = m_grids[flat];
    if (g.size() != m_res * m_res) return {};
    float scale = 1.0f;
    if (!probability) {
        float m = 0;
        for (float v : g) m = std::max(m, std::abs(v));
        scale = m > 0 ? 1.0f / m : 1.0f;
    }
    const QColor mid = m_dark ? QColor(0x30, 0x30, 0x34) : QColor(0xf4, 0xf4, 0xf4);
    QImage img(m_res, m_res, QImage::Format_RGB32);
    for (int r = 0; r < m_res; ++r) {
        auto* line = reinterpret_cast<QRgb*>(img.scanLine(r));
        for (int c = 0; c < m_res; ++c) {
            const float v = g[r * m_res + c];
            line[c] = planecolors::diverging(probability ? (v - 0.5) * 2 : v * scale, mid);
        }
    }
    return img;
}

void NetworkDiagram::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const int cols = static_cast<int>(m_sizes.size());
    const QColor ink = palette().color(QPalette::WindowText);
    if (cols == 0) {
        p.setPen(ink);
        p.drawText(rect(), Qt::AlignCenter, tr("No network yet"));
        return;
    }
    // every node's place, once: nodeRect measures the labels, and a deep network has thousands of edges
    QVector<QVector<QRectF>> rects(cols);
    for (int c = 0; c < cols; ++c)
        for (int i = 0; i < m_sizes[c]; ++i) rects[c].push_back(nodeRect(c, i));
    // edges: thickness ∝ |w| (relative to the largest weight), blue positive, orange negative
    float maxW = 1e-6f;
    for (const auto& w : m_weights)
        for (float v : w) maxW = std::max(maxW, std::abs(v));
    int edges = 0;
    for (int l = 0; l + 1 < cols; ++l) edges += m_sizes[l] * m_sizes[l + 1];
    p.setRenderHint(QPainter::Antialiasing, edges < 2000);
    const QColor background = palette().color(QPalette::Window);
    for (int l = 0; l + 1 < cols && l < m_weights.size(); ++l) {
        const QVector<float>& w = m_weights[l];
        const int in = m_sizes[l], out = m_sizes[l + 1];
        if (w.size() != in * out) continue;
        for (int o = 0; o < out; ++o) {
            const QRectF& b = rects[l + 1][o];
            for (int i = 0; i < in; ++i) {
                const float v = w[o * in + i];
                const double t = std::abs(v) / maxW;
                if (edges > 2000 && t < 0.08) continue;  // a big network: its faintest edges would only be noise
                // opaque colours mixed with the background (cheaper to draw than translucent ones)
                const QColor c = QColor::fromRgb(planecolors::diverging((v >= 0 ? 1 : -1) * (0.25 + 0.75 * t), background));
                p.setPen(edges > 2000 ? QPen(c, 0) : QPen(c, 0.4 + 4.6 * t));  // big: 1 px lines, shade shows |w|
                const QRectF& a = rects[l][i];
                p.drawLine(QPointF(a.right(), a.center().y()), QPointF(b.left(), b.center().y()));
            }
        }
    }
    // nodes and column titles
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    const QFontMetrics fm = fontMetrics();
    for (int c = 0; c < cols; ++c) {
        const bool output = c == cols - 1;
        QString title = c == 0 ? tr("Input") : output ? tr("Output") : tr("Layer %1").arg(c);
        if (c > 0 && !output) title += QStringLiteral(" · %1").arg(m_sizes[c]);
        const QRectF first = nodeRect(c, 0);
        p.setPen(ink);
        p.drawText(QRectF(first.center().x() - 60, 2, 120, fm.height()), Qt::AlignHCenter, title);
        for (int i = 0; i < m_sizes[c]; ++i) {
            const QRectF& r = rects[c][i];
            const int flat = flatIndex(c, i);
            if (flat < m_images.size() && !m_images[flat].isNull()) p.drawImage(r, m_images[flat]);
            else p.fillRect(r, palette().color(QPalette::Base));
            p.setPen(QPen(c == m_hoverCol && i == m_hoverIdx ? ink : palette().color(QPalette::Mid), 1));
            p.setBrush(Qt::NoBrush);
            p.drawRect(r);
            p.setPen(ink);
            if (c == 0 && i < m_inputNames.size())
                p.drawText(QRectF(0, r.top(), r.left() - 4, r.height()), Qt::AlignRight | Qt::AlignVCenter, m_inputNames[i]);
        }
    }
    // the hovered node, large
    if (m_hoverCol >= 0) {
        const int flat = flatIndex(m_hoverCol, m_hoverIdx);
        const QImage img = flat < m_images.size() ? m_images[flat] : QImage();
        if (!img.isNull()) {
            const double side = std::min(220.0, std::min(width(), height()) * 0.55);
            const QRectF n = nodeRect(m_hoverCol, m_hoverIdx);
            double x = n.right() + 12;
            if (x + side > width()) x = n.left() - 12 - side;
            const double y = std::clamp(n.center().y() - side / 2, 0.0, height() - side);
            const QRectF big(x, y, side, side);
            p.fillRect(big.adjusted(-3, -3 - fm.height(), 3, 3), palette().color(QPalette::Window));
            p.drawImage(big, img);
            p.setPen(ink);
            p.drawRect(big);
            const QString what = m_hoverCol == 0 ? (m_hoverIdx < m_inputNames.size() ? m_inputNames[m_hoverIdx] : QString())
                                 : m_hoverCol == cols - 1 ? tr("Output: P(blue)")
                                                          : tr("Layer %1, neuron %2").arg(m_hoverCol).arg(m_hoverIdx + 1);
            p.drawText(QRectF(big.left(), big.top() - fm.height() - 2, big.width(), fm.height()), Qt::AlignLeft, what);
        }
    }
}

void NetworkDiagram::mouseMoveEvent(QMouseEvent* event) {
    for (int c = 0; c < m_sizes.size(); ++c)
        for (int i = 0; i < m_sizes[c]; ++i)
            if (nodeRect(c, i).adjusted(-2, -2, 2, 2).contains(event->position())) return setHovered(c, i);
    setHovered(-1, -1);
}

void NetworkDiagram::leaveEvent(QEvent*) { setHovered(-1, -1); }
