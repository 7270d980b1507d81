#!/usr/bin/env bash
# Set up, build and run the test suite. Arguments go to ctest, e.g. -L slow or -LE slow.
# Exits with ctest's status.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."   # repo root

bash scripts/setup.sh
bash scripts/build.sh

exec ctest --test-dir build --output-on-failure -j2 "$@"
