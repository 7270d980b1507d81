#!/usr/bin/python3
"""The search behind the speedrun recipe (README.md "Speedrun"): runs `backprop train --recipe speedrun
--validation 10000` with overrides over seeds and prints mean/worst validation accuracy and median training time.

The last 10,000 training images are the validation split; the test set is not loaded. Usage:
    tools/speedrun/search.py build/engine/backprop --seeds 3 'epochs=2' 'epochs=3 lr=0.003' ...
Each configuration is a space-separated list of flag=value overrides of the recipe (flag names as the CLI's).
"""
import argparse
import re
import statistics
import subprocess
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("backprop")
    p.add_argument("configs", nargs="+")
    p.add_argument("--seeds", type=int, default=3)
    a = p.parse_args()
    for conf in a.configs:
        flags = []
        for kv in conf.split():
            k, _, v = kv.partition("=")
            flags += [f"--{k}"] + ([v] if v else [])
        accs, secs = [], []
        for seed in range(1, a.seeds + 1):
            out = subprocess.run([a.backprop, "train", "--recipe", "speedrun", "--validation", "10000", "--quiet",
                                  "--seed", str(seed)] + flags, capture_output=True, text=True)
            m = re.search(r"validation accuracy ([\d.]+)%.*training ([\d.]+)s", out.stdout)
            if not m:
                print(f"{conf}: failed: {out.stderr.strip()[:300]}", flush=True)
                break
            accs.append(float(m.group(1)))
            secs.append(float(m.group(2)))
        if accs:
            print(f"{conf:50s} val mean {statistics.mean(accs):.2f}%  worst {min(accs):.2f}%  "
                  f"train median {statistics.median(secs):.1f}s  ({len(accs)} seeds)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
