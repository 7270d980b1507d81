// lessons_page.h — LessonsPage: the course as a list — each lesson's title, minutes, objectives, prerequisites
// and the learner's progress (steps passed of all) — with Start / Continue, "Export my progress" (a Markdown or
// JSON sheet a student hands in) and the course's problems (file:line) when a lesson file is broken.
#pragma once

#include <QWidget>

#include "core/page.h"

class LessonSession;
class QLabel;
class QPushButton;
class QTreeWidget;

class LessonsPage : public QWidget, public AppearanceAware {
    Q_OBJECT
public:
    explicit LessonsPage(const AppContext& context, QWidget* parent = nullptr);
    void applyAppearance(const Appearance& a) override;
    QTreeWidget* courseList() const { return m_list; }
    /// The lesson id of the selected row, "" when none.
    QString selectedLesson() const;
    QString exportProgress(const QString& path);

private:
    void refresh();

    AppContext m_context;
    LessonSession* m_session;
    QLabel* m_title = nullptr;
    QLabel* m_problems = nullptr;
    QTreeWidget* m_list = nullptr;
    QLabel* m_detail = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_export = nullptr;
};
