// page.h — what every page of the main window receives (AppContext) and how MainWindow lists pages
// (PageSpec). Pages are created lazily, the first time they are shown.
#pragma once

#include <QKeySequence>
#include <QString>
#include <QWidget>
#include <functional>
#include <vector>

class AppSettings;

/// Shared, app-wide inputs for pages. Owned by MainWindow's creator; outlives every page.
struct AppContext {
    QString dataDirOverride;           // --data-dir; empty means BP_DATA_DIR, else the default data dir
    AppSettings* settings = nullptr;   // null: nothing is read from or written to the user's settings
};

struct PageSpec {
    QString id;     // "train" — used by --screenshot and the settings
    QString title;  // "Train" — shown in the page switcher and the View menu
    QString toolTip;
    std::function<QWidget*(const AppContext&)> create;
};
