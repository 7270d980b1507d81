// main_window.cpp — page registry, lazy creation, menus and the status bar.
#include "main_window.h"

#include <QAction>
#include <QActionGroup>
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

#include "core/app_settings.h"
#include "bp/train/trainer.h"
#include "tools/model_library.h"
#include "tools/onnx_export_tools.h"
#include <QClipboard>
#include <QPushButton>
#include <QDockWidget>
#include <QGuiApplication>
#include <QScreen>
#include <QTextBrowser>

#include "pages/attention_page.h"
#include "pages/backprop_page.h"
#include "pages/benchmarks_page.h"
#include "pages/clip_page.h"
#include "pages/draw_page.h"
#include "pages/playground_page.h"
#include "pages/train_page.h"
#include "core/facts.h"
#include "lessons/lesson_panel.h"
#include "lessons/lesson_session.h"
#include "lessons/spotlight.h"
#include "pages/features_page.h"
#include "pages/lessons_page.h"
#include "core/theme.h"

std::vector<PageSpec> MainWindow::pageSpecs() {
    // One row per page, in switcher order (Ctrl+1 … follow it).
    return {
        {QStringLiteral("train"), QObject::tr("Train"),
         QObject::tr("Train a network on MNIST and watch the loss fall"),
         [](const AppContext& c) -> QWidget* { return new TrainPage(c); }},
        {QStringLiteral("draw"), QObject::tr("Draw"),
         QObject::tr("Draw a digit and watch a trained network read it as you draw"),
         [](const AppContext& c) -> QWidget* { return new DrawPage(c); }},
        {QStringLiteral("backprop"), QObject::tr("Backprop"),
         QObject::tr("Walk through the forward and backward pass one operation at a time"),
         [](const AppContext& c) -> QWidget* { return new BackpropPage(c); }},
        {QStringLiteral("attention"), QObject::tr("Attention"),
         QObject::tr("See what a vision transformer and a small GPT attend to, layer by layer and head by head"),
         [](const AppContext& c) -> QWidget* { return new AttentionPage(c); }},
        {QStringLiteral("playground"), QObject::tr("Playground"),
         QObject::tr("Watch a small network carve up a 2-D plane, live: datasets, features, layers and neurons you choose"),
         [](const AppContext& c) -> QWidget* { return new PlaygroundPage(c); }},
        {QStringLiteral("benchmarks"), QObject::tr("Benchmarks"),
         QObject::tr("Measure ops and models against PyTorch on this machine and export the charts"),
         [](const AppContext& c) -> QWidget* { return new BenchmarksPage(c); }},
        {QStringLiteral("lessons"), QObject::tr("Lessons"),
         QObject::tr("A first course: lessons that drive these pages and check your own results"),
         [](const AppContext& c) -> QWidget* { return new LessonsPage(c); }},
        {QStringLiteral("features"), QObject::tr("Inside a CNN"),
         QObject::tr("What every layer of a convolutional network sees: feature maps, kernels, one value's arithmetic"),
         [](const AppContext& c) -> QWidget* { return new FeaturesPage(c); }},
        {QStringLiteral("clip"), QObject::tr("CLIP"),
         QObject::tr("Pictures and words in one space: train CLIP-mini, search pictures with a caption, classify zero-shot"),
         [](const AppContext& c) -> QWidget* { return new ClipPage(c); }},
    };
}

QStringList MainWindow::pageIds() {
    QStringList ids;
    for (const PageSpec& s : pageSpecs()) ids << s.id;
    return ids;
}

