// channel_grid_panel.cpp — see channel_grid_panel.h.
#include "panels/channel_grid_panel.h"

#include <QGridLayout>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "map_image_view.h"

ChannelGridPanel::ChannelGridPanel(QWidget* parent) : QWidget(parent) {
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    m_title = new QLabel;
    m_title->setWordWrap(true);
    m_title->setObjectName(QStringLiteral("features.gridTitle"));
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_gridHost = new QWidget;
    m_grid = new QGridLayout(m_gridHost);
    m_grid->setSpacing(4);
    scroll->setWidget(m_gridHost);
    v->addWidget(m_title);
    v->addWidget(scroll, 1);
}

void ChannelGridPanel::setMaps(const QString& title, int channels, int rows, int cols, const QVector<float>& values) {
    m_title->setText(title);
    qDeleteAll(m_views);
    m_views.clear();
    if (channels <= 0 || rows * cols * channels != values.size()) return;
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    const int perRow = channels <= 4 ? channels : channels <= 16 ? 4 : 8;
    for (int c = 0; c < channels; ++c) {
        auto* view = new MapImageView;
        view->setObjectName(QStringLiteral("features.channel%1").arg(c));
        view->setMap(rows, cols, values.mid(c * rows * cols, rows * cols));
        if (*lo < *hi) view->setRange(*lo, *hi);  // one scale for the layer: channels compare
        view->setTitle(channels > 1 ? QString::number(c + 1) : QString());
        view->setDark(m_dark);
        view->setMinimumPixelSize(channels > 16 ? 2 : 3);
        view->setToolTip(tr("Channel %1: click to see it large, its kernels and the images that excite it most.").arg(c + 1));
        connect(view, &MapImageView::clicked, this, [this, c] { emit channelClicked(c); });
        m_grid->addWidget(view, c / perRow, c % perRow);
        m_views << view;
    }
    for (int r = 0; r < m_grid->rowCount(); ++r) m_grid->setRowStretch(r, 0);
    m_grid->setRowStretch((channels - 1) / perRow + 1, 1);  // spare height below the maps, not between them
}

void ChannelGridPanel::setSelectedChannel(int channel) {
    for (int c = 0; c < m_views.size(); ++c) m_views[c]->setSelected(c == channel);
}

void ChannelGridPanel::setDark(bool dark) {
    m_dark = dark;
    for (MapImageView* v : m_views) v->setDark(dark);
}
