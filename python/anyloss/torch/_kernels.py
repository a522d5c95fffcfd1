"""Tensor-side arithmetic of the PyTorch losses: the amplifier, per-class entries, and the
gradient the core's coefficients give. Everything stays on the outputs' device."""

from __future__ import annotations

import torch


def compute_dtype(outputs: torch.Tensor) -> torch.dtype:
    """float64 stays float64; every other floating dtype is computed in float32."""
    return torch.float64 if outputs.dtype == torch.float64 else torch.float32


def logistic(x: torch.Tensor):
    """``(s, 1 - s, s (1 - s))`` of ``s = sigmoid(x)``, from one ``exp`` and without
    cancellation: ``s (1 - s)`` is ``e / (1 + e)^2`` with ``e = exp(-|x|)``, so it stays
    nonzero where ``s`` rounds to 1 (``sigmoid``'s own backward, ``s (1 - s)``, flushes
    to 0 there: in float32 at ``L = 73`` for every ``p >= 0.728``)."""
    e = torch.exp(-x.abs())
    big = 1.0 / (1.0 + e)
    small = e * big
    positive = x >= 0
    return torch.where(positive, big, small), torch.where(positive, small, big), small * big


def amplify(p: torch.Tensor, L: float, threshold: float):
    """``A(p) = sigmoid(L (p - t))``, ``1 - A(p)`` and ``dA/dp = L A (1 - A)``."""
    a, one_minus_a, s = logistic(L * (p - threshold))
    return a, one_minus_a, L * s


def class_entries(
    a: torch.Tensor, one_minus_a: torch.Tensor, positive: torch.Tensor, w: torch.Tensor
) -> torch.Tensor:
    """Per-class soft entries ``[C, 4] = (TP, FN, FP, TN)`` of ``[N, C, S]`` tensors:
    ``positive`` (bool) marks the samples of class ``c`` in column ``c``, ``w`` weighs each
    sample (0 for ignored ones; it broadcasts over ``C``)."""
    wa = w * a
    wb = w * one_minus_a
    zero = torch.zeros((), dtype=a.dtype, device=a.device)
    dims = (0, 2)
    return torch.stack(
        [
            torch.where(positive, wa, zero).sum(dims),
            torch.where(positive, wb, zero).sum(dims),
            torch.where(positive, zero, wa).sum(dims),
            torch.where(positive, zero, wb).sum(dims),
        ],
        dim=1,
    )


def gradient_wrt_amplified_input(
    coefficients: torch.Tensor, slope: torch.Tensor, positive: torch.Tensor, w: torch.Tensor
) -> torch.Tensor:
    """``d loss / d p`` of every ``[N, C, S]`` element: the core's coefficient of its class
    and label (``coefficients[c] = (positive, negative)``), times its weight and ``dA/dp``."""
    k_pos = coefficients[:, 0].view(1, -1, 1)
    k_neg = coefficients[:, 1].view(1, -1, 1)
    return torch.where(positive, k_pos, k_neg) * (w * slope)


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
