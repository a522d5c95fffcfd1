//! The logistic function and its slope as a table over `u = |x|` in `[0, 16)`, step 1/16,
//! read with linear interpolation: everything the fixed-point path needs from `exp`.
//!
//! Both the amplifier `A(p) = σ(L(p − t))` and the sigmoid of a logit are `σ` of some
//! argument, and by symmetry only `u = |x|` matters:
//! - `small(u) = σ(−u) = e^{−u}/(1 + e^{−u})` in Q31 (`σ(x)` is `1 − small` for `x ≥ 0`,
//!   `small` otherwise), and
//! - `slope(u) = σ(u)σ(−u) = e^{−u}/(1 + e^{−u})²` in Q33 (at most `2^31`, at `u = 0`).
//!
//! Linear interpolation at step `h = 1/16` is within `h²/8·|f''|`: under `5e-5` absolute
//! for `small` and under `5e-4` relative for `slope` (whose curvature is that of `e^{−u}`
//! in the tail). Beyond `u = 16`, `small` stays at its last entry (`1.1e-7`, below every
//! tolerance of the entries), while the slope, which a saturated batch's gradient is made
//! of, follows `e^{−u}` (equal to `σ(u)σ(−u)` within `2e-7` relative there) as an f32 built
//! from `2^{−u·log2 e}` with a second, 32-entry table of `2^{−f}` ([`exp_neg_bits`]).
//!
//! The tables are computed by `const fn` from series, so they are data in flash with no
//! code behind them and no generated file to keep in step.

/// Fractional bits of the table argument: `u` is read in Q16.
pub const U_FRAC_BITS: u32 = 16;
/// Bits of `u` that select an entry below the integer part: 16 entries per unit.
const STEP_BITS: u32 = 4;
/// Bits of `u` (Q16) below the entry index: the interpolation fraction.
const FRAC_BITS: u32 = U_FRAC_BITS - STEP_BITS;
/// Number of entries: `u` in `[0, 16)` at 16 per unit.
pub const ENTRIES: usize = 256;
/// The largest argument the table is read at, in Q16 (just under 16); larger ones clamp.
pub const U_MAX: u32 = ((ENTRIES as u32) << FRAC_BITS) - 1;

/// One entry: the values at `k/16` and the steps to the next entry, so that one
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

/// `σ(−u)` (Q31) and `σ(u)σ(−u)` (Q33) at one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Logistic {
    /// `σ(−u)` in Q31: `2^30` at `u = 0`, decreasing.
    pub small: u32,
    /// `σ(u)σ(−u)` in Q33: `2^31` at `u = 0`, decreasing.
    pub slope: u32,
}

