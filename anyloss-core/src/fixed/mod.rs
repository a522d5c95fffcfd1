//! The fixed-point path: the binary loss and its gradient in integer arithmetic, for cores
//! without an FPU (Cortex-M0/M0+/M3, RISC-V without `F`).
//!
//! There every f32 operation is a library call of tens of instructions and an `exp` costs
//! hundreds. [`FixedLoss`] takes and returns f32 like [`BinaryLoss`](crate::BinaryLoss),
//! but per sample it only shifts, looks up and multiplies integers:
//! - the input's f32 bits become a Q23 probability (or a Q16 `|z|` for logits) with shifts;
//! - `A = σ(L(p − t))` and its slope come from one 256-entry table of `σ(−u)` and
//!   `σ(u)σ(−u)` over `u` in `[0, 16)`, linearly interpolated (`p = σ(z)` for logits too);
//! - the entries are exact 64-bit integer sums of `A` in Q31;
//! - the metric, its partials and the two gradient coefficients are evaluated once per
//!   batch in f32, as on the f32 path;
//! - pass 2 multiplies each cached Q33 slope by its label's coefficient in a 32×32→64
//!   integer multiply and builds the f32 gradient's bits with a count of leading zeros.
//!
//! ## Which path a build uses
//! [`DeviceLoss`] is the binary loss for the target: [`FixedLoss`] where [`NUMERIC_PATH`]
//! is [`NumericPath::Fixed`], [`BinaryLoss`](crate::BinaryLoss) otherwise. Both have the
//! same constructors and methods, so code written against `DeviceLoss` builds everywhere
//! and gets the fast path on a core without an FPU. The fixed path is chosen:
//! - on bare-metal ARM with the soft-float ABI (`target_os = "none"`,
//!   `target_abi = "eabi"`: `thumbv6m-none-eabi`, `thumbv7m-none-eabi`,
//!   `thumbv7em-none-eabi`, `thumbv8m.base-none-eabi`, ...);
//! - on RISC-V without the `F` extension (`riscv32imc-unknown-none-elf`, ...);
//! - anywhere, with the `fixed-point` feature.
//!
//! [`FixedLoss`] itself is always compiled and can be used directly on any target.
//!
//! ## Accuracy
//! Against the float64 autograd golden vectors (`tests/fixed_accuracy.rs`): the loss within
//! 4e-5 absolute and the gradient within 2e-3 relative plus 1e-6 of the largest gradient
//! of the batch (the bounds tested are 1e-3 and 1e-2 + 1e-4·max). `L` is rounded to a
//! multiple of `2^-16` and must be at most 4096; the threshold is rounded to `2^-23`;
//! probabilities below `2^-23` read as 0; logits beyond ±16 read as ±16.

mod convert;
mod entries;
mod kernel;
mod loss;
mod objective;
mod table;

pub use entries::FixedEntries;
pub use kernel::MAX_L;
pub use loss::{FixedLoss, FixedSamples};
pub use objective::FixedObjective;

/// The two numeric paths of the binary loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NumericPath {
    /// f32 arithmetic with an `exp` per sample: [`BinaryLoss`](crate::BinaryLoss).
    Float,
    /// Integer arithmetic and a table: [`FixedLoss`].
    Fixed,
}

impl NumericPath {
    /// `"f32"` or `"fixed-point"`.
    pub const fn name(self) -> &'static str {
        match self {
            NumericPath::Float => "f32",
            NumericPath::Fixed => "fixed-point",
        }
    }
}

/// True where the build selects the fixed-point path (see the module docs).
const FIXED: bool = cfg!(any(
    feature = "fixed-point",
    all(target_arch = "arm", target_os = "none", target_abi = "eabi"),
    all(
        any(target_arch = "riscv32", target_arch = "riscv64"),
        not(target_feature = "f")
    )
));

/// The path [`DeviceLoss`] and [`DeviceObjective`] use in this build.
pub const NUMERIC_PATH: NumericPath = if FIXED {
    NumericPath::Fixed
} else {
    NumericPath::Float
};

/// The binary loss for this build's target: [`FixedLoss`] on cores without an FPU (or
/// with the `fixed-point` feature), [`BinaryLoss`](crate::BinaryLoss) elsewhere. See
/// [`NUMERIC_PATH`].
#[cfg(any(
    feature = "fixed-point",
    all(target_arch = "arm", target_os = "none", target_abi = "eabi"),
    all(
        any(target_arch = "riscv32", target_arch = "riscv64"),
        not(target_feature = "f")
    )
))]
pub type DeviceLoss<M> = FixedLoss<M>;

/// The binary training objective for this build's target: [`FixedObjective`] where
/// [`DeviceLoss`] is [`FixedLoss`], [`BinaryObjective`](crate::train::BinaryObjective)
/// elsewhere.
#[cfg(any(
    feature = "fixed-point",
    all(target_arch = "arm", target_os = "none", target_abi = "eabi"),
    all(
        any(target_arch = "riscv32", target_arch = "riscv64"),
        not(target_feature = "f")
    )
))]
pub type DeviceObjective<M> = FixedObjective<M>;

/// The binary loss for this build's target: [`FixedLoss`] on cores without an FPU (or
/// with the `fixed-point` feature), [`BinaryLoss`](crate::BinaryLoss) elsewhere. See
/// [`NUMERIC_PATH`].
#[cfg(not(any(
    feature = "fixed-point",
    all(target_arch = "arm", target_os = "none", target_abi = "eabi"),
    all(
        any(target_arch = "riscv32", target_arch = "riscv64"),
        not(target_feature = "f")
    )
)))]
pub type DeviceLoss<M> = crate::BinaryLoss<M>;

/// The binary training objective for this build's target: [`FixedObjective`] where
/// [`DeviceLoss`] is [`FixedLoss`], [`BinaryObjective`](crate::train::BinaryObjective)
/// elsewhere.
#[cfg(not(any(
    feature = "fixed-point",
    all(target_arch = "arm", target_os = "none", target_abi = "eabi"),
    all(
        any(target_arch = "riscv32", target_arch = "riscv64"),
        not(target_feature = "f")
    )
)))]
pub type DeviceObjective<M> = crate::train::BinaryObjective<M>;
