//! The AnyLoss amplifier `A(p) = 1/(1+exp(-L(p-t)))`, centred on the decision threshold `t`.

use crate::error::{Error, Parameter};
use crate::math;

/// The amplifier that pushes a probability towards 0 or 1 so that the soft confusion
/// entries approximate the hard ones.
///
/// It is centred on the decision threshold `t` (0.5 unless [`Amplifier::with_threshold`]
/// moves it): `A(t) = 1/2`, and `A` pushes `p > t` towards 1 and `p < t` towards 0, so the
/// soft entries approximate the hard entries of the decision `p > t`. For logits the same
/// holds after `p = sigmoid(z)`.
///
/// Everything comes from one `exp` per sample: with `x = L(p-t)` and `e = exp(-|x|)`,
/// `A = 1/(1+e)` or `e/(1+e)` by the sign of `x`, `1-A` the other one, and
/// `A' = L·e/(1+e)^2`. Computing `A(1-A)` as `e/(1+e)^2` rather than `A*(1-A)` keeps the
/// slope of saturated samples: in f32, `A` rounds to exactly 1 for `p >= 0.728` at `L = 73`,
/// and `A*(1-A)` would flush their gradient to 0.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Amplifier {
    l: f32,
    threshold: f32,
}

/// `A(p)`, `1 - A(p)` and `A'(p)` of one sample, each accurate to f32 precision.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Amplified {
    /// `A(p)`.
    pub a: f32,
    /// `1 - A(p)`, computed without cancellation.
    pub one_minus_a: f32,
    /// `dA/dp = L·A(1-A)`.
    pub slope: f32,
}

impl Amplifier {
    /// The paper's `L = 73`: the largest integer for which `A(1) < 1` in float64.
    pub const DEFAULT_L: f32 = 73.0;

    /// The default decision threshold, `t = 0.5`.
    pub const DEFAULT_THRESHOLD: f32 = 0.5;

    /// An amplifier with steepness `l`, which must be finite and > 0, centred on the
    /// default threshold 0.5.
    pub fn new(l: f32) -> Result<Self, Error> {
        if l.is_finite() && l > 0.0 {
            Ok(Self {
                l,
                threshold: Self::DEFAULT_THRESHOLD,
            })
        } else {
            Err(Error::InvalidParameter(Parameter::L))
        }
    }

    /// The same amplifier centred on the decision threshold `t`, which must lie strictly
    /// between 0 and 1: `A(p) = 1/(1+exp(-L(p-t)))`.
    pub fn with_threshold(mut self, t: f32) -> Result<Self, Error> {
        if t > 0.0 && t < 1.0 {
            self.threshold = t;
            Ok(self)
        } else {
            Err(Error::InvalidParameter(Parameter::Threshold))
        }
    }

    /// The steepness `L`.
    pub fn l(&self) -> f32 {
        self.l
    }

    /// The decision threshold `t`.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Whether the argument `x = L(p-t)` of the amplifier's exp stays within
    /// `±math::NORMAL_EXP_MAX_ABS` for every `p` in `[0, 1]` (`L·max(t, 1-t) <= 87`: at
    /// `t = 1/2`, any `L` up to 174), so that the exp may take its shorter form. The
    /// bounds are computed with the same f32 operations as the arguments, whose rounding
    /// is monotone, so they hold for the rounded arguments too.
    pub(crate) fn exp_stays_normal(&self) -> bool {
        let lowest = self.l * (0.0 - self.threshold);
        let highest = self.l * (1.0 - self.threshold);
        -lowest <= math::NORMAL_EXP_MAX_ABS && highest <= math::NORMAL_EXP_MAX_ABS
    }

    /// Whether the logit kernel gives the same bits, with this amplifier, for every sigmoid `e = exp(-|z|)` below
    /// `2^-125`, so that its `SHORT` form may floor `e` at `e^-87` (`|z| > 87`). For such `e`,
    /// `1 + e` rounds to 1: `p` is 1 for `z >= 0`, and `e` itself, below half an ulp of `t`
    /// once `t >= 2^-100` (checked as `2^-125 - t == -t`), so `p - t` rounds to `-t` as for
    /// `p = 0`. `A` and `1 - A` are then those of `p = 0` or `1`, and the slope is that
    /// amplifier slope times `e`: below `2^-25 · 2^-125 = 2^-150`, half the smallest
    /// subnormal, so `+0` for every such `e`, when the amplifier's slopes at 0 and 1 are
    /// below `2^-25` (at `L = 73`, `t = 1/2`: 1e-14).
    pub(crate) fn logit_saturation_is_flat(&self) -> bool {
        let tiny = f32::from_bits(2 << 23);
        let flat = f32::from_bits((127 - 25) << 23);
        let t = self.threshold;
        tiny - t == -t && self.amplify(0.0).slope < flat && self.amplify(1.0).slope < flat
    }

    /// `A(p)`, `1-A(p)` and `A'(p)` from one `exp`. Branch-free, so loops over it vectorize.
    #[inline(always)]
    pub fn amplify(&self, p: f32) -> Amplified {
        let x = self.l * (p - self.threshold);
        let e = math::exp_neg_abs(x);
        let big = 1.0 / (1.0 + e);
        let small = e * big;
        let (a, one_minus_a) = if x >= 0.0 { (big, small) } else { (small, big) };
        Amplified {
            a,
            one_minus_a,
            slope: self.l * small * big,
        }
    }