MainWindow::MainWindow(const AppContext& context, QWidget* parent)
    : QMainWindow(parent), m_context(context), m_specs(pageSpecs()), m_pages(m_specs.size(), nullptr) {
    if (!m_context.models) m_context.models = new ModelLibrary(this);
    if (!m_context.facts) m_context.facts = new FactRegistry(this);
    if (!m_context.lessons)
        m_context.lessons = new LessonSession(m_context.facts,
                                              m_context.lessonsDir.isEmpty() ? LessonSession::defaultLessonsDir() : m_context.lessonsDir,
                                              m_context.progressPath, this);
    m_context.lessons->setHost({[this](const QString& id) { return showPage(id); }, [this]() -> QWidget* { return this; }});
    setWindowTitle(tr("Backprop Studio"));

    m_switcher = new QListWidget;
    m_switcher->setObjectName(QStringLiteral("pageSwitcher"));
    m_switcher->setFixedWidth(150);
    m_switcher->setSpacing(2);
    m_stack = new QStackedWidget;
    for (const PageSpec& s : m_specs) {
        auto* item = new QListWidgetItem(s.title, m_switcher);
        item->setToolTip(s.toolTip);
        item->setSizeHint(QSize(0, 40));
        m_stack->addWidget(new QWidget);  // an empty stand-in until the page is first shown (pages are created lazily)
    }
    connect(m_switcher, &QListWidget::currentRowChanged, this, &MainWindow::showPageAt);

    auto* central = new QWidget;
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_switcher);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    buildLessonDock();
    buildMenus();

    const int cores = QThread::idealThreadCount();
    const int threads = bp::train::TrainConfig{}.threads;
    m_deviceStatus = new QLabel(tr("Device: CPU"));
    m_deviceStatus->setObjectName(QStringLiteral("deviceStatus"));
    m_deviceStatus->setToolTip(tr("Training runs on the processor (the engine's CPU backend)."));
    m_threadStatus = new QLabel(tr("Training threads: %1 of %2 cores").arg(threads > 0 ? threads : cores).arg(cores));
    m_threadStatus->setObjectName(QStringLiteral("threadStatus"));
    m_threadStatus->setToolTip(tr("Training threads: one is fastest for these small models on a shared machine."));
    m_dataStatus = new QLabel(tr("MNIST: checking…"));
    m_dataStatus->setObjectName(QStringLiteral("dataStatus"));
    for (QLabel* l : {m_dataStatus, m_deviceStatus, m_threadStatus}) l->setContentsMargins(12, 0, 12, 0);
    statusBar()->addPermanentWidget(m_dataStatus);
    statusBar()->addPermanentWidget(m_deviceStatus);
    statusBar()->addPermanentWidget(m_threadStatus);

    setAppearance(m_context.settings ? m_context.settings->appearance() : m_context.appearance, false);

    if (m_context.settings) {
        const QByteArray geometry = m_context.settings->windowGeometry();
        if (!geometry.isEmpty()) restoreGeometry(geometry);
        else resize(1400, 900);
        restoreState(m_context.settings->windowState());
    } else {
        resize(1400, 900);
    }
    const QString last = m_context.settings ? m_context.settings->lastPage() : QString();
    if (!showPage(last)) showPageAt(0);
}

MainWindow::~MainWindow() {
    m_context.lessons->close();  // progress saved, locks released while the pages still exist
    delete m_presenterNotes;
}

