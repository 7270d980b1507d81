// playground_page.h — PlaygroundPage: TensorFlow Playground on our own engine, uncapped. A small network learns to
// separate two classes of points on the plane, live: the decision boundary as a heatmap with the points on it,
// every neuron as a small heatmap of what it computes (hover one to see it large), the weights as edges, and the
// train and test loss and accuracy as curves. Training runs on PlaygroundController's thread; the settings column
// is PlaygroundControls. Save… and Open… keep the state (data, architecture, settings) in a JSON file.
#pragma once

#include <QWidget>
#include <functional>

#include "controllers/playground_controller.h"
#include "core/page.h"

namespace bp::train {
struct StepperProblem;
}
class DecisionBoundaryView;
class NetworkDiagram;
class PlaygroundControls;
class QCheckBox;
class QLabel;
class QPushButton;
class SeriesPlot;

class PlaygroundPage : public QWidget, public AppearanceAware {
    Q_OBJECT
public:
    explicit PlaygroundPage(const AppContext& context, QWidget* parent = nullptr);
    ~PlaygroundPage() override;

    void applyAppearance(const Appearance& appearance) override;

    /// Writes the state to `path`; false (and the reason in the message line) on failure.
    bool saveState(const QString& path);
    /// Reads a state and shows it; on failure the message line names the file and the page keeps its state.
    bool openState(const QString& path);

    PlaygroundController* controller() const { return m_controller; }
    PlaygroundControls* controls() const { return m_controls; }
    DecisionBoundaryView* boundaryView() const { return m_boundary; }
    NetworkDiagram* diagram() const { return m_diagram; }
    SeriesPlot* lossPlot() const { return m_lossPlot; }
    SeriesPlot* accuracyPlot() const { return m_accPlot; }
    QPushButton* playButton() const { return m_play; }
    QPushButton* stepButton() const { return m_step; }
    QPushButton* resetButton() const { return m_reset; }
    QPushButton* backpropButton() const { return m_backprop; }
    /// Builds, each time it is called, the network shown in the latest frame with its weights and the first
    /// mini-batch of its training points, for the Backprop page's stepper. Throws when no frame has arrived yet.
    std::function<bp::train::StepperProblem()> stepperProblem() const;
    QLabel* messageLabel() const { return m_message; }
    QLabel* metricsLabel() const { return m_metrics; }
    /// The latest frame shown (empty before the first).
    const PlaygroundFrame& lastFrame() const { return m_frame; }
    int framesShown() const { return m_framesShown; }

signals:
    void frameShown();
    /// "Step through backprop" was pressed (training is paused): MainWindow opens stepperProblem() in the Backprop page.
    void stepThroughBackpropRequested();

private:
    void showFrame(const PlaygroundFrame& f);
    void configEdited(const bp::playground::Config& c);
    void showMessage(const QString& text, bool error);
    void saveDialog();
    void openDialog();

    AppContext m_context;
    PlaygroundController* m_controller;
    PlaygroundControls* m_controls;
    DecisionBoundaryView* m_boundary;
    NetworkDiagram* m_diagram;
    SeriesPlot *m_lossPlot, *m_accPlot;
    QPushButton *m_play, *m_step, *m_reset, *m_backprop, *m_save, *m_open;
    QCheckBox* m_showTest;
    QLabel *m_metrics, *m_message, *m_hoverHint;
    PlaygroundFrame m_frame;
    int m_framesShown = 0;
    int m_lossTrain = 0, m_lossTest = 1, m_accTrain = 0, m_accTest = 1;
};