/// `e^{−1/16}` from its Taylor series (20 terms: exact to f64 rounding).
const fn exp_minus_step() -> f64 {
    exp_series(-1.0 / 16.0)
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

/// The values at `u = k/16` for `k` in `0..=ENTRIES`, as exact-rounded fixed point.
const fn values() -> [[i64; 2]; ENTRIES + 1] {
    let q = exp_minus_step();
    let mut out = [[0i64; 2]; ENTRIES + 1];
    let mut e = 1.0f64; // e^{-k/16}, by repeated multiplication (relative error < 1e-13)
    let mut k = 0;
    while k <= ENTRIES {
        let small = e / (1.0 + e);
        let slope = small / (1.0 + e);
        out[k] = [fixed(small, 31), fixed(slope, 33)];
        e *= q;
        k += 1;
    }
    out
}

const fn table() -> [Entry; ENTRIES] {
    let v = values();
    let mut out = [Entry::ZERO; ENTRIES];
    let mut k = 0;
    while k < ENTRIES {
        out[k] = Entry {
            small: v[k][0] as i32,
            small_step: (v[k + 1][0] - v[k][0]) as i32,
            // 2^31 at k = 0 does not fit an i32; one unit of Q33 less is 1.2e-10 off.
            slope: if v[k][1] > i32::MAX as i64 {
                i32::MAX
            } else {
                v[k][1] as i32
            },
            slope_step: (v[k + 1][1] - v[k][1]) as i32,
        };
        k += 1;
    }
    out
}

static TABLE: [Entry; ENTRIES] = table();

/// `σ(−u)` and `σ(u)σ(−u)` at `u` given in Q16 and already clamped to [`U_MAX`].
#[inline(always)]
pub fn logistic(u_q16: u32) -> Logistic {
    // The mask keeps the index in range without a bounds check; callers clamp, so it
    // never changes a value.
    let index = (u_q16 >> FRAC_BITS) as usize & (ENTRIES - 1);
    let frac = i64::from(u_q16 & ((1 << FRAC_BITS) - 1));
    let entry = TABLE.get(index).copied().unwrap_or(Entry::ZERO);
    let small = entry.small + ((i64::from(entry.small_step) * frac) >> FRAC_BITS) as i32;
    let slope = entry.slope + ((i64::from(entry.slope_step) * frac) >> FRAC_BITS) as i32;
    Logistic {
        small: small as u32,
        slope: slope as u32,
    }
}

/// Entries of the `2^{−f}` table, `f` in `[0, 1)`.
const POW2_ENTRIES: usize = 32;
/// `log2(e)` in Q32.
const LOG2_E_Q32: u64 = 6_196_328_019;

/// `2^{−k/32}·2^24` for `k` in `0..=32`, and the steps between them.
const fn pow2_table() -> [[i32; 2]; POW2_ENTRIES] {
    let mut v = [0i64; POW2_ENTRIES + 1];
    let ln2 = 0.693_147_180_559_945_3;
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

/// The bits of `e^{−u}` as f32, for `u` in Q16 up to `2^28`: `2^{−w}` with `w = u·log2 e`,
/// the integer part of `w` in the exponent and `2^{−frac}` interpolated (within `6e-5`
/// relative). Results below `2^-125` are 0.
#[inline(always)]
pub fn exp_neg_bits(u_q16: u32) -> u32 {
    let w = (u64::from(u_q16) * LOG2_E_Q32) >> 32; // Q16, below 2^29
    let whole = (w >> 16) as u32;
    if whole > 125 {
        return 0;
    }
    let frac = (w & 0xFFFF) as u32;
    let [base, step] = POW2
        .get((frac >> 11) as usize)
        .copied()
        .unwrap_or([1 << 24, 0]);
    // `2^{-frac}·2^24`, in (2^23, 2^24]; at 2^24 the addition below carries into the
    // exponent, which is the right value.
    let significand = (base + ((step * (frac & 0x7FF) as i32) >> 11)) as u32;
    // value = significand · 2^(-24 - whole): exponent field 126 − whole, one below for the
    // significand's leading bit.
    ((125 - whole) << 23) + significand
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
            let got = logistic(u_q16);
            let (small, slope) = reference(f64::from(u_q16) / 65536.0);
            small_err = small_err.max((f64::from(got.small) / 2f64.powi(31) - small).abs());
            slope_rel = slope_rel.max((f64::from(got.slope) / 2f64.powi(33) - slope).abs() / slope);
        }
        assert!(small_err < 1.3e-4, "small: {small_err:e}");
        // Q33 rounding adds 1/965 relative at u = 16; the interpolation alone is < 5e-4.
        assert!(slope_rel < 2e-3, "slope: {slope_rel:e}");
    }

    #[test]
    fn exp_tail() {
        let mut worst = 0.0f64;
        for u_q16 in (16u32 << 16..86 << 16).step_by(997) {
            let u = f64::from(u_q16) / 65536.0;
            let got = f64::from(f32::from_bits(exp_neg_bits(u_q16)));
            worst = worst.max((got / (-u).exp() - 1.0).abs());
        }
        assert!(worst < 8e-5, "{worst:e}");
        assert_eq!(f32::from_bits(exp_neg_bits(0)), 1.0);
        assert_eq!(exp_neg_bits(1 << 28), 0);
    }

    #[test]
    fn table_ends() {
        assert_eq!(logistic(0).small, 1 << 30);
        assert_eq!(logistic(0).slope, i32::MAX as u32);
        let end = logistic(U_MAX);
        assert!(end.small > 0 && end.slope > 0);
        // Both decrease strictly over the table.
        let mut last = logistic(0);
        for u in (1..=U_MAX).step_by(4096) {
            let now = logistic(u);
            assert!(now.small < last.small && now.slope < last.slope, "u={u}");
            last = now;
        }
    }
}
