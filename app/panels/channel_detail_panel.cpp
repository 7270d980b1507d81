// channel_detail_panel.cpp — see channel_detail_panel.h.
#include "panels/channel_detail_panel.h"

#include <QGridLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include "map_image_view.h"

ChannelDetailPanel::ChannelDetailPanel(QWidget* parent) : QWidget(parent) {
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    m_map = new MapImageView;
    m_map->setObjectName(QStringLiteral("features.channelLarge"));
    m_map->setMinimumPixelSize(6);
    m_map->setMaximumSize(340, 370);  // room below for the kernels, the arithmetic and the top 9
    m_map->setToolTip(tr("Click a pixel: its receptive field is outlined on the input and its arithmetic shown below."));
    m_kernelTitle = new QLabel;
    m_kernelHost = new QWidget;
    m_kernelGrid = new QGridLayout(m_kernelHost);
    m_kernelGrid->setContentsMargins(0, 0, 0, 0);
    m_kernelGrid->setSpacing(2);
    m_arithmetic = new QLabel;
    m_arithmetic->setObjectName(QStringLiteral("features.arithmetic"));
    m_arithmetic->setWordWrap(true);
    m_arithmetic->setTextFormat(Qt::RichText);
    m_arithmetic->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_top = new QPushButton(tr("Top 9 test images"));
    m_top->setObjectName(QStringLiteral("features.top"));
    m_top->setToolTip(tr("Runs all 10,000 test images through the network and keeps the 9 where this channel fires "
                         "strongest: what this filter detects."));
    m_progress = new QProgressBar;
    m_progress->setVisible(false);
    m_topNote = new QLabel;
    m_topNote->setWordWrap(true);
    auto* topHost = new QWidget;
    m_topGrid = new QGridLayout(topHost);
    m_topGrid->setContentsMargins(0, 0, 0, 0);
    m_topGrid->setSpacing(2);
    v->addWidget(m_map, 2);
    v->addWidget(m_kernelTitle);
    v->addWidget(m_kernelHost);
    v->addWidget(m_arithmetic);
    v->addWidget(m_top);
    v->addWidget(m_progress);
    v->addWidget(m_topNote);
    v->addWidget(topHost, 2);
    connect(m_map, &MapImageView::pixelClicked, this, &ChannelDetailPanel::pixelClicked);
    connect(m_top, &QPushButton::clicked, this, [this] { emit(m_running ? topStopRequested() : topRequested()); });
}

void ChannelDetailPanel::setChannelMap(const QString& title, int rows, int cols, const QVector<float>& values) {
    m_map->setMap(rows, cols, values);
    m_map->setTitle(title);
    m_map->setMarkedPixel(-1, -1);
}

void ChannelDetailPanel::setKernels(int count, int k, const QVector<float>& values) {
    qDeleteAll(m_kernels);
    m_kernels.clear();
    m_kernelTitle->setVisible(count > 0);
    m_kernelHost->setVisible(count > 0);
    if (count <= 0) return;
    const int shown = std::min(count, 32);
    m_kernelTitle->setText(count == 1 ? tr("Its kernel (%1 × %1; blue negative, red positive):").arg(k)
                                      : tr("Its kernels, one per input channel (%1 × %1; blue negative, red positive)%2:")
                                            .arg(k).arg(count > shown ? tr(", the first %1 of %2").arg(shown).arg(count) : QString()));
    for (int i = 0; i < shown; ++i) {
        auto* view = new MapImageView;
        view->setMap(k, k, values.mid(i * k * k, k * k));
        view->setDiverging(true);
        view->setDark(m_dark);
        view->setMinimumPixelSize(5);
        view->setMaximumSize(64, 64);
        view->setToolTip(tr("Weights applied to input channel %1").arg(i + 1));
        m_kernelGrid->addWidget(view, i / 8, i % 8);
        m_kernels << view;
    }
}

void ChannelDetailPanel::setArithmetic(const QString& html) { m_arithmetic->setText(html); }

void ChannelDetailPanel::setTopImages(const QVector<QVector<float>>& images, const QStringList& captions, const QStringList& toolTips) {
    clearTopImages();
    for (int i = 0; i < images.size(); ++i) {
        auto* view = new MapImageView;
        view->setObjectName(QStringLiteral("features.top%1").arg(i));
        view->setMap(28, 28, images[i]);
        view->setTitle(captions.value(i));
        view->setToolTip(toolTips.value(i));
        view->setMaximumSize(120, 140);
        view->setDark(m_dark);
        m_topGrid->addWidget(view, i / 3, i % 3);
        m_topViews << view;
    }
}

void ChannelDetailPanel::clearTopImages(const QString& why) {
    qDeleteAll(m_topViews);
    m_topViews.clear();
    m_topNote->setText(why);
}

void ChannelDetailPanel::setTopRunning(bool running, qint64 done, qint64 total) {
    m_running = running;
    m_top->setText(running ? tr("Stop") : tr("Top 9 test images"));
    m_progress->setVisible(running);
    if (running) {
        m_progress->setMaximum(static_cast<int>(std::max<qint64>(1, total)));
        m_progress->setValue(static_cast<int>(done));
        m_progress->setFormat(tr("%v of %m test images"));
    }
}

void ChannelDetailPanel::setDark(bool dark) {
    m_dark = dark;
    m_map->setDark(dark);
    for (MapImageView* v : m_kernels) v->setDark(dark);
    for (MapImageView* v : m_topViews) v->setDark(dark);
}
