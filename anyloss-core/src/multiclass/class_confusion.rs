//! One-vs-rest soft confusion entries of every class, in fixed storage.

use core::ops::{Add, AddAssign};

use crate::confusion::Confusion;
use crate::lanes::Compensated;

/// The one-vs-rest soft entries `TP_c, FN_c, FP_c, TN_c` of each of `C` classes, and each
/// class's support: its number of labelled samples, or with sample weights `w_i` their
/// weighted number `Σ w_i` over the samples labelled `c`.
///
/// Class `c` is the binary problem "label is `c`" over the amplified `p_c`, each sample
/// counting with its weight (1 without weights); ignored samples are in no entry. Like
/// [`Confusion`], the entries of chunks add up to the entries of the whole, which is what
/// streaming relies on.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClassConfusion<const C: usize> {
    classes: [Confusion; C],
    support: [f32; C],
}

impl<const C: usize> ClassConfusion<C> {
    /// Entries and support given explicitly.
    pub const fn new(classes: [Confusion; C], support: [f32; C]) -> Self {
        Self { classes, support }
    }

    /// The entries of each class.
    pub fn classes(&self) -> &[Confusion; C] {
        &self.classes
    }

    /// The (weighted) number of samples labelled with each class.
    pub fn support(&self) -> &[f32; C] {
        &self.support
    }

    /// The (weighted) number of labelled (not ignored) samples.
    pub fn samples(&self) -> f32 {
        total(&self.support)
    }

    /// The entries summed over classes: what micro-averaging evaluates the metric at.
    pub fn pooled(&self) -> Confusion {
        pool(&self.classes)
    }
}

/// `Σ_c support[c]`, at most `f32::MAX`: supports given through [`ClassConfusion::new`]
/// are the caller's, and no sum of them may overflow to infinity.
pub(crate) fn total(support: &[f32]) -> f32 {
    support.iter().sum::<f32>().min(f32::MAX)
}

/// `Σ_c classes[c]`, compensated: `TN` of many classes is large next to the other entries.
pub(crate) fn pool(classes: &[Confusion]) -> Confusion {
    let mut sums = [Compensated::default(); 4];
    for c in classes {
        sums[0].add(c.tp);
        sums[1].add(c.fn_);
        sums[2].add(c.fp);
        sums[3].add(c.tn);
    }
    Confusion::new(
        sums[0].value(),
        sums[1].value(),
        sums[2].value(),
        sums[3].value(),
    )
}

impl<const C: usize> Default for ClassConfusion<C> {
    fn default() -> Self {
        Self::new([Confusion::default(); C], [0.0; C])
    }
}

impl<const C: usize> Add for ClassConfusion<C> {
    type Output = Self;
    fn add(mut self, o: Self) -> Self {
        self += o;
        self
    }
}

impl<const C: usize> AddAssign for ClassConfusion<C> {
    fn add_assign(&mut self, o: Self) {
        for (a, b) in self.classes.iter_mut().zip(o.classes) {
            *a += b;
        }
        for (a, b) in self.support.iter_mut().zip(o.support) {
            *a = (*a + b).min(f32::MAX);
        }
    }
}

impl<const C: usize> core::iter::Sum for ClassConfusion<C> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::default(), Add::add)
    }
}

/// Compensated running totals of the four entries of each class, fed one block at a time.
pub(crate) struct ClassTotals<const C: usize> {
    sums: [[Compensated; 4]; C],
}

impl<const C: usize> ClassTotals<C> {
    pub(crate) fn new() -> Self {
        Self {
            sums: [[Compensated::default(); 4]; C],
        }
    }

    /// Adds one block's partial entries of class `c`.
    #[inline]
    pub(crate) fn add(&mut self, c: usize, block: &Confusion) {
        if let Some(s) = self.sums.get_mut(c) {
            s[0].add(block.tp);
            s[1].add(block.fn_);
            s[2].add(block.fp);
            s[3].add(block.tn);
        }
    }

    pub(crate) fn finish(&self, support: [f32; C]) -> ClassConfusion<C> {
        ClassConfusion::new(
            self.sums
                .map(|s| Confusion::new(s[0].value(), s[1].value(), s[2].value(), s[3].value())),
            support,
        )
    }
}
