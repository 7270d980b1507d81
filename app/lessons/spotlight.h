// spotlight.h — the lesson's spotlight, as in a guided UI tour: everything in the window is dimmed except the
// widget the step is about (and the lesson panel, which stays readable), a bright ring goes round the target
// and an arrow points at it. It is only paint: clicks go through to the widgets underneath.
#pragma once

#include <QPointer>
#include <QTimer>
#include <QWidget>

class Spotlight : public QWidget {
    Q_OBJECT
public:
    explicit Spotlight(QWidget* window);
    /// Points at `target` (null: hides the spotlight).
    void setTarget(QWidget* target);
    QWidget* target() const { return m_target; }
    /// A widget that is never dimmed (the lesson panel).
    void setKeepClear(QWidget* w) { m_keepClear = w; }
    /// The target's rectangle in this overlay's coordinates (empty when none is shown).
    QRect targetRect() const;
    void setDark(bool dark) { m_dark = dark; update(); }

protected:
    void paintEvent(QPaintEvent*) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void follow();

    QPointer<QWidget> m_target, m_keepClear;
    QTimer m_follow;  // layouts move the target without telling anyone: re-place the ring while it is shown
    QRect m_lastRect;
    bool m_dark = false;
};
