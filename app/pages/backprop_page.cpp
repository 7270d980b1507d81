// backprop_page.cpp — layout of the Backprop page, StepperSession → GraphView / detail panel, the SGD update
// table and the gradient-flow experiment.
#include "pages/backprop_page.h"

#include "core/facts.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "bp/data/dataset.h"
#include "bp/errors.h"
#include "bp/train/stepper.h"
#include "graph_view.h"
#include "heatmap_view.h"
#include "series_plot.h"
#include "core/theme.h"

namespace {

QString shapeText(const bp::Shape& s) { return QString::fromStdString(bp::shape_str(s)); }

QString num(double v) { return QString::number(v, 'g', 6); }

QLabel* wrapLabel(const QString& text) {
    auto* l = new QLabel(text);
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return l;
}

/// Scalars as a number; vectors and matrices as a HeatmapView (values in the cells and on hover); rows of
/// 784 values (images, first-layer weights) as 28×28 heatmaps of the first few rows.
QWidget* valueWidget(const bp::Tensor& t, bool dark, double scale) {
    if (!t.defined()) return wrapLabel(QStringLiteral("—"));
    if (t.dtype() == bp::DType::i32 || t.numel() == 1) {
        const std::vector<double> v = t.to_vector();
        if (t.numel() == 1) {
            auto* l = wrapLabel(num(v[0]));
            l->setObjectName(QStringLiteral("scalarValue"));
            QFont f = l->font();
            f.setBold(true);
            f.setPointSizeF(f.pointSizeF() * 1.25);
            l->setFont(f);
            return l;
        }
        QStringList parts;
        for (double x : v) parts << QString::number(static_cast<int>(x));
        return wrapLabel(QStringLiteral("[%1]").arg(parts.join(QStringLiteral(", "))));
    }
    const std::vector<double> v = t.to_vector();
    int64_t cols = t.dim() == 0 ? 1 : t.size(-1);
    int64_t rows = t.numel() / std::max<int64_t>(1, cols);
    if (cols == 1) std::swap(rows, cols);  // a column [n, 1] is drawn as a row: it reads left to right and saves height
    auto makeMap = [dark, scale](int r, int c, const QVector<double>& vals) {
        auto* h = new HeatmapView;
        h->setDiverging(true);
        h->setCellDigits(3);
        h->setDark(dark);
        h->setAxisTitles(QString(), QString());
        QStringList rl, cl;
        // Index labels only where they fit; large matrices are read by hovering.
        for (int i = 0; i < r; ++i) rl << (r <= 16 && c <= 16 ? QString::number(i) : QString());
        for (int i = 0; i < c; ++i) cl << (r <= 16 && c <= 16 ? QString::number(i) : QString());
        h->setMatrix(r, c, vals, rl, cl);
        // Cells of about 48 px (72 in presentation mode) for small tensors, so the numbers stay legible.
        const int cell = static_cast<int>(40 * scale), pad = static_cast<int>(64 * scale);
        h->setMinimumSize(std::min(static_cast<int>(170 * scale) + c * cell, static_cast<int>(300 * scale)),
                          std::clamp(pad + r * cell, static_cast<int>(120 * scale), static_cast<int>(260 * scale)));
        h->setMaximumHeight(std::max(h->minimumHeight(), static_cast<int>(std::min(260.0, 40.0 + r * 60) * scale)));
        return h;
    };
    if (cols == 784) {
        auto* box = new QWidget;
        auto* lay = new QVBoxLayout(box);
        lay->setContentsMargins(0, 0, 0, 0);
        auto* row = new QHBoxLayout;
        const int shown = static_cast<int>(std::min<int64_t>(rows, 4));
        for (int r = 0; r < shown; ++r) {
            QVector<double> img(v.begin() + r * 784, v.begin() + (r + 1) * 784);
            auto* h = makeMap(28, 28, img);
            h->setMinimumSize(static_cast<int>(200 * scale), static_cast<int>(200 * scale));
            h->setToolTip(QStringLiteral("row %1 as a 28×28 image").arg(r));
            row->addWidget(h);
        }
        lay->addLayout(row);
        lay->addWidget(wrapLabel(QStringLiteral("rows 0–%1 of %2, each of its 784 values drawn as a 28×28 image")
                                     .arg(shown - 1).arg(shapeText(t.shape()))));
        return box;
    }
    return makeMap(static_cast<int>(rows), static_cast<int>(cols), QVector<double>(v.begin(), v.end()));
}

QLabel* headerLabel(const QString& text) {
    auto* l = new QLabel(text);
    QFont f = l->font();
    f.setBold(true);
    l->setFont(f);
    return l;
}

}  // namespace

