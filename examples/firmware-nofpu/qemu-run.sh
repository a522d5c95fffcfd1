#!/usr/bin/env bash
# Cargo runner: runs the firmware ELF on the QEMU board of its target and decodes its defmt
# log. thumbv7m-none-eabi runs on mps2-an385 (Cortex-M3, the M4F run's board family),
# thumbv6m-none-eabi on microbit (Cortex-M0, nRF51). -icount shift=0 makes virtual time
# advance 1 ns per guest instruction, so SysTick counts instructions and every run prints
# the same bytes.
set -euo pipefail # pipefail: the exit code is the firmware's (semihosting) or QEMU's
elf="$1"
case "$elf" in
  *thumbv7m-none-eabi*) board=(-cpu cortex-m3 -machine mps2-an385) ;;
  *thumbv6m-none-eabi*) board=(-machine microbit) ;;
  *) echo "qemu-run.sh: no board for $elf" >&2; exit 2 ;;
esac
timeout "${ANYLOSS_QEMU_TIMEOUT:-900}" \
  qemu-system-arm "${board[@]}" -nographic \
  -semihosting-config enable=on,target=native -icount shift=0 \
  -kernel "$elf" | defmt-print -e "$elf" --log-format '{L} {s}'
