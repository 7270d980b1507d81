// token_attention_view.cpp — layout, painting and hover of TokenAttentionView (QPainter only).
#include "token_attention_view.h"

#include <QFontDatabase>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

namespace {

constexpr int kMargin = 8;

QColor lerp(const QColor& a, const QColor& b, double t) {
    return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * t),
                            static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * t),
                            static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * t));
}

}  // namespace

TokenAttentionView::TokenAttentionView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

bool TokenAttentionView::setAttention(int n, const QVector<double>& values, const QStringList& tokens, QString* error) {
    auto fail = [&](const QString& why) {
        if (error) *error = why;
        return false;
    };
    if (n < 0) return fail(tr("token attention: the token count must not be negative; got %1").arg(n));
    if (values.size() != static_cast<qsizetype>(n) * n)
        return fail(tr("token attention: %1 tokens need %2 weights (%1 × %1); got %3").arg(n).arg(n * n).arg(values.size()));
    if (tokens.size() != n) return fail(tr("token attention: %1 tokens need %1 labels; got %2").arg(n).arg(tokens.size()));
    for (qsizetype i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]) || values[i] < 0)
            return fail(tr("token attention: weight (%1, %2) is %3; attention weights are finite and ≥ 0")
                            .arg(i / std::max(n, 1)).arg(i % std::max(n, 1)).arg(values[i]));
    m_n = n;
    m_values = values;
    m_tokens = tokens;
    if (m_hovered >= m_n || (m_hovered >= 0 && m_hovered < firstShown())) m_hovered = -1;
    relayout();
    update();
    return true;
}

void TokenAttentionView::clear() {
    m_n = 0;
    m_values.clear();
    m_tokens.clear();
    m_hovered = -1;
    relayout();
    update();
}

void TokenAttentionView::setMaxTokens(int n) {
    m_maxTokens = std::max(1, n);
    relayout();
    update();
}

void TokenAttentionView::setEmptyText(const QString& text) {
    m_emptyText = text;
    update();
}

void TokenAttentionView::setCaption(const QString& caption) {
    m_caption = caption;
    relayout();
    update();
}

void TokenAttentionView::setDark(bool dark) {
    m_dark = dark;
    update();
}

void TokenAttentionView::setFontScale(double scale) {
    m_fontScale = std::clamp(scale, 0.5, 3.0);
    relayout();
    update();
}

double TokenAttentionView::weight(int row, int col) const {
    if (row < 0 || col < 0 || row >= m_n || col >= m_n) return std::nan("");
    return m_values[row * m_n + col];
}

QVector<double> TokenAttentionView::rowWeights(int token) const {
    if (token < 0 || token >= m_n) return {};
    return m_values.mid(static_cast<qsizetype>(token) * m_n, m_n);
}

void TokenAttentionView::setHoveredToken(int token) {
    if (token < firstShown() || token >= m_n) token = -1;
    if (token == m_hovered) return;
    m_hovered = token;
    update();
    emit tokenHovered(token);
}

double TokenAttentionView::shadeOf(int token) const {
    if (m_hovered < 0 || token < firstShown() || token >= m_n) return 0.0;
    double rowMax = 0;
    for (int j = firstShown(); j < m_n; ++j) rowMax = std::max(rowMax, weight(m_hovered, j));
    return rowMax > 0 ? weight(m_hovered, token) / rowMax : 0.0;
}

QRect TokenAttentionView::tokenRect(int token) const {
    const int i = token - firstShown();
    if (i < 0 || i >= m_tokenRects.size()) return {};
    return m_tokenRects[i];
}

QRect TokenAttentionView::cellRect(int row, int col) const {
    const int r = row - firstShown(), c = col - firstShown();
    if (r < 0 || c < 0 || row >= m_n || col >= m_n || m_cell <= 0) return {};
    const int x0 = m_grid.left() + static_cast<int>(std::lround(c * m_cell));
    const int y0 = m_grid.top() + static_cast<int>(std::lround(r * m_cell));
    const int x1 = m_grid.left() + static_cast<int>(std::lround((c + 1) * m_cell));
    const int y1 = m_grid.top() + static_cast<int>(std::lround((r + 1) * m_cell));
    return QRect(QPoint(x0, y0), QPoint(x1 - 1, y1 - 1));
}

