// main_window.h — MainWindow composes pages and nothing else: a page switcher on the left, the pages in a
// stack (each created the first time it is shown), menus, and a status bar. Page logic lives in pages/.
#pragma once

#include <QMainWindow>
#include <QStringList>
#include <vector>

#include "core/page.h"

class QAction;
class QLabel;
class QListWidget;
class QStackedWidget;
class DrawPage;
class LessonPanel;
class LessonSession;
class QDockWidget;
class QTextBrowser;
class Spotlight;
class FactRegistry;
class ModelLibrary;
class TrainPage;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const AppContext& context, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// The page ids --screenshot accepts, in switcher order ("train", …).
    static QStringList pageIds();
    /// Shows the page `id`, creating it if needed; false for an unknown id.
    bool showPage(const QString& id);
    QString currentPageId() const;
    /// The page `id` if it has been created, else null.
    QWidget* page(const QString& id) const;
    TrainPage* trainPage();  ///< creates the Train page if needed
    DrawPage* drawPage();    ///< creates the Draw page if needed
    ModelLibrary* modelLibrary() const { return m_context.models; }
    FactRegistry* facts() const { return m_context.facts; }
    LessonSession* lessons() const { return m_context.lessons; }
    LessonPanel* lessonPanel() const { return m_lessonPanel; }
    Spotlight* spotlight() const { return m_spotlight; }
    /// Opens lesson `id` at `step` (0-based; -1 resumes) beside the page it uses; false if it cannot.
    bool openLesson(const QString& id, int step = -1);
    /// The step's presenter notes and answer in a window of their own (F10), for a second screen.
    void showPresenterNotes();
    QWidget* presenterNotes() const;

    /// Restyles the app, every created page and its plots; remembered in the settings. Presentation mode
    /// from the menu also goes full screen (fullScreen = false: only the look, as --screenshot wants).
    void setAppearance(const Appearance& appearance, bool fullScreen = true);
    const Appearance& appearance() const { return m_appearance; }
    void setDarkTheme(bool dark);
    void setPresentationMode(bool on);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    static std::vector<PageSpec> pageSpecs();
    void showPageAt(int index);
    void ensurePage(int index);
    void setDataStatus(const QString& text);
    void setDeviceStatus(const QString& text);
    void showAbout();
    void toggleRun();
    void buildMenus();
    void buildLessonDock();
    void refreshPresenterNotes();

    AppContext m_context;
    std::vector<PageSpec> m_specs;
    std::vector<QWidget*> m_pages;  // null until first shown
    QListWidget* m_switcher = nullptr;
    QStackedWidget* m_stack = nullptr;
    QLabel* m_dataStatus = nullptr;
    QLabel* m_threadStatus = nullptr;
    QLabel* m_deviceStatus = nullptr;
    QAction* m_darkAction = nullptr;
    QAction* m_presentationAction = nullptr;
    Appearance m_appearance;
    bool m_wasMaximized = false;
    QDockWidget* m_lessonDock = nullptr;
    LessonPanel* m_lessonPanel = nullptr;
    Spotlight* m_spotlight = nullptr;
    QTextBrowser* m_presenterNotes = nullptr;  // top-level, created on first use
};
