#!/usr/bin/env bash
# The Python package's CI: a fresh venv with torch, numpy and pytest from the package
# registry, the package built from source (maturin), its tests (NumPy, PyTorch, the 2- and
# 3-process DDP test) and the DDP example under torchrun. Prints each part's time.
# Usage: python/ci.sh [VENV_DIR]   (default: a new temporary directory, removed at the end)
set -euo pipefail
cd "$(dirname "$0")"
part() { printf -- '---- %s (%ss)\n' "$1" "$SECONDS"; }

venv="${1:-}"
if [ -z "$venv" ]; then
  venv="$(mktemp -d)/venv"
  trap 'rm -rf "$(dirname "$venv")"' EXIT
  # pip's cache (the downloaded wheels, about 3 GB) in the same directory, removed with it.
  export PIP_CACHE_DIR="$(dirname "$venv")/pip-cache"
fi
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  part "python3 and venv from apt"
  apt-get update -qq && apt-get install -y -qq python3 python3-venv >/dev/null
fi
part "venv at $venv"
python3 -m venv "$venv"
py="$venv/bin/python"
"$py" -m pip install -q --upgrade pip

part "pip install torch numpy pytest (PyPI's Linux torch wheel pulls its CUDA libraries, ~5.7 GB)"
start=$SECONDS
# Up to three attempts: a dropped connection mid-wheel fails pip after its own resume
# retries, and a new attempt takes the wheels already downloaded from pip's cache.
# pip resumes a broken wheel 5 times by default; more where this pip has the option.
resume=()
if "$py" -m pip install --help | grep -q -- --resume-retries; then resume=(--resume-retries 20); fi
for attempt in 1 2 3; do
  if "$py" -m pip install -q "${resume[@]}" torch numpy pytest; then break; fi
  [ "$attempt" -lt 3 ] || exit 1
  echo "pip install failed (attempt $attempt of 3); retrying in 15 s"
  sleep 15
done
echo "torch, numpy, pytest installed in $((SECONDS - start)) s"

part "format and lints of the extension crate"
cargo fmt --check
PYO3_PYTHON="$py" cargo clippy -q --all-targets -- -D warnings

part "pip install ./python (maturin builds the extension)"
start=$SECONDS
"$py" -m pip install -q .
echo "anyloss built and installed in $((SECONDS - start)) s"

part "pytest"
set +e
# The pytest script, not `python -m pytest`: that would put this directory on sys.path,
# where the source package `anyloss/` (without its built extension) shadows the installed one.
"$venv/bin/pytest" -q -p no:cacheprovider tests
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
[ "$rc" -eq 0 ] || exit "$rc"

part "DDP example: torchrun --nproc_per_node 2"
"$venv/bin/torchrun" --nproc_per_node 2 examples/ddp_train.py --epochs 100 2>&1 \
  | grep -v '^W[0-9]\|^\*\*\*\|OMP_NUM_THREADS'
part "done"
