#!/bin/bash
# sanitize.sh — the engine, the CLI and their tests built with clang, AddressSanitizer, UndefinedBehaviorSanitizer
# (float-cast-overflow included, every report fatal) and LeakSanitizer, in build-asan/ (no GUI, no CUDA); then
# the engine tests (not the slow ones), the fuzz seed replays and the hostile corpus. Zero reports = exit 0.
# On 2 cores the first build takes over an hour when the machine is shared (README: 183 of 240 steps in 67
# minutes); later runs rebuild only what changed. Usage: scripts/sanitize.sh [ctest -R regex]
set -euo pipefail
cd "$(dirname "$0")/.."
filter=${1:-}
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
      -DCMAKE_CXX_COMPILER=clang++ -DBP_SANITIZE=ON -DBP_BUILD_GUI=OFF -DBP_CUDA=OFF -DBP_NATIVE=OFF >/dev/null
nice cmake --build build-asan -j"$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export BP_HOSTILE_NO_VLIMIT=1 OMP_NUM_THREADS=1
ctest --test-dir build-asan -L "engine|fuzz|hostile" -LE slow ${filter:+-R "$filter"} --output-on-failure -j2
