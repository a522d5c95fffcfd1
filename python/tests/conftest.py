"""Shared fixtures: the golden vectors of the repository (float64 PyTorch autograd)."""

import json
import pathlib

import pytest

GOLDEN = pathlib.Path(__file__).resolve().parents[2] / "tests" / "golden"

#: The golden files' metric names as anyloss metrics: (name or formula, params).
GOLDEN_METRICS = {
    "accuracy": ("accuracy", None),
    "f1": ("f1", None),
    "fbeta_0.5": ("fbeta", {"beta": 0.5}),
    "fbeta_2": ("fbeta", {"beta": 2.0}),
    "gmean": ("gmean", None),
    "balanced_accuracy": ("balanced_accuracy", None),
    "mcc": ("mcc", None),
}

#: The same metrics written as formulas.
GOLDEN_FORMULAS = {
    "accuracy": ("(TP+TN)/TOTAL", None),
    "f1": ("2*TP/(2*TP+FP+FN)", None),
    "fbeta_0.5": ("(1+beta^2)*TP/((1+beta^2)*TP + beta^2*FN + FP)", {"beta": 0.5}),
    "fbeta_2": ("(1+beta^2)*TP/((1+beta^2)*TP + beta^2*FN + FP)", {"beta": 2.0}),
    "gmean": ("recall = TP/POS; specificity = TN/NEG; sqrt(recall*specificity)", None),
    "balanced_accuracy": ("(TP/POS + TN/NEG)/2", None),
    "mcc": ("(TP*TN - FP*FN)/sqrt(PRED_POS*POS*NEG*PRED_NEG)", None),
}


def load(name):
    with open(GOLDEN / name) as f:
        return json.load(f)


@pytest.fixture(scope="session")
def binary_golden():
    return load("binary.json")


@pytest.fixture(scope="session")
def multiclass_golden():
    return load("multiclass.json")


def assert_grad_close(got, want, context, rel=1e-3):
    """The golden tolerance of the Rust tests: relative 1e-3 wherever |ref| > 1e-30."""
    for i, (g, w) in enumerate(zip(got, want)):
        if abs(w) > 1e-30:
            assert abs(g - w) / abs(w) < rel, f"{context}: grad[{i}] {g} vs {w}"
