//! The per-sample kernels of pass 1: how a probability or a logit is checked and amplified.

use crate::amplifier::{Amplified, Amplifier};

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
    /// The amplified value of `x`, in one piece.
    fn eval(amp: &Amplifier, x: f32) -> Amplified {
        Self::finish(amp, x, Self::prepare(amp, x))
    }
    /// The first half of [`Kernel::eval`], the long `exp` chain, kept apart so that a loop
    /// over it has no other dependency and overlaps consecutive samples.
    fn prepare(amp: &Amplifier, x: f32) -> f32;
    /// The rest of [`Kernel::eval`], from `x` and `prepare(amp, x)`.
    fn finish(amp: &Amplifier, x: f32, prepared: f32) -> Amplified;
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
    #[inline(always)]
    fn prepare(amp: &Amplifier, p: f32) -> f32 {
        crate::math::exp_neg_abs(amp.l() * (p - amp.threshold()))
    }
    #[inline(always)]
    fn finish(amp: &Amplifier, p: f32, e: f32) -> Amplified {
        amplify_from_exp(amp.l(), amp.l() * (p - amp.threshold()), e)
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
    /// The sigmoid's `exp(-|z|)`; with `finish`'s first lines this is [`crate::sigmoid`].
    #[inline(always)]
    fn prepare(_: &Amplifier, z: f32) -> f32 {
        crate::math::exp_neg_abs(z)
    }
    #[inline(always)]
    fn finish(amp: &Amplifier, z: f32, e: f32) -> Amplified {
        let big = 1.0 / (1.0 + e);
        let small = e * big;
        let p = if z >= 0.0 { big } else { small };
        let mut out = amplify(amp, p);
        out.slope *= small * big;
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
    amplify_from_exp(amp.l(), x, crate::math::exp_neg_abs(x))
}

/// [`amplify`] given `x = L(p - t)` and `e = exp(-|x|)`.
#[inline(always)]
fn amplify_from_exp(l: f32, x: f32, e: f32) -> Amplified {
    let big = 1.0 / (1.0 + e);
    let small = e * big;
    // All ones where x < 0 (x is never -0.0: p - t rounds to +0.0 where p = t), then A and 1-A
    // exchange `big` and `small` under that mask.
    let negative = ((x.to_bits() as i32) >> 31) as u32;
    let swap = (big.to_bits() ^ small.to_bits()) & negative;
    Amplified {
        a: f32::from_bits(big.to_bits() ^ swap),
        one_minus_a: f32::from_bits(small.to_bits() ^ swap),
        slope: l * small * big,
    }
}

#[cfg(test)]
mod tests {
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
}
