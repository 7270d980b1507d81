#!/usr/bin/python3
"""PyTorch reference for `backprop bench speedrun`: the speedrun recipe (engine/src/train/recipe.cpp) in PyTorch.

The same model (speedcnn: LeNet-5 with batch norm — two conv + batch norm + ReLU + max-pool stages, a hidden layer
and the classifier), Adam with the same
one-cycle learning rate (linear warm-up from lr/10 over the first --warmup of the steps, then linear decay to 0),
label smoothing, batch size and epochs, on the 60,000 MNIST training images; the 10,000 test images are evaluated
once, after training. Run with Debian's interpreter and python3-torch (PyTorch 1.13, CPU):
    /usr/bin/python3 tools/pytorch_reference/bench_speedrun.py --data-dir DIR --torch-threads 1 --blas-threads 1

Prints ONE JSON line on stdout: train_seconds (the training loop), eval_seconds, test_accuracy, and
samples_per_second (the metric `bench speedrun` maximises over thread configurations).
Exit status 3 when torch (or numpy) cannot be imported, 2 on bad arguments or missing data.
"""

import argparse
import json
import os
import sys
import time

import reference_env
from mnist_files import default_data_dir, load_split

T_START = time.perf_counter()


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default=default_data_dir())
    p.add_argument("--kernel", type=int, default=5)
    p.add_argument("--channels1", type=int, default=6)
    p.add_argument("--channels2", type=int, default=16)
    p.add_argument("--padding2", type=int, default=0, help="the second conv's padding (kernel // 2 keeps 14x14)")
    p.add_argument("--fc", type=int, default=120, help="hidden units before the classifier (0 = none)")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=6e-3)
    p.add_argument("--warmup", type=float, default=0.2)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--train-limit", type=int, default=0, help="train on the first N images only (0 = all)")
    p.add_argument("--torch-threads", type=int, default=1, help="torch.set_num_threads")
    p.add_argument("--blas-threads", type=int, default=1, help="OPENBLAS_NUM_THREADS / OMP_NUM_THREADS")
    a = p.parse_args()
    for name in ("batch_size", "epochs", "torch_threads", "blas_threads", "kernel", "channels1", "channels2"):
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1")
    return a


args = parse_args()
# Before torch loads OpenBLAS, which reads its thread count and kernel choice then; and malloc settings.
ENV = reference_env.prepare(args.blas_threads)  # see reference_env.py

try:
    import numpy as np
    import torch
    from torch import nn
except Exception as e:
    print(f"bench_speedrun.py: cannot import torch/numpy ({e}); install python3-torch and run it with /usr/bin/python3",
          file=sys.stderr)
    sys.exit(3)


def build_model():
    k, c1, c2 = args.kernel, args.channels1, args.channels2
    layers = [nn.Conv2d(1, c1, k, padding=k // 2, bias=False), nn.BatchNorm2d(c1), nn.ReLU(), nn.MaxPool2d(2),
              nn.Conv2d(c1, c2, k, padding=args.padding2, bias=False), nn.BatchNorm2d(c2), nn.ReLU(), nn.MaxPool2d(2),
              nn.Flatten()]
    side = (14 + 2 * args.padding2 - k + 1) // 2
    n = c2 * side * side
    if args.fc > 0:
        layers += [nn.Linear(n, args.fc), nn.ReLU()]
        n = args.fc
    return nn.Sequential(*layers, nn.Linear(n, 10))


def onecycle(step, total):
    """Our LrSchedule "onecycle" (engine/src/optim/optimizer.cpp) as a factor of lr."""
    p = min(1.0, step / max(1, total))
    w = args.warmup
    if p < w:
        return 0.1 + 0.9 * p / w
    return 1.0 if w >= 1 else (1.0 - p) / (1.0 - w)


def main():
    mnist_dir = os.path.join(args.data_dir, "mnist")
    try:
        x_train, y_train = load_split(mnist_dir, "train")
        x_test, y_test = load_split(mnist_dir, "t10k")
        x_train, x_test = x_train.reshape(-1, 1, 28, 28), x_test.reshape(-1, 1, 28, 28)
    except (OSError, ValueError) as e:
        print(f"bench_speedrun.py: cannot read MNIST from {mnist_dir}: {e} (run scripts/setup.sh)", file=sys.stderr)
        return 2
    if args.train_limit > 0:
        x_train, y_train = x_train[:args.train_limit], y_train[:args.train_limit]
    torch.set_num_threads(args.torch_threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    model = build_model()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, foreach=True)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
    n, bs = x_train.shape[0], args.batch_size
    total = args.epochs * ((n + bs - 1) // bs)
    step = 0
    model.train()
    t0 = time.perf_counter()
    for _ in range(args.epochs):
        perm = torch.randperm(n, generator=gen)
        xs, ys = x_train[perm], y_train[perm]
        for i in range(0, n, bs):
            for g in opt.param_groups:
                g["lr"] = args.lr * onecycle(step, total)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xs[i:i + bs]), ys[i:i + bs])
            loss.backward()
            opt.step()
            step += 1
    train_seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    model.eval()
    with torch.no_grad():
        correct = sum((model(x_test[i:i + 500]).argmax(1) == y_test[i:i + 500]).sum().item()
                      for i in range(0, x_test.shape[0], 500))
    eval_seconds = time.perf_counter() - t1
    print(json.dumps({"environment": ENV, 
        "framework": "pytorch", "version": torch.__version__,
        "torch_threads": torch.get_num_threads(), "blas_threads": args.blas_threads,
        "model": {"kernel": args.kernel, "channels1": args.channels1, "channels2": args.channels2,
                  "padding2": args.padding2, "fc": args.fc},
        "epochs": args.epochs, "batch_size": bs, "lr": args.lr, "warmup": args.warmup,
        "label_smoothing": args.label_smoothing, "seed": args.seed, "train_samples": n,
        "train_seconds": round(train_seconds, 4), "eval_seconds": round(eval_seconds, 4),
        "samples_per_second": round(n * args.epochs / train_seconds, 1),
        "script_seconds": round(time.perf_counter() - T_START, 4),
        "final_train_loss": round(loss.item(), 4), "test_accuracy": correct / x_test.shape[0],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
