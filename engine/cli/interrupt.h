// interrupt.h — Ctrl-C (SIGINT) and SIGTERM during a long command: the first signal asks the trainer to stop
// at the next batch (the command then saves what it has and exits 130 / 143); a second one exits at once,
// removing the temporary file of a save in progress, so nothing partial is left behind.
#pragma once

#include <functional>

namespace bp::cli {

class InterruptGuard {
public:
    /// Installs the handlers; `on_first` runs once, on a helper thread (not in the handler), at the first signal.
    explicit InterruptGuard(std::function<void()> on_first);
    /// Restores the previous handlers and joins the helper thread.
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

    /// The first signal received (SIGINT, SIGTERM), or 0.
    static int signal_number();
    /// 128 + signal_number(): 130 for SIGINT, 143 for SIGTERM.
    static int exit_code();
    static const char* signal_name();
};

}  // namespace bp::cli
