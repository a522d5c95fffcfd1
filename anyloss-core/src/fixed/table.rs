//! The logistic function and its slope: a table over `u = |x|` in `[0, 8)` read with linear
//! interpolation, and `e^{−u}` beyond it; everything the fixed-point path needs from `exp`.
//!
//! Both the amplifier `A(p) = σ(L(p − t))` and the sigmoid of a logit are `σ` of some
//! argument, and by symmetry only `u = |x|` matters: `small(u) = σ(−u)` (so `σ(x)` is
//! `1 − small` for `x ≥ 0` and `small` otherwise) and `slope(u) = σ(u)σ(−u)`.
//!
//! - For `u < 8` ([`logistic`]): 256 entries at step `h = 1/32`, `small` in Q23 and `slope`
//!   in Q28, so that an interpolation is a 32-bit multiply (a Cortex-M0 has no longer one).
//!   Linear interpolation is within `h²/8·|f''|`: `1.2e-5` absolute for `small` and
//!   `1.2e-4` relative for `slope`.
//! - For `u ≥ 8` ([`exp_neg`]): `small` and `slope` are both `e^{−u}` within `7e-4`
//!   relative (`σ(−u) = e^{−u}/(1 + e^{−u})`, `σσ = e^{−u}/(1 + e^{−u})²`), computed as
//!   `2^{−u·log2 e}`: the integer part of the exponent is a shift, `2^{−f}` a 32-entry table
//!   (within `6e-5` relative). Saturated samples keep an accurate, nonzero slope and `small`
//!   down to `2^-125`, as in the f32 path; a batch whose entries are made only of them (a
//!   tiny `TP` or `FN`) keeps its partials.
//!
//! The tables are computed by `const fn` from series, so they are data in flash with no
//! code behind them and no generated file to keep in step.

/// Fractional bits of the argument `u`: Q16.
pub const U_FRAC_BITS: u32 = 16;
/// Bits of `u` below the entry index: the interpolation fraction (32 entries per unit).
const FRAC_BITS: u32 = U_FRAC_BITS - 5;
/// Number of entries: `u` in `[0, 8)` at 32 per unit.
const ENTRIES: usize = 256;
/// The largest argument the table covers, in Q16 (just under 8); [`exp_neg`] takes over
/// above it.
pub const U_MAX: u32 = ((ENTRIES as u32) << FRAC_BITS) - 1;
/// Fractional bits of `small`.
pub const SMALL_FRAC_BITS: u32 = 23;
/// Fractional bits of `slope`.
const SLOPE_FRAC_BITS: i32 = 28;

/// One entry: the values at `k/32` and the steps to the next entry, so that one
/// interpolation reads one entry.
#[derive(Clone, Copy)]
struct Entry {
    small: i32,
    small_step: i32,
    slope: i32,
    slope_step: i32,
}

impl Entry {
    const ZERO: Self = Self {
        small: 0,
        small_step: 0,
        slope: 0,
        slope_step: 0,
    };
}

/// `e^x` for `|x| <= 1` from its Taylor series (20 terms: exact to f64 rounding).
const fn exp_series(x: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut k = 1;
    while k < 20 {
        term = term * x / k as f64;
        sum += term;
        k += 1;
    }
    sum
}

/// Rounds a non-negative `x` times `2^bits` to the nearest integer.
const fn fixed(x: f64, bits: i32) -> i64 {
    let scaled = x * (1u64 << bits) as f64;
    (scaled + 0.5) as i64
}

