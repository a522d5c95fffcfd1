# Shell functions both firmware CI scripts share; `source`d by ../firmware/ci.sh and
# ../firmware-nofpu/ci.sh (bash, `set -euo pipefail`, run from their crate's directory),
# which set first:
#   ci_name  the name in step headers and failure messages ("firmware", "firmware-nofpu");
#   masked   extended regex of the log lines whose figures the snapshot comparison masks;
#   limit    seconds one build and run may take;
#   out      the directory of the logs (target/ci).
# shellcheck shell=bash

# The directory of this file: the shared crate.
common_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# llvm-nm, llvm-size and llvm-objdump of the llvm-tools component.
tools="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin"

step() { printf '\n---- %s: %s\n' "$ci_name" "$1"; }
fail() {
  printf '%s CI failed: %s\n' "$ci_name" "$1" >&2
  exit 1
}

# The snapshot comparison's view of a log: the figures of the lines matching $masked
# replaced by `#`, unless ANYLOSS_SNAPSHOT=exact.
stable() {
  if [ "${ANYLOSS_SNAPSHOT:-}" = exact ]; then
    cat "$1"
  else
    sed -E "/$masked/ s/[0-9]+(\.[0-9]+)?(e-?[0-9]+)?/#/g" "$1"
  fi
}

# install_toolchain <target>...: the Rust targets, llvm-tools, QEMU and defmt-print, where
# missing.
install_toolchain() {
  rustup target add "$@"
  rustup component add llvm-tools >/dev/null
  if ! command -v qemu-system-arm >/dev/null; then
    apt-get update && apt-get install -y qemu-system-arm
  fi
  if ! command -v defmt-print >/dev/null; then
    cargo install defmt-print --locked
  fi
  qemu-system-arm --version | head -n 1
  defmt-print --version
}

# check_common <target>...: format and lints of the shared crate for each firmware target,
# lints and tests of its build-script half (embed/, on the host). Its own target directory.
check_common() {
  local target
  (
    cd "$common_dir"
    cargo fmt --check -p anyloss-firmware-common -p anyloss-firmware-embed
    for target in "$@"; do
      cargo clippy -q --release --target "$target" -p anyloss-firmware-common -- -D warnings
    done
    cargo clippy -q -p anyloss-firmware-embed --all-targets -- -D warnings
    timeout "$limit" cargo test -q -p anyloss-firmware-embed
  )
}

# run_snapshot <name> <cargo run argument>...: builds and runs the firmware under QEMU, logs
# to $out/<name>.txt (and .stderr), prints the log, fails if the firmware fails, then
# compares the log with expected/<name>.txt through `stable` (ANYLOSS_BLESS=1 rewrites it).
run_snapshot() {
  local name="$1" status=0
  shift
  timeout "$limit" cargo run --release "$@" >"$out/$name.txt" 2>"$out/$name.stderr" || status=$?
  cat "$out/$name.txt"
  if [ "$status" -ne 0 ]; then
    tail -n 30 "$out/$name.stderr" >&2
    fail "the $name firmware exited with $status"
  fi
  if [ "${ANYLOSS_BLESS:-0}" = 1 ]; then
    cp "$out/$name.txt" "expected/$name.txt"
    echo "blessed expected/$name.txt"
  elif ! diff -u <(stable "expected/$name.txt") <(stable "$out/$name.txt"); then
    fail "output of the $name firmware differs from expected/$name.txt (if intended: ANYLOSS_BLESS=1 $0)"
  fi
}

# no_allocator <elf> <name>: fails if the binary links an allocator entry point.
no_allocator() {
  if "$tools/llvm-nm" "$1" | grep -E '__rust_alloc|__rg_alloc|__rust_realloc|__rust_dealloc'; then
    fail "the $2 firmware links an allocator entry point"
  fi
  echo "no allocator symbols: heap use is 0"
}

# at_most <value> <bound>: true when the number <value> is given and <= <bound>.
at_most() { awk -v v="$1" -v b="$2" 'BEGIN { exit !(v != "" && v <= b) }'; }

# within <a> <b> <tolerance>: true when |a − b| <= tolerance.
within() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { x = a - b; if (x < 0) x = -x; exit !(x <= t) }'; }
