// run_buttons.h — the Start / Stop / Pause / Resume / Step box under the Train page's settings, enabled by the
// training controller's state. The page connects the buttons; this panel only lays them out and greys them.
#pragma once

#include <QGroupBox>

#include "controllers/training_controller.h"

class QPushButton;

class RunButtons : public QGroupBox {
    Q_OBJECT
public:
    explicit RunButtons(QWidget* parent = nullptr);
    void setState(TrainingController::State s);

    QPushButton* start() const { return m_start; }
    QPushButton* pause() const { return m_pause; }
    QPushButton* resume() const { return m_resume; }
    QPushButton* step() const { return m_step; }
    QPushButton* stop() const { return m_stop; }

private:
    QPushButton* m_start = nullptr;
    QPushButton* m_pause = nullptr;
    QPushButton* m_resume = nullptr;
    QPushButton* m_step = nullptr;
    QPushButton* m_stop = nullptr;
};