QString TokenAttentionView::displayToken(const QString& token) {
    if (token == QLatin1String(" ")) return QStringLiteral("␣");
    if (token == QLatin1String("\n")) return QStringLiteral("↵");
    if (token == QLatin1String("\t")) return QStringLiteral("⇥");
    if (token.isEmpty()) return QStringLiteral("∅");
    return token;
}

void TokenAttentionView::setWindowNote(bool on) {
    m_windowNote = on;
    relayout();
    update();
}

QString TokenAttentionView::captionText() const {
    if (firstShown() == 0 || !m_windowNote) return m_caption;
    const QString window = tr("Showing the last %1 of %2 tokens.").arg(shownCount()).arg(m_n);
    return m_caption.isEmpty() ? window : window + QLatin1Char(' ') + m_caption;
}

QFont TokenAttentionView::tokenFont() const {
    QFont f = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    // The widget's font is the app's, already enlarged in presentation mode: no second scaling here.
    f.setPointSizeF(std::max(9.0, font().pointSizeF() * 1.1));
    return f;
}

QFont TokenAttentionView::labelFont(double cell) const {
    QFont f = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    f.setPixelSize(std::clamp(static_cast<int>(cell * 0.85), 7, static_cast<int>(18 * m_fontScale)));
    return f;
}

// Two arrangements, whichever gives the larger matrix cells: the text on top (token boxes flowing in lines, a
// newline is drawn inline as ↵) with the caption and the square matrix below; or, on a wide widget, the matrix on
// the left at full height with the text and caption in a column on its right. The matrix has a band of labels on
// its left and top and a colour bar on its right.
void TokenAttentionView::relayout() {
    const QRect area = rect().adjusted(kMargin, kMargin, -kMargin, -kMargin);
    const QFontMetrics tfm(tokenFont());
    const QFontMetrics fm(font());
    const int boxH = tfm.height() + 8;
    const int gap = 3;
    const QString caption = captionText();
    auto flow = [&](const QRect& column, QVector<QRect>* rects) {  // returns the bottom of the text
        int x = column.left(), y = column.top();
        for (int i = firstShown(); i < m_n; ++i) {
            const int w = std::max(tfm.horizontalAdvance(displayToken(m_tokens[i])) + 8, boxH * 2 / 3);
            if (x + w > column.right() && x > column.left()) {
                x = column.left();
                y += boxH + gap;
            }
            rects->push_back(QRect(x, y, w, boxH));  // a newline stays inline as ↵: blank lines would waste rows
            x += w + gap;
        }
        return rects->isEmpty() ? column.top() : rects->back().bottom() + 1;
    };
    auto captionHeight = [&](int width) {
        return caption.isEmpty() ? 0 : fm.boundingRect(QRect(0, 0, width, 1000), Qt::TextWordWrap, caption).height() + 6;
    };
    const int m = shownCount();
    const int bar = fm.horizontalAdvance(QStringLiteral("0.25")) + 26;
    // The label band grows with the cell, but a cell of at most 40 px keeps short texts from being huge.
    auto fit = [&](const QRect& box, int* band) {
        *band = static_cast<int>(20 * m_fontScale);
        if (m == 0) return 0.0;
        double cell = std::min((box.width() - *band - bar) / static_cast<double>(m), (box.height() - *band) / static_cast<double>(m));
        cell = std::clamp(cell, 2.0, 40.0 * m_fontScale);
        *band = std::max(*band, static_cast<int>(cell) + 4);
        cell = std::min(cell, std::min((box.width() - *band - bar) / static_cast<double>(m), (box.height() - *band) / static_cast<double>(m)));
        return std::max(cell, 2.0);
    };

    // Stacked.
    QVector<QRect> stackedRects;
    const int stackedBottom = flow(area, &stackedRects);
    const int stackedCaption = captionHeight(area.width());
    const QRect stackedBox(area.left(), stackedBottom + 12 + stackedCaption, area.width(), area.bottom() - (stackedBottom + 12 + stackedCaption));
    int stackedBand = 0;
    const double stackedCell = fit(stackedBox, &stackedBand);

    // Side by side: the text column takes what the full-height matrix leaves, at least a third of the width.
    const int matrixWidth = std::min(area.height() + bar, area.width() * 2 / 3);
    const QRect sideBox(area.left(), area.top(), matrixWidth, area.height());
    int sideBand = 0;
    const double sideCell = fit(sideBox, &sideBand);
    const QRect column(sideBox.right() + 16, area.top(), area.right() - sideBox.right() - 16, area.height());
    QVector<QRect> sideRects;
    const int sideBottom = column.width() > 6 * boxH ? flow(column, &sideRects) : area.bottom() + 1;
    const bool side = m > 0 && sideCell > stackedCell * 1.15 && sideBottom + 12 + captionHeight(column.width()) <= area.bottom();

    if (side) {
        m_tokenRects = sideRects;
        m_textArea = QRect(column.left(), column.top(), column.width(), sideBottom - column.top());
        m_captionHeight = captionHeight(column.width());
        m_cell = sideCell;
        const int sidePx = static_cast<int>(std::lround(sideCell * m));
        m_grid = QRect(sideBox.left() + sideBand, sideBox.top() + sideBand, sidePx, sidePx);
    } else {
        m_tokenRects = stackedRects;
        m_textArea = QRect(area.left(), area.top(), area.width(), stackedBottom - area.top());
        m_captionHeight = stackedCaption;
        m_cell = m > 0 ? stackedCell : 0;
        const int sidePx = static_cast<int>(std::lround(stackedCell * m));
        m_grid = m > 0 ? QRect(stackedBox.left() + stackedBand, stackedBox.top() + stackedBand, sidePx, sidePx) : QRect();
    }
}

