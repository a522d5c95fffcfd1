#!/usr/bin/env bash
# Makes the field scenario's files in OUTDIR (default: this directory):
#   host.csv, stream.csv, test.csv  yeast3 split in two, the device's half drifted (drift.py);
#   model.bin                       the model the firmware ships: mlp:16 trained with
#                                   AnyLoss-F1 on host.csv by the host's `anyloss train`
#                                   (5-fold CV report, then a refit on all rows), saved in
#                                   the binary device format.
#
#   examples/firmware/field/make.sh [OUTDIR]
#
# The anyloss binary is `cargo run -p anyloss-cli` from the repository root unless
# ANYLOSS=/path/to/anyloss is set. ci.sh runs this into target/ci/field and compares.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="$(mkdir -p "${1:-$here}" && cd "${1:-$here}" && pwd)"
anyloss() {
  if [ -n "${ANYLOSS:-}" ]; then
    "$ANYLOSS" "$@"
  else
    (cd "$root" && cargo run -q -p anyloss-cli -- "$@")
  fi
}
python3 "$here/drift.py" "$root/examples/data/yeast3.csv" "$out"
anyloss train --data "$out/host.csv" --loss f1 --model mlp:16 --seed 42 \
  --mix 1.0 --l 10.0 --warm-start 20 --optimizer adam --lr 0.01 --batch 64 --epochs 300 \
  --save "$out/model.bin" --force --quiet >/dev/null
