//! `e^x` in straight-line f32 arithmetic, so that loops calling it vectorize.
//!
//! `libm::expf` is accurate but an opaque scalar call with a table lookup: a loop that calls
//! it cannot use SIMD, and the call dominates the cost of the binary loss. This
//! version has no branch, no table and no call, and keeps the accuracy of a library `expf`
//! for the f32 results that matter here:
//!
//! * range reduction `x = n·ln2 + r`, `|r| <= ln2/2`, with `n` rounded by the
//!   add-`1.5·2^23` trick (no float-to-int conversion) and `ln2` split in two (Cody–Waite),
//!   so `r` is exact to f32 precision;
//! * `e^r = 1 + r + r²·P(r)`, with the degree-5 minimax `P` of Cephes' `expf`, evaluated
//!   by Estrin's scheme (the fused form, see [`reduce_normal`]: a degree-4 `P` of its own);
//! * `2^n` applied as two factors `2^(n - n/2)·2^(n/2)`, each a normal float, so that results
//!   in the subnormal range are rounded once (gradual underflow) instead of flushed, and
//!   results past `f32::MAX` overflow to infinity.
//!
//! Error against `f64::exp`, checked once exhaustively over every f32 in `[-104, 89]` and in
//! the unit tests over every 61st: at most 1.014 ulp for normal results (at `x = 26.70`;
//! Horner's order gave 0.990, Estrin's trades that hundredth of an ulp for half the
//! latency), and at most 0.752 of the subnormal spacing `2^-149` below
//! `f32::MIN_POSITIVE`. `exp(x) = 0` for `x < -103.98`, `+inf` for `x > 88.73`, NaN in gives
//! NaN out.

/// Inputs are clamped to `[MIN_ARG, MAX_ARG]` so that `n` stays within the two-factor
/// scaling: below `MIN_ARG` the exact result rounds to 0, above `MAX_ARG` to infinity.
const MIN_ARG: f32 = -104.0;
const MAX_ARG: f32 = 89.0;

/// `1.5·2^23`: adding it rounds a float in `(-2^22, 2^22)` to an integer held in the low
/// mantissa bits.
const ROUND: f32 = 12_582_912.0;
const LOG2_E: f32 = core::f32::consts::LOG2_E;
/// `ln 2 = LN2_HI + LN2_LO`, with `LN2_HI` short enough that `n·LN2_HI` is exact.
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// Cephes `expf` minimax coefficients of `P(r) = (e^r - 1 - r)/r²` on `[-ln2/2, ln2/2]`.
const P: [f32; 6] = [
    1.987_569_1e-4,
    1.398_199_9e-3,
    8.333_452e-3,
    4.166_579_6e-2,
    1.666_666_5e-1,
    0.5, // Cephes gives 5.0000001201e-1, which rounds to 0.5 in f32
];
/// The fused form's `P`, lowest degree first: degree 4, fitted for the least relative
/// error of `1 + r + r²·P(r)` (`3.8e-9`, a sixteenth of `2^-24`, so that the result's
/// error is that of its roundings) by `scripts/exp_polynomial.py`. With fused
/// multiply-adds the fifth degree bought nothing visible in f32 and cost two operations
/// per exp; unfused, the same `P` unrolled the one-lane loop on Cortex-M (its loop body
/// fell under LLVM's threshold), past the F1 path's 2 KiB of flash.
const P_FUSED: [f32; 5] = [
    0.499_999_94,
    0.166_665_21,
    0.041_668_39,
    0.008_368_713,
    0.001_381_457_9,
];

/// `2^k` for `k` in `[-126, 127]`, built from its exponent bits.
#[inline(always)]
fn pow2i(k: i32) -> f32 {
    f32::from_bits(((k + 127) as u32) << 23)
}

/// `e^x`, branch-free and vectorizable; error at most 1.014 ulp (see the module docs).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let x = if x > MAX_ARG { MAX_ARG } else { x };
    exp_nonpositive(x)
}

