// main_window.cpp — page registry, lazy creation, menus and the status bar.
#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QThread>

#include "app_settings.h"
#include "bp/train/trainer.h"
#include "pages/train_page.h"

std::vector<PageSpec> MainWindow::pageSpecs() {
    // One row per page; later issues add Draw, Backprop, Attention and Benchmarks here.
    return {
        {QStringLiteral("train"), QObject::tr("Train"),
         QObject::tr("Train a network on MNIST and watch the loss fall"),
         [](const AppContext& c) -> QWidget* { return new TrainPage(c); }},
    };
}

QStringList MainWindow::pageIds() {
    QStringList ids;
    for (const PageSpec& s : pageSpecs()) ids << s.id;
    return ids;
}

MainWindow::MainWindow(const AppContext& context, QWidget* parent)
    : QMainWindow(parent), m_context(context), m_specs(pageSpecs()), m_pages(m_specs.size(), nullptr) {
    setWindowTitle(tr("Backprop Studio"));

    m_switcher = new QListWidget;
    m_switcher->setObjectName(QStringLiteral("pageSwitcher"));
    m_switcher->setFixedWidth(150);
    m_switcher->setSpacing(2);
    QFont switcherFont = m_switcher->font();
    switcherFont.setPointSizeF(switcherFont.pointSizeF() * 1.2);
    m_switcher->setFont(switcherFont);
    m_stack = new QStackedWidget;
    for (const PageSpec& s : m_specs) {
        auto* item = new QListWidgetItem(s.title, m_switcher);
        item->setToolTip(s.toolTip);
        item->setSizeHint(QSize(0, 40));
        m_stack->addWidget(new QWidget);  // placeholder until the page is first shown
    }
    connect(m_switcher, &QListWidget::currentRowChanged, this, &MainWindow::showPageAt);

    auto* central = new QWidget;
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_switcher);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < static_cast<int>(m_specs.size()); ++i) {
        QAction* a = view->addAction(m_specs[i].title);
        if (i < 9) a->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(a, &QAction::triggered, this, [this, i] { showPageAt(i); });
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about = help->addAction(tr("&About Backprop Studio"));
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);

    const int cores = QThread::idealThreadCount();
    const int threads = bp::train::TrainConfig{}.threads;
    m_threadStatus = new QLabel(tr("CPU: %1 cores, training on %2 thread(s)").arg(cores).arg(threads > 0 ? threads : cores));
    m_dataStatus = new QLabel(tr("MNIST: checking…"));
    for (QLabel* l : {m_dataStatus, m_threadStatus}) l->setContentsMargins(12, 0, 12, 0);
    statusBar()->addPermanentWidget(m_dataStatus);
    statusBar()->addPermanentWidget(m_threadStatus);

    if (m_context.settings) {
        const QByteArray geometry = m_context.settings->windowGeometry();
        if (!geometry.isEmpty()) restoreGeometry(geometry);
        else resize(1400, 900);
    } else {
        resize(1400, 900);
    }
    const QString last = m_context.settings ? m_context.settings->lastPage() : QString();
    if (!showPage(last)) showPageAt(0);
}

MainWindow::~MainWindow() = default;

bool MainWindow::showPage(const QString& id) {
    for (int i = 0; i < static_cast<int>(m_specs.size()); ++i) {
        if (m_specs[i].id == id) {
            showPageAt(i);
            return true;
        }
    }
    return false;
}

QString MainWindow::currentPageId() const {
    const int i = m_stack->currentIndex();
    return i >= 0 && i < static_cast<int>(m_specs.size()) ? m_specs[i].id : QString();
}

QWidget* MainWindow::page(const QString& id) const {
    for (int i = 0; i < static_cast<int>(m_specs.size()); ++i)
        if (m_specs[i].id == id) return m_pages[i];
    return nullptr;
}

TrainPage* MainWindow::trainPage() {
    for (int i = 0; i < static_cast<int>(m_specs.size()); ++i) {
        if (m_specs[i].id == QLatin1String("train")) {
            ensurePage(i);
            return qobject_cast<TrainPage*>(m_pages[i]);
        }
    }
    return nullptr;
}

void MainWindow::showPageAt(int index) {
    if (index < 0 || index >= static_cast<int>(m_specs.size())) return;
    ensurePage(index);
    m_stack->setCurrentIndex(index);
    if (m_switcher->currentRow() != index) m_switcher->setCurrentRow(index);
}

void MainWindow::ensurePage(int index) {
    if (m_pages[index]) return;
    QWidget* page = m_specs[index].create(m_context);
    if (auto* train = qobject_cast<TrainPage*>(page))
        connect(train, &TrainPage::dataStatusChanged, this, &MainWindow::setDataStatus);
    QWidget* placeholder = m_stack->widget(index);
    m_stack->insertWidget(index, page);
    m_stack->removeWidget(placeholder);
    placeholder->deleteLater();
    m_pages[index] = page;
}

void MainWindow::setDataStatus(const QString& text) { m_dataStatus->setText(text); }

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About Backprop Studio"),
                       tr("<h3>Backprop Studio %1</h3><p>Learn how neural networks work by training real ones: "
                          "live loss curves, a real C++ training engine underneath.</p>")
                           .arg(QApplication::applicationVersion()));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (m_context.settings) {
        m_context.settings->setWindowGeometry(saveGeometry());
        m_context.settings->setLastPage(currentPageId());
    }
    event->accept();
}
