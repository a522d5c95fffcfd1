"""Any confusion-matrix metric as a differentiable loss with its exact gradient.

``anyloss.loss_and_grad`` runs the Rust core's binary kernels on NumPy arrays;
``anyloss.Metric`` is a built-in metric or a formula with its exact partials;
``anyloss.torch`` (imported on demand, it imports PyTorch) has the ``nn.Module`` losses.
"""

from __future__ import annotations

from typing import Mapping, Optional, Tuple, Union

from . import _native
from ._native import BUILTIN_METRICS, Metric

__all__ = ["BUILTIN_METRICS", "Metric", "loss_and_grad", "objective"]


def loss_and_grad(
    labels,
    outputs,
    metric: Union[str, Metric] = "f1",
    L: float = 73.0,
    threshold: float = 0.5,
    weight=None,
    from_logits: bool = False,
    params: Optional[Mapping[str, float]] = None,
    fallback: Optional[float] = None,
) -> Tuple[float, "numpy.ndarray", dict]:
    """The binary AnyLoss ``1 - M`` and its exact gradient, by the Rust core's kernels.

    Args:
        labels: ``numpy.uint8`` array of 0/1, the outputs' shape.
        outputs: ``numpy.float32`` array: probabilities in [0, 1], or logits with
            ``from_logits=True`` (then ``p = sigmoid(z)``).
        metric: a built-in name (``anyloss.BUILTIN_METRICS``), a formula over
            ``TP FN FP TN`` such as ``"2*TP/(2*TP+FP+FN)"``, or an ``anyloss.Metric``.
        L: the amplifier's steepness, ``A(p) = sigmoid(L (p - threshold))``; 73 is the
            paper's default.
        threshold: the decision threshold ``t`` of the amplifier.
        weight: per-sample weights (``numpy.float32``, the outputs' shape).
        from_logits: ``outputs`` are logits.
        params: binds ``beta``/``alpha`` of ``fbeta``/``tversky``, or a formula's parameters.
        fallback: where the metric is undefined (recall of a batch without positives, ...),
            take this value with zero gradient instead of the default smoothing (one
            pseudo-count added to every entry).

    Returns:
        ``(loss, grad, entries)``: ``grad`` is ``d loss / d outputs`` (float32, the
        outputs' shape), ``entries`` the soft confusion entries ``{"tp", "fn", "fp", "tn"}``.

    Raises:
        TypeError: an array of the wrong dtype; ValueError: mismatched shapes, a label other
        than 0/1, a non-finite output, a probability outside [0, 1], an unknown metric or a
        formula error (with its position).
    """
    return _native.loss_and_grad(
        labels,
        outputs,
        metric,
        float(L),
        float(threshold),
        weight,
        bool(from_logits),
        None if params is None else dict(params),
        None if fallback is None else float(fallback),
    )


def objective(
    metric: Union[str, Metric],
    entries,
    support,
    average: Optional[str] = None,
    fallback: Optional[float] = None,
    params: Optional[Mapping[str, float]] = None,
) -> Tuple[float, list]:
    """The loss at per-class confusion entries and its coefficients, by the Rust core.

    ``entries[c] = (TP_c, FN_c, FP_c, TN_c)``, ``support[c]`` the (weighted) number of
    labelled samples of class ``c`` (used by ``average="weighted"``). Returns ``(loss, coefficients)`` with
    ``coefficients[c] = (d loss/d a of a positive of c, of a negative of c)``: the
    derivative with respect to the amplified output ``a`` of one sample. One class with
    the default macro averaging is the binary loss. ``metric`` may also be ``"seed"``
    (the reference code's ``sum_c (FP_c + FN_c) / C``) or ``"seed_normalized"`` (divided
    by the number of samples too). This is what ``anyloss.torch`` calls once per step.
    """
    return _native.objective(
        metric,
        [tuple(float(x) for x in e) for e in entries],
        [float(n) for n in support],
        average,
        None if fallback is None else float(fallback),
        None if params is None else dict(params),
    )
