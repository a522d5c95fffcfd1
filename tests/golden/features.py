"""Golden vectors for sample weights, decision thresholds, logits and multi-label losses.

Float64 PyTorch autograd, L = 73, run from the repository root:

    python tests/golden/features.py > tests/golden/features.json

Every input (probability, logit, weight, threshold) is rounded to float32 first, so the
vectors are exact for the f32 values the library reads. The reference formulas, written
independently of the library:

    p = x (probabilities) or sigmoid(z) (logits)
    A = sigmoid(L * (p - t))        (both sigmoids in a form that stays accurate when saturated)
    TP = sum w*y*A, FN = sum w*y*(1-A), FP = sum w*(1-y)*A, TN = sum w*(1-y)*(1-A)
    loss = 1 - M(TP, FN, FP, TN), grad = d loss / d x

Multi-label: the same per column c of y[N][C] and x[N][C] with row weights w; averages
macro = 1 - sum_c v_c M_c / sum_c v_c (v = class weights, 1 by default),
weighted = the same with v_c * support_c (support_c = sum_i w_i y_ic, a constant),
micro = 1 - M(sum_c entries_c), none = per-class losses 1 - M_c (grad of their sum).

Multi-class: labels y in 0..C per position (a sample of [N, C], or a pixel of [N, C, H, W]),
probabilities x of the same shape or logits with p = softmax over the class axis, weights w
per position ([N] or [N, H, W]), threshold 0.5; one-vs-rest entries per class c over all
positions, TP_c = sum w*[y=c]*A_c, FN_c = sum w*[y=c]*(1-A_c), FP_c = sum w*[y!=c]*A_c,
TN_c = sum w*[y!=c]*(1-A_c), support_c = sum w*[y=c] (a constant), and the averages as for
multi-label.
"""
import json
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
L = 73.0


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def metric(name, tp, fn, fp, tn):
    if name == "f1":
        return 2 * tp / (2 * tp + fn + fp)
    if name == "mcc":
        return (tp * tn - fp * fn) / torch.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    if name == "balanced_accuracy":
        return (tp / (tp + fn) + tn / (tn + fp)) / 2
    if name == "jaccard":
        return tp / (tp + fn + fp)
    raise ValueError(name)


def sigmoid_pair(x):
    """sigmoid(x) and 1 - sigmoid(x) from e = exp(-|x|), so that autograd's derivative,
    e/(1+e)^2, keeps full relative accuracy where the sigmoid saturates (torch.sigmoid's
    backward forms y(1-y), whose 1-y cancels there)."""
    e = torch.exp(-torch.abs(x))
    big, small = 1 / (1 + e), e / (1 + e)
    pos = x >= 0
    return torch.where(pos, big, small), torch.where(pos, small, big)


def entries(y, x, w, t, logits):
    p = sigmoid_pair(x)[0] if logits else x
    a, one_minus_a = sigmoid_pair(L * (p - t))
    return (
        (w * y * a).sum(0),
        (w * y * one_minus_a).sum(0),
        (w * (1 - y) * a).sum(0),
        (w * (1 - y) * one_minus_a).sum(0),
    )


def binary_case(rng, case_id, name, n, logits, t, weighted, zero_share):
    y = (rng.random(n) < 0.4).astype(np.float64)
    y[0], y[1] = 1.0, 0.0
    x = f32(rng.normal(0, 3, n) if logits else rng.random(n))
    w = None
    if weighted:
        w = f32(rng.uniform(0.0, 2.0, n))
        w[rng.random(n) < zero_share] = 0.0
        w[0], w[1] = 1.5, 0.5  # keep both classes present
    t = float(f32(t))
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w) if w is not None else torch.ones(n)
    tp, fn, fp, tn = entries(torch.tensor(y), xt, wt, t, logits)
    loss = 1 - metric(name, tp, fn, fp, tn)
    loss.backward()
    return {
        "id": case_id,
        "metric": name,
        "input": "logits" if logits else "probs",
        "threshold": t,
        "y": [int(v) for v in y],
        "x": x.tolist(),
        "w": None if w is None else w.tolist(),
        "tp": tp.item(), "fn": fn.item(), "fp": fp.item(), "tn": tn.item(),
        "loss": loss.item(),
        "grad": xt.grad.tolist(),
    }