    /// `A(p)`.
    pub fn value(&self, p: f32) -> f32 {
        self.amplify(p).a
    }

    /// `A'(p) = L·A(p)(1-A(p))`, nonzero and accurate even where `A(p)` rounds to 1.
    pub fn slope(&self, p: f32) -> f32 {
        self.amplify(p).slope
    }
}

impl Default for Amplifier {
    fn default() -> Self {
        Self {
            l: Self::DEFAULT_L,
            threshold: Self::DEFAULT_THRESHOLD,
        }
    }
}

/// The logistic sigmoid `p = 1/(1+exp(-z))` and its derivative `p(1-p)`, from one `exp`
/// and without cancellation for large `|z|`.
#[inline(always)]
pub fn sigmoid(z: f32) -> (f32, f32) {
    let e = math::exp_neg_abs(z);
    let big = 1.0 / (1.0 + e);
    let small = e * big;
    let p = if z >= 0.0 { big } else { small };
    (p, small * big)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(l: f64, p: f64) -> (f64, f64) {
        let a = 1.0 / (1.0 + (-l * (p - 0.5)).exp());
        let e = (-(l * (p - 0.5)).abs()).exp();
        (a, l * e / ((1.0 + e) * (1.0 + e)))
    }

    // Accuracy to 1e-5 holds for the default backend; micromath's exp is within 2.4e-3
    // (tests/backend_accuracy.rs bounds that backend end to end).
    #[cfg(not(feature = "micromath"))]
    /// The shorter exp is chosen exactly up to `L·max(t, 1-t) = 87`.
    #[test]
    fn exp_stays_normal_up_to_the_bound() {
        for (l, t, normal) in [
            (174.0f32, 0.5f32, true),
            (174.01, 0.5, false),
            (88.0, 0.001, false),
            (88.0, 0.999, false),
            (87.0 / 0.75, 0.25, true),
            (87.0 / 0.75 + 0.01, 0.75, false),
            (Amplifier::DEFAULT_L, 0.999, true),
        ] {
            let amp = Amplifier::new(l).unwrap().with_threshold(t).unwrap();
            assert_eq!(amp.exp_stays_normal(), normal, "l={l} t={t}");
        }
    }

    #[test]
    fn saturated_slope_is_nonzero_and_accurate() {
        let amp = Amplifier::default();
        for &p in &[0.9f32, 0.728, 0.99, 1.0, 0.0, 1e-9, 0.3] {
            let got = amp.amplify(p);
            let (a, s) = reference(73.0, p as f64);
            assert!(got.slope > 0.0, "slope flushed at p={p}");
            assert!(
                ((got.slope as f64 - s) / s).abs() < 1e-5,
                "p={p}: {} vs {s}",
                got.slope
            );
            assert!((got.a as f64 - a).abs() < 1e-7);
            let om = 1.0 / (1.0 + (73.0 * (p as f64 - 0.5)).exp());
            if om > 1e-30 {
                assert!(((got.one_minus_a as f64 - om) / om).abs() < 1e-4, "p={p}");
            }
        }
        // The naive product flushes here: that is the bug the stable form avoids.
        let a = amp.value(0.9);
        assert_eq!(a * (1.0 - a), 0.0);
    }

    #[test]
    fn rejects_bad_l() {
        for l in [0.0, -1.0, f32::NAN, f32::INFINITY] {
            assert_eq!(
                Amplifier::new(l),
                Err(Error::InvalidParameter(Parameter::L))
            );
        }
        assert!(Amplifier::new(10.0).is_ok());
    }

    #[test]
    fn threshold_is_checked_and_centres_the_amplifier() {
        let amp = Amplifier::default();
        assert_eq!(amp.threshold(), 0.5);
        for t in [0.0, 1.0, -0.1, 1.5, f32::NAN, f32::INFINITY] {
            assert_eq!(
                amp.with_threshold(t),
                Err(Error::InvalidParameter(Parameter::Threshold)),
                "t={t}"
            );
        }
        for t in [0.3f32, 0.7, 1e-6, 0.999_999] {
            let moved = amp.with_threshold(t).unwrap();
            assert_eq!(moved.threshold(), t);
            assert_eq!(moved.value(t), 0.5, "A(t) = 1/2 at t={t}");
            for d in [0.01f32, 0.1] {
                let up = moved.amplify(t + d);
                let down = moved.amplify(t - d);
                // Symmetric about t, up to the rounding of t ± d.
                assert!((up.a - down.one_minus_a).abs() < 1e-5, "t={t} d={d}");
                assert!((up.slope - down.slope).abs() <= 1e-4 * up.slope.max(1e-30));
                assert!(up.a > 0.5 && down.a < 0.5);
            }
        }
    }

    #[test]
    fn sigmoid_tails() {
        let (p, d) = sigmoid(-40.0);
        assert!(p > 0.0 && d > 0.0);
        let (p, d) = sigmoid(40.0);
        assert_eq!(p, 1.0);
        assert!(d > 0.0);
    }
}
