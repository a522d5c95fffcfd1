"""One process of the distributed test (started by ``test_distributed.py``, not by pytest):
trains nothing, computes one loss and backward under DistributedDataParallel on its shard
of a fixed batch, and saves the loss and the averaged parameter gradients.

Usage: ddp_worker.py RANK WORLD_SIZE PORT OUT_DIR
"""

import datetime
import sys

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from ddp_cases import CASES, batch, model_for, shard


def main():
    rank, world, port, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo",
        init_method=f"tcp://127.0.0.1:{port}",
        rank=rank,
        world_size=world,
        timeout=datetime.timedelta(seconds=60),
    )
    group = dist.new_group(list(range(world)))
    results = {}
    for name, case in CASES.items():
        x, y = batch(case)
        rows = shard(len(y), rank, world)
        for sync in (True, False):
            model = DDP(model_for(case))
            loss_fn = case["loss"](sync=sync, process_group=group if sync else None)
            loss = loss_fn(case["head"](model(x[rows])), y[rows])
            loss.backward()
            results[(name, sync)] = {
                "loss": loss.item(),
                "grads": [p.grad.detach().clone() for p in model.parameters()],
            }
    torch.save(results, f"{out}/rank{rank}.pt")
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
