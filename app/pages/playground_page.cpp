// playground_page.cpp — see playground_page.h.
#include "pages/playground_page.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>
#include <cmath>

#include "bp/errors.h"
#include "bp/playground/playground_file.h"
#include "bp/playground/playground_stepper.h"
#include "core/app_settings.h"
#include "core/facts.h"
#include "decision_boundary_view.h"
#include "network_diagram.h"
#include "panels/playground_controls.h"
#include "panels/scroll_column.h"
#include "series_plot.h"

namespace pg = bp::playground;

namespace {
/// The state the page starts with (TensorFlow Playground's): the circle, two hidden layers of 4 and 2, tanh.
pg::Config defaultConfig() {
    pg::Config c;
    c.data.kind = pg::DatasetKind::circle;
    c.features = pg::x1 | pg::x2;
    c.hidden = {4, 2};
    c.activation = bp::nn::Activation::tanh;
    c.lr = 0.03;
    c.batch_size = 10;
    return c;
}

pg::Config rememberedConfig(const AppContext& context) {
    if (!context.settings) return defaultConfig();
    const QString json = context.settings->playgroundState();
    if (json.isEmpty()) return defaultConfig();
    try {
        return pg::config_from_json(json.toStdString(), "the remembered playground state");
    } catch (const std::exception&) {
        return defaultConfig();  // a state from an older version: start afresh
    }
}

QString pct(double v) { return QStringLiteral("%1 %").arg(v * 100, 0, 'f', 1); }
QString num(double v) { return std::isnan(v) ? QStringLiteral("—") : QString::number(v, 'f', 3); }
}  // namespace

