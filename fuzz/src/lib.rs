//! The function the fuzz targets drive: arbitrary bytes through the whole anyloss-dsl
//! pipeline (parse, resolve, differentiate, simplify, CSE, domain analysis, evaluate,
//! pretty-print, emit Rust). It panics only on a real defect: an escaped panic inside the
//! pipeline, a defined evaluation that is not finite, or an overflow reported as anything
//! but an overflow.

use anyloss_core::{Confusion, Degenerate, Error};
use anyloss_dsl::FormulaMetric;

/// Runs `data` through the pipeline. The first 16 bytes (when present) are four counts;
/// the rest is the formula, with every parameter it needs bound to 1.5.
pub fn dsl_pipeline(data: &[u8]) {
    let (counts, text) = if data.len() >= 16 {
        let (c, t) = data.split_at(16);
        let mut counts = [0.0f32; 4];
        for (k, chunk) in c.chunks_exact(4).enumerate() {
            let v = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]).abs();
            counts[k] = if v.is_finite() { v.min(1e9) } else { 1.0 };
        }
        (counts, t)
    } else {
        ([3.0, 1.0, 2.0, 5.0], data)
    };
    let Ok(source) = std::str::from_utf8(text) else {
        return;
    };
    let params: Vec<(String, f64)> = match FormulaMetric::parameters_of(source) {
        Ok(names) => names.into_iter().map(|n| (n, 1.5)).collect(),
        Err(d) => {
            let _ = d.to_string();
            Vec::new()
        }
    };
    let bound: Vec<(&str, f64)> = params.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let Ok(m) = FormulaMetric::compile(source, &bound) else {
        return;
    };
    let c = Confusion::new(counts[0], counts[1], counts[2], counts[3]);
    match m.evaluate_checked(&c) {
        Ok(Some(e)) => assert!(e.is_finite(), "{source:?} at {counts:?}: {e:?}"),
        Ok(None) => {}
        Err(o) => assert!(!o.to_string().is_empty()),
    }
    match Degenerate::default().checked(&m, &c) {
        Ok(e) => assert!(e.is_finite(), "{source:?} at {counts:?}: {e:?}"),
        Err(e) => assert!(
            matches!(e, Error::NonFiniteMetric(_)),
            "{source:?} at {counts:?}: {e:?}"
        ),
    }
    let _ = m.overflow_risks();
    let _ = m.pretty();
    for issue in m.domain_issues() {
        let _ = issue.to_string();
    }
    let _ = m.to_rust("Fuzzed");
}
