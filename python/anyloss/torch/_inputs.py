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
    #: 1 where the element's sample is counted and belongs to the element's class, else 0
    #: (compute dtype, ``[N, C, S]``).
    y: torch.Tensor
    #: Sample weights, 0 where a sample is ignored (``[N, 1 or C, S]``), or None for all 1.
    w: Optional[torch.Tensor]
    #: Counts of bad labels, flags of non-finite outputs, of probabilities outside [0, 1]
    #: and of bad weights, and the number of samples counted (see ``CHECKS``).
    checks: torch.Tensor
    #: For each of the first four checks: the boolean mask of offending elements (computed
    #: only on error), the tensor name and what is wrong.
    locate: List[Tuple[Callable[[], torch.Tensor], str, str]] = field(default_factory=list)

    def raise_on_bad_input(
        self, local: Sequence[float], total: Sequence[float], processes: Optional[int]
    ) -> None:
        """Raises ``ValueError`` for the first failed check (``local``: this process's
        checks, ``total``: summed over the synced processes). With sync, every process
        raises, so none waits in a collective the others left."""
        for (mask, name, what), here, everywhere in zip(self.locate, local, total):
            if everywhere > 0:
                if here > 0:
                    bad = mask()
                    count = int(torch.count_nonzero(bad).item())
                    flat = int(torch.nonzero(bad.flatten())[0].item())
                    position = torch.unravel_index(torch.tensor(flat), bad.shape)
                    where = f"{name}[{', '.join(str(int(i)) for i in position)}]"
                    raise ValueError(f"{where} {what} ({count} such elements)")
                raise ValueError(
                    f"{name} {what} on another of the {processes} synced processes"
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


def _class_outputs(outputs) -> torch.Tensor:
    """Outputs with a class dimension: ``[N, C]`` or ``[N, C, *]``."""
    outputs = _outputs(outputs)
    if outputs.dim() < 2:
        raise ValueError(f"outputs must be [N, C] or [N, C, *], got {list(outputs.shape)}")
    return outputs


def _beside(value, name: str, outputs: torch.Tensor) -> torch.Tensor:
    """``value`` (labels, targets, weight), checked to be a tensor on the outputs' device."""
    value = _tensor(value, name)
    if value.device != outputs.device:
        raise ValueError(f"{name} is on {value.device}, outputs on {outputs.device}")
    return value


def _weights(weight, shape: torch.Size, n: int, dtype: torch.dtype, outputs: torch.Tensor):
    """Weights of ``shape`` (the labels') or ``[N]``, as a tensor of ``shape``."""
    if weight is None:
        return None
    weight = _beside(weight, "weight", outputs)
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
    bad_labels: torch.Tensor,
    bad_label_mask: Callable[[], torch.Tensor],
    label_message: str,
    w: Optional[torch.Tensor],
    counted,
    outputs: torch.Tensor,
    labels_name: str,
):
    """The checks as one float64 tensor (see ``CHECKS``) and how to locate each failure.
    One ``aminmax`` pass covers the outputs (NaN propagates to it) and one the weights."""
    device = outputs.device
    false = torch.zeros((), dtype=torch.bool, device=device)
    nonfinite = out_of_range = bad_w = false
    if outputs.numel() > 0:
        low, high = torch.aminmax(outputs.detach())
        nonfinite = ~(torch.isfinite(low) & torch.isfinite(high))
        if not from_logits:
            out_of_range = (low < 0) | (high > 1)
    if w is not None and w.numel() > 0:
        w_low, w_high = torch.aminmax(w)
        bad_w = ~(torch.isfinite(w_low) & torch.isfinite(w_high)) | (w_low < 0)
    counted = torch.as_tensor(counted, dtype=torch.float64, device=device)
    checks = torch.stack(
        [
            bad_labels.to(torch.float64),
            nonfinite.to(torch.float64),
            out_of_range.to(torch.float64),
            bad_w.to(torch.float64),
            counted,
        ]
    )
    locate = [
        (bad_label_mask, labels_name, label_message),
        (lambda: ~torch.isfinite(outputs), "outputs", "is NaN or infinite"),
        (lambda: (outputs < 0) | (outputs > 1), "outputs",
         "is outside [0, 1] (pass from_logits=True for logits)"),
        (lambda: ~torch.isfinite(w) | (w < 0), "weight", "is negative or not finite"),
    ]
    return checks, locate


