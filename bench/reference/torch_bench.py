#!/usr/bin/env python3
"""PyTorch reference for AdvPrune Lab's benchmark harness (bench/run.ts), on the CPU or a CUDA GPU.

Same models, steps and evaluations as the TypeScript side, timed the same way (untimed warm-up
runs, then the median and 95th percentile, linear interpolation, of timed runs; every run ends
with a read of its result, `.item()`, which also waits for a GPU), on
`torch.set_num_threads(--threads)` (default 2) and `--device` (default cpu; cuda for the WebGPU
comparison on a machine with an NVIDIA GPU and a CUDA build of torch: Debian's is CPU-only).

Models (src/engine/model/spec.ts), inputs NHWC [B, 28, 28, 1] permuted to NCHW [B, 1, 28, 28]:
  mlp:   flatten-784, 300 ReLU, 100 ReLU, 10
  lenet: conv5x5(6) 'same' (padding 2) ReLU, maxpool 2, conv5x5(16) 'valid' ReLU, maxpool 2,
         flatten-400, 120 ReLU, 84 ReLU, 10
  init: He normal N(0, 2/fan_in) kernels (Glorot normal for the head), zero biases.
Tasks (names match the harness rows):
  train-standard  mean CE on clean x; SGD lr 0.01, momentum 0.9, weight decay 5e-4
  train-fgsm-rs   Wong, Rice, Kolter 2020 (arXiv 2001.03994): eps 0.1, alpha 1.25 eps, random start
  train-pgd7-at   Madry et al. 2018 (arXiv 1706.06083): eps 0.1, 7 steps of 2.5 eps / 7, random start
  eval-pgd20      PGD-Linf eps 0.1, 20 steps of 0.025, random start, on 1,000 test images in
                  batches of 250, every sample attacked, then the count of correct predictions
  anomaly-activation  256 test images, PGD-10 (eps 0.1, 0.025), tapped activations of every
                  prunable layer on x and x' (per-channel means for convs), relative degree per
                  neuron |s(x') - s(x)| / (|s(x)| + delta_l), read back to the CPU
  slider-clean+transfer  LeNet: global magnitude masks at a random sparsity in [0, 0.95), then
                  the accuracy on 1,000 clean images and on 1,000 transfer images (crafted once,
                  PGD-10 on the dense model), batches of 250
Usage: python3 bench/reference/torch_bench.py [--json] [--quick] [--tasks train,pgd-eval,...]
       [--threads 2] [--device cpu|cuda] [--data-dir public/datasets/fashion-mnist]
Prints a JSON object {"torch", "threads", "device", "rows": [{task, model, batch, median_ms, ...}]}
with --json, else a table.
"""
import argparse
import gzip
import json
import math
import os
import re
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

EPS = 0.1
DEV = torch.device("cpu")  # set by --device


def load_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def fashion(data_dir, split, n):
    prefix = "train" if split == "train" else "t10k"
    x = load_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"), 16)
    y = load_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"), 8)
    x = x[: n * 784].astype(np.float32).reshape(n, 28, 28, 1) / 255.0  # NHWC, [0, 1]
    xt = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()  # NCHW [n, 1, 28, 28]
    return xt, torch.from_numpy(y[:n].astype(np.int64))


def he_init(model):
    layers = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    for i, m in enumerate(layers):
        fan_in = m.weight[0].numel()
        fan_out = m.weight.shape[0] * (m.weight[0, 0].numel() if m.weight.dim() == 4 else 1)
        std = math.sqrt(2 / fan_in) if i < len(layers) - 1 else math.sqrt(2 / (fan_in + fan_out))
        with torch.no_grad():
            m.weight.normal_(0, std)
            m.bias.zero_()
    return model


def mlp():
    return he_init(nn.Sequential(
        nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
        nn.Linear(100, 10)))


def lenet():
    return he_init(nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)))


MODELS = {"mlp": mlp, "lenet": lenet}


def input_grad(model, x, y):
    x = x.detach().requires_grad_(True)
    loss = F.cross_entropy(model(x), y)
    (g,) = torch.autograd.grad(loss, [x])
    return g


def fgsm_rs(model, x, y, eps=EPS, alpha=1.25 * EPS):
    delta = torch.empty_like(x).uniform_(-eps, eps)
    g = input_grad(model, torch.clamp(x + delta, 0, 1), y)
    delta = torch.clamp(delta + alpha * g.sign(), -eps, eps)
    return torch.clamp(x + delta, 0, 1).detach()


def pgd(model, x, y, steps, step_size, eps=EPS):
    xa = torch.clamp(x + torch.empty_like(x).uniform_(-eps, eps), 0, 1)
    for _ in range(steps):
        g = input_grad(model, xa, y)
        xa = xa + step_size * g.sign()
        xa = torch.clamp(torch.min(torch.max(xa, x - eps), x + eps), 0, 1).detach()
    return xa


def stats(samples):
    s = sorted(samples)

    def q(p):
        pos = p * (len(s) - 1)
        lo = math.floor(pos)
        hi = min(lo + 1, len(s) - 1)
        return s[lo] + (s[hi] - s[lo]) * (pos - lo)

    return q(0.5), q(0.95)


def measure(fn, warmup, repeats):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    med, p95 = stats(samples)
    return med, p95, len(samples)


