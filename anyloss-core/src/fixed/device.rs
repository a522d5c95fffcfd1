//! Which path a build uses: [`DeviceLoss`], [`DeviceObjective`] and [`NUMERIC_PATH`], chosen
//! by target (see the [module docs](super)).

/// The two numeric paths of the binary loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NumericPath {
    /// f32 arithmetic with an `exp` per sample: [`BinaryLoss`](crate::BinaryLoss).
    Float,
    /// Integer arithmetic and a table: [`FixedLoss`](super::FixedLoss).
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

/// The fixed-point path: the `fixed-point` feature, or bare-metal ARM with the soft-float
/// ABI (no FPU in use).
#[cfg(any(
    feature = "fixed-point",
    all(target_arch = "arm", target_os = "none", target_abi = "eabi")
))]
mod chosen {
    use super::NumericPath;

    pub type Loss<M> = crate::fixed::FixedLoss<M>;
    pub type Objective<M> = crate::fixed::FixedObjective<M>;
    pub const PATH: NumericPath = NumericPath::Fixed;
}

/// The f32 path everywhere else.
#[cfg(not(any(
    feature = "fixed-point",
    all(target_arch = "arm", target_os = "none", target_abi = "eabi")
)))]
mod chosen {
    use super::NumericPath;

    pub type Loss<M> = crate::BinaryLoss<M>;
    pub type Objective<M> = crate::train::BinaryObjective<M>;
    pub const PATH: NumericPath = NumericPath::Float;
}

/// The path [`DeviceLoss`] and [`DeviceObjective`] use in this build.
pub const NUMERIC_PATH: NumericPath = chosen::PATH;

/// The binary loss for this build's target: [`FixedLoss`](super::FixedLoss) on cores
/// without an FPU (or with the `fixed-point` feature), [`BinaryLoss`](crate::BinaryLoss)
/// elsewhere ([`NUMERIC_PATH`] says which). Both have the same constructors and methods.
pub type DeviceLoss<M> = chosen::Loss<M>;

/// The binary training objective for this build's target:
/// [`FixedObjective`](super::FixedObjective) where [`DeviceLoss`] is the fixed-point path,
/// [`BinaryObjective`](crate::train::BinaryObjective) elsewhere.
pub type DeviceObjective<M> = chosen::Objective<M>;