QWidget* MainWindow::presenterNotes() const { return m_presenterNotes; }

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open model…"));
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_O));
    open->setToolTip(tr("Open a .safetensors model to continue training it (and to draw with it)."));
    connect(open, &QAction::triggered, this, [this] {
        showPage(QStringLiteral("train"));
        trainPage()->openModelWithDialog();
    });
    QAction* save = file->addAction(tr("&Save model…"));
    save->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_S));
    connect(save, &QAction::triggered, this, [this] { trainPage()->saveModelWithDialog(); });
    QAction* report = file->addAction(tr("&Export report…"));
    report->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    report->setToolTip(tr("Write the last run's configuration, metrics per epoch and machine as JSON."));
    connect(report, &QAction::triggered, this, [this] { trainPage()->exportReportWithDialog(); });
    QAction* onnx = file->addMenu(tr("E&xport"))->addAction(tr("&ONNX…"));
    onnx->setObjectName(QStringLiteral("exportOnnxAction"));
    onnx->setToolTip(tr("Write the current model as ONNX (opset 17): opens in Netron, runs in ONNX Runtime."));
    connect(onnx, &QAction::triggered, this,
            [this] { onnxtools::exportOnnxWithDialog(this, trainPage()->currentModel(), m_context.settings); });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < static_cast<int>(m_specs.size()); ++i) {
        QAction* a = view->addAction(m_specs[i].title);
        if (i < 9) a->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(a, &QAction::triggered, this, [this, i] { showPageAt(i); });
    }
    view->addSeparator();
    auto* themes = new QActionGroup(this);
    QAction* light = view->addAction(tr("&Light theme"));
    m_darkAction = view->addAction(tr("&Dark theme"));
    for (QAction* a : {light, m_darkAction}) {
        a->setCheckable(true);
        themes->addAction(a);
    }
    light->setChecked(true);
    m_darkAction->setObjectName(QStringLiteral("darkThemeAction"));
    connect(m_darkAction, &QAction::toggled, this, &MainWindow::setDarkTheme);
    m_presentationAction = view->addAction(tr("&Presentation mode"));
    m_presentationAction->setObjectName(QStringLiteral("presentationAction"));
    m_presentationAction->setCheckable(true);
    m_presentationAction->setShortcut(QKeySequence(Qt::Key_F11));
    m_presentationAction->setToolTip(tr("Full screen, larger text, thicker plot lines: for a projector."));
    connect(m_presentationAction, &QAction::toggled, this, &MainWindow::setPresentationMode);

    QMenu* training = menuBar()->addMenu(tr("&Training"));
    QAction* run = training->addAction(tr("Start / &pause / resume"));
    run->setObjectName(QStringLiteral("startPauseAction"));
    run->setShortcut(QKeySequence(Qt::Key_Space));
    connect(run, &QAction::triggered, this, &MainWindow::toggleRun);

    QMenu* lessons = menuBar()->addMenu(tr("&Lessons"));
    QAction* course = lessons->addAction(tr("The &course"));
    connect(course, &QAction::triggered, this, [this] { showPage(QStringLiteral("lessons")); });
    QAction* nextStep = lessons->addAction(tr("&Next step"));
    nextStep->setShortcut(QKeySequence(Qt::Key_PageDown));  // a presenter's clicker sends PageDown / PageUp
    connect(nextStep, &QAction::triggered, m_context.lessons, &LessonSession::next);
    QAction* prevStep = lessons->addAction(tr("&Previous step"));
    prevStep->setShortcut(QKeySequence(Qt::Key_PageUp));
    connect(prevStep, &QAction::triggered, m_context.lessons, &LessonSession::back);
    QAction* reveal = lessons->addAction(tr("&Reveal the answer"));
    reveal->setShortcut(QKeySequence(Qt::Key_F9));
    connect(reveal, &QAction::triggered, m_lessonPanel, &LessonPanel::revealAnswer);
    QAction* notes = lessons->addAction(tr("Presenter &notes window"));
    notes->setObjectName(QStringLiteral("presenterNotesAction"));
    notes->setShortcut(QKeySequence(Qt::Key_F10));
    notes->setToolTip(tr("The step's presenter notes and answer in a window of their own, for a second screen."));
    connect(notes, &QAction::triggered, this, &MainWindow::showPresenterNotes);
    QAction* copyStep = lessons->addAction(tr("&Copy current setup as step"));
    copyStep->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    copyStep->setToolTip(tr("Put this page's settings on the clipboard as a lesson step block, to paste into a lesson.md."));
    connect(copyStep, &QAction::triggered, this, [this] {
        QApplication::clipboard()->setText(m_context.lessons->currentSetupAsStep(currentPageId()));
        statusBar()->showMessage(tr("The %1 page's setup is on the clipboard as a step block.").arg(currentPageId()), 4000);
    });
    QAction* closeLesson = lessons->addAction(tr("C&lose the lesson"));
    connect(closeLesson, &QAction::triggered, m_context.lessons, &LessonSession::close);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about = help->addAction(tr("&About Backprop Studio"));
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::buildLessonDock() {
    m_lessonPanel = new LessonPanel(m_context.lessons);
    m_lessonDock = new QDockWidget(tr("Lesson"), this);
    m_lessonDock->setObjectName(QStringLiteral("lessonDock"));
    m_lessonDock->setWidget(m_lessonPanel);
    m_lessonDock->setFeatures(QDockWidget::DockWidgetMovable);
    addDockWidget(Qt::RightDockWidgetArea, m_lessonDock);
    m_lessonDock->hide();
    m_spotlight = new Spotlight(this);
    m_spotlight->setKeepClear(m_lessonDock);
    connect(m_context.lessons, &LessonSession::lessonOpened, this, [this] {
        m_lessonDock->show();
        m_lessonDock->raise();
    });
    connect(m_context.lessons, &LessonSession::lessonClosed, this, [this] { m_lessonDock->hide(); });
    connect(m_context.lessons, &LessonSession::spotlightRequested, m_spotlight, &Spotlight::setTarget);
    connect(m_context.lessons, &LessonSession::stepChanged, this, &MainWindow::refreshPresenterNotes);
    connect(m_lessonPanel, &LessonPanel::closeRequested, m_context.lessons, &LessonSession::close);
}

bool MainWindow::openLesson(const QString& id, int step) {
    if (!m_context.lessons->open(id, step)) return false;
    m_lessonPanel->setFocus();
    return true;
}

