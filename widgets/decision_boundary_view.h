// decision_boundary_view.h — DecisionBoundaryView: the 2-D playground's plane. A heatmap of P(class 1) over
// [-extent, extent]² (orange for class 0, blue for class 1, pale where the network is unsure) with the train
// points (white rim) and test points (dark rim) on it. In draw mode a left click adds a point of the chosen
// class and a right click one of the other class (pointClicked). Plain numbers in, no engine.
#pragma once

#include <QColor>
#include <QImage>
#include <QVector>
#include <QWidget>

class QPainter;

struct PlanePoint {
    double x1 = 0, x2 = 0;
    int label = 0;
    bool test = false;
    bool operator==(const PlanePoint&) const = default;
};

class DecisionBoundaryView : public QWidget {
    Q_OBJECT
public:
    explicit DecisionBoundaryView(QWidget* parent = nullptr);

    void setExtent(double extent);  ///< the plane is [-extent, extent]² (6 by default)
    /// res·res values of P(class 1) in [0, 1], row-major, row 0 at the top (x₂ = +extent). Example:
    /// view->setGrid(2, {0, 1, 1, 0});  — orange top left and bottom right.
    void setGrid(int res, const QVector<float>& values);
    void setPoints(const QVector<PlanePoint>& points);
    void setShowTestPoints(bool on);
    void setDrawMode(bool on);
    void setDrawLabel(int label);  ///< the class a left click adds (0 or 1)
    void setDark(bool dark);

    int gridRes() const { return m_res; }
    const QVector<float>& gridValues() const { return m_values; }
    const QVector<PlanePoint>& points() const { return m_points; }
    bool drawMode() const { return m_drawMode; }
    /// Where plane point (x1, x2) is drawn, and the plane point under widget position p.
    QPointF toWidget(double x1, double x2) const;
    QPointF toPlane(const QPointF& p) const;
    QRectF plotRect() const;

    QSize minimumSizeHint() const override { return {240, 240}; }
    QSize sizeHint() const override { return {480, 480}; }

signals:
    void pointClicked(double x1, double x2, int label);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    void rebuildImage();
    void drawPoints(QPainter& p) const;

    QImage m_pointsLayer;  // the points drawn once (they rarely change while training): dropped when they, the
                           // widget's size or the test-points switch change
    QRectF m_layerRect;    // the plot rectangle it was drawn for

    double m_extent = 6.0;
    int m_res = 0;
    QVector<float> m_values;
    QImage m_image;
    QVector<PlanePoint> m_points;
    bool m_showTest = true, m_drawMode = false, m_dark = false;
    int m_drawLabel = 1;
};
