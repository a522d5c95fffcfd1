#!/usr/bin/env python3
"""Side-by-side timing of AnyLoss in PyTorch and in anyloss, on the cases of `anyloss bench`.

Not run in CI: PyTorch is a multi-gigabyte install. To run it (the project's venv has
torch at /opt/venv):

    cargo build --release -p anyloss-cli
    /opt/venv/bin/python benches/compare_pytorch.py --anyloss target/release/anyloss

(PyPI's Linux wheel pulls in the CUDA libraries, about 4 GB, which it needs to import even
on a machine without a GPU; the CPU-only wheel from PyTorch's own index is smaller.)

It times, forward plus backward, float32, on one thread (`torch.set_num_threads(1)`) and
on every core (PyTorch's default thread count):

* `original`: the seed code's formulation of AnyLoss, written as that code writes it
  (amplifier `1/(1+exp(-L(p-0.5)))`, the four entries as separate masked sums, the metric
  from them, autograd for the gradient); for the multi-class case it one-hot encodes the
  labels and returns `sum_c (FP_c + FN_c) / C` on the `[N, C, H, W]` softmax map;
* `fused`: a hand-fused rewrite (`torch.sigmoid`, two sums instead of four, the entries
  derived from them; for the multi-class objective one sum of `a` and one gather at the
  labels, `sum_c (FP_c + FN_c) = P + sum(a) - 2 sum_i a[i, y_i]`), the fastest
  plain-PyTorch form we know;

on the same cases as `anyloss bench` (same sizes, label rate 0.3, uniform probabilities),
then runs `anyloss bench --json` in the same session and prints each pair and the ratio
(PyTorch ÷ anyloss): one-thread PyTorch against one-thread anyloss, all-thread PyTorch
against all-thread anyloss where `anyloss bench` has that case (`binary_f1_1e7`,
`seed_multiclass_8x10x512x512`), else against its one-thread figure (marked `1t`).
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


def fused_seed_multiclass(torch, labels, probs):
    """Hand-fused seed objective: sum_c (FP_c + FN_c) = P + sum(a) - 2 sum_i a[i, y_i],
    with P the number of labelled pixels; one sigmoid, one sum, one gather."""
    classes = probs.shape[1]
    a = torch.sigmoid(L * (probs - 0.5))
    at_label = torch.gather(a, 1, labels.unsqueeze(1)).sum()
    return (labels.numel() + a.sum() - 2.0 * at_label) / classes


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


def multiclass_inputs(torch, samples, classes=10, side=512):
    def make():
        g = torch.Generator().manual_seed(10)
        z = torch.rand(samples, classes, side, side, generator=g) * 4.0 - 2.0
        probs = torch.softmax(z, dim=1)
        labels = torch.randint(0, classes, (samples, side, side), generator=g)
        return labels, probs

    return make


def anyloss_cases(binary, repeats):
    out = subprocess.run(
        [binary, "bench", "--json", "--repeats", str(repeats)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {(c["name"], c.get("threads", 1)): c for c in json.loads(out)["cases"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--anyloss", default="target/release/anyloss", help="the anyloss binary")
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per case (median)")
    args = parser.parse_args()

    import torch  # imported here so that --help works without PyTorch

    cores = torch.get_num_threads()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"torch {torch.__version__}, 1 and {cores} threads; peak RSS after import: {rss_mb:.0f} MB")

    n6, n7 = 1_000_000, 10_000_000
    per_map = 10 * 512 * 512
    cases = [
        ("binary_f1_1e6", n6, binary_inputs(torch, n6), original_binary_f1, fused_binary_f1),
        ("binary_f1_1e7", n7, binary_inputs(torch, n7), original_binary_f1, fused_binary_f1),
        ("seed_multiclass_1x10x512x512", per_map, multiclass_inputs(torch, 1),
         original_seed_multiclass, fused_seed_multiclass),
        ("seed_multiclass_8x10x512x512", 8 * per_map, multiclass_inputs(torch, 8),
         original_seed_multiclass, fused_seed_multiclass),
        ("binary_f1_64", 64, binary_inputs(torch, 64), original_binary_f1, fused_binary_f1),
    ]
    torch_cases = {}
    for threads in (1, cores):
        torch.set_num_threads(threads)
        for name, n, make, original, fused in cases:
            for variant, fn in (("original", original), ("fused", fused)):
                torch_cases[(name, threads, variant)] = time_case(torch, fn, make, n, args.repeats)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ours = anyloss_cases(args.anyloss, args.repeats)

    print(f"{'case':<30} {'threads':>7} {'variant':<9} {'torch ns/s':>11} {'anyloss ns/s':>13} {'ratio':>8}")
    for (name, threads, variant), theirs in torch_cases.items():
        mine = ours.get((name, threads))
        mark = ""
        if mine is None:
            mine, mark = ours[(name, 1)], " 1t"
        mine = mine["ns_per_sample"]
        print(f"{name:<30} {threads:>7} {variant:<9} {theirs:>11.2f} {mine:>13.3f}"
              f" {theirs / mine:>7.1f}x{mark}")
    print(f"peak RSS of this PyTorch process: {rss_mb:.0f} MB "
          "(anyloss bench: measure with /usr/bin/time -v)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