void MainWindow::showPresenterNotes() {
    if (!m_presenterNotes) {
        m_presenterNotes = new QTextBrowser;
        m_presenterNotes->setObjectName(QStringLiteral("presenterNotes"));
        m_presenterNotes->setWindowTitle(tr("Presenter notes — Backprop Studio"));
        m_presenterNotes->setAttribute(Qt::WA_DeleteOnClose, false);
        m_presenterNotes->resize(640, 480);
        // On a second screen when there is one, so the class sees only the main window.
        const QList<QScreen*> screens = QGuiApplication::screens();
        if (screens.size() > 1) m_presenterNotes->move(screens.at(1)->availableGeometry().topLeft());
    }
    refreshPresenterNotes();
    m_presenterNotes->show();
    m_presenterNotes->raise();
}

void MainWindow::refreshPresenterNotes() {
    if (!m_presenterNotes) return;
    const bp::lesson::Step* s = m_context.lessons->step();
    const bp::lesson::Lesson* l = m_context.lessons->lesson();
    if (!s || !l) {
        m_presenterNotes->setMarkdown(tr("No lesson is open."));
        return;
    }
    QString md = tr("# %1\n\n## Step %2 of %3: %4\n\n").arg(QString::fromStdString(l->title)).arg(m_context.lessons->stepIndex() + 1)
                     .arg(m_context.lessons->stepCount()).arg(QString::fromStdString(s->title));
    md += s->notes.empty() ? tr("_No notes for this step._") : QString::fromStdString(s->notes);
    if (s->question) md += tr("\n\n**Question:** %1\n\n**Answer:** %2").arg(QString::fromStdString(s->question->prompt))
                               .arg(m_context.lessons->expectedAnswer().isEmpty() ? tr("known after the run") : m_context.lessons->expectedAnswer());
    if (!s->check.empty()) md += tr("\n\n**Check:** `%1`").arg(QString::fromStdString(s->check));
    m_presenterNotes->setMarkdown(md);
}

void MainWindow::toggleRun() {
    // In the lesson panel Space checks the step (one key, two meanings would be ambiguous for Qt).
    if (m_lessonDock->isVisible() && m_lessonPanel->isAncestorOf(QApplication::focusWidget())) {
        m_lessonPanel->checkButton()->click();
        return;
    }
    // Space is only sensible on the Train page: elsewhere it would start a run nobody is watching.
    if (currentPageId() != QLatin1String("train")) return;
    if (TrainPage* train = trainPage()) train->toggleRun();
}

void MainWindow::setDarkTheme(bool dark) {
    Appearance a = m_appearance;
    a.dark = dark;
    setAppearance(a);
}

void MainWindow::setPresentationMode(bool on) {
    Appearance a = m_appearance;
    a.presentation = on;
    setAppearance(a);
}

void MainWindow::setAppearance(const Appearance& a, bool fullScreen) {
    const bool presentationChanged = a.presentation != m_appearance.presentation;
    m_appearance = a;
    theme::applyToApplication(a);
    {
        const QSignalBlocker b1(m_darkAction), b2(m_presentationAction);
        m_darkAction->setChecked(a.dark);
        if (!a.dark)
            for (QAction* other : m_darkAction->actionGroup()->actions()) other->setChecked(other != m_darkAction);
        m_presentationAction->setChecked(a.presentation);
    }
    QFont switcherFont = theme::baseFont();
    switcherFont.setPointSizeF(switcherFont.pointSizeF() * 1.2 * theme::fontScale(a));
    m_switcher->setFont(switcherFont);
    m_switcher->setFixedWidth(a.presentation ? 210 : 150);
    for (int i = 0; i < m_switcher->count(); ++i) m_switcher->item(i)->setSizeHint(QSize(0, a.presentation ? 56 : 40));
    for (QWidget* page : m_pages)
        if (auto* aware = dynamic_cast<AppearanceAware*>(page)) aware->applyAppearance(a);
    m_lessonPanel->applyAppearance(a);
    m_spotlight->setDark(a.dark);
    if (fullScreen && presentationChanged) {
        if (a.presentation) {
            m_wasMaximized = isMaximized();
            showFullScreen();
        } else if (isFullScreen()) {
            if (m_wasMaximized) showMaximized();
            else showNormal();
        }
    }
    if (m_context.settings) m_context.settings->setAppearance(a);
}

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

