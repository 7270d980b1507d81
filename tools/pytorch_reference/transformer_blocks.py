"""The transformer pieces shared by the PyTorch reference benchmarks bench_gpt.py, bench_bert.py and bench_clip.py:
the pre-norm block of engine/src/models/ (gpt2: LayerNorm, biases, GELU-tanh MLP 4d; modern: RMSNorm, no biases,
RoPE on q and k, SwiGLU MLP with hidden ceil(8d/3)), RMSNorm (torch 1.13 has none) and RoPE.

Import it after torch (each script sets its BLAS thread count before importing torch, then this module).
"""

import math

import torch
from torch import nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope(x, cos, sin):  # x [B, H, T, Dh]; pairs (2i, 2i+1) rotated, as ops/transformer.cpp
    x0, x1 = x[..., 0::2], x[..., 1::2]
    return torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), dim=-1).flatten(-2)


class Block(nn.Module):
    def __init__(self, d, heads, modern=False):
        super().__init__()
        self.h, self.modern = heads, modern
        norm = (lambda: RMSNorm(d)) if modern else (lambda: nn.LayerNorm(d))
        bias = not modern
        self.norm1, self.norm2 = norm(), norm()
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d, d, bias=bias) for _ in range(4))
        hidden = (8 * d + 2) // 3 if modern else 4 * d
        self.hidden = hidden
        self.fc1 = nn.Linear(d, 2 * hidden if modern else hidden, bias=bias)
        self.fc2 = nn.Linear(hidden, d, bias=bias)

    def attn(self, x, mask, cos, sin):
        B, T, D = x.shape
        q, k, v = (p(x).view(B, T, self.h, D // self.h).transpose(1, 2) for p in (self.q_proj, self.k_proj, self.v_proj))
        if self.modern:
            q, k = rope(q, cos, sin), rope(k, cos, sin)
        s = (q @ k.transpose(-2, -1)) / math.sqrt(D // self.h)
        if mask is not None:
            s = s.masked_fill(mask, float("-inf"))
        y = torch.softmax(s, dim=-1) @ v
        return self.out_proj(y.transpose(1, 2).reshape(B, T, D))

    def forward(self, x, mask=None, cos=None, sin=None):
        """mask: None (every key), or True where a key is hidden, broadcast over [B, H, T, T]: the causal
        [T, T] triangle (GPT) or the [B, 1, 1, T] padding of the captions (CLIP)."""
        x = x + self.attn(self.norm1(x), mask, cos, sin)
        h = self.fc1(self.norm2(x))
        if self.modern:
            a, b = h.split(self.hidden, dim=-1)
            h = F.silu(a) * b
        else:
            h = F.gelu(h, approximate="tanh")
        return x + self.fc2(h)
