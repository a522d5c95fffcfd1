//! What a multi-class loss makes of the per-class entries.

use crate::confusion::Confusion;
use crate::metric::Coefficients;

/// A multi-class objective: the loss at the one-vs-rest entries of every class, and what
/// pass 2 needs, `∂loss/∂a` of a positive and of a negative sample of each class.
///
/// Implemented by [`super::Averaged`] (macro, weighted, micro or per-class sum of any
/// [`crate::Metric`]) and [`super::ErrorRate`] (the reference code's objective);
/// `&dyn Objective` works too.
pub trait Objective {
    /// The loss at `classes` (entries of class `c` at index `c`, with a (weighted) number
    /// `support[c]` of labelled samples), writing the coefficients of class `c` into
    /// `coefficients[c]`. The three slices have one element per class. The result and
    /// coefficients must be finite for finite entries.
    fn evaluate(
        &self,
        classes: &[Confusion],
        support: &[f32],
        coefficients: &mut [Coefficients],
    ) -> f32;

    /// The number of classes the objective is made for (e.g. it holds a weight per class),
    /// or `None` when it takes any number. The loss refuses entries of another count.
    fn classes(&self) -> Option<usize> {
        None
    }
}

impl<O: Objective + ?Sized> Objective for &O {
    fn evaluate(
        &self,
        classes: &[Confusion],
        support: &[f32],
        coefficients: &mut [Coefficients],
    ) -> f32 {
        (**self).evaluate(classes, support, coefficients)
    }

    fn classes(&self) -> Option<usize> {
        (**self).classes()
    }
}
