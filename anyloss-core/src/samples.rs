//! The model's outputs as a binary loss takes them: [`Input`], chosen at run time, or
//! [`Probs`] and [`Logits`], typed so that a call links only the kernel it uses.

use crate::confusion::Confusion;
use crate::dispatch::{widest, AtWidth};
use crate::error::Error;
use crate::kernel::{Kernel, LogitKernel, ProbKernel};
use crate::pass1_threads;
use crate::sample_weights::{SampleWeights, Unweighted};
use crate::Amplifier;

/// What the model produced for each sample.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// Probabilities in `[0, 1]`; gradients are `d loss / d p`.
    Probs(&'a [f32]),
    /// Logits; gradients are `d loss / d z`. Binary losses map them through the logistic
    /// sigmoid, multi-class losses through a softmax over the classes of each sample.
    Logits(&'a [f32]),
}

impl Input<'_> {
    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            Input::Probs(s) | Input::Logits(s) => s.len(),
        }
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Confusion {
    /// Soft entries of binary `labels` (0 or 1) and probabilities `probs` in `[0, 1]`.
    pub fn from_probs(amp: &Amplifier, labels: &[u8], probs: &[f32]) -> Result<Self, Error> {
        entries(amp, labels, Probs(probs), Unweighted)
    }

    /// Soft entries of binary `labels` (0 or 1) and logits `z`, with `p = sigmoid(z)`.
    pub fn from_logits(amp: &Amplifier, labels: &[u8], logits: &[f32]) -> Result<Self, Error> {
        entries(amp, labels, Logits(logits), Unweighted)
    }
}

/// Probabilities in `[0, 1]`, one per sample; gradients are `d loss / d p`.
///
/// The same as [`Input::Probs`], but fixed at compile time: a call with `Probs` links
/// only the probability kernel, which is what a small flash budget wants.
#[derive(Debug, Clone, Copy)]
pub struct Probs<'a>(pub &'a [f32]);

/// Logits, one per sample, with `p = sigmoid(z)`; gradients are `d loss / d z`.
///
/// The same as [`Input::Logits`], fixed at compile time (see [`Probs`]).
#[derive(Debug, Clone, Copy)]
pub struct Logits<'a>(pub &'a [f32]);

/// What [`BinaryLoss`](crate::BinaryLoss) takes as the model's outputs: [`Probs`],
/// [`Logits`], or an [`Input`], which holds either and is dispatched at run time.
///
/// Sealed: the kernels behind it are the crate's.
pub trait Samples: sealed::Sealed + Copy {}

impl Samples for Probs<'_> {}
impl Samples for Logits<'_> {}
impl Samples for Input<'_> {}

/// Pass 1 alone, at the widest lane count this CPU runs.
pub(crate) fn entries(
    amplifier: &Amplifier,
    labels: &[u8],
    input: impl Samples,
    weights: impl SampleWeights,
) -> Result<Confusion, Error> {
    widest(Pass1 {
        amplifier,
        labels,
        input,
        weights,
    })
}

/// [`entries`] at a lane count.
struct Pass1<'a, S, V> {
    amplifier: &'a Amplifier,
    labels: &'a [u8],
    input: S,
    weights: V,
}

impl<S: Samples, V: SampleWeights> AtWidth for Pass1<'_, S, V> {
    type Output = Result<Confusion, Error>;
    #[inline(always)]
    fn run<const W: usize>(self) -> Self::Output {
        (self.input).entries::<V, W>(self.amplifier, self.labels, self.weights)
    }
}

pub(crate) mod sealed {
    use super::*;

    /// Pass 1 for each kind of output, at `W` lanes.
    pub trait Sealed {
        /// The entries alone.
        fn entries<V: SampleWeights, const W: usize>(
            self,
            amp: &Amplifier,
            labels: &[u8],
            weights: V,
        ) -> Result<Confusion, Error>;
        /// The entries, and `w·dA/d(input)` of each sample into `cache`.
        fn entries_into<V: SampleWeights, const W: usize>(
            self,
            amp: &Amplifier,
            labels: &[u8],
            weights: V,
            cache: &mut [f32],
        ) -> Result<Confusion, Error>;
    }

    /// A kind of output fixed at compile time: its kernel and its values.
    pub(crate) trait Typed {
        /// The per-sample kernel.
        type Kernel: Kernel;
        /// The values.
        fn values(&self) -> &[f32];
    }

    impl Typed for Probs<'_> {
        type Kernel = ProbKernel;
        #[inline(always)]
        fn values(&self) -> &[f32] {
            self.0
        }
    }

    impl Typed for Logits<'_> {
        type Kernel = LogitKernel;
        #[inline(always)]
        fn values(&self) -> &[f32] {
            self.0
        }
    }

    impl<T: Typed> Sealed for T {
        #[inline(always)]
        fn entries<V: SampleWeights, const W: usize>(
            self,
            amp: &Amplifier,
            labels: &[u8],
            weights: V,
        ) -> Result<Confusion, Error> {
            pass1_threads::entries::<T::Kernel, V, W>(amp, labels, self.values(), weights)
        }
        #[inline(always)]
        fn entries_into<V: SampleWeights, const W: usize>(
            self,
            amp: &Amplifier,
            labels: &[u8],
            weights: V,
            cache: &mut [f32],
        ) -> Result<Confusion, Error> {
            pass1_threads::entries_into::<T::Kernel, V, W>(
                amp,
                labels,
                self.values(),
                weights,
                cache,
            )
        }
    }

    impl Sealed for Input<'_> {
        #[inline(always)]
        fn entries<V: SampleWeights, const W: usize>(
            self,
            amp: &Amplifier,
            labels: &[u8],
            weights: V,
        ) -> Result<Confusion, Error> {
            match self {
                Input::Probs(p) => Probs(p).entries::<V, W>(amp, labels, weights),
                Input::Logits(z) => Logits(z).entries::<V, W>(amp, labels, weights),
            }
        }
        #[inline(always)]
        fn entries_into<V: SampleWeights, const W: usize>(
            self,
            amp: &Amplifier,
            labels: &[u8],
            weights: V,
            cache: &mut [f32],
        ) -> Result<Confusion, Error> {
            match self {
                Input::Probs(p) => Probs(p).entries_into::<V, W>(amp, labels, weights, cache),
                Input::Logits(z) => Logits(z).entries_into::<V, W>(amp, labels, weights, cache),
            }
        }
    }
}
