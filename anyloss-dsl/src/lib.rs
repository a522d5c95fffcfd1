//! # anyloss-dsl
//!
//! Metric formulas to exact-gradient losses (host side).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
