//! A metric defined by a formula, compiled to Rust at build time by anyloss-dsl
//! (`build.rs`, from `gmean.formula`): G-mean, `sqrt(TPR · TNR)`, written as a user would
//! write it. The generated type implements `anyloss_core::Metric` like a built-in.

include!(concat!(env!("OUT_DIR"), "/gmean_formula.rs"));
