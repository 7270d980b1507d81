"""MNIST for the PyTorch reference scripts (bench_mlp.py, bench_speedrun.py): where the data lives (as the engine's
data::default_data_dir) and the IDX files read into normalised tensors. numpy and torch are imported inside the
functions, after reference_env.prepare() has set up OpenBLAS."""

import gzip
import os
import struct


def default_data_dir():
    if os.environ.get("BP_DATA_DIR"):
        return os.environ["BP_DATA_DIR"]
    xdg = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(xdg, "backprop-studio")


def read_idx(path):
    """Reads an IDX file (raw, or gzip as NAME.gz) into a numpy array of its stored shape."""
    import numpy as np
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path += ".gz"
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: size {arr.size} does not match header {dims}")
    return arr.reshape(dims)


def load_split(mnist_dir, prefix):
    """(images [N, 784] float32 normalised with MNIST's mean and std, converted once; labels [N] int64)."""
    import numpy as np
    import torch
    images = read_idx(os.path.join(mnist_dir, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(os.path.join(mnist_dir, f"{prefix}-labels-idx1-ubyte"))
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32))
    x = (x / 255.0 - 0.1307) / 0.3081
    y = torch.from_numpy(labels.astype(np.int64))
    return x.contiguous(), y
