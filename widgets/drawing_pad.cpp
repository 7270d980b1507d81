// drawing_pad.cpp — input handling and painting of DrawingPad. Strokes are kept as points, so undo
// simply repaints the canvas from the strokes that remain.
#include "drawing_pad.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QTabletEvent>
#include <QTouchEvent>
#include <algorithm>

DrawingPad::DrawingPad(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_AcceptTouchEvents);
    setFocusPolicy(Qt::StrongFocus);
    setCursor(Qt::CrossCursor);
    QSizePolicy sp(QSizePolicy::Expanding, QSizePolicy::Expanding);
    sp.setHeightForWidth(true);
    setSizePolicy(sp);
    m_frameTimer.setSingleShot(true);
    m_frameTimer.setInterval(16);  // one frame at 60 Hz
    connect(&m_frameTimer, &QTimer::timeout, this, [this] { emit imageChanged(m_canvas); });
    setCanvasSize(280);
    setToolTip(tr("Draw a digit with the mouse, a pen or a finger. Ctrl+Z undoes the last stroke."));
}

void DrawingPad::setCanvasSize(int pixels) {
    m_canvas = QImage(std::max(28, pixels), std::max(28, pixels), QImage::Format_Grayscale8);
    m_strokes.clear();
    m_canvas.fill(0);
    update();
}

void DrawingPad::setBrushFraction(double fraction) { m_brushFraction = std::clamp(fraction, 0.005, 0.5); }

QRectF DrawingPad::canvasRectInWidget() const {
    const double side = std::min(width(), height());
    return QRectF((width() - side) / 2.0, (height() - side) / 2.0, side, side);
}

QPointF DrawingPad::toCanvas(const QPointF& p) const {
    const QRectF r = canvasRectInWidget();
    const double s = canvasSize() / std::max(1.0, r.width());
    return (p - r.topLeft()) * s;
}

QPointF DrawingPad::toWidget(const QPointF& p) const {
    const QRectF r = canvasRectInWidget();
    return r.topLeft() + p * (r.width() / canvasSize());
}

void DrawingPad::paintSegment(const QPointF& a, const QPointF& b, double width) {
    QPainter p(&m_canvas);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(Qt::white, width, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    if (a == b) {
        p.setPen(Qt::NoPen);
        p.setBrush(Qt::white);
        p.drawEllipse(a, width / 2, width / 2);
    } else {
        p.drawLine(a, b);
    }
}

void DrawingPad::redrawCanvas() {
    // Replayed exactly as drawn live (a dot, then one segment per move), so undo restores the very pixels.
    m_canvas.fill(0);
    for (const Stroke& s : m_strokes) {
        if (s.points.isEmpty()) continue;
        paintSegment(s.points[0], s.points[0], s.width);
        for (qsizetype i = 1; i < s.points.size(); ++i) paintSegment(s.points[i - 1], s.points[i], s.width);
    }
    update();
}

void DrawingPad::scheduleEmit() {
    if (!m_frameTimer.isActive()) m_frameTimer.start();
}

void DrawingPad::beginStroke(const QPointF& widgetPoint) {
    m_drawing = true;
    const QPointF c = toCanvas(widgetPoint);
    m_strokes.push_back({{c}, brushWidth()});
    paintSegment(c, c, brushWidth());
    update();
    scheduleEmit();
}

void DrawingPad::extendStroke(const QPointF& widgetPoint) {
    if (!m_drawing || m_strokes.isEmpty()) return;
    Stroke& s = m_strokes.back();
    const QPointF c = toCanvas(widgetPoint);
    const QPointF last = s.points.back();
    s.points.push_back(c);
    paintSegment(last, c, s.width);
    update();
    scheduleEmit();
}

void DrawingPad::endStroke() {
    if (!m_drawing) return;
    m_drawing = false;
    m_frameTimer.stop();
    emit imageChanged(m_canvas);  // the final picture, right away
    emit strokeFinished();
}

void DrawingPad::addStroke(const QVector<QPointF>& points, double width) {
    if (points.isEmpty()) return;
    m_strokes.push_back({points, width > 0 ? width : brushWidth()});
    redrawCanvas();
    emit imageChanged(m_canvas);
}

void DrawingPad::setStrokes(const QVector<Stroke>& strokes) {
    m_strokes = strokes;
    redrawCanvas();
    emit imageChanged(m_canvas);
}

void DrawingPad::clear() {
    m_drawing = false;
    m_strokes.clear();
    m_overlay = QImage();
    redrawCanvas();
    emit imageChanged(m_canvas);
}

void DrawingPad::undo() {
    if (m_strokes.isEmpty()) return;
    m_drawing = false;
    m_strokes.pop_back();
    redrawCanvas();
    emit imageChanged(m_canvas);
}

void DrawingPad::setOverlay(const QImage& overlay, const QRectF& canvasRect) {
    m_overlay = overlay;
    m_overlayRect = canvasRect;
    update();
}

void DrawingPad::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QRectF r = canvasRectInWidget();
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(r, m_canvas);
    if (!m_overlay.isNull()) {
        const QRectF o(toWidget(m_overlayRect.topLeft()), toWidget(m_overlayRect.bottomRight()));
        p.save();
        p.setClipRect(r);
        // Screen blending: white ink stays white and readable, the black background takes the overlay's colour.
        p.setCompositionMode(QPainter::CompositionMode_Screen);
        p.drawImage(o, m_overlay);
        p.restore();
    }
    p.setPen(QPen(palette().color(QPalette::Mid), 2));
    p.setBrush(Qt::NoBrush);
    p.drawRect(r.adjusted(1, 1, -1, -1));
    if (m_strokes.isEmpty()) {
        p.setPen(QColor(150, 150, 150));
        QFont f = font();
        f.setPointSizeF(f.pointSizeF() * 1.3);
        p.setFont(f);
        p.drawText(r, Qt::AlignCenter, tr("Draw a digit here"));
    }
}

void DrawingPad::mousePressEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton) beginStroke(e->position());
}
void DrawingPad::mouseMoveEvent(QMouseEvent* e) {
    if (e->buttons() & Qt::LeftButton) extendStroke(e->position());
}
void DrawingPad::mouseReleaseEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton) {
        extendStroke(e->position());
        endStroke();
    }
}

void DrawingPad::tabletEvent(QTabletEvent* e) {
    switch (e->type()) {
    case QEvent::TabletPress: beginStroke(e->position()); break;
    case QEvent::TabletMove:
        if (e->buttons() & Qt::LeftButton || m_drawing) extendStroke(e->position());
        break;
    case QEvent::TabletRelease: endStroke(); break;
    default: break;
    }
    e->accept();  // no synthesised mouse events: the stroke is drawn once
}

bool DrawingPad::event(QEvent* e) {
    switch (e->type()) {
    case QEvent::TouchBegin:
    case QEvent::TouchUpdate:
    case QEvent::TouchEnd: {
        auto* t = static_cast<QTouchEvent*>(e);
        if (t->points().isEmpty()) return true;
        const QPointF pos = t->points().first().position();  // one finger draws
        if (e->type() == QEvent::TouchBegin) beginStroke(pos);
        else extendStroke(pos);
        if (e->type() == QEvent::TouchEnd) endStroke();
        e->accept();
        return true;
    }
    default: return QWidget::event(e);
    }
}

void DrawingPad::keyPressEvent(QKeyEvent* e) {
    if (e->matches(QKeySequence::Undo)) undo();
    else if (e->key() == Qt::Key_Delete || e->key() == Qt::Key_Backspace) clear();
    else QWidget::keyPressEvent(e);
}
