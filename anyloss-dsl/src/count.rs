//! The four confusion entries a formula's counts are made of.

/// One of the four confusion entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Count {
    Tp,
    Fn,
    Fp,
    Tn,
}

impl Count {
    /// In the order of [`anyloss_core::Partials::new`].
    pub const ALL: [Count; 4] = [Count::Tp, Count::Fn, Count::Fp, Count::Tn];

    /// The name in formulas.
    pub fn name(self) -> &'static str {
        match self {
            Count::Tp => "TP",
            Count::Fn => "FN",
            Count::Fp => "FP",
            Count::Tn => "TN",
        }
    }

    /// The field of [`anyloss_core::Confusion`].
    pub fn field(self) -> &'static str {
        match self {
            Count::Tp => "tp",
            Count::Fn => "fn_",
            Count::Fp => "fp",
            Count::Tn => "tn",
        }
    }

    /// Bit in a set of counts.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}
