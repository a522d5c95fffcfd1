#!/usr/bin/env bash
# CI of the firmware, called by .ci/run on a fresh Debian machine (as root):
# - installs what is missing: the thumbv7em target, llvm-tools, qemu-system-arm, defmt-print;
# - checks format and lints of the firmware crate and of the crate it shares with
#   ../firmware-nofpu (../firmware-common: lints for this target, the tests of its
#   build-script half);
# - runs the firmware under QEMU with each math backend (libm, micromath); fails if it
#   fails, or if its decoded output differs from the snapshot expected/<backend>.txt. QEMU
#   runs with -icount shift=0, so the output is the same bytes on every run and machine.
#   The comparison masks the cost figures (instructions, stack bytes), which move with every
#   optimisation of anyloss-core; everything else (dataset, split, recipes, test scores,
#   calibration) must match exactly. `ANYLOSS_SNAPSHOT=exact` compares the figures too.
#   After an intended change, `ANYLOSS_BLESS=1 ./ci.sh` rewrites the snapshots;
# - checks that the device's test F1 of each loss and head (logistic; mlp:16 with AnyLoss-F1
#   and BCE) is within 0.02 of the host's `anyloss train` with the same data, split, seed,
#   --model and (default) recipe;
# - checks that the mlp:16 training buffers the linker placed (the static MLP_BUFFERS) are
#   the bytes anyloss-core's MemoryPlan gives for them;
# - the field scenario (src/field/): checks that field/make.sh still makes the committed
#   data (and says whether this machine's `anyloss train` makes the committed model.bin
#   byte for byte), that the device's test F1 after fine-tuning on the drifted stream beats
#   the shipped model's by at least 0.2, that the host's `anyloss finetune` + `predict` on
#   the same files, settings and seed are within 0.02 of the device before and after, and
#   that the buffers the linker placed (FIELD_BUFFERS) are anyloss-core's FieldPlan;
# - checks that a panic reaches the caller as exit code 101;
# - prints section sizes and the .text of the F1 loss path (size-report.sh), fails if the
#   device goals of issue 5 are missed (instructions per sample, stack, .text: exact QEMU
#   and linker figures, not timings), and checks that nothing in the binary allocates.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TERM_COLOR=never
ci_name=firmware
# The snapshot comparison masks the figures of these lines.
masked='instructions/(sample|call|ingest|fine-tune)|^INFO  stack:'
# Build and run of one configuration; generous for a cold build on 2 cores, but bounded.
limit="${ANYLOSS_FIRMWARE_TIMEOUT:-1500}"
elf="${CARGO_TARGET_DIR:-target}/thumbv7em-none-eabihf/release/anyloss-firmware"
out=target/ci
mkdir -p "$out"
# step, fail, stable, install_toolchain, check_common, run_snapshot, no_allocator, at_most,
# within; $tools.
source ../firmware-common/ci-lib.sh

step "toolchain"
install_toolchain thumbv7em-none-eabihf

step "format and lints"
cargo fmt --check
cargo clippy --release -- -D warnings
cargo clippy --release --features micromath -- -D warnings
check_common thumbv7em-none-eabihf

