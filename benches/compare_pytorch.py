#!/usr/bin/env python3
"""Side-by-side timing of AnyLoss in PyTorch and in anyloss, on the cases of issue 5.

Not run in CI: PyTorch is a multi-gigabyte install. To run it on one machine, one thread:

    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch
    cargo build --release -p anyloss-cli
    /tmp/torch/bin/python benches/compare_pytorch.py --anyloss target/release/anyloss

(PyPI's Linux wheel pulls in the CUDA libraries, about 4 GB, which it needs to import even
on a machine without a GPU; the CPU-only wheel from PyTorch's own index is smaller.)

It times, forward plus backward, float32, `torch.set_num_threads(1)`:

* `original`: the seed code's formulation of AnyLoss, written as that code writes it
  (amplifier `1/(1+exp(-L(p-0.5)))`, the four entries as separate masked sums, the metric
  from them, autograd for the gradient); for the multi-class case it one-hot encodes the
  labels and returns `sum_c (FP_c + FN_c) / C` on the `[N, C, H, W]` softmax map;
* `fused`: a hand-fused rewrite (`torch.sigmoid`, two sums instead of four, the entries
  derived from them), the fastest plain-PyTorch form we know;

on the same cases as `anyloss bench` (same sizes, label rate 0.3, uniform probabilities),
then runs `anyloss bench --json` in the same session and prints each pair and the ratio.
Figures are medians of `--repeats` runs. The peak resident set of this Python process
(after `import torch`) is printed too, for the memory comparison in BENCHMARKS.md.
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

L = 73.0


def original_binary_f1(torch, y, p):
    """The seed code's binary F1 loss: four masked sums, then 1 - F1."""
    a = 1.0 / (1.0 + torch.exp(-L * (p - 0.5)))
    tp = torch.sum(y * a)
    fn = torch.sum(y * (1.0 - a))
    fp = torch.sum((1.0 - y) * a)
    tn = torch.sum((1.0 - y) * (1.0 - a))
    del tn  # computed by the seed code, unused by F1
    return 1.0 - 2.0 * tp / (2.0 * tp + fn + fp)


def fused_binary_f1(torch, y, p):
    """Hand-fused: one sigmoid, two reductions; FN = P - TP and FP = sum(a) - TP."""
    a = torch.sigmoid(L * (p - 0.5))
    tp = torch.dot(y, a)
    sum_a = a.sum()
    positives = y.sum()
    return 1.0 - 2.0 * tp / (positives + sum_a)  # 2TP + FN + FP = P + sum(a)


def original_seed_multiclass(torch, labels, probs):
    """The seed code's multi-class objective: one-hot labels, per-class entries over
    [N, C, H, W], loss = sum_c (FP_c + FN_c) / C."""
    classes = probs.shape[1]
    onehot = torch.nn.functional.one_hot(labels, classes).permute(0, 3, 1, 2).float()
    a = 1.0 / (1.0 + torch.exp(-L * (probs - 0.5)))
    dims = (0, 2, 3)
    fn = torch.sum(onehot * (1.0 - a), dim=dims)
    fp = torch.sum((1.0 - onehot) * a, dim=dims)
    return torch.sum(fp + fn) / classes


def time_case(torch, loss_fn, make_inputs, elements, repeats):
    """Median ns per sample (element) of forward plus backward."""
    target, values = make_inputs()
    # ~2·10^7 samples per run, but at most 20,000 calls: PyTorch's per-call overhead
    # (~0.3 ms at N = 64) would make a run of the small case last minutes.
    calls = max(1, min(20_000_000 // elements, 20_000))
    runs = []
    for _ in range(repeats + 1):  # the first run warms up and is dropped
        start = time.perf_counter()
        for _ in range(calls):
            v = values.detach().requires_grad_(True)
            loss = loss_fn(torch, target, v)
            loss.backward()
        runs.append((time.perf_counter() - start) * 1e9 / (calls * elements))
    return statistics.median(runs[1:])


def binary_inputs(torch, n):
    def make():
        g = torch.Generator().manual_seed(5)
        y = (torch.rand(n, generator=g) < 0.3).float()
        p = torch.rand(n, generator=g)
        return y, p

    return make


def multiclass_inputs(torch, classes=10, side=512):
    def make():
        g = torch.Generator().manual_seed(10)
        z = torch.rand(1, classes, side, side, generator=g) * 4.0 - 2.0
        probs = torch.softmax(z, dim=1)
        labels = torch.randint(0, classes, (1, side, side), generator=g)
        return labels, probs

    return make


def anyloss_cases(binary, repeats):
    out = subprocess.run(
        [binary, "bench", "--json", "--repeats", str(repeats)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {c["name"]: c for c in json.loads(out)["cases"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--anyloss", default="target/release/anyloss", help="the anyloss binary")
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per case (median)")
    args = parser.parse_args()

    import torch  # imported here so that --help works without PyTorch

    torch.set_num_threads(1)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"torch {torch.__version__}, 1 thread; peak RSS after import: {rss_mb:.0f} MB")

    n6 = 1_000_000
    elements = 10 * 512 * 512
    torch_cases = {
        "binary_f1_1e6": {
            "original": time_case(torch, original_binary_f1, binary_inputs(torch, n6), n6, args.repeats),
            "fused": time_case(torch, fused_binary_f1, binary_inputs(torch, n6), n6, args.repeats),
        },
        "seed_multiclass_1x10x512x512": {
            "original": time_case(
                torch, original_seed_multiclass, multiclass_inputs(torch), elements, args.repeats
            ),
        },
        "binary_f1_64": {
            "original": time_case(torch, original_binary_f1, binary_inputs(torch, 64), 64, args.repeats),
            "fused": time_case(torch, fused_binary_f1, binary_inputs(torch, 64), 64, args.repeats),
        },
    }
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ours = anyloss_cases(args.anyloss, args.repeats)

    print(f"{'case':<30} {'variant':<9} {'torch ns/s':>11} {'anyloss ns/s':>13} {'ratio':>8}")
    for name, variants in torch_cases.items():
        mine = ours[name]["ns_per_sample"]
        for variant, theirs in variants.items():
            print(f"{name:<30} {variant:<9} {theirs:>11.2f} {mine:>13.3f} {theirs / mine:>7.1f}x")
    print(f"peak RSS of this PyTorch process: {rss_mb:.0f} MB "
          "(anyloss bench: measure with /usr/bin/time -v)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
