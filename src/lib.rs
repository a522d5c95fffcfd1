#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use anyloss_core::*;

/// Metric formulas compiled into exact-gradient losses and `no_std` Rust: the
/// `anyloss-dsl` crate (feature `dsl`, needs `std`).
#[cfg(feature = "dsl")]
#[cfg_attr(docsrs, doc(cfg(feature = "dsl")))]
pub use anyloss_dsl as dsl;
