//! `anyloss.Metric`: a built-in metric by name, or any other text as a metric formula.

use std::collections::HashMap;

use anyloss_core::metrics::{Builtin, BuiltinParams};
use anyloss_core::{Confusion, Evaluation, Metric as CoreMetric, Range};
use anyloss_dsl::FormulaMetric;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// A metric resolved from text: one of [`Builtin::NAMES`], else a formula over
/// `TP FN FP TN`.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// A built-in metric.
    Builtin(Builtin),
    /// A compiled formula.
    Formula(FormulaMetric),
}

impl CoreMetric for Resolved {
    fn evaluate(&self, c: &Confusion) -> Option<Evaluation> {
        match self {
            Resolved::Builtin(b) => b.evaluate(c),
            Resolved::Formula(f) => f.evaluate(c),
        }
    }

    fn range(&self) -> Range {
        match self {
            Resolved::Builtin(b) => b.range(),
            Resolved::Formula(f) => f.range(),
        }
    }
}

/// The parameters each parametrised built-in takes.
fn builtin_takes(name: &str) -> &'static [&'static str] {
    match name {
        "fbeta" => &["beta"],
        "tversky" => &["alpha", "beta"],
        _ => &[],
    }
}

/// Resolves `text` with `params`: a built-in name (`beta`/`alpha` for fbeta/tversky), else a
/// formula whose parameters `params` binds. A parameter the metric does not take is an error.
pub fn resolve(text: &str, params: &HashMap<String, f64>) -> Result<Resolved, String> {
    let name = text.trim();
    if Builtin::NAMES.contains(&name) {
        let takes = builtin_takes(name);
        let mut unused: Vec<&str> = params
            .keys()
            .map(String::as_str)
            .filter(|k| !takes.contains(k))
            .collect();
        if !unused.is_empty() {
            unused.sort_unstable();
            return Err(format!(
                "metric `{name}` takes {}; got the parameter(s) {}",
                if takes.is_empty() {
                    "no parameters".to_string()
                } else {
                    format!("only {}", takes.join(", "))
                },
                unused.join(", ")
            ));
        }
        let builtin_params = BuiltinParams {
            beta: params.get("beta").map(|&b| b as f32),
            alpha: params.get("alpha").map(|&a| a as f32),
        };
        return match Builtin::from_name(name, builtin_params) {
            Some(Ok(b)) => Ok(Resolved::Builtin(b)),
            Some(Err(e)) => Err(format!("metric `{name}`: {e}")),
            None => Err(format!("metric `{name}` is not a built-in")),
        };
    }
    let mut bindings: Vec<(&str, f64)> = params.iter().map(|(k, &v)| (k.as_str(), v)).collect();
    bindings.sort_by(|a, b| a.0.cmp(b.0));
    match FormulaMetric::compile(text, &bindings) {
        Ok(f) => Ok(Resolved::Formula(f)),
        // A lone word that is neither a built-in nor a valid formula was most likely meant
        // as a built-in name: say so rather than explain formula syntax.
        Err(_) if is_word(text) => Err(format!(
            "unknown metric `{name}`{}; expected one of: {}, or a formula such as \
             `2*TP/(2*TP+FP+FN)`",
            nearest_builtin(name).map_or(String::new(), |n| format!(" (did you mean `{n}`?)")),
            Builtin::NAMES.join(", ")
        )),
        Err(d) => Err(format!("metric formula: {d}")),
    }
}

fn is_word(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn nearest_builtin(text: &str) -> Option<&'static str> {
    let t = text.to_ascii_lowercase();
    Builtin::NAMES
        .iter()
        .map(|n| (strsim::levenshtein(&t, n), *n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 3))
        .min()
        .map(|(_, n)| n)
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
    pub resolved: Resolved,
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
            Resolved::Formula(f) => Ok(f.domain_issues().iter().map(|i| i.to_string()).collect()),
            Resolved::Builtin(b) => Err(PyValueError::new_err(format!(
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
            Resolved::Formula(f) => f
                .to_rust(name)
                .map_err(|d| PyValueError::new_err(d.to_string())),
            Resolved::Builtin(b) => Err(PyValueError::new_err(format!(
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
        matches!(self.resolved, Resolved::Formula(_))
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
) -> PyResult<Resolved> {
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
