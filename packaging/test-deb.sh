#!/usr/bin/env bash
# packaging/test-deb.sh — install the .deb as a user would, into a fresh Debian 12 (bookworm) root, and use it.
#
#   sudo packaging/test-deb.sh [build/backprop-studio_VERSION_amd64.deb]
#   sudo packaging/test-deb.sh --prepare-root      (only make the cached root)
#
# Makes a minbase root with debootstrap (cached as a tarball in $BP_TEST_CACHE, default
# /var/cache/backprop-studio-test, so a rerun only unpacks it), then inside it: `apt-get install ./the.deb`
# (apt resolves the dependencies from the mirror), `backprop info`, a one-epoch MLP training on the packaged
# MNIST, `backprop predict` on a PNG, `backprop-studio --screenshot train --demo` offscreen; then
# `apt-get purge` and a check that none of the package's files or folders is left. No network is needed by the
# package itself: the root has no data but what the package brings. Exit 0 when every step passed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."   # repo root

die() { echo "test-deb: $*" >&2; exit 1; }
step() { echo; echo "== $*"; }

((EUID == 0)) || die "run as root (debootstrap, chroot)"
for tool in debootstrap chroot tar; do
    command -v "$tool" >/dev/null || die "$tool is missing; apt-get install debootstrap"
done

prepare_only=0
[[ ${1:-} == --prepare-root ]] && { prepare_only=1; shift; }   # only make the cached root tarball
deb=${1:-}
if ((prepare_only)); then
    :
