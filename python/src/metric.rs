//! `anyloss.Metric`: a built-in metric by name, or any other text as a metric formula.

use std::collections::HashMap;

use anyloss_core::{Confusion, Evaluation, Metric as CoreMetric};
use anyloss_dsl::AnyMetric;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// `text` with `params` as [`AnyMetric::parse`] reads it (a built-in name, else a formula),
/// the parameters in a stable order.
pub fn resolve(text: &str, params: &HashMap<String, f64>) -> Result<AnyMetric, String> {
    let mut bindings: Vec<(&str, f64)> = params.iter().map(|(k, &v)| (k.as_str(), v)).collect();
    bindings.sort_by(|a, b| a.0.cmp(b.0));
    AnyMetric::parse(text, &bindings).map_err(|e| e.to_string())
}

/// A classification metric of the four (soft) confusion entries with its exact partials:
/// a built-in name (`f1`, `gmean`, `mcc`, ...) or a formula such as
/// `"2*TP/(2*TP+FP+FN)"`; `params` binds `beta`/`alpha` of `fbeta`/`tversky` or the
/// parameters of a formula.
#[pyclass(module = "anyloss", name = "Metric", frozen)]
#[derive(Debug, Clone)]
pub struct PyMetric {
    /// The text it was made from.
    text: String,
    /// The resolved metric.
    pub resolved: AnyMetric,
}

#[pymethods]
impl PyMetric {
    #[new]
    #[pyo3(signature = (text_or_name, params=None))]
    fn new(text_or_name: &str, params: Option<HashMap<String, f64>>) -> PyResult<Self> {
        let resolved =
            resolve(text_or_name, &params.unwrap_or_default()).map_err(PyValueError::new_err)?;
        Ok(Self {
            text: text_or_name.to_string(),
            resolved,
        })
    }

    /// The metric at `(tp, fn, fp, tn)`, or `None` where it (or a partial) is undefined,
    /// e.g. recall of a batch without positives.
    #[pyo3(signature = (tp, r#fn, fp, tn))]
    fn value(&self, tp: f32, r#fn: f32, fp: f32, tn: f32) -> PyResult<Option<f32>> {
        Ok(self.at(tp, r#fn, fp, tn)?.map(|e| e.value))
    }

    /// `(dM/dTP, dM/dFN, dM/dFP, dM/dTN)` at `(tp, fn, fp, tn)`, or `None` where undefined.
    #[pyo3(signature = (tp, r#fn, fp, tn))]
    fn partials(
        &self,
        tp: f32,
        r#fn: f32,
        fp: f32,
        tn: f32,
    ) -> PyResult<Option<(f32, f32, f32, f32)>> {
        Ok(self
            .at(tp, r#fn, fp, tn)?
            .map(|e| (e.partials.tp, e.partials.fn_, e.partials.fp, e.partials.tn)))
    }

    /// Where the formula is undefined over non-negative counts, one sentence per issue
    /// (an empty list: defined everywhere). Built-in metrics document their undefined
    /// points instead; for them this raises `ValueError`.
    fn check(&self) -> PyResult<Vec<String>> {
        match &self.resolved {
            AnyMetric::Formula(f) => Ok(f.domain_issues().iter().map(|i| i.to_string()).collect()),
            AnyMetric::Builtin(b) => Err(PyValueError::new_err(format!(
                "check() analyses formulas; `{}` is a built-in metric (see its documentation \
                 in anyloss_core::metrics for where it is undefined)",
                b.name()
            ))),
        }
    }

    /// Rust source of a `no_std` unit struct `name` implementing `anyloss_core::Metric`
    /// (formulas only; a built-in already is one, in `anyloss_core::metrics`).
    fn to_rust(&self, name: &str) -> PyResult<String> {
        match &self.resolved {
            AnyMetric::Formula(f) => f
                .to_rust(name)
                .map_err(|d| PyValueError::new_err(d.to_string())),
            AnyMetric::Builtin(b) => Err(PyValueError::new_err(format!(
                "to_rust() generates code for formulas; `{}` is a built-in metric, already \
                 available in Rust as anyloss_core::metrics::Builtin::from_name(\"{}\", ..)",
                b.name(),
                b.name()
            ))),
        }
    }

    /// True for a formula, false for a built-in metric.
    #[getter]
    fn is_formula(&self) -> bool {
        matches!(self.resolved, AnyMetric::Formula(_))
    }

    /// The text the metric was made from.
    #[getter]
    fn text(&self) -> &str {
        &self.text
    }

    fn __repr__(&self) -> String {
        format!("anyloss.Metric({:?})", self.text)
    }
}

impl PyMetric {
    fn at(&self, tp: f32, fn_: f32, fp: f32, tn: f32) -> PyResult<Option<Evaluation>> {
        let c = Confusion::new(tp, fn_, fp, tn);
        if !c.is_finite() {
            return Err(PyValueError::new_err(format!(
                "confusion entries must be finite, got tp={tp}, fn={fn_}, fp={fp}, tn={tn}"
            )));
        }
        Ok(self.resolved.evaluate(&c).filter(Evaluation::is_finite))
    }
}

/// A metric argument: an `anyloss.Metric`, or text resolved with `params`.
pub fn metric_arg(
    metric: &Bound<'_, PyAny>,
    params: Option<HashMap<String, f64>>,
) -> PyResult<AnyMetric> {
    if let Ok(m) = metric.cast::<PyMetric>() {
        if params.as_ref().is_some_and(|p| !p.is_empty()) {
            return Err(PyValueError::new_err(
                "params must be given to anyloss.Metric(...), not with an anyloss.Metric",
            ));
        }
        return Ok(m.get().resolved.clone());
    }
    let text: String = metric.extract().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(
            "metric must be a str (a built-in name or a formula) or an anyloss.Metric",
        )
    })?;
    resolve(&text, &params.unwrap_or_default()).map_err(PyValueError::new_err)
}
