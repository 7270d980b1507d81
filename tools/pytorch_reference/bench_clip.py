#!/usr/bin/python3
"""PyTorch reference benchmark: CLIP-mini training throughput (pictures/s), the same model as our engine's.

Run with Debian's interpreter and python3-torch (PyTorch 1.13, CPU):
    /usr/bin/python3 tools/pytorch_reference/bench_clip.py --batch-size 128 --text-len 40 --steps 20 \
        --torch-threads 1 --blas-threads 2

The architecture mirrors engine/src/models/clip.cpp (defaults of models::ClipOptions):
  image: conv 3x3 1->c1 (pad 1), [BatchNorm2d], ReLU, max-pool 2, conv 3x3 c1->c2, [BatchNorm2d], ReLU, max-pool 2,
         flatten, linear c2*49->width, ReLU, projection width->E without bias, L2 normalisation
  text:  token embedding + learned positions, L GPT-2 pre-norm blocks (LayerNorm, q/k/v/out projections with bias,
         GELU-tanh MLP 4d), NO causal mask, [PAD] keys masked, final LayerNorm, mean over the real positions,
         projection d->E without bias, L2 normalisation
  loss:  exp(logit_scale) * I T^T, (CE(rows) + CE(columns)) / 2, logit_scale clamped to [0, ln 100] after the step.
One training step = forward, loss, backward, grad-norm clip 1.0, AdamW (0.9, 0.999, weight decay 0.01), as
train::train_clip. The pictures are random normalised 28x28 values and the captions random character ids of
--text-len tokens ([CLS] first) with a random number of trailing [PAD]s (the speed does not depend on the data).
pictures_per_second is B / the median step time. Prints ONE JSON line on stdout.
Exit status 3 when torch cannot be imported, 2 on bad arguments.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

import reference_env


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--vocab", type=int, default=44)
    p.add_argument("--text-len", type=int, default=40, help="tokens per caption batch, [CLS] and [PAD]s included")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--context", type=int, default=64, help="the learned position table's size")
    p.add_argument("--channels", default="16,32")
    p.add_argument("--image-width", type=int, default=128)
    p.add_argument("--embed-dim", type=int, default=64)
    p.add_argument("--image-norm", choices=["bn", "none"], default="bn")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--steps", type=int, default=20, help="timed steps (after --warmup untimed ones)")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--torch-threads", type=int, default=1, help="torch.set_num_threads")
    p.add_argument("--blas-threads", type=int, default=1, help="OPENBLAS_NUM_THREADS / OMP_NUM_THREADS")
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    for name in ("vocab", "text_len", "layers", "heads", "dim", "context", "image_width", "embed_dim", "batch_size",
                 "steps", "torch_threads", "blas_threads"):
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1")
    if a.dim % a.heads:
        p.error("--dim must be divisible by --heads")
    if a.text_len > a.context:
        p.error("--text-len must be <= --context")
    try:
        a.c1, a.c2 = (int(x) for x in a.channels.split(","))
    except ValueError:
        p.error("--channels expects C1,C2")
    return a


args = parse_args()
# Before torch loads OpenBLAS, which reads its thread count and kernel choice then; and malloc settings.
ENV = reference_env.prepare(args.blas_threads)  # see reference_env.py

try:
    import torch
    from torch import nn
    import torch.nn.functional as F
except Exception as e:
    print(f"bench_clip.py: cannot import torch ({e}); install python3-torch and run it with /usr/bin/python3 "
          f"(current interpreter: {sys.executable})", file=sys.stderr)
    sys.exit(3)

from transformer_blocks import Block  # noqa: E402  (after torch, see its docstring)


class ClipMini(nn.Module):
    def __init__(self, a):
        super().__init__()
        bn = a.image_norm == "bn"
        layers = [nn.Conv2d(1, a.c1, 3, padding=1)] + ([nn.BatchNorm2d(a.c1)] if bn else []) + [nn.ReLU(), nn.MaxPool2d(2),
                  nn.Conv2d(a.c1, a.c2, 3, padding=1)] + ([nn.BatchNorm2d(a.c2)] if bn else []) + [nn.ReLU(), nn.MaxPool2d(2),
                  nn.Flatten(), nn.Linear(a.c2 * 49, a.image_width), nn.ReLU()]
        self.image_encoder = nn.Sequential(*layers)
        self.image_proj = nn.Linear(a.image_width, a.embed_dim, bias=False)
        d = a.dim
        self.tok_embed = nn.Embedding(a.vocab, d)
        self.pos_embed = nn.Parameter(torch.randn(a.context, d) * 0.02)
        self.blocks = nn.ModuleList(Block(d, a.heads) for _ in range(a.layers))
        self.norm = nn.LayerNorm(d)
        self.text_proj = nn.Linear(d, a.embed_dim, bias=False)
        self.logit_scale = nn.Parameter(torch.full((1,), math.log(1 / 0.07)))

    def loss(self, images, tokens, real):  # real: [B, T] float, 1 at real positions
        img = F.normalize(self.image_proj(self.image_encoder(images)), dim=-1)
        T = tokens.shape[1]
        h = self.tok_embed(tokens) + self.pos_embed[:T]
        pad = (real == 0)[:, None, None, :]
        for b in self.blocks:
            h = b(h, pad)
        h = self.norm(h)
        pooled = (h * real[..., None]).sum(1) / real.sum(1, keepdim=True)
        txt = F.normalize(self.text_proj(pooled), dim=-1)
        logits = self.logit_scale.exp() * img @ txt.t()
        target = torch.arange(logits.shape[0])
        return 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target))


def main():
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.torch_threads)
    model = ClipMini(args)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    B, T = args.batch_size, args.text_len

    def step():
        images = torch.randn(B, 1, 28, 28)
        tokens = torch.randint(0, args.vocab - 3, (B, T))
        lengths = torch.randint(max(1, T // 2), T + 1, (B,))
        lengths[0] = T  # the batch is padded to its longest caption
        real = (torch.arange(T)[None, :] < lengths[:, None]).float()
        tokens = torch.where(real > 0, tokens, torch.full_like(tokens, args.vocab - 3))  # [PAD]
        tokens[:, 0] = args.vocab - 1  # [CLS]
        loss = model.loss(images, tokens, real)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        return loss.item()

    for _ in range(args.warmup):
        step()
    times = []  # per step: the median is the figure (as our engine's bench clip), robust to a stall on a busy machine
    for _ in range(args.steps):
        t0 = time.perf_counter()
        last = step()
        times.append(time.perf_counter() - t0)
    secs = sum(times)
    median = statistics.median(times)
    blas = "unknown"  # which BLAS nn.Linear's libblas.so.3 resolved to
    try:
        with open("/proc/self/maps") as f:
            maps = f.read()
        blas = "openblas" if "openblas" in maps else ("reference blas" if "libblas.so" in maps else "unknown")
    except OSError:
        pass
    print(json.dumps({"environment": ENV, "framework": "pytorch", "version": torch.__version__, "model": "clip_mini",
                      "parameters": params, "batch_size": B, "text_len": T, "image_norm": args.image_norm,
                      "steps": args.steps, "seconds": secs, "median_step_seconds": median,
                      "pictures_per_second": B / median, "steps_per_second": 1 / median,
                      "mean_pictures_per_second": B * args.steps / secs, "last_loss": last,
                      "torch_threads": args.torch_threads, "blas_threads": args.blas_threads, "blas": blas}))


if __name__ == "__main__":
    main()
