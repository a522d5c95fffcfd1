//! Pass 1 of the fixed-point path, one sample at a time: the amplified output `A` in Q31
//! and `dA/d(input)` (without the factor `L`) in Q33, from the input's f32 bits.

use super::convert::{magnitude_q16, probability_q23, q33_bits, Scale, P_FRAC_BITS};
use super::table::{exp_neg_bits, logistic, U_FRAC_BITS, U_MAX};
use crate::error::{Error, Parameter};
use crate::Amplifier;

/// `1.0` in Q31.
const ONE_Q31: u32 = 1 << 31;
/// The largest `L` the path takes: `L·|p − t|` must fit the table's Q16 argument in a u32.
pub const MAX_L: f32 = 4096.0;

/// The amplifier in the path's fixed-point formats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedAmplifier {
    /// `L` in Q16, rounded.
    l_q16: u32,
    /// The threshold `t` in Q23.
    threshold_q23: u32,
    /// `L` as the path uses it (`l_q16 / 2^16`), the factor of every slope.
    l: f32,
}

impl FixedAmplifier {
    /// `amp` rounded to the path's formats: `L` to a multiple of `2^-16` (it must lie in
    /// `[2^-16, 4096]`), `t` to a multiple of `2^-23`.
    pub fn new(amp: &Amplifier) -> Result<Self, Error> {
        let l = amp.l();
        if l > MAX_L {
            return Err(Error::InvalidParameter(Parameter::L));
        }
        let l_q16 = (l * 65536.0 + 0.5) as u32;
        if l_q16 == 0 {
            return Err(Error::InvalidParameter(Parameter::L));
        }
        Ok(Self {
            l_q16,
            threshold_q23: probability_q23(amp.threshold()).0,
            l: l_q16 as f32 * (1.0 / 65536.0),
        })
    }

    /// `L` as the path applies it.
    pub fn l(&self) -> f32 {
        self.l
    }

    /// `A(p)` and `A'(p)/L` for `p` in Q23.
    #[inline(always)]
    fn amplify_q23(&self, p_q23: u32) -> Sample {
        let d = p_q23 as i32 - self.threshold_q23 as i32;
        // Below 2^28: |d| <= 2^23 and L <= 2^12.
        let u = ((u64::from(d.unsigned_abs()) * u64::from(self.l_q16)) >> P_FRAC_BITS) as u32;
        let above = d >= 0;
        if u <= U_MAX {
            let t = logistic(u);
            Sample {
                small_q31: t.small,
                tail_q64: 0,
                above,
                slope: q33_bits(t.slope),
                valid: true,
            }
        } else {
            // σ(−u) and σ(u)σ(−u) are both e^{−u} within 2.3e-7 relative here.
            let e = exp_neg_bits(u);
            Sample {
                small_q31: 0,
                tail_q64: q64(e),
                above,
                slope: e,
                valid: true,
            }
        }
    }
}

/// One sample after pass 1. `A` is `1 − small` above the threshold and `small` below it,
/// with `small = σ(−L|p − t|)` held as `small_q31·2^-31 + tail_q64·2^-64`: the table's
/// values in Q31, the tail's (below `1.1e-7`) in Q64, so that entries made only of
/// saturated samples keep their relative precision (the partials of F1, recall, ... are
/// proportional to them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// `σ(−u)` in Q31 inside the table, else 0.
    pub small_q31: u32,
    /// `σ(−u)` in Q64 beyond the table, else 0.
    pub tail_q64: u64,
    /// `p >= t`: `A = 1 − small`.
    pub above: bool,
    /// The f32 bits of `dA/d(input)/L`.
    pub slope: u32,
    /// Whether the input was valid.
    pub valid: bool,
}

/// A positive f32 below `2^-23` (given by its bits) in Q64, truncated.
#[inline(always)]
fn q64(bits: u32) -> u64 {
    let exponent = bits >> 23;
    let significand = u64::from((bits & 0x007F_FFFF) | 0x0080_0000);
    // value = significand · 2^(exponent − 150); in Q64, a shift by exponent − 86.
    if bits == 0 {
        0
    } else if exponent >= 86 {
        significand << (exponent - 86)
    } else {
        significand >> (86 - exponent).min(63)
    }
}

/// One sample through pass 1.
pub trait Kernel {
    /// `A` and its derivative without the factor `L` (see [`Sample`]).
    fn sample(amp: &FixedAmplifier, x: f32) -> Sample;
    /// The error of an input [`Kernel::sample`] found invalid.
    fn invalid(x: f32, index: usize) -> Error;
}

/// Probabilities in `[0, 1]`.
pub struct ProbKernel;

impl Kernel for ProbKernel {
    #[inline(always)]
    fn sample(amp: &FixedAmplifier, p: f32) -> Sample {
        let (p_q23, valid) = probability_q23(p);
        Sample {
            valid,
            ..amp.amplify_q23(p_q23)
        }
    }

    fn invalid(p: f32, index: usize) -> Error {
        if p.is_finite() {
            Error::ProbabilityOutOfRange { index }
        } else {
            Error::NonFinite { index }
        }
    }
}

/// Logits, with `p = σ(z)` from the same table (`|z|` clamped to 16 there:
/// `σ(−16) = 1.1e-7`) and `p(1 − p)` from the table or its `e^{−|z|}` tail.
pub struct LogitKernel;

impl Kernel for LogitKernel {
    #[inline(always)]
    fn sample(amp: &FixedAmplifier, z: f32) -> Sample {
        let (u, valid) = magnitude_q16(z, MAX_MAGNITUDE_Q16);
        let s = logistic(u.min(U_MAX));
        let p_q31 = if z.is_sign_negative() {
            s.small
        } else {
            ONE_Q31 - s.small
        };
        let amplified = amp.amplify_q23(p_q31 >> (31 - P_FRAC_BITS));
        // dA/dz = A'(p)·p(1−p).
        let p_slope = if u <= U_MAX {
            q33_bits(s.slope)
        } else {
            exp_neg_bits(u)
        };
        Sample {
            slope: Scale::from_bits(p_slope).times_bits(amplified.slope),
            valid,
            ..amplified
        }
    }

    fn invalid(_: f32, index: usize) -> Error {
        Error::NonFinite { index }
    }
}

/// `|z|` beyond which `p(1 − p) = e^{−|z|}` is 0 in f32 anyway (`2^12`), in Q16.
const MAX_MAGNITUDE_Q16: u32 = 1 << 28;

// The table's argument is Q16: the conversions above produce it so.
const _: () = assert!(U_FRAC_BITS == 16);
