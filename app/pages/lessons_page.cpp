// lessons_page.cpp — see lessons_page.h.
#include "pages/lessons_page.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "core/app_settings.h"
#include "core/theme.h"
#include "lessons/lesson_session.h"

namespace {
QString qs(const std::string& s) { return QString::fromStdString(s); }
}  // namespace

LessonsPage::LessonsPage(const AppContext& context, QWidget* parent)
    : QWidget(parent), m_context(context), m_session(context.lessons) {
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(16, 16, 16, 16);
    v->setSpacing(10);
    m_title = new QLabel;
    m_title->setObjectName(QStringLiteral("lessons.title"));
    m_title->setWordWrap(true);
    v->addWidget(m_title);
    m_problems = new QLabel;
    m_problems->setObjectName(QStringLiteral("lessons.problems"));
    m_problems->setWordWrap(true);
    m_problems->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problems->hide();
    v->addWidget(m_problems);

    m_list = new QTreeWidget;
    m_list->setObjectName(QStringLiteral("lessons.list"));
    m_list->setColumnCount(4);
    m_list->setHeaderLabels({tr("Lesson"), tr("Minutes"), tr("Your progress"), tr("Needs first")});
    m_list->setRootIsDecorated(false);
    m_list->setAlternatingRowColors(true);
    m_list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    v->addWidget(m_list, 1);
    m_detail = new QLabel;
    m_detail->setObjectName(QStringLiteral("lessons.detail"));
    m_detail->setWordWrap(true);
    m_detail->setTextFormat(Qt::RichText);
    v->addWidget(m_detail);

    auto* row = new QHBoxLayout;
    m_start = new QPushButton(tr("Start lesson"));
    m_start->setObjectName(QStringLiteral("lessons.start"));
    m_export = new QPushButton(tr("Export my progress…"));
    m_export->setObjectName(QStringLiteral("lessons.export"));
    m_export->setToolTip(tr("Write a sheet of your lessons, steps, answers, attempts, hints and time (Markdown or JSON) to hand in."));
    row->addWidget(m_start);
    row->addStretch(1);
    row->addWidget(m_export);
    v->addLayout(row);

    connect(m_list, &QTreeWidget::currentItemChanged, this, [this] {
        const QString id = selectedLesson();
        for (const bp::lesson::Lesson& l : m_session->course().lessons) {
            if (qs(l.id) != id) continue;
            QStringList objectives;
            for (const std::string& o : l.objectives) objectives << QStringLiteral("<li>%1</li>").arg(qs(o).toHtmlEscaped());
            m_detail->setText(tr("<b>%1</b> — %2 steps, about %3 minutes. You will:<ul>%4</ul>")
                                  .arg(qs(l.title).toHtmlEscaped()).arg(l.steps.size()).arg(l.minutes).arg(objectives.join(QString())));
            const bp::lesson::LessonProgress* p = m_session->progressOf(id);
            m_start->setText(p && p->current_step > 0 ? tr("Continue at step %1").arg(p->current_step + 1) : tr("Start lesson"));
        }
        m_start->setEnabled(!id.isEmpty());
    });
    connect(m_list, &QTreeWidget::itemActivated, this, [this] { m_start->click(); });
    connect(m_start, &QPushButton::clicked, this, [this] {
        if (!m_session->open(selectedLesson())) QMessageBox::warning(this, tr("Lessons"), m_session->lastError());
    });
    connect(m_export, &QPushButton::clicked, this, [this] {
        const QString dir = m_context.settings ? m_context.settings->lastDirectory() : QString();
        const QString path = QFileDialog::getSaveFileName(this, tr("Export my progress"), dir + QStringLiteral("/my-progress.md"),
                                                          tr("Markdown (*.md);;JSON (*.json)"));
        if (path.isEmpty()) return;
        if (const QString error = exportProgress(path); !error.isEmpty()) QMessageBox::warning(this, tr("Export my progress"), error);
    });
    connect(m_session, &LessonSession::courseReloaded, this, &LessonsPage::refresh);
    connect(m_session, &LessonSession::progressChanged, this, &LessonsPage::refresh);
    connect(m_session, &LessonSession::lessonClosed, this, &LessonsPage::refresh);
    refresh();
}

QString LessonsPage::selectedLesson() const {
    const QTreeWidgetItem* item = m_list->currentItem();
    return item ? item->data(0, Qt::UserRole).toString() : QString();
}

QString LessonsPage::exportProgress(const QString& path) { return m_session->exportProgress(path); }

void LessonsPage::refresh() {
    const bp::lesson::Course& course = m_session->course();
    const double pt = theme::baseFont().pointSizeF() * theme::fontScale(m_context.appearance);
    m_title->setText(QStringLiteral("<span style='font-size:%1pt'><b>%2</b></span><br>%3")
                         .arg(pt * 1.5, 0, 'f', 1)
                         .arg(course.title.empty() ? tr("Lessons") : qs(course.title).toHtmlEscaped())
                         .arg(tr("Each lesson drives the real pages and checks your own results. Pick one and press Start; "
                                 "the lesson opens beside the page it uses.")));
    QStringList problems = m_session->courseErrors();
    if (!m_session->progressError().isEmpty()) problems << m_session->progressError();
    m_problems->setVisible(!problems.isEmpty());
    for (QString& p : problems) p = p.toHtmlEscaped();
    m_problems->setText(QStringLiteral("<span style='color:#d1242f'>%1</span>").arg(problems.join(QStringLiteral("<br>"))));
    const QString selected = selectedLesson();
    m_list->clear();
    for (size_t i = 0; i < course.lessons.size(); ++i) {
        const bp::lesson::Lesson& l = course.lessons[i];
        const bp::lesson::LessonProgress* p = m_session->progressOf(qs(l.id));
        const int passed = p ? p->passed_count() : 0;
        QStringList needs;
        for (const bp::lesson::CourseEntry& e : course.entries)
            if (e.id == l.id)
                for (const std::string& r : e.prerequisites) needs << qs(r);
        auto* item = new QTreeWidgetItem(m_list, {qs(l.title), QString::number(l.minutes),
                                                  p ? tr("%1 of %2 steps passed").arg(passed).arg(l.steps.size()) : tr("not started"),
                                                  needs.join(QStringLiteral(", "))});
        item->setData(0, Qt::UserRole, qs(l.id));
        item->setToolTip(0, qs(l.id));
        if (qs(l.id) == selected || (selected.isEmpty() && i == 0)) m_list->setCurrentItem(item);
    }
    m_start->setEnabled(m_list->currentItem() != nullptr);
}

void LessonsPage::applyAppearance(const Appearance& a) {
    m_context.appearance = a;
    QFont f = theme::baseFont();
    f.setPointSizeF(f.pointSizeF() * theme::fontScale(a));
    m_list->setFont(f);
    refresh();
}
