#!/usr/bin/env bash
# Reproduces the models the app ships in resources/models/ (the Draw page uses them the moment the app
# starts): trained by our own CLI on the real MNIST, with augmentation on because hand drawings are not
# centred and sized like MNIST digits. Seeded, so a rerun on the same machine gives the same files.
# Usage: scripts/train_shipped_models.sh [extra backprop train options]   (needs scripts/setup.sh first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."   # repo root

bash scripts/build.sh >/dev/null
out=resources/models
mkdir -p "$out"

train() {  # name, epochs, extra options...
    local name=$1 epochs=$2
    shift 2
    build/engine/backprop train --model "$name" --epochs "$epochs" --augment --seed 1 \
        --out "$out/$name.safetensors" --report "$out/$name.report.json" "$@"
}

train mlp 10 --batch-size 32 "$@"
if build/engine/backprop info --json | grep -q '"cnn"'; then
    train cnn 8 --batch-size 64 "$@"
fi
if build/engine/backprop info --json | grep -q '"lenet"'; then
    train lenet 8 --batch-size 64 "$@"   # the Inside-a-CNN page's second network: 99.3 % in about a minute
fi
ls -l "$out"