BackpropPage::BackpropPage(const AppContext& context, QWidget* parent) : QWidget(parent), m_context(context) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->setSpacing(8);

    // Controls.
    auto* bar = new QHBoxLayout;
    m_exampleCombo = new QComboBox;
    m_exampleCombo->setObjectName(QStringLiteral("backprop.example"));
    m_exampleCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);  // long titles: elided, full in the tooltip
    m_exampleCombo->setMinimumContentsLength(24);
    m_exampleCombo->addItem(tr("Neuron σ(w·x + b)"), QStringLiteral("neuron"));
    m_exampleCombo->addItem(tr("XOR 2-2-1 sigmoid"), QStringLiteral("xor"));
    m_exampleCombo->addItem(tr("MNIST MLP, 8 images"), QStringLiteral("mnist-mlp"));
    m_stepForward = new QPushButton(tr("Step forward"));
    m_stepForward->setObjectName(QStringLiteral("backprop.step_forward"));
    m_stepForward->setToolTip(tr("Compute the next operation of the forward pass (Right arrow)."));
    m_stepBackward = new QPushButton(tr("Step backward"));
    m_stepBackward->setObjectName(QStringLiteral("backprop.step_backward"));
    m_stepBackward->setToolTip(tr("Run the next node of the backward pass: it receives ∂L/∂output and sends a gradient to each input."));
    m_run = new QPushButton(tr("Run to end of pass"));
    m_run->setObjectName(QStringLiteral("backprop.run_to_end"));
    m_back = new QPushButton(tr("Back one step"));
    m_back->setObjectName(QStringLiteral("backprop.back"));
    m_back->setToolTip(tr("Undo the last step (Left arrow): the graph is rebuilt and replayed to the step before."));
    m_restart = new QPushButton(tr("Restart"));
    m_restart->setObjectName(QStringLiteral("backprop.restart"));
    m_restart->setToolTip(tr("Back to the start of the forward pass (Home)."));
    m_update = new QPushButton(tr("Update (SGD)"));
    m_update->setObjectName(QStringLiteral("backprop.update"));
    m_update->setToolTip(tr("Finish the backward pass and apply one SGD step: w ← w − lr·∂L/∂w."));
    for (QPushButton* b : {m_stepForward, m_stepBackward, m_run, m_back, m_restart, m_update}) bar->addWidget(b);
    bar->addStretch(1);
    layout->addLayout(bar);

    auto* statusRow = new QHBoxLayout;
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("stepperStatus"));
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // long text wraps, never widens the window
    m_status->setWordWrap(true);
    m_loss = new QLabel;
    m_loss->setObjectName(QStringLiteral("stepperLoss"));
    statusRow->addWidget(new QLabel(tr("Example:")));
    statusRow->addWidget(m_exampleCombo);
    statusRow->addSpacing(12);
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_loss);
    layout->addLayout(statusRow);

    auto* split = new QSplitter(Qt::Vertical);
    m_graph = new GraphView;
    m_graph->setObjectName(QStringLiteral("backprop.graph"));
    m_graph->setFocusPolicy(Qt::StrongFocus);  // arrows step while the graph has focus
    split->addWidget(m_graph);

    m_tabs = new QTabWidget;
    // Node details.
    auto* detail = new QWidget;
    detail->setObjectName(QStringLiteral("backprop.detail"));
    auto* dv = new QVBoxLayout(detail);
    m_detailTitle = new QLabel;
    m_detailTitle->setObjectName(QStringLiteral("detailTitle"));
    m_formula = new QLabel;
    m_formula->setObjectName(QStringLiteral("detailFormula"));
    m_formula->setTextFormat(Qt::RichText);
    m_formula->setWordWrap(true);
    m_detailBody = new QWidget;
    m_detailGrid = new QGridLayout(m_detailBody);
    m_detailGrid->setHorizontalSpacing(14);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setWidget(m_detailBody);
    scroll->setFrameShape(QFrame::NoFrame);
    dv->addWidget(m_detailTitle);
    dv->addWidget(m_formula);
    dv->addWidget(scroll, 1);
    m_tabs->addTab(detail, tr("Node details"));

    // Update.
    auto* upd = new QWidget;
    auto* uv = new QVBoxLayout(upd);
    m_updateSummary = wrapLabel(tr("Press Update to apply one SGD step; each parameter's value before and after is listed here."));
    m_updateTable = new QTableWidget(0, 5);
    m_updateTable->setHorizontalHeaderLabels({tr("parameter"), tr("entry"), tr("before"), tr("gradient ∂L/∂w"), tr("after = before − lr·grad")});
    m_updateTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_updateTable->verticalHeader()->setVisible(false);
    m_updateTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    uv->addWidget(m_updateSummary);
    uv->addWidget(m_updateTable, 1);
    m_tabs->addTab(upd, tr("Update"));

    // Gradient flow.
    auto* flow = new QWidget;
    auto* fv = new QVBoxLayout(flow);
    auto* fbar = new QHBoxLayout;
    m_flowButton = new QPushButton(tr("Train 50 steps with sigmoid and with ReLU"));
    m_flowButton->setObjectName(QStringLiteral("backprop.flow_run"));
    m_flowButton->setToolTip(tr("A 6-layer MLP (784 → 64 × 5 → 10) on 512 MNIST training images, SGD lr 0.1, batches of 32."));
    m_flowStatus = wrapLabel(tr("The gradient norm of each layer's weights per training step, for a deep MLP with sigmoid and "
                                "with ReLU units. With sigmoid the early layers get far smaller gradients: they vanish."));
    fbar->addWidget(m_flowButton);
    fbar->addWidget(m_flowStatus, 1);
    fv->addLayout(fbar);
    auto* plots = new QHBoxLayout;
    m_flowSigmoid = new SeriesPlot(tr("training step"), tr("‖∂L/∂W‖"));
    m_flowSigmoid->setTitle(tr("sigmoid"));
    m_flowRelu = new SeriesPlot(tr("training step"), tr("‖∂L/∂W‖"));
    m_flowRelu->setTitle(tr("ReLU"));
    for (SeriesPlot* p : {m_flowSigmoid, m_flowRelu}) {
        p->setLogY(true);
        for (int l = 0; l < 6; ++l) p->addSeries(tr("layer %1").arg(l + 1), l);
        plots->addWidget(p);
    }
    fv->addLayout(plots, 1);
    m_tabs->addTab(flow, tr("Gradient flow"));
    flow->setObjectName(QStringLiteral("backprop.flow_chart"));

    split->addWidget(m_tabs);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setSizes({440, 520});
    layout->addWidget(split, 1);

    m_tabs->setObjectName(QStringLiteral("backprop.tabs"));
    connect(m_exampleCombo, &QComboBox::currentIndexChanged, this, &BackpropPage::onExampleChosen);
    connect(m_stepForward, &QPushButton::clicked, this, &BackpropPage::stepForward);
    connect(m_stepBackward, &QPushButton::clicked, this, &BackpropPage::stepBackward);
    connect(m_run, &QPushButton::clicked, this, &BackpropPage::runToEnd);
    connect(m_back, &QPushButton::clicked, this, &BackpropPage::backOneStep);
    connect(m_restart, &QPushButton::clicked, this, &BackpropPage::restart);
    connect(m_update, &QPushButton::clicked, this, &BackpropPage::update);
    connect(m_flowButton, &QPushButton::clicked, this, &BackpropPage::runGradientFlow);
    connect(m_graph, &GraphView::nodeClicked, this, [this](const QString& id) {
        if (id.startsWith(QLatin1String("op"))) selectNode(id.mid(2).toInt());
    });
    const std::pair<Qt::Key, void (BackpropPage::*)()> keys[] = {
        {Qt::Key_Right, &BackpropPage::step}, {Qt::Key_Left, &BackpropPage::backOneStep}, {Qt::Key_Home, &BackpropPage::restart}};
    for (const auto& [key, slot] : keys) {
        auto* a = new QAction(this);
        a->setShortcut(QKeySequence(key));
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
    }

    registerLessonHooks();
    applyAppearance(m_context.appearance);
    m_exampleCombo->setCurrentIndex(1);  // XOR: small enough to read, big enough to be interesting
    if (!m_session) onExampleChosen(1);
}

