//! Training the softmax head with cross-entropy: the multi-class baseline.

use crate::error::{Error, Parameter};

use super::cross_entropy::softmax_cross_entropy;
use super::dataset::Dataset;
use super::fit::{EpochReport, FitConfig};
use super::optimizer::Optimizer;
use super::rng::SplitMix64;
use super::softmax::{accumulate_class_gradients, logits, SoftmaxHead};
use super::standardize::Scaling;

/// Mean softmax cross-entropy over `rows`, and its gradient with respect to the head's
/// parameters written into `grad` (`C·(F+1)` values, overwritten). `probs` is scratch of
/// `C` values.
///
/// Errors: [`Error::Empty`] for no rows, [`Error::LengthMismatch`] for buffers of the wrong
/// length, [`Error::InvalidLabel`] (the row index) for a label `>= C`,
/// [`Error::NonFiniteUpdate`] if a logit overflows.
pub fn softmax_gradient<S: AsRef<[f32]> + AsMut<[f32]>>(
    head: &SoftmaxHead<S>,
    data: &Dataset<'_>,
    scaling: Scaling<'_>,
    rows: &[u32],
    probs: &mut [f32],
    grad: &mut [f32],
) -> Result<f32, Error> {
    head.check(scaling, data.n_features())?;
    for (expected, found) in [
        (head.classes(), probs.len()),
        (head.params().len(), grad.len()),
    ] {
        if expected != found {
            return Err(Error::LengthMismatch { expected, found });
        }
    }
    if rows.is_empty() {
        return Err(Error::Empty);
    }
    let f = head.n_features();
    let n = rows.len() as f32;
    grad.fill(0.0);
    let mut total = 0.0f32;
    for &i in rows {
        let (row, y) = data.sample(i)?;
        logits(head.params(), f, scaling, row, probs);
        if !probs.iter().all(|z| z.is_finite()) {
            return Err(Error::NonFiniteUpdate);
        }
        let y = usize::from(y);
        total +=
            softmax_cross_entropy(probs, y).ok_or(Error::InvalidLabel { index: i as usize })?;
        // ∂CE/∂z_c = p_c − [c = y], averaged over the batch.
        for (c, p) in probs.iter_mut().enumerate() {
            *p = (*p - f32::from(u8::from(c == y))) / n;
        }
        accumulate_class_gradients(grad, f, probs, scaling, row);
    }
    Ok(total / n)
}

/// Trains `head` with cross-entropy on the rows `train`, as [`crate::train::fit_binary`]
/// does for the logistic head (same batching, shuffling and safe steps;
/// `config.warm_start_epochs` does not apply). `probs` is scratch of `C` values, `grad` of
/// `C·(F+1)`.
#[allow(clippy::too_many_arguments)]
pub fn fit_softmax<S, O>(
    head: &mut SoftmaxHead<S>,
    optimizer: &mut O,
    data: &Dataset<'_>,
    scaling: Scaling<'_>,
    train: &mut [u32],
    config: &FitConfig,
    probs: &mut [f32],
    grad: &mut [f32],
    observe: impl FnMut(&EpochReport, &SoftmaxHead<S>),
) -> Result<(), Error>
where
    S: AsRef<[f32]> + AsMut<[f32]>,
    O: Optimizer + ?Sized,
{
    softmax_epochs(
        head,
        optimizer,
        train,
        config,
        grad,
        true,
        |head, batch, grad| softmax_gradient(head, data, scaling, batch, probs, grad),
        observe,
    )
}

/// The epoch loop of the softmax trainers: shuffled batches, one optimizer step per batch
/// on the gradient `batch_gradient` writes into `grad` (it returns the batch's mean loss),
/// and an [`EpochReport`] per epoch, whose `bce` is the loss when `cross_entropy` and 0
/// otherwise.
#[allow(clippy::too_many_arguments)]
pub(crate) fn softmax_epochs<S, O>(
    head: &mut SoftmaxHead<S>,
    optimizer: &mut O,
    train: &mut [u32],
    config: &FitConfig,
    grad: &mut [f32],
    cross_entropy: bool,
    mut batch_gradient: impl FnMut(&SoftmaxHead<S>, &[u32], &mut [f32]) -> Result<f32, Error>,
    mut observe: impl FnMut(&EpochReport, &SoftmaxHead<S>),
) -> Result<(), Error>
where
    S: AsRef<[f32]> + AsMut<[f32]>,
    O: Optimizer + ?Sized,
{
    if train.is_empty() {
        return Err(Error::Empty);
    }
    if optimizer.len() != head.params().len() {
        return Err(Error::InvalidParameter(Parameter::Shape));
    }
    let mut rng = SplitMix64::new(config.seed);
    for epoch in 1..=config.epochs {
        let (mut total, mut seen) = (0.0f32, 0.0f32);
        for batch in config.batching.epoch(train, &mut rng) {
            let l = batch_gradient(head, batch, grad)?;
            optimizer.step(head.params_mut(), grad)?;
            total += l * batch.len() as f32;
            seen += batch.len() as f32;
        }
        let loss = total / seen;
        let report = EpochReport {
            epoch,
            loss,
            bce: if cross_entropy { loss } else { 0.0 },
            warm_start: false,
        };
        observe(&report, head);
    }
    Ok(())
}

/// The `C×C` confusion matrix of `head` on `rows` into `matrix` (row = true class, column =
/// predicted class; zeroed first), using `logits` (`C` values) as scratch. Returns the
/// number of correct predictions.
pub fn evaluate_softmax<S: AsRef<[f32]> + AsMut<[f32]>>(
    head: &SoftmaxHead<S>,
    data: &Dataset<'_>,
    scaling: Scaling<'_>,
    rows: &[u32],
    logits: &mut [f32],
    matrix: &mut [u32],
) -> Result<u32, Error> {
    let c = head.classes();
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
        let predicted = head.predict(scaling, row, logits)?;
        let slot = matrix
            .get_mut(usize::from(y) * c + usize::from(predicted))
            .ok_or(Error::InvalidLabel { index: i as usize })?;
        *slot = slot.saturating_add(1);
        correct += u32::from(y == predicted);
    }
    Ok(correct)
}