def average_loss(name, average, tp, fn, fp, tn, support, v):
    """The loss of per-class entries under `average`, and the per-class losses 1 - M_c."""
    m = metric(name, tp, fn, fp, tn)
    per_class = 1 - m
    if average == "macro":
        loss = 1 - (v * m).sum() / v.sum()
    elif average == "weighted":
        u = v * support
        loss = 1 - (u * m).sum() / u.sum()
    elif average == "micro":
        loss = 1 - metric(name, tp.sum(), fn.sum(), fp.sum(), tn.sum())
    elif average == "none":
        loss = per_class.sum()
    return loss, per_class


def multilabel_case(rng, case_id, name, average, n, c, logits, t, weighted, class_weights):
    prevalence = np.linspace(0.15, 0.6, c)
    y = (rng.random((n, c)) < prevalence).astype(np.float64)
    y[0, :], y[1, :] = 1.0, 0.0
    x = f32(rng.normal(0, 3, (n, c)) if logits else rng.random((n, c)))
    w = None
    if weighted:
        w = f32(rng.uniform(0.0, 2.0, n))
        w[rng.random(n) < 0.2] = 0.0
        w[0], w[1] = 1.0, 1.0
    v = None if class_weights is None else f32(class_weights)
    t = float(f32(t))
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w)[:, None] if w is not None else torch.ones(n, 1)
    yt = torch.tensor(y)
    tp, fn, fp, tn = entries(yt, xt, wt, t, logits)
    support = (wt * yt).sum(0).detach()
    vt = torch.tensor(v) if v is not None else torch.ones(c)
    loss, per_class = average_loss(name, average, tp, fn, fp, tn, support, vt)
    loss.backward()
    return {
        "id": case_id,
        "metric": name,
        "average": average,
        "input": "logits" if logits else "probs",
        "threshold": t,
        "classes": c,
        "y": [int(v) for v in y.reshape(-1)],
        "x": x.reshape(-1).tolist(),
        "w": None if w is None else w.tolist(),
        "class_weights": None if v is None else v.tolist(),
        "per_class": per_class.detach().tolist(),
        "loss": loss.item(),
        "grad": xt.grad.reshape(-1).tolist(),
    }


def multiclass_case(rng, case_id, name, average, shape, logits, weighted, class_weights):
    """shape is (N, C) or (N, C, H, W); the class axis is 1."""
    n, c = shape[0], shape[1]
    positions = (n,) + tuple(shape[2:])
    # Unbalanced classes, every class present (with a non-zero weight) at the first positions.
    prior = np.linspace(1.0, 2.5, c)
    y = rng.choice(c, size=positions, p=prior / prior.sum())
    flat_y = y.reshape(-1)
    flat_y[:c] = np.arange(c)
    z = rng.normal(0, 2, shape)
    # Push each position towards its label so the entries are far from degenerate.
    np.put_along_axis(z, y[:, None], np.take_along_axis(z, y[:, None], 1) + 1.5, 1)
    if logits:
        x = f32(z)
    else:
        e = np.exp(z - z.max(1, keepdims=True))
        x = f32(e / e.sum(1, keepdims=True))
    w = None
    if weighted:
        w = f32(rng.uniform(0.0, 2.0, positions))
        flat_w = w.reshape(-1)
        flat_w[rng.random(flat_w.size) < 0.2] = 0.0
        flat_w[:c] = 1.0
    v = None if class_weights is None else f32(class_weights)
    xt = torch.tensor(x, requires_grad=True)
    p = torch.softmax(xt, 1) if logits else xt
    a, one_minus_a = sigmoid_pair(L * (p - 0.5))
    onehot = torch.nn.functional.one_hot(torch.tensor(y), c).movedim(-1, 1).double()
    wt = (torch.tensor(w) if w is not None else torch.ones(positions)).unsqueeze(1)
    dims = [0] + list(range(2, len(shape)))
    tp = (wt * onehot * a).sum(dims)
    fn = (wt * onehot * one_minus_a).sum(dims)
    fp = (wt * (1 - onehot) * a).sum(dims)
    tn = (wt * (1 - onehot) * one_minus_a).sum(dims)
    support = (wt * onehot).sum(dims).detach()
    vt = torch.tensor(v) if v is not None else torch.ones(c)
    loss, per_class = average_loss(name, average, tp, fn, fp, tn, support, vt)
    loss.backward()
    return {
        "id": case_id,
        "metric": name,
        "average": average,
        "input": "logits" if logits else "probs",
        "shape": list(shape),
        "y": [int(k) for k in y.reshape(-1)],
        "x": x.reshape(-1).tolist(),
        "w": None if w is None else w.reshape(-1).tolist(),
        "class_weights": None if v is None else v.tolist(),
        "entries": [[tp[k].item(), fn[k].item(), fp[k].item(), tn[k].item()] for k in range(c)],
        "support": support.tolist(),
        "per_class": per_class.detach().tolist(),
        "loss": loss.item(),
        "grad": xt.grad.reshape(-1).tolist(),
    }


