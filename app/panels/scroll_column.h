// scroll_column.h — the controls column of a tab: a fixed width, scrolling vertically when a small window in
// presentation mode cannot fit it (rather than squeezing its labels until they clip).
#pragma once

#include <QFrame>
#include <QScrollArea>
#include <QVBoxLayout>
#include <QWidget>

inline QScrollArea* scrollColumn(QVBoxLayout* content) {
    auto* host = new QWidget;
    host->setLayout(content);
    content->setContentsMargins(0, 0, 4, 0);
    auto* scroll = new QScrollArea;
    scroll->setWidget(host);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    return scroll;
}
