// backprop_page.h — BackpropPage: walk through the forward and backward pass of a small network one operation
// at a time (bp::train::StepperSession), see each node's formulas, values, upstream gradient, the gradients it
// sends to its inputs and a finite-difference check, take an SGD step, and compare gradient flow in a deep
// sigmoid vs ReLU MLP. Everything runs on the GUI thread: these graphs take milliseconds.
#pragma once

#include <QWidget>
#include <functional>
#include <memory>

#include "core/page.h"

namespace bp::train {
class StepperSession;
struct StepperProblem;
}
class GraphView;
class QComboBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QTabWidget;
class QTableWidget;
class SeriesPlot;

class BackpropPage : public QWidget, public AppearanceAware {
    Q_OBJECT
public:
    explicit BackpropPage(const AppContext& context, QWidget* parent = nullptr);
    ~BackpropPage() override;

    /// Switches to "neuron", "xor" or "mnist-mlp"; false if it cannot be built (the page says why).
    bool setExample(const QString& name);
    /// Steps through a network made elsewhere (the Playground's "Step through backprop"): `make` builds a fresh
    /// problem each time the example is chosen again; it is listed in the example box as `title` under the
    /// problem's name. False (the page says why) when it cannot be built.
    bool openProblem(const std::function<bp::train::StepperProblem()>& make, const QString& title);
    /// Shows node `id` (forward order) in the detail panel.
    void selectNode(int id);
    int selectedNode() const { return m_selected; }
    /// The op name shown in the detail panel's title.
    QString detailOpName() const;

    void stepForward();
    void stepBackward();
    void step();  ///< forward while the forward pass is shown, else backward (Right arrow)
    void runToEnd();
    void backOneStep();
    void restart();
    void update();
    void runGradientFlow();

    void applyAppearance(const Appearance& appearance) override;

    bp::train::StepperSession* session() const { return m_session.get(); }
    GraphView* graph() const { return m_graph; }
    QComboBox* exampleCombo() const { return m_exampleCombo; }
    QPushButton* stepForwardButton() const { return m_stepForward; }
    QPushButton* stepBackwardButton() const { return m_stepBackward; }
    QPushButton* runButton() const { return m_run; }
    QPushButton* backButton() const { return m_back; }
    QPushButton* restartButton() const { return m_restart; }
    QPushButton* updateButton() const { return m_update; }
    QPushButton* flowButton() const { return m_flowButton; }
    QTableWidget* updateTable() const { return m_updateTable; }
    QTabWidget* tabs() const { return m_tabs; }
    SeriesPlot* flowPlot(int i) const { return i == 0 ? m_flowSigmoid : m_flowRelu; }

private:
    void registerLessonHooks();
    void publishState();  ///< the stepper's state as facts (backprop.phase, backprop.selected.op, …)
    void onExampleChosen(int index);
    void rebuildGraph();
    void refresh();  // graph state, status line, buttons, detail
    void showDetail();

    AppContext m_context;
    Appearance m_appearance;
    std::unique_ptr<bp::train::StepperSession> m_session;
    std::function<bp::train::StepperProblem()> m_makeProblem;  // the example opened by openProblem, if any
    QString m_problemName;
    int m_selected = -1;

    QComboBox* m_exampleCombo = nullptr;
    QPushButton *m_stepForward = nullptr, *m_stepBackward = nullptr, *m_run = nullptr, *m_back = nullptr,
                *m_restart = nullptr, *m_update = nullptr, *m_flowButton = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_loss = nullptr;
    GraphView* m_graph = nullptr;
    QTabWidget* m_tabs = nullptr;
    QLabel* m_detailTitle = nullptr;
    QLabel* m_formula = nullptr;
    QWidget* m_detailBody = nullptr;
    QGridLayout* m_detailGrid = nullptr;
    QLabel* m_updateSummary = nullptr;
    QTableWidget* m_updateTable = nullptr;
    QLabel* m_flowStatus = nullptr;
    SeriesPlot* m_flowSigmoid = nullptr;
    SeriesPlot* m_flowRelu = nullptr;
};
