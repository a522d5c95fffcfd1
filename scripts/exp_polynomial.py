"""Fits the polynomial of anyloss-core's fast `exp` (`anyloss-core/src/fast_exp.rs`).

`e^r = 1 + r + r^2 P(r)` on `[-ln2/2, ln2/2]`, with `P` of degree 4, chosen for the least
maximum relative error of the whole expression (iteratively reweighted least squares on a
dense grid, which converges to the minimax fit), then rounded to f32. Prints the
coefficients, lowest degree first, and the fit's error with f64 arithmetic: the f32
kernel's error is measured by its own tests.

    python3 scripts/exp_polynomial.py
"""

import numpy as np

HALF_LN2 = np.log(2.0) / 2.0
DEGREE = 4


def fit(degree: int) -> np.ndarray:
    # Slightly past ln2/2: the reduced argument's own rounding can reach it.
    r = np.linspace(-HALF_LN2, HALF_LN2, 80_001) * 1.0001
    r = r[np.abs(r) > 1e-4]
    target = (np.expm1(r) - r) / r**2
    # An error d in P is an error r^2 d in e^r, relative r^2 d / e^r.
    scale = r**2 / np.exp(r)
    powers = np.vander(r, degree + 1, increasing=True)
    weight = np.ones_like(r)
    for _ in range(300):
        coef = np.linalg.lstsq(powers * (scale * weight)[:, None], target * scale * weight, rcond=None)[0]
        err = np.abs((powers @ coef - target) * scale)
        weight = weight * (err / err.max()) ** 0.3
        weight = weight / weight.max() + 1e-9
    return coef


def relative_error(coef: np.ndarray) -> float:
    r = np.linspace(-HALF_LN2, HALF_LN2, 1_000_001)
    approx = 1.0 + r + r**2 * np.polyval(coef[::-1], r)
    return float(np.max(np.abs(approx / np.exp(r) - 1.0)))


def main() -> None:
    coef = fit(DEGREE).astype(np.float32).astype(np.float64)
    print("P =", [str(np.float32(c)) for c in coef])
    err = relative_error(coef)
    print(f"max relative error of 1 + r + r^2 P(r), f32 coefficients: {err:.3e} ({err / 2**-24:.3f} of 2^-24)")


if __name__ == "__main__":
    main()
