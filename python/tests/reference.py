"""The reference code's formulation of AnyLoss in plain PyTorch ops, for autograd to
differentiate: amplify, sum the entries, apply the metric's formula. Independent of
anyloss (no shared code), so the tests compare two derivations of one loss."""

import torch

METRICS = {
    "f1": lambda tp, fn, fp, tn: 2 * tp / (2 * tp + fp + fn),
    "accuracy": lambda tp, fn, fp, tn: (tp + tn) / (tp + fn + fp + tn),
    "gmean": lambda tp, fn, fp, tn: torch.sqrt(tp / (tp + fn) * tn / (tn + fp)),
    "mcc": lambda tp, fn, fp, tn: (tp * tn - fp * fn)
    / torch.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)),
    "balanced_accuracy": lambda tp, fn, fp, tn: (tp / (tp + fn) + tn / (tn + fp)) / 2,
}


def amplify(p, L=73.0, threshold=0.5):
    return 1.0 / (1.0 + torch.exp(-L * (p - threshold)))


def entries(a, y, w=None):
    """Soft entries of amplified outputs ``a`` and 0/1 ``y`` (summed over dim 0)."""
    w = torch.ones_like(a) if w is None else w
    return (
        (w * y * a).sum(0),
        (w * y * (1 - a)).sum(0),
        (w * (1 - y) * a).sum(0),
        (w * (1 - y) * (1 - a)).sum(0),
    )


def binary_loss(p, y, metric="f1", L=73.0, threshold=0.5, w=None):
    y = y.to(p.dtype)
    return 1 - METRICS[metric](*entries(amplify(p, L, threshold), y, w))


def one_hot(labels, C, dtype):
    return torch.nn.functional.one_hot(labels, C).to(dtype)


def seed_multiclass_loss(p, labels):
    """The reference code's ``sum_c (FP_c + FN_c) / C`` of ``[N, C]`` probabilities."""
    C = p.shape[1]
    _, fn, fp, _ = entries(amplify(p), one_hot(labels, C, p.dtype))
    return (fp + fn).sum() / C


def macro_loss(p, y, metric="f1", average="macro", w=None):
    """``1 -`` the macro (or micro) average of a metric over the columns of ``[N, C]``
    amplified outputs with 0/1 targets ``y``."""
    e = entries(amplify(p), y, w)
    if average == "micro":
        return 1 - METRICS[metric](*(x.sum() for x in e))
    return 1 - METRICS[metric](*e).mean()
