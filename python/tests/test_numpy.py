"""``anyloss.loss_and_grad``, ``anyloss.objective`` and ``anyloss.Metric`` against the golden
float64 autograd vectors, finite differences, and their input checks."""

import subprocess
import sys

import numpy as np
import pytest
from conftest import GOLDEN_FORMULAS, GOLDEN_METRICS, assert_grad_close

import anyloss


@pytest.mark.parametrize("table", [GOLDEN_METRICS, GOLDEN_FORMULAS], ids=["builtin", "formula"])
def test_binary_golden(binary_golden, table):
    checked = nulls = 0
    for case in binary_golden["cases"]:
        y = np.array(case["y"], dtype=np.uint8)
        p = np.array(case["p"], dtype=np.float32)
        for name, ref in case["metrics"].items():
            text, params = table[name]
            loss, grad, e = anyloss.loss_and_grad(y, p, metric=text, params=params)
            assert grad.dtype == np.float32 and grad.shape == p.shape
            assert np.isfinite(loss) and np.all(np.isfinite(grad))
            context = f"{case['id']}/{name}"
            if ref["loss"] is None:
                # The documented policy: the metric at the entries plus one pseudo-count.
                nulls += 1
                m = anyloss.Metric(text, params)
                smoothed = m.value(e["tp"] + 1, e["fn"] + 1, e["fp"] + 1, e["tn"] + 1)
                assert loss == pytest.approx(1 - smoothed, abs=1e-6), context
                continue
            assert abs(loss - ref["loss"]) < 1e-5, f"{context}: {loss} vs {ref['loss']}"
            assert_grad_close(grad.tolist(), ref["grad"], context)
            checked += 1
        for key, entry in [("TP", "tp"), ("FN", "fn"), ("FP", "fp"), ("TN", "tn")]:
            assert e[entry] == pytest.approx(case[key], rel=1e-4, abs=1e-5), case["id"]
    assert checked > 100 and nulls > 0


def test_logits_match_the_chain_rule_through_the_sigmoid():
    rng = np.random.default_rng(3)
    z = rng.normal(0, 2, 500).astype(np.float32)
    y = (rng.random(500) < 0.3).astype(np.uint8)
    p = (1 / (1 + np.exp(-z.astype(np.float64)))).astype(np.float32)
    loss_z, grad_z, _ = anyloss.loss_and_grad(y, z, "mcc", from_logits=True)
    loss_p, grad_p, _ = anyloss.loss_and_grad(y, p, "mcc")
    assert loss_z == pytest.approx(loss_p, abs=1e-5)
    chain = grad_p.astype(np.float64) * p * (1 - p)
    np.testing.assert_allclose(grad_z, chain, rtol=2e-3, atol=1e-9)


def test_any_shape_and_layout():
    rng = np.random.default_rng(0)
    p = rng.random((6, 8)).astype(np.float32)
    y = (rng.random((6, 8)) < 0.4).astype(np.uint8)
    loss, grad, _ = anyloss.loss_and_grad(y, p, "gmean")
    assert grad.shape == (6, 8)
    flat_loss, flat_grad, _ = anyloss.loss_and_grad(y.ravel(), p.ravel(), "gmean")
    assert loss == flat_loss
    np.testing.assert_array_equal(grad.ravel(), flat_grad)
    # A transposed (non-contiguous) view is read in its logical order.
    loss_t, grad_t, _ = anyloss.loss_and_grad(y.T, p.T, "gmean")
    assert loss_t == pytest.approx(loss, abs=1e-6)
    np.testing.assert_allclose(grad_t, grad.T, rtol=1e-5, atol=1e-12)


def test_threshold_shifts_the_amplifier():
    """A(p) at threshold t is A(p - t + 0.5) at 0.5, and so are its entries and gradient."""
    rng = np.random.default_rng(8)
    p = rng.uniform(0.2, 0.8, 300).astype(np.float32)
    y = (rng.random(300) < 0.3).astype(np.uint8)
    t = np.float32(0.3)
    loss, grad, e = anyloss.loss_and_grad(y, p, "gmean", threshold=float(t))
    shifted = (p - t + np.float32(0.5)).astype(np.float32)
    loss_s, grad_s, e_s = anyloss.loss_and_grad(y, shifted, "gmean")
    assert loss == pytest.approx(loss_s, abs=2e-5)
    assert e["tp"] == pytest.approx(e_s["tp"], rel=1e-4)
    np.testing.assert_allclose(grad, grad_s, rtol=2e-3, atol=1e-6 * np.abs(grad_s).max())


