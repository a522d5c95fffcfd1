//! The model's outputs as a binary loss takes them, typed so that a call links only the
//! kernel it uses.

use crate::confusion::{entries, entries_into, Confusion, Input, LogitKernel, ProbKernel};
use crate::error::Error;
use crate::Amplifier;

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

pub(crate) mod sealed {
    use super::*;

    /// Pass 1 for each kind of output.
    pub trait Sealed {
        /// The entries alone.
        fn entries(self, amp: &Amplifier, labels: &[u8]) -> Result<Confusion, Error>;
        /// The entries, and `dA/d(input)` of each sample into `cache`.
        fn entries_into(
            self,
            amp: &Amplifier,
            labels: &[u8],
            cache: &mut [f32],
        ) -> Result<Confusion, Error>;
    }

    impl Sealed for Probs<'_> {
        fn entries(self, amp: &Amplifier, labels: &[u8]) -> Result<Confusion, Error> {
            entries::<ProbKernel>(amp, labels, self.0)
        }
        #[inline]
        fn entries_into(
            self,
            amp: &Amplifier,
            labels: &[u8],
            cache: &mut [f32],
        ) -> Result<Confusion, Error> {
            entries_into::<ProbKernel>(amp, labels, self.0, cache)
        }
    }

    impl Sealed for Logits<'_> {
        fn entries(self, amp: &Amplifier, labels: &[u8]) -> Result<Confusion, Error> {
            entries::<LogitKernel>(amp, labels, self.0)
        }
        #[inline]
        fn entries_into(
            self,
            amp: &Amplifier,
            labels: &[u8],
            cache: &mut [f32],
        ) -> Result<Confusion, Error> {
            entries_into::<LogitKernel>(amp, labels, self.0, cache)
        }
    }

    impl Sealed for Input<'_> {
        fn entries(self, amp: &Amplifier, labels: &[u8]) -> Result<Confusion, Error> {
            match self {
                Input::Probs(p) => Probs(p).entries(amp, labels),
                Input::Logits(z) => Logits(z).entries(amp, labels),
            }
        }
        fn entries_into(
            self,
            amp: &Amplifier,
            labels: &[u8],
            cache: &mut [f32],
        ) -> Result<Confusion, Error> {
            match self {
                Input::Probs(p) => Probs(p).entries_into(amp, labels, cache),
                Input::Logits(z) => Logits(z).entries_into(amp, labels, cache),
            }
        }
    }
}
