#!/usr/bin/env python3
"""Multi-step Adam replay: the parameters after each of 10 steps of torch.optim.Adam (PyTorch 1.13's
_single_tensor_adam) on float32 parameters with a fixed gradient sequence, written to
tests/data/adam_replay.json for tests/engine/tst_adam_replay.cpp.

With torch installed (Debian: python3-torch) the numbers come from torch.optim.Adam itself, and the
float32 emulation below is checked against it. Without torch, the numbers come from that emulation: PyTorch
1.13's update written op by op, each op rounded to float32 as the CPU kernels round it, with the scalars
(1 - beta1, 1 - beta2, the step size) computed in Python doubles exactly as torch/optim/adam.py does:

    exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    step_size = lr / (1 - beta1 ** step)
    denom = (exp_avg_sq.sqrt() / math.sqrt(1 - beta2 ** step)).add_(eps)
    param.addcdiv_(exp_avg, denom, value=-step_size)

Run: python3 tools/pytorch_reference/adam_replay.py [--out tests/data/adam_replay.json]
"""
import argparse
import json
import math
import struct
import sys

LR, BETA1, BETA2, EPS, STEPS = 1e-3, 0.9, 0.999, 1e-8, 10
W0 = [0.0, 0.0, 0.0, 0.0, 0.5, -1.25, 3.0, -0.015625]


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def gradient(t, i):
    # Gradients of very different sizes and signs, float32-exact.
    return f32(math.sin(0.7 * i + 1.3 * t) * 10.0 ** (i % 4 - 2))


def emulate():
    w = [f32(x) for x in W0]
    m = [0.0] * len(w)
    v = [0.0] * len(w)
    b1, b2, a1, a2 = f32(BETA1), f32(BETA2), f32(1 - BETA1), f32(1 - BETA2)
    history = []
    for t in range(1, STEPS + 1):
        step_size = LR / (1 - BETA1 ** t)
        bc2_sqrt = math.sqrt(1 - BETA2 ** t)
        for i in range(len(w)):
            g = gradient(t, i)
            m[i] = f32(f32(m[i] * b1) + f32(a1 * g))
            v[i] = f32(f32(v[i] * b2) + f32(f32(a2 * g) * g))
            denom = f32(f32(f32(math.sqrt(v[i])) / f32(bc2_sqrt)) + f32(EPS))
            w[i] = f32(w[i] + f32(f32(f32(-step_size) * m[i]) / denom))
        history.append(list(w))
    return history


def with_torch():
    import torch  # noqa: PLC0415

    p = torch.nn.Parameter(torch.tensor(W0, dtype=torch.float32))
    opt = torch.optim.Adam([p], lr=LR, betas=(BETA1, BETA2), eps=EPS, foreach=False)
    history = []
    for t in range(1, STEPS + 1):
        p.grad = torch.tensor([gradient(t, i) for i in range(len(W0))], dtype=torch.float32)
        opt.step()
        history.append([float(x) for x in p.detach()])
    return history, torch.__version__


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="tests/data/adam_replay.json")
    args = ap.parse_args()
    emulated = emulate()
    source = "float32 emulation of PyTorch 1.13 _single_tensor_adam (torch not installed)"
    history = emulated
    try:
        history, version = with_torch()
        source = "torch.optim.Adam, PyTorch " + version
        worst = max(abs(a - b) / max(abs(b), 1e-30) for ra, rb in zip(emulated, history) for a, b in zip(ra, rb))
        print(f"emulation vs torch: max relative difference {worst:.3g}", file=sys.stderr)
    except ImportError:
        pass
    doc = {
        "source": source,
        "lr": LR, "beta1": BETA1, "beta2": BETA2, "eps": EPS,
        "w0": W0,
        "gradients": [[gradient(t, i) for i in range(len(W0))] for t in range(1, STEPS + 1)],
        "params_after_step": history,
    }
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out} ({source})")


if __name__ == "__main__":
    main()
