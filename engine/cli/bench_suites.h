// bench_suites.h — the `backprop bench` suites that live outside cmd_bench.cpp, and the helpers they share.
#pragma once

#include <string>
#include <vector>

#include "args.h"

namespace bp::cli {

int bench_ops(const Args& args);       // bench_ops.cpp
int bench_accuracy(const Args& args);  // bench_accuracy.cpp

/// Runs a command and returns its stdout; its exit status in *status (-1 when it could not run).
std::string run_capture(const std::string& cmd, int* status);
std::string shell_quote(const std::string& s);
/// tools/pytorch_reference/<name> beside the sources or the build; empty when not found.
std::string find_reference_script(const std::string& name);

}  // namespace bp::cli
