"""Derives `probs3_weighted.csv` (`label,p0,p1,p2,weight`) from `probs3.csv`: the same rows,
each weighted by the balanced class weight n / (3 n_class) of its label, so that every
class counts the same in the entries. Run from the repository root:

    python examples/eval/make_probs3_weighted.py
"""
import csv
from collections import Counter

with open("examples/eval/probs3.csv") as f:
    rows = list(csv.reader(f))
header, data = rows[0], rows[1:]
counts = Counter(r[0] for r in data)
with open("examples/eval/probs3_weighted.csv", "w", newline="") as f:
    out = csv.writer(f, lineterminator="\n")
    out.writerow(header + ["weight"])
    for r in data:
        out.writerow(r + [f"{len(data) / (len(counts) * counts[r[0]]):.6f}"])
