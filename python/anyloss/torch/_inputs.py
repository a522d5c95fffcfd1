"""Checking the losses' inputs and bringing them to ``[N, C, S]``.

The checks are counts computed on the device and copied to the host together with the
entries (one copy per step); only when one is nonzero does a second pass find the first
offending position for the message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence, Tuple

import torch

from ._kernels import compute_dtype

#: The order of ``Prepared.checks``.
CHECKS = ("labels", "non-finite outputs", "probabilities", "weights", "samples")


@dataclass
class Prepared:
    """The inputs of one call, as the losses use them."""

    #: Outputs in the compute dtype, ``[N, C, S]``.
    x: torch.Tensor
    #: True where the element's sample belongs to the element's class, ``[N, C, S]``.
    positive: torch.Tensor
    #: Sample weights, 0 where a sample is ignored, ``[N, 1 or C, S]``.
    w: torch.Tensor
    #: True for the samples that count, ``[N, 1, S]``.
    counted: torch.Tensor
    #: Counts of bad labels, non-finite outputs, probabilities outside [0, 1], bad weights,
    #: and of the samples counted (see ``CHECKS``).
    checks: torch.Tensor
    #: For each of the first four checks: the boolean mask of offending elements (computed
    #: again only on error), the tensor name and what is wrong.
    locate: List[Tuple[Callable[[], torch.Tensor], str, str]] = field(default_factory=list)

    def raise_on_bad_input(
        self, local: Sequence[float], total: Sequence[float], processes: Optional[int]
    ) -> None:
        """Raises ``ValueError`` for the first failed check (``local``: this process's
        counts, ``total``: summed over the synced processes). With sync, every process
        raises, so none waits in a collective the others left."""
        for (mask, name, what), here, everywhere in zip(self.locate, local, total):
            if everywhere > 0:
                if here > 0:
                    flat = int(torch.nonzero(mask().flatten())[0].item())
                    position = list(torch.unravel_index(torch.tensor(flat), mask().shape))
                    where = f"{name}[{', '.join(str(int(i)) for i in position)}]"
                    raise ValueError(f"{where} {what} ({int(here)} such elements)")
                raise ValueError(
                    f"{int(everywhere)} {name} element(s) {what}, on another of the "
                    f"{processes} synced processes"
                )
        if total[len(self.locate)] == 0:
            raise ValueError("empty input: at least one counted sample is required")


def _tensor(value, name: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    return value


def _outputs(outputs) -> torch.Tensor:
    outputs = _tensor(outputs, "outputs")
    if not outputs.is_floating_point():
        raise TypeError(f"outputs must be a floating-point tensor, got {outputs.dtype}")
    return outputs


def _same_device(t: torch.Tensor, name: str, outputs: torch.Tensor) -> None:
    if t.device != outputs.device:
        raise ValueError(f"{name} is on {t.device}, outputs on {outputs.device}")


def _weights(weight, shape: torch.Size, n: int, dtype: torch.dtype, outputs: torch.Tensor):
    """Weights of ``shape`` (the labels') or ``[N]``, as a tensor of ``shape``."""
    if weight is None:
        return None
    weight = _tensor(weight, "weight")
    _same_device(weight, "weight", outputs)
    if weight.is_complex() or weight.dtype == torch.bool:
        raise TypeError(f"weight must be a real tensor, got {weight.dtype}")
    if weight.shape == shape:
        return weight.to(dtype)
    if weight.dim() == 1 and weight.shape[0] == n and len(shape) > 1:
        return weight.to(dtype).reshape((n,) + (1,) * (len(shape) - 1)).expand(shape)
    raise ValueError(
        f"weight has shape {list(weight.shape)}; expected {list(shape)} or [{n}]"
    )


def _checks(
    from_logits: bool,
    bad_labels: Callable[[], torch.Tensor],
    label_message: str,
    w: Optional[torch.Tensor],
    counted: torch.Tensor,
    outputs: torch.Tensor,
    labels_name: str,
):
    nonfinite = lambda: ~torch.isfinite(outputs)  # noqa: E731
    out_of_range = (
        (lambda: torch.zeros_like(outputs, dtype=torch.bool))
        if from_logits
        else (lambda: (outputs < 0) | (outputs > 1))
    )
    bad_w = (
        (lambda: torch.zeros(1, dtype=torch.bool, device=outputs.device))
        if w is None
        else (lambda: ~torch.isfinite(w) | (w < 0))
    )
    counts = torch.stack(
        [
            bad_labels().sum(),
            nonfinite().sum(),
            out_of_range().sum(),
            bad_w().sum(),
            counted.sum(),
        ]
    )
    locate = [
        (bad_labels, labels_name, label_message),
        (nonfinite, "outputs", "is NaN or infinite"),
        (out_of_range, "outputs", "is outside [0, 1] (pass from_logits=True for logits)"),
        (bad_w, "weight", "is negative or not finite"),
    ]
    return counts, locate


def prepare_binary(outputs, labels, weight, from_logits: bool) -> Prepared:
    """Binary: ``labels`` 0/1 of the outputs' shape, ``weight`` of that shape."""
    outputs = _outputs(outputs)
    labels = _tensor(labels, "labels")
    _same_device(labels, "labels", outputs)
    if labels.shape != outputs.shape:
        raise ValueError(
            f"labels have shape {list(labels.shape)}, outputs {list(outputs.shape)}: "
            "they must match"
        )
    dtype = compute_dtype(outputs)
    w = _weights(weight, labels.shape, labels.shape[0] if labels.dim() else 1, dtype, outputs)
    x = outputs.detach().to(dtype).reshape(1, 1, -1)
    positive = (labels == 1).reshape(1, 1, -1)
    counted = torch.ones_like(positive)
    bad = lambda: (labels != 0) & (labels != 1)  # noqa: E731
    checks, locate = _checks(
        from_logits, bad, "is not 0 or 1", w, counted, outputs, "labels"
    )
    wv = torch.ones((), dtype=dtype, device=x.device) if w is None else w.reshape(1, 1, -1)
    return Prepared(x, positive, wv, counted, checks, locate)


def prepare_multilabel(outputs, targets, weight, from_logits: bool) -> Prepared:
    """Multi-label: ``outputs`` ``[N, C, *]``, ``targets`` 0/1 of that shape, ``weight``
    ``[N]`` or the targets' shape."""
    outputs = _outputs(outputs)
    targets = _tensor(targets, "targets")
    _same_device(targets, "targets", outputs)
    if outputs.dim() < 2:
        raise ValueError(f"outputs must be [N, C] or [N, C, *], got {list(outputs.shape)}")
    if targets.shape != outputs.shape:
        raise ValueError(
            f"targets have shape {list(targets.shape)}, outputs {list(outputs.shape)}: "
            "they must match"
        )
    n, c = outputs.shape[:2]
    dtype = compute_dtype(outputs)
    w = _weights(weight, targets.shape, n, dtype, outputs)
    x = outputs.detach().to(dtype).reshape(n, c, -1)
    positive = (targets == 1).reshape(n, c, -1)
    counted = torch.ones((n, 1, x.shape[2]), dtype=torch.bool, device=x.device)
    bad = lambda: (targets != 0) & (targets != 1)  # noqa: E731
    checks, locate = _checks(
        from_logits, bad, "is not 0 or 1", w, counted, outputs, "targets"
    )
    wv = torch.ones((), dtype=dtype, device=x.device) if w is None else w.reshape(n, c, -1)
    return Prepared(x, positive, wv, counted, checks, locate)


def prepare_multiclass(
    outputs, labels, weight, from_logits: bool, ignore_index: Optional[int]
) -> Prepared:
    """Multi-class: ``outputs`` ``[N, C, *]``, integer ``labels`` ``[N, *]``, ``weight``
    ``[N]`` or the labels' shape; labels equal to ``ignore_index`` do not count."""
    outputs = _outputs(outputs)
    labels = _tensor(labels, "labels")
    _same_device(labels, "labels", outputs)
    if outputs.dim() < 2:
        raise ValueError(f"outputs must be [N, C] or [N, C, *], got {list(outputs.shape)}")
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise TypeError(f"labels must be an integer tensor of class indices, got {labels.dtype}")
    n, c = outputs.shape[:2]
    expected = (n,) + tuple(outputs.shape[2:])
    if tuple(labels.shape) != expected:
        raise ValueError(
            f"labels have shape {list(labels.shape)}; outputs {list(outputs.shape)} need "
            f"labels {list(expected)}"
        )
    dtype = compute_dtype(outputs)
    w = _weights(weight, labels.shape, n, dtype, outputs)
    x = outputs.detach().to(dtype).reshape(n, c, -1)
    flat = labels.reshape(n, 1, -1)
    counted = (
        torch.ones_like(flat, dtype=torch.bool) if ignore_index is None else flat != ignore_index
    )
    classes = torch.arange(c, device=x.device).view(1, c, 1)
    positive = (flat == classes) & counted
    bad = lambda: (  # noqa: E731
        ((labels < 0) | (labels >= c))
        if ignore_index is None
        else ((labels < 0) | (labels >= c)) & (labels != ignore_index)
    )
    message = f"is not a class in 0..{c - 1}" + (
        "" if ignore_index is None else f" nor ignore_index={ignore_index}"
    )
    checks, locate = _checks(from_logits, bad, message, w, counted, outputs, "labels")
    wv = counted.to(dtype) if w is None else w.reshape(n, 1, -1) * counted
    return Prepared(x, positive, wv, counted, checks, locate)
