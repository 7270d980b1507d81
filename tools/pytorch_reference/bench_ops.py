#!/usr/bin/python3
"""PyTorch reference for `backprop bench ops`: the same ops at the same sizes, forward and forward+backward.

Run with Debian's interpreter and python3-torch (PyTorch 1.13, CPU):
    /usr/bin/python3 tools/pytorch_reference/bench_ops.py --threads 1

Prints ONE JSON object on stdout: {"version", "blas", "threads", "results": {"<op> <size>": {...}}}, with
keys matching engine/cli/bench_ops.cpp. Exit status 3 when torch cannot be imported.
Each case is timed like the engine's: 3 warm-up runs, then at least 10 and up to 200 runs or 0.4 s,
median and 25th/75th percentiles in milliseconds (--quick: 1 warm-up, 3 to 20 runs or 0.05 s).
"""

import argparse
import json
import math
import os
import sys
import time

import reference_env


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads; OpenBLAS gets the same")
    p.add_argument("--quick", action="store_true",
                   help="1 warm-up run, then 3 to 20 runs or 0.05 s (as `backprop bench ops --quick`)")
    return p.parse_args()


args = parse_args()
# Before torch loads OpenBLAS, which reads its thread count and kernel choice then; and malloc settings.
ENV = reference_env.prepare(args.threads)  # see reference_env.py
try:
    import torch
    import torch.nn.functional as F
except ImportError as e:
    print(f"bench_ops.py: PyTorch is not available ({e}); install python3-torch", file=sys.stderr)
    sys.exit(3)


def timed(f):
    warmup, least, most, budget = (1, 3, 20, 0.05) if args.quick else (3, 10, 200, 0.4)
    for _ in range(warmup):
        f()
    ms = []
    start = time.perf_counter()
    while len(ms) < least or (len(ms) < most and time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        f()
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    q = lambda p: ms[int(p * (len(ms) - 1))]
    return {"median": q(0.5), "p25": q(0.25), "p75": q(0.75), "reps": len(ms)}


def rnd(*shape):
    return torch.randn(*shape, requires_grad=True)


def cases():
    t1024 = torch.arange(1024) % 10
    yield "matmul", "256x256x256", lambda: [rnd(256, 256), rnd(256, 256)], lambda a, b: a @ b
    yield "matmul", "1024x1024x1024", lambda: [rnd(1024, 1024), rnd(1024, 1024)], lambda a, b: a @ b
    yield "linear", "32x784->128", lambda: [rnd(32, 784), rnd(128, 784), rnd(128)], F.linear
    yield "linear", "128x784->128", lambda: [rnd(128, 784), rnd(128, 784), rnd(128)], F.linear
    yield ("conv2d", "64x6x14x14->16 k5 p0", lambda: [rnd(64, 6, 14, 14), rnd(16, 6, 5, 5), rnd(16)],
           lambda x, w, b: F.conv2d(x, w, b))
    yield ("conv2d", "64x32x14x14->64 k3 p1", lambda: [rnd(64, 32, 14, 14), rnd(64, 32, 3, 3), rnd(64)],
           lambda x, w, b: F.conv2d(x, w, b, padding=1))
    yield "relu", "64x128x256", lambda: [rnd(64, 128, 256)], torch.relu
    yield "sigmoid", "64x128x256", lambda: [rnd(64, 128, 256)], torch.sigmoid
    yield "gelu", "64x128x256", lambda: [rnd(64, 128, 256)], F.gelu
    yield "gelu_tanh", "64x128x256", lambda: [rnd(64, 128, 256)], lambda x: F.gelu(x, approximate="tanh")
    yield "softmax", "1024x1000", lambda: [rnd(1024, 1000)], lambda x: torch.softmax(x, -1)
    yield "cross_entropy", "1024x10", lambda: [rnd(1024, 10)], lambda x: F.cross_entropy(x, t1024)
    yield ("batch_norm", "64x32x28x28", lambda: [rnd(64, 32, 28, 28), rnd(32), rnd(32)],
           lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True))
    yield "max_pool2d", "64x32x28x28 k2", lambda: [rnd(64, 32, 28, 28)], lambda x: F.max_pool2d(x, 2)
    yield ("layer_norm", "32x64x128", lambda: [rnd(32, 64, 128), rnd(128), rnd(128)],
           lambda x, g, b: F.layer_norm(x, (128,), g, b))
    ids = (torch.arange(32 * 64) * 37 % 96).reshape(32, 64)
    yield "embedding", "32x64 of 96x128", lambda: [rnd(96, 128)], lambda w: F.embedding(ids, w)
    # PyTorch 1.13 (Debian) has no fused scaled_dot_product_attention: the composition it would run.
    mask = torch.ones(64, 64, dtype=torch.bool).triu(1)

    def attention(q, k, v):
        s = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
        return torch.softmax(s.masked_fill(mask, float("-inf")), -1) @ v
    qkv = lambda: [rnd(32, 4, 64, 32), rnd(32, 4, 64, 32), rnd(32, 4, 64, 32)]
    yield "attention", "32x4x64x32 causal", qkv, attention
    yield "attention_tiled", "32x4x64x32 causal", qkv, attention


def main():
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    results = {}
    for op, size, make, fn in cases():
        inputs = make()
        with torch.no_grad():
            fwd = timed(lambda: fn(*inputs))

        def both():
            for t in inputs:
                t.grad = None
            y = fn(*inputs)
            (y if y.dim() == 0 else y.sum()).backward()

        fb = timed(both)
        results[f"{op} {size}"] = {"forward_ms": fwd["median"], "forward_backward_ms": fb["median"],
                                   "forward": fwd, "forward_backward": fb}
    blas = ""
    try:
        blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    except OSError:
        pass
    print(json.dumps({"environment": ENV, "framework": "pytorch", "version": torch.__version__, "blas": blas,
                      "threads": torch.get_num_threads(), "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
