// heatmap_view.h — HeatmapView: a matrix drawn as coloured cells (a confusion matrix, an attention map)
// from plain data: row-major values, row and column labels. Counts or row-normalised fractions, a colour
// bar, values written in the cells, a tooltip per cell, and cellClicked(row, col). No engine types.
#pragma once

#include <QColor>
#include <QStringList>
#include <QVector>
#include <QWidget>

class HeatmapView : public QWidget {
    Q_OBJECT
public:
    explicit HeatmapView(QWidget* parent = nullptr);

    /// values: rows·cols numbers, row-major. Example: view->setMatrix(3, 3, {5,1,0, 0,7,2, 1,0,9}, labels, labels);
    void setMatrix(int rows, int cols, const QVector<double>& values, const QStringList& rowLabels,
                   const QStringList& colLabels);
    void clear();
    /// Row-normalised: each cell divided by its row's sum (a confusion matrix then shows recall per class).
    void setNormalized(bool on);
    bool normalized() const { return m_normalized; }
    void setAxisTitles(const QString& rowTitle, const QString& colTitle);
    void setDark(bool dark);
    /// Signed data (gradients, weights): a diverging blue–white–red scale around 0, no diagonal frame.
    void setDiverging(bool on);
    /// Significant digits of the numbers written in the cells (6 by default).
    void setCellDigits(int digits);
    /// Fixed decimals instead (cosine similarities: 0.83, -0.05, 0.00); a negative number goes back to digits.
    void setCellDecimals(int decimals);

    int rows() const { return m_rows; }
    int cols() const { return m_cols; }
    double value(int row, int col) const;       ///< the raw value
    double shownValue(int row, int col) const;  ///< what the cell shows (raw, or normalised by its row)
    QRect cellRect(int row, int col) const;     ///< where the cell is drawn, in widget coordinates
    QString cellToolTip(int row, int col) const;

    QSize minimumSizeHint() const override { return {260, 240}; }
    QSize sizeHint() const override { return {520, 480}; }

signals:
    void cellClicked(int row, int col);
    void normalizedChanged(bool on);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;

private:
    struct Layout {
        QRect grid, colorBar;
        double cell = 0;
    };
    Layout computeLayout() const;
    QColor colorFor(double t) const;  // t in [0, 1]
    double maxShown() const;
    bool cellAt(const QPoint& p, int* row, int* col) const;

    int m_rows = 0, m_cols = 0;
    QVector<double> m_values;
    QVector<double> m_rowSums;
    QStringList m_rowLabels, m_colLabels;
    QString m_rowTitle = tr("true class"), m_colTitle = tr("predicted class");
    bool m_normalized = false;
    bool m_dark = false;
    bool m_diverging = false;
    int m_digits = 6;
    int m_decimals = -1;
};
