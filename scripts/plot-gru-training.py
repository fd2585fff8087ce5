#!/usr/bin/python3
"""Draws the loss curve of a `kmlm train-gru` run from its log (scripts/train-gru.sh's output).

    scripts/plot-gru-training.py train-runs/gru-ko/train.log docs/gru-training.png

Needs Debian's python3 with python3-matplotlib, which only this figure uses (not the build).
The log's progress lines give the training loss (nats per token, smoothed), its validation
lines the held-out bits per token and per character; the plot shows both in bits.
"""
import math
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PROGRESS = re.compile(r"step (\d+)/(\d+)\s+loss ([0-9.]+)")
VALID = re.compile(r"step (\d+): train loss [0-9.]+, valid ([0-9.]+) bits/char \(([0-9.]+) bits/token\)")
SHAPE = re.compile(r"model (\d+)x(\d+), ([0-9.]+M) parameters")


def read_log(path):
    train, valid, title = {}, [], "GRU"
    with open(path, encoding="utf-8", errors="replace") as f:
        # Progress lines are rewritten in place with \r: split on both.
        for line in f.read().replace("\r", "\n").splitlines():
            if m := VALID.search(line):
                valid.append((int(m[1]), float(m[2]), float(m[3])))
            elif m := PROGRESS.search(line):
                train[int(m[1])] = float(m[3]) / math.log(2)
            elif m := SHAPE.search(line):
                title = f"GRU {m[1]}x{m[2]} ({m[3]} parameters)"
    return sorted(train.items()), valid, title


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: plot-gru-training.py TRAIN_LOG OUT.png")
    train, valid, title = read_log(sys.argv[1])
    if not train or not valid:
        sys.exit(f"{sys.argv[1]}: no training progress or validation lines")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True, dpi=100)
    top.plot([s for s, _ in train], [b for _, b in train], label="training (smoothed)", color="#4c72b0")
    top.plot([v[0] for v in valid], [v[2] for v in valid], "o-", label="valid.txt (first 1,000 lines)", color="#dd8452")
    top.set_ylabel("bits per token")
    top.set_ylim(bottom=min(b for _, b in train) * 0.95, top=min(4.0, max(b for _, b in train)))
    top.legend()
    top.grid(alpha=0.3)
    top.set_title(title)
    bottom.plot([v[0] for v in valid], [v[1] for v in valid], "o-", color="#dd8452")
    for step, bpc, _ in valid[-1:]:
        bottom.annotate(f"{bpc:.2f}", (step, bpc), textcoords="offset points", xytext=(-10, 8))
    bottom.set_ylabel("valid bits per character")
    bottom.set_xlabel("step (128 streams x 64 tokens each)")
    bottom.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(sys.argv[2])


if __name__ == "__main__":
    main()
