#!/usr/bin/env bash
# scripts/package.sh — build the Debian package: build/backprop-studio_VERSION_amd64.deb
#
# A portable build in build/package (-DBP_NATIVE=OFF: plain x86-64; the CPU kernels once more for x86-64-v3 (AVX2)
# and x86-64-v4 (AVX-512), installed in glibc-hwcaps/ folders so the loader picks the best at start-up), then the
# files made from the built binaries (PNG icons from the SVG, man pages by help2man from --help, screenshots
# rendered offscreen after real training, MNIST as .gz with its sums checked), then CPack (dependencies by
# dpkg-shlibdeps), then lintian when it is installed. Incremental: a rerun rebuilds only what changed (ccache is
# used when present). MNIST must be in the data folder first (scripts/setup.sh).
#
#   scripts/package.sh [--no-lintian]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."   # repo root
root=$PWD

run_lintian=1
for arg in "$@"; do
    case "$arg" in
        --no-lintian) run_lintian=0 ;;
        -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "package.sh: unknown option '$arg'" >&2; exit 2 ;;
    esac
done

die() { echo "package.sh: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 is missing; install the Debian package $2"; }
need cmake cmake; need ninja ninja-build; need cpack cmake; need dpkg-shlibdeps dpkg-dev; need help2man help2man
need rsvg-convert librsvg2-bin; need appstreamcli appstream

build=build/package
gen=$build/gen          # laid out as under /usr; installed by packaging/CMakeLists.txt (BP_PACKAGE_GEN_DIR)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)

mkdir -p "$build"   # a clean clone has no build/ yet: the configure log below goes beside it
echo "== configure $build (portable: x86-64 with x86-64-v3 and x86-64-v4 kernels)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBP_CUDA=OFF -DBP_NATIVE=OFF -DBP_BUILD_TESTS=OFF \
    -DBP_ENGINE_SHARED=ON "-DBP_ENGINE_ISA_VARIANTS=x86-64-v3;x86-64-v4" -DBP_GUI_OPTIMIZE=-O1 -DCMAKE_INSTALL_PREFIX=/usr \
    "-DBP_PACKAGE_GEN_DIR=$root/$gen" "${launcher[@]}" >"$build.configure.log" 2>&1 ||
    { tail -20 "$build.configure.log" >&2; die "cmake failed (log: $build.configure.log)"; }

echo "== build"
ninja -C "$build" -j"${BP_JOBS:-2}" backprop backprop-studio

cli=$root/$build/engine/backprop
studio=$root/$build/app/backprop-studio
version=$("$cli" --version | awk '{print $2}')
[[ -n $version ]] || die "could not read the version from $cli --version"

# Everything in gen/ is made again, but the compressed MNIST, which is kept when its content's sums still match.
mkdir -p "$gen"
find "$gen" -mindepth 1 -maxdepth 1 ! -name share -exec rm -rf {} +
find "$gen/share" -mindepth 1 -maxdepth 1 ! -name backprop-studio -exec rm -rf {} + 2>/dev/null || true
find "$gen/share/backprop-studio" -mindepth 1 -maxdepth 1 ! -name mnist -exec rm -rf {} + 2>/dev/null || true

echo "== icons"
for size in 16 22 24 32 48 64 128 256 512; do
    d=$gen/share/icons/hicolor/${size}x${size}/apps
    mkdir -p "$d"
    rsvg-convert -w "$size" -h "$size" packaging/icons/backprop-studio.svg -o "$d/backprop-studio.png"
done

echo "== man pages (help2man)"
mkdir -p "$gen/share/man/man1"
help2man --no-info --section=1 --name="train neural networks from the command line (Backprop Studio)" \
    --version-string="$version" "$cli" >"$gen/share/man/man1/backprop.1"
# The app parses its options after making its QApplication: offscreen needs no display.
QT_QPA_PLATFORM=offscreen help2man --no-info --section=1 \
    --name="learn how neural networks work by training real ones" --version-string="$version" \
    "$studio" >"$gen/share/man/man1/backprop-studio.1"
gzip -9nf "$gen/share/man/man1/"*.1

echo "== MNIST (checked against the sums in scripts/setup.sh)"
data_dir=${BP_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/backprop-studio}
mkdir -p "$gen/share/backprop-studio/mnist"
for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    want=$(sed -n "s/^ *\[$name\]=\([0-9a-f]\{64\}\)\$/\1/p" scripts/setup.sh)
    [[ -n $want ]] || die "no sha256 for $name in scripts/setup.sh"
    src=$data_dir/mnist/$name
    out=$gen/share/backprop-studio/mnist/$name.gz
    if [[ -f $out ]] && [[ $(gzip -dc "$out" | sha256sum | cut -d' ' -f1) == "$want" ]]; then
        continue   # made by an earlier run
    fi
    if [[ -f $src ]]; then
        have=$(sha256sum <"$src" | cut -d' ' -f1)
        gzip -9nc "$src" >"$out.tmp"
    elif [[ -f $src.gz ]]; then
        have=$(gzip -dc "$src.gz" | sha256sum | cut -d' ' -f1)
        gzip -dc "$src.gz" | gzip -9n >"$out.tmp"
    else
        die "MNIST is not in $data_dir/mnist; run scripts/setup.sh first"
    fi
    [[ $have == "$want" ]] || { rm -f "$out.tmp"; die "$src: sha256 $have, expected $want; run scripts/setup.sh again"; }
    mv -f "$out.tmp" "$out"
done

echo "== screenshots (offscreen, after real training)"
shots=$gen/share/backprop-studio/screenshots
mkdir -p "$shots"
export QT_QPA_PLATFORM=offscreen
"$studio" --screenshot train --demo --theme light --size 1400x900 --out "$shots/train.png" >/dev/null
"$studio" --screenshot draw --demo --digit 0 --theme light --size 1400x900 --out "$shots/draw.png" >/dev/null
unset QT_QPA_PLATFORM

echo "== docs"
doc=$gen/share/doc/backprop-studio
mkdir -p "$doc"
install -m 0644 packaging/copyright "$doc/copyright"
# A native package's changelog: one entry for this version, dated by the last commit (reproducible).
date_r=$(git log -1 --format=%cD 2>/dev/null || date -R)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
printf 'backprop-studio (%s) unstable; urgency=medium\n\n  * Built from commit %s by scripts/package.sh.\n\n -- %s  %s\n' \
    "$version" "$commit" "Backprop Studio maintainers <maintainers@users.noreply.b-seed-e763e196.example>" "$date_r" |
    gzip -9n >"$doc/changelog.gz"

echo "== AppStream metainfo"
appstreamcli validate --no-net packaging/*.metainfo.xml

echo "== package (cpack)"
rm -f "$build"/backprop-studio_*_amd64.deb
(cd "$build" && cpack -G DEB >cpack.log 2>&1) || { tail -30 "$build/cpack.log" >&2; die "cpack failed (log: $build/cpack.log)"; }
grep -i "warning" "$build/cpack.log" | grep -v "^CPack: - " || true
deb=build/backprop-studio_${version}_amd64.deb
mv -f "$build/backprop-studio_${version}_amd64.deb" "$deb.tmp"
mv -f "$deb.tmp" "$deb"
dpkg-deb --field "$deb" Package Version Architecture Depends Recommends Installed-Size

if ((run_lintian)) && command -v lintian >/dev/null; then
    echo "== lintian"
    lintian --info --display-info "$deb" || true
fi
echo "package.sh: built $deb ($(du -h "$deb" | cut -f1))"