DrawPage* MainWindow::drawPage() {
    for (int i = 0; i < static_cast<int>(m_specs.size()); ++i) {
        if (m_specs[i].id == QLatin1String("draw")) {
            ensurePage(i);
            return qobject_cast<DrawPage*>(m_pages[i]);
        }
    }
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
    m_context.facts->set(QStringLiteral("app.page"), m_specs[index].id);
}

void MainWindow::ensurePage(int index) {
    if (m_pages[index]) return;
    QWidget* page = m_specs[index].create(m_context);
    if (auto* train = qobject_cast<TrainPage*>(page)) {
        connect(train, &TrainPage::dataStatusChanged, this, &MainWindow::setDataStatus);
        connect(train, &TrainPage::deviceStatusChanged, this, &MainWindow::setDeviceStatus);
    }
    if (auto* playground = qobject_cast<PlaygroundPage*>(page)) {
        // "Step through backprop": the network on the plane, one mini-batch, in the Backprop page's stepper.
        connect(playground, &PlaygroundPage::stepThroughBackpropRequested, this, [this, playground] {
            if (!showPage(QStringLiteral("backprop"))) return;
            auto* backprop = qobject_cast<BackpropPage*>(this->page(QStringLiteral("backprop")));
            const PlaygroundFrame& f = playground->lastFrame();
            QStringList sizes;
            for (int s : f.config.hidden) sizes << QString::number(s);
            const QString title = tr("Playground %1 %2, batch of %3")
                                      .arg(sizes.isEmpty() ? tr("no hidden layer") : sizes.join(QLatin1Char('-')))
                                      .arg(QString::fromUtf8(bp::nn::activation_name(f.config.activation)))
                                      .arg(std::min<qsizetype>(f.config.batch_size, static_cast<qsizetype>(f.train.size())));
            if (backprop) backprop->openProblem(playground->stepperProblem(), title);
        });
    }
    if (auto* attention = qobject_cast<AttentionPage*>(page)) {
        // The Draw page's current input, if that page exists (it is not created just to say there is no drawing).
        attention->setDrawingSource([this]() -> std::vector<float> {
            auto* draw = qobject_cast<DrawPage*>(this->page(QStringLiteral("draw")));
            return draw ? draw->modelInput() : std::vector<float>();
        });
    }
    if (auto* features = qobject_cast<FeaturesPage*>(page))
        features->setDrawingSource([this]() -> std::vector<float> {
            auto* draw = qobject_cast<DrawPage*>(this->page(QStringLiteral("draw")));
            return draw ? draw->modelInput() : std::vector<float>();
        });
    // The Inside page follows the drawing as it is drawn, whichever of the two pages was created first.
    auto* draw = qobject_cast<DrawPage*>(qobject_cast<DrawPage*>(page) ? page : this->page(QStringLiteral("draw")));
    auto* features = qobject_cast<FeaturesPage*>(qobject_cast<FeaturesPage*>(page) ? page : this->page(QStringLiteral("features")));
    if (draw && features) connect(draw, &DrawPage::predicted, features, &FeaturesPage::drawingChanged, Qt::UniqueConnection);
    QWidget* standIn = m_stack->widget(index);
    m_stack->insertWidget(index, page);
    m_stack->removeWidget(standIn);
    standIn->deleteLater();
    m_pages[index] = page;
    if (auto* aware = dynamic_cast<AppearanceAware*>(page)) aware->applyAppearance(m_appearance);
}

void MainWindow::setDataStatus(const QString& text) { m_dataStatus->setText(text); }
void MainWindow::setDeviceStatus(const QString& text) { m_deviceStatus->setText(text); }

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About Backprop Studio"),
                       tr("<h3>Backprop Studio %1</h3><p>Learn how neural networks work by training real ones: "
                          "live loss curves, a real C++ training engine underneath.</p>")
                           .arg(QApplication::applicationVersion()));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    // A run going: ask first (only in a real session; screenshots and tests have no settings and never block).
    auto* train = qobject_cast<TrainPage*>(page(QStringLiteral("train")));
    if (m_context.settings && train && train->isTraining()) {
        const auto answer = QMessageBox::question(
            this, tr("Quit during training?"),
            tr("A training run is going. Quit anyway? The model of its last finished epoch is kept and offered the "
               "next time the app starts."),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
    }
    if (m_context.settings) {
        m_context.settings->setWindowGeometry(saveGeometry());
        m_context.settings->setWindowState(saveState());
        m_context.settings->setLastPage(currentPageId());
    }
    event->accept();
}
