//! The per-sample kernels of pass 1: how a probability or a logit is checked and amplified.

use crate::amplifier::{Amplified, Amplifier};
use crate::math::ExpParts;

/// The per-sample kernel: how one input is checked and amplified.
pub(crate) trait Kernel {
    /// Valid inputs lie in `[LOWEST, HIGHEST]` (and are not NaN).
    const LOWEST: f32;
    /// See [`Kernel::LOWEST`].
    const HIGHEST: f32;
    /// A word whose top bit is set when `x` may be invalid, and clear only for valid `x`.
    /// Integer operations on the bits: two or three per sample, OR-ed over a block, where
    /// float compares cost three instructions each on a Cortex-M4.
    fn invalid_flag(x: f32) -> u32;
    /// Exactly whether `x` is valid; only for blocks that [`Kernel::invalid_flag`] flagged.
    fn is_valid(x: f32) -> bool;
    /// What [`Kernel::refine`] hands to [`Kernel::finish`] besides its word (which the
    /// SIMD loops park in the gradient buffer): `()` for probabilities.
    type Extra: Copy + Default;
    /// Whether [`Kernel::refine`] and [`Kernel::settle`] do any work, so that the SIMD
    /// loops run a loop for each.
    const REFINES: bool;
    /// Whether [`Kernel::LOWEST`] and [`Kernel::HIGHEST`] bound anything a finite sum
    /// lets through (not for logits, whose bounds are the finite floats').
    const BOUNDED: bool;
    /// The amplified value of `x`, in one piece.
    #[inline(always)]
    fn eval(amp: &Amplifier, x: f32) -> Amplified {
        let (refined, extra) = Self::refine(amp, x, Self::prepare(amp, x));
        Self::finish::<false>(amp, x, Self::settle(refined), extra)
    }
    /// The first stage of [`Kernel::eval`], an `exp` chain, kept apart so that a loop
    /// over it has no other dependency and overlaps consecutive samples.
    fn prepare(amp: &Amplifier, x: f32) -> f32;
    /// [`Kernel::prepare`] with its exp in the shorter form and in two halves: the same
    /// bits unfused, for callers that checked [`Kernel::short_exps_exact`]; `FUSED`, the
    /// multiply-adds rounded once (`fast_exp::reduce_normal`).
    fn prepare_short<const FUSED: bool>(amp: &Amplifier, x: f32) -> ExpParts;
    /// The second stage, from `x` and `prepare(amp, x)`; nothing for probabilities.
    fn refine(amp: &Amplifier, x: f32, prepared: f32) -> (f32, Self::Extra);
    /// The third stage, from what `refine` returned; nothing for probabilities.
    fn settle(refined: f32) -> f32;
    /// [`Kernel::settle`] as [`Kernel::prepare_short`] is [`Kernel::prepare`].
    fn settle_short<const FUSED: bool>(refined: f32) -> ExpParts;
    /// Whether, with `amp`, the short forms (unfused) give the same bits as the stages they
    /// stand for, for every input.
    fn short_exps_exact(amp: &Amplifier) -> bool;
    /// The rest of [`Kernel::eval`], from `x`, `settle`'s word and `refine`'s extra.
    fn finish<const BLENDS: bool>(
        amp: &Amplifier,
        x: f32,
        settled: f32,
        extra: Self::Extra,
    ) -> Amplified;
}

