"""Train a small MLP with AnyLoss-F1 under DistributedDataParallel on a bundled dataset.

    torchrun --nproc_per_node 2 python/examples/ddp_train.py            # 2 CPU processes
    torchrun --nproc_per_node 2 python/examples/ddp_train.py --no-sync  # per-shard F1
    python python/examples/ddp_train.py                                  # one process

Each process trains on its shard of the training set (full-batch steps, gloo backend).
With ``sync=True`` the loss sums the soft confusion entries over the processes, so every
rank optimises F1 of the whole training set and reports the same loss; ``--no-sync``
optimises each shard's F1 instead. Rank 0 prints the test F1 at the end.
"""

import argparse
import os
import pathlib

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from anyloss.torch import AnyLoss

DATA = pathlib.Path(__file__).resolve().parents[2] / "examples" / "data"


def load(name):
    table = np.loadtxt(DATA / f"{name}.csv", delimiter=",", skiprows=1, dtype=np.float32)
    return table[:, :-1], table[:, -1].astype(np.int64)


def split(y, test_fraction, seed):
    """Stratified train/test indices."""
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        test.extend(idx[: round(len(idx) * test_fraction)])
    test = np.sort(np.array(test))
    return np.setdiff1d(np.arange(len(y)), test), test


def f1(pred, y):
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    return 2 * tp / max(2 * tp + fp + fn, 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="yeast3", help="a dataset of examples/data (default yeast3)")
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--no-sync", action="store_true", help="per-shard loss (biased)")
    args = ap.parse_args()

    distributed = "RANK" in os.environ
    if distributed:
        dist.init_process_group("gloo")
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    torch.manual_seed(0)
    torch.set_num_threads(1)

    x, y = load(args.data)
    train, test = split(y, 0.3, seed=0)
    mean, std = x[train].mean(0), x[train].std(0) + 1e-6
    x = torch.from_numpy((x - mean) / std)
    y = torch.from_numpy(y)
    mine = train[rank::world]  # this process's shard

    model = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], 32), torch.nn.ReLU(), torch.nn.Linear(32, 1)
    )
    if distributed:
        model = DDP(model)
    # The one-line change for many processes: sync=True.
    loss_fn = AnyLoss("f1", L=10.0, from_logits=True, sync=not args.no_sync)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    for epoch in range(1, args.epochs + 1):
        opt.zero_grad()
        loss = loss_fn(model(x[mine])[:, 0], y[mine])
        loss.backward()
        opt.step()
        if epoch % 100 == 0 or epoch == 1:
            print(f"rank {rank}/{world} epoch {epoch}: loss {loss.item():.5f}", flush=True)
    if rank == 0:
        with torch.no_grad():
            pred = (model(x[test])[:, 0] > 0).long()
        print(f"test F1 ({args.data}, {len(test)} samples): {f1(pred, y[test]):.4f}")
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