// Run by the compiler only (for a `static`): an index out of range is a build error,
// never a run-time panic.
#[allow(clippy::indexing_slicing)]
const fn table() -> [Entry; ENTRIES] {
    let q = exp_series(-1.0 / 32.0);
    let mut v = [[0i64; 2]; ENTRIES + 1];
    let mut e = 1.0f64; // e^{-k/32}, by repeated multiplication (relative error < 1e-13)
    let mut k = 0;
    while k <= ENTRIES {
        let small = e / (1.0 + e);
        v[k] = [
            fixed(small, SMALL_FRAC_BITS as i32),
            fixed(small / (1.0 + e), SLOPE_FRAC_BITS),
        ];
        e *= q;
        k += 1;
    }
    let mut out = [Entry::ZERO; ENTRIES];
    let mut k = 0;
    while k < ENTRIES {
        out[k] = Entry {
            small: v[k][0] as i32,
            small_step: (v[k + 1][0] - v[k][0]) as i32,
            slope: v[k][1] as i32,
            slope_step: (v[k + 1][1] - v[k][1]) as i32,
        };
        k += 1;
    }
    out
}

static TABLE: [Entry; ENTRIES] = table();

/// `σ(−u)` in Q23 and the f32 bits of `σ(u)σ(−u)`, for `u` in Q16 up to [`U_MAX`].
#[inline(always)]
pub fn logistic(u_q16: u32) -> (u32, u32) {
    // The mask keeps the index in range without a bounds check; callers stay below U_MAX,
    // so it never changes a value.
    let index = (u_q16 >> FRAC_BITS) as usize & (ENTRIES - 1);
    let frac = (u_q16 & ((1 << FRAC_BITS) - 1)) as i32;
    let entry = TABLE.get(index).copied().unwrap_or(Entry::ZERO);
    // Steps are below 2^16 (small) and 2^20 (slope) in magnitude: the products fit an i32.
    let small = entry.small + ((entry.small_step * frac) >> FRAC_BITS);
    let slope = (entry.slope + ((entry.slope_step * frac) >> FRAC_BITS)) as u32;
    // `slope` is in [2^18, 2^26]: its leading bit gives the exponent, its top 24 bits the
    // significand. `slope·2^-28 = significand · 2^(-20 - lead)`: exponent field 130 − lead,
    // one below for the significand's leading bit.
    let lead = slope.leading_zeros();
    let bits = ((129 - lead) << 23) + ((slope << lead) >> 8);
    (small as u32, bits)
}

/// Entries of the `2^{−f}` table, `f` in `[0, 1)`.
const POW2_ENTRIES: usize = 32;
/// `log2(e)` in Q32.
const LOG2_E_Q32: u64 = 6_196_328_019;

/// `2^{−k/32}·2^24` for `k` in `0..32`, and the steps to the next one.
// Run by the compiler only (for a `static`): an index out of range is a build error,
// never a run-time panic.
#[allow(clippy::indexing_slicing)]
const fn pow2_table() -> [[i32; 2]; POW2_ENTRIES] {
    let mut v = [0i64; POW2_ENTRIES + 1];
    let ln2 = core::f64::consts::LN_2;
    let mut k = 0;
    while k <= POW2_ENTRIES {
        v[k] = fixed(exp_series(-(k as f64) / POW2_ENTRIES as f64 * ln2), 24);
        k += 1;
    }
    let mut out = [[0i32; 2]; POW2_ENTRIES];
    let mut k = 0;
    while k < POW2_ENTRIES {
        out[k] = [v[k] as i32, (v[k + 1] - v[k]) as i32];
        k += 1;
    }
    out
}

static POW2: [[i32; 2]; POW2_ENTRIES] = pow2_table();

/// `e^{−u}` for `u` in Q16 (up to `2^28`), as `significand · 2^(−24 − shift)` with the
/// significand in `(2^23, 2^24]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpNeg {
    /// The significand, in `(2^23, 2^24]`.
    pub significand: u32,
    /// The power of two below `2^-24`.
    pub shift: u32,
}

impl ExpNeg {
    /// The f32 bits; values below `2^-125` give the smallest normal f32 (`2^-126`).
    #[inline(always)]
    pub fn bits(self) -> u32 {
        // value = significand · 2^(-24 - shift): exponent field 126 − shift, one below for
        // the significand's leading bit. At a significand of 2^24 the addition carries into
        // the exponent, which is the right value.
        if self.shift > 125 {
            1 << 23
        } else {
            ((125 - self.shift) << 23) + self.significand
        }
    }

