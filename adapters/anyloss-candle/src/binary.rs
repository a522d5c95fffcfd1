//! The binary loss: entries on the device, value and partials from anyloss, and a
//! surrogate whose gradient is exact.

use anyloss_adapter::{Check, Rejected};
use anyloss_core::{LossOutput, Metric};
use candle_core::{DType, Result, Tensor};

use crate::amplify::sigmoid_pair;
use crate::checks;
use crate::options::AnyLossOptions;

/// The loss tensor together with what anyloss computed from the entries.
#[derive(Debug, Clone)]
pub struct AnyLossOutput {
    /// `1 − M` as a 0-dim tensor of the outputs' dtype; `backward()` gives the exact gradient.
    pub loss: Tensor,
    /// The soft confusion entries, the metric value, its partials and the per-label
    /// coefficients `∂loss/∂A` (f32, as anyloss computes them).
    pub evaluation: LossOutput,
}

/// AnyLoss `1 − M(TP, FN, FP, TN)` of binary `outputs` (probabilities, or logits with
/// [`AnyLossOptions::with_logits`]) against `targets` (0/1, any dtype), as a 0-dim tensor
/// whose `backward()` gradient is exactly `∂(1 − M)/∂outputs`.
///
/// `outputs` and `targets` may have any shapes with the same number of elements (`[N]`,
/// `[N, 1]`, ...). The work per sample runs on the outputs' device; only the four entries
/// (and three error counts) are read back. `metric` is any [`Metric`]: a built-in
/// ([`anyloss_core::metrics::Builtin::from_name`]) or a formula
/// ([`anyloss_dsl::FormulaMetric::compile`]).
///
/// # Errors
/// Empty batch, mismatched element counts, probabilities outside `[0, 1]`, non-finite
/// logits, targets other than 0/1, negative or non-finite weights (each naming the first
/// bad index), an invalid option, or a candle error.
pub fn any_loss<M: Metric + ?Sized>(
    outputs: &Tensor,
    targets: &Tensor,
    metric: &M,
    options: &AnyLossOptions,
) -> Result<Tensor> {
    Ok(any_loss_output(outputs, targets, metric, options)?.loss)
}

/// [`any_loss`], also returning the entries, metric value and partials (for logging).
///
/// # Errors
/// As [`any_loss`].
pub fn any_loss_output<M: Metric + ?Sized>(
    outputs: &Tensor,
    targets: &Tensor,
    metric: &M,
    options: &AnyLossOptions,
) -> Result<AnyLossOutput> {
    let loss = options.binary_loss(metric)?;
    let n = outputs.elem_count();
    if n == 0 {
        return Err(crate::error("empty batch: at least one sample is required"));
    }
    if targets.elem_count() != n {
        return Err(crate::error(format!(
            "outputs {:?} and targets {:?} have different numbers of elements",
            outputs.shape(),
            targets.shape()
        )));
    }
    // Half precision cannot hold the amplifier's slopes: compute in f32 at least.
    let dtype = match outputs.dtype() {
        DType::F64 => DType::F64,
        _ => DType::F32,
    };
    let x = outputs.flatten_all()?.to_dtype(dtype)?;
    let y = targets.flatten_all()?.to_dtype(dtype)?.detach();
    let weights = match &options.weights {
        Some(w) if w.elem_count() != n => {
            return Err(crate::error(format!(
                "weights {:?} do not have one element per output ({n})",
                w.shape()
            )))
        }
        Some(w) => Some(w.flatten_all()?.to_dtype(dtype)?.detach()),
        None => None,
    };

    let input_check = Check::of_outputs(options.from_logits);
    let p = if options.from_logits {
        sigmoid_pair(&x)?.0
    } else {
        x.clone()
    };
    let l = f64::from(loss.amplifier().l());
    let t = f64::from(options.threshold);
    let (a, one_minus_a) = sigmoid_pair(&p.affine(l, -l * t)?)?;

    let (pos, neg) = {
        let neg = y.affine(-1.0, 1.0)?;
        match &weights {
            Some(w) => ((&y * w)?, (&neg * w)?),
            None => (y.clone(), neg),
        }
    };
    let tp = (&a * &pos)?.sum_all()?;
    let fp = (&a * &neg)?.sum_all()?;
    let fn_ = (&one_minus_a * &pos)?.sum_all()?.detach();
    let tn = (&one_minus_a * &neg)?.sum_all()?.detach();

    let counts = [
        checks::failures(input_check, &x)?,
        checks::failures(Check::Label, &y)?,
        match &weights {
            Some(w) => checks::failures(Check::Weight, w)?,
            None => Tensor::zeros((), DType::F32, x.device())?,
        },
    ];
    let entries = [&tp, &fn_, &fp, &tn].map(|e| e.detach().to_dtype(DType::F64));
    let mut scalars = Vec::with_capacity(anyloss_adapter::READ_BACK_LEN);
    for e in entries {
        scalars.push(e?);
    }
    for c in &counts {
        scalars.push(c.to_dtype(DType::F64)?);
    }
    // One device-to-host transfer for everything the host needs.
    let host = Tensor::stack(&scalars, 0)?.to_vec1::<f64>()?;
    let evaluation = anyloss_adapter::evaluate(&loss, input_check, &host).map_err(|r| match r {
        Rejected::Input(Check::Label) => checks::error(Check::Label, &y),
        Rejected::Input(Check::Weight) => match &weights {
            Some(w) => checks::error(Check::Weight, w),
            None => crate::error(r),
        },
        Rejected::Input(check) => checks::error(check, &x),
        other => crate::error(other),
    })?;

    // Σ_e ∂(1−M)/∂e · e, with the partials held constant: TP and FP carry every dependence
    // on A (FN = Σ w·y − TP, TN = Σ w·(1−y) − FP), so the per-label coefficients suffice.
    // A tensor product, not `affine`: candle drops `affine(0, _)` from the graph, and a
    // zero coefficient (the `Fallback` policy) must still give a (zero) gradient.
    let k = evaluation.coefficients;
    let coefficients = Tensor::new(&[k.positive, k.negative], x.device())?.to_dtype(dtype)?;
    let surrogate = (Tensor::stack(&[&tp, &fp], 0)? * coefficients)?.sum_all()?;
    let value = f64::from(evaluation.loss);
    let loss_tensor = (&surrogate - surrogate.detach())?
        .affine(1.0, value)?
        .to_dtype(outputs.dtype())?;
    Ok(AnyLossOutput {
        loss: loss_tensor,
        evaluation,
    })
}
