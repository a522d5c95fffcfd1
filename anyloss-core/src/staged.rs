//! Pass 1's kernels on SIMD cores: each stage of [`Kernel::eval`] as a loop of its own
//! over a block, with the exps in their shorter forms where they give the same bits
//! (fused multiply-adds aside: see [`stages`]).

use crate::amplifier::{Amplified, Amplifier};
use crate::kernel::Kernel;
use crate::lanes::STAGE;
use crate::math::ExpParts;

/// The staged form of [`Kernel::eval`] over a run of at most [`STAGE`] samples on SIMD
/// cores: `prepare` of every input into `out`, then, for kernels that refine, `refine`
/// (its extras into `extras`) and `settle`, each stage a loop of its own (see
/// [`crate::kernel::LogitKernel::settle`]). `short`: the exps take their shorter forms,
/// for callers that checked [`Kernel::short_exps_exact`] (once per block: it costs two
/// exps); `scales` is their scratch. `fused` (a constant of the caller's lane count,
/// [`crate::dispatch::fuses`]): the short forms' multiply-adds are rounded once, which
/// changes the last bits of `eval`'s results (see `fast_exp::reduce_normal`).
#[inline(always)]
pub(crate) fn stages<K: Kernel>(
    amp: &Amplifier,
    short: bool,
    fused: bool,
    xs: &[f32],
    out: &mut [f32],
    extras: &mut [K::Extra],
    scales: &mut [f32; STAGE],
) {
    match (short, fused) {
        (true, true) => short_stages::<K, true>(amp, xs, out, extras, scales),
        (true, false) => short_stages::<K, false>(amp, xs, out, extras, scales),
        (false, _) => general_stages::<K>(amp, xs, out, extras),
    }
}

/// [`Kernel::finish`] after [`stages`], with the same `fused`: the kernels that fuse are
/// the AVX2 ones, which also blend (see `kernel::exchange_if_negative`).
#[inline(always)]
pub(crate) fn finish<K: Kernel>(
    amp: &Amplifier,
    fused: bool,
    x: f32,
    settled: f32,
    extra: K::Extra,
) -> Amplified {
    if fused {
        K::finish::<true>(amp, x, settled, extra)
    } else {
        K::finish::<false>(amp, x, settled, extra)
    }
}

/// The stages with the exps in their general form.
#[inline(always)]
fn general_stages<K: Kernel>(
    amp: &Amplifier,
    xs: &[f32],
    out: &mut [f32],
    extras: &mut [K::Extra],
) {
    for (o, &x) in out.iter_mut().zip(xs) {
        *o = K::prepare(amp, x);
    }
    if K::REFINES {
        for ((o, extra), &x) in out.iter_mut().zip(extras.iter_mut()).zip(xs) {
            (*o, *extra) = K::refine(amp, x, *o);
        }
        for o in out.iter_mut() {
            *o = K::settle(*o);
        }
    }
}

/// The stages with the exps in their shorter form, each exp in two loops (its halves,
/// see [`crate::fast_exp::reduce_normal`]): the first leaves the reduced arguments in
/// `out` and the scales in `scales`, the second the exps in `out`.
#[inline(always)]
fn short_stages<K: Kernel, const FUSED: bool>(
    amp: &Amplifier,
    xs: &[f32],
    out: &mut [f32],
    extras: &mut [K::Extra],
    scales: &mut [f32; STAGE],
) {
    for ((o, s), &x) in out.iter_mut().zip(scales.iter_mut()).zip(xs) {
        let parts = K::prepare_short::<FUSED>(amp, x);
        (*o, *s) = (parts.reduced, parts.scale);
    }
    exps::<FUSED>(out, scales);
    if K::REFINES {
        for ((o, extra), &x) in out.iter_mut().zip(extras.iter_mut()).zip(xs) {
            (*o, *extra) = K::refine(amp, x, *o);
        }
        for (o, s) in out.iter_mut().zip(scales.iter_mut()) {
            let parts = K::settle_short::<FUSED>(*o);
            (*o, *s) = (parts.reduced, parts.scale);
        }
        exps::<FUSED>(out, scales);
    }
}

