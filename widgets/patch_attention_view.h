// patch_attention_view.h — PatchAttentionView: a grey picture with a coarse grid of weights laid over it as
// translucent heat (a vision transformer's class-token attention to its 7×7 patches), and a title above.
// Each map is coloured relative to its own largest weight; the tooltip gives the exact share per patch.
// Plain data in: an image and gridRows·gridCols numbers. No engine types.
#pragma once

#include <QImage>
#include <QString>
#include <QVector>
#include <QWidget>

class PatchAttentionView : public QWidget {
    Q_OBJECT
public:
    explicit PatchAttentionView(QWidget* parent = nullptr);

    /// The picture under the grid (any size; drawn square, nearest-neighbour).
    void setImage(const QImage& image);
    /// rows·cols weights, row-major, finite and ≥ 0. Returns false, keeps nothing and sets *error otherwise.
    /// Example: view->setWeights(7, 7, fortyNineValues);
    bool setWeights(int rows, int cols, const QVector<double>& values, QString* error = nullptr);
    void clearWeights();
    void setTitle(const QString& title);
    void setDark(bool dark);
    void setFontScale(double scale);

    int gridRows() const { return m_rows; }
    int gridCols() const { return m_cols; }
    const QVector<double>& weights() const { return m_values; }
    const QString& title() const { return m_title; }
    /// Opacity of the heat over patch (row, col) in [0, 1]: its weight over the map's largest weight.
    double intensity(int row, int col) const;
    QRect imageRect() const;                 ///< where the picture is drawn
    QRect patchRect(int row, int col) const;  ///< one grid cell, widget coordinates

    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int w) const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override;

private:
    int titleHeight() const;
    QRect patchRect(const QRect& image, int row, int col) const;  ///< patchRect with imageRect() computed once by the caller

    QImage m_image;
    int m_rows = 0, m_cols = 0;
    QVector<double> m_values;
    double m_max = 0;
    QString m_title;
    bool m_dark = false;
    double m_fontScale = 1.0;
};
