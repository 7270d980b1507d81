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
        m_scaled.clear();
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
    // The thumbnails are made again at the next paint, at the size they are drawn (once per frame, not per paint:
    // hovering repaints often, and a deep network has hundreds of nodes).
    m_scaled.clear();
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

QImage NetworkDiagram::nodeImage(int flat, bool probability, int side) const {
    if (m_res <= 0 || flat >= m_grids.size()) return {};
    const QVector<float>& g = m_grids[flat];
    if (g.size() != m_res * m_res) return {};
    float scale = 1.0f;
    if (!probability) {
        float m = 0;
        for (float v : g) m = std::max(m, std::abs(v));
        scale = m > 0 ? 1.0f / m : 1.0f;
    }
    // A colour table of the diverging scale (kLevels steps over [-1, 1]) instead of mixing each pixel's colour:
    // a deep network has hundreds of thumbnails, rebuilt every frame.
    constexpr int kLevels = 256;
    if (m_lut.size() != kLevels + 1 || m_lutDark != m_dark) {
        const QColor mid = m_dark ? QColor(0x30, 0x30, 0x34) : QColor(0xf4, 0xf4, 0xf4);
        m_lut.resize(kLevels + 1);
        for (int i = 0; i <= kLevels; ++i) m_lut[i] = planecolors::diverging(2.0 * i / kLevels - 1.0, mid);
        m_lutDark = m_dark;
    }
    auto colour = [&](float v) {
        const float t = std::clamp(probability ? (v - 0.5f) * 2 : v * scale, -1.0f, 1.0f);
        return m_lut[static_cast<int>((t + 1.0f) * (kLevels / 2) + 0.5f)];
    };
    const int out = side > 0 ? side : m_res;
    QImage img(out, out, QImage::Format_RGB32);
    // Sampled straight at the size drawn (bilinear between the grid's cell centres), so painting only copies it.
    const float step = static_cast<float>(m_res) / out;
    for (int r = 0; r < out; ++r) {
        auto* line = reinterpret_cast<QRgb*>(img.scanLine(r));
        const float y = std::clamp((r + 0.5f) * step - 0.5f, 0.0f, m_res - 1.0f);
        const int y0 = static_cast<int>(y), y1 = std::min(y0 + 1, m_res - 1);
        const float fy = y - y0;
        for (int c = 0; c < out; ++c) {
            const float x = std::clamp((c + 0.5f) * step - 0.5f, 0.0f, m_res - 1.0f);
            const int x0 = static_cast<int>(x), x1 = std::min(x0 + 1, m_res - 1);
            const float fx = x - x0;
            const float top = g[y0 * m_res + x0] * (1 - fx) + g[y0 * m_res + x1] * fx;
            const float bottom = g[y1 * m_res + x0] * (1 - fx) + g[y1 * m_res + x1] * fx;
            line[c] = colour(top * (1 - fy) + bottom * fy);
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
    const bool big = edges > 2000;
    p.setRenderHint(QPainter::Antialiasing, !big);
    const QColor background = palette().color(QPalette::Window);
    // A big network: 1 px lines whose shade shows |w|, and only each layer's strongest edges (at most kKeep, and none
    // below 8 % of the largest weight): thousands of 1 px lines between two columns are a solid mesh that hides what
    // matters and costs most of the frame. The lines are gathered by shade (kShades per sign) so that each shade is one
    // drawLines call, not one pen per edge.
    constexpr int kShades = 12;
    constexpr qsizetype kKeep = 256;
    QVector<QLineF> shaded[2][kShades];
    for (int l = 0; l + 1 < cols && l < m_weights.size(); ++l) {
        const QVector<float>& w = m_weights[l];
        const int in = m_sizes[l], out = m_sizes[l + 1];
        if (w.size() != in * out) continue;
        float keepAbove = 0.08f * maxW;
        if (big && w.size() > kKeep) {
            QVector<float> mags(w.size());
            for (qsizetype k = 0; k < w.size(); ++k) mags[k] = std::abs(w[k]);
            std::nth_element(mags.begin(), mags.end() - kKeep, mags.end());
            keepAbove = std::max(keepAbove, *(mags.end() - kKeep));
        }
        for (int o = 0; o < out; ++o) {
            const QRectF& b = rects[l + 1][o];
            for (int i = 0; i < in; ++i) {
                const float v = w[o * in + i];
                const double t = std::abs(v) / maxW;
                const QRectF& a = rects[l][i];
                const QLineF line(QPointF(a.right(), a.center().y()), QPointF(b.left(), b.center().y()));
                if (big) {
                    if (std::abs(v) >= keepAbove) shaded[v >= 0][std::min(kShades - 1, static_cast<int>(t * kShades))].push_back(line);
                    continue;
                }
                // opaque colours mixed with the background (cheaper to draw than translucent ones)
                const QColor c = QColor::fromRgb(planecolors::diverging((v >= 0 ? 1 : -1) * (0.25 + 0.75 * t), background));
                p.setPen(QPen(c, 0.4 + 4.6 * t));
                p.drawLine(line);
            }
        }
    }
    for (int sign = 0; sign < 2; ++sign)
        for (int k = 0; k < kShades; ++k) {
            if (shaded[sign][k].isEmpty()) continue;
            const double t = (k + 0.5) / kShades;
            p.setPen(QPen(QColor::fromRgb(planecolors::diverging((sign ? 1 : -1) * (0.25 + 0.75 * t), background)), 0));
            p.drawLines(shaded[sign][k]);
        }
    // nodes and column titles. The thumbnails are scaled to the nodes' size once per frame and then only copied:
    // drawing hundreds of small images through a smooth transform on every paint is the diagram's largest cost.
    const qreal dpr = devicePixelRatioF();
    const int sidePx = cols > 0 && m_sizes[0] > 0 ? qRound(rects[0][0].width() * dpr) : 0;
    const int nodes = static_cast<int>(m_grids.size());
    const int outputStart = nodes - m_sizes.back();
    if (m_scaledSide != sidePx || m_scaled.size() != nodes) {
        m_scaled.clear();
        for (int i = 0; i < nodes; ++i) {
            QImage thumb = nodeImage(i, i >= outputStart, sidePx);
            thumb.setDevicePixelRatio(dpr);
            m_scaled.push_back(thumb);
        }
        m_scaledSide = sidePx;
    }
    const QFontMetrics fm = fontMetrics();
    for (int c = 0; c < cols; ++c) {
        const bool output = c == cols - 1;
        QString title = c == 0 ? tr("Input") : output ? tr("Output") : tr("Layer %1").arg(c);
        if (c > 0 && !output) title += QStringLiteral(" · %1").arg(m_sizes[c]);
        // many columns: "Layer 3 · 32" would run into its neighbours; "L3" fits (the hover caption says the rest)
        const double gap = cols > 1 ? rects[1][0].center().x() - rects[0][0].center().x() : width();
        if (c > 0 && !output && fm.horizontalAdvance(title) > gap * 0.92) title = tr("L%1").arg(c);
        const QRectF first = nodeRect(c, 0);
        p.setPen(ink);
        p.drawText(QRectF(first.center().x() - 60, 2, 120, fm.height()), Qt::AlignHCenter, title);
        for (int i = 0; i < m_sizes[c]; ++i) {
            const QRectF& r = rects[c][i];
            const int flat = flatIndex(c, i);
            if (flat < m_scaled.size() && !m_scaled[flat].isNull()) p.drawImage(QPointF(qRound(r.x() * dpr) / dpr, qRound(r.y() * dpr) / dpr), m_scaled[flat]);
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
        const QImage img = flat < nodes ? nodeImage(flat, flat >= outputStart) : QImage();  // the grid's own resolution
        if (!img.isNull()) {
            const double side = std::min(220.0, std::min(width(), height()) * 0.55);
            const QRectF n = nodeRect(m_hoverCol, m_hoverIdx);
            double x = n.right() + 12;
            if (x + side > width()) x = n.left() - 12 - side;
            const double y = std::clamp(n.center().y() - side / 2, 0.0, height() - side);
            const QRectF big(x, y, side, side);
            p.fillRect(big.adjusted(-3, -3 - fm.height(), 3, 3), palette().color(QPalette::Window));
            p.setRenderHint(QPainter::SmoothPixmapTransform);
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