/// `e^x` for `x <= MAX_ARG`, as [`exp`] for those (bit for bit): the argument of every
/// per-sample exp in the crate is `-|t|`, and the clamp it skips is a compare, a status
/// move and a conditional move per sample on a Cortex-M4 (4 of ~97 instructions).
#[inline(always)]
pub fn exp_nonpositive(x: f32) -> f32 {
    // Written as a compare rather than `max` so a NaN passes through unchanged.
    let x = if x < MIN_ARG { MIN_ARG } else { x };
    let shifted = x * LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let er = polynomial::<false>(r);
    // The low bits of `shifted` hold `n` offset by `ROUND`'s own bit pattern.
    let ni = (shifted.to_bits() as i32).wrapping_sub(ROUND.to_bits() as i32);
    let half = ni >> 1;
    er * pow2i(ni - half) * pow2i(half)
}

/// The most negative argument of [`reduce_normal`]: `n = round(x·log2 e)` stays at or
/// above -126 down to -87.68, so `2^n` is one normal float.
pub const NORMAL_SCALE_MIN_ARG: f32 = -87.0;
// The margin: `n` would reach -127 (`2^n` not normal) only below `-126.5·ln 2 = -87.68`.
const _: () = assert!(NORMAL_SCALE_MIN_ARG * LOG2_E > -126.5);

/// `e^x` for `x` in `[NORMAL_SCALE_MIN_ARG, 0]` as the crate computes it in two halves,
/// [`reduce_normal`] and [`from_reduced`]: bit for bit [`exp_nonpositive`] unfused (see
/// [`reduce_normal`] for why; `exp_normal_scale_equals_exp_nonpositive` checks it), and
/// within `FUSED_ULPS` of the exact value fused.
#[cfg(test)]
fn exp_normal_scale<const FUSED: bool>(x: f32) -> f32 {
    let (r, scale) = reduce_normal::<FUSED>(x);
    from_reduced::<FUSED>(r, scale)
}

/// The worst error of the fused two-half exp over `[NORMAL_SCALE_MIN_ARG, 0]`, in ulps,
/// measured over every argument (`fused_exp_exhaustive`).
#[cfg(test)]
const FUSED_ULPS: f64 = 1.02;

/// The first half of the shorter form of [`exp_nonpositive`] for `x` in
/// `[NORMAL_SCALE_MIN_ARG, 0]`: `x = n·ln2 + r`, as `r` and `2^n`, without the clamp and
/// with `2^n` as one factor instead of two (three vector instructions fewer per exp). For
/// other arguments the result is unspecified (never a panic).
///
/// Unfused, the two halves give [`exp_nonpositive`] bit for bit: both compute the same
/// `e^r` and `n`, and `2^n` is a normal float for these arguments; the two-factor form's
/// first product `e^r·2^(n-n/2)` is exact (`e^r` lies in `[0.7, 1.42]`,
/// `n - n/2 >= -63`), so each form rounds the same exact product `e^r·2^n` once.
/// `FUSED` rounds each multiply-add once ([`mul_add`]) and evaluates a polynomial of one
/// degree less: fewer operations and other last bits, at most 1.02 ulp from the exact
/// value (`fused_exp_exhaustive`).
///
/// Why two halves: a loop of whole exps is bound by their dependency chain (about 45
/// cycles on a Zen 3), not by the number of operations, because the out-of-order window
/// holds only a few samples' chains at once. Run as two loops, each over its half, the
/// chains are half as long and as many more samples overlap (8 lanes, in L1: 0.61 against
/// 0.43 ns per exp on a Zen 3).
#[inline(always)]
pub fn reduce_normal<const FUSED: bool>(x: f32) -> (f32, f32) {
    // The same reduction as in `exp_nonpositive`, written out in both: shared through a
    // function, it changed how LLVM compiled the clamp there (a compare and a blend
    // instead of one `max`).
    let shifted = mul_add::<FUSED>(x, LOG2_E, ROUND);
    let n = shifted - ROUND;
    let r = mul_add::<FUSED>(-n, LN2_LO, mul_add::<FUSED>(-n, LN2_HI, x));
    let ni = (shifted.to_bits() as i32).wrapping_sub(ROUND.to_bits() as i32);
    // Wrapping: out of range the exponent field is garbage, but no overflow can panic.
    (r, f32::from_bits((ni.wrapping_add(127) as u32) << 23))
}

