//! The loss module: entries with burn ops, value and partials from anyloss, and a surrogate
//! whose gradient is exact.

use anyloss_adapter::{Check, Rejected};
use anyloss_core::{BinaryLoss, LossOutput, Metric};
use burn::tensor::{backend::Backend, DType, Int, Tensor};

use crate::amplify::sigmoid_pair;
use crate::checks;
use crate::error::AnyLossError;

/// AnyLoss `1 − M(TP, FN, FP, TN)` for binary outputs, built by [`crate::AnyLossConfig`].
///
/// Generic over the backend: the per-sample work runs on the outputs' device with burn's
/// tensor ops, and only the four confusion entries (and three error counts) are read back.
#[derive(Debug, Clone)]
pub struct AnyLoss<M> {
    loss: BinaryLoss<M>,
    threshold: f32,
    logits: bool,
}

/// The loss tensor together with what anyloss computed from the entries.
#[derive(Debug, Clone)]
pub struct AnyLossOutput<B: Backend> {
    /// `1 − M` as a one-element tensor; its backward pass gives the exact gradient.
    pub loss: Tensor<B, 1>,
    /// The soft confusion entries, metric value, partials and per-label coefficients.
    pub evaluation: LossOutput,
}

impl<M: Metric> AnyLoss<M> {
    pub(crate) fn new(loss: BinaryLoss<M>, threshold: f32, logits: bool) -> Self {
        Self {
            loss,
            threshold,
            logits,
        }
    }

    /// The loss of `outputs` (probabilities, or logits if configured) against 0/1
    /// `targets` of the same shape, as a one-element tensor.
    ///
    /// # Panics
    /// On invalid input (different shapes, an empty batch, probabilities outside `[0, 1]`,
    /// non-finite logits, targets other than 0/1), with the message of
    /// [`AnyLoss::try_forward`], as burn's own losses do. Use `try_forward` to get an `Err`.
    pub fn forward<B: Backend, const D: usize>(
        &self,
        outputs: Tensor<B, D>,
        targets: Tensor<B, D, Int>,
    ) -> Tensor<B, 1> {
        match self.try_forward(outputs, targets, None) {
            Ok(out) => out.loss,
            Err(e) => panic!("{e}"),
        }
    }

    /// [`AnyLoss::forward`] with non-negative per-sample `weights` of the outputs' shape:
    /// each sample counts `w` times in the confusion entries.
    ///
    /// # Panics
    /// As [`AnyLoss::forward`], and on negative or non-finite weights.
    pub fn forward_weighted<B: Backend, const D: usize>(
        &self,
        outputs: Tensor<B, D>,
        targets: Tensor<B, D, Int>,
        weights: Tensor<B, D>,
    ) -> Tensor<B, 1> {
        match self.try_forward(outputs, targets, Some(weights)) {
            Ok(out) => out.loss,
            Err(e) => panic!("{e}"),
        }
    }

    /// The loss, its entries and partials, or an error naming the first bad input.
    ///
    /// # Errors
    /// Different shapes, an empty batch, probabilities outside `[0, 1]`, non-finite
    /// logits, targets other than 0/1, negative or non-finite weights, entries that
    /// overflow f32, or a backend read failure.
    pub fn try_forward<B: Backend, const D: usize>(
        &self,
        outputs: Tensor<B, D>,
        targets: Tensor<B, D, Int>,
        weights: Option<Tensor<B, D>>,
    ) -> Result<AnyLossOutput<B>, AnyLossError> {
        let dims = outputs.dims();
        if targets.dims() != dims {
            return Err(AnyLossError(format!(
                "outputs {dims:?} and targets {:?} have different shapes",
                targets.dims()
            )));
        }
        if let Some(w) = &weights {
            if w.dims() != dims {
                return Err(AnyLossError(format!(
                    "weights {:?} do not have the outputs' shape {dims:?}",
                    w.dims()
                )));
            }
        }
        let n: usize = dims.iter().product();
        if n == 0 {
            return Err(AnyLossError(
                "empty batch: at least one sample is required".into(),
            ));
        }
        // burn's float dtype is a run-time property (the device's default, f32, unless the
        // tensor was made otherwise). Half precision cannot hold the amplifier's slopes:
        // compute in f64 for f64 outputs, else in f32, and bring everything to that type.
        let dtype = match outputs.dtype() {
            DType::F64 => DType::F64,
            _ => DType::F32,
        };
        let x: Tensor<B, 1> = outputs.reshape([n]).cast(dtype);
        let y: Tensor<B, 1> = targets.reshape([n]).float().cast(dtype);
        let w: Option<Tensor<B, 1>> = weights.map(|w| w.reshape([n]).detach().cast(dtype));

        let input_check = Check::of_outputs(self.logits);
        let p = if self.logits {
            sigmoid_pair(x.clone()).0
        } else {
            x.clone()
        };
        let l = self.loss.amplifier().l();
        let (a, one_minus_a) = sigmoid_pair(p.sub_scalar(self.threshold).mul_scalar(l));
        let neg = y.clone().neg().add_scalar(1.0);
        let (pos, neg) = match &w {
            Some(w) => (y.clone() * w.clone(), neg * w.clone()),
            None => (y.clone(), neg),
        };
        let tp = (a.clone() * pos.clone()).sum();
        let fp = (a * neg.clone()).sum();
        let fn_ = (one_minus_a.clone() * pos).sum();
        let tn = (one_minus_a * neg).sum();

        let weight_failures = match &w {
            Some(w) => checks::failures(Check::Weight, w.clone()),
            None => Tensor::zeros([1], &x.device()),
        };
        let counts = [
            checks::failures(input_check, x.clone()),
            checks::failures(Check::Label, y.clone()),
            weight_failures,
        ]
        .map(|c| c.cast(dtype));
        // One device-to-host transfer for everything the host needs.
        let host: Vec<f64> = Tensor::cat(
            vec![
                tp.clone().detach(),
                fn_.detach(),
                fp.clone().detach(),
                tn.detach(),
            ]
            .into_iter()
            .chain(counts)
            .collect(),
            0,
        )
        .try_into_data()
        .map_err(|e| AnyLossError(format!("reading the confusion entries: {e:?}")))?
        .iter::<f64>()
        .collect();
        let evaluation =
            anyloss_adapter::evaluate(&self.loss, input_check, &host).map_err(|r| match r {
                Rejected::Input(Check::Label) => checks::error(Check::Label, y),
                Rejected::Input(Check::Weight) => match w {
                    Some(w) => checks::error(Check::Weight, w),
                    None => AnyLossError(r.to_string()),
                },
                Rejected::Input(check) => checks::error(check, x),
                other => AnyLossError(other.to_string()),
            })?;

        // Σ_e ∂(1−M)/∂e · e, with the partials held constant: TP and FP carry every
        // dependence on A (FN = Σ w·y − TP, TN = Σ w·(1−y) − FP), so the per-label
        // coefficients suffice.
        let k = evaluation.coefficients;
        let surrogate = tp.mul_scalar(k.positive) + fp.mul_scalar(k.negative);
        let loss = (surrogate.clone() - surrogate.detach()).add_scalar(evaluation.loss);
        Ok(AnyLossOutput { loss, evaluation })
    }
}
