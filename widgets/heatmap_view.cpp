// heatmap_view.cpp — layout and painting of HeatmapView with QPainter (no plotting library needed).
#include "heatmap_view.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void HeatmapView::setMatrix(int rows, int cols, const QVector<double>& values, const QStringList& rowLabels,
                            const QStringList& colLabels) {
    m_rows = std::max(0, rows);
    m_cols = std::max(0, cols);
    m_values = values;
    m_values.resize(static_cast<qsizetype>(m_rows) * m_cols);
    m_rowLabels = rowLabels;
    m_colLabels = colLabels;
    m_rowSums = QVector<double>(m_rows, 0.0);
    for (int r = 0; r < m_rows; ++r)
        for (int c = 0; c < m_cols; ++c) m_rowSums[r] += m_values[r * m_cols + c];
    update();
}

void HeatmapView::clear() { setMatrix(0, 0, {}, {}, {}); }

void HeatmapView::setNormalized(bool on) {
    if (m_normalized == on) return;
    m_normalized = on;
    update();
    emit normalizedChanged(on);
}

void HeatmapView::setAxisTitles(const QString& rowTitle, const QString& colTitle) {
    m_rowTitle = rowTitle;
    m_colTitle = colTitle;
    update();
}

void HeatmapView::setDark(bool dark) {
    m_dark = dark;
    update();
}

double HeatmapView::value(int row, int col) const {
    if (row < 0 || col < 0 || row >= m_rows || col >= m_cols) return std::nan("");
    return m_values[row * m_cols + col];
}

double HeatmapView::shownValue(int row, int col) const {
    const double v = value(row, col);
    if (!m_normalized || !std::isfinite(v)) return v;
    return m_rowSums[row] > 0 ? v / m_rowSums[row] : 0.0;
}

void HeatmapView::setDiverging(bool on) {
    m_diverging = on;
    update();
}

void HeatmapView::setCellDecimals(int decimals) {
    m_decimals = decimals;
    update();
}

void HeatmapView::setCellDigits(int digits) {
    m_digits = std::max(1, digits);
    update();
}

double HeatmapView::maxShown() const {
    double m = 0;
    for (int r = 0; r < m_rows; ++r)
        for (int c = 0; c < m_cols; ++c) m = std::max(m, m_diverging ? std::abs(shownValue(r, c)) : shownValue(r, c));
    return m > 0 ? m : 1.0;
}

HeatmapView::Layout HeatmapView::computeLayout() const {
    Layout l;
    const QFontMetrics fm(font());
    const int labelW = fm.horizontalAdvance(QStringLiteral("00000")) + fm.height() + 12;  // labels + row title
    const int labelH = fm.height() * 2 + 14;
    const int barW = fm.horizontalAdvance(m_diverging ? QStringLiteral("-0.0000") : QStringLiteral("100 %")) + 34;
    const int availW = width() - labelW - barW - 16;
    const int availH = height() - labelH - 8;
    if (m_rows == 0 || m_cols == 0 || availW <= 0 || availH <= 0) return l;
    l.cell = std::floor(std::min(static_cast<double>(availW) / m_cols, static_cast<double>(availH) / m_rows));
    const int gw = static_cast<int>(l.cell * m_cols), gh = static_cast<int>(l.cell * m_rows);
    l.grid = QRect(labelW, labelH, gw, gh);
    l.colorBar = QRect(l.grid.right() + 16, l.grid.top(), 16, gh);
    return l;
}

QRect HeatmapView::cellRect(int row, int col) const {
    const Layout l = computeLayout();
    if (l.cell <= 0 || row < 0 || col < 0 || row >= m_rows || col >= m_cols) return {};
    return QRect(static_cast<int>(l.grid.left() + col * l.cell), static_cast<int>(l.grid.top() + row * l.cell),
                 static_cast<int>(l.cell), static_cast<int>(l.cell));
}

bool HeatmapView::cellAt(const QPoint& p, int* row, int* col) const {
    const Layout l = computeLayout();
    if (l.cell <= 0 || !l.grid.contains(p)) return false;
    *col = std::min(m_cols - 1, static_cast<int>((p.x() - l.grid.left()) / l.cell));
    *row = std::min(m_rows - 1, static_cast<int>((p.y() - l.grid.top()) / l.cell));
    return true;
}

QString HeatmapView::cellToolTip(int row, int col) const {
    const QString r = m_rowLabels.value(row, QString::number(row));
    const QString c = m_colLabels.value(col, QString::number(col));
    const double v = value(row, col);
    const double frac = m_rowSums.value(row) > 0 ? v / m_rowSums[row] : 0.0;
    return tr("%1 <b>%2</b>, %3 <b>%4</b><br><b>%5</b> (%6 % of row)<br><i>click to see them</i>")
        .arg(m_rowTitle, r, m_colTitle, c)
        .arg(v, 0, 'g', 6)
        .arg(frac * 100.0, 0, 'f', 1);
}

QColor HeatmapView::colorFor(double t) const {
    if (m_diverging) {
        // Blue for negative, red for positive, the background colour at 0.
        t = std::clamp(t, -1.0, 1.0);
        const QColor mid = m_dark ? QColor(40, 44, 52) : QColor(250, 250, 250);
        const QColor end = t < 0 ? (m_dark ? QColor(80, 160, 255) : QColor(33, 102, 172))
                                 : (m_dark ? QColor(255, 110, 90) : QColor(178, 24, 43));
        const double g = std::pow(std::abs(t), 0.7);
        return QColor::fromRgbF(mid.redF() + (end.redF() - mid.redF()) * g, mid.greenF() + (end.greenF() - mid.greenF()) * g,
                                mid.blueF() + (end.blueF() - mid.blueF()) * g);
    }
    // A sequential blue ramp from the background to a deep blue (light) or a bright cyan (dark).
    t = std::clamp(t, 0.0, 1.0);
    const QColor lo = m_dark ? QColor(32, 36, 44) : QColor(247, 251, 255);
    const QColor hi = m_dark ? QColor(90, 200, 255) : QColor(8, 48, 107);
    const double g = std::pow(t, 0.6);  // lift small counts so off-diagonal mistakes are visible
    return QColor::fromRgbF(lo.redF() + (hi.redF() - lo.redF()) * g, lo.greenF() + (hi.greenF() - lo.greenF()) * g,
                            lo.blueF() + (hi.blueF() - lo.blueF()) * g);
}

