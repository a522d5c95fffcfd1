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

/// The largest `|x|` that [`exp_neg_abs_normal`] takes.
pub(crate) const NORMAL_EXP_MAX_ABS: f32 = 87.0;
#[cfg(all(feature = "libm", not(feature = "micromath")))]
const _: () = assert!(NORMAL_EXP_MAX_ABS == -crate::fast_exp::NORMAL_SCALE_MIN_ARG);

/// [`exp_neg_abs`] for `|x| <= NORMAL_EXP_MAX_ABS`, bit for bit, in fewer operations: with
/// the `libm` backend, [`crate::fast_exp::exp_normal_scale`] (no clamp, one scaling
/// factor); with `micromath`, the same call as [`exp_neg_abs`]. For larger `|x|` the
/// result is unspecified (never a panic): callers check the bound once per batch.
#[inline(always)]
pub(crate) fn exp_neg_abs_normal(x: f32) -> f32 {
    let neg = f32::from_bits(x.to_bits() | 0x8000_0000);
    #[cfg(feature = "micromath")]
    {
        micromath::F32(neg).exp().0
    }
    #[cfg(all(feature = "libm", not(feature = "micromath")))]
    {
        crate::fast_exp::exp_normal_scale(neg)
    }
}

/// `e^-min(|x|, NORMAL_EXP_MAX_ABS)`: [`exp_neg_abs`] bit for bit where
/// `|x| <= NORMAL_EXP_MAX_ABS`, and `e^-87` (about `1.65e-38`, below `2^-125`) beyond,
/// where the exact value is smaller. A NaN counts as beyond (callers check their inputs
/// apart). With the `libm` backend [`crate::fast_exp::exp_normal_scale`] of the clamped
/// argument, the clamp an integer `min` of the magnitude's bits (one instruction, where
/// a float compare became a compare and a blend); with `micromath`, [`exp_neg_abs`]
/// itself.
#[inline(always)]
pub(crate) fn exp_neg_abs_floored(x: f32) -> f32 {
    #[cfg(feature = "micromath")]
    {
        exp_neg_abs(x)
    }
    #[cfg(all(feature = "libm", not(feature = "micromath")))]
    {
        let a = (x.to_bits() & 0x7fff_ffff).min(NORMAL_EXP_MAX_ABS.to_bits());
        crate::fast_exp::exp_normal_scale(-f32::from_bits(a))
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
