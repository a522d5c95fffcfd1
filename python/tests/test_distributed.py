"""``sync=True`` under DistributedDataParallel: 2 and 3 CPU processes (gloo, localhost),
started and stopped by the test. Every rank's loss equals the single-process loss of the
concatenated batch, and the DDP-averaged parameter gradient equals its gradient, to f32
rounding; without sync both are biased."""

import pathlib
import socket
import subprocess
import sys

import numpy as np
import pytest
import torch
from ddp_cases import CASES, batch, model_for

HERE = pathlib.Path(__file__).resolve().parent
TIMEOUT_S = 240


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_workers(world, out):
    port = free_port()
    procs = [
        subprocess.Popen(
            [sys.executable, str(HERE / "ddp_worker.py"), str(r), str(world), str(port), str(out)],
            cwd=HERE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for r in range(world)
    ]
    try:
        logs = [p.communicate(timeout=TIMEOUT_S)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for r, (p, log) in enumerate(zip(procs, logs)):
        assert p.returncode == 0, f"rank {r} exited with {p.returncode}:\n{log}"
    return [torch.load(out / f"rank{r}.pt") for r in range(world)]


def single_process(case):
    x, y = batch(case)
    model = model_for(case)
    loss = case["loss"]()(case["head"](model(x)), y)
    loss.backward()
    return loss.item(), [p.grad.detach().clone() for p in model.parameters()]


def relative_difference(got, want):
    scale = max(w.abs().max().item() for w in want)
    return max((g - w).abs().max().item() for g, w in zip(got, want)) / scale


@pytest.mark.parametrize("world", [2, 3])
def test_synced_entries_give_the_global_loss_and_gradient(world, tmp_path):
    ranks = run_workers(world, tmp_path)
    report = []
    for name, case in CASES.items():
        want_loss, want_grads = single_process(case)
        for r, result in enumerate(ranks):
            synced = result[(name, True)]
            assert synced["loss"] == pytest.approx(want_loss, rel=2e-6, abs=1e-6), (name, r)
            # DDP left the same averaged gradient on every rank.
            error = relative_difference(synced["grads"], want_grads)
            assert error < 2e-5, (name, r, error)
            for g, w in zip(synced["grads"], want_grads):
                np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-4, atol=2e-6 * max(
                    x.abs().max().item() for x in want_grads), err_msg=f"{name} rank {r}")
        # Without sync each rank's loss is its shard's and the averaged gradient is biased.
        unsynced = [result[(name, False)] for result in ranks]
        bias = relative_difference(unsynced[0]["grads"], want_grads)
        loss_gap = max(abs(u["loss"] - want_loss) for u in unsynced)
        synced_error = relative_difference(ranks[0][(name, True)]["grads"], want_grads)
        report.append(f"{name}: unsynced gradient off by {bias:.1%} of its largest element, "
                      f"loss by up to {loss_gap:.3g}; synced {synced_error:.1e}")
        assert bias > 1e-3 and bias > 100 * synced_error, (name, bias, synced_error)
    print(f"\n{world} processes:\n  " + "\n  ".join(report))