/// Probabilities: `A(p)` and `dA/dp`.
pub(crate) struct ProbKernel;
impl Kernel for ProbKernel {
    const LOWEST: f32 = 0.0;
    const HIGHEST: f32 = 1.0;
    /// The sign bit flags negatives (and -0.0, which the exact check then accepts); the
    /// wrapped difference flags every pattern above 1.0's, which covers +inf and NaN.
    #[inline(always)]
    fn invalid_flag(p: f32) -> u32 {
        let bits = p.to_bits();
        bits | ONE_BITS.wrapping_sub(bits)
    }
    fn is_valid(p: f32) -> bool {
        (0.0..=1.0).contains(&p)
    }
    type Extra = ();
    const REFINES: bool = false;
    const BOUNDED: bool = true;
    /// `exp(-|L(p-t)|)`.
    #[inline(always)]
    fn prepare(amp: &Amplifier, p: f32) -> f32 {
        crate::math::exp_neg_abs(amp.l() * (p - amp.threshold()))
    }
    /// The amplifier's arguments are bounded by [`Amplifier::exp_stays_normal`].
    #[inline(always)]
    fn prepare_short<const FUSED: bool>(amp: &Amplifier, p: f32) -> ExpParts {
        ExpParts::normal::<FUSED>(amp.l() * (p - amp.threshold()))
    }
    #[inline(always)]
    fn refine(_: &Amplifier, _: f32, e: f32) -> (f32, ()) {
        (e, ())
    }
    #[inline(always)]
    fn settle(e: f32) -> f32 {
        e
    }
    #[inline(always)]
    fn settle_short<const FUSED: bool>(e: f32) -> ExpParts {
        ExpParts::exact(e)
    }
    fn short_exps_exact(amp: &Amplifier) -> bool {
        amp.exp_stays_normal()
    }
    #[inline(always)]
    fn finish<const BLENDS: bool>(amp: &Amplifier, p: f32, e: f32, (): ()) -> Amplified {
        amplify_from_exp::<BLENDS>(amp.l(), amp.l() * (p - amp.threshold()), e)
    }
}

/// Logits: `A(sigmoid(z))` and `dA/dz`.
pub(crate) struct LogitKernel;
impl Kernel for LogitKernel {
    const LOWEST: f32 = f32::MIN;
    const HIGHEST: f32 = f32::MAX;
    /// An all-ones exponent (infinity or NaN) carries into the top bit; a finite
    /// magnitude stays below it.
    #[inline(always)]
    fn invalid_flag(z: f32) -> u32 {
        (z.to_bits() & !SIGN).wrapping_add(0x0080_0000)
    }
    fn is_valid(z: f32) -> bool {
        z.is_finite()
    }
    /// The sigmoid's slope `p(1-p)`.
    type Extra = f32;
    const REFINES: bool = true;
    const BOUNDED: bool = false;
    /// In one chain, for one-lane cores: the sigmoid, then the amplifier, the same
    /// operations as the three stages below, so the same results bit for bit.
    #[inline(always)]
    fn eval(amp: &Amplifier, z: f32) -> Amplified {
        let e = crate::math::exp_neg_abs(z);
        let big = 1.0 / (1.0 + e);
        let small = e * big;
        let p = if z >= 0.0 { big } else { small };
        let mut out = amplify(amp, p);
        out.slope *= small * big;
        out
    }
    /// The sigmoid's `exp(-|z|)`.
    #[inline(always)]
    fn prepare(_: &Amplifier, z: f32) -> f32 {
        crate::math::exp_neg_abs(z)
    }
    /// Floored at `e^-87` (see [`Amplifier::logit_saturation_is_flat`]).
    #[inline(always)]
    fn prepare_short<const FUSED: bool>(_: &Amplifier, z: f32) -> ExpParts {
        ExpParts::floored::<FUSED>(z)
    }
    /// `p = sigmoid(z)` and its slope from the sigmoid's exp, as in [`crate::sigmoid`];
    /// returns the amplifier's argument `x = L(p-t)` and that slope.
    #[inline(always)]
    fn refine(amp: &Amplifier, z: f32, e: f32) -> (f32, f32) {
        let big = 1.0 / (1.0 + e);
        let small = e * big;
        let p = exchange_if_negative::<false>(z, big, small).0;
        (amp.l() * (p - amp.threshold()), small * big)
    }
    /// The amplifier's `e = exp(-|x|)`, with the sign of `x` in its sign bit (`e` itself
    /// is never negative).
    ///
    /// The three stages run in loops of their own on SIMD cores (the short forms of the
    /// exps in two loops each, see `staged.rs`): with both exps in one loop, or the second
    /// in the loop of sums, one sample's chain of dependent operations was longer than the
    /// out-of-order scheduler could overlap across samples (llvm-mca, icelake-server: 74
    /// cycles per 8 samples against 30 issued).
    #[inline(always)]
    fn settle(x: f32) -> f32 {
        let e = crate::math::exp_neg_abs(x);
        f32::from_bits(e.to_bits() | (x.to_bits() & SIGN))
    }
    /// The amplifier's arguments are bounded by [`Amplifier::exp_stays_normal`].
    #[inline(always)]
    fn settle_short<const FUSED: bool>(x: f32) -> ExpParts {
        ExpParts::normal::<FUSED>(x).with_sign_of(x)
    }
    fn short_exps_exact(amp: &Amplifier) -> bool {
        amp.exp_stays_normal() && amp.logit_saturation_is_flat()
    }
    /// `A(p)`, `1-A(p)` and `L·A(1-A)` as in [`Amplifier::amplify`], times the sigmoid's
    /// slope.
    #[inline(always)]
    fn finish<const BLENDS: bool>(
        amp: &Amplifier,
        _: f32,
        signed_e: f32,
        sigmoid_slope: f32,
    ) -> Amplified {
        let e = f32::from_bits(signed_e.to_bits() & !SIGN);
        let mut out = amplify_from_exp::<BLENDS>(amp.l(), signed_e, e);
        out.slope *= sigmoid_slope;
        out
    }
}

