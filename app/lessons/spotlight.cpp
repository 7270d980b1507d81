// spotlight.cpp — see spotlight.h.
#include "lessons/spotlight.h"

#include <QEvent>
#include <QPainter>
#include <QPainterPath>
#include <cmath>

Spotlight::Spotlight(QWidget* window) : QWidget(window) {
    setObjectName(QStringLiteral("lessonSpotlight"));
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setAttribute(Qt::WA_NoSystemBackground);
    hide();
    window->installEventFilter(this);
    m_follow.setInterval(200);
    connect(&m_follow, &QTimer::timeout, this, &Spotlight::follow);
}

void Spotlight::setTarget(QWidget* target) {
    m_target = target;
    if (!target) {
        m_follow.stop();
        hide();
        return;
    }
    setGeometry(parentWidget()->rect());
    raise();
    show();
    m_follow.start();
    follow();
    update();
}

QRect Spotlight::targetRect() const {
    if (!m_target || !m_target->isVisible()) return {};
    const QPoint topLeft = m_target->mapTo(parentWidget(), QPoint(0, 0));
    return QRect(topLeft, m_target->size()).adjusted(-6, -6, 6, 6);
}

void Spotlight::follow() {
    if (!m_target) {
        setTarget(nullptr);
        return;
    }
    const QRect r = targetRect();
    if (geometry() != parentWidget()->rect()) setGeometry(parentWidget()->rect());
    if (r != m_lastRect) {
        m_lastRect = r;
        raise();
        update();
    }
}

bool Spotlight::eventFilter(QObject* watched, QEvent* event) {
    if (watched == parentWidget() && (event->type() == QEvent::Resize || event->type() == QEvent::LayoutRequest) && m_target) follow();
    return QWidget::eventFilter(watched, event);
}

void Spotlight::paintEvent(QPaintEvent*) {
    const QRect target = targetRect();
    if (target.isEmpty()) return;
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    QPainterPath dim;
    dim.addRect(rect());
    QPainterPath hole;
    hole.addRoundedRect(target, 8, 8);
    if (m_keepClear && m_keepClear->isVisible())
        hole.addRect(QRect(m_keepClear->mapTo(parentWidget(), QPoint(0, 0)), m_keepClear->size()));
    p.fillPath(dim.subtracted(hole), QColor(0, 0, 0, m_dark ? 150 : 110));

    const QColor ring(255, 160, 0);
    p.setPen(QPen(ring, 4));
    p.setBrush(Qt::NoBrush);
    p.drawRoundedRect(target, 8, 8);

    // An arrow from a side with room for it, never over the lesson panel: left, above, below, then right.
    const QRect clear = m_keepClear && m_keepClear->isVisible()
                            ? QRect(m_keepClear->mapTo(parentWidget(), QPoint(0, 0)), m_keepClear->size())
                            : QRect();
    const QPoint c = target.center();
    QPointF tip, tail;
    if (target.left() > 120) {
        tip = QPointF(target.left() - 6, c.y());
        tail = tip + QPointF(-90, -50);
    } else if (target.top() > 90) {
        tip = QPointF(c.x(), target.top() - 6);
        tail = tip + QPointF(-50, -70);
    } else if (target.bottom() < height() - 90) {
        tip = QPointF(c.x(), target.bottom() + 6);
        tail = tip + QPointF(-50, 70);
    } else {
        tip = QPointF(target.right() + 6, c.y());
        tail = tip + QPointF(90, -50);
    }
    if (clear.contains(tail.toPoint())) tail = tip + (tip - tail);  // mirrored away from the panel
    p.setPen(QPen(ring, 6, Qt::SolidLine, Qt::RoundCap));
    p.drawLine(tail, tip);
    const double angle = std::atan2(tip.y() - tail.y(), tip.x() - tail.x());
    QPolygonF head;
    head << tip << tip - QPointF(std::cos(angle - 0.45) * 22, std::sin(angle - 0.45) * 22)
         << tip - QPointF(std::cos(angle + 0.45) * 22, std::sin(angle + 0.45) * 22);
    p.setPen(Qt::NoPen);
    p.setBrush(ring);
    p.drawPolygon(head);
}
