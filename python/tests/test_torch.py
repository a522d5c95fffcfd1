"""``anyloss.torch``: against the golden vectors, the core's own kernels, and torch
autograd of the reference code's formulation on a small MLP trained for a few steps."""

import numpy as np
import pytest
import torch
from conftest import GOLDEN_METRICS, assert_grad_close
from reference import binary_loss, macro_loss, one_hot, seed_multiclass_loss

import anyloss
from anyloss.torch import AnyLoss, MulticlassAnyLoss, MultilabelAnyLoss


def grad_of(loss_fn, outputs, *args, **kwargs):
    x = outputs.detach().clone().requires_grad_(True)
    loss = loss_fn(x, *args, **kwargs)
    loss.backward()
    return loss.detach(), x.grad


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_binary_golden(binary_golden, dtype):
    checked = 0
    for case in binary_golden["cases"]:
        y = torch.tensor(case["y"])
        p = torch.tensor(case["p"], dtype=dtype)
        for name, ref in case["metrics"].items():
            if ref["loss"] is None:
                continue  # the policy there is checked against the core below
            text, params = GOLDEN_METRICS[name]
            loss, grad = grad_of(AnyLoss(text, params=params), p, y)
            assert loss.dtype == dtype and loss.shape == ()
            context = f"{case['id']}/{name}/{dtype}"
            assert abs(loss.item() - ref["loss"]) < 1e-5, context
            assert_grad_close(grad.tolist(), ref["grad"], context)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_multiclass_golden(multiclass_golden, dtype):
    for case in multiclass_golden["cases"]:
        labels = torch.tensor(case["labels"])
        p = torch.tensor(case["p"], dtype=dtype)
        for key, module in [("seed_anyloss", MulticlassAnyLoss("seed")),
                            ("macro_f1", MulticlassAnyLoss("f1", average="macro"))]:
            ref = case[key]
            loss, grad = grad_of(module, p, labels)
            context = f"{case['id']}/{key}/{dtype}"
            assert abs(loss.item() - ref["loss"]) < 1e-5 * max(1.0, abs(ref["loss"])), context
            assert_grad_close(grad.flatten().tolist(), np.ravel(ref["grad"]).tolist(), context)


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("metric", ["f1", "mcc", "gmean", "2*TP/(2*TP+FP+FN)"])
def test_binary_equals_the_core_kernels(metric, from_logits):
    """Same f32 inputs: the tensor path and the Rust kernels give the same loss, entries
    and gradient (to f32 summation order)."""
    g = torch.Generator().manual_seed(7)
    n = 2000
    z = torch.randn(n, generator=g) * 2
    x = z if from_logits else torch.sigmoid(z)
    y = (torch.rand(n, generator=g) < 0.2).to(torch.uint8)
    want_loss, want_grad, _ = anyloss.loss_and_grad(
        y.numpy(), x.numpy(), metric, from_logits=from_logits
    )
    loss, grad = grad_of(AnyLoss(metric, from_logits=from_logits), x, y)
    assert loss.item() == pytest.approx(want_loss, abs=2e-6)
    scale = np.abs(want_grad).max()
    np.testing.assert_allclose(grad.numpy(), want_grad, rtol=1e-4, atol=1e-6 * scale)


def test_saturated_samples_keep_their_gradient():
    """In float32 at L = 73, sigmoid's own backward flushes dA/dp to 0 for p >= 0.728;
    the losses keep the core's exact, nonzero slope."""
    y = torch.tensor([1, 0, 1, 0, 1])
    p = torch.tensor([0.9, 0.05, 0.3, 0.8, 0.75])
    _, grad = grad_of(AnyLoss("f1"), p, y)
    _, core, _ = anyloss.loss_and_grad(y.numpy().astype(np.uint8), p.numpy(), "f1")
    np.testing.assert_allclose(grad.numpy(), core, rtol=1e-5)
    assert grad[0] != 0 and grad[3] != 0
    _, naive = grad_of(lambda x: torch.sigmoid(73 * (x - 0.5)).sum(), p)
    assert naive[0] == 0 and naive[3] == 0  # the flush the losses avoid
    _, exact = grad_of(binary_loss, p.double(), y)
    np.testing.assert_allclose(grad.numpy(), exact.numpy(), rtol=1e-4)


