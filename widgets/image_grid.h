// image_grid.h — ImageGrid: small images in a grid, each with a one-line caption, mistakes framed in red
// (sample predictions, the test images behind a confusion-matrix cell). Plain QImages and strings in;
// the grid wraps to the widget's width and grows in height (put it in a QScrollArea for many items).
#pragma once

#include <QImage>
#include <QString>
#include <QVector>
#include <QWidget>

class ImageGrid : public QWidget {
    Q_OBJECT
public:
    struct Item {
        QImage image;     // drawn scaled to the tile, nearest-neighbour (pixels stay visible)
        QString caption;  // e.g. "7 · 98 %"
        QString toolTip;
        bool wrong = false;  // framed and captioned in red
    };

    explicit ImageGrid(QWidget* parent = nullptr);
    void setItems(const QVector<Item>& items);
    const QVector<Item>& items() const { return m_items; }
    void setTileSize(int pixels);  ///< the image's side; the caption goes below it
    int tileSize() const { return m_tile; }
    void setEmptyText(const QString& text);
    /// Fit: the tile size follows the widget's size so that every item is visible (up to maxTile pixels);
    /// otherwise the grid grows in height (for a QScrollArea).
    void setFitToSize(bool on, int maxTile = 160);

    int columnsFor(int width) const;
    QRect itemRect(int index) const;  ///< image and caption of item `index`
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override;

signals:
    void itemClicked(int index);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;

private:
    int captionHeight() const;
    void fitTiles();
    bool m_fit = false;
    int m_maxTile = 160;
    QVector<Item> m_items;
    int m_tile = 84;
    QString m_emptyText;
};
