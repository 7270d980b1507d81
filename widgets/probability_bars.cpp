// probability_bars.cpp — painting of ProbabilityBars.
#include "probability_bars.h"

#include <QPainter>
#include <algorithm>

ProbabilityBars::ProbabilityBars(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void ProbabilityBars::setProbabilities(const QVector<double>& p, const QStringList& labels) {
    m_p = p;
    m_labels = labels;
    update();
}

int ProbabilityBars::topClass() const {
    if (m_p.isEmpty()) return -1;
    return static_cast<int>(std::max_element(m_p.begin(), m_p.end()) - m_p.begin());
}

void ProbabilityBars::setDark(bool dark) {
    m_dark = dark;
    update();
}

QSize ProbabilityBars::sizeHint() const {
    const int rows = std::max<int>(10, static_cast<int>(m_p.size()));
    return {320, rows * (fontMetrics().height() + 8)};
}
QSize ProbabilityBars::minimumSizeHint() const {
    const int rows = std::max<int>(10, static_cast<int>(m_p.size()));
    return {160, rows * (fontMetrics().height() + 2)};  // a label per row, never overlapping its neighbours
}

void ProbabilityBars::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const int n = std::max<int>(10, static_cast<int>(m_p.size()));
    const double rowH = static_cast<double>(height()) / n;
    QFont boldFont = font();
    boldFont.setBold(true);
    const QFontMetrics fm(boldFont);  // the top class is drawn bold: leave room for its wider text
    const int labelW = fm.horizontalAdvance(QStringLiteral("00")) + 10;
    const int pctW = fm.horizontalAdvance(QStringLiteral("100.0 %")) + 10;
    const double barMax = std::max(10, width() - labelW - pctW);
    const int top = topClass();
    const QColor fg = palette().color(QPalette::WindowText);
    const QColor track = m_dark ? QColor(55, 60, 68) : QColor(232, 235, 240);
    const QColor bar = m_dark ? QColor(110, 160, 220) : QColor(120, 150, 190);
    const QColor best = m_dark ? QColor(255, 170, 60) : QColor(230, 110, 0);
    for (int i = 0; i < n; ++i) {
        const QRectF row(0, i * rowH, width(), rowH);
        const double v = i < m_p.size() ? std::clamp(m_p[i], 0.0, 1.0) : 0.0;
        QFont f = font();
        f.setBold(i == top);
        p.setFont(f);
        p.setPen(fg);
        p.drawText(QRectF(0, row.top(), labelW - 6, rowH), Qt::AlignRight | Qt::AlignVCenter,
                   m_labels.value(i, QString::number(i)));
        const QRectF trackRect(labelW, row.top() + rowH * 0.18, barMax, rowH * 0.64);
        p.setPen(Qt::NoPen);
        p.setBrush(track);
        p.drawRoundedRect(trackRect, 3, 3);
        p.setBrush(i == top ? best : bar);
        p.drawRoundedRect(QRectF(trackRect.left(), trackRect.top(), barMax * v, trackRect.height()), 3, 3);
        p.setPen(fg);
        p.drawText(QRectF(labelW + barMax + 6, row.top(), pctW, rowH), Qt::AlignLeft | Qt::AlignVCenter,
                   i < m_p.size() ? QStringLiteral("%1 %").arg(v * 100.0, 0, 'f', 1) : QString());
    }
}
