//! The one place that chooses the math backend.
//!
//! `libm` (default) is accurate to about 1 ulp, except that [`exp`] is the crate's own
//! branch-free polynomial (`fast_exp.rs`, at most 1.014 ulp, gradual underflow): libm's `expf`
//! is an opaque scalar call that keeps every loop around it from vectorizing, and it was
//! the bulk of the cost of the binary loss. `micromath` trades accuracy for size:
//! with it, [`exp`] (the only per-sample call) is micromath's, with a relative error up to
//! about 2.4e-3; [`sqrt`], [`ln`] and [`pow`] run once per batch and stay on libm, because
//! micromath's are far off (its `sqrt` by up to 6%, its `ln` by up to 0.12 absolute on
//! (0, 1)). See the crate docs for what that does to losses and gradients. With both
//! features on, micromath wins, and features unify across a build: one crate enabling
//! `micromath` switches every user of this crate to it (see the crate docs). The functions
//! are called explicitly: on the host `micromath::F32Ext` would silently resolve to std
//! and hide the approximation from tests.

#[cfg(not(any(feature = "libm", feature = "micromath")))]
compile_error!(
    "anyloss-core needs a math backend: enable the `libm` (default) or `micromath` feature"
);

/// `e^x`. With the `libm` backend: at most 1.014 ulp (subnormal results within 0.752 of
/// `2^-149`), `0` below -103.98, `+inf` above 88.73, NaN for NaN, and vectorizable.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    #[cfg(feature = "micromath")]
    {
        micromath::F32(x).exp().0
    }
    #[cfg(all(feature = "libm", not(feature = "micromath")))]
    {
        crate::fast_exp::exp(x)
    }
}

/// `e^-|x|`, the form of every per-sample exp here (the sigmoid's and the amplifier's):
/// [`exp`] of `-|x|`, bit for bit, without the clamp a non-positive argument never needs.
// Outlined on Cortex-M (one copy instead of the two or three that loop unrolling makes),
// it cost 12 instructions per sample in spills around the call (105 against 92.6).
#[inline(always)]
pub fn exp_neg_abs(x: f32) -> f32 {
    let neg = f32::from_bits(x.to_bits() | 0x8000_0000);
    #[cfg(feature = "micromath")]
    {
        micromath::F32(neg).exp().0
    }
    #[cfg(all(feature = "libm", not(feature = "micromath")))]
    {
        crate::fast_exp::exp_nonpositive(neg)
    }
}

/// The largest `|x|` that [`ExpParts::normal`] takes.
pub(crate) const NORMAL_EXP_MAX_ABS: f32 = 87.0;
#[cfg(all(feature = "libm", not(feature = "micromath")))]
const _: () = assert!(NORMAL_EXP_MAX_ABS == -crate::fast_exp::NORMAL_SCALE_MIN_ARG);

/// [`exp_neg_abs`] in a shorter form and in two halves, for loops that run each half over
/// a block in a loop of its own (see [`crate::fast_exp::reduce_normal`] for why): a
/// constructor is the first half, [`ExpParts::value`] the second. With the `libm`
/// backend [`crate::fast_exp::reduce_normal`] and [`crate::fast_exp::from_reduced`] (no
/// clamp, one scaling factor; `FUSED` as there); with `micromath`, the whole exp first and
/// a factor of one.
#[derive(Clone, Copy)]
pub(crate) struct ExpParts {
    /// The reduced argument (`libm`), or the exp itself (`micromath`).
    pub(crate) reduced: f32,
    /// The factor that [`ExpParts::value`] applies, with the result's sign.
    pub(crate) scale: f32,
}

impl ExpParts {
    /// `e^-|x|` for `|x| <= NORMAL_EXP_MAX_ABS`: [`exp_neg_abs`] bit for bit unfused. For
    /// larger `|x|` the value is unspecified (never a panic): callers check the bound once
    /// per batch.
    #[inline(always)]
    pub(crate) fn normal<const FUSED: bool>(x: f32) -> Self {
        let neg = f32::from_bits(x.to_bits() | 0x8000_0000);
        #[cfg(feature = "micromath")]
        {
            Self {
                reduced: micromath::F32(neg).exp().0,
                scale: 1.0,
            }
        }
        #[cfg(all(feature = "libm", not(feature = "micromath")))]
        {
            let (reduced, scale) = crate::fast_exp::reduce_normal::<FUSED>(neg);
            Self { reduced, scale }
        }
    }

    /// `e^-min(|x|, NORMAL_EXP_MAX_ABS)`: [`exp_neg_abs`] bit for bit (unfused) where
    /// `|x| <= NORMAL_EXP_MAX_ABS`, and `e^-87` (about `1.65e-38`, below `2^-125`) beyond,
    /// where the exact value is smaller. A NaN counts as beyond (callers check their
    /// inputs apart). The clamp is an integer `min` of the magnitude's bits (one
    /// instruction, where a float compare became a compare and a blend); with `micromath`,
    /// no clamp.
    #[inline(always)]
    pub(crate) fn floored<const FUSED: bool>(x: f32) -> Self {
        #[cfg(feature = "micromath")]
        {
            Self::normal::<FUSED>(x)
        }
        #[cfg(all(feature = "libm", not(feature = "micromath")))]
        {
            Self::normal::<FUSED>(f32::from_bits(
                (x.to_bits() & 0x7fff_ffff).min(NORMAL_EXP_MAX_ABS.to_bits()),
            ))
        }
    }

    /// Parts whose [`ExpParts::value`] is `value`, bit for bit.
    #[inline(always)]
    pub(crate) fn exact(value: f32) -> Self {
        // `from_reduced(0, v)` is `1·v`: the polynomial is exactly 1 at 0.
        #[cfg(all(feature = "libm", not(feature = "micromath")))]
        let parts = Self {
            reduced: 0.0,
            scale: value,
        };
        #[cfg(feature = "micromath")]
        let parts = Self {
            reduced: value,
            scale: 1.0,
        };
        parts
    }

    /// The same exp with the sign bit of `x` (the exp itself is never negative).
    #[inline(always)]
    pub(crate) fn with_sign_of(self, x: f32) -> Self {
        Self {
            scale: f32::from_bits(self.scale.to_bits() | (x.to_bits() & 0x8000_0000)),
            ..self
        }
    }

    /// The second half: the exp.
    #[inline(always)]
    pub(crate) fn value<const FUSED: bool>(self) -> f32 {
        #[cfg(feature = "micromath")]
        {
            self.reduced * self.scale
        }
        #[cfg(all(feature = "libm", not(feature = "micromath")))]
        {
            crate::fast_exp::from_reduced::<FUSED>(self.reduced, self.scale)
        }
    }
}

/// Natural logarithm (libm with either backend: see the module docs).
#[inline(always)]
pub fn ln(x: f32) -> f32 {
    libm::logf(x)
}

/// Square root (libm with either backend).
#[inline(always)]
pub fn sqrt(x: f32) -> f32 {
    libm::sqrtf(x)
}

/// `x^y` (libm with either backend).
#[inline(always)]
pub fn pow(x: f32, y: f32) -> f32 {
    libm::powf(x, y)
}

/// `|x|` without a backend call.
#[inline(always)]
pub fn abs(x: f32) -> f32 {
    f32::from_bits(x.to_bits() & 0x7fff_ffff)
}
