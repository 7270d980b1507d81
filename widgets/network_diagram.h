// network_diagram.h — NetworkDiagram: a small fully connected network drawn as TensorFlow Playground draws it.
// Each node is a thumbnail heatmap of its output over the plane (orange negative, blue positive, each scaled
// to its own largest value); each edge's thickness is |weight| and its colour the sign (blue +, orange −).
// Hovering a node shows its heatmap large beside it (nodeHovered). Plain numbers in, no engine.
#pragma once

#include <QImage>
#include <QStringList>
#include <QVector>
#include <QWidget>

class NetworkDiagram : public QWidget {
    Q_OBJECT
public:
    explicit NetworkDiagram(QWidget* parent = nullptr);

    /// sizes: nodes per column, inputs first, output last; inputNames label the first column.
    void setNetwork(const QVector<int>& sizes, const QStringList& inputNames);
    /// One res·res grid per node, columns in order (row-major, row 0 at the top of the plane). The last column
    /// holds probabilities in [0, 1] and is drawn around 0.5; the others are drawn around 0.
    void setNodeGrids(int res, const QVector<QVector<float>>& grids);
    /// weights[l]: sizes[l+1] × sizes[l], row-major (out, in), the weights from column l to column l+1.
    void setWeights(const QVector<QVector<float>>& weights);
    void setDark(bool dark);

    const QVector<int>& sizes() const { return m_sizes; }
    int nodeCount() const;
    QRectF nodeRect(int column, int index) const;
    int hoveredColumn() const { return m_hoverCol; }
    int hoveredIndex() const { return m_hoverIdx; }
    /// Hover a node from code (tests, screenshots); (-1, -1) for none.
    void setHovered(int column, int index);

    QSize minimumSizeHint() const override { return {300, 200}; }
    QSize sizeHint() const override { return {640, 420}; }

signals:
    void nodeHovered(int column, int index);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    /// Node `flatIndex`'s grid as a picture, side×side pixels (the grid's own resolution when side is 0).
    QImage nodeImage(int flatIndex, bool probability, int side = 0) const;
    int flatIndex(int column, int index) const;
    void rebuildImages();

    QVector<int> m_sizes;
    QStringList m_inputNames;
    int m_res = 0;
    QVector<QVector<float>> m_grids;
    QVector<QImage> m_scaled;  // one thumbnail per node at its size on screen (made in paintEvent from m_grids)
    int m_scaledSide = 0;
    QVector<QVector<float>> m_weights;
    bool m_dark = false;
    mutable QVector<QRgb> m_lut;  // the diverging scale as a colour table (nodeImage)
    mutable bool m_lutDark = false;
    int m_hoverCol = -1, m_hoverIdx = -1;
};
