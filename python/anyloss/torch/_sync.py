"""Summing the entries over the processes of a ``torch.distributed`` group."""

from __future__ import annotations

from typing import Optional

import torch


def sync_group_size(sync: bool, process_group) -> Optional[int]:
    """The number of processes the entries are summed over, or ``None`` for no sync:
    ``sync=False``, or ``torch.distributed`` not available or not initialised."""
    if not sync:
        if process_group is not None:
            raise ValueError("process_group is given but sync=False: pass sync=True to use it")
        return None
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        return None
    return dist.get_world_size(process_group)


def all_reduce_sum(stats: torch.Tensor, process_group) -> None:
    """Sums ``stats`` in place over the group (every process must call this, in the same
    order, as for any collective)."""
    import torch.distributed as dist

    dist.all_reduce(stats, op=dist.ReduceOp.SUM, group=process_group)
