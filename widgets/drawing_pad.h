// drawing_pad.h — DrawingPad: a square canvas to draw on with the mouse, a pen (tablet) or a finger
// (touch): a thick, anti-aliased, round brush of white ink on black, like an MNIST digit. Undo per stroke
// (Ctrl+Z), clear, and imageChanged(QImage) while a stroke is drawn, at most once per frame (16 ms), and
// once more when it ends. An optional overlay image (e.g. a saliency map) is drawn on top. Pure Qt.
#pragma once

#include <QImage>
#include <QPointF>
#include <QRectF>
#include <QTimer>
#include <QVector>
#include <QWidget>

class DrawingPad : public QWidget {
    Q_OBJECT
public:
    struct Stroke {
        QVector<QPointF> points;  // canvas pixels
        double width = 0;         // canvas pixels
    };

    explicit DrawingPad(QWidget* parent = nullptr);

    /// The ink, canvasSize() × canvasSize(), Format_Grayscale8: 0 background, 255 ink.
    QImage image() const { return m_canvas; }
    int canvasSize() const { return m_canvas.width(); }
    void setCanvasSize(int pixels);  ///< clears
    /// The brush diameter as a fraction of the canvas side (default 0.075: about a pen on a 28-px digit).
    void setBrushFraction(double fraction);
    double brushWidth() const { return m_brushFraction * canvasSize(); }
    int strokeCount() const { return static_cast<int>(m_strokes.size()); }
    const QVector<Stroke>& strokes() const { return m_strokes; }

    /// Draws a whole stroke at once (canvas coordinates), as if drawn by hand; width <= 0 uses the brush.
    /// Emits imageChanged once. Example: pad->addStroke({{40, 40}, {200, 200}});
    void addStroke(const QVector<QPointF>& points, double width = 0);
    /// Replaces every stroke at once (one imageChanged).
    void setStrokes(const QVector<Stroke>& strokes);

    /// An image drawn over the ink, stretched onto `canvasRect` (canvas coordinates); a null image removes it.
    void setOverlay(const QImage& overlay, const QRectF& canvasRect);
    bool hasOverlay() const { return !m_overlay.isNull(); }

    /// Widget point → canvas point, and back (the canvas is drawn as the largest centred square).
    QPointF toCanvas(const QPointF& widgetPoint) const;
    QPointF toWidget(const QPointF& canvasPoint) const;

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int w) const override { return w; }
    QSize sizeHint() const override { return {420, 420}; }
    QSize minimumSizeHint() const override { return {160, 160}; }

public slots:
    void clear();
    void undo();  ///< removes the last stroke

signals:
    void imageChanged(const QImage& image);
    void strokeFinished();

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void tabletEvent(QTabletEvent* event) override;
    bool event(QEvent* event) override;  // touch
    void keyPressEvent(QKeyEvent* event) override;

private:
    void beginStroke(const QPointF& widgetPoint);
    void extendStroke(const QPointF& widgetPoint);
    void endStroke();
    void paintSegment(const QPointF& a, const QPointF& b, double width);
    void redrawCanvas();
    void scheduleEmit();
    QRectF canvasRectInWidget() const;

    QImage m_canvas;
    QVector<Stroke> m_strokes;
    bool m_drawing = false;
    double m_brushFraction = 0.075;
    QImage m_overlay;
    QRectF m_overlayRect;
    QTimer m_frameTimer;  // coalesces imageChanged to one per frame while drawing
};