def train_runner(name, task, xb, yb):
    model = MODELS[name]().to(DEV)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

    def step():
        if task == "train-standard":
            xin = xb
        elif task == "train-fgsm-rs":
            xin = fgsm_rs(model, xb, yb)
        else:
            xin = pgd(model, xb, yb, 7, 2.5 * EPS / 7)
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xin), yb)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def pgd_eval(model, x, y, batch):
    correct = torch.zeros((), dtype=torch.int64, device=x.device)
    for s in range(0, x.shape[0], batch):
        xb, yb = x[s:s + batch], y[s:s + batch]
        xa = pgd(model, xb, yb, 20, 0.025)
        with torch.no_grad():
            correct += (model(xa).argmax(1) == yb).sum()
    return correct.item() / x.shape[0]


def taps(model, x):
    """Activations of every prunable layer (after its ReLU; the head's logits), per-neuron."""
    out, h = [], x
    mods = list(model)
    for i, m in enumerate(mods):
        h = m(h)
        nxt = mods[i + 1] if i + 1 < len(mods) else None
        is_act = isinstance(m, nn.ReLU) or (isinstance(m, nn.Linear) and nxt is None)
        if is_act:
            out.append(h.mean(dim=(2, 3)) if h.dim() == 4 else h)
    return out


def anomaly(model, x, y, delta=0.01):
    xa = pgd(model, x, y, 10, 0.025)
    with torch.no_grad():
        scores = []
        for c, a in zip(taps(model, x), taps(model, xa)):
            d = delta * c.abs().mean()
            scores.append(((a - c).abs() / (c.abs() + torch.clamp(d, min=1e-12))).mean(0))
        return torch.cat(scores).cpu().numpy()


def slider_runner(x, y, batch, rng):
    model = lenet().to(DEV)
    model.eval()
    xt = torch.cat([pgd(model, x[s:s + batch], y[s:s + batch], 10, 0.025)
                    for s in range(0, x.shape[0], batch)])
    weights = [m.weight for m in model if isinstance(m, (nn.Linear, nn.Conv2d))]
    dense = [w.detach().clone() for w in weights]
    flat = torch.cat([w.abs().flatten() for w in dense])

    def acc(data):
        with torch.no_grad():
            c = torch.zeros((), dtype=torch.int64, device=data.device)
            for s in range(0, data.shape[0], batch):
                c += (model(data[s:s + batch]).argmax(1) == y[s:s + batch]).sum()
            return c.item()

    def point():
        sparsity = rng.random() * 0.95
        k = int(sparsity * flat.numel())
        thr = torch.kthvalue(flat, k).values if k > 0 else torch.tensor(-1.0, device=flat.device)
        with torch.no_grad():
            for w, d in zip(weights, dense):
                w.copy_(d * (d.abs() > thr))
        return acc(x), acc(xt)

    return point


def blas_info():
    """BLAS_INFO of the build and the libblas.so.3 it resolves to (Debian: alternatives)."""
    cfg = torch.__config__.show()
    m = re.search(r"BLAS_INFO=([^,\s]+)", cfg)
    info = m.group(1) if m else "unknown"
    lib = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
    return f"{info} ({os.path.realpath(lib)})" if os.path.exists(lib) else info


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--json", action="store_true")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--tasks", default="train,pgd-eval,anomaly,slider")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--data-dir", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "../../public/datasets/fashion-mnist"))
    a = p.parse_args()
    global DEV
    if a.device == "cuda" and not torch.cuda.is_available():
        print(f"--device cuda: this torch {torch.__version__} sees no CUDA GPU", file=sys.stderr)
        sys.exit(3)
    DEV = torch.device(a.device)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    tasks = set(a.tasks.split(","))
    rows = []

    def add(task, model, batch, m):
        rows.append({"task": task, "model": model, "batch": batch,
                     "median_ms": m[0], "p95_ms": m[1], "runs": m[2]})
        if not a.json:
            print(f"{task:24} {model:6} b{batch:<4} {m[0]:9.1f} ms  p95 {m[1]:9.1f}", flush=True)

    xtr, ytr = (t.to(DEV) for t in fashion(a.data_dir, "train", 128))
    xte, yte = (t.to(DEV) for t in fashion(a.data_dir, "test", 1000))
    if "train" in tasks:
        reps = (2, 5) if a.quick else (3, 20)
        for name in MODELS:
            for batch in (64, 128):
                for task in ("train-standard", "train-fgsm-rs", "train-pgd7-at"):
                    step = train_runner(name, task, xtr[:batch], ytr[:batch])
                    add(task, name, batch, measure(step, *reps))
    if "pgd-eval" in tasks:
        for name in MODELS:
            model = MODELS[name]().to(DEV)
            model.eval()
            pgd_eval(model, xte[:250], yte[:250], 250)  # warm-up on one batch
            add("eval-pgd20", name, 250,
                measure(lambda: pgd_eval(model, xte, yte, 250), 0, 2 if a.quick else 5))
    if "anomaly" in tasks:
        for name in MODELS:
            model = MODELS[name]().to(DEV)
            model.eval()
            add("anomaly-activation", name, 256,
                measure(lambda: anomaly(model, xte[:256], yte[:256]), 1, 3 if a.quick else 10))
    if "slider" in tasks:
        point = slider_runner(xte, yte, 250, np.random.default_rng(42))
        add("slider-clean+transfer", "lenet", 250, measure(point, 1, 12 if a.quick else 30))
    if a.json:
        json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(),
                   "device": a.device, "blas": blas_info(), "rows": rows}, sys.stdout)
        print()


if __name__ == "__main__":
    main()