PlaygroundPage::PlaygroundPage(const AppContext& context, QWidget* parent) : QWidget(parent), m_context(context) {
    setObjectName(QStringLiteral("playgroundPage"));
    const pg::Config start = rememberedConfig(context);
    m_controls = new PlaygroundControls;
    m_controls->setConfig(start);
    m_controller = new PlaygroundController(start, this);

    // ---- the run bar ----
    m_play = new QPushButton(tr("Play"));
    m_play->setObjectName(QStringLiteral("playground.play"));
    m_play->setToolTip(tr("Train continuously (Space)"));
    m_step = new QPushButton(tr("Step"));
    m_step->setObjectName(QStringLiteral("playground.step"));
    m_step->setToolTip(tr("Train one epoch, then stop (Ctrl+Right)"));
    m_reset = new QPushButton(tr("Reset"));
    m_reset->setObjectName(QStringLiteral("playground.reset"));
    m_reset->setToolTip(tr("Back to the starting weights (the seed's)"));
    m_backprop = new QPushButton(tr("Step through backprop"));
    m_backprop->setObjectName(QStringLiteral("playground.backprop"));
    m_backprop->setToolTip(tr("Pause, and open this network and one mini-batch in the Backprop page: its forward and "
                              "backward pass one operation at a time (Ctrl+B)"));
    m_save = new QPushButton(tr("Save…"));
    m_save->setToolTip(tr("Save the data, the network and the settings to a file (for a class demo)"));
    m_open = new QPushButton(tr("Open…"));
    m_open->setToolTip(tr("Open a saved playground"));
    m_metrics = new QLabel;
    m_metrics->setObjectName(QStringLiteral("playgroundMetrics"));
    m_metrics->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_metrics->setWordWrap(true);  // its text is long in presentation mode: wrap rather than widen the page
    auto* bar = new QHBoxLayout;
    for (QPushButton* b : {m_play, m_step, m_reset}) bar->addWidget(b);
    bar->addStretch(1);
    bar->addWidget(m_save);
    bar->addWidget(m_open);

    m_message = new QLabel;
    m_message->setObjectName(QStringLiteral("playgroundMessage"));
    m_message->setWordWrap(true);
    m_message->hide();

    // ---- the network ----
    m_diagram = new NetworkDiagram;
    m_diagram->setObjectName(QStringLiteral("playground.network"));
    m_hoverHint = new QLabel(tr("Each square is a neuron's output over the whole plane (blue positive, orange negative). "
                                "Hover one to see it large. Lines are weights: thicker is larger, blue positive, orange negative."));
    m_hoverHint->setWordWrap(true);
    auto* middle = new QVBoxLayout;
    middle->addLayout(bar);
    middle->addWidget(m_metrics);
    middle->addWidget(m_message);
    middle->addWidget(m_diagram, 1);
    auto* bottom = new QHBoxLayout;  // the hint wraps, so the button never widens the page (presentation mode)
    bottom->addWidget(m_hoverHint, 1);
    bottom->addWidget(m_backprop, 0, Qt::AlignBottom);
    middle->addLayout(bottom);

    // ---- the plane and the curves ----
    m_boundary = new DecisionBoundaryView;
    m_boundary->setObjectName(QStringLiteral("playground.boundary"));
    m_boundary->setExtent(pg::plane_extent);
    m_showTest = new QCheckBox(tr("Show test points (dark rim)"));
    m_showTest->setChecked(true);
    m_lossPlot = new SeriesPlot(tr("epoch"), tr("loss"));
    m_lossPlot->setObjectName(QStringLiteral("playgroundLoss"));
    m_lossTrain = m_lossPlot->addSeries(tr("train loss"), 0);
    m_lossTest = m_lossPlot->addSeries(tr("test loss"), 1);
    m_accPlot = new SeriesPlot(tr("epoch"), tr("accuracy"));
    m_accPlot->setObjectName(QStringLiteral("playgroundAccuracy"));
    m_accTrain = m_accPlot->addSeries(tr("train accuracy"), 0);
    m_accTest = m_accPlot->addSeries(tr("test accuracy"), 1);
    for (SeriesPlot* p : {m_lossPlot, m_accPlot}) p->setMinimumHeight(150);
    auto* right = new QVBoxLayout;
    right->addWidget(m_boundary, 3);
    right->addWidget(m_showTest);
    right->addWidget(m_lossPlot, 1);
    right->addWidget(m_accPlot, 1);
    auto* rightHost = new QWidget;
    rightHost->setLayout(right);
    rightHost->setMinimumWidth(380);

    auto* controlsColumn = new QVBoxLayout;
    controlsColumn->addWidget(m_controls);
    QWidget* scroll = scrollColumn(controlsColumn);
    scroll->setObjectName(QStringLiteral("playgroundControls"));
    scroll->setFixedWidth(400);

    auto* layout = new QHBoxLayout(this);
    layout->addWidget(scroll);
    layout->addLayout(middle, 3);
    layout->addWidget(rightHost, 2);

    // ---- wiring ----
    connect(m_controller, &PlaygroundController::frameArrived, this, &PlaygroundPage::showFrame);
    connect(m_controller, &PlaygroundController::failed, this, [this](const QString& m) { showMessage(m, true); });
    connect(m_controller, &PlaygroundController::playingChanged, this, [this](bool on) {
        m_play->setText(on ? tr("Pause") : tr("Play"));
        m_play->setToolTip(on ? tr("Stop training (Space)") : tr("Train continuously (Space)"));
    });
    connect(m_play, &QPushButton::clicked, this, [this] { m_controller->isPlaying() ? m_controller->pause() : m_controller->play(); });
    connect(m_step, &QPushButton::clicked, m_controller, &PlaygroundController::step);
    connect(m_reset, &QPushButton::clicked, m_controller, &PlaygroundController::reset);
    connect(m_backprop, &QPushButton::clicked, this, [this] {
        m_controller->pause();
        if (m_frame.res == 0) return showMessage(tr("The network is still being built; try again in a moment."), true);
        emit stepThroughBackpropRequested();
    });
    connect(m_save, &QPushButton::clicked, this, &PlaygroundPage::saveDialog);
    connect(m_open, &QPushButton::clicked, this, &PlaygroundPage::openDialog);
    connect(m_controls, &PlaygroundControls::configChanged, this, &PlaygroundPage::configEdited);
    connect(m_showTest, &QCheckBox::toggled, m_boundary, &DecisionBoundaryView::setShowTestPoints);
    connect(m_boundary, &DecisionBoundaryView::pointClicked, this, [this](double x1, double x2, int label) {
        m_controls->addPoint(x1, x2, label);
    });
    auto* space = new QShortcut(QKeySequence(Qt::Key_Space), this);
    space->setContext(Qt::WidgetWithChildrenShortcut);
    connect(space, &QShortcut::activated, m_play, &QPushButton::click);
    auto* stepKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Right), this);
    stepKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(stepKey, &QShortcut::activated, m_step, &QPushButton::click);
    auto* backpropKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_B), this);
    backpropKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(backpropKey, &QShortcut::activated, m_backprop, &QPushButton::click);

    if (FactRegistry* facts = m_context.facts) {
        facts->addAction(QStringLiteral("playground.play"), [this] { m_controller->play(); });
        facts->addAction(QStringLiteral("playground.pause"), [this] { m_controller->pause(); });
        facts->addAction(QStringLiteral("playground.step"), [this] { m_controller->step(); });
        facts->addAction(QStringLiteral("playground.reset"), [this] { m_controller->reset(); });
        connect(m_controller, &PlaygroundController::playingChanged, facts,
                [facts](bool on) { facts->set(QStringLiteral("playground.playing"), on); });
    }
    m_boundary->setDrawMode(start.data.kind == pg::DatasetKind::custom);
    applyAppearance(context.settings ? context.settings->appearance() : context.appearance);
}