void TokenAttentionView::resizeEvent(QResizeEvent*) { relayout(); }

QColor TokenAttentionView::heat(double t) const {
    t = std::clamp(t, 0.0, 1.0);
    // Light: white → yellow → orange → red → wine (YlOrRd). Dark: near-black → purple → red → orange → pale yellow.
    static const QColor light[] = {QColor(255, 255, 255), QColor(254, 224, 144), QColor(253, 141, 60), QColor(215, 25, 28),
                                   QColor(110, 0, 38)};
    static const QColor dark[] = {QColor(36, 36, 44), QColor(88, 36, 140), QColor(196, 58, 98), QColor(249, 142, 40),
                                  QColor(252, 250, 170)};
    const QColor* stops = m_dark ? dark : light;
    const double s = t * 4.0;
    const int i = std::min(3, static_cast<int>(s));
    return lerp(stops[i], stops[i + 1], s - i);
}

void TokenAttentionView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    const QColor bg = m_dark ? QColor(30, 30, 34) : QColor(255, 255, 255);
    const QColor fg = m_dark ? QColor(235, 235, 235) : QColor(25, 25, 25);
    const QColor dim = m_dark ? QColor(150, 150, 150) : QColor(120, 120, 120);
    const QColor accent = m_dark ? QColor(90, 200, 255) : QColor(0, 100, 200);
    p.fillRect(rect(), bg);
    if (m_n == 0) {
        p.setPen(dim);
        p.drawText(rect().adjusted(12, 0, -12, 0), Qt::AlignCenter | Qt::TextWordWrap, m_emptyText);
        return;
    }

    // The text: each token a box, shaded by how much the hovered token attends to it.
    p.setFont(tokenFont());
    const QColor shadeColor = m_dark ? QColor(249, 142, 40) : QColor(230, 90, 20);
    for (int t = firstShown(); t < m_n; ++t) {
        const QRect r = tokenRect(t);
        const double s = shadeOf(t);
        QColor fill = m_dark ? QColor(48, 48, 56) : QColor(242, 242, 246);
        if (m_hovered >= 0 && s > 0) {
            fill = lerp(fill, shadeColor, s * 0.9);
        }
        p.fillRect(r, fill);
        const bool future = m_hovered >= 0 && t > m_hovered;
        p.setPen(future ? dim : (m_hovered >= 0 && s > 0.55 && !m_dark ? QColor(255, 255, 255) : fg));
        p.drawText(r, Qt::AlignCenter, displayToken(m_tokens[t]));
        if (t == m_hovered) {
            p.setPen(QPen(accent, 3));
            p.drawRect(r.adjusted(1, 1, -1, -1));
        }
    }

    const QFontMetrics fm(font());
    if (m_captionHeight > 0) {
        p.setFont(font());
        p.setPen(dim);
        p.drawText(QRect(m_textArea.left(), m_textArea.bottom() + 8, m_textArea.width(), m_captionHeight), Qt::TextWordWrap,
                   captionText());
    }
    if (m_grid.isEmpty()) return;

    // The matrix: rows are the tokens that look, columns the tokens they look at (√ scale: small weights stay visible).
    for (int r = firstShown(); r < m_n; ++r)
        for (int c = firstShown(); c < m_n; ++c) p.fillRect(cellRect(r, c), heat(std::sqrt(weight(r, c))));
    p.setPen(QPen(dim, 1));
    p.drawRect(m_grid.adjusted(0, 0, -1, -1));
    if (m_hovered >= 0) {
        const QRect row = cellRect(m_hovered, firstShown()).united(cellRect(m_hovered, m_n - 1));
        p.setPen(QPen(accent, 2));
        p.drawRect(row.adjusted(-1, -1, 1, 1));
    }

    // Labels: one character per row and column; every other one when the cells are too small to read.
    const QFont lf = labelFont(m_cell);
    p.setFont(lf);
    const int step = m_cell >= 6.5 ? 1 : (m_cell >= 3.5 ? 2 : 4);
    for (int t = firstShown(); t < m_n; ++t) {
        if ((t - firstShown()) % step != 0 && t != m_hovered) continue;
        const QRect rr = cellRect(t, firstShown()), cr = cellRect(firstShown(), t);
        p.setPen(t == m_hovered ? accent : fg);
        const QString label = displayToken(m_tokens[t]);
        p.drawText(QRect(m_grid.left() - static_cast<int>(m_cell) - 6, rr.top(), static_cast<int>(m_cell) + 2, rr.height()),
                   Qt::AlignRight | Qt::AlignVCenter, label);
        p.drawText(QRect(cr.left(), m_grid.top() - static_cast<int>(m_cell) - 6, cr.width(), static_cast<int>(m_cell) + 4),
                   Qt::AlignHCenter | Qt::AlignBottom, label);
    }

    // Colour bar on the √ scale, labelled 0, 0.25 and 1.
    p.setFont(font());
    const int barX = m_grid.right() + 10;
    const QRect bar(barX, m_grid.top(), 12, m_grid.height());
    for (int y = 0; y < bar.height(); ++y) {
        const double t = 1.0 - static_cast<double>(y) / std::max(1, bar.height() - 1);
        p.setPen(heat(t));
        p.drawLine(bar.left(), bar.top() + y, bar.right(), bar.top() + y);
    }
    p.setPen(dim);
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    p.setPen(fg);
    const int tx = bar.right() + 4;
    p.drawText(QPoint(tx, bar.top() + fm.ascent()), QStringLiteral("1"));
    p.drawText(QPoint(tx, bar.top() + bar.height() / 2 + fm.ascent() / 2), QStringLiteral("0.25"));
    p.drawText(QPoint(tx, bar.bottom()), QStringLiteral("0"));
}

