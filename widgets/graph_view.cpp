// graph_view.cpp — layering, barycenter ordering, geometry and painting of GraphView.
#include "graph_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <climits>
#include <cmath>

GraphView::GraphView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(false);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void GraphView::setGraph(const QVector<Node>& nodes, const QVector<Edge>& edges) {
    m_nodes = nodes;
    m_edges = edges;
    m_index.clear();
    for (int i = 0; i < m_nodes.size(); ++i) m_index.insert(m_nodes[i].id, i);
    m_current.clear();
    m_visited.clear();
    m_pending.clear();
    computeLayers();
    m_geometryValid = false;
    update();
}

void GraphView::setCurrent(const QString& id) {
    m_current = id;
    update();
}

void GraphView::setVisited(const QSet<QString>& ids) {
    m_visited = ids;
    update();
}

void GraphView::setPending(const QSet<QString>& ids) {
    m_pending = ids;
    update();
}

void GraphView::setSublabel(const QString& id, const QString& sublabel) {
    if (auto it = m_index.find(id); it != m_index.end()) {
        m_nodes[*it].sublabel = sublabel;
        m_geometryValid = false;
        update();
    }
}

void GraphView::setDark(bool dark) {
    m_dark = dark;
    update();
}

void GraphView::setFontScale(double scale) {
    m_fontScale = scale;
    m_geometryValid = false;
    update();
}

int GraphView::nodeCount(const QString& kind) const {
    return static_cast<int>(std::count_if(m_nodes.begin(), m_nodes.end(), [&](const Node& n) { return n.kind == kind; }));
}

void GraphView::computeLayers() {
    const int n = static_cast<int>(m_nodes.size());
    QVector<QVector<int>> preds(n), succs(n);
    for (const Edge& e : m_edges) {
        const int a = m_index.value(e.from, -1), b = m_index.value(e.to, -1);
        if (a < 0 || b < 0) continue;
        succs[a].push_back(b);
        preds[b].push_back(a);
    }
    // Longest path from the inputs (Kahn's order; a cycle, which a graph from autograd never has, is cut).
    QVector<int> layer(n, 0), indeg(n, 0), order;
    for (int i = 0; i < n; ++i) indeg[i] = static_cast<int>(preds[i].size());
    for (int i = 0; i < n; ++i)
        if (indeg[i] == 0) order.push_back(i);
    for (int k = 0; k < order.size(); ++k)
        for (int s : succs[order[k]]) {
            layer[s] = std::max(layer[s], layer[order[k]] + 1);
            if (--indeg[s] == 0) order.push_back(s);
        }
    // A leaf (a weight, a target) sits just before its first consumer instead of far left.
    for (int i = 0; i < n; ++i)
        if (preds[i].isEmpty() && !succs[i].isEmpty()) {
            int first = INT_MAX;
            for (int s : succs[i]) first = std::min(first, layer[s]);
            layer[i] = std::max(0, first - 1);
        }
    int layers = 0;
    for (int l : layer) layers = std::max(layers, l + 1);
    m_layers = QVector<QVector<int>>(layers);
    m_layer.clear();
    for (int i = 0; i < n; ++i) {
        m_layers[layer[i]].push_back(i);
        m_layer.insert(m_nodes[i].id, layer[i]);
    }
    // Barycenter ordering: sweep right then left a few times, each node moved to the mean position of its
    // neighbours in the other layers (positions normalised to [0, 1] so layers of different size compare).
    auto positions = [&]() {
        QVector<double> pos(n, 0.5);
        for (const auto& l : m_layers)
            for (int k = 0; k < l.size(); ++k) pos[l[k]] = (k + 0.5) / l.size();
        return pos;
    };
    for (int sweep = 0; sweep < 6; ++sweep) {
        const bool forward = sweep % 2 == 0;
        for (int li = 0; li < layers; ++li) {
            const int L = forward ? li : layers - 1 - li;
            QVector<double> pos = positions();
            QVector<std::pair<double, int>> keyed;
            for (int k = 0; k < m_layers[L].size(); ++k) {
                const int v = m_layers[L][k];
                const QVector<int>& nb = forward ? preds[v] : succs[v];
                const QVector<int>& other = forward ? succs[v] : preds[v];
                double sum = 0;
                int cnt = 0;
                for (int u : nb) sum += pos[u], ++cnt;
                if (cnt == 0)
                    for (int u : other) sum += pos[u], ++cnt;
                keyed.push_back({cnt ? sum / cnt : pos[v], k});
            }
            std::stable_sort(keyed.begin(), keyed.end(), [](auto& a, auto& b) { return a.first < b.first; });
            QVector<int> reordered;
            for (auto& [key, k] : keyed) reordered.push_back(m_layers[L][k]);
            m_layers[L] = reordered;
        }
    }
}

