#!/usr/bin/env bash
# Set up, build and start the Backprop Studio GUI. Arguments go to the app.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."   # repo root

bash scripts/setup.sh
bash scripts/build.sh

if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} && -z ${QT_QPA_PLATFORM:-} ]]; then
    echo "run.sh: note: no display found (DISPLAY and WAYLAND_DISPLAY are empty). The app needs one:" >&2
    echo "  run it under a virtual X server:  xvfb-run -a scripts/run.sh   (Debian package xvfb)" >&2
    echo "  or render without a window:      QT_QPA_PLATFORM=offscreen scripts/run.sh ..." >&2
    echo "run.sh: trying anyway" >&2
fi

exec build/app/backprop-studio "$@"
