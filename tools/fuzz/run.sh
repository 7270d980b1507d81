#!/bin/bash
# run.sh — builds the libFuzzer targets with clang (ASan + UBSan) from only the sources each reader needs (about
# a minute each) into build-fuzz/, and runs each for SECONDS (default 300) on its seed corpus,
# keeping new inputs in build-fuzz/corpus/<name> and crashes in build-fuzz/crashes/<name>. Copy a crash into
# tools/fuzz/corpus/<name>/ so that ctest replays it from then on (label fuzz).
# The readers that build models or lint lessons (gpt, lesson) are compiled with coverage and linked with the rest of
# the engine from scripts/sanitize.sh's ASan build (build-asan/engine/libbp_engine.a, built here if missing);
# bench compiles the app's results reader and the widgets' chart with Qt (needs the Qt 6 and QCustomPlot headers).
# Usage: tools/fuzz/run.sh [SECONDS] [TARGET...]      (targets: safetensors idx image gpt bench lesson; 0 s: build only)
# (A full clang build is also possible: cmake -DBP_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ builds fuzz_<name>.)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors idx image gpt bench lesson)
mkdir -p build-fuzz/generated/bp
[ -f build-fuzz/generated/bp/build_info.h ] || : > build-fuzz/generated/bp/build_info.h
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -Iengine/include -Iengine/src -Ibuild-fuzz/generated)
common=(engine/src/io/atomic_file.cpp engine/src/errors.cpp)
engine_lib() {  # the ASan engine of scripts/sanitize.sh, for the targets that need the models or the trainer
    if [ ! -f build-asan/engine/libbp_engine.a ]; then
        cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
              -DCMAKE_CXX_COMPILER=clang++ -DBP_SANITIZE=ON -DBP_BUILD_GUI=OFF -DBP_CUDA=OFF -DBP_NATIVE=OFF >/dev/null
        nice cmake --build build-asan --target bp_engine
    fi
    cmp -s build-asan/engine/generated/bp/build_info.h build-fuzz/generated/bp/build_info.h ||
        cp build-asan/engine/generated/bp/build_info.h build-fuzz/generated/bp/build_info.h  # the version, for gpt_file
    echo build-asan/engine/libbp_engine.a -fopenmp -lz -lpthread
}
qt=/usr/include/x86_64-linux-gnu/qt6
for t in "${targets[@]}"; do
    extra=()
    case $t in
        safetensors) srcs=(engine/src/io/safetensors.cpp engine/src/io/json_checks.cpp) libs=() ;;
        idx) srcs=(engine/src/data/idx.cpp) libs=(-lz) ;;
        image) srcs=(engine/src/io/image.cpp) libs=() ;;
        gpt) srcs=(engine/src/io/gpt_file.cpp engine/src/io/bert_file.cpp engine/src/io/safetensors.cpp
                   engine/src/io/json_checks.cpp engine/src/data/text.cpp engine/src/data/bert_data.cpp
                   engine/src/models/gpt.cpp engine/src/models/bert.cpp)  # the options' readers too
             read -ra libs <<< "$(engine_lib)" ;;
        lesson) srcs=(engine/src/lesson/*.cpp) read -ra libs <<< "$(engine_lib)" ;;
        bench)
            [ build-fuzz/moc_bench_chart.cpp -nt widgets/bench_chart.h ] ||
                /usr/lib/qt6/libexec/moc widgets/bench_chart.h -o build-fuzz/moc_bench_chart.cpp
            srcs=(app/tools/bench_results.cpp app/tools/bench_model_rows.cpp widgets/bench_chart.cpp widgets/plot_style.cpp build-fuzz/moc_bench_chart.cpp)
            extra=(-fPIC -Iapp -Iwidgets -I$qt -I$qt/QtCore -I$qt/QtGui -I$qt/QtWidgets -I$qt/QtCharts)
            libs=(-lQt6Charts -lQt6Widgets -lQt6Gui -lQt6Core -lQCustomPlotQt6) ;;
        *) echo "unknown target $t" >&2; exit 2 ;;
    esac
    # Rebuilt only when a source (or the engine library) is newer than the binary.
    stale=0
    for f in "tools/fuzz/fuzz_$t.cpp" tools/fuzz/fuzz_util.h "${srcs[@]}" "${common[@]}" "${libs[@]}"; do
        [ -f "$f" ] && [ "$f" -nt "build-fuzz/fuzz_$t" ] && stale=1
    done
    [ -f "build-fuzz/fuzz_$t" ] || stale=1
    [ $stale = 0 ] && { echo "== fuzz_$t is up to date"; continue; }
    echo "== building fuzz_$t"
    nice clang++ "${flags[@]}" "${extra[@]}" -Wno-everything "tools/fuzz/fuzz_$t.cpp" "${srcs[@]}" "${common[@]}" \
        "${libs[@]}" -o "build-fuzz/fuzz_$t"
done
[ "$secs" = 0 ] && exit 0
for t in "${targets[@]}"; do
    mkdir -p "build-fuzz/corpus/$t" "build-fuzz/crashes/$t"
    echo "== fuzz_$t for ${secs}s"
    LSAN_OPTIONS=suppressions=tools/fuzz/lsan.supp nice "build-fuzz/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="build-fuzz/crashes/$t/" "build-fuzz/corpus/$t" "tools/fuzz/corpus/$t" 2>&1 |
        grep -E "DONE|ERROR|SUMMARY|^Done" | tail -3 || echo "== fuzz_$t found a problem: see build-fuzz/crashes/$t"
done