    /// The value in Q64 (for values below `2^-11`, so that it fits), truncated: exact to
    /// 24 bits down to `2^-40`, then to fewer.
    #[inline(always)]
    pub fn q64(self) -> u64 {
        // value·2^64 = significand · 2^(40 − shift).
        if self.shift <= 40 {
            u64::from(self.significand) << (40 - self.shift)
        } else {
            u64::from(self.significand >> (self.shift - 40).min(31))
        }
    }
}

/// `e^{−u}` for `u` in Q16 up to `2^28`: `2^{−w}` with `w = u·log2 e`, the integer part of
/// `w` a shift, `2^{−frac}` interpolated in [`POW2`] (within `6e-5` relative).
#[inline(always)]
pub fn exp_neg(u_q16: u32) -> ExpNeg {
    let w = ((u64::from(u_q16) * LOG2_E_Q32) >> 32) as u32; // Q16, below 2^29
    let frac = (w & 0xFFFF) as i32;
    let [base, step] = POW2
        .get((frac >> 11) as usize)
        .copied()
        .unwrap_or([1 << 24, 0]);
    // |step| < 2^19 and the fraction is 11 bits: the product fits an i32.
    ExpNeg {
        significand: (base + ((step * (frac & 0x7FF)) >> 11)) as u32,
        shift: w >> 16,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    extern crate std;

    fn reference(u: f64) -> (f64, f64) {
        let e = (-u).exp();
        (e / (1.0 + e), e / ((1.0 + e) * (1.0 + e)))
    }

    #[test]
    fn interpolation_is_within_the_documented_bounds() {
        let (mut small_err, mut slope_rel) = (0.0f64, 0.0f64);
        for u_q16 in (0..=U_MAX).step_by(7) {
            let (small, slope) = logistic(u_q16);
            let (want_small, want_slope) = reference(f64::from(u_q16) / 65536.0);
            small_err = small_err.max((f64::from(small) / 2f64.powi(23) - want_small).abs());
            let slope = f64::from(f32::from_bits(slope));
            slope_rel = slope_rel.max((slope - want_slope).abs() / want_slope);
        }
        // Q23 rounding adds up to 1.2e-7.
        assert!(small_err < 1.4e-5, "small: {small_err:e}");
        assert!(slope_rel < 1.4e-4, "slope: {slope_rel:e}");
    }

    #[test]
    fn exp_beyond_the_table() {
        let (mut worst, mut worst_fixed) = (0.0f64, 0.0f64);
        for u_q16 in (U_MAX..86 << 16).step_by(997) {
            let u = f64::from(u_q16) / 65536.0;
            let e = exp_neg(u_q16);
            let want = (-u).exp();
            worst = worst.max((f64::from(f32::from_bits(e.bits())) / want - 1.0).abs());
            if u < 36.0 {
                let q64 = e.q64() as f64 / 2f64.powi(64);
                worst_fixed = worst_fixed.max((q64 / want - 1.0).abs());
            }
        }
        assert!(worst < 8e-5, "{worst:e}");
        assert!(worst_fixed < 3e-4, "{worst_fixed:e}");
        // σ(−8) and σσ(8) against e^{−8}: the switch point's approximation.
        let (small, slope) = reference(8.0);
        assert!(((-8.0f64).exp() / small - 1.0) < 3.4e-4);
        assert!(((-8.0f64).exp() / slope - 1.0) < 6.8e-4);
        assert_eq!(exp_neg(1 << 28).bits(), 1 << 23);
        assert_eq!(exp_neg(1 << 28).q64(), 0);
    }

    #[test]
    fn table_ends_and_monotony() {
        let (small, slope) = logistic(0);
        assert_eq!(small, 1 << 22);
        assert_eq!(f32::from_bits(slope), 0.25);
        let mut last = logistic(0);
        for u in (1..=U_MAX).step_by(2048) {
            let now = logistic(u);
            assert!(now.0 < last.0 && now.1 < last.1, "u={u}");
            last = now;
        }
    }
}