for backend in libm micromath; do
  step "run with $backend"
  features=()
  if [ "$backend" = micromath ]; then features=(--features micromath); fi
  run_snapshot "$backend" "${features[@]}"

  step "sizes with $backend"
  ./size-report.sh "$elf" | tee "$out/$backend.sizes"
  # Issue 5's device goals, on the deterministic QEMU counts (instructions, not cycles):
  # F1 loss+grad <= 100 instructions/sample (libm backend), its stack <= 256 bytes and its
  # .text <= 2 KiB (both backends).
  per_sample="$(sed -n 's/.*F1 loss+grad, probabilities, N=[0-9]*: \([0-9.]*\) instructions\/sample.*/\1/p' "$out/$backend.txt")"
  stack="$(sed -n 's/.*stack: F1 loss+grad path \([0-9]*\) bytes.*/\1/p' "$out/$backend.txt")"
  text="$(sed -n 's/^F1 loss+grad path: \([0-9]*\) bytes.*/\1/p' "$out/$backend.sizes")"
  echo "goals ($backend): $per_sample instructions/sample, stack $stack B, .text $text B"
  if [ "$backend" = libm ]; then
    at_most "$per_sample" 100 ||
      fail "F1 loss+grad costs $per_sample instructions/sample with libm (goal <= 100)"
  fi
  [ -n "$stack" ] && [ "$stack" -le 256 ] || fail "F1 loss+grad stack $stack B with $backend (goal <= 256)"
  [ -n "$text" ] && [ "$text" -le 2048 ] || fail "F1 loss+grad .text $text B with $backend (goal <= 2048)"
  no_allocator "$elf" "$backend"

  # The RAM of training: anyloss-core's plan, as the firmware logs it, against the size the
  # linker gave the static that holds the buffers (llvm-nm). cortex_m::singleton! stores a
  # `bool` "taken" flag after the buffers, padded to their alignment (logged too).
  check_plan() { # check_plan <what> <log pattern before the plan figure> <static> <alignment pattern>
    local plan align symbol buffers
    plan="$(sed -n "s/.*$2 \([0-9]*\) bytes.*/\1/p" "$out/$backend.txt")"
    align="$(sed -n "s/.*$3 holds [0-9]* bytes.*(aligned to \([0-9]*\)).*/\1/p" "$out/$backend.txt")"
    symbol="$("$tools/llvm-nm" -S -C "$elf" | awk -v s="$3" '$4 ~ "::" s "::h[0-9a-f]+$" { print $2 }')"
    [ -n "$plan" ] && [ -n "$align" ] || fail "no $1 plan or alignment in the $backend log"
    [ -n "$symbol" ] || fail "no $3 symbol in the $backend firmware"
    buffers=$((16#$symbol - align))
    echo "$1 RAM ($backend): plan $plan B, linker $3 $((16#$symbol)) B - $align B flag = $buffers B"
    [ "$buffers" -eq "$plan" ] || fail "$1: the plan gives $plan B, the buffers take $buffers B ($backend)"
  }
  check_plan "mlp:16 training (MemoryPlan)" "RAM of mlp:16 training.*memory plan" MLP_BUFFERS
  check_plan "field learning (FieldPlan)" "RAM of the field learning: plan" FIELD_BUFFERS
done

step "device test F1 vs host anyloss train (tolerance 0.02)"
# The split the firmware used, from its own log: "split seed S, test fraction F".
split_line="$(grep -m 1 'fine-tuning: split seed' "$out/libm.txt")" || fail "no split line in the log"
seed="$(echo "$split_line" | sed -n 's/.*split seed \([0-9]*\),.*/\1/p')"
fraction="$(echo "$split_line" | sed -n 's/.*test fraction \([0-9.]*\),.*/\1/p')"
dataset="$(sed -n 's/.*dataset \([A-Za-z0-9_]*\) (.*/\1/p' "$out/libm.txt" | head -n 1)"
data="$(realpath "${ANYLOSS_FIRMWARE_DATA:-../data/$dataset.csv}")"
# The recipe flags the firmware used, from its log: "host flags of <losses>: --flag v ...".
# $1 is plain text without `/` or regex characters.
flags_of() { grep -m 1 "host flags of $1: " "$out/libm.txt" | sed "s/.*host flags of $1: //"; }
metric_flags="$(flags_of "the metric losses")"
bce_flags="$(flags_of BCE)"
mlp_metric_flags="$(flags_of "the mlp:16 metric losses")"
mlp_bce_flags="$(flags_of "mlp:16 BCE")"
[ -n "$metric_flags" ] && [ -n "$bce_flags" ] && [ -n "$mlp_metric_flags" ] && [ -n "$mlp_bce_flags" ] ||
  fail "no recipe flags in the device log"
compare() { # compare <device log label> <host --loss> <recipe flags>
  local device host
  device="$(grep -m 1 "test $1: F1" "$out/libm.txt" | sed -n 's/.*: F1 \([0-9.]*\) .*/\1/p')"
  [ -n "$device" ] || fail "no test F1 for $1 in the device log"
  # $3 unquoted on purpose: it is a list of flags.
  host="$(cd ../.. && timeout "$limit" cargo run -q --release -p anyloss-cli -- train \
    --data "$data" --test-fraction "$fraction" --seed "$seed" --loss "$2" $3 --json |
    sed -n 's/.*"test":{[^}]*"f1":\([0-9.eE+-]*\).*/\1/p')" ||
    fail "the host's anyloss train failed for $1"
  [ -n "$host" ] || fail "no test F1 from the host for $1"
  echo "$1: device F1 $device, host F1 $host"
  within "$device" "$host" 0.02 ||
    fail "$1: device F1 $device and host F1 $host differ by more than 0.02"
}
echo "host: anyloss train --data $data --test-fraction $fraction --seed $seed --loss <loss> <flags> --json"
compare "AnyLoss-F1" f1 "$metric_flags"
compare "formula G-mean" "$(cat gmean.formula)" "$metric_flags"
compare "BCE" bce "$bce_flags"
compare "mlp:16 AnyLoss-F1" f1 "$mlp_metric_flags"
compare "mlp:16 BCE" bce "$mlp_bce_flags"

step "field scenario: the shipped files, F1 before and after, host anyloss finetune (tolerance 0.02)"
anyloss_bin="$(cd ../.. && cargo build -q --release -p anyloss-cli && pwd)/target/release/anyloss"
field="$out/field"
rm -rf "$field"
ANYLOSS="$anyloss_bin" field/make.sh "$field"
for f in host.csv stream.csv test.csv; do
  cmp "field/$f" "$field/$f" || fail "field/$f is not what field/make.sh makes (run field/make.sh)"
done
if cmp -s field/model.bin "$field/model.bin"; then
  echo "field/model.bin: the bytes field/make.sh makes on this machine"
else
  # The host picks its SIMD kernels at run time, so another CPU may round differently; the
  # device and the host below both start from the committed blob either way.
  echo "note: field/model.bin differs from what field/make.sh makes on this machine (CPU-dependent rounding, or a changed trainer: rerun field/make.sh and bless)"
fi
field_f1() { grep -m 1 "test field $1: F1" "$out/libm.txt" | sed -n 's/.*: F1 \([0-9.]*\) .*/\1/p'; }
before="$(field_f1 "before fine-tuning")"
after="$(field_f1 "after fine-tuning")"
[ -n "$before" ] && [ -n "$after" ] || fail "no field test F1 in the device log"
grep -q "field: model written to the flash page .* read back bit-identical" "$out/libm.txt" ||
  fail "the device did not read its model back bit-identical"
# 0.2 of F1 is about 7 of the held-out part's 38 positives found (near F1 0.7 one more
# true positive moves F1 by about 0.03): far beyond the rounding between host and device.
echo "field: device test F1 before $before, after $after"
awk -v b="$before" -v a="$after" 'BEGIN { exit !(a - b >= 0.2) }' ||
  fail "field: test F1 after fine-tuning ($after) is not at least 0.2 above before ($before)"
field_flags="$(flags_of "the field fine-tune")"
[ -n "$field_flags" ] || fail "no field fine-tune flags in the device log"
echo "host: anyloss finetune --model field/model.bin --data field/stream.csv $field_flags --save <tuned.bin>; anyloss predict --data field/test.csv"
# $field_flags unquoted on purpose: it is a list of flags.
"$anyloss_bin" finetune --model field/model.bin --data field/stream.csv $field_flags --json \
  --save "$field/tuned.bin" --force >"$field/finetune.json" || fail "the host's anyloss finetune failed"
host_f1() { "$anyloss_bin" predict --model "$1" --data field/test.csv --json |
  sed -n 's/.*"metrics":{[^}]*"f1":\([0-9.eE+-]*\).*/\1/p'; }
host_before="$(host_f1 field/model.bin)" || fail "the host's anyloss predict failed"
host_after="$(host_f1 "$field/tuned.bin")" || fail "the host's anyloss predict failed"
[ -n "$host_before" ] && [ -n "$host_after" ] || fail "no test F1 from the host's anyloss predict"
for pair in "before $before $host_before" "after $after $host_after"; do
  set -- $pair
  echo "field $1: device F1 $2, host F1 $3"
  within "$2" "$3" 0.02 ||
    fail "field $1 fine-tuning: device F1 $2 and host F1 $3 differ by more than 0.02"
done
device_crc="$(sed -n 's/.*CRC-32 0x\([0-9a-f]*\).*/\1/p' "$out/libm.txt")"
host_crc="$(tail -c 4 "$field/tuned.bin" | od -An -tx4 | tr -d ' ')"
if [ "$device_crc" = "$host_crc" ]; then
  echo "field: the device's fine-tuned blob and the host's are the same bytes (CRC-32 0x$host_crc)"
else
  echo "field: the device's fine-tuned blob (CRC-32 0x$device_crc) and the host's (0x$host_crc) differ in rounding"
fi

step "a panic ends QEMU with exit code 101"
status=0
timeout "$limit" cargo run --release --features panic-selftest >"$out/panic.txt" 2>"$out/panic.stderr" ||
  status=$?
cat "$out/panic.txt"
[ "$status" -eq 101 ] || fail "the panic self-test exited with $status, expected 101"
grep -q "panic at" "$out/panic.txt" || fail "the panic self-test did not log its location"

step "ok"
