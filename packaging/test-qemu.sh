#!/usr/bin/env bash
# packaging/test-qemu.sh — the packaged CLI on older CPUs: trains under qemu-user's Nehalem (SSE4.2, no AVX) and
# Haswell (AVX2 + FMA, no AVX-512) models with no illegal instruction, picks the kernels built for that CPU
# (glibc-hwcaps), and reaches the same losses as on this machine's CPU within float tolerance.
#
#   packaging/test-qemu.sh [build/backprop-studio_VERSION_amd64.deb | an unpacked package folder]
#
# Needs qemu-user (qemu-x86_64) and dpkg-deb; no root. The package is unpacked into a temporary folder and run
# from there with its own MNIST. The run is short: 200 Adam steps of the MLP on the first 6,400 training images,
# tested on 1,000, on one thread. Exit 0 when every CPU model passed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."   # repo root

die() { echo "test-qemu: $*" >&2; exit 1; }
command -v qemu-x86_64 >/dev/null || die "qemu-x86_64 is missing; apt-get install qemu-user"

deb=${1:-}
if [[ -z $deb ]]; then
    shopt -s nullglob
    debs=(build/backprop-studio_*_amd64.deb)
    ((${#debs[@]} == 1)) || die "give the .deb to test (found ${#debs[@]} in build/); build it with scripts/package.sh"
    deb=${debs[0]}
fi
[[ -e $deb ]] || die "no such file: $deb"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [[ -d $deb ]]; then
    cp -a "$deb/." "$dir/"   # an unpacked package (e.g. DESTDIR of `cmake --install build/package`)
else
    dpkg-deb -x "$deb" "$dir"
fi
cli=$dir/usr/bin/backprop
data=$dir/usr/share/backprop-studio
[[ -x $cli ]] || die "$deb holds no usr/bin/backprop"

train_args=(train --model mlp --epochs 1 --train-limit 6400 --test-limit 1000 --threads 1 --data-dir "$data"
            --quiet --report)

# run NAME EXPECTED_SIMD [qemu-x86_64 -cpu MODEL]: `backprop info` and the short training, on that CPU.
declare -A loss
run() {
    local name=$1 want=$2
    shift 2
    local simd
    simd=$("$@" "$cli" info --data-dir "$data" 2>/dev/null | sed -n 's/^simd *//p')  # no qemu TCG notes
    [[ $simd == "$want"* ]] || die "$name: backprop info says simd '$simd', expected $want"
    local t0=$SECONDS
    "$@" "$cli" "${train_args[@]}" "$dir/$name.json" >"$dir/$name.log" 2>&1 ||
        { tail -5 "$dir/$name.log" >&2; die "$name: training failed (exit $?)"; }
    loss[$name]=$(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["epochs"][-1]["test_loss"])' \
        "$dir/$name.json" 2>/dev/null) || die "$name: no test loss in the report"
    printf '%-10s simd %-28s test loss %s  (%ds)\n' "$name" "$simd" "${loss[$name]}" $((SECONDS - t0))
}

run native "$(grep -q avx512f /proc/cpuinfo && echo AVX-512 || (grep -q avx2 /proc/cpuinfo && echo AVX2 || echo SSE2))"
run haswell AVX2 qemu-x86_64 -cpu Haswell
run nehalem SSE2 qemu-x86_64 -cpu Nehalem

# Same data, seed and order: only the rounding of FMA vs mul+add and the vector width differ.
for name in haswell nehalem; do
    /usr/bin/python3 -c 'import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); d=abs(a-b)/abs(b); print(f"{sys.argv[3]:<10} vs native: relative difference {d:.2e}"); sys.exit(d > 1e-2)' \
        "${loss[$name]}" "${loss[native]}" "$name" || die "$name: test loss ${loss[$name]} differs from native ${loss[native]} by more than 1%"
done
echo "test-qemu: PASS (Nehalem and Haswell models: no illegal instruction, the matching kernels, the native loss within 1%)"
