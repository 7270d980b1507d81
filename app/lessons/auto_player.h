// auto_player.h — plays a lesson to its end the way a learner who presses every button would: for each step it
// records a predict question's guess, clicks "Do it for me", waits (in the event loop, on the facts the check
// reads) until the check passes, answers the question with the answer the step computes from the learner's own
// run, and goes on. Used by `backprop-studio --run-lesson ID --auto` and by the tests; it drives the real panel.
#pragma once

#include <QString>
#include <QStringList>

class MainWindow;

struct AutoPlayResult {
    bool ok = false;
    QStringList log;     // one line per step: its title, the check's outcome, the facts it read, the answer given
    QString failure;     // the first step that did not pass, and why
    int stepsPassed = 0;
};

/// Plays lesson `id` from step 0. `stepTimeoutMs` bounds the wait for each step's check.
AutoPlayResult autoPlayLesson(MainWindow& window, const QString& id, int stepTimeoutMs = 300000);
