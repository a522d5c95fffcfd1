#!/usr/bin/env bash
# Flash and RAM of a firmware ELF, and the .text of the F1 loss path.
#
#   ./size-report.sh target/thumbv7em-none-eabihf/release/anyloss-firmware
#
# The F1 path is every function reachable by direct calls and tail calls (bl, b, b.w, ...)
# from `loss_cost::f1_loss_and_grad` (BinaryLoss<F1>::loss_and_grad on probabilities), the
# closure listed function by function with llvm-nm sizes. Calls into libm's expf are left
# out and named, as the goal asks; an exp inlined into a caller cannot be separated and is
# counted (the line says so).
set -euo pipefail
elf="$1"
root="${2:-anyloss_firmware::loss_cost::f1_loss_and_grad}"
tools="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin"

"$tools/llvm-size" -A "$elf" | awk '
  $1 == ".text" || $1 == ".rodata" || $1 == ".vector_table" || $1 == ".data" || $1 == ".bss" || $1 == ".uninit" { s[$1] = $2 }
  END {
    printf "sections: .text %d .rodata %d .vector_table %d .data %d .bss %d .uninit %d (bytes)\n", s[".text"], s[".rodata"], s[".vector_table"], s[".data"], s[".bss"], s[".uninit"]
    printf "flash %d bytes (.vector_table+.text+.rodata+.data), static RAM %d bytes (.data+.bss+.uninit)\n", s[".vector_table"] + s[".text"] + s[".rodata"] + s[".data"], s[".data"] + s[".bss"] + s[".uninit"]
  }'

# Addresses stay hex strings without leading zeros (POSIX awk has no hex parsing); sizes
# are converted to decimal by the shell.
syms="$(mktemp)"
calls="$(mktemp)"
trap 'rm -f "$syms" "$calls"' EXIT
"$tools/llvm-nm" -S -C --defined-only "$elf" | while read -r a s t name; do
  case "$t" in t | T) printf '%s %d %s\n' "$(echo "$a" | sed 's/^0*//')" "$((16#$s))" "$name" ;; esac
done >"$syms"
# caller callee, from the disassembly
"$tools/llvm-objdump" -d --no-show-raw-insn "$elf" | awk '
  /^[0-9a-f]+ <.*>:$/ { fn = $1; sub(/^0+/, "", fn); next }
  $2 ~ /^(bl|blx|b|beq|bne|bhs|blo|bhi|bls|bge|blt|bgt|ble|bmi|bpl|bvs|bvc|cbz|cbnz)(\.w|\.n)?$/ {
    for (i = 3; i <= NF; i++) if ($i ~ /^0x[0-9a-f]+$/) { t = substr($i, 3); sub(/^0+/, "", t); print fn, t; break }
  }' >"$calls"

awk -v root="$root" '
  FNR == NR { addr[NR] = $1; size[$1] = $2; n = $1; $1 = $2 = ""; sub(/^ +/, ""); name[n] = $0; count = NR; next }
  { if (!(($1, $2) in edge)) { edge[$1, $2] = 1; out[$1] = out[$1] " " $2 } }
  END {
    for (i = 1; i <= count; i++) if (index(name[addr[i]], root "::h") == 1) start = addr[i]
    if (start == "") { print "F1 path: root symbol " root " not found" > "/dev/stderr"; exit 1 }
    queue[1] = start; seen[start] = 1; head = 1; tail = 1
    while (head <= tail) {
      f = queue[head++]
      m = split(out[f], targets, " ")
      for (j = 1; j <= m; j++) {
        t = targets[j]
        if (!(t in size) || (t in seen)) continue   # branch inside a function, or known
        if (name[t] ~ /expf/) { excluded[t] = 1; continue }
        seen[t] = 1; queue[++tail] = t
      }
    }
    total = 0
    for (k = 1; k <= tail; k++) { f = queue[k]; total += size[f]; printf "  %6d  %s\n", size[f], name[f] }
    for (t in excluded) printf "  (excluded: %s, %d bytes)\n", name[t], size[t]
    printf "F1 loss+grad path: %d bytes of .text in %d functions, without a called expf (an inlined exp is included)\n", total, tail
  }' "$syms" "$calls"
