// channel_grid_panel.h — every output channel of one layer as a grid of small maps on one colour scale (so a
// learner can compare channels), the chosen one framed; a flat layer (after Flatten) shows its values as one map.
#pragma once

#include <QVector>
#include <QWidget>

class MapImageView;
class QGridLayout;
class QLabel;

class ChannelGridPanel : public QWidget {
    Q_OBJECT
public:
    explicit ChannelGridPanel(QWidget* parent = nullptr);

    /// channels maps of rows × cols values, channel after channel (row-major each); title names the layer.
    void setMaps(const QString& title, int channels, int rows, int cols, const QVector<float>& values);
    void setSelectedChannel(int channel);
    int channelCount() const { return m_views.size(); }
    MapImageView* channelView(int channel) const { return m_views.value(channel); }
    void setDark(bool dark);

signals:
    void channelClicked(int channel);

private:
    QLabel* m_title = nullptr;
    QWidget* m_gridHost = nullptr;
    QGridLayout* m_grid = nullptr;
    QVector<MapImageView*> m_views;
    bool m_dark = false;
};