def multiclass_cases():
    # A generator of its own, so that the binary and multi-label cases above stay as they were.
    rng = np.random.default_rng(20261201)
    cases = []
    for name in ["f1", "mcc"]:
        for average in ["macro", "micro", "weighted", "none"]:
            for logits in [False, True]:
                for shape, weighted, cw in [((60, 4), False, None), ((60, 4), True, None),
                                            ((60, 4), True, [1.0, 2.0, 0.5, 1.0]),
                                            ((2, 3, 4, 5), True, None),
                                            ((2, 3, 4, 5), False, [0.5, 1.0, 3.0])]:
                    if cw is not None and average not in ("macro", "weighted"):
                        continue
                    kind = "logits" if logits else "probs"
                    dims = "x".join(map(str, shape))
                    cid = f"{name}_{average}_{kind}_{dims}_{'w' if weighted else 'u'}{'_cw' if cw else ''}"
                    cases.append(multiclass_case(rng, cid, name, average, shape, logits, weighted, cw))
    return cases


def main():
    rng = np.random.default_rng(20261130)
    binary = []
    for name in ["f1", "mcc", "balanced_accuracy", "jaccard"]:
        for logits in [False, True]:
            for t in [0.5, 0.3, 0.7]:
                for weighted in [False, True]:
                    if t == 0.5 and not weighted:
                        continue  # the existing binary golden file covers this
                    for n in [17, 150]:
                        kind = "logits" if logits else "probs"
                        cid = f"{name}_{kind}_t{t}_{'w' if weighted else 'u'}_n{n}"
                        binary.append(binary_case(rng, cid, name, n, logits, t, weighted, 0.25))
    multilabel = []
    for name in ["f1", "mcc"]:
        for average in ["macro", "micro", "weighted", "none"]:
            for logits in [False, True]:
                for t, weighted, cw in [(0.5, False, None), (0.3, True, None), (0.7, False, None),
                                        (0.5, True, [1.0, 2.0, 0.5, 1.0])]:
                    if cw is not None and average not in ("macro", "weighted"):
                        continue
                    kind = "logits" if logits else "probs"
                    cid = f"{name}_{average}_{kind}_t{t}_{'w' if weighted else 'u'}{'_cw' if cw else ''}"
                    multilabel.append(multilabel_case(rng, cid, name, average, 50, 4, logits, t, weighted, cw))
    json.dump({
        "schema_version": 1,
        "description": __doc__,
        "generator": f"tests/golden/features.py, torch {torch.__version__}, float64",
        "L": L,
        "binary_fields": "id, metric, input (probs|logits), threshold, y[n], x[n], w[n] or null, tp, fn, fp, tn, loss, grad[n] = d loss / d x",
        "multilabel_fields": "id, metric, average (macro|micro|weighted|none), input, threshold, classes, y[n*C] and x[n*C] row-major, w[n] or null, class_weights[C] or null, per_class[C] = 1 - M_c, loss (none: sum of per_class), grad[n*C]",
        "multiclass_fields": "id, metric, average (macro|micro|weighted|none), input (probs|logits: softmax over the class axis), shape [N, C] or [N, C, H, W], y[N*H*W] class labels, x[N*C*H*W] row-major, w[N*H*W] or null, class_weights[C] or null, entries[C] = [TP, FN, FP, TN], support[C], per_class[C] = 1 - M_c, loss (none: sum of per_class), grad[N*C*H*W]",
        "binary": binary,
        "multilabel": multilabel,
        "multiclass": multiclass_cases(),
    }, sys.stdout)


main()