/// The second half of the shorter exp (see [`reduce_normal`]): `e^r · scale`. A negative
/// `scale` gives the exp with its sign bit set, the same bits otherwise (`e^r` is
/// positive).
#[inline(always)]
pub fn from_reduced<const FUSED: bool>(r: f32, scale: f32) -> f32 {
    polynomial::<FUSED>(r) * scale
}

/// `a·b + c`, rounded once when `FUSED` and twice otherwise. Fused only where the CPU
/// does it in one instruction: the AVX2 kernels of `dispatch` builds, which run only on
/// CPUs with FMA (see `dispatch.rs`), and the tests, which check the fused forms.
#[inline(always)]
fn mul_add<const FUSED: bool>(a: f32, b: f32, c: f32) -> f32 {
    #[cfg(any(test, feature = "dispatch"))]
    if FUSED {
        return a.mul_add(b, c);
    }
    a * b + c
}

/// `e^r` for `|r| <= ln2/2`: `1 + r + r²·P(r)`.
#[inline(always)]
fn polynomial<const FUSED: bool>(r: f32) -> f32 {
    let r2 = r * r;
    if FUSED {
        // Two independent pairs joined by one Horner step: a chain 5 operations deep, for
        // the fewest operations.
        let low = mul_add::<FUSED>(P_FUSED[1], r, P_FUSED[0]);
        let mid = mul_add::<FUSED>(P_FUSED[3], r, P_FUSED[2]);
        let p = mul_add::<FUSED>(r2, mul_add::<FUSED>(r2, P_FUSED[4], mid), low);
        return mul_add::<FUSED>(p, r2, r) + 1.0;
    }
    // Estrin's scheme rather than Horner's: the same polynomial in three independent
    // pairs, so the dependency chain is 4 operations deep instead of 10. In a loop the
    // exp is latency-bound (the out-of-order window holds only ~3 iterations), so this
    // is what lets consecutive samples overlap.
    let r4 = r2 * r2;
    let low = P[4] * r + P[5];
    let mid = P[2] * r + P[3];
    let high = P[0] * r + P[1];
    let p = (low + r2 * mid) + r4 * high;
    (p * r2 + r) + 1.0
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    /// Distance from `got` to the exact `want` in units of the f32 spacing at `want`
    /// (`2^-149` in the subnormal range).
    fn ulps(got: f32, want: f64) -> f64 {
        let w = want as f32;
        let spacing = if w.abs() < f32::MIN_POSITIVE {
            f64::from(f32::from_bits(1))
        } else {
            f64::from(f32::from_bits(w.abs().to_bits() + 1)) - f64::from(w.abs())
        };
        (f64::from(got) - want).abs() / spacing
    }

    #[test]
    fn within_the_documented_ulp_bound_over_the_whole_range() {
        let (lo, hi) = (MIN_ARG, MAX_ARG);
        let mut worst_normal = 0.0f64;
        let mut worst_subnormal = 0.0f64;
        let mut checked = 0u32;
        // Every 61st bit pattern in [-104, 0] and in [0, 89]: about 18 million arguments,
        // covering each binade and every result range from underflow to overflow.
        let neg = (0x8000_0000u32..=lo.to_bits()).step_by(61);
        let pos = (0u32..=hi.to_bits()).step_by(61);
        for bits in neg.chain(pos) {
            let x = f32::from_bits(bits);
            let want = f64::from(x).exp();
            let got = exp(x);
            if want > f64::from(f32::MAX) {
                assert_eq!(got, f32::INFINITY, "x={x}");
                continue;
            }
            let e = ulps(got, want);
            if want < f64::from(f32::MIN_POSITIVE) {
                worst_subnormal = worst_subnormal.max(e);
            } else {
                worst_normal = worst_normal.max(e);
            }
            checked += 1;
        }
        assert!(checked > 10_000_000);
        std::println!("worst: {worst_normal} ulp normal, {worst_subnormal} subnormal steps");
        assert!(
            worst_normal <= 1.014,
            "worst normal error {worst_normal} ulp"
        );
        assert!(
            worst_subnormal <= 0.752,
            "worst subnormal error {worst_subnormal} ulp"
        );
    }

    #[test]
    fn the_nonpositive_form_is_exp_bit_for_bit() {
        let neg = (0x8000_0000u32..=0xFF80_0000)
            .step_by(997)
            .map(f32::from_bits);
        for x in neg.chain([0.0, -0.0, f32::NEG_INFINITY, f32::MIN, 88.0, 89.0]) {
            assert_eq!(exp_nonpositive(x).to_bits(), exp(x).to_bits(), "x={x}");
        }
        assert!(exp_nonpositive(f32::NAN).is_nan());
    }

    /// Every 13th bit pattern of `[NORMAL_SCALE_MIN_ARG, 0]` (86 million arguments) and
    /// every pattern of its lowest unit, where `n` reaches -126 and the results are
    /// smallest; `exp_normal_scale_exhaustive` (ignored: run with `--release --ignored`)
    /// checks every pattern.
    #[test]
    fn exp_normal_scale_equals_exp_nonpositive() {
        let lowest = NORMAL_SCALE_MIN_ARG.to_bits();
        let sweep = (0x8000_0000u32..=lowest).step_by(13);
        let edge = (-86.0f32).to_bits()..=lowest;
        for bits in sweep.chain(edge).chain([0, lowest]) {
            let x = f32::from_bits(bits);
            let (want, got) = (exp_nonpositive(x), exp_normal_scale::<false>(x));
            assert_eq!(got.to_bits(), want.to_bits(), "x={x}");
        }
    }

    #[test]
    #[ignore = "1.1e9 arguments: minutes in a debug build"]
    fn exp_normal_scale_exhaustive() {
        for bits in 0x8000_0000u32..=NORMAL_SCALE_MIN_ARG.to_bits() {
            let x = f32::from_bits(bits);
            assert_eq!(
                exp_normal_scale::<false>(x).to_bits(),
                exp_nonpositive(x).to_bits(),
                "x={x}"
            );
        }
    }

    /// The fused exp's error over `[NORMAL_SCALE_MIN_ARG, 0]`, every `step`th argument.
    fn fused_worst_ulps(step: usize) -> f64 {
        let lowest = NORMAL_SCALE_MIN_ARG.to_bits();
        let sweep = (0x8000_0000u32..=lowest).step_by(step).chain([lowest]);
        sweep
            .map(f32::from_bits)
            .map(|x| ulps(exp_normal_scale::<true>(x), f64::from(x).exp()))
            .fold(0.0, f64::max)
    }

    #[test]
    fn fused_exp_within_its_bound() {
        let worst = fused_worst_ulps(61);
        assert!(worst <= FUSED_ULPS, "worst fused error {worst} ulp");
    }

    #[test]
    #[ignore = "1.1e9 arguments: a minute in a release build"]
    fn fused_exp_exhaustive() {
        let worst = fused_worst_ulps(1);
        std::println!("worst fused error: {worst} ulp");
        assert!(worst <= FUSED_ULPS, "worst fused error {worst} ulp");
    }

    #[test]
    fn arguments_of_the_binary_loss_are_accurate() {
        // exp(-|L(p-0.5)|) for saturated samples at L = 73, where A' ~ 1e-16·L.
        for p in [1e-9f64, 0.999_999, 0.0, 1.0, 0.5, 0.728] {
            let x = -(73.0 * (p - 0.5)).abs();
            let got = exp(x as f32);
            let want = f64::from(x as f32).exp();
            assert!(ulps(got, want) <= 1.014, "p={p}: {got} vs {want}");
        }
    }

    #[test]
    fn underflow_overflow_and_special_values() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp(-104.0), 0.0);
        assert_eq!(exp(-1e30), 0.0);
        assert_eq!(exp(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp(89.0), f32::INFINITY);
        assert!(exp(f32::NAN).is_nan());
        // Gradual underflow: the smallest subnormal is reached, not flushed.
        let tiny = exp(-103.0);
        assert!(tiny > 0.0 && tiny < f32::MIN_POSITIVE, "{tiny}");
        assert!(ulps(exp(88.7), f64::from(88.7f32).exp()) <= 1.014);
        // Monotone across the normal/subnormal boundary.
        let mut prev = 0.0f32;
        let mut x = -103.9f32;
        while x < -80.0 {
            let y = exp(x);
            assert!(y >= prev, "not monotone at {x}");
            prev = y;
            x += 0.01;
        }
    }
}