BackpropPage::~BackpropPage() = default;

bool BackpropPage::setExample(const QString& name) {
    const int i = m_exampleCombo->findData(name);
    if (i < 0) return false;
    if (i == m_exampleCombo->currentIndex()) onExampleChosen(i);
    else m_exampleCombo->setCurrentIndex(i);
    return m_session && m_session->example() == name.toStdString();
}

bool BackpropPage::openProblem(const std::function<bp::train::StepperProblem()>& make, const QString& title) {
    bp::train::StepperProblem probe;
    try {
        probe = make();
    } catch (const std::exception& e) {
        m_status->setText(tr("Cannot step through this network: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    m_makeProblem = make;
    m_problemName = QString::fromStdString(probe.name);
    int i = m_exampleCombo->findData(m_problemName);
    if (i < 0) {
        m_exampleCombo->addItem(title, m_problemName);
        i = m_exampleCombo->count() - 1;
    } else {
        m_exampleCombo->setItemText(i, title);
    }
    m_exampleCombo->setItemData(i, title, Qt::ToolTipRole);
    return setExample(m_problemName);
}

void BackpropPage::onExampleChosen(int index) {
    const QString name = m_exampleCombo->itemData(index).toString();
    try {
        QApplication::setOverrideCursor(Qt::WaitCursor);
        if (m_makeProblem && name == m_problemName)
            m_session = std::make_unique<bp::train::StepperSession>(m_makeProblem());
        else
            m_session = std::make_unique<bp::train::StepperSession>(
                name.toStdString(), bp::data::resolve_data_dir(m_context.dataDirOverride.toStdString()));
        QApplication::restoreOverrideCursor();
    } catch (const std::exception& e) {
        QApplication::restoreOverrideCursor();
        m_session.reset();
        m_status->setText(tr("Cannot build this example: %1").arg(QString::fromUtf8(e.what())));
    }
    m_selected = -1;
    m_updateTable->setRowCount(0);
    rebuildGraph();
    refresh();
}

void BackpropPage::rebuildGraph() {
    QVector<GraphView::Node> nodes;
    QVector<GraphView::Edge> edges;
    if (m_session) {
        QHash<const void*, QString> leafIds;
        for (const auto& n : m_session->nodes()) {
            for (size_t k = 0; k < n.inputs.size(); ++k) {
                const bp::Tensor& in = n.inputs[k];
                if (!in.defined()) continue;
                QString from;
                if (n.input_producers[k] >= 0) {
                    from = QStringLiteral("op%1").arg(n.input_producers[k]);
                } else {
                    from = leafIds.value(in.impl());
                    if (from.isEmpty()) {
                        from = QStringLiteral("leaf%1").arg(leafIds.size());
                        leafIds.insert(in.impl(), from);
                        nodes.push_back({from, QString::fromStdString(n.input_names[k]), shapeText(in.shape()),
                                         in.requires_grad() ? QStringLiteral("param") : QStringLiteral("data")});
                    }
                }
                // A leaf's box already names its shape; only tensors flowing between ops get a label.
                edges.push_back({from, QStringLiteral("op%1").arg(n.id), n.input_producers[k] >= 0 ? shapeText(in.shape()) : QString()});
            }
            const bool isLoss = n.id + 1 == m_session->nodes().size();
            nodes.push_back({QStringLiteral("op%1").arg(n.id), QStringLiteral("%1  %2").arg(n.id + 1).arg(QString::fromStdString(n.op)),
                             isLoss ? QString() : shapeText(n.output.shape()), isLoss ? QStringLiteral("loss") : QStringLiteral("op")});
        }
    }
    m_graph->setGraph(nodes, edges);
}

void BackpropPage::refresh() {
    const bool ok = m_session != nullptr;
    for (QPushButton* b : {m_stepForward, m_stepBackward, m_run, m_back, m_restart, m_update}) b->setEnabled(ok);
    if (!ok) {
        m_loss->clear();
        showDetail();
        return;
    }
    const auto& s = *m_session;
    const size_t n = s.nodes().size();
    QSet<QString> pending, visited;
    const bool backwardStarted = s.backward_position() > 0;
    for (size_t i = 0; i < n; ++i) {
        if (!backwardStarted && i >= s.forward_position()) pending.insert(QStringLiteral("op%1").arg(i));
        if (s.grad(i)) visited.insert(QStringLiteral("op%1").arg(i));
    }
    // The loss node shows its value once computed.
    const QString lossId = QStringLiteral("op%1").arg(n - 1);
    m_graph->setSublabel(lossId, s.forward_done() ? QStringLiteral("L = %1").arg(s.loss().item(), 0, 'g', 5) : QString());
    m_graph->setPending(pending);
    m_graph->setVisited(visited);
    m_graph->setCurrent(s.current() ? QStringLiteral("op%1").arg(*s.current()) : QString());
    m_stepForward->setEnabled(!s.forward_done());
    m_stepBackward->setEnabled(!s.backward_done());
    m_back->setEnabled(s.step_count() > 0 || s.updates() > 0);

    QString phase;
    if (!s.forward_done())
        phase = tr("Forward pass: %1 of %2 operations computed").arg(s.forward_position()).arg(n);
    else if (!backwardStarted)
        phase = tr("Forward pass done. Step backward to send ∂L/∂L = 1 back through the graph.");
    else if (!s.backward_done())
        phase = tr("Backward pass: %1 of %2 nodes run (blue), the current one in orange").arg(s.backward_position()).arg(n);
    else
        phase = tr("Backward pass done: every parameter has its gradient. Update applies SGD (lr = %1).").arg(s.learning_rate());
    m_status->setText(phase + (s.updates() ? tr("  ·  updates so far: %1").arg(s.updates()) : QString()));
    m_loss->setText(s.forward_done() ? tr("loss L = %1").arg(s.loss().item(), 0, 'g', 6) : QString());
    if (s.current()) m_selected = static_cast<int>(*s.current());
    showDetail();
    publishState();
}

void BackpropPage::registerLessonHooks() {
    FactRegistry* f = m_context.facts;
    if (!f) return;
    const std::pair<const char*, void (BackpropPage::*)()> actions[] = {
        {"backprop.step", &BackpropPage::step},          {"backprop.step_forward", &BackpropPage::stepForward},
        {"backprop.step_backward", &BackpropPage::stepBackward}, {"backprop.run_to_end", &BackpropPage::runToEnd},
        {"backprop.back", &BackpropPage::backOneStep},   {"backprop.restart", &BackpropPage::restart},
        {"backprop.update", &BackpropPage::update},      {"backprop.flow_run", &BackpropPage::runGradientFlow}};
    for (const auto& [name, slot] : actions) f->addAction(QString::fromLatin1(name), [this, slot = slot] { (this->*slot)(); });
    f->addSetter(QStringLiteral("backprop.example"), [this](const QString& value) -> QString {
        const QString name = value == QLatin1String("mlp") ? QStringLiteral("mnist-mlp") : value;
        if (m_exampleCombo->findData(name) < 0) return tr("backprop.example is neuron, xor or mlp, not %1").arg(value);
        return setExample(name) ? QString() : tr("the %1 example could not be built").arg(value);
    });
    f->setSnapshot(QStringLiteral("backprop"), [this] {
        const QString example = m_exampleCombo->currentData().toString();
        const QStringList tabs{QStringLiteral("stepper"), QStringLiteral("update"), QStringLiteral("flow")};
        return QList<QPair<QString, QString>>{
            {QStringLiteral("backprop.example"), example == QLatin1String("mnist-mlp") ? QStringLiteral("mlp") : example},
            {QStringLiteral("backprop.tab"), tabs.value(m_tabs->currentIndex())}};
    });
    f->addSetter(QStringLiteral("backprop.tab"), [this](const QString& value) -> QString {
        // stepper (the node details), update, flow; "details" is the stepper tab's title.
        const QStringList tabs{QStringLiteral("stepper"), QStringLiteral("update"), QStringLiteral("flow")};
        const int i = value == QLatin1String("details") ? 0 : tabs.indexOf(value);
        if (i < 0) return tr("the Backprop page's tabs are stepper, update and flow, not %1").arg(value);
        m_tabs->setCurrentIndex(i);
        return {};
    });
}

void BackpropPage::publishState() {
    FactRegistry* f = m_context.facts;
    if (!f) return;
    const QString example = m_exampleCombo->currentData().toString();
    f->set(QStringLiteral("backprop.example"), example == QLatin1String("mnist-mlp") ? QStringLiteral("mlp") : example);
    if (!m_session) return;
    const auto& s = *m_session;
    const QString phase = !s.forward_done() ? QStringLiteral("forward") : !s.backward_done() ? QStringLiteral("backward")
                          : s.updates() > 0 ? QStringLiteral("update") : QStringLiteral("done");
    f->set(QStringLiteral("backprop.phase"), phase);
    f->set(QStringLiteral("backprop.step"), static_cast<double>(s.step_count()));
    f->set(QStringLiteral("backprop.updates"), static_cast<double>(s.updates()));
    f->set(QStringLiteral("backprop.finished"), s.backward_done());
    if (s.forward_done()) f->set(QStringLiteral("backprop.loss"), s.loss().item());
    if (m_selected < 0 || m_selected >= static_cast<int>(s.nodes().size())) return;
    const auto& node = s.nodes()[static_cast<size_t>(m_selected)];
    f->set(QStringLiteral("backprop.selected.op"), QString::fromStdString(node.op));
    f->set(QStringLiteral("backprop.selected.id"), static_cast<double>(m_selected + 1));
    const bool computed = s.backward_position() > 0 || static_cast<size_t>(m_selected) < s.forward_position();
    if (computed && node.output.numel() > 0) f->set(QStringLiteral("backprop.selected.value"), node.output.to_vector().front());
    if (const bp::train::StepGrad* g = s.grad(static_cast<size_t>(m_selected))) {
        if (g->grad_output.defined() && g->grad_output.numel() > 0)
            f->set(QStringLiteral("backprop.selected.grad"), g->grad_output.to_vector().front());
        double diff = -1;
        for (const auto& c : g->checks)
            if (c.available) diff = std::max(diff, c.max_abs_diff);
        if (diff >= 0) f->set(QStringLiteral("backprop.max_abs_diff"), diff);
    }
}

QString BackpropPage::detailOpName() const {
    if (!m_session || m_selected < 0) return {};
    return QString::fromStdString(m_session->nodes()[static_cast<size_t>(m_selected)].op);
}

void BackpropPage::selectNode(int id) {
    if (!m_session || id < 0 || id >= static_cast<int>(m_session->nodes().size())) return;
    m_selected = id;
    showDetail();
    publishState();
}

void BackpropPage::showDetail() {
    while (QLayoutItem* item = m_detailGrid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    if (!m_session || m_selected < 0) {
        m_detailTitle->setText(m_session ? tr("Step forward (→) to compute the first operation, or click a node.") : QString());
        m_formula->clear();
        return;
    }
    const auto& s = *m_session;
    const auto& node = s.nodes()[static_cast<size_t>(m_selected)];
    const bool computed = s.backward_position() > 0 || static_cast<size_t>(m_selected) < s.forward_position();
    m_detailTitle->setText(tr("Node %1: %2%3").arg(m_selected + 1).arg(QString::fromStdString(node.op))
                               .arg(node.attrs.empty() ? QString() : QStringLiteral("  (%1)").arg(QString::fromStdString(node.attrs))));
    const double pt = theme::baseFont().pointSizeF() * theme::fontScale(m_appearance) * 1.15;
    m_formula->setText(QStringLiteral("<span style='font-size:%1pt'>forward: <b>%2</b><br>local derivative: <b>%3</b></span>")
                           .arg(pt, 0, 'f', 1)
                           .arg(QString::fromStdString(node.formula.forward).toHtmlEscaped(),
                                QString::fromStdString(node.formula.derivative).toHtmlEscaped()));
    const bp::train::StepGrad* g = s.grad(static_cast<size_t>(m_selected));
    const bool dark = m_appearance.dark;
    const double sc = theme::fontScale(m_appearance);
    const double f32tol = 1e-3, f64tol = 1e-6;

    int row = 0;
    const QStringList heads{tr("input"), tr("value"), tr("gradient sent to it (analytic)"), tr("numerical (central differences)")};
    m_detailGrid->addWidget(headerLabel(tr("output value")), row, 1);
    m_detailGrid->addWidget(headerLabel(tr("upstream gradient ∂L/∂output")), row, 2, 1, 2);
    ++row;
    m_detailGrid->addWidget(wrapLabel(tr("output\n%1").arg(shapeText(node.output.shape()))), row, 0, Qt::AlignTop);
    if (computed) m_detailGrid->addWidget(valueWidget(node.output, dark, sc), row, 1);
    else m_detailGrid->addWidget(wrapLabel(tr("not computed yet")), row, 1, Qt::AlignTop);
    auto* up = new QWidget;
    auto* uv = new QVBoxLayout(up);
    uv->setContentsMargins(0, 0, 0, 0);
    uv->addWidget(g ? valueWidget(g->grad_output, dark, sc) : wrapLabel(tr("arrives when the backward pass reaches this node")));
    m_detailGrid->addWidget(up, row, 2, 1, 2);
    ++row;
    for (int c = 0; c < heads.size(); ++c) m_detailGrid->addWidget(headerLabel(heads[c]), row, c);
    ++row;
    for (size_t k = 0; k < node.inputs.size(); ++k) {
        const bp::Tensor& in = node.inputs[k];
        if (!in.defined()) continue;
        m_detailGrid->addWidget(wrapLabel(tr("input %1: %2\n%3").arg(k + 1).arg(QString::fromStdString(node.input_names[k]),
                                                                            shapeText(in.shape()))), row, 0, Qt::AlignTop);
        m_detailGrid->addWidget(valueWidget(in, dark, sc), row, 1);
        if (!node.needs_grad[k]) {
            m_detailGrid->addWidget(wrapLabel(tr("none needed (no parameter behind it)")), row, 2, 1, 2, Qt::AlignTop);
        } else if (!g) {
            m_detailGrid->addWidget(wrapLabel(tr("not yet: step backward to this node")), row, 2, 1, 2, Qt::AlignTop);
        } else {
            m_detailGrid->addWidget(valueWidget(g->grad_inputs[k], dark, sc), row, 2);
            // The numerical gradient and its largest difference from the analytic one, in one column.
            const auto& c = g->checks[k];
            auto* cell = new QWidget;
            auto* cv = new QVBoxLayout(cell);
            cv->setContentsMargins(0, 0, 0, 0);
            if (c.available) {
                const double tol = in.dtype() == bp::DType::f64 ? f64tol : f32tol;
                auto* d = wrapLabel(tr("max |analytic − numerical| = %1  %2").arg(c.max_abs_diff, 0, 'g', 3)
                                        .arg(c.max_abs_diff < tol ? QStringLiteral("✓") : QStringLiteral("✗")));
                d->setObjectName(QStringLiteral("maxDiff"));
                d->setStyleSheet(c.max_abs_diff < tol ? QStringLiteral("color: %1; font-weight: bold").arg(dark ? "#7ee08a" : "#1a7f37")
                                                      : QStringLiteral("color: #d1242f; font-weight: bold"));
                cv->addWidget(d);
            }
            if (!c.available) {
                cv->addWidget(wrapLabel(tr("no numerical check for this op")));
            } else if (static_cast<int64_t>(c.indices.size()) == c.numel) {
                cv->addWidget(valueWidget(bp::Tensor::from_vector(in.shape(), c.numeric, bp::DType::f64), dark, sc));
            } else {
                cv->addWidget(wrapLabel(tr("%1 of %2 entries checked (evenly spaced), e.g. entry %3: numerical %4, analytic %5")
                                            .arg(c.indices.size()).arg(c.numel).arg(c.indices[c.indices.size() / 2])
                                            .arg(num(c.numeric[c.numeric.size() / 2]), num(c.analytic[c.analytic.size() / 2]))));
            }
            cv->addStretch(1);
            m_detailGrid->addWidget(cell, row, 3);
        }
        ++row;
    }
    m_detailGrid->setRowStretch(row, 1);
    for (int c = 1; c <= 3; ++c) m_detailGrid->setColumnStretch(c, 1);
}

void BackpropPage::stepForward() {
    if (m_session && m_session->step_forward()) refresh();
}

void BackpropPage::stepBackward() {
    if (m_session && m_session->step_backward()) refresh();
}

void BackpropPage::step() {
    if (!m_session) return;
    if (!m_session->forward_done()) stepForward();
    else stepBackward();
}

void BackpropPage::runToEnd() {
    if (!m_session) return;
    m_session->run_to_end_of_pass();
    refresh();
}

void BackpropPage::backOneStep() {
    if (!m_session) return;
    m_session->back_one_step();
    refresh();
}

void BackpropPage::restart() {
    if (!m_session) return;
    m_session->restart();
    m_selected = -1;
    refresh();
}

void BackpropPage::update() {
    if (!m_session) return;
    const double before = m_session->loss().item();
    const auto changes = m_session->update();
    const double after = m_session->loss().item();
    m_updateTable->setRowCount(0);
    for (const auto& c : changes) {
        const size_t shown = std::min<size_t>(c.before.size(), 8);
        for (size_t i = 0; i < shown; ++i) {
            const int r = m_updateTable->rowCount();
            m_updateTable->insertRow(r);
            const QStringList cells{i == 0 ? QStringLiteral("%1 %2").arg(QString::fromStdString(c.name), shapeText(c.shape)) : QString(),
                                    QString::number(i), num(c.before[i]), num(c.grad[i]), num(c.after[i])};
            for (int col = 0; col < cells.size(); ++col) m_updateTable->setItem(r, col, new QTableWidgetItem(cells[col]));
        }
    }
    m_updateSummary->setText(tr("SGD step %1, lr = %2: every parameter moved by −lr·∂L/∂w (the first 8 entries of each are listed). "
                                "Loss with the old weights %3, with the new ones %4.")
                                 .arg(m_session->updates()).arg(m_session->learning_rate()).arg(num(before), num(after)));
    m_selected = -1;
    m_tabs->setCurrentIndex(1);
    refresh();
}

void BackpropPage::runGradientFlow() {
    QApplication::setOverrideCursor(Qt::WaitCursor);
    try {
        const bp::data::ImageDataset train = bp::data::load_image_dataset(
            bp::data::resolve_data_dir(m_context.dataDirOverride.toStdString()), "mnist", "train");
        const struct {
            const char* act;
            SeriesPlot* plot;
        } runs[] = {{"sigmoid", m_flowSigmoid}, {"relu", m_flowRelu}};
        QStringList summary;
        double firstGrad[2] = {0, 0}, depthRatio[2] = {0, 0};  // layer 1's gradient at step 1; layer 1 / layer 6
        int run = 0;
        for (const auto& r : runs) {
            const bp::train::GradientFlow f = bp::train::gradient_flow(train, r.act, 6, 50, 512);
            r.plot->clearData();
            for (size_t l = 0; l < f.norms.size(); ++l) {
                QVector<double> xs, ys;
                for (size_t s = 0; s < f.norms[l].size(); ++s) {
                    xs << static_cast<double>(s + 1);
                    ys << std::max(1e-12, f.norms[l][s]);
                }
                r.plot->appendPoints(static_cast<int>(l), xs, ys);
            }
            summary << tr("%1: layer 1 / layer 6 gradient = %2").arg(r.act).arg(f.norms.front().front() / f.norms.back().front(), 0, 'g', 3);
            firstGrad[run] = f.norms.front().front();
            depthRatio[run] = f.norms.front().front() / f.norms.back().front();
            ++run;
        }
        m_flowStatus->setText(tr("50 steps each on 512 MNIST images. %1").arg(summary.join(QStringLiteral("; "))));
        if (FactRegistry* f = m_context.facts) {
            f->set(QStringLiteral("flow.sigmoid_first_grad"), firstGrad[0]);
            f->set(QStringLiteral("flow.relu_first_grad"), firstGrad[1]);
            f->set(QStringLiteral("flow.ratio"), firstGrad[0] > 0 ? firstGrad[1] / firstGrad[0] : 0.0);
            f->set(QStringLiteral("flow.sigmoid_ratio"), depthRatio[0]);
            f->set(QStringLiteral("flow.relu_ratio"), depthRatio[1]);
            f->set(QStringLiteral("flow.winner"), depthRatio[1] > depthRatio[0] ? QStringLiteral("relu") : QStringLiteral("sigmoid"));
            f->set(QStringLiteral("flow.ran"), true);
        }
    } catch (const std::exception& e) {
        m_flowStatus->setText(tr("Could not run: %1").arg(QString::fromUtf8(e.what())));
    }
    QApplication::restoreOverrideCursor();
}

void BackpropPage::applyAppearance(const Appearance& a) {
    m_appearance = a;
    m_graph->setDark(a.dark);
    m_graph->setFontScale(theme::fontScale(a));
    const PlotStyle style = PlotStyle::make(a.dark, a.presentation);
    m_flowSigmoid->setPlotStyle(style);
    m_flowRelu->setPlotStyle(style);
    QFont title = theme::baseFont();
    title.setPointSizeF(title.pointSizeF() * 1.3 * theme::fontScale(a));
    title.setBold(true);
    m_detailTitle->setFont(title);
    QFont status = theme::baseFont();
    status.setPointSizeF(status.pointSizeF() * 1.1 * theme::fontScale(a));
    m_status->setFont(status);
    status.setBold(true);
    m_loss->setFont(status);
    if (m_session) refresh();
}
