//! Training the softmax head with a multi-class metric loss ([`MulticlassLoss`]: an averaged
//! metric of the one-vs-rest soft entries through the softmax), by the same two-pass chunked
//! accumulation as the binary head: the batch's per-class entries are summed over chunks,
//! the objective is evaluated once, then each chunk gets its part of the exact gradient.

use crate::error::{Error, Parameter};
use crate::multiclass::{ClassConfusion, Layout, MulticlassLoss, MulticlassOutput, Objective};
use crate::samples::Input;

use super::dataset::Dataset;
use super::fit::{EpochReport, FitConfig};
use super::optimizer::Optimizer;
use super::softmax::{accumulate_class_gradients, logits, SoftmaxHead};
use super::standardize::Scaling;

/// The chunk buffers of the multi-class two-pass gradient: logits and `∂loss/∂z` of `K`
/// samples (`K·C` values each) and their labels (`K`). `K` is `labels.len()`; both `f32`
/// buffers must hold `K·C` values. RAM: `(8C + 1)·K` bytes.
#[derive(Debug)]
pub struct ClassChunkScratch<'a> {
    /// Logits, `[K][C]`.
    pub logits: &'a mut [f32],
    /// `∂loss/∂z`, `[K][C]`.
    pub dz: &'a mut [f32],
    /// Labels, `[K]`.
    pub labels: &'a mut [u8],
}

/// The metric loss of the batch `rows` and its gradient with respect to the head's
/// parameters, written into `grad` (`C·(F+1)` values, overwritten).
///
/// Errors: [`Error::Empty`] for no rows or an empty chunk, [`Error::LengthMismatch`] and
/// `InvalidParameter(Shape)` for buffers that do not fit `C` and `F`, those of
/// [`MulticlassLoss`] (a label `>= C` is [`Error::InvalidLabel`]), and
/// [`Error::NonFiniteUpdate`] if a logit overflows.
#[allow(clippy::too_many_arguments)]
pub fn softmax_metric_gradient<const C: usize, O: Objective, S: AsRef<[f32]> + AsMut<[f32]>>(
    head: &SoftmaxHead<S>,
    loss: &MulticlassLoss<O>,
    data: &Dataset<'_>,
    scaling: Scaling<'_>,
    rows: &[u32],
    scratch: &mut ClassChunkScratch<'_>,
    grad: &mut [f32],
) -> Result<f32, Error> {
    head.check(scaling, data.n_features())?;
    if head.classes() != C {
        return Err(Error::InvalidParameter(Parameter::Shape));
    }
    if grad.len() != head.params().len() {
        return Err(Error::LengthMismatch {
            expected: head.params().len(),
            found: grad.len(),
        });
    }
    let chunk = scratch.labels.len();
    for len in [scratch.logits.len(), scratch.dz.len()] {
        if len != chunk * C {
            return Err(Error::LengthMismatch {
                expected: chunk * C,
                found: len,
            });
        }
    }
    if rows.is_empty() || chunk == 0 {
        return Err(Error::Empty);
    }
    let f = head.n_features();
    let single = rows.len() <= chunk;
    let mut entries = ClassConfusion::<C>::default();
    let mut out: Option<MulticlassOutput<C>> = None;
    for part in rows.chunks(chunk) {
        let (layout, z, y, dz) = fill::<C>(head.params(), f, data, scaling, part, scratch)?;
        if single {
            out = Some(loss.loss_and_grad(&layout, y, Input::Logits(z), dz)?);
        } else {
            entries += loss.confusion(&layout, y, Input::Logits(z))?;
        }
    }
    let out = match out {
        Some(o) => o,
        None => loss.evaluate(&entries),
    };
    grad.fill(0.0);
    for part in rows.chunks(chunk) {
        if !single {
            let (layout, z, y, dz) = fill::<C>(head.params(), f, data, scaling, part, scratch)?;
            loss.gradient(&out, &layout, y, Input::Logits(z), dz)?;
        }
        for (&i, d) in part.iter().zip(scratch.dz.chunks_exact(C)) {
            let (row, _) = data.sample(i)?;
            accumulate_class_gradients(grad, f, d, scaling, row);
        }
    }
    Ok(out.loss)
}

type ClassViews<'s, const C: usize> = (Layout<C>, &'s [f32], &'s [u8], &'s mut [f32]);

fn fill<'s, const C: usize>(
    params: &[f32],
    f: usize,
    data: &Dataset<'_>,
    scaling: Scaling<'_>,
    part: &[u32],
    scratch: &'s mut ClassChunkScratch<'_>,
) -> Result<ClassViews<'s, C>, Error> {
    for ((&i, z), y) in part
        .iter()
        .zip(scratch.logits.chunks_exact_mut(C))
        .zip(scratch.labels.iter_mut())
    {
        let (row, label) = data.sample(i)?;
        logits(params, f, scaling, row, z);
        if !z.iter().all(|v| v.is_finite()) {
            return Err(Error::NonFiniteUpdate);
        }
        *y = label;
    }
    let n = part.len();
    let layout = Layout::<C>::sample_major(n)?;
    let z = scratch.logits.get(..n * C).unwrap_or(&[]);
    let y = scratch.labels.get(..n).unwrap_or(&[]);
    let dz = scratch.dz.get_mut(..n * C).unwrap_or(&mut []);
    Ok((layout, z, y, dz))
}

/// Trains `head` on the rows `train` with the multi-class metric loss `loss`, as
/// [`crate::train::fit_softmax`] does with cross-entropy (same batching, shuffling and safe
/// steps; `config.warm_start_epochs` does not apply: warm-start with
/// [`crate::train::fit_softmax`] first if wanted).
#[allow(clippy::too_many_arguments)]
pub fn fit_softmax_metric<const C: usize, O, S, Opt>(
    head: &mut SoftmaxHead<S>,
    optimizer: &mut Opt,
    loss: &MulticlassLoss<O>,
    data: &Dataset<'_>,
    scaling: Scaling<'_>,
    train: &mut [u32],
    config: &FitConfig,
    scratch: &mut ClassChunkScratch<'_>,
    grad: &mut [f32],
    observe: impl FnMut(&EpochReport, &SoftmaxHead<S>),
) -> Result<(), Error>
where
    O: Objective,
    S: AsRef<[f32]> + AsMut<[f32]>,
    Opt: Optimizer + ?Sized,
{
    super::fit_softmax::softmax_epochs(
        head,
        optimizer,
        train,
        config,
        grad,
        false,
        |head, batch, grad| {
            softmax_metric_gradient::<C, O, S>(head, loss, data, scaling, batch, scratch, grad)
        },
        observe,
    )
}
