// interrupt.cpp — see interrupt.h. The handler only stores an atomic and writes one byte to a pipe (both
// async-signal-safe); a helper thread blocked on the pipe calls the trainer's request_cancel, which takes a
// mutex and so must not run inside the handler.
#include "interrupt.h"

#include <atomic>
#include <csignal>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include "bp/io/atomic_file.h"

namespace bp::cli {
namespace {

std::atomic<int> g_signal{0};
int g_pipe[2] = {-1, -1};
struct sigaction g_old_int, g_old_term;
std::thread g_watcher;

extern "C" void on_signal(int sig) {
    int expected = 0;
    if (g_signal.compare_exchange_strong(expected, sig)) {
        const char b = 1;
        [[maybe_unused]] ssize_t n = ::write(g_pipe[1], &b, 1);
        return;
    }
    // The second signal: leave at once, without a half-written temporary file.
    io::remove_pending_temp_file();
    _exit(128 + g_signal.load());
}

}  // namespace

InterruptGuard::InterruptGuard(std::function<void()> on_first) {
    if (::pipe(g_pipe) != 0) return;  // without a pipe, signals keep their default action
    ::fcntl(g_pipe[0], F_SETFD, FD_CLOEXEC);
    ::fcntl(g_pipe[1], F_SETFD, FD_CLOEXEC);
    g_watcher = std::thread([cb = std::move(on_first)] {
        char b = 0;
        while (true) {
            const ssize_t n = ::read(g_pipe[0], &b, 1);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0 || b == 0) return;  // 0: the guard is being destroyed
            if (cb) cb();
        }
    });
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &sa, &g_old_int);
    ::sigaction(SIGTERM, &sa, &g_old_term);
}

InterruptGuard::~InterruptGuard() {
    if (g_pipe[0] < 0) return;
    // Keep handling signals until the process exits (the command is about to return): only stop the watcher.
    const char b = 0;
    [[maybe_unused]] ssize_t n = ::write(g_pipe[1], &b, 1);
    if (g_watcher.joinable()) g_watcher.join();
}

int InterruptGuard::signal_number() { return g_signal.load(); }
int InterruptGuard::exit_code() { return 128 + g_signal.load(); }
const char* InterruptGuard::signal_name() {
    return g_signal.load() == SIGTERM ? "SIGTERM" : g_signal.load() == SIGINT ? "SIGINT" : "no signal";
}

}  // namespace bp::cli
