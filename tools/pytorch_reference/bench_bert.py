#!/usr/bin/python3
"""PyTorch reference benchmark: BERT-mini masked-LM pre-training throughput (tokens/s), the same model as ours.

Run with Debian's interpreter and python3-torch (PyTorch 1.13, CPU):
    /usr/bin/python3 tools/pytorch_reference/bench_bert.py --block modern --vocab 99 --layers 4 --heads 4 \
        --dim 128 --context 128 --batch-size 16 --steps 20 --torch-threads 1 --blas-threads 2

The architecture mirrors engine/src/models/bert.cpp (the trunk of bench_gpt.py, with the causal mask off):
token embedding (+ learned positions for gpt2), L pre-norm blocks (modern: RMSNorm, no biases, RoPE on q and k,
SwiGLU MLP with hidden ceil(8d/3); gpt2: LayerNorm, biases, GELU-tanh MLP 4d), bidirectional attention, final norm;
the masked-LM head on the chosen positions only: dense d->d, GELU-tanh, LayerNorm, decoder tied to the token
embedding, plus a bias. One training step = B windows of [CLS] + T-1 characters, BERT's corruption (15% chosen;
of those 80% [MASK], 10% a random character, 10% kept), cross-entropy on the chosen positions, backward, grad-norm
clip 1.0, AdamW (0.9, 0.999, weight decay 0.01), as train::pretrain_bert. tokens_per_second is B*T / the median
step time. Characters are random ids (the speed does not depend on the text). Prints ONE JSON line on stdout.
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
    p.add_argument("--block", choices=["gpt2", "modern"], default="modern")
    p.add_argument("--vocab", type=int, default=99, help="characters + [PAD] [MASK] [CLS]")
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--context", type=int, default=128)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--steps", type=int, default=20, help="timed steps (after --warmup untimed ones)")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--torch-threads", type=int, default=1, help="torch.set_num_threads")
    p.add_argument("--blas-threads", type=int, default=1, help="OPENBLAS_NUM_THREADS / OMP_NUM_THREADS")
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    for name in ("vocab", "layers", "heads", "dim", "context", "batch_size", "steps", "torch_threads", "blas_threads"):
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1")
    if a.vocab < 5:
        p.error("--vocab must be >= 5 (characters + 3 specials)")
    if a.dim % a.heads:
        p.error("--dim must be divisible by --heads")
    return a


args = parse_args()
# Before torch loads OpenBLAS, which reads its thread count and kernel choice then; and malloc settings.
ENV = reference_env.prepare(args.blas_threads)  # see reference_env.py

try:
    import torch
    from torch import nn
    import torch.nn.functional as F
except Exception as e:
    print(f"bench_bert.py: cannot import torch ({e}); install python3-torch and run it with /usr/bin/python3 "
          f"(current interpreter: {sys.executable})", file=sys.stderr)
    sys.exit(3)

from transformer_blocks import Block, RMSNorm  # noqa: E402  (after torch, see its docstring)


class BertMini(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.modern = a.block == "modern"
        d = a.dim
        self.tok_embed = nn.Embedding(a.vocab, d)
        self.pos_embed = None if self.modern else nn.Parameter(torch.zeros(a.context, d))
        self.blocks = nn.ModuleList(Block(d, a.heads, self.modern) for _ in range(a.layers))
        self.norm = RMSNorm(d) if self.modern else nn.LayerNorm(d)
        self.mlm_dense = nn.Linear(d, d)
        self.mlm_norm = nn.LayerNorm(d)
        self.mlm_bias = nn.Parameter(torch.zeros(a.vocab))
        dh = d // a.heads
        inv = 10000.0 ** (-torch.arange(0, dh, 2, dtype=torch.float32) / dh)
        ang = torch.arange(a.context, dtype=torch.float32)[:, None] * inv[None, :]
        self.register_buffer("cos", ang.cos())
        self.register_buffer("sin", ang.sin())
        for n, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * a.layers) if n.endswith(("out_proj.weight", "fc2.weight")) else 0.02
                nn.init.normal_(p, 0.0, std)
            elif "norm" in n and n.endswith("weight"):
                nn.init.ones_(p)
            else:
                nn.init.zeros_(p)

    def mlm_loss(self, idx, positions, targets):
        T = idx.shape[1]
        h = self.tok_embed(idx)
        if self.pos_embed is not None:
            h = h + self.pos_embed[:T]
        cos, sin = self.cos[:T], self.sin[:T]
        for b in self.blocks:
            h = b(h, None, cos, sin)
        rows = self.norm(h).reshape(-1, h.shape[-1]).index_select(0, positions)  # [M, d]: the chosen positions
        rows = self.mlm_norm(F.gelu(self.mlm_dense(rows), approximate="tanh"))
        return F.cross_entropy(F.linear(rows, self.tok_embed.weight, self.mlm_bias), targets)


def main():
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.torch_threads)
    model = BertMini(args)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    B, T = args.batch_size, args.context
    chars = args.vocab - 3
    mask_id, cls_id = chars + 1, chars + 2

    def step():
        x = torch.randint(0, chars, (B, T))
        x[:, 0] = cls_id
        chosen = torch.rand(B, T) < 0.15
        chosen[:, 0] = False
        positions = chosen.flatten().nonzero().squeeze(1)
        targets = x.flatten()[positions]
        r = torch.rand(positions.numel())
        inp = x.flatten().clone()
        inp[positions[r < 0.8]] = mask_id
        rnd = positions[(r >= 0.8) & (r < 0.9)]
        inp[rnd] = torch.randint(0, chars, (rnd.numel(),))
        loss = model.mlm_loss(inp.view(B, T), positions, targets)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    times = []  # per step: the median is the figure (as our engine's bench bert), robust to a stall on a busy machine
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
    print(json.dumps({"environment": ENV, "framework": "pytorch", "version": torch.__version__, "model": "bert_mini", "block": args.block,
                      "parameters": params, "batch_size": B, "context": T, "steps": args.steps,
                      "seconds": secs, "median_step_seconds": median, "tokens_per_second": B * T / median,
                      "steps_per_second": 1 / median, "mean_tokens_per_second": B * T * args.steps / secs,
                      "last_loss": last, "torch_threads": args.torch_threads, "blas_threads": args.blas_threads,
                      "blas": blas}))


if __name__ == "__main__":
    main()
