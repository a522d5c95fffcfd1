//! The native module of the `anyloss` Python package: the core's binary loss on NumPy
//! arrays, metrics by name or formula, and the metric side of the PyTorch modules (the
//! loss and its coefficients at a handful of confusion entries).
#![forbid(unsafe_code)]

mod arrays;
mod metric;
mod objective;

use std::collections::HashMap;

use anyloss_core::{Amplifier, BinaryLoss, Error, Logits, LossOutput, Probs};
use numpy::{PyArray1, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::metric::{metric_arg, PyMetric};

/// The binary AnyLoss `1 − M` of `labels` (0/1, `uint8`) and `outputs` (`float32`
/// probabilities in [0, 1], or logits with `from_logits=True`), and its exact gradient.
///
/// Returns `(loss, grad, entries)`: `grad` has the outputs' shape and is `∂loss/∂outputs`,
/// `entries` the soft confusion entries `{"tp", "fn", "fp", "tn"}`.
#[pyfunction]
#[pyo3(signature = (labels, outputs, metric, L, threshold, weight, from_logits, params, fallback))]
#[allow(non_snake_case, clippy::too_many_arguments)]
fn loss_and_grad<'py>(
    py: Python<'py>,
    labels: &Bound<'py, PyAny>,
    outputs: &Bound<'py, PyAny>,
    metric: &Bound<'py, PyAny>,
    L: f32,
    threshold: f32,
    weight: Option<&Bound<'py, PyAny>>,
    from_logits: bool,
    params: Option<HashMap<String, f64>>,
    fallback: Option<f32>,
) -> PyResult<(f32, Bound<'py, PyAny>, Bound<'py, PyDict>)> {
    let resolved = metric_arg(metric, params)?;
    let amplifier = Amplifier::new(L)
        .map_err(|e| PyValueError::new_err(format!("L={L}: {e}")))?
        .with_threshold(threshold)
        .map_err(|e| PyValueError::new_err(format!("threshold={threshold}: {e}")))?;
    let kind = if from_logits {
        "logits"
    } else {
        "probabilities"
    };
    let labels = arrays::typed::<u8>(labels, "labels", "uint8", " (use labels.astype(np.uint8))")?;
    let outputs = arrays::typed::<f32>(
        outputs,
        "outputs",
        "float32",
        " (use outputs.astype(np.float32))",
    )?;
    let shape = outputs.shape().to_vec();
    arrays::same_shape("labels", &labels, &shape)?;
    let weight = weight
        .map(|w| arrays::typed::<f32>(w, "weight", "float32", " (use weight.astype(np.float32))"))
        .transpose()?;
    if let Some(w) = &weight {
        arrays::same_shape("weight", w, &shape)?;
    }
    let loss = BinaryLoss::new(resolved)
        .with_amplifier(amplifier)
        .with_degenerate(objective::degenerate(fallback)?)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let (y, x) = (arrays::c_order(&labels), arrays::c_order(&outputs));
    let w = weight.as_ref().map(arrays::c_order);
    let mut grad = vec![0.0f32; x.len()];
    let result: Result<LossOutput, Error> = py.detach(|| match (&w, from_logits) {
        (None, false) => loss.loss_and_grad(&y, Probs(&x), &mut grad),
        (None, true) => loss.loss_and_grad(&y, Logits(&x), &mut grad),
        (Some(w), false) => loss.loss_and_grad_weighted(&y, Probs(&x), w, &mut grad),
        (Some(w), true) => loss.loss_and_grad_weighted(&y, Logits(&x), w, &mut grad),
    });
    let out = result.map_err(|e| input_error(e, &shape, kind))?;
    let grad = PyArray1::from_vec(py, grad).reshape(shape)?.into_any();
    let entries = PyDict::new(py);
    entries.set_item("tp", out.confusion.tp)?;
    entries.set_item("fn", out.confusion.fn_)?;
    entries.set_item("fp", out.confusion.fp)?;
    entries.set_item("tn", out.confusion.tn)?;
    Ok((out.loss, grad, entries))
}

/// A core error as a `ValueError`, with flat indices turned into positions of `shape`.
fn input_error(e: Error, shape: &[usize], kind: &str) -> PyErr {
    let at = |index: usize| {
        let mut rest = index;
        let mut pos = vec![0usize; shape.len()];
        for (p, &n) in pos.iter_mut().zip(shape).rev() {
            if n > 0 {
                *p = rest % n;
                rest /= n;
            }
        }
        format!("{pos:?}")
    };
    let message = match e {
        Error::NonFinite { index } => format!("outputs{} is NaN or infinite", at(index)),
        Error::ProbabilityOutOfRange { index } => format!(
            "outputs{} is outside [0, 1] (pass from_logits=True for logits; {kind} expected)",
            at(index)
        ),
        Error::InvalidLabel { index } => format!("labels{} is not 0 or 1", at(index)),
        Error::NonFiniteWeight { index } => format!("weight{} is NaN or infinite", at(index)),
        Error::NegativeWeight { index } => format!("weight{} is negative", at(index)),
        Error::Empty => "empty input: at least one sample is required".to_string(),
        other => other.to_string(),
    };
    PyValueError::new_err(message)
}

/// The `anyloss._native` module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMetric>()?;
    m.add_function(wrap_pyfunction!(loss_and_grad, m)?)?;
    m.add_function(wrap_pyfunction!(objective::objective, m)?)?;
    m.add(
        "BUILTIN_METRICS",
        anyloss_core::metrics::Builtin::NAMES.to_vec(),
    )?;
    Ok(())
}
