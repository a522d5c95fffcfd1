//! Hard predictions of any head: the confusion counts of a binary head at a decision
//! threshold, the confusion matrix of a multi-class head.

use crate::error::{Error, Parameter};
use crate::math;

use super::batch_gradient::standardize;
use super::dataset::Dataset;
use super::head::Head;
use super::scores::Counts;
use super::standardize::Scaling;

/// The buffers of one prediction: the standardised sample (`F`), the head's work space
/// ([`super::HeadShape::work_len`]) and its logits (`O`).
#[derive(Debug)]
pub struct Inference<'a> {
    /// One standardised sample.
    pub input: &'a mut [f32],
    /// The head's work space.
    pub work: &'a mut [f32],
    /// The logits.
    pub logits: &'a mut [f32],
}

impl Inference<'_> {
    /// The logits of the raw `row`, standardised by `scaling`.
    /// [`Error::LengthMismatch`] for a row, scaling or buffer that does not fit the head.
    pub fn logits<H: Head + ?Sized>(
        &mut self,
        head: &H,
        scaling: Scaling<'_>,
        row: &[f32],
    ) -> Result<&[f32], Error> {
        let shape = head.shape();
        for (expected, found) in [
            (shape.features, row.len()),
            (shape.features, scaling.len()),
            (shape.features, self.input.len()),
            (shape.work_len(), self.work.len()),
            (shape.outputs, self.logits.len()),
        ] {
            if expected != found {
                return Err(Error::LengthMismatch { expected, found });
            }
        }
        standardize(scaling, row, self.input);
        head.forward(self.input, self.work, self.logits);
        Ok(self.logits)
    }
}

/// The logit of the probability `threshold` in `[0, 1]`: a sample is positive when
/// `sigmoid(z) >= threshold`, that is `z >= ln(t/(1−t))` (exactly 0 for `t = 0.5`).
/// `InvalidParameter(Training)` outside `[0, 1]`.
pub fn threshold_logit(threshold: f32) -> Result<f32, Error> {
    if !(0.0..=1.0).contains(&threshold) {
        return Err(Error::InvalidParameter(Parameter::Training));
    }
    Ok(math::ln(threshold) - math::ln(1.0 - threshold))
}

/// Hard counts of a one-output `head` on the rows `rows` of `data`, a row positive when its
/// probability is at least `threshold`. `InvalidParameter(Shape)` for a head with more
/// outputs; the errors of [`Inference::logits`] and [`threshold_logit`].
pub fn binary_counts<H: Head + ?Sized>(
    head: &H,
    data: &Dataset<'_>,
    scaling: Scaling<'_>,
    rows: &[u32],
    threshold: f32,
    inference: &mut Inference<'_>,
) -> Result<Counts, Error> {
    if head.shape().outputs != 1 {
        return Err(Error::InvalidParameter(Parameter::Shape));
    }
    let cut = threshold_logit(threshold)?;
    let mut counts = Counts::default();
    for &i in rows {
        let (row, y) = data.sample(i)?;
        let z = inference
            .logits(head, scaling, row)?
            .first()
            .copied()
            .unwrap_or(0.0);
        counts.add(y, u8::from(z >= cut));
    }
    Ok(counts)
}

/// The `C×C` confusion matrix of `head` on `rows` into `matrix` (row = true class, column =
/// predicted class; zeroed first). A one-output head predicts at threshold 0.5 (`C = 2`),
/// a `C`-output head the first largest logit. Returns the number of correct predictions.
/// [`Error::LengthMismatch`] for a matrix of the wrong size, [`Error::InvalidLabel`] (the
/// row index) for a label `>= C`, and the errors of [`Inference::logits`].
pub fn class_matrix<H: Head + ?Sized>(
    head: &H,
    data: &Dataset<'_>,
    scaling: Scaling<'_>,
    rows: &[u32],
    inference: &mut Inference<'_>,
    matrix: &mut [u32],
) -> Result<u32, Error> {
    let c = head.shape().outputs.max(2);
    if matrix.len() != c * c {
        return Err(Error::LengthMismatch {
            expected: c * c,
            found: matrix.len(),
        });
    }
    matrix.fill(0);
    let mut correct = 0u32;
    for &i in rows {
        let (row, y) = data.sample(i)?;
        let z = inference.logits(head, scaling, row)?;
        let predicted = match z {
            [single] => usize::from(*single >= 0.0),
            _ => argmax(z),
        };
        let slot = matrix
            .get_mut(usize::from(y) * c + predicted)
            .filter(|_| usize::from(y) < c)
            .ok_or(Error::InvalidLabel { index: i as usize })?;
        *slot = slot.saturating_add(1);
        correct += u32::from(usize::from(y) == predicted);
    }
    Ok(correct)
}

/// The index of the first largest value.
fn argmax(z: &[f32]) -> usize {
    let mut best = 0usize;
    for (c, &v) in z.iter().enumerate() {
        if z.get(best).is_some_and(|&b| v > b) {
            best = c;
        }
    }
    best
}