def test_weights_are_sample_multiplicities():
    rng = np.random.default_rng(9)
    p = rng.random(200).astype(np.float32)
    y = (rng.random(200) < 0.3).astype(np.uint8)
    k = rng.integers(0, 4, 200)
    loss, grad, e = anyloss.loss_and_grad(y, p, "mcc", weight=k.astype(np.float32))
    loss_r, grad_r, e_r = anyloss.loss_and_grad(np.repeat(y, k), np.repeat(p, k), "mcc")
    assert loss == pytest.approx(loss_r, abs=2e-6)
    assert e["fp"] == pytest.approx(e_r["fp"], rel=1e-5)
    # A weight-k sample's gradient is the sum over its k copies.
    summed = np.zeros(200)
    np.add.at(summed, np.repeat(np.arange(200), k), grad_r)
    np.testing.assert_allclose(grad, summed, rtol=1e-4, atol=1e-7 * np.abs(summed).max())
    assert np.all(grad[k == 0] == 0)
    ones, grad_1, _ = anyloss.loss_and_grad(y, p, "mcc", weight=np.ones(200, np.float32))
    plain, grad_p, _ = anyloss.loss_and_grad(y, p, "mcc")
    assert ones == plain and np.array_equal(grad_1, grad_p)


def test_fallback_policy():
    y = np.zeros(4, dtype=np.uint8)  # no positives: recall is undefined
    p = np.array([0.1, 0.7, 0.2, 0.9], dtype=np.float32)
    loss, grad, _ = anyloss.loss_and_grad(y, p, "recall", fallback=0.0)
    assert loss == 1.0 and not grad.any()
    loss, grad, _ = anyloss.loss_and_grad(y, p, "recall")
    assert loss == pytest.approx(0.5)  # smoothed: recall eps/(2 eps)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda y, p: anyloss.loss_and_grad(y.astype(np.int64), p), TypeError, "dtype uint8"),
        (lambda y, p: anyloss.loss_and_grad(y, p.astype(np.float64)), TypeError, "float32"),
        (lambda y, p: anyloss.loss_and_grad(list(y), p), TypeError, "not a numpy array"),
        (lambda y, p: anyloss.loss_and_grad(y[:3], p), ValueError, "shape [3]"),
        (lambda y, p: anyloss.loss_and_grad(np.array([1, 0, 2, 0], np.uint8), p), ValueError,
         "labels[2] is not 0 or 1"),
        (lambda y, p: anyloss.loss_and_grad(y, np.array([.1, np.nan, .2, .3], np.float32)),
         ValueError, "outputs[1] is NaN"),
        (lambda y, p: anyloss.loss_and_grad(y, p * 3), ValueError, "outside [0, 1]"),
        (lambda y, p: anyloss.loss_and_grad(y[:0], p[:0]), ValueError, "empty"),
        (lambda y, p: anyloss.loss_and_grad(y, p, "f2"), ValueError, "did you mean `f1`"),
        (lambda y, p: anyloss.loss_and_grad(y, p, "2*TP/(TP+"), ValueError, "1:6"),
        (lambda y, p: anyloss.loss_and_grad(y, p, "f1", params={"beta": 2}), ValueError,
         "is not a parameter of `f1`"),
        (lambda y, p: anyloss.loss_and_grad(y, p, "TP/(TP+gamma*FN)"), ValueError, "gamma"),
        (lambda y, p: anyloss.loss_and_grad(y, p, L=0), ValueError, "L=0"),
        (lambda y, p: anyloss.loss_and_grad(y, p, fallback=float("nan")), ValueError, "fallback"),
        (lambda y, p: anyloss.loss_and_grad(y, p, metric=3), TypeError, "metric must be"),
        (lambda y, p: anyloss.loss_and_grad(y, p, threshold=1.0), ValueError, "threshold=1"),
        (lambda y, p: anyloss.loss_and_grad(y, p, weight=np.ones(4)), TypeError, "float32"),
        (lambda y, p: anyloss.loss_and_grad(y, p, weight=p[:2]), ValueError, "weight has shape"),
        (lambda y, p: anyloss.loss_and_grad(y, p, weight=p - 0.5), ValueError,
         "weight[1] is negative"),
        (lambda y, p: anyloss.loss_and_grad(y, p, weight=p * np.inf), ValueError,
         "weight[0] is NaN or infinite"),
    ],
)
def test_bad_input_is_a_clear_error(call, error, message):
    y = np.array([1, 0, 1, 0], dtype=np.uint8)
    p = np.array([0.9, 0.2, 0.4, 0.6], dtype=np.float32)
    with pytest.raises(error) as info:
        call(y, p)
    assert message in str(info.value)


