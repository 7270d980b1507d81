#!/usr/bin/python3
"""PyTorch reference benchmark: the zoo's MNIST models (mlp, lenet, cnn, resnet, vit) beside our engine.

Run with Debian's interpreter and python3-torch (PyTorch 1.13, CPU):
    /usr/bin/python3 tools/pytorch_reference/bench_mlp.py --data-dir DIR --batch-size 32 --epochs 1 \
        --torch-threads 1 --blas-threads 2 --lr 1e-3 --seed 1 [--eval] [--images N]

--images N trains each epoch on the first N training images only (as our --images / train_limit), so that a
slow model's epoch can be projected from a part of it: projected_epoch_seconds = 60000 / N x the fastest epoch.

Reads the raw IDX files from DIR/mnist (as fetched by scripts/setup.sh) and prints ONE JSON line on stdout.
Exit status 3 when torch (or numpy) cannot be imported, 2 on bad arguments or missing data.
"""

import argparse
import glob
import json
import os
import re
import sys
import time

import reference_env
from mnist_files import default_data_dir, load_split


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default=default_data_dir(),
                   help="data directory holding mnist/ (default: $BP_DATA_DIR or the XDG data dir)")
    p.add_argument("--model", choices=["mlp", "lenet", "cnn", "resnet", "vit"], default="mlp",
                   help="the same architecture as our zoo model of that name")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--torch-threads", type=int, default=1, help="torch.set_num_threads")
    p.add_argument("--blas-threads", type=int, default=1, help="OPENBLAS_NUM_THREADS / OMP_NUM_THREADS")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--images", type=int, default=0,
                   help="train on the first N training images only (0: all); the epoch is projected from them")
    p.add_argument("--eval", action="store_true", help="also measure test accuracy (untimed)")
    p.add_argument("--no-foreach", dest="foreach", action="store_false",
                   help="use Adam's per-tensor loop (default: foreach=True, ~20%% faster at batch 32)")
    a = p.parse_args()
    for name in ("batch_size", "epochs", "torch_threads", "blas_threads"):
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1")
    if a.images < 0:
        p.error("--images must be >= 0 (0: all)")
    return a


args = parse_args()

# OpenBLAS and torch each start their own thread pool, and they fight when both use every core.
# OpenBLAS reads its thread count and kernel choice once, when the library loads, so this must happen before
# importing numpy or torch (both load libblas.so.3). torch.set_num_threads below does not limit OpenBLAS.
ENV = reference_env.prepare(args.blas_threads)  # see reference_env.py

try:
    import numpy as np
    import torch
    from torch import nn
except Exception as e:  # ImportError, or a broken install failing in its own import
    print(f"bench_mlp.py: cannot import torch/numpy ({e}); install python3-torch and run it with "
          f"/usr/bin/python3 (current interpreter: {sys.executable})", file=sys.stderr)
    sys.exit(3)


def blas_description():
    """The libblas.so.3 actually mapped into this process, else the selected Debian alternative."""
    torch.ones(64, 64) @ torch.ones(64, 64)  # make sure BLAS has been loaded
    loaded = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if "blas" in os.path.basename(path):
                    loaded.add(os.path.realpath(path))
    except OSError:
        pass
    m = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    if loaded:
        desc = "loaded: " + ", ".join(sorted(loaded))
    else:
        alts = glob.glob("/etc/alternatives/libblas.so.3*")
        desc = "libblas.so.3 -> " + os.path.realpath(alts[0]) if alts else "unknown"
    return f"{desc}; torch BLAS_INFO={m.group(1)}" if m else desc


