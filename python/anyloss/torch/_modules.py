"""The ``nn.Module`` losses: binary, multi-class (and segmentation), multi-label."""

from __future__ import annotations

from typing import Mapping, Optional, Union

import torch
from torch import nn

from .. import Metric, objective
from ._inputs import Prepared, prepare_binary, prepare_multiclass, prepare_multilabel
from ._kernels import WithGradient, amplify, class_entries, gradient_wrt_amplified_input, logistic
from ._sync import all_reduce_sum, sync_group_size

SEEDS = ("seed", "seed_normalized")


class _ConfusionLoss(nn.Module):
    """What the three losses share: the amplifier, the metric, the degenerate policy, the
    sync, and the step from entries to a value with its exact gradient. Its arguments are
    those of :class:`MultilabelAnyLoss`, which takes them as they are; ``average=None``
    is the binary loss's single confusion matrix."""

    #: Whether ``metric`` may be one of ``SEEDS``, the multi-class reference objectives.
    _takes_seeds = False

    def __init__(
        self,
        metric: Union[str, Metric] = "f1",
        average: Optional[str] = "macro",
        L: float = 73.0,
        threshold: float = 0.5,
        from_logits: bool = False,
        sync: bool = False,
        process_group=None,
        params: Optional[Mapping[str, float]] = None,
        fallback: Optional[float] = None,
    ):
        super().__init__()
        if isinstance(metric, str) and metric in SEEDS and not self._takes_seeds:
            raise ValueError(f"metric {metric!r} is multi-class: use MulticlassAnyLoss")
        L, threshold = float(L), float(threshold)
        if not (L > 0 and L < float("inf")):
            raise ValueError(f"L={L}: the amplifier's steepness must be finite and > 0")
        if not (0.0 < threshold < 1.0):
            raise ValueError(f"threshold={threshold}: must lie strictly between 0 and 1")
        if isinstance(metric, str) and metric in SEEDS:
            if params or fallback is not None:
                raise ValueError(f"metric {metric!r} takes no params or fallback")
            self.metric = metric
        elif isinstance(metric, Metric):
            if params:
                raise ValueError("params must be given to anyloss.Metric(...), not with one")
            self.metric = metric
        else:
            self.metric = Metric(metric, params)
        if average is not None and average not in ("macro", "micro", "weighted"):
            raise ValueError(f"average={average!r}: expected 'macro', 'micro' or 'weighted'")
        # Validates the combination now rather than at the first batch.
        objective(self.metric, [(1.0, 1.0, 1.0, 1.0)], [1], average, fallback)
        self.L, self.threshold, self.from_logits = L, threshold, bool(from_logits)
        self.average, self.fallback = average, fallback
        self.sync, self.process_group = bool(sync), process_group
        sync_group_size(self.sync, process_group)  # rejects a group without sync

    def extra_repr(self) -> str:
        metric = self.metric if isinstance(self.metric, str) else self.metric.text
        return (
            f"metric={metric!r}, L={self.L}, threshold={self.threshold}, "
            f"from_logits={self.from_logits}, sync={self.sync}"
        )

    def _loss(self, outputs: torch.Tensor, prep: Prepared, softmax: bool) -> torch.Tensor:
        x = prep.x
        if softmax:
            p = torch.softmax(x, dim=1)
            dp = None
        elif self.from_logits:
            p, _, dp = logistic(x)
        else:
            p, dp = x, None
        a, one_minus_a, slope = amplify(p, self.L, self.threshold)
        entries = class_entries(a, one_minus_a, prep.y, prep.w)
        # The support of a class is its weighted number of samples, as in the core.
        support = (prep.y if prep.w is None else prep.w * prep.y).sum(dim=(0, 2))
        stats = torch.cat(
            [entries.flatten().double(), support.double(), prep.checks.double()]
        )
        processes = sync_group_size(self.sync, self.process_group)
        if processes is not None:
            local = stats.clone()
            all_reduce_sum(stats, self.process_group)
            both = torch.cat([local, stats]).tolist()  # one device-to-host copy
            local, stats = both[: len(both) // 2], both[len(both) // 2 :]
        else:
            stats = local = stats.tolist()
        C = entries.shape[0]
        prep.raise_on_bad_input(local[5 * C :], stats[5 * C :], processes)
        rows = [stats[4 * c : 4 * c + 4] for c in range(C)]
        loss, coefficients = objective(
            self.metric, rows, stats[4 * C : 5 * C], self.average,
            self.fallback,
        )
        value = torch.tensor(loss, dtype=outputs.dtype, device=outputs.device)
        if not (torch.is_grad_enabled() and outputs.requires_grad):
            return value
        k = torch.tensor(coefficients, dtype=x.dtype, device=x.device)
        g = gradient_wrt_amplified_input(k, slope, prep.y, prep.w)
        if processes is not None:
            # DDP averages gradients over the processes; this rank's share of the global
            # loss's gradient is g, so hand it over multiplied by their number.
            g = g * processes
        if softmax:
            g = p * (g - (p * g).sum(dim=1, keepdim=True))
        elif dp is not None:
            g = g * dp
        return WithGradient.apply(outputs, value, g.reshape(outputs.shape).to(outputs.dtype))


class AnyLoss(_ConfusionLoss):
    """Binary AnyLoss: ``1 - M(TP, FN, FP, TN)`` of soft confusion entries, with the exact
    gradient.

    ``A(p) = sigmoid(L (p - threshold))`` amplifies each probability (``p = sigmoid(z)``
    with ``from_logits=True``); the entries are weighted sums of ``A`` computed with tensor
    ops on the outputs' device; only the four entries go to the Rust core, which returns the
    metric and its partials (with its policy where the metric is undefined). The gradient is
    the core's: ``d loss / d p_i = w_i A'(p_i) c(y_i)`` with ``c`` the partials' coefficient
    of the sample's label, computed without the ``A (1 - A)`` flush of ``sigmoid``'s own
    backward.

    Args:
        metric: a built-in name (``anyloss.BUILTIN_METRICS``), a formula over
            ``TP FN FP TN``, or an ``anyloss.Metric``.
        L: amplifier steepness (73, the paper's default).
        threshold: decision threshold ``t`` of the amplifier.
        from_logits: outputs are logits.
        sync: with ``torch.distributed`` initialised, sum the entries over the processes of
            ``process_group`` (default: all) before evaluating the metric: every process
            gets the loss of the global batch, and its gradient is scaled so that
            DistributedDataParallel's averaging gives exactly the gradient of the global
            batch's loss. Every process must then call the loss the same number of times.
            Without an initialised process group, no sync and no error.
        params: ``beta``/``alpha`` of ``fbeta``/``tversky``, or a formula's parameters.
        fallback: value taken, with zero gradient, where the metric is undefined, instead
            of the default smoothing (one pseudo-count added to every entry).

    ``forward(outputs, labels, weight=None)``: ``labels`` 0/1 of the outputs' shape (any
    dtype), ``weight`` non-negative per-sample weights of that shape. Returns a scalar
    tensor on the outputs' device.
    """

    def __init__(
        self,
        metric: Union[str, Metric] = "f1",
        L: float = 73.0,
        threshold: float = 0.5,
        from_logits: bool = False,
        sync: bool = False,
        process_group=None,
        params: Optional[Mapping[str, float]] = None,
        fallback: Optional[float] = None,
    ):
        super().__init__(
            metric, None, L, threshold, from_logits, sync, process_group, params, fallback
        )

    def forward(self, outputs, labels, weight=None):  # noqa: D102
        prep = prepare_binary(outputs, labels, weight, self.from_logits)
        return self._loss(outputs, prep, softmax=False)


class MulticlassAnyLoss(_ConfusionLoss):
    """Multi-class AnyLoss over one-vs-rest entries of ``C`` classes, averaged.

    ``forward(outputs, labels, weight=None)``: ``outputs`` ``[N, C]`` or ``[N, C, *]``
    (e.g. ``[N, C, H, W]`` for segmentation): per-class probabilities, or logits with
    ``from_logits=True`` (then a softmax over ``C``); ``labels`` integer classes ``[N]`` or
    ``[N, *]``; ``weight`` ``[N]`` or the labels' shape. ``average``: ``"macro"``,
    ``"micro"`` or ``"weighted"`` (by label counts). ``metric="seed"`` is the reference
    code's ``sum_c (FP_c + FN_c) / C`` (not normalised by the number of samples),
    ``"seed_normalized"`` divides by it. ``ignore_index``: labels to leave out (no entry,
    no gradient). Other arguments as in :class:`AnyLoss`.
    """

    _takes_seeds = True

    def __init__(
        self,
        metric: Union[str, Metric] = "f1",
        average: str = "macro",
        L: float = 73.0,
        threshold: float = 0.5,
        from_logits: bool = False,
        sync: bool = False,
        process_group=None,
        params: Optional[Mapping[str, float]] = None,
        fallback: Optional[float] = None,
        ignore_index: Optional[int] = None,
    ):
        if isinstance(metric, str) and metric in SEEDS:
            if average != "macro":
                raise ValueError(f"metric {metric!r} is its own average; it takes no average")
            average = None
        super().__init__(
            metric, average, L, threshold, from_logits, sync, process_group, params, fallback
        )
        self.ignore_index = ignore_index

    def forward(self, outputs, labels, weight=None):  # noqa: D102
        prep = prepare_multiclass(outputs, labels, weight, self.from_logits, self.ignore_index)
        return self._loss(outputs, prep, softmax=self.from_logits)


class MultilabelAnyLoss(_ConfusionLoss):
    """Multi-label AnyLoss: each of ``C`` labels is its own binary problem, averaged.

    ``forward(outputs, targets, weight=None)``: ``outputs`` ``[N, C]`` (or ``[N, C, *]``)
    probabilities, or logits with ``from_logits=True`` (a sigmoid per element);
    ``targets`` 0/1 of the same shape; ``weight`` ``[N]`` or the targets' shape.
    ``average``: ``"macro"``, ``"micro"`` or ``"weighted"`` (by positives per label).
    Other arguments as in :class:`AnyLoss`.
    """

    def forward(self, outputs, targets, weight=None):  # noqa: D102
        prep = prepare_multilabel(outputs, targets, weight, self.from_logits)
        return self._loss(outputs, prep, softmax=False)
