//! How the firmware ends: a semihosting exit code QEMU passes on to its caller.
//!
//! 0 is success; [`FAILURE`] is any error the firmware detects; [`PANIC`] is a panic and
//! [`FAULT`] a hard fault. The default handlers would spin (`panic-probe` ends in a `udf`),
//! and QEMU would never exit.

/// Exit code for an error the firmware detected and logged.
pub const FAILURE: i32 = 1;
/// Exit code for a panic, as a Rust test binary would use.
pub const PANIC: i32 = 101;
/// Exit code for a hard fault or an unexpected interrupt.
pub const FAULT: i32 = 102;

/// Ends the QEMU session with `code`.
pub fn exit(code: i32) -> ! {
    semihosting::process::exit(code)
}

/// Ends the firmware with the outcome of its run: 0, or the error logged and [`FAILURE`].
pub fn finish<E: defmt::Format>(result: Result<(), E>) -> ! {
    match result {
        Ok(()) => exit(0),
        Err(e) => {
            defmt::error!("failed: {}", e);
            exit(FAILURE)
        }
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    // The location only: formatting the message would pull `core::fmt` float code into flash.
    match info.location() {
        Some(at) => defmt::error!("panic at {=str}:{=u32}", at.file(), at.line()),
        None => defmt::error!("panic"),
    }
    exit(PANIC)
}

#[cortex_m_rt::exception]
unsafe fn HardFault(frame: &cortex_m_rt::ExceptionFrame) -> ! {
    defmt::error!("hard fault at pc {=u32:#x}", frame.pc());
    exit(FAULT)
}

#[cortex_m_rt::exception]
unsafe fn DefaultHandler(irqn: i16) {
    defmt::error!("unexpected interrupt {=i16}", irqn);
    exit(FAULT)
}

#[defmt::panic_handler]
fn defmt_panic() -> ! {
    exit(PANIC)
}