class ResidualBlock(nn.Module):
    """nn::ResidualBlock (engine/src/nn/layers.cpp): two 3x3 conv + batch norm, identity or strided 1x1 shortcut."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        h = torch.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return torch.relu(h + (self.downsample(x) if self.downsample is not None else x))


def gelu_tanh(x):
    return nn.functional.gelu(x, approximate="tanh")


class VisionTransformer(nn.Module):
    """models::VisionTransformer (engine/src/models/vit.cpp), gpt2 block: 49 patches of 4x4 pixels -> Linear(16, d),
    a class token and learned positions, pre-norm blocks (LayerNorm; q/k/v/out projections with bias, non-causal
    softmax attention; GELU-tanh MLP 4d) as PyTorch's own nn.TransformerEncoderLayer(norm_first=True, dropout 0),
    final LayerNorm, the class token's row -> Linear(d, 10)."""

    def __init__(self, dim=64, heads=4, layers=2):
        super().__init__()
        self.patch_embed = nn.Linear(16, dim)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, 50, dim) * 0.02)
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(dim, heads, 4 * dim, dropout=0.0, activation=gelu_tanh, batch_first=True,
                                       norm_first=True) for _ in range(layers))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 10)

    def forward(self, x):  # x [N, 1, 28, 28]
        n = x.shape[0]
        p = x.reshape(n, 7, 4, 7, 4).transpose(2, 3).reshape(n, 49, 16)  # [N, 49 (r/4, c/4), 16 (r%4, c%4)]
        h = torch.cat([self.cls_token.expand(n, -1, -1), self.patch_embed(p)], 1) + self.pos_embed  # [N, 50, d]
        for b in self.blocks:
            h = b(h)
        return self.head(self.norm(h)[:, 0])  # [N, 10]


def build_model(name):
    """The zoo's architectures (engine/src/models/zoo.cpp), layer for layer."""
    if name == "resnet":  # width 16: [16,28,28] -> [32,14,14] -> [64,7,7] -> gap -> 10
        w = 16
        return nn.Sequential(nn.Conv2d(1, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(),
                             ResidualBlock(w, 2 * w, 2), ResidualBlock(2 * w, 2 * w, 1),
                             ResidualBlock(2 * w, 4 * w, 2), ResidualBlock(4 * w, 4 * w, 1),
                             nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4 * w, 10))
    if name == "vit":
        return VisionTransformer()
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    if name == "lenet":
        return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Dropout(0.25), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.25),
                         nn.Linear(128, 10))


def main():
    mnist_dir = os.path.join(args.data_dir, "mnist")
    try:
        x_train, y_train = load_split(mnist_dir, "train")
        x_test, y_test = load_split(mnist_dir, "t10k") if args.eval else (None, None)
    except (OSError, ValueError) as e:
        print(f"bench_mlp.py: cannot read MNIST from {mnist_dir}: {e} (run scripts/setup.sh)",
              file=sys.stderr)
        return 2

    torch.set_num_threads(args.torch_threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)

    if args.images:
        x_train, y_train = x_train[:args.images], y_train[:args.images]
    model = build_model(args.model)
    if args.model != "mlp":  # convolutional models take [N, 1, 28, 28]
        x_train = x_train.reshape(-1, 1, 28, 28)
        x_test = x_test.reshape(-1, 1, 28, 28) if x_test is not None else None
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, foreach=args.foreach)
    loss_fn = nn.CrossEntropyLoss()

    n, bs = x_train.shape[0], args.batch_size
    epoch_seconds = []
    model.train()
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)  # shuffle: one gather per epoch, then slices
        xs, ys = x_train[perm], y_train[perm]
        for i in range(0, n, bs):  # the last batch may be smaller
            xb, yb = xs[i:i + bs], ys[i:i + bs]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        epoch_seconds.append(time.perf_counter() - t0)

    test_accuracy = None
    if args.eval:
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, x_test.shape[0], 10000):
                correct += (model(x_test[i:i + 10000]).argmax(1) == y_test[i:i + 10000]).sum().item()
        test_accuracy = correct / x_test.shape[0]

    result = {
        "framework": "pytorch",
        "version": torch.__version__,
        "blas": blas_description(),
        "model": args.model,
        "torch_threads": torch.get_num_threads(),
        "blas_threads": args.blas_threads,
        "batch_size": bs,
        "epochs": args.epochs,
        "lr": args.lr,
        "adam_foreach": args.foreach,
        "seed": args.seed,
        "parameters": sum(p.numel() for p in model.parameters()),
        "train_samples": n,
        "best_samples_per_second": round(n / min(epoch_seconds), 1),
        "epoch_seconds": [round(s, 4) for s in epoch_seconds],
        "samples_per_second": round(n * len(epoch_seconds) / sum(epoch_seconds), 1),
        "final_train_loss": round(loss.item(), 4),
        "test_accuracy": test_accuracy,
    }
    print(json.dumps(dict(result, environment=ENV)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