def test_metric_value_and_partials_match_finite_differences():
    for text, params in [("f1", None), ("mcc", None), ("tversky", {"alpha": 0.3, "beta": 0.7}),
                         ("sqrt(TP/POS * TN/NEG)", None), ("TP/(TP + gamma*FN + FP)", {"gamma": 3})]:
        m = anyloss.Metric(text, params)
        point = np.array([7.0, 3.0, 2.0, 11.0])
        grad = m.partials(*point)
        for k in range(4):
            h = np.zeros(4)
            h[k] = 0.01
            fd = (m.value(*(point + h)) - m.value(*(point - h))) / 0.02
            assert grad[k] == pytest.approx(fd, rel=2e-3, abs=2e-4), (text, k)


def test_metric_undefined_points_and_analysis():
    recall = anyloss.Metric("TP/POS")
    assert recall.value(0, 0, 1, 1) is None and recall.partials(0, 0, 1, 1) is None
    assert recall.is_formula and recall.text == "TP/POS"
    (issue,) = recall.check()
    assert "no positives" in issue
    (issue,) = anyloss.Metric("(TP+TN)/TOTAL").check()
    assert "empty" in issue
    assert anyloss.Metric("TP - FP").check() == []
    assert anyloss.Metric("recall").value(0, 0, 1, 1) is None
    with pytest.raises(ValueError, match="built-in"):
        anyloss.Metric("f1").check()
    with pytest.raises(ValueError, match="finite"):
        anyloss.Metric("f1").value(float("inf"), 0, 0, 0)


def test_to_rust_emits_a_metric_type():
    src = anyloss.Metric("2*TP/(2*TP+FP+FN)").to_rust("MyF1")
    assert "struct MyF1" in src and "impl" in src and "Metric for MyF1" in src
    with pytest.raises(ValueError):
        anyloss.Metric("2*TP/(2*TP+FP+FN)").to_rust("not a name")
    with pytest.raises(ValueError, match="built-in"):
        anyloss.Metric("f1").to_rust("F")


def test_objective_is_the_binary_loss_for_one_class():
    y = np.array([1, 0, 1, 1, 0], dtype=np.uint8)
    p = np.array([0.8, 0.3, 0.45, 0.6, 0.55], dtype=np.float32)
    loss, grad, e = anyloss.loss_and_grad(y, p, "gmean")
    value, ((k_pos, k_neg),) = anyloss.objective(
        "gmean", [(e["tp"], e["fn"], e["fp"], e["tn"])], [3]
    )
    assert value == loss
    # grad = coefficient of the label times dA/dp.
    x = 73.0 * (p.astype(np.float64) - 0.5)
    slope = 73.0 * np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))) ** 2
    np.testing.assert_allclose(grad, np.where(y == 1, k_pos, k_neg) * slope, rtol=1e-5)


def test_objective_averages_and_seed():
    entries = [(3.0, 1.0, 2.0, 10.0), (0.5, 2.5, 1.0, 12.0), (4.0, 0.0, 0.0, 12.0)]
    support = [4, 3, 4]
    f1 = [2 * tp / (2 * tp + fp + fn) for tp, fn, fp, _ in entries]
    macro, _ = anyloss.objective("f1", entries, support)
    assert macro == pytest.approx(1 - np.mean(f1), abs=1e-6)
    weighted, _ = anyloss.objective("f1", entries, support, average="weighted")
    assert weighted == pytest.approx(1 - np.dot(f1, support) / sum(support), abs=1e-6)
    micro, coefficients = anyloss.objective("f1", entries, support, average="micro")
    tp, fn, fp, _ = np.sum(entries, axis=0)
    assert micro == pytest.approx(1 - 2 * tp / (2 * tp + fp + fn), abs=1e-6)
    assert len(set(coefficients)) == 1
    seed, k = anyloss.objective("seed", entries, support)
    assert seed == pytest.approx(sum(e[1] + e[2] for e in entries) / 3, rel=1e-6)
    assert k == [(pytest.approx(-1 / 3), pytest.approx(1 / 3))] * 3
    with pytest.raises(ValueError, match="average"):
        anyloss.objective("f1", entries, support, average="mean")
    with pytest.raises(ValueError, match="seed"):
        anyloss.objective("seed", entries, support, average="micro")
    with pytest.raises(ValueError, match="support"):
        anyloss.objective("f1", entries, support[:2])
    with pytest.raises(ValueError, match="class 1"):
        anyloss.objective("f1", [entries[0], (-1.0, 0, 0, 0)], [1, 1])


def test_importing_anyloss_does_not_import_torch(tmp_path):
    code = "import sys, anyloss; anyloss.loss_and_grad; print('torch' in sys.modules)"
    # Run outside the source tree: `python -c` puts the working directory on sys.path.
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120, cwd=tmp_path)
    assert out.stdout.strip() == "False"
