#!/usr/bin/env bash
# Installs ONNX Runtime for Node (onnxruntime-node, pinned in package.json, CPU library inside the package) into
# tools/onnx/node_modules (git-ignored), for the ONNX export test and run_onnx.js. --ignore-scripts: the package's
# install script only downloads GPU files we do not use (and fails offline). Idempotent. scripts/setup.sh runs it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
want=$(sed -n 's/.*"onnxruntime-node": *"\([^"]*\)".*/\1/p' package.json)
have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' node_modules/onnxruntime-node/package.json 2>/dev/null | head -1 || true)
if [[ $have == "$want" ]]; then
    echo "onnxruntime-node: $want present in tools/onnx/node_modules"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "onnxruntime-node: npm is not installed; run scripts/setup.sh as root (or install npm) first" >&2
    exit 1
fi
echo "onnxruntime-node: installing $want into tools/onnx/node_modules (~290 MB unpacked)"
for attempt in 1 2; do
    if timeout 600 npm install --ignore-scripts --no-audit --no-fund --no-package-lock --silent; then
        echo "onnxruntime-node: installed $want"
        exit 0
    fi
    echo "onnxruntime-node: npm install failed (attempt $attempt of 2)" >&2
    ((attempt == 2)) || sleep 5
done
echo "onnxruntime-node: download failed: 'npm install onnxruntime-node@$want' did not succeed (network? registry?)" >&2
exit 1
