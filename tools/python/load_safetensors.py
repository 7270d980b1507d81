#!/usr/bin/python3
"""load_safetensors.py — loads a Backprop Studio model file (.safetensors) into the same network written in
PyTorch and classifies real MNIST test images with it: the weights are the engine's, the arithmetic PyTorch's.

    /usr/bin/python3 tools/python/load_safetensors.py resources/models/cnn.safetensors --count 1000

The file is read directly (Debian has no python3-safetensors): 8 bytes little-endian header length N, N bytes of
JSON ({name: {dtype, shape, data_offsets}}, plus "__metadata__" with the engine's "bp.config"), then the raw
little-endian tensors. The tensor names are the PyTorch state_dict names of the modules below ("1.weight",
"blocks.0.attn.q_proj.bias"), so load_state_dict takes them as they are. Inputs are normalised as in training:
x = (pixel / 255 - 0.1307) / 0.3081. Models: mlp, lenet, cnn, resnet, vit (its GPT-2 block).
--json OUT writes {"model", "count", "labels", "predictions", "logits", "accuracy"} for a test to compare.
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I64": "<i8", "I32": "<i4", "U8": "u1"}


def read_safetensors(path):
    """{name: torch.Tensor} and the metadata dict of a .safetensors file."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        raw = data[begin:end]
        if info["dtype"] == "BF16":  # the upper half of a float32
            arr = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(raw, DTYPES[info["dtype"]])
        tensors[name] = torch.from_numpy(arr.reshape(info["shape"]).astype(np.float32, copy=True))
    return tensors, meta


# ---- the zoo's networks (engine/src/models/zoo.cpp, vit.cpp), module for module ----

def activation(name):
    return {"relu": nn.ReLU(), "leaky_relu": nn.LeakyReLU(0.01), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(),
            "gelu": nn.GELU(), "gelu_tanh": nn.GELU(approximate="tanh")}[name]


def mlp(o):
    layers, width = [nn.Flatten()], 28 * 28
    for h in o.get("hidden", [128, 64]):
        layers += [nn.Linear(width, h), activation(o.get("activation", "relu"))]
        width = h
    return nn.Sequential(*layers, nn.Linear(width, 10))


def lenet(o):
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def cnn(o):
    c1, c2, fc, p = o["channels1"], o["channels2"], o["fc"], o["dropout"]
    return nn.Sequential(nn.Conv2d(1, c1, 3, padding=1, bias=False), nn.BatchNorm2d(c1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(c1, c2, 3, padding=1, bias=False), nn.BatchNorm2d(c2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Dropout(p), nn.Linear(c2 * 7 * 7, fc), nn.ReLU(), nn.Dropout(p),
                         nn.Linear(fc, 10))


class BasicBlock(nn.Module):  # torchvision's, as nn::ResidualBlock
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        h = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(h + (self.downsample(x) if self.downsample is not None else x))


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))


def resnet(o):
    w = o["width"]
    return nn.Sequential(nn.Conv2d(1, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(),
                         BasicBlock(w, 2 * w, 2), BasicBlock(2 * w, 2 * w, 1), BasicBlock(2 * w, 4 * w, 2),
                         BasicBlock(4 * w, 4 * w, 1), GlobalAvgPool(), nn.Linear(4 * w, 10))


class Attention(nn.Module):  # nn::MultiHeadAttention, bidirectional
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d, d) for _ in range(4))

    def forward(self, x):
        b, t, d = x.shape
        split = lambda y: y.view(b, t, self.heads, d // self.heads).transpose(1, 2)  # [B, H, T, Dh]
        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        p = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // self.heads), dim=-1)
        return self.out_proj((p @ v).transpose(1, 2).reshape(b, t, d))


class FeedForward(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):
        return self.fc2(nn.functional.gelu(self.fc1(x), approximate="tanh"))


class Block(nn.Module):  # nn::TransformerBlock, GPT-2 kind (pre-norm)
    def __init__(self, d, heads):
        super().__init__()
        self.norm1, self.attn, self.norm2, self.mlp = nn.LayerNorm(d), Attention(d, heads), nn.LayerNorm(d), FeedForward(d)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VisionTransformer(nn.Module):  # models::VisionTransformer: 4x4 patches, class token, learned positions
    def __init__(self, o):
        super().__init__()
        if o.get("block", "gpt2") != "gpt2":
            raise SystemExit("load_safetensors.py: this example has the ViT's GPT-2 block only, not '%s'" % o["block"])
        d = o["dim"]
        self.patch_embed = nn.Linear(16, d)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.zeros(1, 50, d))
        self.blocks = nn.ModuleList(Block(d, o["heads"]) for _ in range(o["layers"]))
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 10)

    def forward(self, x):
        n = x.shape[0]
        patches = x.reshape(n, 7, 4, 7, 4).transpose(2, 3).reshape(n, 49, 16)  # as models::patchify
        h = torch.cat([self.cls_token.expand(n, -1, -1), self.patch_embed(patches)], dim=1) + self.pos_embed
        for block in self.blocks:
            h = block(h)
        return self.head(self.norm(h)[:, 0])


