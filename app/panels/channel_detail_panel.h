// channel_detail_panel.h — one channel up close: its map large (click a pixel for its arithmetic), the layer's
// kernels for that channel (one per input channel, blue negative, red positive), the arithmetic of the clicked
// value, and "Top 9": the test images that excite the channel most, found on a background thread with progress.
#pragma once

#include <QVector>
#include <QWidget>

class MapImageView;
class QGridLayout;
class QLabel;
class QProgressBar;
class QPushButton;

class ChannelDetailPanel : public QWidget {
    Q_OBJECT
public:
    explicit ChannelDetailPanel(QWidget* parent = nullptr);

    void setChannelMap(const QString& title, int rows, int cols, const QVector<float>& values);
    /// count kernels of k × k (empty: the layer has none, e.g. a ReLU or a pool).
    void setKernels(int count, int k, const QVector<float>& values);
    void setArithmetic(const QString& html);
    void setTopImages(const QVector<QVector<float>>& images, const QStringList& captions, const QStringList& toolTips = {});
    void clearTopImages(const QString& why = QString());
    void setTopRunning(bool running, qint64 done = 0, qint64 total = 0);
    void setDark(bool dark);

    MapImageView* channelView() const { return m_map; }
    QLabel* arithmeticLabel() const { return m_arithmetic; }
    QPushButton* topButton() const { return m_top; }
    QProgressBar* topProgress() const { return m_progress; }
    int kernelCount() const { return m_kernels.size(); }
    MapImageView* kernelView(int i) const { return m_kernels.value(i); }
    int topImageCount() const { return m_topViews.size(); }
    MapImageView* topImageView(int i) const { return m_topViews.value(i); }

signals:
    void pixelClicked(int row, int col);
    void topRequested();
    void topStopRequested();

private:
    MapImageView* m_map = nullptr;
    QLabel* m_kernelTitle = nullptr;
    QWidget* m_kernelHost = nullptr;
    QGridLayout* m_kernelGrid = nullptr;
    QVector<MapImageView*> m_kernels;
    QLabel* m_arithmetic = nullptr;
    QPushButton* m_top = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_topNote = nullptr;
    QGridLayout* m_topGrid = nullptr;
    QVector<MapImageView*> m_topViews;
    bool m_running = false, m_dark = false;
};
