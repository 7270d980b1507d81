#!/usr/bin/env bash
# Configure and build Backprop Studio (Release, Ninja) into ./build.
# Extra arguments go to the cmake configure step, e.g. scripts/build.sh -DBP_CUDA=OFF
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."   # repo root

# A build/ configured with another generator cannot be reused with -G Ninja.
if [[ -f build/CMakeCache.txt ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' build/CMakeCache.txt; then
    echo "build.sh: build/ was configured with a different generator; remove it (rm -rf build) and rerun" >&2
    exit 1
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build -j"$(nproc)"
