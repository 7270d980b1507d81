#!/bin/bash
# run.sh — builds the libFuzzer targets with clang (ASan + UBSan, engine only: no GUI, no CUDA) in build-fuzz/
# and runs each for SECONDS (default 300) on its seed corpus, keeping new inputs and crashes in
# build-fuzz/corpus/<name>; copy a crash into tools/fuzz/corpus/<name>/ so that ctest replays it from then on.
# Usage: tools/fuzz/run.sh [SECONDS] [TARGET...]      (targets: safetensors idx image)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors idx image)
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
      -DCMAKE_CXX_COMPILER=clang++ -DBP_FUZZ=ON -DBP_BUILD_GUI=OFF -DBP_CUDA=OFF -DBP_NATIVE=OFF >/dev/null
nice cmake --build build-fuzz -j2 --target "${targets[@]/#/fuzz_}"
for t in "${targets[@]}"; do
    mkdir -p "build-fuzz/corpus/$t" "build-fuzz/crashes/$t"
    echo "== fuzz_$t for ${secs}s"
    build-fuzz/fuzz/fuzz_$t -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="build-fuzz/crashes/$t/" "build-fuzz/corpus/$t" "tools/fuzz/corpus/$t" 2>&1 |
        grep -E "^#[0-9]+ +(DONE|pulse)|ERROR|SUMMARY|Done" | tail -3
done