class MLP(torch.nn.Module):
    def __init__(self, d, out, seed=0):
        super().__init__()
        torch.manual_seed(seed)
        self.net = torch.nn.Sequential(
            torch.nn.Linear(d, 16), torch.nn.Tanh(), torch.nn.Linear(16, out)
        )

    def forward(self, x):
        return self.net(x)


def parameter_grads(model, loss):
    model.zero_grad()
    loss.backward()
    return [p.grad.detach().clone() for p in model.parameters()]


def assert_same_grads(got, want, context):
    scale = max(w.abs().max().item() for w in want)
    assert scale > 0, context
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-6 * scale,
                                   err_msg=context)


@pytest.mark.parametrize(
    "kind, make_loss, reference",
    [
        ("binary", lambda: AnyLoss("f1", from_logits=True),
         lambda out, y: binary_loss(torch.sigmoid(out[:, 0]), y)),
        ("binary", lambda: AnyLoss("mcc", from_logits=True),
         lambda out, y: binary_loss(torch.sigmoid(out[:, 0]), y, "mcc")),
        ("multiclass", lambda: MulticlassAnyLoss("seed", from_logits=True),
         lambda out, y: seed_multiclass_loss(torch.softmax(out, 1), y)),
        ("multiclass", lambda: MulticlassAnyLoss("f1", from_logits=True),
         lambda out, y: macro_loss(torch.softmax(out, 1), one_hot(y, 3, out.dtype))),
        ("multiclass", lambda: MulticlassAnyLoss("f1", average="micro", from_logits=True),
         lambda out, y: macro_loss(torch.softmax(out, 1), one_hot(y, 3, out.dtype),
                                   average="micro")),
    ],
)
def test_mlp_training_matches_autograd_of_the_reference(kind, make_loss, reference):
    """A small float64 MLP trained for a few steps with the loss: at every step the
    parameter gradients equal autograd's through the reference formulation."""
    g = torch.Generator().manual_seed(1)
    n, d = 96, 5
    x = torch.randn(n, d, generator=g, dtype=torch.float64)
    if kind == "binary":
        y = ((x[:, 0] + 0.5 * x[:, 1]) > 0.8).long()
        model, target = MLP(d, 1).double(), y
        ours = lambda out: loss_fn(out[:, 0], y)  # noqa: E731
    else:
        y = torch.argmax(x[:, :3] + 0.3 * torch.randn(n, 3, generator=g, dtype=x.dtype), 1)
        model, target = MLP(d, 3).double(), y
        ours = lambda out: loss_fn(out, y)  # noqa: E731
    loss_fn = make_loss()
    # The seed objective is a count of errors, not a rate: its gradient grows with n.
    lr = 0.5 / n if loss_fn.metric == "seed" else 0.5
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for step in range(6):
        got = parameter_grads(model, ours(model(x)))
        ref_loss = reference(model(x), target)
        want = parameter_grads(model, ref_loss)
        assert_same_grads(got, want, f"step {step}")
        for p, gr in zip(model.parameters(), got):
            p.grad = gr
        opt.step()
        losses.append(ref_loss.item())
    assert losses[-1] < losses[0]


def test_segmentation_with_ignore_index():
    g = torch.Generator().manual_seed(2)
    N, C, H, W = 2, 4, 5, 6
    z = torch.randn(N, C, H, W, generator=g, dtype=torch.float64)
    labels = torch.randint(0, C, (N, H, W), generator=g)
    labels[0, 0, :3] = 255
    loss, grad = grad_of(MulticlassAnyLoss("f1", from_logits=True, ignore_index=255), z, labels)
    # Reference: the counted pixels as rows of [pixels, C].
    zz = z.detach().clone().requires_grad_(True)
    rows = zz.permute(0, 2, 3, 1).reshape(-1, C)
    keep = labels.reshape(-1) != 255
    ref = macro_loss(torch.softmax(rows[keep], 1), one_hot(labels.reshape(-1)[keep], C, z.dtype))
    ref.backward()
    assert loss.item() == pytest.approx(ref.item(), abs=1e-6)
    np.testing.assert_allclose(grad.numpy(), zz.grad.numpy(), rtol=1e-5, atol=1e-9)
    assert torch.all(grad[0, :, 0, :3] == 0)
    # The seed objective on the [N, C, H, W] shape, probabilities as inputs.
    p = torch.softmax(z, 1)
    loss, grad = grad_of(MulticlassAnyLoss("seed"), p, labels.clamp(max=C - 1))
    pp = p.detach().clone().requires_grad_(True)
    rows = pp.permute(0, 2, 3, 1).reshape(-1, C)
    ref = seed_multiclass_loss(rows, labels.clamp(max=C - 1).reshape(-1))
    ref.backward()
    assert loss.item() == pytest.approx(ref.item(), rel=1e-6)
    np.testing.assert_allclose(grad.numpy(), pp.grad.numpy(), rtol=1e-5, atol=1e-12)