int GraphView::crossings() const {
    QHash<int, int> slot;  // node index → position within its layer
    for (const auto& l : m_layers)
        for (int k = 0; k < l.size(); ++k) slot.insert(l[k], k);
    int count = 0;
    for (int a = 0; a < m_edges.size(); ++a)
        for (int b = a + 1; b < m_edges.size(); ++b) {
            const int a0 = m_index.value(m_edges[a].from), a1 = m_index.value(m_edges[a].to);
            const int b0 = m_index.value(m_edges[b].from), b1 = m_index.value(m_edges[b].to);
            const QString& la = m_nodes[a0].id;
            const QString& lb = m_nodes[b0].id;
            if (m_layer.value(la) != m_layer.value(lb) ||
                m_layer.value(m_nodes[a1].id) != m_layer.value(m_nodes[b1].id))
                continue;
            if ((slot[a0] - slot[b0]) * (slot[a1] - slot[b1]) < 0) ++count;
        }
    return count;
}

QFont GraphView::labelFont(bool bold) const {
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * m_fontScale * m_fit * 1.05);
    f.setBold(bold);
    return f;
}

void GraphView::computeGeometry() const {
    if (m_geometryValid) return;
    m_rects.clear();
    // Shrink the text (never below 60 %) until the fullest layer's boxes, with gaps, fit the height and the
    // widest label fits its column.
    m_fit = 1.0;
    for (int iter = 0; iter < 8; ++iter) {
        const QFontMetricsF b(labelFont(true)), pl(labelFont(false));
        const double boxH = b.height() + pl.height() + 16 * m_fontScale * m_fit;
        int most = 1;
        double widest = 0;
        for (const auto& col : m_layers) {
            most = std::max<int>(most, col.size());
            for (int i : col)
                widest = std::max({widest, b.horizontalAdvance(m_nodes[i].label), pl.horizontalAdvance(m_nodes[i].sublabel)});
        }
        const double colW = m_layers.isEmpty() ? width() : (width() - 24.0 * m_fontScale) / m_layers.size();
        const double need = std::max(most * boxH * 1.3 / std::max(1, height() - 24), (widest + 16 * m_fontScale * m_fit) / (colW * 0.72));
        if (need <= 1.0 || m_fit <= 0.6) break;
        m_fit = std::max(0.6, m_fit / std::min(need, 1.25));
    }
    const QFontMetricsF bold(labelFont(true)), plain(labelFont(false));
    const double margin = 12 * m_fontScale;
    const int layers = static_cast<int>(m_layers.size());
    if (layers == 0) {
        m_geometryValid = true;
        return;
    }
    const double colW = (width() - 2 * margin) / layers;
    for (int L = 0; L < layers; ++L) {
        const auto& col = m_layers[L];
        const double rowH = (height() - 2 * margin) / std::max<int>(1, col.size());
        for (int k = 0; k < col.size(); ++k) {
            const Node& nd = m_nodes[col[k]];
            const bool op = nd.kind == "op" || nd.kind == "loss";
            double w = std::max(bold.horizontalAdvance(nd.label), plain.horizontalAdvance(nd.sublabel)) + 16 * m_fontScale;
            w = std::min(w, colW * 0.9);
            const double h = (nd.sublabel.isEmpty() ? bold.height() : bold.height() + plain.height()) + (op ? 16 : 10) * m_fontScale;
            const double cx = margin + colW * (L + 0.5), cy = margin + rowH * (k + 0.5);
            m_rects.insert(nd.id, QRectF(cx - w / 2, cy - h / 2, w, std::min(h, rowH * 0.9)));
        }
    }
    m_geometryValid = true;
}

QRectF GraphView::nodeRect(const QString& id) const {
    computeGeometry();
    return m_rects.value(id);
}

void GraphView::resizeEvent(QResizeEvent* event) {
    m_geometryValid = false;
    QWidget::resizeEvent(event);
}

