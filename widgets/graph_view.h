// graph_view.h — GraphView: a small computational graph drawn left to right in layers (longest-path layering
// from the inputs, leaves pulled next to their first consumer, barycenter ordering within a layer against
// edge crossings). Op nodes are rounded boxes, tensors are edges with shape labels; the current node has a
// thick accent border and fill, visited nodes are tinted, nodes not yet computed are faded. Plain data in,
// no engine types; for graphs of tens of nodes, not thousands.
#pragma once

#include <QColor>
#include <QHash>
#include <QRectF>
#include <QSet>
#include <QString>
#include <QVector>
#include <QWidget>

class GraphView : public QWidget {
    Q_OBJECT
public:
    struct Node {
        QString id;
        QString label;     // "sigmoid"
        QString sublabel;  // "[4, 2]" or a value
        QString kind;      // "op", "loss", "param", "data"
    };
    struct Edge {
        QString from, to;
        QString label;  // a shape, e.g. "[4, 2]"; empty for none
    };

    explicit GraphView(QWidget* parent = nullptr);

    /// Example: view->setGraph({{"x", "x", "[4, 2]", "data"}, {"op0", "linear", "", "op"}}, {{"x", "op0", "[4, 2]"}});
    void setGraph(const QVector<Node>& nodes, const QVector<Edge>& edges);
    void setCurrent(const QString& id);       ///< highlighted; empty for none
    void setVisited(const QSet<QString>& ids); ///< tinted (already run in the backward pass)
    void setPending(const QSet<QString>& ids); ///< faded (not computed yet in the forward pass)
    void setSublabel(const QString& id, const QString& sublabel);
    void setDark(bool dark);
    void setFontScale(double scale);  ///< 1.5 in presentation mode

    QString current() const { return m_current; }
    const QSet<QString>& visited() const { return m_visited; }
    int nodeCount() const { return static_cast<int>(m_nodes.size()); }
    int nodeCount(const QString& kind) const;
    const QVector<Node>& nodes() const { return m_nodes; }
    const QVector<Edge>& edges() const { return m_edges; }
    int layerOf(const QString& id) const { return m_layer.value(id, -1); }
    int layerCount() const { return static_cast<int>(m_layers.size()); }
    /// Where a node is drawn, in widget coordinates (empty for an unknown id).
    QRectF nodeRect(const QString& id) const;
    /// Number of pairs of edges between adjacent layers that cross (for tests of the ordering).
    int crossings() const;

    QSize minimumSizeHint() const override { return {360, 220}; }
    QSize sizeHint() const override { return {760, 360}; }

signals:
    void nodeClicked(const QString& id);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void computeLayers();
    void computeGeometry() const;
    QFont labelFont(bool bold) const;

    QVector<Node> m_nodes;
    QVector<Edge> m_edges;
    QHash<QString, int> m_index;                // id → position in m_nodes
    QHash<QString, int> m_layer;                // id → layer
    QVector<QVector<int>> m_layers;             // layer → node indices, in drawing order (top to bottom)
    mutable QHash<QString, QRectF> m_rects;     // cached geometry
    mutable bool m_geometryValid = false;
    QString m_current;
    QSet<QString> m_visited, m_pending;
    bool m_dark = false;
    double m_fontScale = 1.0;
    mutable double m_fit = 1.0;  // < 1 when the graph would not fit the widget at m_fontScale
};