void HeatmapView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QColor fg = palette().color(QPalette::WindowText);
    QFont f = font();
    p.setFont(f);
    const Layout l = computeLayout();
    if (l.cell <= 0) {
        p.setPen(fg);
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, tr("The confusion matrix appears after the first epoch."));
        return;
    }
    const double maxV = maxShown();
    QFont cellFont = f;
    // As large as a cell comfortably holds ("1000" at 0.42 of the cell height), so counts stay legible on a
    // projector when the grid is small.
    cellFont.setPointSizeF(std::clamp(l.cell * 0.42 * 72.0 / logicalDpiY(), 7.0, f.pointSizeF() * 1.3));
    for (int r = 0; r < m_rows; ++r) {
        for (int c = 0; c < m_cols; ++c) {
            const QRect cr = cellRect(r, c);
            const double v = shownValue(r, c);
            const double t = v / maxV;
            const QColor bg = colorFor(t);
            p.fillRect(cr, bg);
            if (r == c && !m_diverging) {
                p.setPen(QPen(m_dark ? QColor(255, 255, 255, 120) : QColor(0, 0, 0, 90), 1.5));
                p.drawRect(cr.adjusted(1, 1, -1, -1));
            }
            const QString text = m_normalized ? QString::number(v * 100.0, 'f', v >= 0.995 || v == 0 ? 0 : 1)
                                              : m_decimals >= 0 ? QString::number(v, 'f', m_decimals) : QString::number(v, 'g', m_digits);
            if (l.cell >= 18 && (v != 0 || l.cell >= 30)) {
                QFont fit = cellFont;  // shrink long numbers to the cell's width
                const double tw = QFontMetricsF(fit).horizontalAdvance(text);
                if (tw > cr.width() - 4) fit.setPointSizeF(std::max(6.0, fit.pointSizeF() * (cr.width() - 4) / tw));
                p.setFont(fit);
                p.setPen(bg.lightnessF() < 0.5 ? QColor(Qt::white) : QColor(Qt::black));
                p.drawText(cr, Qt::AlignCenter, text);
            }
        }
    }
    p.setFont(f);
    p.setPen(fg);
    const QFontMetrics fm(f);
    // Column labels above, row labels left, titles outside them.
    for (int c = 0; c < m_cols; ++c) {
        const QRect cr = cellRect(0, c);
        p.drawText(QRect(cr.left(), l.grid.top() - fm.height() - 4, cr.width(), fm.height()), Qt::AlignCenter,
                   m_colLabels.value(c));
    }
    for (int r = 0; r < m_rows; ++r) {
        const QRect cr = cellRect(r, 0);
        p.drawText(QRect(fm.height() + 4, cr.top(), l.grid.left() - fm.height() - 10, cr.height()),
                   Qt::AlignRight | Qt::AlignVCenter, m_rowLabels.value(r));
    }
    QFont bold = f;
    bold.setBold(true);
    p.setFont(bold);
    p.drawText(QRect(l.grid.left(), 2, l.grid.width(), fm.height() + 2), Qt::AlignCenter,
               m_colTitle + (m_normalized ? tr("  (% of each row)") : QString()));
    p.save();
    p.translate(2, l.grid.center().y());
    p.rotate(-90);
    p.drawText(QRect(-l.grid.height() / 2, 0, l.grid.height(), fm.height() + 2), Qt::AlignCenter, m_rowTitle);
    p.restore();
    p.setFont(f);

    // Colour bar with its top and bottom values.
    const QRect bar = l.colorBar;
    for (int y = 0; y < bar.height(); ++y) {
        double t = 1.0 - static_cast<double>(y) / std::max(1, bar.height() - 1);
        if (m_diverging) t = 2 * t - 1;  // +max at the top, −max at the bottom
        p.setPen(colorFor(t));
        p.drawLine(bar.left(), bar.top() + y, bar.right(), bar.top() + y);
    }
    p.setPen(fg);
    p.setBrush(Qt::NoBrush);
    p.drawRect(bar);
    const QString top = m_normalized ? QStringLiteral("%1 %").arg(maxV * 100.0, 0, 'f', 0) : QString::number(maxV, 'g', m_digits);
    p.drawText(QPoint(bar.right() + 4, bar.top() + fm.ascent()), top);
    p.drawText(QPoint(bar.right() + 4, bar.bottom()), m_normalized ? QStringLiteral("0 %")
                                                      : m_diverging ? QString::number(-maxV, 'g', m_digits) : QStringLiteral("0"));
}

void HeatmapView::mouseReleaseEvent(QMouseEvent* event) {
    int r = 0, c = 0;
    if (event->button() == Qt::LeftButton && cellAt(event->position().toPoint(), &r, &c)) emit cellClicked(r, c);
    QWidget::mouseReleaseEvent(event);
}

bool HeatmapView::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        int r = 0, c = 0;
        if (cellAt(help->pos(), &r, &c)) QToolTip::showText(help->globalPos(), cellToolTip(r, c), this, cellRect(r, c));
        else QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}