/// The second halves: each reduced argument in `out` and its scale, into the exp.
#[inline(always)]
fn exps<const FUSED: bool>(out: &mut [f32], scales: &[f32]) {
    for (o, &scale) in out.iter_mut().zip(scales) {
        *o = ExpParts { reduced: *o, scale }.value::<FUSED>();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::tests::all_logits;
    use crate::kernel::{LogitKernel, ProbKernel};

    /// One sample through [`stages`], as the SIMD loops run it (the amplifier's exp in its
    /// shorter form where the amplifier allows it).
    fn staged<K: Kernel>(amp: &Amplifier, x: f32) -> Amplified {
        staged_as::<K>(amp, x, false)
    }

    /// [`staged`], fused or not.
    fn staged_as<K: Kernel>(amp: &Amplifier, x: f32, fused: bool) -> Amplified {
        let (mut out, mut extra) = ([0.0f32], [K::Extra::default()]);
        let short = K::short_exps_exact(amp);
        stages::<K>(
            amp,
            short,
            fused,
            &[x],
            &mut out,
            &mut extra,
            &mut [0.0; STAGE],
        );
        finish::<K>(amp, fused, x, out[0], extra[0])
    }

    /// The fused short forms are as accurate against f64 as `eval`, over every logit.
    #[cfg(not(feature = "micromath"))]
    #[test]
    fn fused_logit_stages_match_f64_over_every_logit() {
        crate::kernel::tests::matches_f64_over_every_logit(|amp, z| {
            staged_as::<LogitKernel>(amp, z, true)
        });
    }

    /// The SIMD loops run the three stages, one-lane cores `eval`: the same results, with
    /// the amplifier's exp in either form (`L = 174`, `t = 1/2` is the edge of the
    /// shorter one: arguments down to -87; `L = 1e4` takes the general one).
    #[test]
    fn staged_kernels_equal_eval_bit_for_bit() {
        let cases = [
            (73.0f32, 0.5f32),
            (0.5, 0.5),
            (1e4, 0.3),
            (73.0, 0.7),
            (174.0, 0.5),
            (120.0, 0.275),
        ];
        for (l, t) in cases {
            let amp = Amplifier::new(l).unwrap().with_threshold(t).unwrap();
            assert_eq!(amp.exp_stays_normal(), l < 1e3, "l={l} t={t}");
            // The flat-saturation condition holds at the paper's L and fails for a flat
            // amplifier, so both forms of the logit stages run here.
            let flat = LogitKernel::short_exps_exact(&amp);
            assert!(flat || (l, t) != (73.0, 0.5), "l={l} t={t}");
            assert!(!flat || l > 0.5, "l={l} t={t}");
            // Every logit where the floored sigmoid exp starts to differ, densely.
            let dense = ((86.0f32).to_bits()..=(105.0f32).to_bits()).map(f32::from_bits);
            for z in all_logits().chain(dense.clone()).chain(dense.map(|z| -z)) {
                let (want, got) = (LogitKernel::eval(&amp, z), staged::<LogitKernel>(&amp, z));
                assert_eq!(got.a.to_bits(), want.a.to_bits(), "z={z}");
                assert_eq!(
                    got.one_minus_a.to_bits(),
                    want.one_minus_a.to_bits(),
                    "z={z}"
                );
                assert_eq!(got.slope.to_bits(), want.slope.to_bits(), "z={z} l={l}");
            }
            let edges = [0.0f32, 1.0, f32::from_bits(1), 1.0 - f32::EPSILON / 2.0];
            for p in (0..=100_000).map(|i| i as f32 / 100_000.0).chain(edges) {
                let (want, got) = (ProbKernel::eval(&amp, p), staged::<ProbKernel>(&amp, p));
                assert_eq!(
                    (got.a, got.one_minus_a, got.slope),
                    (want.a, want.one_minus_a, want.slope)
                );
            }
        }
    }
}
