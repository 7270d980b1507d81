// patch_attention_view.cpp — painting of PatchAttentionView: picture, heat per patch, grid, title.
#include "patch_attention_view.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

PatchAttentionView::PatchAttentionView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
}

void PatchAttentionView::setImage(const QImage& image) {
    m_image = image;
    update();
}

bool PatchAttentionView::setWeights(int rows, int cols, const QVector<double>& values, QString* error) {
    auto fail = [&](const QString& why) {
        if (error) *error = why;
        return false;
    };
    if (rows <= 0 || cols <= 0) return fail(tr("patch attention: the grid needs at least one row and column; got %1 × %2").arg(rows).arg(cols));
    if (values.size() != static_cast<qsizetype>(rows) * cols)
        return fail(tr("patch attention: a %1 × %2 grid needs %3 weights; got %4").arg(rows).arg(cols).arg(rows * cols).arg(values.size()));
    double mx = 0;
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i]) || values[i] < 0)
            return fail(tr("patch attention: weight %1 is %2; attention weights are finite and ≥ 0").arg(i).arg(values[i]));
        mx = std::max(mx, values[i]);
    }
    m_rows = rows;
    m_cols = cols;
    m_values = values;
    m_max = mx;
    update();
    return true;
}

void PatchAttentionView::clearWeights() {
    m_rows = m_cols = 0;
    m_values.clear();
    m_max = 0;
    update();
}

void PatchAttentionView::setTitle(const QString& title) {
    m_title = title;
    updateGeometry();
    update();
}

void PatchAttentionView::setDark(bool dark) {
    m_dark = dark;
    update();
}

void PatchAttentionView::setFontScale(double scale) {
    m_fontScale = std::clamp(scale, 0.5, 3.0);
    updateGeometry();
    update();
}

double PatchAttentionView::intensity(int row, int col) const {
    if (row < 0 || col < 0 || row >= m_rows || col >= m_cols || m_max <= 0) return 0.0;
    return m_values[row * m_cols + col] / m_max;
}

int PatchAttentionView::titleHeight() const {
    if (m_title.isEmpty()) return 0;
    return QFontMetrics(font()).height() * (m_title.contains(QLatin1Char('\n')) ? 2 : 1) + 4;
}

QRect PatchAttentionView::imageRect() const {
    const int top = titleHeight();
    const int side = std::max(0, std::min(width(), height() - top));
    return QRect((width() - side) / 2, top, side, side);
}

QRect PatchAttentionView::patchRect(int row, int col) const { return patchRect(imageRect(), row, col); }

QRect PatchAttentionView::patchRect(const QRect& r, int row, int col) const {
    if (m_rows <= 0 || m_cols <= 0 || r.isEmpty()) return {};
    const int x0 = r.left() + col * r.width() / m_cols, x1 = r.left() + (col + 1) * r.width() / m_cols;
    const int y0 = r.top() + row * r.height() / m_rows, y1 = r.top() + (row + 1) * r.height() / m_rows;
    return QRect(x0, y0, x1 - x0, y1 - y0);
}

QSize PatchAttentionView::minimumSizeHint() const { return {90, 90 + titleHeight()}; }
QSize PatchAttentionView::sizeHint() const {
    const int side = static_cast<int>(160 * m_fontScale);
    return {side, side + titleHeight()};
}
int PatchAttentionView::heightForWidth(int w) const { return w + titleHeight(); }

void PatchAttentionView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QColor fg = m_dark ? QColor(235, 235, 235) : QColor(25, 25, 25);
    if (!m_title.isEmpty()) {
        p.setPen(fg);
        p.drawText(QRect(0, 0, width(), titleHeight()), Qt::AlignHCenter | Qt::AlignVCenter, m_title);
    }
    const QRect r = imageRect();
    if (r.isEmpty()) return;
    if (!m_image.isNull()) {
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);
        p.drawImage(r, m_image);
        p.fillRect(r, QColor(0, 0, 0, 100));  // the picture a little darker, so the heat stands out against white ink
    } else {
        p.fillRect(r, Qt::black);
    }
    // Heat: transparent at zero, an opaque-ish warm colour at the map's maximum, so the digit shows through.
    for (int row = 0; row < m_rows; ++row)
        for (int col = 0; col < m_cols; ++col) {
            const double t = intensity(row, col);
            const QColor c = QColor::fromRgbF(1.0f, static_cast<float>(0.15 + 0.75 * t), static_cast<float>(0.05 * (1 - t)),
                                              static_cast<float>(0.82 * std::pow(t, 0.8)));
            p.fillRect(patchRect(r, row, col), c);
        }
    p.setPen(QPen(QColor(128, 128, 128, 90), 1));
    for (int i = 1; i < m_cols; ++i) p.drawLine(patchRect(r, 0, i).left(), r.top(), patchRect(r, 0, i).left(), r.bottom());
    for (int i = 1; i < m_rows; ++i) p.drawLine(r.left(), patchRect(r, i, 0).top(), r.right(), patchRect(r, i, 0).top());
    p.setPen(QPen(m_dark ? QColor(120, 120, 120) : QColor(90, 90, 90), 1));
    p.drawRect(r.adjusted(0, 0, -1, -1));
}

bool PatchAttentionView::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QRect image = imageRect();
        for (int row = 0; row < m_rows; ++row)
            for (int col = 0; col < m_cols; ++col)
                if (patchRect(image, row, col).contains(help->pos())) {
                    QToolTip::showText(help->globalPos(),
                                       tr("%1\npatch row %2, column %3: %4 % of the attention")
                                           .arg(m_title).arg(row + 1).arg(col + 1)
                                           .arg(m_values[row * m_cols + col] * 100.0, 0, 'f', 1),
                                       this);
                    return true;
                }
        QToolTip::hideText();
        event->ignore();
        return true;
    }
    return QWidget::event(event);
}