BUILDERS = {"mlp": mlp, "lenet": lenet, "cnn": cnn, "resnet": resnet, "vit": VisionTransformer}


def load_model(path):
    """The PyTorch network of a Backprop Studio model file, with its weights, in eval mode."""
    tensors, meta = read_safetensors(path)
    if "bp.config" not in meta:
        raise SystemExit(f"load_safetensors.py: {path} has no \"bp.config\" (not saved by Backprop Studio)")
    config = json.loads(meta["bp.config"])
    name = config["model"]
    if name not in BUILDERS:
        raise SystemExit(f"load_safetensors.py: {path} holds '{name}'; this example knows {', '.join(BUILDERS)}")
    net = BUILDERS[name](config.get("options", {}))
    missing, unexpected = net.load_state_dict(tensors, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]  # PyTorch's own counters
    if missing or unexpected:
        raise SystemExit(f"load_safetensors.py: {path}: names do not match; missing {missing}, unexpected {unexpected}")
    return net.eval(), name


def read_idx(folder, stem):
    """An MNIST IDX file (raw or .gz) as a numpy array."""
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            with (gzip.open if name.endswith(".gz") else open)(path, "rb") as f:
                raw = f.read()
            dims = raw[3]
            shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
            return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise SystemExit(f"load_safetensors.py: {stem} not found in {folder}; run scripts/setup.sh (or pass --data-dir)")


def default_data_dir():  # as bp::data::default_data_dir
    if os.environ.get("BP_DATA_DIR"):
        return os.environ["BP_DATA_DIR"]
    xdg = os.environ.get("XDG_DATA_HOME") or os.path.join(os.environ.get("HOME", "."), ".local", "share")
    return os.path.join(xdg, "backprop-studio")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model_file")
    ap.add_argument("--data-dir", default=None, help="holds mnist/ (default: $BP_DATA_DIR or ~/.local/share/backprop-studio)")
    ap.add_argument("--dataset", default="mnist", help="folder under the data directory (default mnist)")
    ap.add_argument("--count", type=int, default=1000, help="the first COUNT test images (default 1000)")
    ap.add_argument("--json", default=None, help="write predictions and logits as JSON to this file")
    args = ap.parse_args()

    torch.set_num_threads(1)
    net, name = load_model(args.model_file)
    folder = os.path.join(args.data_dir or default_data_dir(), args.dataset)
    images = read_idx(folder, "t10k-images-idx3-ubyte")[: args.count]
    labels = read_idx(folder, "t10k-labels-idx1-ubyte")[: args.count].astype(np.int64)
    x = torch.from_numpy(images.astype(np.float32) / 255.0)
    x = ((x - MNIST_MEAN) / MNIST_STD).unsqueeze(1)  # [N, 1, 28, 28]
    with torch.no_grad():
        logits = net(x)
    pred = logits.argmax(dim=1).numpy()
    accuracy = float((pred == labels).mean())
    print(f"{name}: {len(labels)} MNIST test images, accuracy {accuracy:.4f} in PyTorch {torch.__version__}; "
          f"first predictions {pred[:10].tolist()}, labels {labels[:10].tolist()}")
    if args.json:
        out = {"model": name, "count": int(len(labels)), "labels": labels.tolist(), "predictions": pred.tolist(),
               "logits": logits.numpy().astype(float).tolist(), "accuracy": accuracy}
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(out, f)
        os.replace(tmp, args.json)  # written to a temporary name, then renamed
    return 0


if __name__ == "__main__":
    sys.exit(main())
