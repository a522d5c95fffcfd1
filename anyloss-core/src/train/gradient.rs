//! The loss of a logistic head over a batch and its gradient with respect to the head's
//! parameters, with the metric term computed by the exact two-pass accumulation.
//!
//! The batch (any list of row indices: a mini-batch, or every training row for a
//! full-dataset epoch) is streamed through a fixed chunk buffer:
//! 1. per chunk: logits, labels, BCE, and the chunk's soft confusion entries
//!    ([`crate::BinaryLoss::confusion`]); the entries are summed over chunks;
//! 2. the metric is evaluated once on the sum ([`crate::BinaryLoss::evaluate`]);
//! 3. per chunk again: logits recomputed, `∂(1−M)/∂z` from [`crate::BinaryLoss::gradient`], mixed
//!    with BCE's `(p − y)/n`, and folded into `∂loss/∂(w, b)`.
//!
//! So the gradient is that of the whole batch's metric, not an average of chunk metrics,
//! whatever the chunk size. A batch that fits one chunk skips the recomputation.

use crate::amplifier::sigmoid;
use crate::binary::LossOutput;
use crate::confusion::Confusion;
use crate::error::{Error, Parameter};
use crate::metric::Metric;
use crate::samples::Input;

use super::cross_entropy::bce_with_logit;
use super::dataset::Dataset;
use super::logistic::{accumulate_gradient, logit, LogisticHead};
use super::objective::BinaryObjective;
use super::standardize::Scaling;

/// The chunk buffers of the two-pass batch gradient. The chunk holds
/// `min(logits.len(), dz.len(), labels.len())` samples: 9 bytes per sample.
#[derive(Debug)]
pub struct ChunkScratch<'a> {
    /// Logits of the chunk's samples.
    pub logits: &'a mut [f32],
    /// `∂(1−M)/∂z` of the chunk's samples.
    pub dz: &'a mut [f32],
    /// Labels of the chunk's samples.
    pub labels: &'a mut [u8],
}

impl ChunkScratch<'_> {
    fn capacity(&self) -> usize {
        self.logits.len().min(self.dz.len()).min(self.labels.len())
    }
}

/// The loss of one batch, by part.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BatchLoss {
    /// The objective `(1 − r)·BCE + r·(1 − M)`.
    pub loss: f32,
    /// Mean binary cross-entropy.
    pub bce: f32,
    /// The soft metric value `M`, when the objective has a metric term.
    pub metric: Option<f32>,
}

/// Writes `∂loss/∂(w, b)` of the batch `rows` into `grad` (overwritten; `F + 1` values) and
/// returns the loss.
///
/// Errors: [`Error::Empty`] for no rows or a zero-length chunk buffer,
/// [`Error::LengthMismatch`] for `grad`, `scaling` or data of the wrong width,
/// `InvalidParameter(Shape)` for a row index out of range, [`Error::InvalidLabel`] (the row
/// index) for a label other than 0 or 1, [`Error::NonFiniteUpdate`] if a logit overflows.
#[allow(clippy::too_many_arguments)]
pub fn binary_gradient<M: Metric, S: AsRef<[f32]> + AsMut<[f32]>>(
    head: &LogisticHead<S>,
    objective: &BinaryObjective<M>,
    data: &Dataset<'_>,
    scaling: Scaling<'_>,
    rows: &[u32],
    scratch: &mut ChunkScratch<'_>,
    grad: &mut [f32],
) -> Result<BatchLoss, Error> {
    head.check(scaling, data.n_features())?;
    if grad.len() != head.params().len() {
        return Err(Error::LengthMismatch {
            expected: head.params().len(),
            found: grad.len(),
        });
    }
    let chunk = scratch.capacity();
    if rows.is_empty() || chunk == 0 {
        return Err(Error::Empty);
    }
    let params = head.params();
    let metric = objective.weighted_metric();
    let single = rows.len() <= chunk;
    let n = rows.len() as f32;

    let mut bce_sum = 0.0f32;
    let mut entries = Confusion::default();
    let mut metric_out: Option<LossOutput> = None;
    for part in rows.chunks(chunk) {
        let (z, y, dz) = fill(params, data, scaling, part, scratch)?;
        for (&zk, &yk) in z.iter().zip(y.iter()) {
            bce_sum += bce_with_logit(zk, yk).0;
        }
        if let Some((loss, _)) = metric {
            if single {
                metric_out = Some(loss.loss_and_grad(y, Input::Logits(z), dz)?);
            } else {
                entries += loss.confusion(y, Input::Logits(z))?;
            }
        }
    }
    if let (Some((loss, _)), false) = (metric, single) {
        metric_out = Some(loss.evaluate(&entries));
    }

    grad.fill(0.0);
    let r = metric.map_or(0.0, |(_, r)| r);
    let bce_weight = (1.0 - r) / n;
    for part in rows.chunks(chunk) {
        let (z, y, dz) = if single {
            chunk_views(scratch, part.len())
        } else {
            let (z, y, dz) = fill(params, data, scaling, part, scratch)?;
            if let (Some((loss, _)), Some(out)) = (metric, &metric_out) {
                loss.gradient(out, y, Input::Logits(z), dz)?;
            }
            (z, y, dz)
        };
        for (k, &i) in part.iter().enumerate() {
            let (row, _) = data.sample(i)?;
            let (Some(&zk), Some(&yk)) = (z.get(k), y.get(k)) else {
                return Err(Error::InvalidParameter(Parameter::Shape));
            };
            let mut d = bce_weight * (sigmoid(zk).0 - f32::from(yk));
            if metric.is_some() {
                d += r * dz.get(k).copied().unwrap_or(0.0);
            }
            accumulate_gradient(grad, d, scaling, row);
        }
    }
    let bce = bce_sum / n;
    let metric_loss = metric_out.map(|o| o.loss);
    Ok(BatchLoss {
        loss: (1.0 - r) * bce + r * metric_loss.unwrap_or(0.0),
        bce,
        metric: metric_out.map(|o| o.metric),
    })
}

type Views<'s> = (&'s [f32], &'s [u8], &'s mut [f32]);

/// Logits and labels of `part` into the chunk buffers; returns the filled prefixes.
fn fill<'s>(
    params: &[f32],
    data: &Dataset<'_>,
    scaling: Scaling<'_>,
    part: &[u32],
    scratch: &'s mut ChunkScratch<'_>,
) -> Result<Views<'s>, Error> {
    for ((&i, z), y) in part
        .iter()
        .zip(scratch.logits.iter_mut())
        .zip(scratch.labels.iter_mut())
    {
        let (row, label) = data.sample(i)?;
        if label > 1 {
            return Err(Error::InvalidLabel { index: i as usize });
        }
        *z = logit(params, scaling, row);
        if !z.is_finite() {
            return Err(Error::NonFiniteUpdate);
        }
        *y = label;
    }
    Ok(chunk_views(scratch, part.len()))
}

fn chunk_views<'s>(scratch: &'s mut ChunkScratch<'_>, len: usize) -> Views<'s> {
    let len = len.min(scratch.capacity());
    let z = scratch.logits.get(..len).unwrap_or(&[]);
    let y = scratch.labels.get(..len).unwrap_or(&[]);
    let dz = scratch.dz.get_mut(..len).unwrap_or(&mut []);
    (z, y, dz)
}
