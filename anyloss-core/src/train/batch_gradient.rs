//! The loss of a head over a batch and its gradient with respect to the head's parameters,
//! by the exact two-pass accumulation, for every head and every objective.
//!
//! The batch (any list of row indices: a mini-batch, or every training row for a
//! full-dataset epoch) is streamed through the fixed chunk buffers of [`Scratch`]:
//! 1. per chunk: each row standardised, its logits from [`Head::forward`], and the chunk's
//!    contribution to the objective's sums ([`BatchObjective::accumulate`]);
//! 2. the objective evaluated once on the sums;
//! 3. per chunk again (logits recomputed unless the batch fit one chunk):
//!    `∂loss/∂logits` from [`BatchObjective::gradient`], then per sample
//!    [`Head::backward`] folds it into `∂loss/∂params`.
//!
//! So the gradient is that of the whole batch's loss, whatever the chunk size.

use crate::error::Error;

use super::batch_objective::{BatchLoss, BatchObjective};
use super::dataset::Dataset;
use super::head::Head;
use super::scratch::Scratch;
use super::standardize::Scaling;

/// Writes `∂loss/∂params` of the batch `rows` into `scratch.grad` (overwritten) and returns
/// the loss. The caller has checked the head, the scratch and the widths.
///
/// Errors: [`Error::Empty`] for no rows, `InvalidParameter(Shape)` for a row index out of
/// range, [`Error::InvalidLabel`] (the row index) for a label the objective does not know,
/// [`Error::NonFiniteUpdate`] if a logit overflows, and the objective's errors.
pub(crate) fn batch_gradient<H: Head + ?Sized, O: BatchObjective>(
    head: &H,
    objective: &O,
    data: &Dataset<'_>,
    scaling: Scaling<'_>,
    rows: &[u32],
    scratch: &mut Scratch<'_>,
) -> Result<BatchLoss, Error> {
    let k = scratch.labels.len().max(1);
    if rows.is_empty() {
        return Err(Error::Empty);
    }
    let o = objective.outputs();
    let n = rows.len();
    let single = n <= k;
    let mut sums = O::Sums::default();
    for part in rows.chunks(k) {
        let len = fill(head, objective, data, scaling, part, scratch)?;
        let (z, y) = chunk(scratch, len, o);
        objective.accumulate(&mut sums, z, y)?;
    }
    let (loss, evaluated) = objective.evaluate(&sums, n);
    scratch.grad.fill(0.0);
    for part in rows.chunks(k) {
        let len = if single {
            part.len()
        } else {
            fill(head, objective, data, scaling, part, scratch)?
        };
        let Scratch {
            input,
            work,
            logits,
            dz,
            labels,
            grad,
        } = scratch;
        let z = logits.get(..len * o).unwrap_or(&[]);
        let y = labels.get(..len).unwrap_or(&[]);
        let dz = dz.get_mut(..len * o).unwrap_or(&mut []);
        objective.gradient(&evaluated, z, y, n, dz)?;
        for (&i, d) in part.iter().zip(dz.chunks_exact(o)) {
            let (row, _) = data.sample(i)?;
            standardize(scaling, row, input);
            head.backward(input, d, work, grad);
        }
    }
    Ok(loss)
}

/// The standardised `row` into `x`.
#[inline]
pub(crate) fn standardize(scaling: Scaling<'_>, row: &[f32], x: &mut [f32]) {
    for (j, (v, &r)) in x.iter_mut().zip(row).enumerate() {
        *v = scaling.apply(j, r);
    }
}

/// Logits and labels of `part` into the chunk buffers; returns the number of samples.
fn fill<H: Head + ?Sized, O: BatchObjective>(
    head: &H,
    objective: &O,
    data: &Dataset<'_>,
    scaling: Scaling<'_>,
    part: &[u32],
    scratch: &mut Scratch<'_>,
) -> Result<usize, Error> {
    let o = objective.outputs();
    for ((&i, z), y) in part
        .iter()
        .zip(scratch.logits.chunks_exact_mut(o))
        .zip(scratch.labels.iter_mut())
    {
        let (row, label) = data.sample(i)?;
        if !objective.valid_label(label) {
            return Err(Error::InvalidLabel { index: i as usize });
        }
        standardize(scaling, row, scratch.input);
        head.forward(scratch.input, scratch.work, z);
        if !z.iter().all(|v| v.is_finite()) {
            return Err(Error::NonFiniteUpdate);
        }
        *y = label;
    }
    Ok(part.len())
}

fn chunk<'s>(scratch: &'s Scratch<'_>, len: usize, o: usize) -> (&'s [f32], &'s [u8]) {
    (
        scratch.logits.get(..len * o).unwrap_or(&[]),
        scratch.labels.get(..len).unwrap_or(&[]),
    )
}
