"""Derives the two small `anyloss eval` example files from the bundled `pima.csv`:

- `pima_weighted.csv` (`label,prob,weight`): the diabetes label, the out-of-fold
  probability of a logistic regression on the eight features, and the balanced class
  weight n / (2 n_class) of the row's label.
- `pima_multilabel.csv` (`y0,y1,y2,y3,p0,p1,p2,p3`): four tags per patient, y0 diabetes,
  y1 obese (Mass >= 30), y2 age >= 40, y3 glucose (Plas) >= 140, each with the out-of-fold
  probability of a logistic regression on the features other than the one defining it.

Out-of-fold: 5 folds by row index modulo 5, features standardised on the training part,
full-batch gradient descent (lr 0.5, 2000 steps, L2 1e-3). Run from the repository root:

    python examples/data/make_eval_files.py
"""
import csv

import numpy as np


def read(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    return rows[0], np.array(rows[1:], dtype=np.float64)


def logistic_oof(x, y, folds=5):
    n = len(y)
    fold = np.arange(n) % folds
    p = np.zeros(n)
    for k in range(folds):
        tr, te = fold != k, fold == k
        mu, sd = x[tr].mean(0), x[tr].std(0)
        sd[sd == 0] = 1
        a, b = (x[tr] - mu) / sd, (x[te] - mu) / sd
        w, c = np.zeros(x.shape[1]), 0.0
        for _ in range(2000):
            q = 1 / (1 + np.exp(-(a @ w + c)))
            g = q - y[tr]
            w -= 0.5 * (a.T @ g / len(g) + 1e-3 * w)
            c -= 0.5 * g.mean()
        p[te] = 1 / (1 + np.exp(-(b @ w + c)))
    return p


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)


header, data = read("examples/data/pima.csv")
col = {name: i for i, name in enumerate(header)}
features = data[:, : col["label"]]
diabetes = data[:, col["label"]]

p = logistic_oof(features, diabetes)
n, n_pos = len(diabetes), diabetes.sum()
weight = np.where(diabetes == 1, n / (2 * n_pos), n / (2 * (n - n_pos)))
write(
    "examples/data/pima_weighted.csv",
    ["label", "prob", "weight"],
    [[int(y), f"{q:.4f}", f"{w:.4f}"] for y, q, w in zip(diabetes, p, weight)],
)

tags = [
    (diabetes, None),
    ((data[:, col["Mass"]] >= 30).astype(float), "Mass"),
    ((data[:, col["Age"]] >= 40).astype(float), "Age"),
    ((data[:, col["Plas"]] >= 140).astype(float), "Plas"),
]
ys, ps = [], []
for y, defining in tags:
    keep = [i for i in range(features.shape[1]) if defining is None or i != col[defining]]
    ys.append(y)
    ps.append(logistic_oof(features[:, keep], y))
write(
    "examples/data/pima_multilabel.csv",
    [f"y{c}" for c in range(4)] + [f"p{c}" for c in range(4)],
    [
        [int(ys[c][i]) for c in range(4)] + [f"{ps[c][i]:.4f}" for c in range(4)]
        for i in range(n)
    ],
)
