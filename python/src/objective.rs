//! The metric side of a framework's loss: per-class entries in, loss and the coefficients
//! `∂loss/∂a` of a positive and of a negative sample of each class out.

use std::collections::HashMap;

use anyloss_core::multiclass::{Average, Averaged, ErrorRate, Objective};
use anyloss_core::{Coefficients, Confusion, Degenerate};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use anyloss_dsl::AnyMetric;

use crate::metric::metric_arg;

/// What [`objective`] evaluates.
enum Chosen {
    Averaged(Averaged<AnyMetric>),
    Seed(ErrorRate),
}

/// The seed objectives by name.
fn seed(name: &str) -> Option<ErrorRate> {
    match name {
        "seed" => Some(ErrorRate::Original),
        "seed_normalized" => Some(ErrorRate::Normalized),
        _ => None,
    }
}

/// The policy where the metric is undefined: the core's default smoothing, or a fixed value.
pub fn degenerate(fallback: Option<f32>) -> PyResult<Degenerate> {
    match fallback {
        None => Ok(Degenerate::default()),
        Some(v) => Degenerate::Fallback(v)
            .validate()
            .map_err(|e| PyValueError::new_err(format!("fallback={v}: {e}"))),
    }
}

fn choose(
    metric: &Bound<'_, PyAny>,
    params: Option<HashMap<String, f64>>,
    average: Option<&str>,
    fallback: Option<f32>,
) -> PyResult<Chosen> {
    if let Some(s) = metric.extract::<String>().ok().as_deref().and_then(seed) {
        if average.is_some() || fallback.is_some() || params.as_ref().is_some_and(|p| !p.is_empty())
        {
            return Err(PyValueError::new_err(
                "the seed objective sum_c (FP_c+FN_c)/C takes no average, fallback or params",
            ));
        }
        return Ok(Chosen::Seed(s));
    }
    let average = match average {
        None => Average::Macro,
        Some(name) => Average::from_name(name).ok_or_else(|| {
            PyValueError::new_err(format!(
                "average={name:?}: expected \"macro\", \"micro\" or \"weighted\""
            ))
        })?,
    };
    let m = metric_arg(metric, params)?;
    let averaged = Averaged::new(m, average)
        .with_degenerate(degenerate(fallback)?)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(Chosen::Averaged(averaged))
}

/// The loss at per-class entries `entries[c] = (TP_c, FN_c, FP_c, TN_c)` with `support[c]`
/// the (weighted) number of labelled samples of class `c`, and per class `(∂loss/∂a of a positive, of a negative)`.
///
/// `metric`: a built-in name, a formula, an `anyloss.Metric`, or `"seed"` /
/// `"seed_normalized"` (the reference code's `Σ_c (FP_c+FN_c)/C`, and divided by `N`).
/// `average`: `"macro"` (default), `"micro"` or `"weighted"` (by `support`). With one
/// class and macro averaging this is exactly the binary loss. `fallback`: the value taken,
/// with zero gradient, where the metric is undefined, instead of the default smoothing (one
/// pseudo-count per cell).
#[pyfunction]
#[pyo3(signature = (metric, entries, support, average=None, fallback=None, params=None))]
pub fn objective(
    metric: &Bound<'_, PyAny>,
    entries: Vec<[f64; 4]>,
    support: Vec<f64>,
    average: Option<&str>,
    fallback: Option<f32>,
    params: Option<HashMap<String, f64>>,
) -> PyResult<(f32, Vec<(f32, f32)>)> {
    if entries.is_empty() {
        return Err(PyValueError::new_err(
            "entries: at least one class is required",
        ));
    }
    if support.len() != entries.len() {
        return Err(PyValueError::new_err(format!(
            "support has {} elements, entries {} classes",
            support.len(),
            entries.len()
        )));
    }
    let classes: Vec<Confusion> = entries
        .iter()
        .map(|e| Confusion::new(e[0] as f32, e[1] as f32, e[2] as f32, e[3] as f32))
        .collect();
    if let Some(c) = classes
        .iter()
        .position(|c| !c.is_finite() || [c.tp, c.fn_, c.fp, c.tn].iter().any(|&x| x < 0.0))
    {
        return Err(PyValueError::new_err(format!(
            "entries of class {c} must be finite and >= 0, got {:?}",
            entries[c]
        )));
    }
    if let Some(c) = support.iter().position(|&n| !(n.is_finite() && n >= 0.0)) {
        return Err(PyValueError::new_err(format!(
            "support of class {c} must be finite and >= 0, got {}",
            support[c]
        )));
    }
    let support: Vec<f32> = support.iter().map(|&n| n as f32).collect();
    let chosen = choose(metric, params, average, fallback)?;
    let mut coefficients = vec![Coefficients::default(); classes.len()];
    let loss = match &chosen {
        Chosen::Averaged(a) => a.evaluate(&classes, &support, &mut coefficients),
        Chosen::Seed(s) => s.evaluate(&classes, &support, &mut coefficients),
    };
    Ok((
        loss,
        coefficients
            .iter()
            .map(|k| (k.positive, k.negative))
            .collect(),
    ))
}
