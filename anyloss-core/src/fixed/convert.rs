//! The conversions between f32 and the fixed-point formats, in integer arithmetic on the
//! bits: on a core without an FPU a float conversion or multiply is a library call of tens
//! of instructions, and these are a handful each.

/// Bits of `1.0f32`.
const ONE_BITS: u32 = 0x3F80_0000;
/// Bits of `-0.0f32`, a valid probability.
const NEG_ZERO_BITS: u32 = 0x8000_0000;
/// The exponent field's mask, after the shift.
const EXPONENT_MASK: u32 = 0xFF;
/// The implicit leading bit of a normal f32's significand.
const IMPLICIT_BIT: u32 = 0x0080_0000;
/// The stored significand bits.
const SIGNIFICAND_MASK: u32 = 0x007F_FFFF;

/// A probability as Q31 (`0..=2^31`), and whether it was valid (in `[0, 1]`, `-0.0`
/// included; NaN and infinities are not).
///
/// Values below `2^-31` read as `2^-31` (the amplifier reads `L·|p − t|` to `2^-16`,
/// so it cannot tell them apart).
#[inline(always)]
pub fn probability_q31(p: f32) -> (u32, bool) {
    let mut bits = p.to_bits();
    if bits == NEG_ZERO_BITS {
        bits = 0;
    }
    let valid = bits <= ONE_BITS;
    let exponent = bits >> 23;
    let significand = ((bits & SIGNIFICAND_MASK) | IMPLICIT_BIT) << 8;
    // p = significand · 2^(exponent − 158); in Q31 that is a right shift by 127 − exponent
    // (0 at p = 1). Out-of-range inputs wrap to garbage here, and are reported as invalid.
    let shift = 127u32.wrapping_sub(exponent).min(31);
    (significand >> shift, valid)
}

/// `|z|` of a logit in Q16, clamped to `max_q16`, and whether `z` was finite.
#[inline(always)]
pub fn magnitude_q16(z: f32, max_q16: u32) -> (u32, bool) {
    let bits = z.to_bits();
    let exponent = (bits >> 23) & EXPONENT_MASK;
    let valid = exponent != EXPONENT_MASK;
    let significand = (bits & SIGNIFICAND_MASK) | IMPLICIT_BIT;
    // |z|·2^16 = significand · 2^(exponent − 134): a right shift below 2^7, a clamp above.
    let magnitude = if exponent >= 134 {
        max_q16
    } else {
        (significand >> (134 - exponent).min(31)).min(max_q16)
    };
    (magnitude, valid)
}

/// A factor ready to multiply positive f32 values in integer arithmetic: the factor of
/// pass 2 (a gradient coefficient times `L`), or a logit's slope `p(1 − p)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    /// The top 16 bits of the significand (leading bit at bit 15), or 0 for a zero factor.
    significand: u32,
    /// The exponent field minus 128, at its place (bit 23): a product's bits are this plus
    /// the other operand's exponent field and significand. `i32::MIN` for a zero factor, so
    /// that every product underflows to 0.
    base: i32,
    /// The sign bit.
    sign: u32,
}

impl Scale {
    /// The factor `k`, which must be finite; zero and subnormal factors (below `2^-126`)
    /// give zero products.
    pub fn new(k: f32) -> Self {
        Self::from_bits(k.to_bits())
    }

    /// The factor whose f32 bits are `bits` (finite).
    #[inline(always)]
    pub fn from_bits(bits: u32) -> Self {
        let exponent = (bits >> 23) & EXPONENT_MASK;
        if exponent == 0 {
            return Self {
                significand: 0,
                base: i32::MIN,
                sign: 0,
            };
        }
        Self {
            significand: ((bits & SIGNIFICAND_MASK) | IMPLICIT_BIT) >> 8,
            base: (exponent as i32 - 128) << 23,
            sign: bits & NEG_ZERO_BITS,
        }
    }

    /// The bits of `k·x` for the bits of a positive normal `x`, from the top 16 bits of both
    /// significands (within `6.1e-5` relative: one 32-bit multiply, which a Cortex-M0 has,
    /// where a 64-bit product is a library call); products below `2^-126` are 0.
    #[inline(always)]
    pub fn times_bits(&self, x: u32) -> u32 {
        let significand = ((x & SIGNIFICAND_MASK) | IMPLICIT_BIT) >> 8;
        // In [2^30, 2^32) unless k is 0: its top 25 or 26 bits, as the 24-bit product of
        // the full significands would be placed (2^31 times smaller).
        let hi = (self.significand * significand) >> 7;
        let carry = hi >> 24;
        // No overflow: `base` is at least i32::MIN and the exponent fields add at most 2^31.
        let field = self
            .base
            .wrapping_add((x & !SIGNIFICAND_MASK) as i32)
            .wrapping_add((carry as i32) << 23);
        if field < 0 {
            return 0;
        }
        self.sign | (field as u32 + (hi >> carry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities() {
        assert_eq!(probability_q31(1.0), (1 << 31, true));
        assert_eq!(probability_q31(0.5), (1 << 30, true));
        assert_eq!(probability_q31(0.0), (1, true));
        assert_eq!(probability_q31(-0.0), (1, true));
        assert_eq!(probability_q31(1e-30), (1, true));
        assert_eq!(probability_q31(0.75).0, 3 << 29);
        for bad in [
            1.000_000_1f32,
            -1e-30,
            -1.0,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ] {
            assert!(!probability_q31(bad).1, "{bad}");
        }
        for i in 0..=1000u32 {
            let p = i as f32 / 1000.0;
            let (q, ok) = probability_q31(p);
            assert!(ok);
            assert!((q as f64 / 2f64.powi(31) - p as f64).abs() < 5e-10, "{p}");
        }
    }

    #[test]
    fn magnitudes() {
        let max = 16 << 16;
        assert_eq!(magnitude_q16(1.0, max), (1 << 16, true));
        assert_eq!(magnitude_q16(-2.5, max), (5 << 15, true));
        assert_eq!(magnitude_q16(0.0, max), (0, true));
        assert_eq!(magnitude_q16(1e-20, max), (0, true));
        assert_eq!(magnitude_q16(100.0, max), (max, true));
        assert_eq!(magnitude_q16(-1e30, max), (max, true));
        assert!(!magnitude_q16(f32::NAN, max).1);
        assert!(!magnitude_q16(f32::NEG_INFINITY, max).1);
    }

    #[test]
    fn scaled_products_match_f64() {
        for k in [
            1.0f32,
            -1.0,
            0.3,
            -7.25e-3,
            18.25,
            1e-20,
            -3e30,
            f32::MAX,
            1.5e-38,
        ] {
            let s = Scale::new(k);
            for x in [1.0f32, 0.25, 1.1e-7, 3e-12, 0.999_999_9, 2.3e-16] {
                let want = f64::from(k) * f64::from(x);
                let got = f64::from(f32::from_bits(s.times_bits(x.to_bits())));
                if want.abs() < 1.2e-38 {
                    assert_eq!(got, 0.0, "k={k} x={x}");
                } else {
                    assert!(
                        ((got - want) / want).abs() < 6.2e-5,
                        "k={k} x={x}: {got} vs {want}"
                    );
                }
            }
        }
        assert_eq!(Scale::new(0.0).times_bits(1f32.to_bits()), 0);
        assert_eq!(Scale::new(-0.0).times_bits(1f32.to_bits()), 0);
        assert_eq!(Scale::new(1e-40).times_bits(1f32.to_bits()), 0);
    }
}
