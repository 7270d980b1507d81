// layer_diagram.cpp — painting of LayerDiagram: coloured boxes by layer kind, shapes on the right.
#include "layer_diagram.h"

#include <QHelpEvent>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

namespace {
constexpr int kArrow = 10;  // vertical gap between boxes, where the arrow is drawn
}

LayerDiagram::LayerDiagram(QWidget* parent) : QWidget(parent) {
    QSizePolicy sp(QSizePolicy::Preferred, QSizePolicy::Preferred);
    sp.setHeightForWidth(true);
    setSizePolicy(sp);
}

void LayerDiagram::setLayers(const QString& inputShape, const QVector<Layer>& layers) {
    m_input = inputShape;
    m_layers = layers;
    updateGeometry();
    update();
}

void LayerDiagram::setDark(bool dark) {
    m_dark = dark;
    update();
}

int LayerDiagram::boxHeight() const { return QFontMetrics(font()).height() + 8; }

int LayerDiagram::heightForWidth(int) const {
    const int n = static_cast<int>(m_layers.size()) + 1;
    return n * boxHeight() + (n - 1) * kArrow + 2;
}

QRect LayerDiagram::boxRect(int index) const {
    return QRect(1, 1 + index * (boxHeight() + kArrow), width() - 2, boxHeight());
}

QColor LayerDiagram::colorFor(const QString& type) const {
    QColor c;
    if (type == QLatin1String("input")) c = QColor(150, 150, 150);
    else if (type.contains(QLatin1String("Linear"))) c = QColor(66, 133, 244);
    else if (type.contains(QLatin1String("Conv"))) c = QColor(52, 168, 83);
    else if (type.contains(QLatin1String("Pool"))) c = QColor(251, 188, 5);
    else if (type.contains(QLatin1String("Norm"))) c = QColor(171, 71, 188);
    else if (type.contains(QLatin1String("Dropout"))) c = QColor(120, 144, 156);
    else if (type.contains(QLatin1String("Flatten"))) c = QColor(141, 110, 99);
    else c = QColor(234, 67, 53);  // activations
    return m_dark ? c.darker(160) : c.lighter(170);
}

void LayerDiagram::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QColor fg = palette().color(QPalette::WindowText);
    const QFontMetrics fm(font());
    const int n = static_cast<int>(m_layers.size()) + 1;
    for (int i = 0; i < n; ++i) {
        const QRect r = boxRect(i);
        const bool input = i == 0;
        const QString type = input ? QStringLiteral("input") : m_layers[i - 1].type;
        const QString shape = input ? m_input : m_layers[i - 1].outputShape;
        p.setPen(QPen(m_dark ? colorFor(type).lighter(180) : colorFor(type).darker(160), 1.2));
        p.setBrush(colorFor(type));
        p.drawRoundedRect(QRectF(r).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5);
        p.setPen(m_dark ? QColor(Qt::white) : QColor(Qt::black));
        QFont bold = font();
        bold.setBold(true);
        p.setFont(bold);
        const QString name = input ? tr("Input") : type;
        p.drawText(r.adjusted(8, 0, -8, 0), Qt::AlignLeft | Qt::AlignVCenter, name);
        p.setFont(font());
        QString right = shape;
        if (!input && m_layers[i - 1].params > 0)
            right = tr("%1 · %2 params").arg(shape, QLocale().toString(m_layers[i - 1].params));
        p.drawText(r.adjusted(8, 0, -8, 0), Qt::AlignRight | Qt::AlignVCenter,
                   fm.elidedText(right, Qt::ElideLeft, r.width() - fm.horizontalAdvance(name) - 30));
        if (i + 1 < n) {  // arrow down to the next box
            const double x = r.center().x();
            const double y0 = r.bottom() + 1, y1 = y0 + kArrow;
            p.setPen(QPen(fg, 1.5));
            p.drawLine(QPointF(x, y0), QPointF(x, y1 - 3));
            QPainterPath head;
            head.moveTo(x, y1);
            head.lineTo(x - 4, y1 - 5);
            head.lineTo(x + 4, y1 - 5);
            head.closeSubpath();
            p.fillPath(head, fg);
        }
    }
}

bool LayerDiagram::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        for (int i = 1; i <= m_layers.size(); ++i)
            if (boxRect(i).contains(help->pos())) {
                const Layer& l = m_layers[i - 1];
                QToolTip::showText(help->globalPos(),
                                   tr("<b>%1</b><br>output %2<br>%3 trainable parameters")
                                       .arg(l.label.toHtmlEscaped(), l.outputShape, QLocale().toString(l.params)),
                                   this, boxRect(i));
                return true;
            }
        QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}
