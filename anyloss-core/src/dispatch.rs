//! Run-time choice of the lane count.
//!
//! A default x86-64 build targets SSE2, where pass 1 runs 4 lanes; most machines it runs on
//! have AVX2, where 8 lanes take about half the time. With the `dispatch` feature (host
//! builds: it needs `std` to ask the CPU), the SIMD kernels are compiled twice, and the
//! AVX2 copy runs when the CPU has AVX2 and FMA; it fuses multiply-adds ([`fuses`]), so its
//! last bits differ from the SSE2 copy's. `pulp` holds the one `unsafe` step,
//! calling a `#[target_feature]` function after checking the CPU, so this crate keeps
//! `#![forbid(unsafe_code)]`. Without the feature, or on other targets, the build's own
//! lane count runs.
//!
//! Two levels: [`widest`] picks the lane count once per call, and [`vectorized`] runs one
//! block's loops inside a function compiled for AVX2. The block is the unit because a
//! loop inlined into one big function with everything around it lost its unrolling and ran
//! one lane at a time (AVX2: 4.8 against 1.4 ns/sample).

use crate::lanes::{LANES, WIDE};

/// An operation generic over its lane count.
pub(crate) trait AtWidth {
    /// What the operation returns.
    type Output;
    /// Runs the operation at `W` lanes.
    fn run<const W: usize>(self) -> Self::Output;
}

/// Whether this CPU runs the [`WIDE`] kernels (for callers that pick the lane count
/// themselves).
#[inline(always)]
pub(crate) fn wide() -> bool {
    #[cfg(all(feature = "dispatch", any(target_arch = "x86_64", target_arch = "x86")))]
    {
        LANES < WIDE && pulp::x86::V3::try_new().is_some()
    }
    #[cfg(not(all(feature = "dispatch", any(target_arch = "x86_64", target_arch = "x86"))))]
    {
        false
    }
}

/// Whether the `w`-lane kernels fuse multiply-adds (one rounding each, in the shorter
/// exps of pass 1): the AVX2 copy of a `dispatch` build, which runs only on CPUs with FMA,
/// and an AVX2 build whose target has FMA and whose `dispatch` brings `std` (for
/// `f32::mul_add`). One fused operation replaces a multiply and an add; the results
/// differ from the unfused kernels' (SSE2, NEON, one lane) in the last bits.
pub(crate) const fn fuses(w: usize) -> bool {
    cfg!(all(
        feature = "dispatch",
        any(target_arch = "x86_64", target_arch = "x86")
    )) && w == WIDE
        && (w > LANES || cfg!(target_feature = "fma"))
}

/// Runs `op` at the widest lane count this CPU supports.
#[inline(always)]
pub(crate) fn widest<Op: AtWidth>(op: Op) -> Op::Output {
    if wide() {
        return op.run::<WIDE>();
    }
    op.run::<LANES>()
}

/// Runs `f`, compiled for AVX2 when `W` is wider than the build's lanes (which
/// [`widest`] only picks on a CPU that has AVX2). `f` and what it calls must be
/// `#[inline(always)]` to inherit the target features.
#[inline(always)]
pub(crate) fn vectorized<const W: usize, R>(f: impl FnOnce() -> R) -> R {
    #[cfg(all(feature = "dispatch", any(target_arch = "x86_64", target_arch = "x86")))]
    if W > LANES {
        if let Some(v3) = pulp::x86::V3::try_new() {
            return v3.vectorize(f);
        }
    }
    f()
}