PlaygroundPage::~PlaygroundPage() = default;

std::function<bp::train::StepperProblem()> PlaygroundPage::stepperProblem() const {
    if (m_frame.res == 0) throw bp::ConfigError("the playground has not shown a network yet");
    return [config = m_frame.config, w = m_frame.layerWeights, b = m_frame.layerBiases] {
        bp::playground::Playground pg(config);
        pg.set_parameters(w, b);
        return bp::playground::stepper_problem(pg);
    };
}

void PlaygroundPage::configEdited(const pg::Config& c) {
    m_boundary->setDrawMode(c.data.kind == pg::DatasetKind::custom);
    m_boundary->setDrawLabel(m_controls->drawLabel());
    m_controller->setConfig(c);
    if (m_context.settings) m_context.settings->setPlaygroundState(QString::fromStdString(pg::config_to_json(c)));
}

void PlaygroundPage::showFrame(const PlaygroundFrame& f) {
    if (f.curvesReset) {
        m_lossPlot->clearData();
        m_accPlot->clearData();
    }
    m_frame = f;
    m_boundary->setGrid(f.res, f.output);
    m_boundary->setDrawLabel(m_controls->drawLabel());
    QVector<PlanePoint> pts;
    pts.reserve(static_cast<qsizetype>(f.train.size() + f.test.size()));
    for (const pg::Point& p : f.train) pts.push_back({p.x1, p.x2, p.label, false});
    for (const pg::Point& p : f.test) pts.push_back({p.x1, p.x2, p.label, true});
    m_boundary->setPoints(pts);
    QStringList inputs;
    for (int i = 0; i < pg::feature_count; ++i)
        if (f.config.features & (1u << i)) inputs << QString::fromUtf8(pg::feature_name(i)).replace(QStringLiteral("^2"), QStringLiteral("²")).replace(QStringLiteral("x1"), QStringLiteral("x₁")).replace(QStringLiteral("x2"), QStringLiteral("x₂"));
    m_diagram->setNetwork(f.sizes, inputs);
    m_diagram->setWeights(f.weights);
    m_diagram->setNodeGrids(f.nodeRes, f.nodes);
    if (!f.curve.isEmpty()) {
        QVector<double> xs, tl, sl, ta, sa;
        for (const PlaygroundCurvePoint& c : f.curve) {
            xs << c.epoch;
            tl << c.metrics.train_loss;
            sl << c.metrics.test_loss;
            ta << c.metrics.train_accuracy;
            sa << c.metrics.test_accuracy;
        }
        m_lossPlot->appendPoints(m_lossTrain, xs, tl);
        m_lossPlot->appendPoints(m_lossTest, xs, sl);
        m_accPlot->appendPoints(m_accTrain, xs, ta);
        m_accPlot->appendPoints(m_accTest, xs, sa);
    }
    const pg::Metrics& m = f.metrics;
    if (f.train.empty())
        m_metrics->setText(tr("No training points yet: click the plane to add some of both classes."));
    else
        m_metrics->setText(tr("Epoch %1   ·   loss train %2, test %3   ·   accuracy train %4, test %5")
                               .arg(f.epoch, 0, 'f', 1)
                               .arg(num(m.train_loss), num(m.test_loss), pct(m.train_accuracy),
                                    f.test.empty() ? QStringLiteral("—") : pct(m.test_accuracy)));
    if (FactRegistry* facts = m_context.facts) {
        facts->set(QStringLiteral("playground.dataset"), QString::fromUtf8(pg::dataset_name(f.config.data.kind)));
        facts->set(QStringLiteral("playground.hidden_layers"), static_cast<double>(f.config.hidden.size()));
        facts->set(QStringLiteral("playground.epoch"), f.epoch);
        facts->set(QStringLiteral("playground.train_accuracy"), m.train_accuracy);
        facts->set(QStringLiteral("playground.test_accuracy"), m.test_accuracy);
        if (!std::isnan(m.test_loss)) facts->set(QStringLiteral("playground.test_loss"), m.test_loss);
    }
    ++m_framesShown;
    emit frameShown();
}

