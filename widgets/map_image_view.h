// map_image_view.h — MapImageView: one small 2-D map (a feature map, a convolution kernel, an input picture) drawn
// as square pixels from plain numbers, with an optional title under it. Sequential colours for activations (0 dark
// → bright, scaled to the map's own range or a given one), diverging blue–white–red around 0 for signed data such as
// kernels. A box can be outlined (a receptive field), one pixel marked, the whole view shown as selected; clicks
// report the view (clicked) and the map pixel under the mouse (pixelClicked). No engine types.
#pragma once

#include <QRect>
#include <QString>
#include <QVector>
#include <QWidget>

class MapImageView : public QWidget {
    Q_OBJECT
public:
    explicit MapImageView(QWidget* parent = nullptr);

    /// rows·cols values, row-major. Example: view->setMap(28, 28, pixels);
    void setMap(int rows, int cols, const QVector<float>& values);
    void clear();
    /// Signed data: a diverging scale symmetric around 0 (kernels, weights).
    void setDiverging(bool on);
    /// Colours span [lo, hi] instead of the map's own minimum and maximum (lo < hi), e.g. one scale for a layer.
    void setRange(double lo, double hi);
    void clearRange();
    void setTitle(const QString& title);
    /// Outlines map pixels rows top..bottom, columns left..right (inclusive); an empty QRect removes it.
    void setHighlight(const QRect& cells);
    /// Marks one map pixel (row, col) with a frame; (-1, -1) removes it.
    void setMarkedPixel(int row, int col);
    void setSelected(bool on);
    void setDark(bool dark);
    void setMinimumPixelSize(int px);  ///< the smallest size of one map pixel on screen (default 2)

    int rows() const { return m_rows; }
    int cols() const { return m_cols; }
    float value(int row, int col) const { return m_values.at(row * m_cols + col); }
    bool isSelected() const { return m_selected; }
    QRect highlight() const { return m_highlight; }
    /// Where map pixel (row, col) is drawn, in widget coordinates.
    QRect pixelRect(int row, int col) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return m_rows > 0; }
    int heightForWidth(int width) const override;  ///< the map's aspect, plus the title

signals:
    void clicked();
    void pixelClicked(int row, int col);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    QRect mapRect() const;  // the square area the map is drawn in
    int titleHeight() const;

    int m_rows = 0, m_cols = 0;
    QVector<float> m_values;
    bool m_diverging = false, m_selected = false, m_dark = false, m_fixedRange = false;
    double m_lo = 0, m_hi = 1;
    QString m_title;
    QRect m_highlight;
    int m_markRow = -1, m_markCol = -1;
    int m_minPixel = 2;
};
