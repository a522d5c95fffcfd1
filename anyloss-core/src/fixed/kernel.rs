//! Pass 1 of the fixed-point path, one sample at a time: the amplified output `A` and
//! `dA/d(input)` (without the factor `L`), from the input's f32 bits.

use super::convert::{magnitude_q16, probability_q31, Scale};
use super::table::{exp_neg, logistic, SMALL_FRAC_BITS, U_FRAC_BITS, U_MAX};
use crate::error::{Error, Parameter};
use crate::Amplifier;

/// `1.0` in the Q23 of `A`.
const ONE_Q23: u32 = 1 << SMALL_FRAC_BITS;
/// The largest `L` the path takes: `L·|p − t|` must fit the table's Q16 argument in a u32.
pub const MAX_L: f32 = 4096.0;
/// `|z|` beyond which `p(1 − p) = e^{−|z|}` is far below f32's range anyway (`2^12`), in Q16.
const MAX_MAGNITUDE_Q16: u32 = 1 << 28;

/// The amplifier in the path's fixed-point formats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedAmplifier {
    /// `L` in Q17, rounded.
    l_q17: u32,
    /// The threshold `t` in Q31.
    threshold_q31: u32,
    /// `L` as the path uses it (`l_q17 / 2^17`), the factor of every slope.
    l: f32,
}

impl FixedAmplifier {
    /// `amp` rounded to the path's formats: `L` to a multiple of `2^-17` (it must lie in
    /// `[2^-17, 4096]`), `t` to a multiple of `2^-31`.
    pub fn new(amp: &Amplifier) -> Result<Self, Error> {
        let l = amp.l();
        if l > MAX_L {
            return Err(Error::InvalidParameter(Parameter::L));
        }
        let l_q17 = (l * 131_072.0 + 0.5) as u32;
        if l_q17 == 0 {
            return Err(Error::InvalidParameter(Parameter::L));
        }
        Ok(Self {
            l_q17,
            threshold_q31: probability_q31(amp.threshold()).0,
            l: l_q17 as f32 * (1.0 / 131_072.0),
        })
    }

    /// `L` as the path applies it.
    pub fn l(&self) -> f32 {
        self.l
    }

    /// `A(p)` and `A'(p)/L` for `p` in Q31.
    #[inline(always)]
    fn amplify_q31(&self, p_q31: u32) -> Sample {
        let d = p_q31.wrapping_sub(self.threshold_q31) as i32;
        let above = d >= 0;
        // |d| < 2^31 and L < 2^29 in Q17: the high word is L·|d| in Q16, below 2^28.
        let u = ((u64::from(d.unsigned_abs()) * u64::from(self.l_q17)) >> 32) as u32;
        if u <= U_MAX {
            let (small, slope) = logistic(u);
            Sample {
                a_q23: if above { ONE_Q23 - small } else { small },
                tail_q64: 0,
                slope,
                valid: true,
            }
        } else {
            // σ(−u) and σ(u)σ(−u) are both e^{−u} here (within 7e-4 relative): `A` is 0 or 1
            // in Q23, and the tail keeps what is missing, in Q64 (below 2^53).
            let e = exp_neg(u);
            let tail = e.q64() as i64;
            Sample {
                a_q23: if above { ONE_Q23 } else { 0 },
                tail_q64: if above { -tail } else { tail },
                slope: e.bits(),
                valid: true,
            }
        }
    }
}

/// One sample after pass 1: `A = a_q23·2^-23 + tail_q64·2^-64`, where the Q64 part is the
/// saturated tail (below `e^-8`), kept apart so that entries made only of saturated
/// samples keep their relative precision (the partials of F1, recall, ... are proportional
/// to such entries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// `A` in Q23, or its nearest end (0 or 1) beyond the table.
    pub a_q23: u32,
    /// `A` minus that end in Q64, beyond the table; else 0.
    pub tail_q64: i64,
    /// The f32 bits of `dA/d(input)/L`.
    pub slope: u32,
    /// Whether the input was valid.
    pub valid: bool,
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
        let (p_q31, valid) = probability_q31(p);
        Sample {
            valid,
            ..amp.amplify_q31(p_q31)
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

/// Logits, with `p = σ(z)` and `p(1 − p)` from the same table, or `e^{−|z|}` beyond it.
pub struct LogitKernel;

impl Kernel for LogitKernel {
    #[inline(always)]
    fn sample(amp: &FixedAmplifier, z: f32) -> Sample {
        let (u, valid) = magnitude_q16(z, MAX_MAGNITUDE_Q16);
        let (small_q31, p_slope) = if u <= U_MAX {
            let (small, slope) = logistic(u);
            (small << (31 - SMALL_FRAC_BITS), slope)
        } else {
            let e = exp_neg(u);
            // e^{-|z|}·2^31 = significand · 2^(7 − shift), shift >= 11.
            (e.significand >> (e.shift - 7).min(31), e.bits())
        };
        let p_q31 = if z.is_sign_negative() {
            small_q31
        } else {
            (1u32 << 31) - small_q31
        };
        let amplified = amp.amplify_q31(p_q31);
        // dA/dz = A'(p)·p(1−p).
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

// The table's argument is Q16: the conversions above produce it so.
const _: () = assert!(U_FRAC_BITS == 16);
