#!/usr/bin/env bash
# CI of the FPU-less firmware, called by .ci/run on a fresh Debian machine (as root):
# - installs what is missing: the thumbv7m and thumbv6m targets, llvm-tools,
#   qemu-system-arm, defmt-print;
# - checks format and lints of the crate for both targets, and of the crate it shares with
#   ../firmware (../firmware-common: lints for both targets, the tests of its build-script
#   half);
# - runs the firmware under QEMU on the Cortex-M3 (mps2-an385, with fine-tuning) and the
#   Cortex-M0 (microbit, measurements only: 16 KiB of RAM); fails if it fails, or if its
#   decoded output differs from the snapshot expected/<core>.txt. QEMU runs with
#   -icount shift=0, so the output is the same bytes on every run and machine. The
#   comparison masks the cost figures (instructions, stack bytes), which move with every
#   optimisation of anyloss-core; `ANYLOSS_SNAPSHOT=exact` compares them too, and
#   `ANYLOSS_BLESS=1 ./ci.sh` rewrites the snapshots after an intended change;
# - checks the budgets on the exact QEMU and linker figures: the fixed-point F1 loss and
#   gradient <= 150 instructions/sample on the Cortex-M3 (the goal) and <= 300 on the
#   Cortex-M0; its stack <= 512 B (M3) and <= 768 B (M0) and the .text of its path
#   <= 6 KiB (regression guards: 269 instructions, 368/596 B and 4.4/4.6 KiB when they were
#   set); the path DeviceLoss selects is the fixed-point one on both; the fine-tuned test F1
#   of the fixed-point path within 0.02 of the f32 path's; no allocator symbol in either
#   binary;
# - prints section sizes and the .text of the fixed-point F1 path (../firmware/size-report.sh).
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TERM_COLOR=never
ci_name=firmware-nofpu
# The snapshot comparison masks the figures of these lines.
masked='instructions/(sample|call)|^INFO  stack:|gradient difference'
# Build and run of one configuration; generous for a cold build on 2 cores, but bounded.
limit="${ANYLOSS_FIRMWARE_TIMEOUT:-1500}"
out=target/ci
mkdir -p "$out"
# step, fail, stable, install_toolchain, check_common, run_snapshot, no_allocator, at_most,
# within; $tools.
source ../firmware-common/ci-lib.sh

# per_sample <log> <path>: instructions/sample of the F1 loss+grad on probabilities.
per_sample() {
  sed -n "s/.*F1 loss+grad, $2 path, probabilities, N=[0-9]*: \([0-9.]*\) instructions\/sample.*/\1/p" "$1"
}

step "toolchain"
install_toolchain thumbv7m-none-eabi thumbv6m-none-eabi

step "format and lints"
cargo fmt --check
cargo clippy --release -- -D warnings
cargo clippy --release --target thumbv6m-none-eabi --no-default-features -- -D warnings
check_common thumbv7m-none-eabi thumbv6m-none-eabi

for core in m3 m0; do
  if [ "$core" = m3 ]; then
    target=thumbv7m-none-eabi flags=()
  else
    target=thumbv6m-none-eabi flags=(--no-default-features)
  fi
  elf="${CARGO_TARGET_DIR:-target}/$target/release/anyloss-firmware-nofpu"
  step "run on the $core ($target)"
  run_snapshot "$core" --target "$target" "${flags[@]}"

  step "sizes on the $core"
  ../firmware/size-report.sh "$elf" anyloss_firmware_nofpu::cost::f1_fixed | tee "$out/$core.sizes"
  no_allocator "$elf" "$core"

  step "budgets on the $core"
  grep -q 'DeviceLoss path fixed-point' "$out/$core.txt" ||
    fail "DeviceLoss is not the fixed-point path on $target"
  fixed="$(per_sample "$out/$core.txt" fixed-point)"
  float="$(per_sample "$out/$core.txt" "f32 soft-float")"
  stack="$(sed -n 's/.*stack: F1 loss+grad path, f32 [0-9]* bytes, fixed-point \([0-9]*\) bytes.*/\1/p' "$out/$core.txt")"
  text="$(sed -n 's/^F1 loss+grad path: \([0-9]*\) bytes.*/\1/p' "$out/$core.sizes")"
  budget=150 stack_budget=512
  if [ "$core" = m0 ]; then budget=300 stack_budget=768; fi
  echo "$core: F1 loss+grad $fixed instructions/sample fixed-point (budget $budget), $float with soft floats; stack $stack B (budget $stack_budget), .text $text B (budget 6144)"
  at_most "$fixed" "$budget" ||
    fail "fixed-point F1 loss+grad costs $fixed instructions/sample on the $core (budget <= $budget)"
  [ -n "$stack" ] && [ "$stack" -le "$stack_budget" ] ||
    fail "fixed-point F1 loss+grad stack $stack B on the $core (budget <= $stack_budget)"
  [ -n "$text" ] && [ "$text" -le 6144 ] || fail "fixed-point F1 path .text $text B on the $core (budget <= 6144)"
done

step "fine-tuning: fixed-point vs f32 path (tolerance 0.02)"
f1_of() { sed -n "s/.*test AnyLoss-F1, $1 path: F1 \([0-9.]*\) .*/\1/p" "$out/m3.txt"; }
float="$(f1_of f32)"
fixed="$(f1_of fixed-point)"
[ -n "$float" ] && [ -n "$fixed" ] || fail "no test F1 of both paths in the m3 log"
echo "test F1: f32 path $float, fixed-point path $fixed"
within "$float" "$fixed" 0.02 ||
  fail "test F1 of the fixed-point path ($fixed) is more than 0.02 from the f32 path's ($float)"

step "ok"
