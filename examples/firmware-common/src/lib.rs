//! What the anyloss firmwares (`../firmware`, Cortex-M4F; `../firmware-nofpu`, Cortex-M3 and
//! Cortex-M0) share, so that each piece lives once:
//!
//! | piece | module |
//! |---|---|
//! | guest instruction counts from SysTick under QEMU's `-icount shift=0` | [`icount`] |
//! | stack depth from `cortex-m-rt`'s `paint-stack` | [`stack`] |
//! | semihosting exit codes, panic and fault handlers | [`exit`] |
//! | the batch the loss cost is measured on, and the measurement | [`loss_batch`] |
//! | the split, recipes and logistic fits of on-device fine-tuning | [`finetune`] |
//! | log lines both firmwares print (scores, instruction figures) | [`report`] |
//!
//! The build scripts' half (a CSV dataset embedded in flash, the board's memory map) is the
//! `anyloss-firmware-embed` crate in `embed/`.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(missing_docs)]

pub mod exit;
pub mod finetune;
pub mod icount;
pub mod loss_batch;
pub mod report;
pub mod stack;
