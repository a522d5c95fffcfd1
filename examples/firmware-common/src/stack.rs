//! Stack depth from `cortex-m-rt`'s `paint-stack`.
//!
//! At reset `paint-stack` fills the stack region, `_stack_end` (low) to `_stack_start`
//! (high, the initial SP), with [`PAINT`]. The stack grows down, so the lowest word that no
//! longer holds the paint marks the deepest the stack has been.
//!
//! To measure one call, [`repaint_below_sp`] restores the paint below the caller's SP, the
//! call runs, and [`deepest_touched`] finds how far it went below that SP. Both are inlined
//! into the measuring function, so they work inside its frame and write or push nothing
//! below its SP. A value that happens to equal the paint makes a figure lower by at most
//! that word; it cannot make it higher.

use core::ptr::{addr_of, read_volatile, write_volatile};

/// The word `paint-stack` fills the stack with (`cortex_m_rt::STACK_PAINT_VALUE`).
const PAINT: u32 = cortex_m_rt::STACK_PAINT_VALUE;

extern "C" {
    /// Lowest address of the stack region (end of `.bss`/`.uninit`), from `link.x`.
    static _stack_end: u32;
    /// Initial SP, the top of the stack region, from `link.x`.
    static _stack_start: u32;
}

/// The stack region as `[low, high)` word addresses.
fn region() -> (usize, usize) {
    (
        addr_of!(_stack_end) as usize,
        addr_of!(_stack_start) as usize,
    )
}

/// Bytes of stack used at the deepest point since reset (or since the last repaint).
pub fn peak_since_reset() -> usize {
    let (_, high) = region();
    high - deepest_touched()
}

/// Paints every word of the stack region below the current SP again.
///
/// Always inlined: as a call of its own it would read SP, push its frame below it and
/// paint over that frame.
#[inline(always)]
pub fn repaint_below_sp() {
    let (low, _) = region();
    let sp = cortex_m::register::msp::read() as usize;
    let mut addr = low;
    while addr < sp {
        // SAFETY: `[low, sp)` is the unused part of the stack region: below the current SP,
        // so no live frame is there, and no interrupt is enabled that could push into it.
        unsafe { write_volatile(addr as *mut u32, PAINT) };
        addr += 4;
    }
}

/// The lowest address in the stack region that no longer holds the paint.
///
/// Always inlined: as a call of its own, its frame would be the deepest thing it finds.
#[inline(always)]
pub fn deepest_touched() -> usize {
    let (low, high) = region();
    let mut addr = low;
    // SAFETY: every address read is a word-aligned address inside the stack region
    // `[_stack_end, _stack_start)`, which is RAM reserved by the linker script.
    while addr < high && unsafe { read_volatile(addr as *const u32) } == PAINT {
        addr += 4;
    }
    addr
}
