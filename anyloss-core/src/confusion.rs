//! Soft confusion entries: the type and its arithmetic.

use core::ops::{Add, AddAssign};

/// Soft confusion entries `TP = Σ y·a`, `FN = Σ y(1-a)`, `FP = Σ (1-y)a`, `TN = Σ (1-y)(1-a)`
/// with `a = A(p)`.
///
/// They are sums, so they add: the entries of chunks, mini-batches or devices combine
/// exactly into the entries of the whole (`+`, `+=`, [`Iterator::sum`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Confusion {
    /// Soft true positives.
    pub tp: f32,
    /// Soft false negatives.
    pub fn_: f32,
    /// Soft false positives.
    pub fp: f32,
    /// Soft true negatives.
    pub tn: f32,
}

impl Confusion {
    /// Entries from explicit values.
    pub const fn new(tp: f32, fn_: f32, fp: f32, tn: f32) -> Self {
        Self { tp, fn_, fp, tn }
    }

    /// Number of samples, `TP + FN + FP + TN`.
    pub fn total(&self) -> f32 {
        (self.tp + self.fn_) + (self.fp + self.tn)
    }

    /// Positives `TP + FN` (a label count: exact for hard labels).
    pub fn positives(&self) -> f32 {
        self.tp + self.fn_
    }

    /// Negatives `TN + FP` (a label count: exact for hard labels).
    pub fn negatives(&self) -> f32 {
        self.tn + self.fp
    }

    /// Every entry shifted by `eps`: the Laplace-style smoothing of
    /// [`crate::Degenerate::Smooth`].
    pub fn smoothed(&self, eps: f32) -> Self {
        Self::new(self.tp + eps, self.fn_ + eps, self.fp + eps, self.tn + eps)
    }

    /// True when all four entries are finite.
    pub fn is_finite(&self) -> bool {
        self.tp.is_finite() && self.fn_.is_finite() && self.fp.is_finite() && self.tn.is_finite()
    }
}

impl Add for Confusion {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Self::new(
            self.tp + o.tp,
            self.fn_ + o.fn_,
            self.fp + o.fp,
            self.tn + o.tn,
        )
    }
}

impl AddAssign for Confusion {
    fn add_assign(&mut self, o: Self) {
        *self = *self + o;
    }
}

impl core::iter::Sum for Confusion {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::default(), Add::add)
    }
}
