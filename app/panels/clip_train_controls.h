// clip_train_controls.h — the CLIP page's controls column: what CLIP-mini is (a short text for learners), the
// dataset (MNIST digits or Fashion-MNIST clothes) and the number of steps, Train / Stop, Open… / Save… of the model
// (io/clip_file, the format `backprop train-clip --out` writes), a progress bar and the run's status. It starts runs
// on the page's ClipController and shows their progress; the model itself arrives through the controller's ready().
#pragma once

#include <QWidget>
#include <memory>

#include "controllers/clip_controller.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

class ClipTrainControls : public QWidget {
    Q_OBJECT
public:
    ClipTrainControls(ClipController* controller, const QString& dataDir, QWidget* parent = nullptr);

    /// The run the widgets describe (testImages / trainLimit: what setLimits set, 0 = all).
    ClipRunConfig config() const;
    /// Tests and quick demos: only the first `trainLimit` training and `testImages` test pictures.
    void setLimits(int64_t trainLimit, int64_t testImages);
    void setDataset(const std::string& dataset);  ///< "mnist" or "fashion-mnist"
    /// The model Save… writes (the latest trained or opened one).
    void setModel(std::shared_ptr<const ClipModel> model);
    bool train();                           ///< what Train does; false while a run goes
    QString openModel(const QString& path);  ///< starts loading it (the result comes as the controller's ready()); empty or the error
    QString saveModel(const QString& path);  ///< empty, or the error

    QSpinBox* stepsSpin() const { return m_steps; }
    QComboBox* datasetCombo() const { return m_dataset; }
    QPushButton* trainButton() const { return m_train; }
    QPushButton* stopButton() const { return m_stop; }
    QLabel* statusLabel() const { return m_status; }

private:
    ClipController* m_clip;
    QString m_dataDir;
    std::shared_ptr<const ClipModel> m_model;
    int64_t m_trainLimit = 0, m_testImages = 0;
    QComboBox* m_dataset = nullptr;
    QSpinBox* m_steps = nullptr;
    QPushButton* m_train = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_open = nullptr;
    QPushButton* m_save = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_modelInfo = nullptr;
};
