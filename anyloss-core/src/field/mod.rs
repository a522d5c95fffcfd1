//! Learning in the field: a stream of labelled samples, a replay buffer that keeps a fixed
//! number of them, and fine-tuning of a shipped model on that buffer, without an
//! allocator.
//!
//! The workflow on a device: load the host-trained [`crate::model::Model`] (from flash,
//! [`crate::model::Model::from_bytes`]), build a [`crate::train::Trainer`] over its head
//! ([`crate::model::Model::head_and_scaling`]) and an [`OnlineTrainer`] over a replay
//! buffer, [`OnlineTrainer::ingest`] each labelled sample as it comes (fine-tuning every
//! `M` samples, or on demand), and write the model back with
//! [`crate::model::Model::to_bytes`].
//!
//! | piece | item |
//! |---|---|
//! | what a buffer does: push, view as a dataset | [`ReplayBuffer`], [`Stored`] |
//! | the newest `N` samples | [`Ring`] |
//! | an equal share per class, uniform within a class | [`BalancedReservoir`] |
//! | ingest and fine-tune | [`OnlineTrainer`], [`Ingest`], [`FineTune`] |
//! | the RAM of it all | [`FieldPlan`] |
//!
//! ## Which buffer
//! - [`BalancedReservoir`] for imbalanced streams (the usual case with a metric loss): the
//!   minority class is never pushed out by the majority, and each class keeps a uniform
//!   sample of its whole stream, old and new.
//! - [`Ring`] when the buffer should follow the stream's own class mix and only the latest
//!   samples matter (a drift that keeps moving), and the minority is frequent enough to
//!   stay in the last `N`.
//!
//! Both store raw features; the model's standardiser (fitted on the host) is applied on
//! the fly, as in training.

mod online;
mod plan;
mod replay;
mod reservoir;
mod ring;
mod rows;

pub use online::{FineTune, Ingest, OnlineTrainer};
pub use plan::FieldPlan;
pub use replay::{ReplayBuffer, Stored};
pub use reservoir::BalancedReservoir;
pub use ring::Ring;