void PlaygroundPage::showMessage(const QString& text, bool error) {
    m_message->setText(text);
    m_message->setStyleSheet(error ? QStringLiteral("color: #d04040;") : QString());
    m_message->setVisible(!text.isEmpty());
}

bool PlaygroundPage::saveState(const QString& path) {
    try {
        pg::save_config(path.toStdString(), m_controls->config());
        showMessage(tr("Saved to %1.").arg(QFileInfo(path).fileName()), false);
        return true;
    } catch (const std::exception& e) {
        showMessage(tr("Could not save: %1").arg(QString::fromUtf8(e.what())), true);
        return false;
    }
}

bool PlaygroundPage::openState(const QString& path) {
    try {
        const pg::Config c = pg::load_config(path.toStdString());
        m_controller->pause();
        m_controls->setConfig(c);
        configEdited(c);
        m_controller->reset();  // the saved network starts from its seed, as it did when it was saved
        showMessage(tr("Opened %1.").arg(QFileInfo(path).fileName()), false);
        return true;
    } catch (const std::exception& e) {
        showMessage(tr("Could not open: %1").arg(QString::fromUtf8(e.what())), true);
        return false;
    }
}

void PlaygroundPage::saveDialog() {
    const QString dir = m_context.settings ? m_context.settings->lastDirectory() : QString();
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the playground"), dir, tr("Playground (*.json)"));
    if (path.isEmpty()) return;
    if (m_context.settings) m_context.settings->setLastDirectory(QFileInfo(path).absolutePath());
    saveState(path);
}

void PlaygroundPage::openDialog() {
    const QString dir = m_context.settings ? m_context.settings->lastDirectory() : QString();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a playground"), dir, tr("Playground (*.json);;All files (*)"));
    if (path.isEmpty()) return;
    if (m_context.settings) m_context.settings->setLastDirectory(QFileInfo(path).absolutePath());
    openState(path);
}

void PlaygroundPage::applyAppearance(const Appearance& a) {
    const PlotStyle style = PlotStyle::make(a.dark, a.presentation);
    m_lossPlot->setPlotStyle(style);
    m_accPlot->setPlotStyle(style);
    m_boundary->setDark(a.dark);
    m_diagram->setDark(a.dark);
    if (QWidget* col = findChild<QWidget*>(QStringLiteral("playgroundControls"))) col->setFixedWidth(a.presentation ? 540 : 400);
}
