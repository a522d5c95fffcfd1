"""Tensor-side arithmetic of the PyTorch losses: the amplifier, per-class entries, and the
gradient the core's coefficients give. Everything stays on the outputs' device."""

from __future__ import annotations

import torch


def compute_dtype(outputs: torch.Tensor) -> torch.dtype:
    """float64 stays float64; every other floating dtype is computed in float32."""
    return torch.float64 if outputs.dtype == torch.float64 else torch.float32


def logistic(x: torch.Tensor):
    """``(s, 1 - s, s (1 - s))`` of ``s = sigmoid(x)``, each accurate: ``1 - s`` is
    ``sigmoid(-x)``, not a subtraction, so ``s (1 - s)`` stays nonzero where ``s`` rounds
    to 1 (``sigmoid``'s own backward, ``s (1 - s)`` from ``s``, flushes to 0 there: in
    float32 at ``L = 73`` for every ``p >= 0.728``)."""
    s = torch.sigmoid(x)
    r = torch.sigmoid(-x)
    return s, r, s * r


def amplify(p: torch.Tensor, L: float, threshold: float):
    """``A(p) = sigmoid(L (p - t))``, ``1 - A(p)`` and ``dA/dp = L A (1 - A)``."""
    a, one_minus_a, s = logistic(L * (p - threshold))
    return a, one_minus_a, L * s


def class_entries(
    a: torch.Tensor, one_minus_a: torch.Tensor, y: torch.Tensor, w
) -> torch.Tensor:
    """Per-class soft entries ``[C, 4] = (TP, FN, FP, TN)`` of ``[N, C, S]`` tensors: ``y``
    is 1 where the element's sample belongs to the element's class and 0 elsewhere, ``w``
    weighs each sample (0 for ignored ones; a tensor broadcasting over ``C``, or None)."""
    wa = a if w is None else w * a
    wb = one_minus_a if w is None else w * one_minus_a
    n = 1 - y
    dims = (0, 2)
    return torch.stack(
        [(wa * y).sum(dims), (wb * y).sum(dims), (wa * n).sum(dims), (wb * n).sum(dims)],
        dim=1,
    )


def gradient_wrt_amplified_input(
    coefficients: torch.Tensor, slope: torch.Tensor, y: torch.Tensor, w
) -> torch.Tensor:
    """``d loss / d p`` of every ``[N, C, S]`` element: the core's coefficient of its class
    and label (``coefficients[c] = (positive, negative)``), times its weight and ``dA/dp``."""
    k_pos = coefficients[:, 0].view(1, -1, 1)
    k_neg = coefficients[:, 1].view(1, -1, 1)
    k = k_neg + (k_pos - k_neg) * y
    return k * slope if w is None else k * (w * slope)


class WithGradient(torch.autograd.Function):
    """A value whose gradient with respect to ``outputs`` is the precomputed ``grad``.

    The losses compute the exact gradient in their forward pass (as the core does: the
    entries, then the metric's partials once, then one multiply per element), so backward
    is one multiply by the upstream gradient and no second graph is kept."""

    @staticmethod
    def forward(ctx, outputs, value, grad):  # noqa: D102
        ctx.save_for_backward(grad)
        return value.clone()

    @staticmethod
    def backward(ctx, upstream):  # noqa: D102
        (grad,) = ctx.saved_tensors
        return upstream * grad, None, None