void TokenAttentionView::mouseMoveEvent(QMouseEvent* event) {
    const QPoint pos = event->position().toPoint();
    int token = -1;
    for (int t = firstShown(); t < m_n && token < 0; ++t)
        if (tokenRect(t).contains(pos)) token = t;
    if (token < 0 && m_grid.contains(pos) && m_cell > 0)
        token = firstShown() + std::clamp(static_cast<int>((pos.y() - m_grid.top()) / m_cell), 0, shownCount() - 1);
    if (token >= 0) setHoveredToken(token);  // leaving a token for empty space keeps the last one (easier to read)
}

bool TokenAttentionView::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip && m_cell > 0) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QPoint pos = help->pos();
        if (m_grid.contains(pos)) {
            const int r = firstShown() + std::clamp(static_cast<int>((pos.y() - m_grid.top()) / m_cell), 0, shownCount() - 1);
            const int c = firstShown() + std::clamp(static_cast<int>((pos.x() - m_grid.left()) / m_cell), 0, shownCount() - 1);
            QToolTip::showText(help->globalPos(), tr("“%1” (token %2) → “%3” (token %4): %5 %")
                                                       .arg(displayToken(m_tokens[r])).arg(r + 1)
                                                       .arg(displayToken(m_tokens[c])).arg(c + 1)
                                                       .arg(weight(r, c) * 100.0, 0, 'f', 1),
                               this);
            return true;
        }
        QToolTip::hideText();
        event->ignore();
        return true;
    }
    return QWidget::event(event);
}
