// page.h — what every page of the main window receives (AppContext) and how MainWindow lists pages
// (PageSpec). Pages are created lazily, the first time they are shown.
#pragma once

#include <QKeySequence>
#include <QString>
#include <QWidget>
#include <functional>
#include <vector>

class AppSettings;
class FactRegistry;
class LessonSession;
class ModelLibrary;

/// How the whole app looks: the light or dark theme, and presentation mode (full screen, text 1.5×,
/// plot lines 2×, high contrast) for a projector.
struct Appearance {
    bool dark = false;
    bool presentation = false;
    bool operator==(const Appearance&) const = default;
};

/// Pages that restyle something themselves (plots, hand-sized fonts) implement this; MainWindow calls it
/// when a page is created and whenever the appearance changes.
class AppearanceAware {
public:
    virtual ~AppearanceAware() = default;
    virtual void applyAppearance(const Appearance& appearance) = 0;
};

/// Shared, app-wide inputs for pages. Owned by MainWindow's creator; outlives every page.
struct AppContext {
    QString dataDirOverride;           // --data-dir; empty means BP_DATA_DIR, else the default data dir
    AppSettings* settings = nullptr;   // null: nothing is read from or written to the user's settings
    Appearance appearance;             // used when settings is null (--theme, --presentation)
    ModelLibrary* models = nullptr;    // models to draw with; MainWindow provides one when this is null
    FactRegistry* facts = nullptr;     // what pages publish for lessons; MainWindow provides one when this is null
    LessonSession* lessons = nullptr;  // the lesson player's state; MainWindow provides one when this is null
    QString lessonsDir;                // --lessons-dir; empty means LessonSession::defaultLessonsDir()
    QString progressPath;              // where lesson progress is kept; empty means none is kept (screenshots, tests)
    QString recoveryPath;              // where a run's last finished epoch is kept until the run ends; empty: nowhere
};

struct PageSpec {
    QString id;     // "train" — used by --screenshot and the settings
    QString title;  // "Train" — shown in the page switcher and the View menu
    QString toolTip;
    std::function<QWidget*(const AppContext&)> create;
};