@pytest.mark.parametrize("average", ["macro", "micro"])
def test_multilabel_matches_the_reference(average):
    g = torch.Generator().manual_seed(4)
    z = torch.randn(40, 5, generator=g, dtype=torch.float64)
    t = (torch.rand(40, 5, generator=g) < 0.3).double()
    w = torch.rand(40, generator=g, dtype=torch.float64) + 0.5
    module = MultilabelAnyLoss("gmean", average=average, from_logits=True)
    loss, grad = grad_of(module, z, t, weight=w)
    ref_loss, ref_grad = grad_of(
        lambda x: macro_loss(torch.sigmoid(x), t, "gmean", average, w[:, None]), z
    )
    assert loss.item() == pytest.approx(ref_loss.item(), abs=1e-6)
    np.testing.assert_allclose(grad.numpy(), ref_grad.numpy(), rtol=1e-5, atol=1e-9)


def test_weights_and_threshold_match_the_reference():
    g = torch.Generator().manual_seed(5)
    p = torch.rand(300, generator=g, dtype=torch.float64)
    y = (torch.rand(300, generator=g) < 0.25).long()
    w = torch.rand(300, generator=g, dtype=torch.float64) * 3
    module = AnyLoss("mcc", L=20.0, threshold=0.3)
    loss, grad = grad_of(module, p, y, weight=w)
    ref_loss, ref_grad = grad_of(binary_loss, p, y, "mcc", L=20.0, threshold=0.3, w=w)
    assert loss.item() == pytest.approx(ref_loss.item(), abs=1e-6)
    np.testing.assert_allclose(grad.numpy(), ref_grad.numpy(), rtol=1e-5, atol=1e-9)
    # The NumPy path (the core's kernels) on the same f32 inputs.
    core_loss, core_grad, _ = anyloss.loss_and_grad(
        y.numpy().astype(np.uint8), p.float().numpy(), "mcc", L=20.0, threshold=0.3,
        weight=w.float().numpy(),
    )
    assert core_loss == pytest.approx(ref_loss.item(), abs=1e-5)
    np.testing.assert_allclose(core_grad, ref_grad.numpy(), rtol=1e-3,
                               atol=1e-6 * ref_grad.abs().max().item())
    # An integer weight k is k copies of the sample.
    k = torch.randint(0, 4, (300,), generator=g)
    loss_w, _ = grad_of(module, p, y, weight=k)
    loss_rep, _ = grad_of(module, p.repeat_interleave(k), y.repeat_interleave(k))
    assert loss_w.item() == pytest.approx(loss_rep.item(), abs=1e-6)


def test_fallback_and_default_policy():
    p = torch.tensor([0.1, 0.7, 0.2])
    y = torch.zeros(3, dtype=torch.long)  # no positives: recall undefined
    loss, grad = grad_of(AnyLoss("recall", fallback=0.0), p, y)
    assert loss.item() == 1.0 and torch.all(grad == 0)
    loss, grad = grad_of(AnyLoss("recall"), p, y)
    assert loss.item() == pytest.approx(0.5)


def test_value_without_grad_and_devices():
    y = torch.tensor([1, 0, 1])
    p = torch.tensor([0.8, 0.3, 0.6])
    with torch.no_grad():
        v = AnyLoss()(p, y)
    assert v.shape == () and v.device == p.device and not v.requires_grad
    assert AnyLoss(sync=True)(p, y).item() == v.item()  # no process group: no sync


