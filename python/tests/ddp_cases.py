"""The fixed models, batches and losses of the distributed test, shared by the test (the
single-process reference) and its worker processes."""

import torch

from anyloss.torch import AnyLoss, MulticlassAnyLoss, MultilabelAnyLoss

N, D = 61, 6

CASES = {
    "binary_f1": {
        "classes": 1,
        "loss": lambda **k: AnyLoss("f1", from_logits=True, **k),
        "head": lambda out: out[:, 0],
    },
    "multiclass_macro_f1": {
        "classes": 3,
        "loss": lambda **k: MulticlassAnyLoss("f1", from_logits=True, **k),
        "head": lambda out: out,
    },
    "multiclass_seed": {
        "classes": 3,
        "loss": lambda **k: MulticlassAnyLoss("seed", from_logits=True, **k),
        "head": lambda out: out,
    },
    "multilabel_gmean": {
        "classes": 4,
        "loss": lambda **k: MultilabelAnyLoss("gmean", from_logits=True, **k),
        "head": lambda out: out,
    },
}


def batch(case):
    """The whole batch: features and labels (binary, class indices, or 0/1 targets)."""
    g = torch.Generator().manual_seed(11)
    x = torch.randn(N, D, generator=g)
    c = case["classes"]
    if c == 1:
        y = (x[:, 0] + 0.3 * torch.randn(N, generator=g) > 0.9).long()
    elif case["loss"] is CASES["multilabel_gmean"]["loss"]:
        y = (x[:, :c] + 0.5 * torch.randn(N, c, generator=g) > 0.7).float()
    else:
        y = torch.argmax(x[:, :c] + 0.5 * torch.randn(N, c, generator=g), 1)
    return x, y


def model_for(case):
    """The same initial weights in every process."""
    torch.manual_seed(5)
    return torch.nn.Sequential(
        torch.nn.Linear(D, 12), torch.nn.Tanh(), torch.nn.Linear(12, case["classes"])
    )


def shard(n, rank, world):
    """Rank ``rank``'s rows: contiguous, sizes differing by at most one."""
    bounds = [n * r // world for r in range(world + 1)]
    return slice(bounds[rank], bounds[rank + 1])
