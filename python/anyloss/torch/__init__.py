"""PyTorch losses of any confusion-matrix metric, with the exact gradient.

Importing this module imports PyTorch (``import anyloss`` alone does not).

- :class:`AnyLoss`: binary, ``forward(outputs, labels, weight=None)``.
- :class:`MulticlassAnyLoss`: ``[N, C]`` or ``[N, C, H, W]`` with integer labels,
  macro/micro/weighted averages, and the reference code's ``"seed"`` objective.
- :class:`MultilabelAnyLoss`: ``[N, C]`` 0/1 targets.

The entries are sums computed with tensor ops on the outputs' device; only the ``4 C``
entries (and a few counts that check the input) are copied to the host, where the Rust core
evaluates the metric and its partials. ``sync=True`` sums the entries over the processes
of a ``torch.distributed`` group first, which makes the loss that of the global batch.
"""

from ._modules import AnyLoss, MulticlassAnyLoss, MultilabelAnyLoss

__all__ = ["AnyLoss", "MulticlassAnyLoss", "MultilabelAnyLoss"]
