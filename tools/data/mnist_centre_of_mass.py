#!/usr/bin/env python3
"""Mean centre of mass of an MNIST-layout IDX image file, in pixel-centre coordinates (pixel (x, y) covers
[x, x+1); the 28x28 canvas centre is (14, 14)). Gave (14.5068, 14.4959) for train-images-idx3-ubyte: the
constants mnist_centre_of_mass_x/_y of engine/include/bp/data/preprocess.h.
Usage: python3 tools/data/mnist_centre_of_mass.py ~/.local/share/backprop-studio/mnist/train-images-idx3-ubyte"""
import struct, sys
p = sys.argv[1]
data = open(p, 'rb').read()
n, r, c = struct.unpack('>III', data[4:16])
off = 16
sx = sy = 0.0
cols = [j + 0.5 for j in range(28)]
for k in range(n):
    img = data[off + k*784: off + (k+1)*784]
    m = mx = my = 0
    for i in range(28):
        row = img[i*28:(i+1)*28]
        s = sum(row)
        if s:
            m += s; my += s * (i + 0.5)
            mx += sum(v * cols[j] for j, v in enumerate(row) if v)
    sx += mx / m; sy += my / m
print("images", n, "mean centre of mass x %.4f y %.4f (pixel-centre coordinates, canvas centre 14.0)" % (sx / n, sy / n))