def _zero_one(labels: torch.Tensor, dtype: torch.dtype):
    """0/1 labels in ``dtype`` and the count of labels that are neither (NaN included)."""
    y = labels.to(dtype)
    return y, torch.count_nonzero(y * (y - 1))


def _zero_one_targets(
    outputs: torch.Tensor, targets, name: str, weight, from_logits: bool, binary: bool
) -> Prepared:
    """0/1 ``targets`` of the outputs' shape, ``weight`` of that shape or ``[N]``; laid out
    as one class (``binary``) or as ``[N, C, S]``."""
    targets = _beside(targets, name, outputs)
    if targets.shape != outputs.shape:
        raise ValueError(
            f"{name} have shape {list(targets.shape)}, outputs {list(outputs.shape)}: "
            "they must match"
        )
    n = targets.shape[0] if targets.dim() else 1
    layout = (1, 1, -1) if binary else (n, outputs.shape[1], -1)
    dtype = compute_dtype(outputs)
    w = _weights(weight, targets.shape, n, dtype, outputs)
    x = outputs.detach().to(dtype).reshape(layout)
    y, bad = _zero_one(targets, dtype)
    checks, locate = _checks(
        from_logits, bad, lambda: (targets != 0) & (targets != 1), "is not 0 or 1", w,
        x.shape[0] * x.shape[2], outputs, name,
    )
    return Prepared(
        x, y.reshape(layout), None if w is None else w.reshape(layout), checks, locate
    )


def prepare_binary(outputs, labels, weight, from_logits: bool) -> Prepared:
    """Binary: ``labels`` 0/1 of the outputs' shape, ``weight`` of that shape."""
    return _zero_one_targets(_outputs(outputs), labels, "labels", weight, from_logits, True)


def prepare_multilabel(outputs, targets, weight, from_logits: bool) -> Prepared:
    """Multi-label: ``outputs`` ``[N, C, *]``, ``targets`` 0/1 of that shape, ``weight``
    ``[N]`` or the targets' shape."""
    outputs = _class_outputs(outputs)
    return _zero_one_targets(outputs, targets, "targets", weight, from_logits, False)


def prepare_multiclass(
    outputs, labels, weight, from_logits: bool, ignore_index: Optional[int]
) -> Prepared:
    """Multi-class: ``outputs`` ``[N, C, *]``, integer ``labels`` ``[N, *]``, ``weight``
    ``[N]`` or the labels' shape; labels equal to ``ignore_index`` do not count."""
    outputs = _class_outputs(outputs)
    labels = _beside(labels, "labels", outputs)
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
    classes = torch.arange(c, device=x.device).view(1, c, 1)
    y = (flat == classes).to(dtype)

    def bad_mask():
        bad = (labels < 0) | (labels >= c)
        return bad if ignore_index is None else bad & (labels != ignore_index)

    if ignore_index is None:
        counted = flat.numel()
    else:
        keep = flat != ignore_index
        counted = keep.sum()
        y = y * keep
        w = keep.to(dtype) if w is None else w.reshape(n, 1, -1) * keep
    if w is not None:
        w = w.reshape(n, 1, -1)
    message = f"is not a class in 0..{c - 1}" + (
        "" if ignore_index is None else f" nor ignore_index={ignore_index}"
    )
    checks, locate = _checks(
        from_logits, torch.count_nonzero(bad_mask()), bad_mask, message, w, counted, outputs,
        "labels",
    )
    return Prepared(x, y, w, checks, locate)
