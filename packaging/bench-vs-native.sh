#!/usr/bin/env bash
# packaging/bench-vs-native.sh — training speed of the packaged CLI against a -march=native build, same machine,
# same run, interleaved (native, packaged, native, packaged, ...) so that the load of a shared machine falls on
# both alike. Each measurement is one epoch of `backprop train` on one thread; the epoch time is read from its
# JSON report (epoch_seconds, the training pass without the evaluation). Prints each round and the medians.
#
#   packaging/bench-vs-native.sh NATIVE_BACKPROP [DEB] [ROUNDS]
#
# NATIVE_BACKPROP: the `backprop` of a source build (default option BP_NATIVE=ON), e.g. build/engine/backprop.
# Models: the MLP on all 60,000 training images (batch 32) and the CNN on the first 6,400 (batch 64).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."   # repo root

die() { echo "bench-vs-native: $*" >&2; exit 1; }
native=${1:-}
[[ -x $native ]] || die "give the native build's backprop (e.g. build/engine/backprop)"
deb=${2:-}
if [[ -z $deb ]]; then
    shopt -s nullglob
    debs=(build/backprop-studio_*_amd64.deb)
    ((${#debs[@]} == 1)) || die "give the .deb (found ${#debs[@]} in build/)"
    deb=${debs[0]}
fi
rounds=${3:-5}

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [[ -d $deb ]]; then
    cp -a "$deb/." "$dir/"   # an unpacked package (e.g. DESTDIR of `cmake --install build/package`)
else
    dpkg-deb -x "$deb" "$dir"
fi
cp "$native" "$dir/native-backprop"   # a copy: a rebuild of that tree during the run changes nothing here
packaged=$dir/usr/bin/backprop
data=$dir/usr/share/backprop-studio

echo "native:   $("$dir/native-backprop" info | sed -n 's/^simd *//p')"
echo "packaged: $("$packaged" info --data-dir "$data" | sed -n 's/^simd *//p')"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15-minute load average; $(nproc) cores)"

epoch_seconds() {  # BINARY MODEL [train args...] -> seconds of the epoch
    local bin=$1 model=$2
    shift 2
    "$bin" train --model "$model" --epochs 1 --threads 1 --test-limit 500 --data-dir "$data" --quiet \
        --report "$dir/r.json" "$@" >/dev/null
    /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["epochs"][0]["epoch_seconds"])' "$dir/r.json"
}

declare -A times
for model in mlp cnn; do
    args=()
    [[ $model == cnn ]] && args=(--train-limit 6400)
    for ((r = 1; r <= rounds; r++)); do
        n=$(epoch_seconds "$dir/native-backprop" $model "${args[@]}")
        p=$(epoch_seconds "$packaged" $model "${args[@]}")
        times[$model.native]+="$n "
        times[$model.packaged]+="$p "
        printf '%s round %d: native %.3f s  packaged %.3f s  (packaged/native %.3f)\n' $model "$r" "$n" "$p" \
            "$(/usr/bin/python3 -c "print($p/$n)")"
    done
done
for model in mlp cnn; do
    /usr/bin/python3 - "$model" "${times[$model.native]}" "${times[$model.packaged]}" <<'PY'
import statistics, sys
model, native, packaged = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
mn, mp = statistics.median(native), statistics.median(packaged)
print(f"{model}: median epoch native {mn:.3f} s, packaged {mp:.3f} s: packaged/native {mp / mn:.3f} "
      f"(best {min(native):.3f} vs {min(packaged):.3f}: {min(packaged) / min(native):.3f})")
PY
done
