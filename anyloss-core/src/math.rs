//! The one place that chooses the math backend.
//!
//! `libm` (default) is accurate to about 1 ulp. `micromath` trades accuracy for size:
//! its `exp` has a relative error up to about 2.4e-3 and its `ln` an absolute error up to
//! about 0.12 on (0, 1); see the crate docs for what that does to losses and gradients.
//! With both features on, micromath wins. The functions are called explicitly: on the host
//! `micromath::F32Ext` would silently resolve to std and hide the approximation from tests.

#[cfg(not(any(feature = "libm", feature = "micromath")))]
compile_error!(
    "anyloss-core needs a math backend: enable the `libm` (default) or `micromath` feature"
);

/// `e^x`.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    #[cfg(feature = "micromath")]
    {
        micromath::F32(x).exp().0
    }
    #[cfg(all(feature = "libm", not(feature = "micromath")))]
    {
        libm::expf(x)
    }
}

/// Natural logarithm.
#[inline(always)]
pub fn ln(x: f32) -> f32 {
    #[cfg(feature = "micromath")]
    {
        micromath::F32(x).ln().0
    }
    #[cfg(all(feature = "libm", not(feature = "micromath")))]
    {
        libm::logf(x)
    }
}

/// Square root.
#[inline(always)]
pub fn sqrt(x: f32) -> f32 {
    #[cfg(feature = "micromath")]
    {
        micromath::F32(x).sqrt().0
    }
    #[cfg(all(feature = "libm", not(feature = "micromath")))]
    {
        libm::sqrtf(x)
    }
}

/// `x^y`.
#[inline(always)]
pub fn pow(x: f32, y: f32) -> f32 {
    #[cfg(feature = "micromath")]
    {
        micromath::F32(x).powf(micromath::F32(y)).0
    }
    #[cfg(all(feature = "libm", not(feature = "micromath")))]
    {
        libm::powf(x, y)
    }
}

/// `|x|` without a backend call.
#[inline(always)]
pub fn abs(x: f32) -> f32 {
    f32::from_bits(x.to_bits() & 0x7fff_ffff)
}
