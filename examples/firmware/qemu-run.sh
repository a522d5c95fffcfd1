#!/usr/bin/env bash
# Cargo runner: runs the firmware ELF on QEMU's Cortex-M4F board and decodes its defmt log.
# -icount shift=0 makes virtual time advance 1 ns per guest instruction, so SysTick counts
# instructions and every run prints the same bytes.
set -euo pipefail # pipefail: the exit code is the firmware's (semihosting) or QEMU's
elf="$1"
timeout "${ANYLOSS_QEMU_TIMEOUT:-600}" \
  qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
  -semihosting-config enable=on,target=native -icount shift=0 \
  -kernel "$elf" | defmt-print -e "$elf" --log-format '{L} {s}'