elif [[ -z $deb ]]; then
    shopt -s nullglob
    debs=(build/backprop-studio_*_amd64.deb)
    ((${#debs[@]} == 1)) || die "give the .deb to test (found ${#debs[@]} in build/); build it with scripts/package.sh"
    deb=${debs[0]}
fi
if ((!prepare_only)); then
    [[ -f $deb ]] || die "no such file: $deb"
    deb=$(readlink -f "$deb")
fi

# The Debian mirror this machine uses (its deb822 sources), else deb.debian.org.
mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}

cache=${BP_TEST_CACHE:-/var/cache/backprop-studio-test}
tarball=$cache/bookworm-minbase.tar.gz
mkdir -p "$cache"
if [[ ! -f $tarball ]]; then
    step "debootstrap bookworm minbase from $mirror (once; cached in $tarball)"
    boot=$(mktemp -d "$cache/root.XXXXXX")
    debootstrap --variant=minbase bookworm "$boot" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
        { tail -20 "$cache/debootstrap.log" >&2; rm -rf "$boot"; die "debootstrap failed (log: $cache/debootstrap.log)"; }
    # apt in the root: the same mirror, with updates and security, as on this machine.
    cat >"$boot/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
    tar -C "$boot" -czf "$tarball.tmp" .
    mv -f "$tarball.tmp" "$tarball"
    rm -rf "$boot"
fi
((prepare_only)) && { echo "test-deb: root tarball ready: $tarball"; exit 0; }

root=$(mktemp -d /var/tmp/bp-test-deb.XXXXXX)
chmod 0755 "$root"   # the root of the new system: apt's _apt user must be able to enter it
mounted=()
cleanup() {
    local m
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
    rm -rf --one-file-system "$root"
}
trap cleanup EXIT
step "fresh root in $root"
tar -C "$root" -xzf "$tarball"
for fs in proc sys dev; do
    mount --bind "/$fs" "$root/$fs"
    mounted+=("$root/$fs")
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
in_root() { chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

# What the fresh root holds before the package: purge must bring it back to this.
in_root find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /var -o -path /root \) -prune -o -print |
    sort >"$root/tmp/before.txt"

step "apt-get install ./$(basename "$deb")"
cp "$deb" "$root/tmp/"
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/tmp/$(basename "$deb")" >"$root/tmp/install.log" 2>&1 ||
    { tail -30 "$root/tmp/install.log" >&2; die "apt-get install failed"; }
grep -E "^(Setting up|The following NEW)" "$root/tmp/install.log" | tail -3
in_root dpkg -L backprop-studio | sort >"$root/tmp/package-files.txt"
echo "installed $(wc -l <"$root/tmp/package-files.txt") paths"

step "backprop info"
in_root backprop info | tee "$root/tmp/info.txt"
grep -q "^dataset    mnist .*/usr/share/backprop-studio/mnist  train 60000, test 10000" "$root/tmp/info.txt" ||
    die "backprop info does not list the packaged MNIST"
grep -q "^simd" "$root/tmp/info.txt" || die "backprop info has no simd line"

step "one epoch of the MLP on the packaged MNIST"
in_root sh -c 'cd /tmp && backprop train --model mlp --epochs 1 --out /tmp/mlp.safetensors' | tee "$root/tmp/train.txt" | tail -4
acc=$(sed -n 's/.*test accuracy \([0-9.]*\)%.*/\1/p' "$root/tmp/train.txt" | tail -1)
[[ -n $acc ]] || die "no test accuracy in the training output"
awk -v a="$acc" 'BEGIN { exit !(a > 90) }' || die "test accuracy $acc% after one epoch (expected > 90%)"

step "backprop predict on a PNG"
# The first MNIST test image (a 7), from the packaged test set, written as a PNG (8-bit grey) by Python here.
/usr/bin/python3 - "$root/usr/share/backprop-studio/mnist/t10k-images-idx3-ubyte.gz" "$root/tmp/digit.png" <<'PY'
import gzip, struct, sys, zlib
raw = gzip.open(sys.argv[1]).read()
magic, count, rows, cols = struct.unpack(">IIII", raw[:16])
assert magic == 2051, magic
img = raw[16:16 + rows * cols]
scan = b"".join(b"\0" + img[r * cols:(r + 1) * cols] for r in range(rows))
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", cols, rows, 8, 0, 0, 0, 0)) +
       chunk(b"IDAT", zlib.compress(scan)) + chunk(b"IEND", b""))
open(sys.argv[2], "wb").write(png)
PY
in_root backprop predict --model-file /tmp/mlp.safetensors /tmp/digit.png | tee "$root/tmp/predict.txt"
grep -Eq "^ *1\. 7 " "$root/tmp/predict.txt" || die "predict's first class for MNIST test image 0 is not 7"
step "backprop-studio --screenshot train --demo (offscreen)"
in_root env QT_QPA_PLATFORM=offscreen HOME=/root backprop-studio --screenshot train --demo --out /tmp/train.png 2>&1 |
    tail -3
[[ -s $root/tmp/train.png ]] || die "no screenshot written"
cp "$root/tmp/train.png" "${BP_TEST_SCREENSHOT:-/tmp/test-deb-train.png}"
echo "screenshot: $(stat -c %s "$root/tmp/train.png") bytes (copy in ${BP_TEST_SCREENSHOT:-/tmp/test-deb-train.png})"

step "apt-get purge backprop-studio"
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q backprop-studio >"$root/tmp/purge.log" 2>&1 ||
    { tail -20 "$root/tmp/purge.log" >&2; die "apt-get purge failed"; }
left=()
while IFS= read -r path; do
    [[ $path == / || -z $path ]] && continue
    # Folders that other packages (or the base system) own stay; anything else of ours must be gone.
    if [[ -e $root$path || -L $root$path ]] && ! grep -qxF "$path" "$root/tmp/before.txt"; then
        if [[ -d $root$path && ! -L $root$path ]] && in_root dpkg -S "$path" >/dev/null 2>&1; then continue; fi
        left+=("$path")
    fi
done <"$root/tmp/package-files.txt"
((${#left[@]} == 0)) || { printf '  left behind: %s\n' "${left[@]}" >&2; die "${#left[@]} path(s) left after purge"; }
echo "purge left none of the package's $(wc -l <"$root/tmp/package-files.txt") paths behind"
# With the dependencies apt installed for it gone too, the root should be as before (outside /var, /tmp, /root).
in_root env DEBIAN_FRONTEND=noninteractive apt-get autoremove --purge -y -q >"$root/tmp/autoremove.log" 2>&1 || true
in_root find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /var -o -path /root \) -prune -o -print |
    sort >"$root/tmp/after.txt"
extra=$(comm -13 "$root/tmp/before.txt" "$root/tmp/after.txt" | grep -v '^/root' || true)
if [[ -n $extra ]]; then
    echo "after autoremove --purge, paths not in the fresh root (left by dependencies, not by backprop-studio):"
    echo "$extra" | head -20 | sed 's/^/  /'
else
    echo "after autoremove --purge the root holds exactly the fresh root's paths (outside /var, /tmp, /root)"
fi

echo
echo "test-deb: PASS ($(basename "$deb") in a fresh bookworm root: info, train (test accuracy $acc%), predict, screenshot, purge)"
