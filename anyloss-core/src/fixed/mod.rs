//! The fixed-point path: the binary loss and its gradient in integer arithmetic, for cores
//! without an FPU (Cortex-M0/M0+/M3/M4 without FPU, RISC-V without `F`).
//!
//! There every f32 operation is a library call of tens of instructions and an `exp` costs
//! hundreds (on a Cortex-M3 under QEMU the f32 path's F1 loss and gradient is 2535
//! instructions per sample, this path 139; `BENCHMARKS.md`). [`FixedLoss`] takes and
//! returns f32 like [`BinaryLoss`](crate::BinaryLoss), so the conversions are part of those
//! counts, but per sample it only shifts, looks up and multiplies integers:
//! - the input's f32 bits become a Q31 probability (or a Q16 `|z|` for logits) with shifts;
//! - `A = σ(L(p − t))` and its slope come from a 256-entry table of `σ(−u)` and
//!   `σ(u)σ(−u)` over `u` in `[0, 8)`, linearly interpolated with 32-bit multiplies, and
//!   from `e^{−u} = 2^{−u·log2 e}` beyond (a shift and a 32-entry table), which keeps
//!   saturated samples' slopes accurate (`p = σ(z)` and `p(1 − p)` for logits likewise);
//! - the entries are exact integer sums: `A` in Q23 in 32-bit sums per chunk of 256
//!   samples, the saturated tail in Q64 ([`FixedEntries`]);
//! - the metric, its partials and the two gradient coefficients are evaluated once per
//!   batch in f32, as on the f32 path (a few hundred instructions with software floats);
//! - pass 2 multiplies each cached slope (f32 bits) by its label's coefficient with one
//!   32-bit multiply of the top 16 bits of the significands and an add of the exponents.
//!
//! ## Which path a build uses
//! [`DeviceLoss`] is the binary loss for the target: [`FixedLoss`] where [`NUMERIC_PATH`]
//! is [`NumericPath::Fixed`], [`BinaryLoss`](crate::BinaryLoss) otherwise. Both have the
//! same constructors and methods, so code written against `DeviceLoss` builds everywhere
//! and gets the fast path on a core without an FPU. The fixed path is chosen:
//! - on bare-metal ARM with the soft-float ABI (`target_os = "none"`,
//!   `target_abi = "eabi"`: `thumbv6m-none-eabi`, `thumbv7m-none-eabi`,
//!   `thumbv7em-none-eabi`, `thumbv8m.base-none-eabi`, ...);
//! - anywhere, with the `fixed-point` feature: RISC-V cores without the `F` extension
//!   (`riscv32imc-unknown-none-elf`, ...) need it, because stable Rust does not expose
//!   `target_feature = "f"` to `cfg` (it reads as absent on `riscv32imafc` too).
//!
//! [`FixedLoss`] itself is always compiled and can be used directly on any target.
//!
//! ## Accuracy
//! Against the float64 autograd golden vectors (`tests/fixed_accuracy.rs`, 107 cases of 7
//! metrics, saturated samples included): loss within 9.6e-6 absolute, every gradient
//! within 7.5e-4 relative; on logits against the f32 path, 2.2e-6 and 1.3e-3. The tests
//! hold the path to loss ≤ 1e-3 and gradient ≤ 1e-2 relative + 1e-4 of the batch's largest,
//! and to 5× the measured errors. `L` is rounded to a multiple of `2^-17` and must lie in
//! `[2^-17, 4096]` (else `InvalidParameter(L)` at the call); the threshold is rounded to
//! `2^-31`; slopes below `2^-125` flush.
//!
//! The integer entries add exactly: the loss of a batch does not depend on how it was
//! chunked ([`FixedLoss::entries`] per chunk, added, then [`FixedLoss::checked_evaluate`]
//! and [`FixedLoss::gradient`] per chunk). There are no sample weights on this path.

mod convert;
mod device;
mod entries;
mod kernel;
mod loss;
mod objective;
mod table;

pub use device::{DeviceLoss, DeviceObjective, NumericPath, NUMERIC_PATH};
pub use entries::FixedEntries;
pub use kernel::MAX_L;
pub use loss::{FixedLoss, FixedSamples};
pub use objective::{FixedObjective, FixedSums};
