//! Lane counts, block sizes and the accurate sums of pass 1: lane-wise partial sums, their
//! pairwise reduction, and a compensated running total across blocks.

/// Independent partial sums per lane: LLVM may not reassociate one running `+=`, so a
/// single accumulator would serialize the loop and lose accuracy at large N. One lane per
/// f32 of a vector register: with more, SSE2's 16 registers overflow and the loop spills.
#[cfg(target_feature = "avx")]
pub(crate) const LANES: usize = 8;
/// See above: SSE2 (the default x86-64 target), NEON and wasm SIMD.
#[cfg(all(
    not(target_feature = "avx"),
    any(
        target_arch = "x86_64",
        target_arch = "x86",
        target_feature = "neon",
        target_feature = "simd128"
    )
))]
pub(crate) const LANES: usize = 4;
/// Cores without float SIMD (Cortex-M): unrolling over lanes only multiplies the code
/// (four inlined exps) without running anything in parallel.
#[cfg(not(any(
    target_feature = "avx",
    target_arch = "x86_64",
    target_arch = "x86",
    target_feature = "neon",
    target_feature = "simd128"
)))]
pub(crate) const LANES: usize = 1;
/// Samples per block. Each lane sums at most `BLOCK/LANES` terms in plain f32 before the
/// block total goes into a compensated running sum, which bounds the error at N = 10^6.
/// Scalar targets keep the same 256 terms per lane (and a 1 KiB scratch on the no-cache path).
pub(crate) const BLOCK: usize = block_len(LANES);
/// Samples per run of pass 1's stages on SIMD cores (a multiple of every lane count, and
/// a divisor of every block): each run goes through the stages and then into the lane
/// sums, so its scratch (sigmoid slopes, exp scales) stays this short, and zeroing it
/// per block costs little.
pub(crate) const STAGE: usize = 128;
const _: () = assert!(
    BLOCK.is_multiple_of(STAGE) && STAGE.is_multiple_of(WIDE) && block_len(1).is_multiple_of(STAGE)
);

/// The widest lane count a build may run: x86-64 runs 8 lanes under AVX2 when the
/// `dispatch` feature finds it at run time (see `dispatch.rs`), whatever the build targets.
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
pub(crate) const WIDE: usize = 8;
/// See above: other targets run [`LANES`] only.
#[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
pub(crate) const WIDE: usize = LANES;

/// Samples per block at `w` lanes: 256 terms per lane.
pub(crate) const fn block_len(w: usize) -> usize {
    256 * w
}

/// Kahan-compensated f32 sum: the error stays at a few ulps of the total however many
/// block totals come in. Every addend here (a block's entry) is non-negative, the case
/// where Kahan's branch-free form is as accurate as Neumaier's, which needs a compare and
/// a select (three instructions on a Cortex-M4) per add.
#[derive(Clone, Copy, Default)]
pub(crate) struct Compensated {
    sum: f32,
    /// Minus the low-order part lost by the last addition.
    carry: f32,
}

impl Compensated {
    #[inline(always)]
    pub(crate) fn add(&mut self, x: f32) {
        let y = x - self.carry;
        let t = self.sum + y;
        self.carry = (t - self.sum) - y;
        self.sum = t;
    }

    #[inline(always)]
    pub(crate) fn value(&self) -> f32 {
        self.sum - self.carry
    }
}

/// Pairwise reduction of the lanes.
#[inline(always)]
pub(crate) fn reduce<const W: usize>(lanes: &[f32; W]) -> f32 {
    let mut w = *lanes;
    let mut width = W / 2;
    while width > 0 {
        let (lo, hi) = w.split_at_mut(width);
        for (a, b) in lo.iter_mut().zip(hi.iter()) {
            *a += *b;
        }
        width /= 2;
    }
    w[0]
}

#[derive(Clone, Copy)]
pub(crate) struct LaneSums<const W: usize> {
    pub(crate) tp: [f32; W],
    pub(crate) fn_: [f32; W],
    pub(crate) fp: [f32; W],
    pub(crate) tn: [f32; W],
}

impl<const W: usize> LaneSums<W> {
    pub(crate) const ZERO: Self = Self {
        tp: [0.0; W],
        fn_: [0.0; W],
        fp: [0.0; W],
        tn: [0.0; W],
    };
}
