#!/bin/bash
# run.sh — builds the libFuzzer targets with clang (ASan + UBSan) from only the sources each reader needs (about
# a minute each; no engine build) into build-fuzz/, and runs each for SECONDS (default 300) on its seed corpus,
# keeping new inputs in build-fuzz/corpus/<name> and crashes in build-fuzz/crashes/<name>. Copy a crash into
# tools/fuzz/corpus/<name>/ so that ctest replays it from then on (label fuzz).
# Usage: tools/fuzz/run.sh [SECONDS] [TARGET...]      (targets: safetensors idx image)
# (A full clang build is also possible: cmake -DBP_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ builds fuzz_<name>.)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors idx image)
mkdir -p build-fuzz/generated/bp
[ -f build-fuzz/generated/bp/build_info.h ] || : > build-fuzz/generated/bp/build_info.h
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -Iengine/include -Iengine/src -Ibuild-fuzz/generated)
common=(engine/src/io/atomic_file.cpp engine/src/errors.cpp)
for t in "${targets[@]}"; do
    case $t in
        safetensors) srcs=(engine/src/io/safetensors.cpp engine/src/io/json_checks.cpp) libs=() ;;
        idx) srcs=(engine/src/data/idx.cpp) libs=(-lz) ;;
        image) srcs=(engine/src/io/image.cpp) libs=() ;;
        *) echo "unknown target $t" >&2; exit 2 ;;
    esac
    echo "== building fuzz_$t"
    nice clang++ "${flags[@]}" -Wno-everything "tools/fuzz/fuzz_$t.cpp" "${srcs[@]}" "${common[@]}" "${libs[@]}" -o "build-fuzz/fuzz_$t"
done
for t in "${targets[@]}"; do
    mkdir -p "build-fuzz/corpus/$t" "build-fuzz/crashes/$t"
    echo "== fuzz_$t for ${secs}s"
    "build-fuzz/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="build-fuzz/crashes/$t/" "build-fuzz/corpus/$t" "tools/fuzz/corpus/$t" 2>&1 |
        grep -E "DONE|ERROR|SUMMARY|^Done" | tail -3
done