/// The bits of 1.0f32.
pub(crate) const ONE_BITS: u32 = 0x3F80_0000;
pub(crate) const SIGN: u32 = 0x8000_0000;

/// [`Amplifier::amplify`] for the hot loops: the same formulas (`e = exp(-|x|)`,
/// `1/(1+e)`, `e/(1+e)`, `L·e/(1+e)^2`) and the same results, with the sign handled by
/// bit operations rather than selects, which SSE2 lacks (a select costs three
/// instructions, the exchange below five for both outputs).
#[inline(always)]
fn amplify(amp: &Amplifier, p: f32) -> Amplified {
    let x = amp.l() * (p - amp.threshold());
    amplify_from_exp::<false>(amp.l(), x, crate::math::exp_neg_abs(x))
}

/// [`amplify`] given `e = exp(-|x|)` and any float `sign` with the sign of `x = L(p - t)`.
#[inline(always)]
fn amplify_from_exp<const BLENDS: bool>(l: f32, sign: f32, e: f32) -> Amplified {
    let big = 1.0 / (1.0 + e);
    let small = e * big;
    let (a, one_minus_a) = exchange_if_negative::<BLENDS>(sign, big, small);
    Amplified {
        a,
        one_minus_a,
        slope: l * small * big,
    }
}

/// `(big, small)` where `sign >= 0`, `(small, big)` where it is negative. The sign bit
/// decides, so -0.0 counts as negative: `p - t` never gives it (it rounds to +0.0), and a
/// logit of -0.0 has `big = small = 1/2`. Both forms pick the same bits. `BLENDS` (the
/// AVX2 kernels, which have a blend instruction): a select on the sign bit, two blends
/// straight from the sign (logits about 10% faster). Otherwise an exchange of bits under
/// the sign's all-ones mask: SSE2 has no blend (its selects measured 2-9% slower), and on
/// a Cortex-M4 a select made the F1 path 880 bytes longer (LLVM unrolled its loop) and no
/// faster.
#[inline(always)]
fn exchange_if_negative<const BLENDS: bool>(sign: f32, big: f32, small: f32) -> (f32, f32) {
    if BLENDS {
        return if (sign.to_bits() as i32) < 0 {
            (small, big)
        } else {
            (big, small)
        };
    }
    let negative = ((sign.to_bits() as i32) >> 31) as u32;
    let swap = (big.to_bits() ^ small.to_bits()) & negative;
    (
        f32::from_bits(big.to_bits() ^ swap),
        f32::from_bits(small.to_bits() ^ swap),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::amplifier::sigmoid;

    #[test]
    fn hot_loop_amplifier_is_bit_identical_to_amplifier() {
        for (l, t) in [
            (73.0f32, 0.5f32),
            (10.0, 0.5),
            (0.5, 0.5),
            (1e4, 0.5),
            (73.0, 0.3),
            (73.0, 0.7),
        ] {
            let amp = Amplifier::new(l).unwrap().with_threshold(t).unwrap();
            let probes = [
                0.0f32,
                1.0,
                0.5,
                1e-9,
                0.999_999,
                0.728,
                0.499_999_97,
                0.500_000_06,
            ];
            let sweep = (0..=20_000).map(|i| i as f32 / 20_000.0);
            for p in sweep.chain(probes.iter().copied()) {
                let want = amp.amplify(p);
                let got = amplify(&amp, p);
                assert_eq!(got.a.to_bits(), want.a.to_bits(), "A, l={l} t={t} p={p}");
                assert_eq!(
                    got.one_minus_a.to_bits(),
                    want.one_minus_a.to_bits(),
                    "1-A, l={l} p={p}"
                );
                assert_eq!(got.slope.to_bits(), want.slope.to_bits(), "A', l={l} p={p}");
            }
        }
    }

    #[test]
    fn logit_kernel_is_sigmoid_then_amplifier_bit_for_bit() {
        for t in [0.5f32, 0.3, 0.7] {
            let amp = Amplifier::default().with_threshold(t).unwrap();
            for i in -4000..=4000 {
                let z = i as f32 / 100.0;
                let (p, dp) = sigmoid(z);
                let want = amp.amplify(p);
                let got = LogitKernel::eval(&amp, z);
                assert_eq!(got.a.to_bits(), want.a.to_bits(), "z={z}");
                assert_eq!(
                    got.one_minus_a.to_bits(),
                    want.one_minus_a.to_bits(),
                    "z={z}"
                );
                assert_eq!(
                    got.slope.to_bits(),
                    (want.slope * dp).to_bits(),
                    "z={z} t={t}"
                );
            }
        }
    }

    /// Logits over the whole f32 range: every 997th bit pattern of each sign, plus the
    /// places where the exps saturate or underflow.
    pub(crate) fn all_logits() -> impl Iterator<Item = f32> {
        let special = [
            0.0f32, -0.0, 1e-30, -1e-30, 17.0, -17.0, 87.3, -87.3, 103.9, -103.9,
        ];
        let sweep = (0..0x7F80_0000u32).step_by(997).map(f32::from_bits);
        special
            .into_iter()
            .chain(sweep.clone())
            .chain(sweep.map(|z| -z))
    }

    /// The logit kernel against float64 over the whole f32 range: `A` and `1-A` within
    /// 2e-6 absolute, the slope within 1e-5 relative wherever it is a normal f32, and never
    /// above its float64 value by more than that where smaller (then it underflows).
    #[cfg(not(feature = "micromath"))]
    #[test]
    fn logit_kernel_matches_f64_over_every_logit() {
        matches_f64_over_every_logit(LogitKernel::eval);
    }

    #[cfg(not(feature = "micromath"))]
    /// `kernel` (the logit kernel in one of its forms) against f64 over [`all_logits`], at
    /// three amplifiers: `A` and `1 - A` within 2e-6, the slope within 1e-5 relative.
    pub(crate) fn matches_f64_over_every_logit(kernel: impl Fn(&Amplifier, f32) -> Amplified) {
        for (l, t) in [(73.0f64, 0.5f64), (0.5, 0.5), (73.0, 0.3)] {
            let amp = Amplifier::new(l as f32)
                .unwrap()
                .with_threshold(t as f32)
                .unwrap();
            let mut worst = 0.0f64;
            for z in all_logits() {
                let got = kernel(&amp, z);
                let zf = f64::from(z);
                let p = 1.0 / (1.0 + (-zf).exp());
                let sigmoid_slope = (-zf.abs()).exp() / (1.0 + (-zf.abs()).exp()).powi(2);
                let x = l * (p - t);
                let a = 1.0 / (1.0 + (-x).exp());
                let e = (-x.abs()).exp();
                let slope = l * e / ((1.0 + e) * (1.0 + e)) * sigmoid_slope;
                assert!(
                    (f64::from(got.a) - a).abs() < 2e-6,
                    "A at z={z}: {} vs {a}",
                    got.a
                );
                assert!(
                    (f64::from(got.one_minus_a) - (1.0 - a)).abs() < 2e-6,
                    "1-A at z={z}"
                );
                if slope >= f64::from(f32::MIN_POSITIVE) {
                    let rel = (f64::from(got.slope) - slope).abs() / slope;
                    worst = worst.max(rel);
                    assert!(rel < 1e-5, "slope at z={z} l={l}: {} vs {slope}", got.slope);
                } else {
                    assert!(
                        f64::from(got.slope) <= slope * (1.0 + 1e-5) + 1.5e-45,
                        "z={z}"
                    );
                }
            }
            assert!(worst > 0.0);
        }
    }
}
