//! Guest instruction counts from SysTick under QEMU's `-icount shift=0`.
//!
//! With `-icount shift=0` QEMU advances virtual time by exactly 1 ns per guest instruction,
//! and SysTick counts virtual time in ticks of the core clock. So ticks are instructions
//! times a constant, which [`InstructionCounter::calibrate`] measures against a loop of known
//! length instead of assuming the board's clock. These are *instructions*, not cycles: QEMU
//! does not model pipeline stalls, flash wait states or the FPU's multi-cycle operations.
//! Without `-icount` the figures follow host time and mean nothing.

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;

/// SysTick is a 24-bit down-counter.
const RELOAD: u32 = 0x00FF_FFFF;

/// Iterations of the calibration loop: `cortex_m::asm::delay(k)` runs `k + 1` iterations of
/// `subs; bne`, so `delay(k)` minus `delay(0)` is `2k` instructions (up to the few alignment
/// `nop`s before the loop, under 0.002 % here).
const CALIBRATION_ITERATIONS: u32 = 100_000;

/// A calibrated instruction counter.
pub struct InstructionCounter {
    _syst: SYST,
    /// Instructions per SysTick tick, scaled by [`SCALE`].
    instructions_per_tick_scaled: u64,
}

/// Fixed-point scale of the calibration ratio.
const SCALE: u64 = 1 << 16;

impl InstructionCounter {
    /// Starts SysTick free-running on the core clock and measures instructions per tick.
    pub fn calibrate(mut syst: SYST) -> Self {
        syst.disable_interrupt();
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(RELOAD);
        syst.clear_current();
        syst.enable_counter();
        let known = ticks(|| cortex_m::asm::delay(CALIBRATION_ITERATIONS));
        let empty = ticks(|| cortex_m::asm::delay(0));
        let delta = u64::from(known.saturating_sub(empty).max(1));
        Self {
            _syst: syst,
            instructions_per_tick_scaled: u64::from(2 * CALIBRATION_ITERATIONS) * SCALE / delta,
        }
    }

    /// Takes the core peripherals, calibrates on their SysTick and logs the calibration;
    /// ends the firmware with [`FAILURE`](crate::exit::FAILURE) if they were taken before.
    pub fn take_calibrated() -> Self {
        let Some(peripherals) = cortex_m::Peripherals::take() else {
            defmt::error!("core peripherals already taken");
            crate::exit::exit(crate::exit::FAILURE)
        };
        let counter = Self::calibrate(peripherals.SYST);
        let ipt = counter.instructions_per_tick_x100();
        defmt::info!(
            "SysTick calibration: {=u32}.{=u32:02} instructions/tick (QEMU -icount shift=0; instructions, not cycles)",
            ipt / 100,
            ipt % 100
        );
        counter
    }

    /// Instructions per SysTick tick, in hundredths (4000 = 40.00).
    pub fn instructions_per_tick_x100(&self) -> u32 {
        (self.instructions_per_tick_scaled * 100 / SCALE) as u32
    }

    /// Instructions per `unit` executed by `work` beyond `baseline`, in tenths: both closures
    /// run `repeats` times on `state`, and `baseline` is the same loop with the work removed
    /// (the call, loop and timer-read overhead).
    pub fn tenths_per_unit<S>(
        &self,
        repeats: u32,
        units_per_repeat: u32,
        state: &mut S,
        mut work: impl FnMut(&mut S),
        mut baseline: impl FnMut(&mut S),
    ) -> u32 {
        let full = ticks(|| {
            for _ in 0..repeats {
                work(state);
            }
        });
        let empty = ticks(|| {
            for _ in 0..repeats {
                baseline(state);
            }
        });
        let net_ticks = u64::from(full.saturating_sub(empty));
        self.tenths_per(net_ticks, u64::from(repeats) * u64::from(units_per_repeat))
    }

    /// `ticks` as instructions per unit over `units` units, in tenths.
    pub fn tenths_per(&self, ticks: u64, units: u64) -> u32 {
        (ticks * self.instructions_per_tick_scaled * 10 / SCALE / units.max(1)) as u32
    }
}

/// Ticks since the last call, for timing a loop from inside it (the epochs of a fit, from
/// the fit's per-epoch observer): the SysTick reads and the bookkeeping between them cost a
/// few dozen instructions per lap. A lap must take fewer than 2^24 ticks.
pub struct LapTimer {
    last: u32,
}

impl LapTimer {
    /// A timer whose first lap starts now.
    pub fn start(_counter: &InstructionCounter) -> Self {
        Self {
            last: SYST::get_current(),
        }
    }

    /// Ticks since the start or the previous lap.
    pub fn lap(&mut self) -> u32 {
        let now = SYST::get_current();
        let elapsed = self.last.wrapping_sub(now) & RELOAD;
        self.last = now;
        elapsed
    }
}

/// SysTick ticks elapsed while `f` runs; `f` must take fewer than 2^24 ticks.
fn ticks(f: impl FnOnce()) -> u32 {
    let start = SYST::get_current();
    f();
    let end = SYST::get_current();
    start.wrapping_sub(end) & RELOAD
}