def test_only_scalars_cross_to_the_host(monkeypatch):
    """The per-element data never leaves the device: during forward and backward, every
    device-to-host copy (``tolist``, ``item``, ``cpu``, ``numpy``) is of at most 5C + 5
    scalars (the entries, the supports and the input checks)."""
    sizes = []
    for name in ("tolist", "item", "cpu", "numpy"):
        original = getattr(torch.Tensor, name)

        def spy(self, *a, _original=original, **k):
            sizes.append(self.numel())
            return _original(self, *a, **k)

        monkeypatch.setattr(torch.Tensor, name, spy)
    g = torch.Generator().manual_seed(0)
    z = torch.randn(4, 3, 8, 8, generator=g, requires_grad=True)
    labels = torch.randint(0, 3, (4, 8, 8), generator=g)
    MulticlassAnyLoss("f1", from_logits=True)(z, labels).backward()
    x = torch.randn(1000, generator=g, requires_grad=True)
    AnyLoss("mcc", from_logits=True)(x, (x.detach() > 0).long()).backward()
    assert sizes and max(sizes) <= 5 * 3 + 5, sizes


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: AnyLoss()(torch.rand(4), torch.tensor([1, 0, 2, 0])), ValueError,
         "labels[2] is not 0 or 1"),
        (lambda: AnyLoss()(torch.rand(4), torch.ones(3)), ValueError, "must match"),
        (lambda: AnyLoss()(torch.tensor([0.2, 1.5]), torch.ones(2)), ValueError,
         "outputs[1] is outside [0, 1]"),
        (lambda: AnyLoss(from_logits=True)(torch.tensor([0.2, float("nan")]), torch.ones(2)),
         ValueError, "outputs[1] is NaN"),
        (lambda: AnyLoss()(torch.rand(2), torch.ones(2), weight=torch.tensor([1.0, -1.0])),
         ValueError, "weight[1] is negative"),
        (lambda: AnyLoss()(torch.rand(2), torch.ones(2), weight=torch.ones(3)), ValueError,
         "weight has shape"),
        (lambda: AnyLoss()(torch.tensor([1, 0]), torch.ones(2)), TypeError, "floating-point"),
        (lambda: AnyLoss()(np.ones(2), torch.ones(2)), TypeError, "torch.Tensor"),
        (lambda: AnyLoss()(torch.rand(0), torch.ones(0)), ValueError, "empty"),
        (lambda: MulticlassAnyLoss()(torch.rand(3, 2), torch.tensor([0.0, 1.0, 1.0])),
         TypeError, "integer"),
        (lambda: MulticlassAnyLoss()(torch.rand(3, 2), torch.tensor([0, 1, 2])), ValueError,
         "labels[2] is not a class in 0..1"),
        (lambda: MulticlassAnyLoss()(torch.rand(3, 2, 4), torch.tensor([0, 1, 1])), ValueError,
         "need labels [3, 4]"),
        (lambda: MultilabelAnyLoss()(torch.rand(2, 2), torch.tensor([[0, 1], [3, 1]])),
         ValueError, "targets[1, 0] is not 0 or 1"),
        (lambda: AnyLoss("f2"), ValueError, "did you mean `f1`"),
        (lambda: AnyLoss("seed"), ValueError, "MulticlassAnyLoss"),
        (lambda: MulticlassAnyLoss("seed", average="micro"), ValueError, "no average"),
        (lambda: MulticlassAnyLoss("f1", average="mean"), ValueError, "average"),
        (lambda: AnyLoss(L=-1), ValueError, "L=-1"),
        (lambda: AnyLoss(threshold=1.0), ValueError, "threshold"),
        (lambda: AnyLoss(process_group=object()), ValueError, "sync=False"),
    ],
)
def test_bad_input_is_a_clear_error(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_formula_loss_trains_like_its_builtin():
    y = torch.tensor([1, 0, 1, 1, 0, 0])
    p = torch.tensor([0.7, 0.4, 0.55, 0.2, 0.6, 0.1], dtype=torch.float64)
    a = grad_of(AnyLoss("f1"), p, y)
    b = grad_of(AnyLoss(anyloss.Metric("2*TP/(2*TP+FP+FN)")), p, y)
    assert a[0].item() == pytest.approx(b[0].item(), abs=1e-6)
    np.testing.assert_allclose(a[1].numpy(), b[1].numpy(), rtol=1e-5)
    c = grad_of(AnyLoss("(1+beta^2)*TP/((1+beta^2)*TP + beta^2*FN + FP)",
                        params={"beta": 1.0}), p, y)
    np.testing.assert_allclose(c[1].numpy(), a[1].numpy(), rtol=1e-5)