void GraphView::paintEvent(QPaintEvent*) {
    computeGeometry();
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QColor bg = m_dark ? QColor(0x1e, 0x21, 0x27) : QColor(0xfb, 0xfb, 0xfc);
    const QColor text = m_dark ? QColor(0xee, 0xee, 0xee) : QColor(0x1a, 0x1a, 0x1a);
    const QColor muted = m_dark ? QColor(0xa8, 0xb0, 0xbb) : QColor(0x55, 0x5d, 0x66);
    const QColor edge = m_dark ? QColor(0x8a, 0x93, 0xa0) : QColor(0x7a, 0x82, 0x8c);
    const QColor accent = m_dark ? QColor(0xff, 0xa6, 0x2b) : QColor(0xe0, 0x6c, 0x00);
    const QColor accentFill = m_dark ? QColor(0x5a, 0x3d, 0x12) : QColor(0xff, 0xe2, 0xbf);
    const QColor visitedFill = m_dark ? QColor(0x2f, 0x3f, 0x5c) : QColor(0xd8, 0xe6, 0xff);
    const QColor visitedBorder = m_dark ? QColor(0x6f, 0x9c, 0xff) : QColor(0x2f, 0x6f, 0xe0);
    p.fillRect(rect(), bg);

    // Edges first, under the boxes: a curve from the right side of one box to the left side of the next.
    QFont edgeFont = labelFont(false);
    edgeFont.setPointSizeF(edgeFont.pointSizeF() * 0.85);
    const QFontMetricsF efm(edgeFont);
    for (const Edge& e : m_edges) {
        const QRectF a = m_rects.value(e.from), b = m_rects.value(e.to);
        if (a.isNull() || b.isNull()) continue;
        const QPointF s(a.right(), a.center().y()), t(b.left(), b.center().y());
        const double dx = std::max(20.0, (t.x() - s.x()) * 0.5);
        QPainterPath path(s);
        path.cubicTo(s + QPointF(dx, 0), t - QPointF(dx, 0), t);
        const bool hot = e.to == m_current || e.from == m_current;
        p.setPen(QPen(hot ? accent : edge, (hot ? 2.6 : 1.6) * m_fontScale));
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
        // Arrowhead.
        const double ah = 7 * m_fontScale;
        QPolygonF head({t, t + QPointF(-ah, -ah * 0.55), t + QPointF(-ah, ah * 0.55)});
        p.setBrush(hot ? accent : edge);
        p.drawPolygon(head);
        if (!e.label.isEmpty()) {
            const QPointF mid = path.pointAtPercent(0.5);
            const QRectF lr(mid.x() - efm.horizontalAdvance(e.label) / 2 - 4, mid.y() - efm.height() / 2 - 1,
                            efm.horizontalAdvance(e.label) + 8, efm.height() + 2);
            p.setPen(Qt::NoPen);
            p.setBrush(bg);
            p.drawRoundedRect(lr, 4, 4);
            p.setPen(muted);
            p.setFont(edgeFont);
            p.drawText(lr, Qt::AlignCenter, e.label);
        }
    }

    const QFont boldFont = labelFont(true), plainFont = labelFont(false);
    for (const Node& nd : m_nodes) {
        const QRectF r = m_rects.value(nd.id);
        if (r.isNull()) continue;
        const bool isCurrent = nd.id == m_current, visited = m_visited.contains(nd.id), pending = m_pending.contains(nd.id);
        QColor fill, border = edge;
        if (nd.kind == "param") fill = m_dark ? QColor(0x3b, 0x36, 0x22) : QColor(0xfff3d0);
        else if (nd.kind == "data") fill = m_dark ? QColor(0x2c, 0x30, 0x37) : QColor(0xeceff2);
        else if (nd.kind == "loss") fill = m_dark ? QColor(0x4a, 0x26, 0x2b) : QColor(0xfde0e0);
        else fill = m_dark ? QColor(0x28, 0x2c, 0x34) : QColor(0xffffff);
        double bw = 1.4 * m_fontScale;
        if (visited) {
            fill = visitedFill;
            border = visitedBorder;
            bw = 2.0 * m_fontScale;
        }
        if (isCurrent) {
            fill = accentFill;
            border = accent;
            bw = 4.5 * m_fontScale;
        }
        p.setOpacity(pending && !isCurrent ? 0.35 : 1.0);
        QPen pen(border, bw);
        if (pending) pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        p.setBrush(fill);
        const double radius = (nd.kind == "op" || nd.kind == "loss") ? 10 * m_fontScale : 4 * m_fontScale;
        p.drawRoundedRect(r, radius, radius);
        p.setPen(text);
        const QFontMetricsF bfm(boldFont);
        if (nd.sublabel.isEmpty()) {
            p.setFont(boldFont);
            p.drawText(r, Qt::AlignCenter, bfm.elidedText(nd.label, Qt::ElideRight, r.width() - 6));
        } else {
            const QFontMetricsF pfm(plainFont);
            const double top = r.center().y() - (bfm.height() + pfm.height()) / 2;
            p.setFont(boldFont);
            p.drawText(QRectF(r.left() + 3, top, r.width() - 6, bfm.height()), Qt::AlignCenter,
                       bfm.elidedText(nd.label, Qt::ElideRight, r.width() - 6));
            p.setFont(plainFont);
            p.setPen(isCurrent ? text : muted);
            p.drawText(QRectF(r.left() + 3, top + bfm.height(), r.width() - 6, pfm.height()), Qt::AlignCenter,
                       pfm.elidedText(nd.sublabel, Qt::ElideRight, r.width() - 6));
        }
        p.setOpacity(1.0);
    }
}

void GraphView::mouseReleaseEvent(QMouseEvent* event) {
    computeGeometry();
    for (auto it = m_rects.constBegin(); it != m_rects.constEnd(); ++it)
        if (it.value().contains(event->position())) {
            emit nodeClicked(it.key());
            return;
        }
    QWidget::mouseReleaseEvent(event);
}
